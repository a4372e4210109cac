"""Who may do what in the association register – the only place these rules live.

Two kinds of people act here:

- **Register officers**: staff with the global role *officer* and the staff area *register*.
  They see every association and handle the register's cases.
- **Representatives**: people linked to one association (``AssociationMember``) with roles
  there. A representative of association A never sees association B's data: every predicate
  below looks up the membership of *this* user in *that* association.

Which roles may do what (an administrator may do everything):

=========================  ==================================================================
view                        any representative
edit (public data)          administrator, ordförande, kontaktperson
annual_update, documents    administrator, ordförande, kontaktperson, kassör
change_payment              administrator, ordförande, kassör, or a firmatecknare
manage_people               administrator
=========================  ==================================================================
"""
from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from lokapp.associations.models import Association, RegisterState
from lokapp.auth.models import AssociationMember, AssociationRole, GlobalRole, StaffArea
from lokapp.casework.models import declared_disqualification
from lokapp.core.cases import Case
from lokapp.core.permissions import Decision, permission
from lokapp.extensions import db

ADMIN = AssociationRole.ADMINISTRATOR.value
EDIT_ROLES = frozenset({ADMIN, AssociationRole.CHAIR.value, AssociationRole.CONTACT.value})
ANNUAL_UPDATE_ROLES = EDIT_ROLES | {AssociationRole.TREASURER.value}
PAYMENT_ROLES = frozenset({ADMIN, AssociationRole.CHAIR.value, AssociationRole.TREASURER.value})

_NOT_MEMBER = _l("Du företräder inte den här föreningen.")
_NOT_OFFICER = _l("Ärenden i föreningsregistret handläggs av handläggare med området "
                  "föreningsregister.")


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_register_officer(user: Any) -> bool:
    return (_authenticated(user) and user.has_role(GlobalRole.OFFICER)
            and user.has_area(StaffArea.REGISTER))


_MEMBERSHIP_CACHE_KEY = "lokapp.associations.membership"


def _membership_cache() -> dict | None:
    """The request's answers of :func:`membership`, keyed by (user id, association id);
    ``None`` outside a request. Kept in the WSGI environ, not on ``flask.g``: ``g`` lives as
    long as the app context, which a test (or a CLI command) may keep across requests."""
    if not has_request_context():
        return None
    return request.environ.setdefault(_MEMBERSHIP_CACHE_KEY, {})


def forget_memberships() -> None:
    """Drop the request's remembered memberships (a member was added or removed, or the
    transaction rolled back). Called by the session listeners below."""
    cache = _membership_cache()
    if cache:
        cache.clear()


def membership(user: Any, association_id: int | None) -> AssociationMember | None:
    """``user``'s link to the association, or None.

    One query per (user, association) and request: a page asks this for every jäv and role
    check. The remembered row is the session's own object, so a change of its roles or
    signatory flag is seen at once; adding or removing a member (flushed) and a rollback
    forget the answers (see :func:`_forget_on_flush`)."""
    if not _authenticated(user) or association_id is None:
        return None
    cache = _membership_cache()
    key = (user.id, association_id)
    if cache is not None and key in cache:
        return cache[key]
    member = db.session.scalar(select(AssociationMember).where(
        AssociationMember.user_id == user.id,
        AssociationMember.association_id == association_id))
    if cache is not None:
        cache[key] = member
    return member


@event.listens_for(Session, "after_flush")
def _forget_on_flush(session: Session, _context: Any) -> None:
    if any(isinstance(obj, AssociationMember) for obj in (*session.new, *session.deleted)):
        forget_memberships()


@event.listens_for(Session, "after_soft_rollback")
def _forget_on_rollback(session: Session, _previous: Any) -> None:
    forget_memberships()


def _has_role(user: Any, association: Association, roles: frozenset[str],
              reason: Any, *, signatory: bool = False) -> Decision:
    member = membership(user, association.id)
    if member is None:
        return Decision(False, str(_NOT_MEMBER))
    if member.role_names & roles or (signatory and member.is_signatory):
        return Decision(True)
    return Decision(False, str(reason))


def _registered(association: Association) -> Decision:
    if association.register_state != RegisterState.REGISTERED:
        return Decision(False, str(_l(
            "Föreningen är inte registrerad just nu, så uppgifterna kan inte ändras här.")))
    return Decision(True)


# --- association pages ----------------------------------------------------------------------

@permission("associations.view")
def can_view(user: Any, association: Association) -> Decision:
    """See the association's own pages: status, documents, member counts, people."""
    if is_register_officer(user):
        return Decision(True)
    if membership(user, association.id) is None:
        return Decision(False, str(_NOT_MEMBER))
    return Decision(True)


@permission("associations.edit")
def can_edit(user: Any, association: Association) -> Decision:
    """Change the public data (name, description, contact, districts, board …)."""
    return _has_role(user, association, EDIT_ROLES, _l(
        "Bara föreningens administratör, ordförande eller kontaktperson kan ändra "
        "uppgifterna.")) and _registered(association)


@permission("associations.annual_update")
def can_annual_update(user: Any, association: Association) -> Decision:
    """Fill in and submit the annual update, upload documents."""
    return _has_role(user, association, ANNUAL_UPDATE_ROLES, _l(
        "Bara föreningens administratör, ordförande, kassör eller kontaktperson kan lämna "
        "årlig uppdatering och ladda upp dokument.")) and _registered(association)


@permission("associations.change_payment")
def can_change_payment(user: Any, association: Association) -> Decision:
    """Ask for a new organisationsnummer, bankgiro or plusgiro (an officer approves)."""
    return _has_role(user, association, PAYMENT_ROLES, _l(
        "Bara föreningens administratör, ordförande, kassör eller en firmatecknare kan ändra "
        "organisationsnummer och betalningsuppgifter."), signatory=True) \
        and _registered(association)


@permission("associations.manage_people")
def can_manage_people(user: Any, association: Association) -> Decision:
    """Invite people, change their roles, remove them."""
    return _has_role(user, association, frozenset({ADMIN}), _l(
        "Bara föreningens administratör kan bjuda in och ta bort personer."))


# --- cases ----------------------------------------------------------------------------------

@permission("register.view_queue")
def can_view_queue(user: Any) -> Decision:
    return Decision(True) if is_register_officer(user) else Decision(False, str(_NOT_OFFICER))


@permission("register.handle")
def can_handle(user: Any, case: Case) -> Decision:
    """See, approve, reject or ask for completion of a register case – not after declaring
    jäv on it (:class:`lokapp.casework.models.CaseDisqualification`)."""
    if not is_register_officer(user):
        return Decision(False, str(_NOT_OFFICER))
    if declared_disqualification(user.id, case.id) is not None:
        return Decision(False, str(_l("Du har anmält jäv i ärendet och får inte handlägga "
                                      "det.")))
    return Decision(True)


@permission("register.view_case")
def can_view_case(user: Any, case: Case) -> Decision:
    """The applicant's view of a case: the registrant, or the association's representatives."""
    if is_register_officer(user):
        return Decision(True)
    if _authenticated(user) and case.applicant_id == user.id:
        return Decision(True)
    if case.case_type != "registration" and membership(user, case.association_id) is not None:
        return Decision(True)
    return Decision(False, str(_l("Ärendet hör inte till dig eller din förening.")))


@permission("register.submit_registration")
def can_submit_registration(user: Any, case: Case) -> Decision:
    if _authenticated(user) and case.applicant_id == user.id:
        return Decision(True)
    return Decision(False, str(_l("Bara den som har gjort registreringen kan skicka in den.")))


@permission("register.submit_annual_update")
def can_submit_annual_update(user: Any, case: Case) -> Decision:
    association = db.session.get(Association, case.association_id)
    return can_annual_update(user, association)


@permission("register.request_change")
def can_request_change(user: Any, case: Case) -> Decision:
    association = db.session.get(Association, case.association_id)
    return can_change_payment(user, association)
