""""This and following": the series is split – the old one ends before the chosen time, a new
one (same booker, linked to the old one and its case) holds the following times at the new
time or premises; conflicts are shown first and may be skipped; wall clock kept across DST."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from lokapp.bookings import services
from lokapp.bookings.models import (
    Blackout,
    BookerType,
    BookingSeries,
    OccurrenceState,
    Recurrence,
)
from lokapp.core.audit import AuditEvent
from lokapp.core.time import to_local
from lokapp.extensions import db
from tests.bookings.helpers import accepted, request_for, utc

NOW = utc(2027, 1, 1)


@pytest.fixture(autouse=True)
def _request_context(app, db):
    with app.test_request_context():
        yield


def _local(occurrence) -> str:
    return (f"{to_local(occurrence.starts_at):%Y-%m-%d %H:%M}–"
            f"{to_local(occurrence.ends_at):%H:%M}")


def _weekly(premises, user, first, weeks, start="18:00", end="20:00", **kwargs):
    return services.create_booking(
        premises, request_for(user, first, start, end, recurrence=Recurrence.WEEKLY,
                              until=first + timedelta(weeks=weeks - 1), **kwargs),
        accepted_terms=accepted(premises), now=NOW)


def test_split_across_the_october_change_keeps_the_wall_clock(make_premises, make_user):
    premises = make_premises()
    user = make_user()
    # Tuesdays 12 October – 9 November 2027; the clocks go back on Sunday 31 October.
    series = _weekly(premises, user, date(2027, 10, 12), 5)
    chosen = series.occurrences[2]  # 26 October, still summer time
    new = services.split_series(chosen, user, start_minute=17 * 60, end_minute=19 * 60, now=NOW)
    assert new is not series and new.split_from_id == series.id
    assert [_local(o) for o in series.occurrences] == [
        "2027-10-12 18:00–20:00", "2027-10-19 18:00–20:00"]
    assert (series.first_date, series.last_date) == (date(2027, 10, 12), date(2027, 10, 19))
    assert [_local(o) for o in new.occurrences] == [
        "2027-10-26 17:00–19:00", "2027-11-02 17:00–19:00", "2027-11-09 17:00–19:00"]
    # Same wall clock, different UTC offsets; real length two hours on both sides.
    assert [o.starts_at.hour for o in new.occurrences] == [15, 16, 16]
    assert {o.minutes for o in new.occurrences} == {120}
    assert (new.first_date, new.last_date) == (date(2027, 10, 26), date(2027, 11, 9))
    assert (new.start_minute, new.end_minute) == (17 * 60, 19 * 60)
    assert (new.booked_by_id, new.booker_type, new.activity, new.recurrence) == (
        user.id, series.booker_type, series.activity, Recurrence.WEEKLY)
    assert new.terms_checksum == series.terms_checksum
    # The moved rows are the same occurrences (stable ids, so calendars update them).
    assert chosen in new.occurrences and chosen.state == OccurrenceState.CONFIRMED
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "booking.split"))
    assert event.details["split_from"] == series.id and len(event.details["after"]) == 3


def test_split_to_another_premises_and_its_case_link(make_premises, make_user, booking_manager):
    hall = make_premises(requires_approval=True)
    other = make_premises(name="Samlingssal Råby", tariffs={
        BookerType.ASSOCIATION: (5000, 5000)})
    manager, association = booking_manager()
    officer = make_user("officer", areas=("bookings",))
    series = _weekly(hall, manager, date(2027, 2, 2), 4, booker_type=BookerType.ASSOCIATION,
                     association=association)
    services.decide(series, "approve", officer)
    with pytest.raises(services.BookingError, match="godkänns av en handläggare"):
        services.split_series(series.occurrences[1], manager, start_minute=18 * 60,
                              end_minute=20 * 60, premises=other, now=NOW)
    new = services.split_series(series.occurrences[1], officer, start_minute=18 * 60,
                                end_minute=20 * 60, premises=other, as_officer=True, now=NOW)
    assert new.premises_id == other.id and new.split_from.case is series.case
    assert new.case_id is None and new.association_id == association.id
    assert {o.premises_id for o in new.occurrences} == {other.id}
    assert {o.price_ore for o in new.occurrences} == {10000}  # the new premises' tariff
    assert len(series.occurrences) == 1 and series.occurrences[0].premises_id == hall.id
    # The old times are free again in the old premises.
    services.create_booking(hall, request_for(make_user(), date(2027, 2, 9)),
                            accepted_terms=accepted(hall), now=NOW)


def test_conflicts_are_shown_and_skipped_dates_keep_their_time(make_premises, make_user):
    premises = make_premises()
    user = make_user()
    series = _weekly(premises, user, date(2027, 2, 2), 4)
    services.create_booking(premises, request_for(make_user(), date(2027, 2, 16), "15:00",
                                                  "17:00"), accepted_terms=accepted(premises),
                            now=NOW)
    premises.blackouts.append(Blackout(starts_on=date(2027, 2, 23), ends_on=date(2027, 2, 23),
                                       reason="Städning"))
    chosen = series.occurrences[1]
    plan = services.plan_split(chosen, user, start_minute=16 * 60, end_minute=18 * 60, now=NOW)
    assert [(m.day, [p.code for p in m.problems]) for m in plan.moves] == [
        (date(2027, 2, 9), []), (date(2027, 2, 16), ["booked"]),
        (date(2027, 2, 23), ["blackout"])]
    with pytest.raises(services.BookingError) as caught:
        services.split_series(chosen, user, start_minute=16 * 60, end_minute=18 * 60, now=NOW)
    assert "redan bokad" in caught.value.message and "Städning" in caught.value.message
    assert len(series.occurrences) == 4  # nothing changed
    # Skipping only what was shown: a date that became a conflict since is refused.
    with pytest.raises(services.BookingError):
        services.split_series(chosen, user, start_minute=16 * 60, end_minute=18 * 60,
                              skip_conflicts=True, expected_conflicts=frozenset(
                                  {date(2027, 2, 16)}), now=NOW)
    new = services.split_series(chosen, user, start_minute=16 * 60, end_minute=18 * 60,
                                skip_conflicts=True, expected_conflicts=frozenset(
                                    {date(2027, 2, 16), date(2027, 2, 23)}), now=NOW)
    assert [_local(o) for o in new.occurrences] == ["2027-02-09 16:00–18:00"]
    assert [_local(o) for o in series.occurrences] == [
        "2027-02-02 18:00–20:00", "2027-02-16 18:00–20:00", "2027-02-23 18:00–20:00"]
    assert [o.is_exception for o in series.occurrences] == [False, True, True]
    assert series.last_date == date(2027, 2, 23)


def test_from_the_first_time_the_series_itself_changes(make_premises, make_user):
    premises = make_premises()
    user = make_user()
    series = _weekly(premises, user, date(2027, 2, 2), 3)
    services.cancel([series.occurrences[2]], user, None, now=NOW)
    same = services.split_series(series.occurrences[0], user, start_minute=19 * 60,
                                 end_minute=21 * 60, now=NOW)
    assert same is series and db.session.scalar(
        select(BookingSeries.id).where(BookingSeries.split_from_id == series.id)) is None
    assert [_local(o) for o in series.occurrences] == [
        "2027-02-02 19:00–21:00", "2027-02-09 19:00–21:00", "2027-02-16 18:00–20:00"]
    assert series.occurrences[2].state == OccurrenceState.CANCELLED  # history unchanged
    assert (series.start_minute, series.end_minute) == (19 * 60, 21 * 60)


def test_an_undecided_request_is_decided_before_a_split(make_premises, make_user,
                                                       booking_manager):
    premises = make_premises(requires_approval=True)
    manager, association = booking_manager()
    officer = make_user("officer", areas=("bookings",))
    series = _weekly(premises, manager, date(2027, 2, 2), 3, booker_type=BookerType.ASSOCIATION,
                     association=association)
    with pytest.raises(services.BookingError, match="väntar på beslut"):
        services.split_series(series.occurrences[1], officer, start_minute=16 * 60,
                              end_minute=18 * 60, as_officer=True, now=NOW)


def test_the_page_shows_the_change_first_and_saves_when_confirmed(client, login_as, app,
                                                                  make_premises, make_user):
    from html import unescape

    from tests.bookings.helpers import next_weekday

    premises = make_premises()
    other = make_premises(name="Ateljé Hälla", terms="Inga skor i ateljén.")
    user = login_as()
    first = next_weekday(1, weeks_ahead=2)
    with app.test_request_context():
        series = services.create_booking(premises, request_for(
            user, first, recurrence=Recurrence.WEEKLY, until=first + timedelta(weeks=3)),
            accepted_terms=accepted(premises))
        services.create_booking(other, request_for(make_user(), first + timedelta(weeks=2),
                                                   "17:00", "19:00"),
                                accepted_terms=accepted(other))
    db.session.commit()
    chosen = series.occurrences[1]
    url = f"/bokningar/tillfallen/{chosen.id}/andra"
    page = unescape(client.get(url).get_data(as_text=True))
    assert "Ateljé Hälla" in page and "blir de en ny bokning" in page
    data = {"scope": "following", "day": (first + timedelta(weeks=1)).isoformat(),
            "start": "17:00", "end": "19:00", "premises": str(other.id)}
    preview = client.post(url, data=data)
    text = unescape(preview.get_data(as_text=True))
    assert preview.status_code == 200
    assert "3 tider ändras" in text and "Tiden är redan bokad" in text
    assert "Inga skor i ateljén." in text  # the new premises' terms
    expected = (first + timedelta(weeks=2)).isoformat()
    assert f'name="expected_conflicts" value="{expected}"' in text
    db.session.expire_all()
    assert len(db.session.get(BookingSeries, series.id).occurrences) == 4  # nothing saved
    confirm = {**data, "confirmed": "y", "expected_conflicts": expected,
               "terms_checksum": accepted(other)}
    refused = client.post(url, data={**confirm, "skip_conflicts": "y"})
    assert refused.status_code == 409
    assert "Läs villkoren för den nya lokalen" in unescape(refused.get_data(as_text=True))
    done = client.post(url, data={**confirm, "skip_conflicts": "y", "accept_terms": "y"})
    assert done.status_code == 302
    db.session.expire_all()
    new = db.session.scalar(select(BookingSeries).where(BookingSeries.split_from_id == series.id))
    assert done.headers["Location"].endswith(f"/bokningar/{new.id}")
    assert [_local(o) for o in new.occurrences] == [
        f"{first + timedelta(weeks=w)} 17:00–19:00" for w in (1, 3)]
    assert new.premises_id == other.id and new.terms_checksum == accepted(other)
    page = unescape(client.get(f"/bokningar/{new.id}").get_data(as_text=True))
    assert f'href="/bokningar/{series.id}">Bokning {series.reference}</a>' in page
    page = unescape(client.get(f"/bokningar/{series.id}").get_data(as_text=True))
    assert f"Bokning {new.reference}" in page
