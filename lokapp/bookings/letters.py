"""The booking decision letters' data, registered with the letters module.

Three kinds (:mod:`lokapp.letters.kinds`): a booking request approved or rejected (the case's
decided state says which), and booked times cancelled by the city – an officer with a reason,
or an administrator's blackout. A cancellation leaves the case *approved*; it is recorded as a
history row ``approved --cancel--> approved`` with the reason as its note
(:func:`lokapp.bookings.services.cancel`), so each cancellation is its own decision with its
own letter, and the occurrences it cancelled are those whose ``cancelled_at`` is the row's
time. A request still awaiting a decision whose every time the city cancels is closed as
rejected (``close``): a rejection letter listing the cancelled times, with the reason.

The letter's decision lines (``changes``) are the times concerned, one per occurrence; the
reasons of a rejection or cancellation go under Skäl för beslutet. Booking decisions are
municipal decisions under no special law, so they are appealed by laglighetsprövning
(kommunallagen 13 kap.); ``LETTER_APPEAL_ROUTES["booking"]`` may say otherwise.
"""
from __future__ import annotations

from typing import Any

from babel.dates import format_date
from sqlalchemy import select

from lokapp.bookings.models import BookingOccurrence, BookingSeries, OccurrenceState
from lokapp.bookings.workflow import BOOKING, BookingCaseState
from lokapp.core.time import to_local
from lokapp.extensions import db

CANCEL_ACTION = "cancel"
CLOSE_ACTION = "close"  # a request whose times the city cancelled: a rejection


def _series(case: Any) -> BookingSeries | None:
    return db.session.scalar(select(BookingSeries).where(BookingSeries.case_id == case.id))


def _occurrences(series: BookingSeries) -> list[BookingOccurrence]:
    """The times of the case: its series' and those of the series split off from it."""
    ids, new = {series.id}, {series.id}
    while new:
        new = set(db.session.scalars(select(BookingSeries.id).where(
            BookingSeries.split_from_id.in_(new)))) - ids
        ids |= new
    return list(db.session.scalars(select(BookingOccurrence).where(
        BookingOccurrence.series_id.in_(ids)).order_by(BookingOccurrence.starts_at)))


def time_line(occurrence: BookingOccurrence, language: str = "sv") -> str:
    start, end = to_local(occurrence.starts_at), to_local(occurrence.ends_at)
    return f"{format_date(start.date(), 'EEEE d MMMM y', locale=language)} " \
           f"{start:%H:%M}–{end:%H:%M}"


def kind_for(case: Any):
    """Approved, rejected, or – when the latest decision row is a cancellation – cancelled."""
    from lokapp.letters.context import decision_row
    from lokapp.letters.models import LetterKind

    if case.state == BookingCaseState.REJECTED:
        return LetterKind.BOOKING_REJECTED
    if case.state != BookingCaseState.APPROVED:
        return None
    row = decision_row(case)
    if row is not None and row.action == CANCEL_ACTION:
        return LetterKind.BOOKING_CANCELLED
    return LetterKind.BOOKING_APPROVED


def letter_extras(case: Any) -> dict[str, Any]:
    from lokapp.letters.context import decision_row, long_date
    from lokapp.letters.kinds import spec_for

    series, row, kind = _series(case), decision_row(case), kind_for(case)
    if series is None or row is None or kind is None:
        return {}
    occurrences = _occurrences(series)
    if row.action in (CANCEL_ACTION, CLOSE_ACTION):
        concerned = [o for o in occurrences if o.cancelled_at == row.occurred_at]
        if not concerned and row.action == CLOSE_ACTION:  # closed by hand, later
            concerned = [o for o in occurrences if o.state == OccurrenceState.CANCELLED]
    elif case.state == BookingCaseState.REJECTED:
        concerned = [o for o in occurrences if o.state == OccurrenceState.REJECTED]
    else:
        concerned = [o for o in occurrences if o.state == OccurrenceState.CONFIRMED]
    note = (row.note or "").strip()
    against = spec_for(kind).requires_reasons
    decided_on = to_local(row.occurred_at).date()
    return {
        "changes": [{"label": o.series.premises.name, "old": "", "new": time_line(o)}
                    for o in concerned],
        "decision": {"date": long_date(decided_on, "sv"), "iso_date": decided_on.isoformat(),
                     "reasons": note if against else "", "note": "" if against else note},
    }


def _case_url(case: Any) -> str:
    from lokapp.auth.services import absolute_url

    series_id = db.session.scalar(select(BookingSeries.id).where(
        BookingSeries.case_id == case.id))
    return absolute_url("bookings.series", series_id=series_id)


def register() -> None:
    from lokapp.auth.models import StaffArea
    from lokapp.letters.models import LetterKind
    from lokapp.letters.services import register_case_type

    register_case_type(
        BOOKING, extras=letter_extras, case_url=_case_url, kind_for=kind_for,
        kinds_by_state={BookingCaseState.APPROVED.value: LetterKind.BOOKING_APPROVED,
                        BookingCaseState.REJECTED.value: LetterKind.BOOKING_REJECTED},
        appeal="laglighetsprovning",
        delegation="kultur-, idrotts- och fritidsnämndens delegationsordning, avsnitt "
                   "Lokaler, punkt 1 (bokning och avbokning av nämndens lokaler)",
        rules=["Västerås stads regler och taxor för uthyrning av lokaler"],
        staff_area=StaffArea.BOOKINGS.value)
