"""A sample case type for the engine's tests, shaped like the grant application in DESIGN.md.

    draft --submit--> submitted --assign--> in_review --request_completion--> needs_completion
    needs_completion --submit--> submitted
    in_review --propose--> proposed --approve|reject--> decided
    decided --report_due (system)--> follow_up_due --submit_report--> follow_up_submitted
    follow_up_submitted --accept--> closed
    any open state --withdraw--> withdrawn
"""
from __future__ import annotations

import itertools

from flask_babel import lazy_gettext as _l

from lokapp.auth.models import GlobalRole, User, UserRole
from lokapp.core.cases import Case, assign_number, open_case
from lokapp.core.permissions import Decision, permission
from lokapp.core.time import utcnow
from lokapp.core.types import RichStrEnum
from lokapp.core.workflow import Transition, Workflow, system_only
from lokapp.extensions import db

CASE_TYPE = "test_grant"


class S(RichStrEnum):
    DRAFT = "draft", _l("Utkast"), "neutral"
    SUBMITTED = "submitted", _l("Inkommen"), "info"
    IN_REVIEW = "in_review", _l("Under handläggning"), "info"
    NEEDS_COMPLETION = "needs_completion", _l("Komplettering begärd"), "warning"
    PROPOSED = "proposed", _l("Förslag till beslut"), "info"
    DECIDED = "decided", _l("Beslutad"), "success"
    FOLLOW_UP_DUE = "follow_up_due", _l("Redovisning ska lämnas"), "warning"
    FOLLOW_UP_SUBMITTED = "follow_up_submitted", _l("Redovisning inkommen"), "info"
    CLOSED = "closed", _l("Avslutad"), "neutral"
    WITHDRAWN = "withdrawn", _l("Återkallad"), "neutral"


OPEN = (S.SUBMITTED, S.IN_REVIEW, S.NEEDS_COMPLETION, S.PROPOSED)


def is_applicant(user, case: Case) -> Decision:
    if user is not None and user.id == case.applicant_id:
        return Decision(True)
    return Decision(False, "Bara den som har ansökt kan göra det här.")


@permission("test_grant.handle")
def can_handle(user, case: Case) -> bool:
    return user is not None and user.has_role("officer")


def is_supervisor(user, case: Case) -> bool:
    return user is not None and user.has_role("supervisor")


GRANT = Workflow(CASE_TYPE, S, initial=S.DRAFT, decision_states={S.DECIDED},
                 final_states={S.CLOSED, S.WITHDRAWN}, transitions=[
    Transition("submit", (S.DRAFT, S.NEEDS_COMPLETION), S.SUBMITTED, _l("Skicka in"),
               is_applicant, is_submit=True, style="primary"),
    Transition("assign", (S.SUBMITTED,), S.IN_REVIEW, _l("Ta ärendet"), "test_grant.handle"),
    Transition("request_completion", (S.IN_REVIEW,), S.NEEDS_COMPLETION,
               _l("Begär komplettering"), "test_grant.handle", requires_note=True,
               note_label=_l("Vad behöver kompletteras?")),
    Transition("propose", (S.IN_REVIEW,), S.PROPOSED, _l("Föreslå beslut"), "test_grant.handle"),
    Transition("approve", (S.PROPOSED,), S.DECIDED, _l("Bevilja"), is_supervisor,
               style="primary"),
    Transition("reject", (S.PROPOSED,), S.DECIDED, _l("Avslå"), is_supervisor,
               requires_note=True, note_label=_l("Motivering"), style="danger"),
    Transition("report_due", (S.DECIDED,), S.FOLLOW_UP_DUE, _l("Begär redovisning"),
               system_only),
    Transition("submit_report", (S.FOLLOW_UP_DUE,), S.FOLLOW_UP_SUBMITTED,
               _l("Skicka redovisning"), is_applicant),
    Transition("accept", (S.FOLLOW_UP_SUBMITTED,), S.CLOSED, _l("Godkänn redovisning"),
               "test_grant.handle"),
    Transition("withdraw", OPEN, S.WITHDRAWN, _l("Återkalla ansökan"), is_applicant,
               style="danger"),
])

# Who performs each action in the table tests (None: the system).
ACTOR_OF = {
    "submit": "applicant", "assign": "officer", "request_completion": "officer",
    "propose": "officer", "approve": "supervisor", "reject": "supervisor",
    "report_due": None, "submit_report": "applicant", "accept": "officer",
    "withdraw": "applicant",
}

_seq = itertools.count(1)


def make_person(role: str | None = None, **kwargs) -> User:
    """A user without a usable password (cheap: no argon2), for engine tests."""
    n = next(_seq)
    user = User(email=f"case-person-{n}-{id(object())}@example.se", name=f"Person {n}",
                password_hash="!", email_verified_at=utcnow(), **kwargs)
    if role:
        user.roles.append(UserRole(role=GlobalRole(role)))
    db.session.add(user)
    db.session.flush()
    return user


def make_people() -> dict[str, User | None]:
    return {"applicant": make_person(), "officer": make_person("officer"),
            "supervisor": make_person("supervisor"), "resident": make_person(), None: None}


def make_case(state: str = S.DRAFT, applicant: User | None = None,
              subject: str = "Ansökan om aktivitetsbidrag") -> Case:
    """A case of the sample type put straight into ``state`` (numbered unless a draft)."""
    case = open_case(CASE_TYPE, subject=subject, applicant=applicant)
    if state != S.DRAFT:
        case.submitted_at = utcnow()
        assign_number(case)
    case.state = str(state)
    db.session.flush()
    return case
