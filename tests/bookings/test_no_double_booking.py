"""No double booking, guaranteed by the database: 50 concurrent requests for one slot.

Each thread is a real HTTP request through the booking view, with its own app context and
session (the test client runs every request in a fresh context) and real commits
(``committing_db``). On SQLite the check-and-insert is serialised by ``BEGIN IMMEDIATE``; on
PostgreSQL concurrent inserts that pass the check are refused by the exclusion constraint,
which the service turns into the same message.
"""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lokapp.auth.models import User
from lokapp.bookings import services
from lokapp.bookings.models import BookingOccurrence, BookingSeries, OccurrenceState
from lokapp.bookings.rules import interval
from lokapp.core.time import utcnow
from lokapp.extensions import db as _db
from tests.bookings.helpers import accepted, build_premises, next_weekday, request_for

THREADS = 50


@pytest.mark.slow
def test_fifty_concurrent_requests_for_one_slot_give_exactly_one_booking(app, committing_db):
    premises = build_premises()
    users = [User(email=f"samtidig{n}@example.se", name=f"Samtidig {n}", password_hash="x",
                  email_verified_at=utcnow()) for n in range(THREADS)]
    _db.session.add_all(users)
    _db.session.commit()
    premises_id, checksum = premises.id, accepted(premises)
    logins = [user.get_id() for user in users]
    day = next_weekday(1).isoformat()
    form = {"booker": "private", "activity": "Möte", "attendees": "5", "day": day,
            "start": "18:00", "end": "20:00", "recurrence": "single", "accept_terms": "y",
            "terms_checksum": checksum}
    _db.session.remove()

    barrier = threading.Barrier(THREADS)
    results: list[tuple[int, str]] = [None] * THREADS  # type: ignore[list-item]

    def attempt(index: int) -> None:
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = logins[index]
            session["_fresh"] = True
        barrier.wait(timeout=60)
        response = client.post(f"/lokaler/{premises_id}/boka/bekrafta", data=form)
        results[index] = (response.status_code, response.get_data(as_text=True))

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=240)
    assert all(r is not None for r in results), "a request did not finish"

    statuses = sorted(status for status, _body in results)
    assert statuses.count(302) == 1, statuses
    refused = [body for status, body in results if status != 302]
    assert len(refused) == THREADS - 1
    assert all(status == 409 for status, _body in results if status != 302)
    assert all("Tiden är redan bokad" in body for body in refused)

    active = _db.session.scalar(select(func.count(BookingOccurrence.id)).where(
        BookingOccurrence.premises_id == premises_id,
        BookingOccurrence.state.in_(["requested", "confirmed"])))
    assert active == 1
    assert _db.session.scalar(select(func.count(BookingSeries.id))) == 1


def test_the_database_refuses_an_overlap_the_service_did_not_see(app, db, make_premises,
                                                                 make_user, is_postgresql,
                                                                 monkeypatch):
    """PostgreSQL: the exclusion constraint is the last line of defence, and its refusal
    reads like the check's. (SQLite has no such constraint; there the write lock does it.)"""
    if not is_postgresql:
        pytest.skip("the exclusion constraint exists on PostgreSQL only")
    premises = make_premises()
    day = next_weekday(1)
    with app.test_request_context():
        services.create_booking(premises, request_for(make_user(), day),
                                accepted_terms=accepted(premises))
        # A raw overlapping insert is refused by the database itself …
        series = db.session.scalars(select(BookingSeries)).first()
        starts_at, ends_at = interval(day, 19 * 60, 21 * 60)
        with pytest.raises(IntegrityError, match="ex_booking_occurrences_no_overlap"), \
                db.session.begin_nested():
            db.session.add(BookingOccurrence(series=series, premises_id=premises.id,
                                             starts_at=starts_at, ends_at=ends_at,
                                             state=OccurrenceState.REQUESTED, price_ore=0))
            db.session.flush()
        # … a cancelled occurrence does not count …
        with db.session.begin_nested():
            db.session.add(BookingOccurrence(series=series, premises_id=premises.id,
                                             starts_at=starts_at, ends_at=ends_at,
                                             state=OccurrenceState.CANCELLED, price_ore=0))
            db.session.flush()
        # … and when the service's own check is blind (a concurrent insert it could not see),
        # the constraint's error becomes the same Swedish message.
        monkeypatch.setattr(services, "active_overlapping",
                            lambda *a, **k: select(BookingOccurrence).where(False))
        with pytest.raises(services.BookingConflict) as caught:
            services.create_booking(premises, request_for(make_user(), day, "19:00", "21:00"),
                                    accepted_terms=accepted(premises))
        assert "Tiden är redan bokad" in caught.value.message
        # The transaction is still usable after the refused savepoint.
        assert db.session.scalar(select(func.count(BookingOccurrence.id))) >= 1


def test_back_to_back_occurrences_do_not_collide_in_the_database(app, db, make_premises,
                                                                 make_user):
    premises = make_premises()
    day = next_weekday(1) + timedelta(days=7)
    with app.test_request_context():
        for start, end in (("16:00", "18:00"), ("18:00", "20:00"), ("20:00", "22:00")):
            services.create_booking(premises, request_for(make_user(), day, start, end),
                                    accepted_terms=accepted(premises))
    assert db.session.scalar(select(func.count(BookingOccurrence.id)).where(
        BookingOccurrence.premises_id == premises.id)) == 3
