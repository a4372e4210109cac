"""Who may use the officers' queue and to whom cases may be assigned.

- **The queue** (``casework.view_queue``): staff who work as officers in at least one case area
  (register, grants, bookings – each by its domain's own officer rule, see :mod:`.registry`).
- **Assigning** (``casework.assign_to``): to oneself or to an officer who shares at least one
  of one's case areas. Which *cases* may go to that officer (their area, jäv) is decided per
  case by :func:`lokapp.casework.services.assign`.
- **Internal notes** (``casework.notes``) and **messages to the applicant**
  (``casework.message``): officers of the case's area, except a disqualified one (jäv: the
  applicant, anyone linked to the association, or an officer who declared jäv).
- **Declaring jäv** (``casework.declare_jav``): any officer of the case's area, once per case.
- **Answering a message** (per case type, see ``services.REPLY_RULES``): the grant
  application's applying roles (``grants.reply``); a registration's registrant
  (``casework.reply_as_applicant``); a season application's association's booking managers
  (``bookings.season_apply_case``).
"""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from lokapp.associations.permissions import membership
from lokapp.casework.models import declared_disqualification
from lokapp.casework.registry import case_types_of
from lokapp.core.permissions import Decision, permission

_NO_AREA = _l("Du arbetar inte med något handläggningsområde.")
_OTHER_AREA = _l("Välj en handläggare inom ditt område.")


@permission("casework.view_queue")
def can_view_queue(user: Any) -> Decision:
    if case_types_of(user):
        return Decision(True)
    return Decision(False, str(_NO_AREA))


@permission("casework.assign_to")
def can_assign_to(user: Any, officer: Any) -> Decision:
    if getattr(officer, "is_disabled", True) or not set(case_types_of(user)) & set(
            case_types_of(officer)):
        return Decision(False, str(_OTHER_AREA))
    return Decision(True)


# --- notes, messages and declared jäv on one case ---------------------------------------------

_NOT_THIS_AREA = _l("Ärendet hör inte till ditt handläggningsområde.")
_LINKED = _l("Du är jävig i ärendet: du är part eller knuten till föreningen.")
_DECLARED = _l("Du har anmält jäv i ärendet och får inte handlägga det.")


def _in_area(user: Any, case: Any) -> bool:
    return case is not None and case.number is not None and case.case_type in case_types_of(user)


def conflict(user: Any, case: Any) -> str | None:
    """Why ``user`` may not work on ``case`` (jäv), or None: the user is the applicant, is
    linked to the case's association in any role, or has declared jäv on the case.
    Both lookups are remembered for the request, so on a case page, whose own checks asked
    them already, this costs no query."""
    if case.applicant_id is not None and case.applicant_id == user.id:
        return str(_LINKED)
    if membership(user, case.association_id) is not None:
        return str(_LINKED)
    if declared_disqualification(user.id, case.id) is not None:
        return str(_DECLARED)
    return None


@permission("casework.notes")
def can_use_notes(user: Any, case: Any) -> Decision:
    """Read and add internal notes: an officer of the case's area who is not disqualified.

    The parties (the applicant, anyone linked to the association) never see notes – also not
    when they are officers themselves."""
    if not _in_area(user, case):
        return Decision(False, str(_NOT_THIS_AREA))
    reason = conflict(user, case)
    return Decision(False, reason) if reason else Decision(True)


def has_message_thread(case: Any) -> bool:
    """Whether the case type keeps messages with its applicant (see services.MESSAGE_TYPES)."""
    from lokapp.casework.services import MESSAGE_TYPES

    return case is not None and case.case_type in MESSAGE_TYPES and case.applicant_id is not None


@permission("casework.message")
def can_message_applicant(user: Any, case: Any) -> Decision:
    """Write to the applicant: as for notes, for the case types that have a message thread."""
    if not has_message_thread(case):
        return Decision(False, str(_NOT_THIS_AREA))
    return can_use_notes(user, case)


@permission("casework.declare_jav")
def can_declare_jav(user: Any, case: Any) -> Decision:
    """Any officer of the case's area may declare jäv on it, once."""
    if not _in_area(user, case):
        return Decision(False, str(_NOT_THIS_AREA))
    if declared_disqualification(user.id, case.id) is not None:
        return Decision(False, str(_l("Du har redan anmält jäv i ärendet.")))
    return Decision(True)


@permission("casework.reply_as_applicant")
def can_reply_as_applicant(user: Any, case: Any) -> Decision:
    """Answer the officer's messages in a case whose party is one person (a registration):
    the person who applied."""
    if (getattr(user, "is_authenticated", False) and case.number is not None
            and case.applicant_id == user.id):
        return Decision(True)
    return Decision(False, str(_l("Bara den som har gjort ansökan kan svara här.")))
