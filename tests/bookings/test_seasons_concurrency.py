"""Two officers publish the same round at the same moment: every allocation becomes one
series and every application gets one letter – the round row lock makes the second wait and
then find the round published. Real commits and real HTTP requests in threads."""
from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from lokapp.associations.models import Association, Category, LegalForm, RegisterState
from lokapp.auth.models import StaffArea, User, UserArea, UserRole
from lokapp.bookings import seasons
from lokapp.bookings.models import BookingSeries
from lokapp.bookings.season_models import RoundState, SeasonRound
from lokapp.core.time import utcnow
from lokapp.extensions import db as _db
from lokapp.letters.models import Letter
from tests.bookings.helpers import add_member, build_premises
from tests.bookings.season_helpers import apply, close_window, make_round, wish
from tests.factories import _valid_orgnr


def _user(email: str, role: str | None = None) -> User:
    user = User(email=email, name=email.split("@")[0], password_hash="x",
                email_verified_at=utcnow())
    if role:
        user.roles.append(UserRole(role=role))
        user.areas.append(UserArea(area=StaffArea.BOOKINGS))
    _db.session.add(user)
    _db.session.flush()
    return user


@pytest.mark.slow
def test_two_officers_publishing_at_once_create_everything_once(app, committing_db):
    with app.test_request_context():
        hall = build_premises(name="Bäckby idrottshall")
        season_round = make_round([hall], keys=["youth"])
        category = _db.session.scalars(select(Category).order_by(Category.sort_order)).first()
        for n, (youth, adults) in enumerate(((10, 0), (5, 5), (0, 10))):
            manager = _user(f"samtidig-forening{n}@example.se")
            association = Association(
                name=f"Samtidiga föreningen {n}", orgnr=_valid_orgnr(900 + n),
                legal_form=LegalForm.NONPROFIT, category=category, description="Förening.",
                register_state=RegisterState.REGISTERED, registered_at=utcnow())
            _db.session.add(association)
            _db.session.flush()
            add_member(manager, association, "booking_manager")
            apply(season_round, association, manager,
                  wish(1, 18 + n, 20 + n, hall, youth=youth, adults=adults))
        officers = [_user(f"samtidig-handlaggare{n}@example.se", "officer") for n in range(2)]
        seasons.auto_allocate(season_round, officers[0])
        close_window(season_round, closes=date(2026, 1, 31), starts=date(2027, 2, 1),
                     ends=date(2027, 3, 31))
        _db.session.commit()
        round_id, logins = season_round.id, [o.get_id() for o in officers]
    _db.session.remove()

    barrier = threading.Barrier(2)
    results: list = [None, None]

    def publish(index: int) -> None:
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = logins[index]
            session["_fresh"] = True
        barrier.wait(timeout=60)
        response = client.post(f"/lokalbokning/sasong/{round_id}/publicera")
        results[index] = response.status_code

    threads = [threading.Thread(target=publish, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=240)
    assert results == [302, 302]

    assert _db.session.get(SeasonRound, round_id).state == RoundState.PUBLISHED
    # Tuesdays 18–20 and 20–22 allocated (19–21 overlaps both): two series, three letters.
    assert _db.session.scalar(select(func.count(BookingSeries.id))) == 2
    assert _db.session.scalar(select(func.count(Letter.id))) == 3
