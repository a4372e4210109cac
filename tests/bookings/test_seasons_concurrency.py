"""Two officers publish the same round at the same moment: every allocation becomes one
series and every application gets one letter – the round row lock makes the second wait and
then find the round published. Real commits and real HTTP requests in threads."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from lokapp.bookings import seasons
from lokapp.bookings.models import BookingSeries
from lokapp.bookings.season_models import RoundState, SeasonRound
from lokapp.extensions import db as _db
from lokapp.letters.models import Letter
from tests.bookings.helpers import add_member, build_premises
from tests.bookings.season_helpers import apply, close_window, make_round, wish
from tests.concurrency import run_at_once
from tests.factories import new_association, new_user


@pytest.mark.slow
def test_two_officers_publishing_at_once_create_everything_once(app, committing_db):
    with app.test_request_context():
        hall = build_premises(name="Bäckby idrottshall")
        season_round = make_round([hall], keys=["youth"])
        for n, (youth, adults) in enumerate(((10, 0), (5, 5), (0, 10))):
            manager = new_user()
            association = new_association(f"Samtidiga föreningen {n}")
            add_member(manager, association, "booking_manager")
            apply(season_round, association, manager,
                  wish(1, 18 + n, 20 + n, hall, youth=youth, adults=adults))
        officers = [new_user("officer", areas=("bookings",)) for _n in range(2)]
        seasons.auto_allocate(season_round, officers[0])
        close_window(season_round, closes=date(2026, 1, 31), starts=date(2027, 2, 1),
                     ends=date(2027, 3, 31))
        _db.session.commit()
        round_id, logins = season_round.id, [o.get_id() for o in officers]
    _db.session.remove()

    def publish(index: int, start) -> int:
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = logins[index]
            session["_fresh"] = True
        start()
        return client.post(f"/lokalbokning/sasong/{round_id}/publicera").status_code

    results = run_at_once(2, publish)
    assert results == [302, 302]

    assert _db.session.get(SeasonRound, round_id).state == RoundState.PUBLISHED
    # Tuesdays 18–20 and 20–22 allocated (19–21 overlaps both): two series, three letters.
    assert _db.session.scalar(select(func.count(BookingSeries.id))) == 2
    assert _db.session.scalar(select(func.count(Letter.id))) == 3
