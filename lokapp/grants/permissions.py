"""Who may do what with grants – the only place these rules live.

- **Administrators** manage programmes (``grants.manage``).
- **Applicants**: people linked to the association (``AssociationMember``). Anyone linked
  sees the association's applications (partsinsyn); administrators, ordförande, kassör and
  bidragsansvarig of the association apply, edit drafts, submit and withdraw. A member of
  association A never sees association B's applications.
- **Grant officers**: global role *officer* (or *supervisor*) with the staff area *grants*.
  They see submitted applications and handle them – except an association they are linked
  to themselves (jäv). Deciding within their delegation: :func:`delegation_of` is the lower
  of the officer's and the programme's limit. Confirming a proposal needs a second officer,
  not the proposer, whose own delegation covers the proposed amount (four-eyes; the
  programme's limit caps deciding alone, not the confirmation). An officer who
  has declared jäv on a case (:class:`lokapp.casework.models.CaseDisqualification`) may not
  take, handle, propose, confirm or decide it either.
- **Messages** (``grants.reply``): the association's applicants answer the officer's
  messages from the application page.
"""
from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lokapp.associations.permissions import membership
from lokapp.auth.models import AssociationRole, GlobalRole, StaffArea
from lokapp.casework.models import declared_disqualification
from lokapp.core.cases import Case
from lokapp.core.permissions import Decision, permission
from lokapp.extensions import db
from lokapp.grants.models import GrantApplication, Outcome

APPLY_ROLES = frozenset({AssociationRole.ADMINISTRATOR.value, AssociationRole.CHAIR.value,
                         AssociationRole.TREASURER.value, AssociationRole.GRANT_MANAGER.value})
EDITABLE_STATES = frozenset({"draft", "needs_completion"})
# While the case is open its scores may change; after the decision (or a withdrawal) never.
SCORING_STATES = frozenset({"submitted", "in_review", "needs_completion", "proposed"})

_NOT_MEMBER = _l("Du företräder inte den här föreningen.")
_NOT_APPLICANT = _l("Bara föreningens administratör, ordförande, kassör eller bidragsansvarig "
                    "kan söka bidrag och ändra ansökningar.")
_NOT_OFFICER = _l("Bidragsansökningar handläggs av handläggare med området bidrag.")


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_grant_officer(user: Any) -> bool:
    return (_authenticated(user) and user.has_any_role(GlobalRole.OFFICER, GlobalRole.SUPERVISOR)
            and user.has_area(StaffArea.GRANTS))


_APPLICATION_IDS_KEY = "lokapp.grants.application_of"


def application_of(obj: Any) -> GrantApplication | None:
    """The grant application of a case (or the application itself). An application never
    changes its case, so the request remembers the application's id and later calls take it
    from the session's identity map without a query (a page asks this for every button)."""
    if isinstance(obj, GrantApplication):
        return obj
    if not isinstance(obj, Case):
        return None
    known = request.environ.setdefault(_APPLICATION_IDS_KEY, {}) \
        if has_request_context() else {}
    if obj.id in known:
        application = db.session.get(GrantApplication, known[obj.id])
        if application is not None:
            return application
    application = db.session.scalar(
        select(GrantApplication).where(GrantApplication.case_id == obj.id))
    if application is not None:
        known[obj.id] = application.id
    return application


def _applicant(user: Any, association_id: int) -> Decision:
    member = membership(user, association_id)
    if member is None:
        return Decision(False, str(_NOT_MEMBER))
    if not member.role_names & APPLY_ROLES:
        return Decision(False, str(_NOT_APPLICANT))
    return Decision(True)


def disqualified(user: Any, association_id: int | None) -> Decision:
    """Jäv: an officer linked to the association in any role may not handle its cases."""
    if membership(user, association_id) is not None:
        return Decision(True, str(_l(
            "Du är jävig: du är knuten till föreningen och får inte handlägga eller besluta "
            "i dess ärenden. Be en kollega ta ärendet.")))
    return Decision(False)


def delegation_of(user: Any, application: GrantApplication) -> int:
    """The largest amount ``user`` may decide alone in this application's programme."""
    own = getattr(user, "delegation_limit_sek", None) or 0
    cap = application.programme.delegation_limit_sek
    return own if cap is None else min(own, cap)


def decision_amount(application: GrantApplication, outcome: Outcome | str,
                    amount_sek: int | None) -> int:
    """The amount a decision is about: the grant, or for a rejection what was requested."""
    if not application.programme.is_monetary:
        return 0
    if Outcome(outcome) == Outcome.REJECTED:
        return application.requested_sek or 0
    return amount_sek or 0


@permission("grants.manage")
def can_manage(user: Any) -> bool:
    return _authenticated(user) and user.has_role(GlobalRole.ADMIN)


@permission("grants.apply_for")
def can_apply_for(user: Any, association: Any) -> Decision:
    return _applicant(user, association.id)


@permission("grants.officer")
def can_work_as_officer(user: Any) -> Decision:
    """The grant officers' pages: role officer or supervisor with the area grants."""
    if not is_grant_officer(user):
        return Decision(False, str(_NOT_OFFICER))
    return Decision(True)


@permission("grants.view")
def can_view(user: Any, application: GrantApplication) -> Decision:
    if membership(user, application.association_id) is not None:
        return Decision(True)
    if is_grant_officer(user) and application.case.state != "draft":
        return Decision(True)
    return Decision(False, str(_NOT_MEMBER))


@permission("grants.edit")
def can_edit(user: Any, application: GrantApplication) -> Decision:
    decision = _applicant(user, application.association_id)
    if not decision:
        return decision
    if application.case.state not in EDITABLE_STATES:
        return Decision(False, str(_l("Ansökan är inskickad och kan inte ändras nu.")))
    return Decision(True)


@permission("grants.submit")
def can_submit(user: Any, case: Case) -> Decision:
    return _applicant(user, case.association_id)


@permission("grants.withdraw")
def can_withdraw(user: Any, case: Case) -> Decision:
    return _applicant(user, case.association_id)


@permission("grants.report")
def can_report(user: Any, case: Any) -> Decision:
    """The follow-up report: the association's applicants (as for the application)."""
    return _applicant(user, case.association_id)


@permission("grants.read_report")
def can_read_report(user: Any, follow_up: Any) -> Decision:
    """The follow-up report's text, tables and files: the association's members always (it
    is theirs, also while written); grant officers once it is sent – not while it is being
    written, nor while it is back with the association for completion (a report being
    written is private, like a draft application)."""
    application = follow_up.application
    if membership(user, application.association_id) is not None:
        return Decision(True)
    if is_grant_officer(user) and follow_up.submitted_at is not None \
            and application.case.state != "follow_up_due":
        return Decision(True)
    return Decision(False, str(_l("Föreningen har inte skickat in redovisningen ännu.")))


@permission("grants.handle")
def can_handle(user: Any, case: Case) -> Decision:
    if not is_grant_officer(user):
        return Decision(False, str(_NOT_OFFICER))
    jav = disqualified(user, case.association_id)
    if jav:
        return Decision(False, jav.reason)
    if declared_disqualification(user.id, case.id) is not None:
        return Decision(False, str(_l(
            "Du har anmält jäv i ärendet och får inte handlägga, föreslå eller besluta i det.")))
    return Decision(True)


@permission("grants.decide")
def can_decide(user: Any, case: Case) -> Decision:
    """May decide (the amount is checked against the delegation by the service)."""
    return can_handle(user, case)


@permission("grants.confirm")
def can_confirm(user: Any, case: Case) -> Decision:
    decision = can_handle(user, case)
    if not decision:
        return decision
    application = application_of(case)
    if application is None:
        return Decision(False)
    if application.proposed_by_id == user.id:
        return Decision(False, str(_l(
            "Du lämnade själv förslaget. En annan handläggare måste fastställa beslutet.")))
    amount = decision_amount(application, application.proposed_outcome or Outcome.APPROVED,
                             application.proposed_sek)
    # The second person needs their own delegation only: the programme's limit is what one
    # officer decides alone, the very reason the decision was proposed.
    if amount > (getattr(user, "delegation_limit_sek", None) or 0):
        return Decision(False, str(_l(
            "Din delegation räcker inte för beslut om %(amount)s kronor.",
            amount=format_sek(amount))))
    return Decision(True)


@permission("grants.reply")
def can_reply(user: Any, case: Case) -> Decision:
    """Answer the officer's messages: the association's applicants, once it is submitted."""
    if case.number is None:
        return Decision(False)
    return _applicant(user, case.association_id)


@permission("grants.read_scores")
def can_read_scores(user: Any, case: Case) -> Decision:
    """See the officers' scores and comments on a case: like internal notes, only whoever
    may handle it – not a party who is also an officer (linked to the association), nor an
    officer who declared jäv. The programme's CSV leaves out the same cases
    (:func:`lokapp.grants.scoring.score_rows`)."""
    return can_handle(user, case)


@permission("grants.score")
def can_score(user: Any, case: Case) -> Decision:
    """Score the application against the programme's criteria: whoever may handle the case,
    until it is decided."""
    decision = can_handle(user, case)
    if not decision:
        return decision
    if str(case.state) not in SCORING_STATES:
        return Decision(False, str(_l("Poängen kan inte ändras efter beslutet.")))
    return Decision(True)


@permission("grants.mark_paid")
def can_mark_paid(user: Any, payout: Any) -> Decision:
    """A grants officer, not linked to the receiving association and without declared jäv
    on the application's case."""
    if not is_grant_officer(user):
        return Decision(False, str(_NOT_OFFICER))
    jav = disqualified(user, payout.association_id)
    if jav:
        return Decision(False, jav.reason)
    if declared_disqualification(user.id, payout.application.case_id) is not None:
        return Decision(False, str(_l(
            "Du har anmält jäv i ärendet och får inte markera utbetalningen som betald. Be en "
            "kollega göra det.")))
    return Decision(True)


def format_sek(amount: int | None) -> str:
    """``12 500`` – a thin space between thousands, as in Swedish."""
    if amount is None:
        return "–"
    return f"{amount:,}".replace(",", "\u00a0")
