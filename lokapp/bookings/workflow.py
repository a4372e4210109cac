"""The ``booking`` case type: a booking request that needs an officer's approval.

Premises whose rules say "approval" (``requires_approval``) turn each booking series into a
case; the occurrences wait in the state *requested* (and already hold their time, so nobody
else can take it meanwhile)::

    draft --submit--> submitted --approve--> approved        (occurrences confirmed, mail + .ics)
    submitted --reject--> rejected                          (reasons mandatory; occurrences rejected)
    submitted --withdraw--> withdrawn                       (by the booker; occurrences cancelled)

    submitted --close--> rejected                           (the city cancelled every time)

Instant bookings have no case. Cancelling an occurrence later is not a case transition: it is
recorded on the occurrence and in the audit log (:func:`lokapp.bookings.services.cancel`).
When the city cancels times of an *approved* request (an officer with reasons, or a blackout),
that is a decision of its own: a history row ``approved --cancel--> approved`` with the
reasons, and a cancellation letter (:mod:`lokapp.bookings.letters`); the state stays.
When the city cancels the last times of a request still *submitted*, nothing is left to
decide: the request is closed as rejected (``close``, the cancellation's reason as the
note), so the booker gets a rejection letter with the reasons and appeal instructions. The
same button closes, by hand, a request whose times were all cancelled before this rule.
The side effects live in :mod:`lokapp.bookings.services`, which calls
:func:`lokapp.core.workflow.apply`.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lokapp.core.permissions import Decision
from lokapp.core.types import RichStrEnum
from lokapp.core.workflow import Transition, Workflow

BOOKING = "booking"


class BookingCaseState(RichStrEnum):
    DRAFT = "draft", _l("Utkast"), "neutral"
    SUBMITTED = "submitted", _l("Väntar på beslut"), "info"
    APPROVED = "approved", _l("Godkänd"), "success"
    REJECTED = "rejected", _l("Avslagen"), "danger"
    WITHDRAWN = "withdrawn", _l("Återkallad"), "neutral"


S = BookingCaseState


def _waiting(case) -> bool:
    """Whether a time of the request still waits for a decision (state *requested*)."""
    from sqlalchemy import select

    from lokapp.bookings.models import BookingOccurrence, BookingSeries, OccurrenceState
    from lokapp.extensions import db

    return db.session.scalar(
        select(BookingOccurrence.id).join(BookingSeries)
        .where(BookingSeries.case_id == case.id,
               BookingOccurrence.state == OccurrenceState.REQUESTED).limit(1)) is not None


def something_requested(case) -> Decision:
    """Guard of ``approve`` and ``reject``: there is a time left to decide on."""
    if not _waiting(case):
        return Decision(False, _l("Alla tider i förfrågan är avbokade. Avsluta förfrågan i "
                                  "stället."))
    return Decision(True)


def nothing_requested(case) -> Decision:
    """Guard of ``close``: no time of the request still waits for a decision."""
    if _waiting(case):
        return Decision(False, _l("Förfrågan har tider som väntar på beslut. Godkänn eller "
                                  "avslå den."))
    return Decision(True)


BOOKING_WORKFLOW = Workflow(
    BOOKING, S, initial=S.DRAFT, label=_l("Bokning av lokal"),
    decision_states={S.APPROVED, S.REJECTED},
    final_states={S.APPROVED, S.REJECTED, S.WITHDRAWN},
    transitions=[
        Transition("submit", (S.DRAFT,), S.SUBMITTED, _l("Skicka bokningsförfrågan"),
                   "bookings.submit", is_submit=True, style="primary"),
        Transition("approve", (S.SUBMITTED,), S.APPROVED, _l("Godkänn bokningen"),
                   "bookings.handle", guard=something_requested, style="primary"),
        Transition("reject", (S.SUBMITTED,), S.REJECTED, _l("Avslå bokningen"),
                   "bookings.handle", guard=something_requested, requires_note=True,
                   note_label=_l("Motivering"), style="danger"),
        Transition("withdraw", (S.SUBMITTED,), S.WITHDRAWN, _l("Återkalla förfrågan"),
                   "bookings.withdraw", style="danger"),
        Transition("close", (S.SUBMITTED,), S.REJECTED,
                   _l("Avsluta förfrågan – alla tider är avbokade"), "bookings.close",
                   guard=nothing_requested, requires_note=True, note_label=_l("Motivering"),
                   style="danger"),
    ])

OFFICER_ACTIONS = frozenset({"approve", "reject", "close"})
BOOKER_ACTIONS = frozenset({"withdraw"})
