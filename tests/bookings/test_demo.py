"""The demo's premises: published, bookable, with bookings made through the booking rules –
and idempotent (a second run creates and books nothing)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lokapp.associations import demo as association_demo
from lokapp.auth.demo import load_demo_users
from lokapp.bookings import demo
from lokapp.bookings.models import (
    BookerType,
    BookingOccurrence,
    BookingSeries,
    OccurrenceState,
    Premises,
)
from lokapp.extensions import db

pytestmark = pytest.mark.usefixtures("demo_password_hashed_once")


def _counts() -> tuple[int, int, int]:
    return (db.session.scalar(select(func.count()).select_from(Premises)),
            db.session.scalar(select(func.count()).select_from(BookingSeries)),
            db.session.scalar(select(func.count()).select_from(BookingOccurrence)))


def test_demo_premises_are_complete_and_booked_by_the_rules(app, db):
    with app.test_request_context():  # as `flask lok demo` runs: mail needs URLs
        load_demo_users()
        association_demo.load_demo_associations()
        lines = demo.load_demo_premises()
    db.session.flush()
    assert lines[0] == f"lokaler: {len(demo.DEMO_PREMISES)} skapade, 0 fanns redan"
    premises = db.session.scalars(select(Premises)).all()
    assert len(premises) == len(demo.DEMO_PREMISES) >= 8
    for room in premises:
        assert room.is_published and room.district_id is not None, room.name
        assert len(room.opening_hours) >= 5 and room.tariffs, room.name
    assert any(p.requires_approval for p in premises)
    assert any(not p.bookable_by_residents for p in premises)

    series = db.session.scalars(select(BookingSeries)).all()
    # The resident's single booking, the association's fortnightly series and the hall request.
    assert len(series) == 3, lines
    kinds = {s.booker_type for s in series}
    assert kinds == {BookerType.RESIDENT, BookerType.ASSOCIATION}
    occurrences = db.session.scalars(select(BookingOccurrence)).all()
    assert len(occurrences) >= 6
    states = {o.state for o in occurrences}
    assert OccurrenceState.CONFIRMED in states and OccurrenceState.REQUESTED in states

    before = _counts()
    with app.test_request_context():
        again = demo.load_demo_premises()
    assert again == [
        f"lokaler: 0 skapade, {len(demo.DEMO_PREMISES)} fanns redan"]
    assert _counts() == before
