"""Recurring series: weekly, every other week, chosen dates; conflicts shown and skipped;
wall-clock time kept across the daylight-saving changes."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from lokapp.bookings import services
from lokapp.bookings.models import Blackout, OccurrenceState, Recurrence
from lokapp.core.time import STOCKHOLM, to_local
from tests.bookings.helpers import accepted, request_for, utc


@pytest.fixture(autouse=True)
def _request_context(app, db):
    with app.test_request_context():
        yield


def _local(occurrence) -> tuple[str, str]:
    return (to_local(occurrence.starts_at).strftime("%Y-%m-%d %H:%M"),
            to_local(occurrence.ends_at).strftime("%H:%M"))


def _book(premises, request, now, **kwargs):
    return services.create_booking(premises, request, accepted_terms=accepted(premises), now=now,
                                   **kwargs)


@pytest.mark.parametrize(("first", "until", "change"), [
    (date(2027, 3, 16), date(2027, 4, 6), date(2027, 3, 28)),    # spring: 02:00 -> 03:00
    (date(2027, 10, 19), date(2027, 11, 9), date(2027, 10, 31)),  # autumn: 03:00 -> 02:00
])
def test_weekly_tuesday_series_keeps_18_to_20_across_dst(make_premises, make_user, first,
                                                         until, change):
    premises = make_premises()
    user = make_user()
    series = _book(premises, request_for(user, first, "18:00", "20:00",
                                         recurrence=Recurrence.WEEKLY, until=until),
                   now=utc(2027, 1, 1))
    assert [_local(o) for o in series.occurrences] == [
        ((first + timedelta(weeks=n)).isoformat() + " 18:00", "20:00") for n in range(4)]
    # The UTC instants move by an hour across the change; the wall clock does not.
    offsets = {o.starts_at.astimezone(STOCKHOLM).utcoffset() for o in series.occurrences}
    assert offsets == {timedelta(hours=1), timedelta(hours=2)}
    before = [o for o in series.occurrences if to_local(o.starts_at).date() < change]
    after = [o for o in series.occurrences if to_local(o.starts_at).date() > change]
    assert before and after
    assert {o.starts_at.hour for o in before} != {o.starts_at.hour for o in after}
    # Every occurrence is two real hours and costs the same.
    assert {o.minutes for o in series.occurrences} == {120}
    assert len({o.price_ore for o in series.occurrences}) == 1


def test_a_booking_on_the_night_of_the_change(make_premises, make_user):
    premises = make_premises(hours={6: (0, 24 * 60)}, max_minutes=300, is_weekend_peak=False,
                             is_closed_on_holidays=False)
    spring = _book(premises, request_for(make_user(), date(2027, 3, 28), "01:00", "04:00"),
                   now=utc(2027, 1, 1))
    [night] = spring.occurrences
    assert _local(night) == ("2027-03-28 01:00", "04:00")
    assert night.minutes == 120
    assert night.price_ore == 2 * 20000  # two real hours at the resident's off-peak rate
    autumn = _book(premises, request_for(make_user(), date(2027, 10, 31), "01:00", "04:00"),
                   now=utc(2027, 1, 1))
    [night] = autumn.occurrences
    assert night.minutes == 240
    assert night.price_ore == 4 * 20000


def test_every_other_week_and_chosen_dates(make_premises, make_user):
    premises = make_premises()
    biweekly = _book(premises, request_for(make_user(), date(2027, 2, 2), "18:00", "20:00",
                                           recurrence=Recurrence.BIWEEKLY,
                                           until=date(2027, 3, 3)), now=utc(2027, 1, 1))
    assert [_local(o)[0][:10] for o in biweekly.occurrences] == [
        "2027-02-02", "2027-02-16", "2027-03-02"]
    chosen = _book(premises, request_for(make_user(), date(2027, 2, 3), "10:00", "12:00",
                                         recurrence=Recurrence.DATES,
                                         dates=(date(2027, 2, 24), date(2027, 2, 10))),
                   now=utc(2027, 1, 1))
    assert [_local(o)[0] for o in chosen.occurrences] == [
        "2027-02-03 10:00", "2027-02-10 10:00", "2027-02-24 10:00"]
    assert (chosen.first_date, chosen.last_date) == (date(2027, 2, 3), date(2027, 2, 24))


def test_conflicts_are_shown_and_can_be_skipped(make_premises, make_user):
    premises = make_premises()
    premises.blackouts.append(Blackout(starts_on=date(2027, 2, 15), ends_on=date(2027, 2, 21),
                                       reason="Sportlov"))
    now = utc(2027, 1, 1)
    _book(premises, request_for(make_user(), date(2027, 2, 9), "19:00", "21:00"), now=now)
    user = make_user()
    request = request_for(user, date(2027, 2, 2), "18:00", "20:00",
                          recurrence=Recurrence.WEEKLY, until=date(2027, 3, 2))
    plan = services.plan_booking(premises, request, now=now)
    assert [(d.day.isoformat(), [p.code for p in d.problems]) for d in plan.conflicts] == [
        ("2027-02-09", ["booked"]), ("2027-02-16", ["blackout"])]
    assert len(plan.bookable) == 3
    # Without agreeing to skip, nothing is booked.
    with pytest.raises(services.BookingError, match="Sportlov"):
        _book(premises, request, now=now)
    skipped = frozenset(d.day for d in plan.conflicts)
    series = _book(premises, request, now=now, skip_conflicts=True, expected_conflicts=skipped)
    assert [_local(o)[0][:10] for o in series.occurrences] == [
        "2027-02-02", "2027-02-23", "2027-03-02"]
    assert all(o.state == OccurrenceState.CONFIRMED for o in series.occurrences)


def test_a_conflict_that_appeared_after_the_preview_is_not_skipped_silently(make_premises,
                                                                            make_user):
    premises = make_premises()
    now = utc(2027, 1, 1)
    request = request_for(make_user(), date(2027, 2, 2), "18:00", "20:00",
                          recurrence=Recurrence.WEEKLY, until=date(2027, 2, 23))
    shown = frozenset(d.day for d in services.plan_booking(premises, request, now=now).conflicts)
    assert shown == frozenset()
    _book(premises, request_for(make_user(), date(2027, 2, 16), "18:00", "20:00"), now=now)
    with pytest.raises(services.BookingConflict, match="redan bokad"):
        _book(premises, request, now=now, skip_conflicts=True, expected_conflicts=shown)


def test_series_limits(make_premises, make_user):
    premises = make_premises()
    now = utc(2027, 1, 1)
    too_long = request_for(make_user(), date(2027, 1, 5), recurrence=Recurrence.WEEKLY,
                           until=date(2029, 1, 5))
    plan = services.plan_booking(premises, too_long, now=now)
    assert [p.code for p in plan.problems] == ["too_many"]
    no_end = request_for(make_user(), date(2027, 1, 5), recurrence=Recurrence.WEEKLY,
                         until=date(2026, 12, 1))
    assert "until" in [p.code for p in services.plan_booking(premises, no_end, now=now).problems]


def test_series_through_the_pages(client, login_as, make_premises):
    from html import unescape

    from sqlalchemy import select

    from lokapp.bookings.models import BookingSeries
    from lokapp.extensions import db
    from tests.bookings.helpers import next_weekday

    premises = make_premises()
    first = next_weekday(1, weeks_ahead=2)
    premises.blackouts.append(Blackout(starts_on=first + timedelta(weeks=1),
                                       ends_on=first + timedelta(weeks=1), reason="Städning"))
    db.session.commit()
    login_as()
    form = {"booker": "private", "activity": "Kurs", "attendees": "8", "day": first.isoformat(),
            "start": "18:00", "end": "20:00", "recurrence": "weekly",
            "until": (first + timedelta(weeks=3)).isoformat()}
    html = unescape(client.post(f"/lokaler/{premises.id}/boka", data=form).get_data(as_text=True))
    assert "Städning" in html and "Går inte att boka:" in html
    assert "Boka de andra datumen och hoppa över dem som inte går" in html
    assert "Totalt för 3 tillfällen" in html
    confirm = {**form, "accept_terms": "y", "terms_checksum": accepted(premises),
               "expected_conflicts": (first + timedelta(weeks=1)).isoformat()}
    response = client.post(f"/lokaler/{premises.id}/boka/bekrafta", data=confirm)
    assert response.status_code == 409  # the conflict was not agreed to be skipped
    response = client.post(f"/lokaler/{premises.id}/boka/bekrafta",
                           data={**confirm, "skip_conflicts": "y"})
    assert response.status_code == 302
    series = db.session.scalars(select(BookingSeries)).one()
    assert len(series.occurrences) == 3


# --- exceptions -----------------------------------------------------------------------------

def _weekly(premises, user, now, first=date(2027, 2, 2), weeks=4, start="18:00", end="20:00"):
    return _book(premises, request_for(user, first, start, end, recurrence=Recurrence.WEEKLY,
                                       until=first + timedelta(weeks=weeks - 1)), now=now)


def test_move_one_occurrence(make_premises, make_user):
    premises = make_premises()
    user, now = make_user(), utc(2027, 1, 1)
    series = _weekly(premises, user, now)
    second = series.occurrences[1]
    services.reschedule(second, user, day=date(2027, 2, 10), start_minute=16 * 60,
                        end_minute=18 * 60, now=now)
    assert _local(second) == ("2027-02-10 16:00", "18:00")
    assert second.is_exception
    assert second.price_ore == 20000 + 30000  # one off-peak and one peak hour
    # A later change of the whole series leaves the moved one alone.
    services.reschedule(series.occurrences[0], user, day=date(2027, 2, 2),
                        start_minute=19 * 60, end_minute=21 * 60, scope=services.ALL, now=now)
    times = sorted(_local(o) for o in series.occurrences)
    assert times == [("2027-02-02 19:00", "21:00"), ("2027-02-10 16:00", "18:00"),
                     ("2027-02-16 19:00", "21:00"), ("2027-02-23 19:00", "21:00")]
    assert (series.start_minute, series.end_minute) == (19 * 60, 21 * 60)


def test_this_and_following(make_premises, make_user):
    premises = make_premises()
    user, now = make_user(), utc(2027, 1, 1)
    series = _weekly(premises, user, now)
    moved = services.reschedule(series.occurrences[2], user, day=date(2027, 2, 16),
                                start_minute=16 * 60, end_minute=18 * 60,
                                scope=services.FOLLOWING, now=now)
    # The series is split (tests/bookings/test_split.py): it ends before the third time.
    assert [_local(o)[0] for o in series.occurrences] == ["2027-02-02 18:00", "2027-02-09 18:00"]
    assert [_local(o)[0] for o in moved] == ["2027-02-16 16:00", "2027-02-23 16:00"]
    assert moved[0].series.split_from is series
    assert (series.start_minute, series.end_minute) == (18 * 60, 20 * 60)  # pattern unchanged


def test_a_change_that_collides_changes_nothing(make_premises, make_user):
    premises = make_premises()
    user, now = make_user(), utc(2027, 1, 1)
    series = _weekly(premises, user, now)
    _book(premises, request_for(make_user(), date(2027, 2, 23), "20:00", "22:00"), now=now)
    premises.blackouts.append(Blackout(starts_on=date(2027, 2, 16), ends_on=date(2027, 2, 16),
                                       reason="Städning"))
    with pytest.raises(services.BookingError) as caught:
        services.reschedule(series.occurrences[0], user, day=date(2027, 2, 2),
                            start_minute=19 * 60, end_minute=21 * 60, scope=services.ALL,
                            now=now)
    assert "Städning" in caught.value.message and "redan bokad" in caught.value.message
    assert {_local(o)[0][11:] for o in series.occurrences} == {"18:00"}
    # A time of the series itself does not block moving within it.
    services.reschedule(series.occurrences[0], user, day=date(2027, 2, 2), start_minute=19 * 60,
                        end_minute=20 * 60, now=now)


def test_who_may_reschedule(make_premises, make_user):
    premises = make_premises(requires_approval=True)
    user, now = make_user(), utc(2027, 1, 1)
    officer = make_user("officer", areas=("bookings",))
    series = _weekly(premises, user, now, weeks=1)
    occurrence = series.occurrences[0]
    with pytest.raises(services.BookingError, match="godkänns av en handläggare"):
        services.reschedule(occurrence, user, day=date(2027, 2, 3), start_minute=18 * 60,
                            end_minute=20 * 60, now=now)
    with pytest.raises(services.BookingError, match="hör inte till dig"):
        services.reschedule(occurrence, make_user(), day=date(2027, 2, 3), start_minute=18 * 60,
                            end_minute=20 * 60, now=now)
    services.reschedule(occurrence, officer, day=date(2027, 2, 3), start_minute=18 * 60,
                        end_minute=20 * 60, as_officer=True, now=now)
    assert _local(occurrence)[0] == "2027-02-03 18:00"


def test_reschedule_page(client, login_as, make_premises, app):
    from html import unescape

    from lokapp.extensions import db
    from tests.bookings.helpers import next_weekday

    premises = make_premises()
    user = login_as()
    first = next_weekday(1, weeks_ahead=2)
    with app.test_request_context():
        series = _weekly(premises, user, None, first=first, weeks=2)
    db.session.commit()
    occurrence_id = series.occurrences[0].id
    page = unescape(client.get(f"/bokningar/tillfallen/{occurrence_id}/andra").get_data(
        as_text=True))
    assert "Den här och alla följande gånger" in page and 'value="18:00"' in page
    bad = client.post(f"/bokningar/tillfallen/{occurrence_id}/andra", data={
        "scope": "this", "day": first.isoformat(), "start": "06:00", "end": "08:00"})
    assert "Välj en tid inom öppettiderna" in unescape(bad.get_data(as_text=True))
    ok = client.post(f"/bokningar/tillfallen/{occurrence_id}/andra", data={
        "scope": "all", "day": first.isoformat(), "start": "19:00", "end": "21:00"})
    assert ok.status_code == 302
    db.session.expire_all()
    from lokapp.bookings.models import BookingSeries

    series = db.session.get(BookingSeries, series.id)
    assert {_local(o)[0][11:] for o in series.occurrences} == {"19:00"}
