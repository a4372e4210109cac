"""The grant application's states and transitions – the whole graph on one screen::

    draft --submit--> submitted --assign--> in_review --request_completion--> needs_completion
    needs_completion --submit--> submitted
    in_review --decide--> decided                 (within the officer's delegation)
    in_review --propose--> proposed --confirm--> decided     (four-eyes, a second officer)
    proposed --return_proposal--> in_review       (the second officer sends it back, with a note)
    submitted|in_review|needs_completion|proposed --withdraw--> withdrawn

Whether an officer decides or proposes follows from the amount and the officer's delegation;
:func:`lokapp.grants.services.decide` picks the row. The outcome (approve, approve in part,
reject), amount and reasons live on the application; letters, mail and the budget pot are
the services' side effects. Follow-up states (follow_up_due …) come with the follow-up report.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lokapp.core.types import RichStrEnum
from lokapp.core.workflow import Transition, Workflow

GRANT_APPLICATION = "grant_application"


class State(RichStrEnum):
    DRAFT = "draft", _l("Utkast"), "neutral"
    SUBMITTED = "submitted", _l("Inkommen"), "info"
    IN_REVIEW = "in_review", _l("Handläggs"), "info"
    NEEDS_COMPLETION = "needs_completion", _l("Komplettering begärd"), "warning"
    PROPOSED = "proposed", _l("Förslag till beslut"), "info"
    DECIDED = "decided", _l("Beslutad"), "success"
    WITHDRAWN = "withdrawn", _l("Återkallad"), "neutral"


S = State
OPEN = (S.SUBMITTED, S.IN_REVIEW, S.NEEDS_COMPLETION, S.PROPOSED)

WORKFLOW = Workflow(
    GRANT_APPLICATION, S, initial=S.DRAFT, label=_l("Bidragsansökan"),
    decision_states={S.DECIDED}, final_states={S.DECIDED, S.WITHDRAWN},
    transitions=[
        Transition("submit", (S.DRAFT, S.NEEDS_COMPLETION), S.SUBMITTED, _l("Skicka in"),
                   "grants.submit", is_submit=True, style="primary"),
        Transition("assign", (S.SUBMITTED,), S.IN_REVIEW, _l("Ta ärendet"), "grants.handle",
                   style="primary"),
        Transition("request_completion", (S.IN_REVIEW,), S.NEEDS_COMPLETION,
                   _l("Begär komplettering"), "grants.handle", requires_note=True,
                   note_label=_l("Vad behöver kompletteras?")),
        Transition("decide", (S.IN_REVIEW,), S.DECIDED, _l("Fatta beslut"), "grants.decide"),
        Transition("propose", (S.IN_REVIEW,), S.PROPOSED, _l("Lämna förslag till beslut"),
                   "grants.handle"),
        Transition("confirm", (S.PROPOSED,), S.DECIDED, _l("Fastställ beslutet"),
                   "grants.confirm", style="primary"),
        Transition("return_proposal", (S.PROPOSED,), S.IN_REVIEW,
                   _l("Skicka tillbaka förslaget"), "grants.confirm", requires_note=True,
                   note_label=_l("Varför skickas förslaget tillbaka?")),
        Transition("withdraw", OPEN, S.WITHDRAWN, _l("Återkalla ansökan"), "grants.withdraw",
                   style="danger"),
    ])

# Actions with their own form on the case page (outcome, amount, reasons).
DECISION_ACTIONS = frozenset({"decide", "propose"})
