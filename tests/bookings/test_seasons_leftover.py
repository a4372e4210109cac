"""Leftover slots (resttider) after a round is published: the opening hours minus the
allocations *and* the ordinary bookings of the season – each slot says on how many of the
season's weeks it is free and links to booking on a free date; bounded queries."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from lokapp.bookings import seasons
from lokapp.bookings.models import (
    BookerType,
    BookingOccurrence,
    BookingSeries,
    OccurrenceState,
    Recurrence,
)
from lokapp.bookings.rules import interval
from lokapp.bookings.season_models import RoundState
from lokapp.core.time import utcnow
from lokapp.extensions import db
from tests.bookings.helpers import utc
from tests.bookings.season_helpers import apply, close_window, make_round, manager, wish

# The season: February 2027, four of each weekday (Monday 1 … Sunday 28 February).
STARTS, ENDS = date(2027, 2, 1), date(2027, 2, 28)
BEFORE = utc(2026, 12, 1, 9, 0)


def book(premises, user, days, start, end, state=OccurrenceState.CONFIRMED):
    """An ordinary booking of ``premises`` on ``days`` ``start``–``end`` (hours)."""
    now = utcnow()
    series = BookingSeries(
        premises=premises, booked_by_id=user.id, booker_type=BookerType.RESIDENT,
        activity="Kalas", attendees=5,
        recurrence=Recurrence.SINGLE if len(days) == 1 else Recurrence.DATES,
        first_date=days[0], last_date=days[-1], start_minute=int(start * 60),
        end_minute=int(end * 60), terms_accepted_at=now, terms_checksum="x" * 64,
        created_at=now, updated_at=now)
    for day in days:
        starts_at, ends_at = interval(day, int(start * 60), int(end * 60))
        series.occurrences.append(BookingOccurrence(
            premises_id=premises.id, starts_at=starts_at, ends_at=ends_at, state=state,
            price_ore=0, peak_minutes=0, created_at=now, updated_at=now))
    db.session.add(series)
    db.session.flush()
    return series


def weeks(weekday: int) -> list[date]:
    first = STARTS + timedelta(days=(weekday - STARTS.weekday()) % 7)
    return [first + timedelta(weeks=n) for n in range(4)]


@pytest.fixture
def published(make_premises, make_user, make_association):
    """A published round over one hall; the choir was given Tuesdays 18–20."""
    hall = make_premises(name="Bäckby idrottshall")
    season_round = make_round([hall], keys=["applied_at"])
    user, choir = manager(make_user, make_association, "Vuxenkören")
    [given] = apply(season_round, choir, user, wish(1, 18, 20, hall))
    given.allocated_premises_id = hall.id
    close_window(season_round, closes=date(2026, 11, 30), starts=STARTS, ends=ENDS)
    season_round.state = RoundState.PUBLISHED
    db.session.flush()
    return season_round, hall, make_user()


def _slots(season_round, weekday, now=BEFORE):
    return {(s.start_minute // 60 if s.start_minute % 60 == 0 else s.start_minute / 60,
             s.end_minute // 60 if s.end_minute % 60 == 0 else s.end_minute / 60):
            (len(s.free_dates), s.weeks, s.first_free, s.taken_dates)
            for s in seasons.leftover_slots(season_round, now=now) if s.weekday == weekday}


def test_ordinary_bookings_are_not_leftover(published):
    season_round, hall, resident = published
    tuesdays, wednesdays = weeks(1), weeks(2)
    book(hall, resident, [tuesdays[1]], 20, 22)                       # one evening
    book(hall, resident, [tuesdays[0]], 8, 10, OccurrenceState.CANCELLED)  # not active
    book(hall, resident, wednesdays, 10, 12)                          # every week
    book(hall, resident, weeks(0)[:2], 8, 22, OccurrenceState.REQUESTED)  # awaiting approval
    book(hall, resident, weeks(4), 8, 22)                             # Fridays taken

    tuesday = _slots(season_round, 1)
    assert tuesday == {(8, 18): (4, 4, tuesdays[0], []),
                       (20, 22): (3, 4, tuesdays[0], [tuesdays[1]])}
    # A time booked every week is no leftover slot at all; the rest of the day is.
    assert _slots(season_round, 2) == {(8, 10): (4, 4, wednesdays[0], []),
                                       (12, 22): (4, 4, wednesdays[0], [])}
    # A request awaiting approval holds the time too: the first free Monday is the third.
    assert _slots(season_round, 0) == {(8, 22): (2, 4, weeks(0)[2], weeks(0)[:2])}
    assert _slots(season_round, 4) == {}
    # Thursday is untouched.
    assert _slots(season_round, 3) == {(8, 22): (4, 4, weeks(3)[0], [])}


def test_scattered_bookings_cut_the_slot_without_crumbs(published):
    season_round, hall, resident = published
    thursdays = weeks(3)
    book(hall, resident, [thursdays[0]], 10, 11)
    book(hall, resident, [thursdays[1]], 10.5, 11.5)
    slots = _slots(season_round, 3)
    # Half-hour pieces are joined to a neighbour (the premises' shortest booking is 1 hour).
    assert slots == {(8, 10.5): (3, 4, thursdays[1], [thursdays[0]]),
                     (10.5, 11.5): (2, 4, thursdays[2], thursdays[:2]),
                     (11.5, 22): (4, 4, thursdays[0], [])}
    assert all(end - start >= 1 for start, end in slots)


def test_only_dates_from_today_count(published):
    season_round, hall, resident = published
    tuesdays = weeks(1)
    book(hall, resident, [tuesdays[3]], 20, 22)
    # On 10 February the first two Tuesdays have passed.
    assert _slots(season_round, 1, now=utc(2027, 2, 10, 9, 0))[(20, 22)] == (
        1, 2, tuesdays[2], [tuesdays[3]])
    # After the season nothing is left to book.
    assert seasons.leftover_slots(season_round, now=utc(2027, 3, 1, 9, 0)) == []


def test_a_closed_day_is_not_free(published, make_premises):
    season_round, hall, resident = published
    from lokapp.bookings.models import Blackout

    hall.blackouts.append(Blackout(starts_on=weeks(3)[1], ends_on=weeks(3)[1],
                                   reason="Golvslipning"))
    db.session.flush()
    assert _slots(season_round, 3) == {(8, 22): (3, 4, weeks(3)[0], [weeks(3)[1]])}


def test_the_page_says_how_many_weeks_are_free_and_links_to_a_free_date(client, published):
    season_round, hall, resident = published
    tuesdays = weeks(1)
    book(hall, resident, [tuesdays[0]], 20, 22)
    db.session.commit()
    page = client.get(f"/sasongsbokning/{season_round.id}/resttider").get_data(as_text=True)
    assert "20:00–22:00" in page and "ledig 3 av 4 veckor" in page
    assert f"Inte ledig: {tuesdays[0].isoformat()}" in page
    assert (f"/lokaler/{hall.id}/boka?datum={tuesdays[1].isoformat()}&amp;fran=20:00"
            "&amp;till=22:00") in page
    assert "18:00–20:00" not in page  # the choir's


def test_leftover_page_queries_do_not_grow_with_bookings(client, published, make_premises,
                                                         count_queries):
    season_round, hall, resident = published
    gym = make_premises(name="Skiljebo gymnastiksal")
    season_round.premises = [hall, gym]
    db.session.commit()

    def measure():
        with count_queries() as q:
            response = client.get(f"/sasongsbokning/{season_round.id}/resttider")
        assert response.status_code == 200
        return q.count, response.get_data(as_text=True)

    few, _page = measure()
    for weekday in range(7):
        for n, premises in enumerate((hall, gym)):
            book(premises, resident, weeks(weekday)[n:n + 2], 8 + weekday, 9 + weekday)
            book(premises, resident, weeks(weekday), 20, 21)
    db.session.commit()
    many, page = measure()
    assert many == few, f"{few} queries with one booking, {many} with 28 more"
    assert "ledig 2 av 4 veckor" in page
