"""Read-only queries for the booking pages; they return ``select()`` so views can paginate."""
from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from lokapp.associations.models import Association
from lokapp.auth.models import User
from lokapp.bookings.models import BookingOccurrence, BookingSeries, Premises
from lokapp.bookings.permissions import booking_associations_query
from lokapp.bookings.workflow import BOOKING, BookingCaseState
from lokapp.core.cases import Case


def catalogue():
    """All premises for the administrators' list, by name."""
    return select(Premises).order_by(Premises.name, Premises.id)


def series_for_booker(user: User):
    """The series the user booked for themselves or that belong to an association the user
    manages bookings for, newest first, with their premises and occurrences."""
    managed = booking_associations_query(user.id).with_only_columns(Association.id).order_by(None)
    return (select(BookingSeries)
            .where(or_(BookingSeries.booked_by_id == user.id,
                       BookingSeries.association_id.in_(managed)))
            .options(selectinload(BookingSeries.occurrences),
                     selectinload(BookingSeries.premises),
                     selectinload(BookingSeries.association),
                     selectinload(BookingSeries.case))
            .order_by(BookingSeries.created_at.desc(), BookingSeries.id.desc()))


def queue(states: tuple[str, ...] = (BookingCaseState.SUBMITTED,)):
    """(Case, BookingSeries) rows of booking cases in ``states``, oldest first."""
    return (select(Case, BookingSeries)
            .join(BookingSeries, BookingSeries.case_id == Case.id)
            .where(Case.case_type == BOOKING, Case.state.in_([str(s) for s in states]))
            .options(selectinload(BookingSeries.premises),
                     selectinload(BookingSeries.association),
                     selectinload(BookingSeries.booked_by),
                     selectinload(BookingSeries.occurrences))
            .order_by(Case.submitted_at, Case.id))


def series_with_details(series_id: int):
    return (select(BookingSeries).where(BookingSeries.id == series_id)
            .options(selectinload(BookingSeries.occurrences).selectinload(
                BookingOccurrence.premises),
                     selectinload(BookingSeries.premises)))


def bookable_premises_names(current_id: int):
    """``(id, name)`` of the published premises and the current one, by name – the choices
    when a series moves to another premises."""
    return (select(Premises.id, Premises.name)
            .where(or_(Premises.is_published, Premises.id == current_id))
            .order_by(Premises.name, Premises.id))


def continuations(series_id: int):
    """The series split off from ``series_id`` ("this and following" changes), oldest first."""
    return (select(BookingSeries).where(BookingSeries.split_from_id == series_id)
            .order_by(BookingSeries.first_date, BookingSeries.id))
