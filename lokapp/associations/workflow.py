"""The register's three case types and their transition tables – each graph on one screen.

registration (a resident registers an association; the association is ``pending`` meanwhile)::

    draft --submit--> submitted --approve--> approved            (association registered)
    submitted --request_completion--> needs_completion --submit--> submitted
    submitted|needs_completion --reject--> rejected              (reasons mandatory)

annual_update (after the annual meeting: data confirmed, member counts, documents)::

    draft --submit--> submitted --approve--> approved
    submitted --request_completion--> needs_completion --submit--> submitted

sensitive_change (organisationsnummer or payment details; nothing changes before approval)::

    draft --submit--> submitted --approve--> approved            (new values applied)
    submitted --reject--> rejected                               (reasons mandatory)
    submitted --withdraw--> withdrawn                            (by the association)

The permissions named here are predicates in :mod:`lokapp.associations.permissions`; the side
effects of each step (the association's state, mail, audit, decision letters) live in
:mod:`lokapp.associations.services`, which calls :func:`lokapp.core.workflow.apply`.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lokapp.core.cases import Case
from lokapp.core.permissions import Decision
from lokapp.core.types import RichStrEnum
from lokapp.core.workflow import Transition, Workflow
from lokapp.extensions import db

REGISTRATION = "registration"
ANNUAL_UPDATE = "annual_update"
SENSITIVE_CHANGE = "sensitive_change"
CASE_TYPES = (REGISTRATION, ANNUAL_UPDATE, SENSITIVE_CHANGE)

_COMPLETION_NOTE = _l("Vad behöver kompletteras?")
_REASONS_NOTE = _l("Motivering")


class RegistrationState(RichStrEnum):
    DRAFT = "draft", _l("Utkast"), "neutral"
    SUBMITTED = "submitted", _l("Inkommen"), "info"
    NEEDS_COMPLETION = "needs_completion", _l("Komplettering begärd"), "warning"
    APPROVED = "approved", _l("Godkänd"), "success"
    REJECTED = "rejected", _l("Avslagen"), "danger"


class AnnualUpdateState(RichStrEnum):
    DRAFT = "draft", _l("Utkast"), "neutral"
    SUBMITTED = "submitted", _l("Inkommen"), "info"
    NEEDS_COMPLETION = "needs_completion", _l("Komplettering begärd"), "warning"
    APPROVED = "approved", _l("Godkänd"), "success"


class ChangeState(RichStrEnum):
    DRAFT = "draft", _l("Utkast"), "neutral"
    SUBMITTED = "submitted", _l("Väntar på godkännande"), "info"
    APPROVED = "approved", _l("Godkänd"), "success"
    REJECTED = "rejected", _l("Avslagen"), "danger"
    WITHDRAWN = "withdrawn", _l("Återkallad"), "neutral"


R, A, C = RegistrationState, AnnualUpdateState, ChangeState


def orgnr_still_free(case: Case) -> Decision:
    """Guard: a new organisationsnummer must not have been taken since it was requested."""
    from lokapp.associations.models import Association, SensitiveChange

    change = db.session.scalar(select(SensitiveChange).where(SensitiveChange.case_id == case.id))
    if change is None or change.new_orgnr in (None, change.old_orgnr):
        return Decision(True)
    taken = db.session.scalar(select(Association.id).where(
        Association.orgnr == change.new_orgnr, Association.id != change.association_id))
    if taken is not None:
        return Decision(False, str(_l(
            "Organisationsnumret används redan av en annan förening i registret. Avslå "
            "ändringen eller utred saken först.")))
    return Decision(True)


REGISTRATION_WORKFLOW = Workflow(
    REGISTRATION, R, initial=R.DRAFT, label=_l("Registrering av förening"),
    decision_states={R.APPROVED, R.REJECTED}, final_states={R.APPROVED, R.REJECTED},
    transitions=[
        Transition("submit", (R.DRAFT, R.NEEDS_COMPLETION), R.SUBMITTED, _l("Skicka in"),
                   "register.submit_registration", is_submit=True, style="primary"),
        Transition("approve", (R.SUBMITTED,), R.APPROVED, _l("Godkänn registreringen"),
                   "register.handle", style="primary"),
        Transition("request_completion", (R.SUBMITTED,), R.NEEDS_COMPLETION,
                   _l("Begär komplettering"), "register.handle", requires_note=True,
                   note_label=_COMPLETION_NOTE),
        Transition("reject", (R.SUBMITTED, R.NEEDS_COMPLETION), R.REJECTED,
                   _l("Avslå registreringen"), "register.handle", requires_note=True,
                   note_label=_REASONS_NOTE, style="danger"),
    ])

ANNUAL_UPDATE_WORKFLOW = Workflow(
    ANNUAL_UPDATE, A, initial=A.DRAFT, label=_l("Årlig uppdatering"),
    decision_states={A.APPROVED}, final_states={A.APPROVED},
    transitions=[
        Transition("submit", (A.DRAFT, A.NEEDS_COMPLETION), A.SUBMITTED, _l("Skicka in"),
                   "register.submit_annual_update", is_submit=True, style="primary"),
        Transition("approve", (A.SUBMITTED,), A.APPROVED, _l("Godkänn uppdateringen"),
                   "register.handle", style="primary"),
        Transition("request_completion", (A.SUBMITTED,), A.NEEDS_COMPLETION,
                   _l("Begär komplettering"), "register.handle", requires_note=True,
                   note_label=_COMPLETION_NOTE),
    ])

SENSITIVE_CHANGE_WORKFLOW = Workflow(
    SENSITIVE_CHANGE, C, initial=C.DRAFT, label=_l("Ändring av organisationsnummer eller "
                                                   "betalningsuppgifter"),
    decision_states={C.APPROVED, C.REJECTED},
    final_states={C.APPROVED, C.REJECTED, C.WITHDRAWN},
    transitions=[
        Transition("submit", (C.DRAFT,), C.SUBMITTED, _l("Skicka in"),
                   "register.request_change", is_submit=True, style="primary"),
        Transition("approve", (C.SUBMITTED,), C.APPROVED, _l("Godkänn ändringen"),
                   "register.handle", guard=orgnr_still_free, style="primary"),
        Transition("reject", (C.SUBMITTED,), C.REJECTED, _l("Avslå ändringen"),
                   "register.handle", requires_note=True, note_label=_REASONS_NOTE,
                   style="danger"),
        Transition("withdraw", (C.SUBMITTED,), C.WITHDRAWN, _l("Återkalla ändringen"),
                   "register.request_change", style="danger"),
    ])

WORKFLOWS = {REGISTRATION: REGISTRATION_WORKFLOW, ANNUAL_UPDATE: ANNUAL_UPDATE_WORKFLOW,
             SENSITIVE_CHANGE: SENSITIVE_CHANGE_WORKFLOW}

# Actions an officer takes from the case page; request_completion has its own form (deadline).
OFFICER_ACTIONS = frozenset({"approve", "reject", "request_completion"})
