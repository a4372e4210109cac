"""An administrator confirms a blackout while someone books a time inside it: the premises row
lock makes one wait for the other, so the booking never lands in the blackout unseen (a
blackout and an occurrence are different rows; the exclusion constraint cannot see them
cross). Real commits in threads."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lokapp.auth.models import User
from lokapp.bookings import services
from lokapp.bookings.models import Blackout, BookingOccurrence, Premises
from lokapp.extensions import db as _db
from tests.bookings.helpers import accepted, build_premises, next_weekday, request_for
from tests.bookings.race import race
from tests.factories import new_user


@pytest.mark.slow
def test_a_booking_made_while_a_blackout_is_confirmed_is_not_left_inside_it(app, committing_db,
                                                                           monkeypatch):
    with app.test_request_context():
        premises = build_premises(is_closed_on_holidays=False)
        ids = {"premises": premises.id, "admin": new_user("admin").id,
               "resident": new_user().id}
        _db.session.commit()
    _db.session.remove()
    day = next_weekday(1, weeks_ahead=3)

    def close():
        services.add_blackout(_db.session.get(Premises, ids["premises"]),
                              day - timedelta(days=1), day + timedelta(days=1), "Vattenskada",
                              _db.session.get(User, ids["admin"]), cancel_ids=frozenset())

    def book():
        place = _db.session.get(Premises, ids["premises"])
        services.create_booking(place, request_for(_db.session.get(User, ids["resident"]), day),
                                accepted_terms=accepted(place))

    outcome = race(app, monkeypatch, (services, "blackout_affected"), close, book)

    assert outcome == ("saved", "refused")
    assert _db.session.scalar(select(Blackout.id)) is not None
    assert _db.session.scalar(select(BookingOccurrence.id)) is None
