"""The ``booking`` case type: a booking request that needs an officer's approval.

Premises whose rules say "approval" (``requires_approval``) turn each booking series into a
case; the occurrences wait in the state *requested* (and already hold their time, so nobody
else can take it meanwhile)::

    draft --submit--> submitted --approve--> approved        (occurrences confirmed, mail + .ics)
    submitted --reject--> rejected                          (reasons mandatory; occurrences rejected)
    submitted --withdraw--> withdrawn                       (by the booker; occurrences cancelled)

Instant bookings have no case. Cancelling an occurrence later is not a case transition: it is
recorded on the occurrence and in the audit log (:func:`lokapp.bookings.services.cancel`).
When the city cancels times of an *approved* request (an officer with reasons, or a blackout),
that is a decision of its own: a history row ``approved --cancel--> approved`` with the
reasons, and a cancellation letter (:mod:`lokapp.bookings.letters`); the state stays.
The side effects live in :mod:`lokapp.bookings.services`, which calls
:func:`lokapp.core.workflow.apply`.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

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

BOOKING_WORKFLOW = Workflow(
    BOOKING, S, initial=S.DRAFT, label=_l("Bokning av lokal"),
    decision_states={S.APPROVED, S.REJECTED},
    final_states={S.APPROVED, S.REJECTED, S.WITHDRAWN},
    transitions=[
        Transition("submit", (S.DRAFT,), S.SUBMITTED, _l("Skicka bokningsförfrågan"),
                   "bookings.submit", is_submit=True, style="primary"),
        Transition("approve", (S.SUBMITTED,), S.APPROVED, _l("Godkänn bokningen"),
                   "bookings.handle", style="primary"),
        Transition("reject", (S.SUBMITTED,), S.REJECTED, _l("Avslå bokningen"),
                   "bookings.handle", requires_note=True, note_label=_l("Motivering"),
                   style="danger"),
        Transition("withdraw", (S.SUBMITTED,), S.WITHDRAWN, _l("Återkalla förfrågan"),
                   "bookings.withdraw", style="danger"),
    ])

OFFICER_ACTIONS = frozenset({"approve", "reject"})
BOOKER_ACTIONS = frozenset({"withdraw"})
