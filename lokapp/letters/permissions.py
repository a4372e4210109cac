"""Who may read, resend and administer letters – the only place these rules live.

==========================  ===================================================================
read a letter (HTML, PDF)   the case's applicant, the association's representatives, and staff
                            officers or supervisors with the case type's staff area
list a case's letters       the same people, for the case
association archive         the association's representatives and the area's officers
resend                      officers or supervisors with the case type's staff area
edit letter templates       administrators
letter batches              officers or supervisors with the register area
==========================  ===================================================================
"""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from lokapp.auth.models import GlobalRole, StaffArea
from lokapp.core.cases import Case
from lokapp.core.permissions import Decision, permission
from lokapp.extensions import db
from lokapp.letters.models import Letter

# Which staff area handles which case type (other domains add theirs).
CASE_AREAS: dict[str, str] = {
    "registration": StaffArea.REGISTER.value,
    "annual_update": StaffArea.REGISTER.value,
    "sensitive_change": StaffArea.REGISTER.value,
}
_NOT_YOURS = _l("Brevet hör inte till dig eller din förening.")


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_area_officer(user: Any, case_type: str) -> bool:
    area = CASE_AREAS.get(case_type)
    return (_authenticated(user) and area is not None
            and user.has_any_role(GlobalRole.OFFICER, GlobalRole.SUPERVISOR)
            and user.has_area(area))


def _is_party(user: Any, case: Case) -> bool:
    from lokapp.associations.permissions import membership

    if not _authenticated(user):
        return False
    if case.applicant_id == user.id:
        return True
    return membership(user, case.association_id) is not None


@permission("letters.view_case")
def can_view_case_letters(user: Any, case: Case) -> Decision:
    if is_area_officer(user, case.case_type) or _is_party(user, case):
        return Decision(True)
    return Decision(False, str(_NOT_YOURS))


@permission("letters.view")
def can_view(user: Any, letter: Letter) -> Decision:
    return can_view_case_letters(user, db.session.get(Case, letter.case_id))


@permission("letters.view_association")
def can_view_association(user: Any, association: Any) -> Decision:
    from lokapp.associations.permissions import is_register_officer, membership

    if is_register_officer(user) or membership(user, association.id) is not None:
        return Decision(True)
    return Decision(False, str(_l("Du företräder inte den här föreningen.")))


@permission("letters.resend")
def can_resend(user: Any, letter: Letter) -> Decision:
    case = db.session.get(Case, letter.case_id)
    if is_area_officer(user, case.case_type):
        return Decision(True)
    return Decision(False, str(_l("Bara handläggare kan skicka brev igen.")))


@permission("letters.manage_templates")
def can_manage_templates(user: Any) -> Decision:
    if _authenticated(user) and user.has_role(GlobalRole.ADMIN):
        return Decision(True)
    return Decision(False, str(_l("Bara administratörer kan ändra brevmallarna.")))


@permission("letters.batch")
def can_batch(user: Any) -> Decision:
    if _authenticated(user) and user.has_any_role(GlobalRole.OFFICER, GlobalRole.SUPERVISOR) \
            and user.has_area(StaffArea.REGISTER):
        return Decision(True)
    return Decision(False, str(_l("Utskick av beslutsbrev görs av handläggare för "
                                  "föreningsregistret.")))
