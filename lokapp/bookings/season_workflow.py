"""The ``season_application`` case type: an association's application in an allocation round.

The whole graph::

    draft --submit--> submitted --decide--> decided     (the round is published: letter + series)
    submitted --withdraw--> withdrawn                   (the association, while the window is open)

An application is opened and sent in with its first wish (it gets its case number then) and
can be edited until the application window closes. Publishing the round decides every
submitted application at once (:func:`lokapp.bookings.seasons.publish_round`); the outcome
(allocated, partly, not allocated) lives on the application.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lokapp.core.types import RichStrEnum
from lokapp.core.workflow import Transition, Workflow

SEASON_APPLICATION = "season_application"


class SeasonCaseState(RichStrEnum):
    DRAFT = "draft", _l("Utkast"), "neutral"
    SUBMITTED = "submitted", _l("Inkommen"), "info"
    DECIDED = "decided", _l("Beslutad"), "success"
    WITHDRAWN = "withdrawn", _l("Återkallad"), "neutral"


S = SeasonCaseState

SEASON_WORKFLOW = Workflow(
    SEASON_APPLICATION, S, initial=S.DRAFT, label=_l("Ansökan i säsongsbokning"),
    decision_states={S.DECIDED}, final_states={S.DECIDED, S.WITHDRAWN},
    transitions=[
        Transition("submit", (S.DRAFT,), S.SUBMITTED, _l("Skicka in ansökan"),
                   "bookings.season_apply_case", is_submit=True, style="primary"),
        Transition("decide", (S.SUBMITTED,), S.DECIDED, _l("Publicera resultatet"),
                   "bookings.season_decide", style="primary"),
        Transition("withdraw", (S.SUBMITTED,), S.WITHDRAWN, _l("Återkalla ansökan"),
                   "bookings.season_apply_case", style="danger"),
    ])
