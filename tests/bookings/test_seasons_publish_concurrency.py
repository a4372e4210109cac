"""Publishing a round while someone books one of its allocated times: the premises row lock
makes the booking wait for the batch, which then books the season and refuses the booking
(it used to fail the whole batch on the exclusion constraint). Real commits in threads."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from lokapp.auth.models import User
from lokapp.bookings import seasons, services
from lokapp.bookings.models import BookingSeries, Premises
from lokapp.bookings.season_models import RoundState, SeasonRound
from lokapp.extensions import db as _db
from tests.bookings.helpers import accepted, add_member, build_premises, request_for
from tests.bookings.race import race
from tests.bookings.season_helpers import apply, close_window, make_round, wish
from tests.factories import new_association, new_user


@pytest.mark.slow
def test_a_booking_made_while_the_round_publishes_waits_for_it(app, committing_db,
                                                               monkeypatch):
    with app.test_request_context():
        hall = build_premises(name="Bäckby idrottshall", is_closed_on_holidays=False,
                              max_days_ahead=400)
        season_round = make_round([hall], keys=["youth"])
        manager = new_user()
        association = new_association("Publicerande föreningen")
        add_member(manager, association, "booking_manager")
        apply(season_round, association, manager, wish(1, 18, 20, hall, youth=10, adults=0))
        officer = new_user("officer", areas=("bookings",))
        seasons.auto_allocate(season_round, officer)
        close_window(season_round, closes=date(2026, 1, 31), starts=date(2027, 2, 1),
                     ends=date(2027, 3, 31))
        _db.session.commit()
        ids = {"round": season_round.id, "officer": officer.id, "hall": hall.id,
               "resident": new_user().id}
        _db.session.commit()
    _db.session.remove()

    def publish():
        seasons.publish_round(_db.session.get(SeasonRound, ids["round"]),
                              _db.session.get(User, ids["officer"]))

    def book():
        hall = _db.session.get(Premises, ids["hall"])
        services.create_booking(
            hall, request_for(_db.session.get(User, ids["resident"]), date(2027, 2, 9)),
            accepted_terms=accepted(hall))

    outcome = race(app, monkeypatch, (seasons, "season_dates"), publish, book)

    assert outcome == ("saved", "refused")
    assert _db.session.get(SeasonRound, ids["round"]).state == RoundState.PUBLISHED
    assert _db.session.scalar(select(func.count(BookingSeries.id))) == 1
