"""The grant application's states and transitions – the whole graph on one screen::

    draft --submit--> submitted --assign--> in_review --request_completion--> needs_completion
    needs_completion --submit--> submitted
    in_review --decide--> decided                 (within the officer's delegation)
    in_review --propose--> proposed --confirm--> decided     (four-eyes, a second officer)
    proposed --return_proposal--> in_review       (the second officer sends it back, with a note)
    submitted|in_review|needs_completion|proposed --withdraw--> withdrawn

    decided --require_report--> follow_up_due     (the system, with a granted decision on a
                                                  programme that asks for a report)
    follow_up_due --submit_report--> follow_up_submitted --accept_report--> closed
    follow_up_submitted --request_report_completion--> follow_up_due   (message + new deadline)
    follow_up_due|follow_up_submitted --open_recovery--> recovery      (återkrav, a letter)

Whether an officer decides or proposes follows from the amount and the officer's delegation;
:func:`lokapp.grants.services.decide` picks the row. The outcome (approve, approve in part,
reject), amount and reasons live on the application; letters, mail and the budget pot are
the services' side effects. ``decided`` stays the decision state (``decided_at`` is the
grant decision's time, also for the median handling time); a decision without a report to
give stays there (final). With a report to give the case stays open (follow_up_due,
follow_up_submitted) until the report is accepted (closed) or the grant is recovered
(recovery) – both final. The follow-up's services live in :mod:`lokapp.grants.follow_up`.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lokapp.core.types import RichStrEnum
from lokapp.core.workflow import Transition, Workflow, system_only

GRANT_APPLICATION = "grant_application"


class State(RichStrEnum):
    DRAFT = "draft", _l("Utkast"), "neutral"
    SUBMITTED = "submitted", _l("Inkommen"), "info"
    IN_REVIEW = "in_review", _l("Handläggs"), "info"
    NEEDS_COMPLETION = "needs_completion", _l("Komplettering begärd"), "warning"
    PROPOSED = "proposed", _l("Förslag till beslut"), "info"
    DECIDED = "decided", _l("Beslutad"), "success"
    WITHDRAWN = "withdrawn", _l("Återkallad"), "neutral"
    FOLLOW_UP_DUE = "follow_up_due", _l("Redovisning ska lämnas"), "warning"
    FOLLOW_UP_SUBMITTED = "follow_up_submitted", _l("Redovisning inkommen"), "info"
    CLOSED = "closed", _l("Avslutad"), "neutral"
    RECOVERY = "recovery", _l("Återkrav"), "danger"


S = State
OPEN = (S.SUBMITTED, S.IN_REVIEW, S.NEEDS_COMPLETION, S.PROPOSED)
# Every state after a decision (the grant decision stands in all of them).
DECIDED_STATES = (S.DECIDED, S.FOLLOW_UP_DUE, S.FOLLOW_UP_SUBMITTED, S.CLOSED, S.RECOVERY)
FOLLOW_UP_STATES = (S.FOLLOW_UP_DUE, S.FOLLOW_UP_SUBMITTED, S.CLOSED, S.RECOVERY)

WORKFLOW = Workflow(
    GRANT_APPLICATION, S, initial=S.DRAFT, label=_l("Bidragsansökan"),
    decision_states={S.DECIDED},
    final_states={S.DECIDED, S.WITHDRAWN, S.CLOSED, S.RECOVERY},
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
        # The follow-up report (redovisning).
        Transition("require_report", (S.DECIDED,), S.FOLLOW_UP_DUE,
                   _l("Begär redovisning"), system_only),
        Transition("submit_report", (S.FOLLOW_UP_DUE,), S.FOLLOW_UP_SUBMITTED,
                   _l("Skicka in redovisningen"), "grants.report", style="primary"),
        Transition("accept_report", (S.FOLLOW_UP_SUBMITTED,), S.CLOSED,
                   _l("Godkänn redovisningen"), "grants.handle", style="primary"),
        Transition("request_report_completion", (S.FOLLOW_UP_SUBMITTED,), S.FOLLOW_UP_DUE,
                   _l("Begär komplettering av redovisningen"), "grants.handle",
                   requires_note=True, note_label=_l("Vad behöver kompletteras?")),
        Transition("open_recovery", (S.FOLLOW_UP_DUE, S.FOLLOW_UP_SUBMITTED), S.RECOVERY,
                   _l("Besluta om återkrav"), "grants.handle", requires_note=True,
                   note_label=_l("Skäl för återkravet"), style="danger"),
    ])

# Actions with their own form on the case page (outcome, amount, reasons).
DECISION_ACTIONS = frozenset({"decide", "propose"})
# Follow-up actions with their own forms (lokapp.grants.follow_up).
FOLLOW_UP_ACTIONS = frozenset({"submit_report", "accept_report", "request_report_completion",
                               "open_recovery"})
