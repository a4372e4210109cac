"""Helpers for the booking tests: a premises with hours and tariffs, requests, dates."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from lokapp.auth.models import AssociationMember, AssociationMemberRole, AssociationRole
from lokapp.bookings.models import (
    BookerType,
    OpeningHours,
    Premises,
    PremisesType,
    Tariff,
)
from lokapp.bookings.services import Booker, BookingRequest, terms_checksum
from lokapp.core.time import today_local
from lokapp.extensions import db

TERMS = "Lämna lokalen städad. Larmet ska vara på när ni går."


def build_premises(**overrides) -> Premises:
    """A published meeting room open every day 08:00–22:00, association and resident tariffs."""
    hours = overrides.pop("hours", {d: (8 * 60, 22 * 60) for d in range(7)})
    tariffs = overrides.pop("tariffs", {BookerType.ASSOCIATION: (10000, 15000),
                                        BookerType.RESIDENT: (20000, 30000),
                                        BookerType.COMMERCIAL: (40000, 60000)})
    values = dict(name="Möteslokal Bäckby", premises_type=PremisesType.MEETING_ROOM,
                  street_address="Bäckby torg 1", postal_code="72470", city="Västerås",
                  capacity=30, area_m2=60, is_published=True, bookable_by_associations=True,
                  bookable_by_residents=True, min_minutes=60, max_minutes=240, slot_minutes=30,
                  max_days_ahead=400, cancel_hours_before=48, requires_approval=False,
                  peak_start_minute=17 * 60, peak_end_minute=22 * 60, is_weekend_peak=True,
                  terms=TERMS, access_instructions="Nyckeln hämtas i receptionen. Kod 4711.")
    values.update(overrides)
    premises = Premises(**values)
    for weekday, (opens, closes) in hours.items():
        premises.opening_hours.append(OpeningHours(weekday=weekday, opens_minute=opens,
                                                   closes_minute=closes))
    for booker_type, (off, peak) in tariffs.items():
        premises.tariffs.append(Tariff(booker_type=booker_type, off_peak_ore_per_hour=off,
                                       peak_ore_per_hour=peak))
    db.session.add(premises)
    db.session.flush()
    return premises


def add_member(user, association, *roles: str) -> AssociationMember:
    member = AssociationMember(user_id=user.id, association_id=association.id)
    for role in roles:
        member.roles.append(AssociationMemberRole(role=AssociationRole(role)))
    db.session.add(member)
    db.session.flush()
    return member


def next_weekday(weekday: int, weeks_ahead: int = 1) -> date:
    """A date on ``weekday`` (0 = Monday) at least ``weeks_ahead`` weeks from today."""
    start = today_local() + timedelta(weeks=weeks_ahead)
    return start + timedelta(days=(weekday - start.weekday()) % 7)


def request_for(user, day: date, start: str = "18:00", end: str = "20:00", *,
                booker_type=BookerType.RESIDENT, association=None, **kwargs) -> BookingRequest:
    from lokapp.bookings.rules import parse_clock

    return BookingRequest(booker=Booker(user, booker_type, association),
                          activity=kwargs.pop("activity", "Styrelsemöte"),
                          attendees=kwargs.pop("attendees", 10), first_date=day,
                          start_minute=parse_clock(start, allow_midnight_end=False),
                          end_minute=parse_clock(end, allow_midnight_end=True), **kwargs)


def accepted(premises) -> str:
    return terms_checksum(premises.terms)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)
