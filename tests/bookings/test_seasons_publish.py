"""Publishing a round: weekly series for the season (wall clock kept across the DST changes,
holidays skipped), one result letter per application, resumable and never twice; the stored
hours; leftover slots."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from lokapp.bookings import seasons
from lokapp.bookings.models import BookerType, BookingSeries, OccurrenceState
from lokapp.bookings.season_models import RoundState, SeasonOutcome
from lokapp.core.mail import OutboxMessage
from lokapp.core.time import STOCKHOLM, to_local
from lokapp.extensions import db
from lokapp.letters.models import Letter, LetterKind
from tests.bookings.helpers import utc
from tests.bookings.season_helpers import apply, close_window, make_round, manager, wish


@pytest.fixture(autouse=True)
def _request_context(app, db):
    with app.test_request_context():
        yield


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _local(occurrence) -> str:
    return (f"{to_local(occurrence.starts_at):%Y-%m-%d %H:%M}–"
            f"{to_local(occurrence.ends_at):%H:%M}")


@pytest.fixture
def autumn(make_premises, make_user, make_association):
    """A round for autumn 2027 (clocks go back 31 October) with three applications: one
    given everything, one given part, one given nothing."""
    hall = make_premises(name="Bäckby idrottshall")
    season_round = make_round([hall], keys=["youth", "applied_at"])
    officer = make_user("officer", areas=("bookings",), name="Karin Handläggare")
    people = {}
    for name, wishes in (
            ("Ungdomsfotbollen", [wish(1, 18, 20, hall, youth=20, adults=2),
                                  wish(5, 10, 12, hall, youth=20, adults=2)]),
            ("Vuxenkören", [wish(1, 19, 21, hall, adults=30), wish(3, 19, 21, hall,
                                                                   adults=30)]),
            ("Schackklubben", [wish(1, 18, 19, hall, adults=8)])):
        user, association = manager(make_user, make_association, name)
        apply(season_round, association, user, *wishes)
        people[name] = (user, association)
    seasons.auto_allocate(season_round, officer)
    close_window(season_round, closes=date(2027, 8, 31), starts=date(2027, 10, 1),
                 ends=date(2027, 11, 15))
    return season_round, hall, officer, people


NOW = utc(2027, 9, 1, 8, 0)


def test_publishing_books_the_season_and_sends_one_letter_per_application(autumn):
    season_round, hall, officer, people = autumn
    result = seasons.publish_round(season_round, officer, now=NOW)
    assert (result.decided, result.series, result.remaining) == (3, 3, 0)
    assert season_round.state == RoundState.PUBLISHED

    outcomes = {a.association.name: a for a in seasons.load_applications(season_round)}
    youth, choir, chess = (outcomes["Ungdomsfotbollen"], outcomes["Vuxenkören"],
                           outcomes["Schackklubben"])
    assert youth.outcome == SeasonOutcome.ALLOCATED
    assert choir.outcome == SeasonOutcome.PARTLY
    assert chess.outcome == SeasonOutcome.NOT_ALLOCATED
    # Equal-treatment data: requested and allocated minutes per week, stored.
    assert (youth.requested_minutes, youth.allocated_minutes) == (240, 240)
    assert (choir.requested_minutes, choir.allocated_minutes) == (240, 120)
    assert (chess.requested_minutes, chess.allocated_minutes) == (60, 0)
    # Peak time: 17–22 on weekdays and all weekend – Tuesday 18–20 and Saturday 10–12.
    assert (youth.allocated_peak_minutes, choir.allocated_peak_minutes,
            chess.allocated_peak_minutes) == (240, 120, 0)
    assert all(a.case.state == "decided" for a in (youth, choir, chess))

    # Tuesday 18–20 for the youth team, every week of the season, 18:00 local on both sides
    # of the October change (31 October 2027).
    tuesday = youth.wishes[0]
    series = db.session.get(BookingSeries, tuesday.series_id)
    assert series.association_id == youth.association_id
    assert series.booked_by_id == people["Ungdomsfotbollen"][0].id
    assert series.booker_type == BookerType.ASSOCIATION   # not eligible in the register
    assert [_local(o) for o in series.occurrences] == [
        f"{day.isoformat()} 18:00–20:00" for day in
        (date(2027, 10, 5) + timedelta(weeks=n) for n in range(6))]
    assert {o.state for o in series.occurrences} == {OccurrenceState.CONFIRMED}
    offsets = {o.starts_at.astimezone(STOCKHOLM).utcoffset() for o in series.occurrences}
    assert offsets == {timedelta(hours=1), timedelta(hours=2)}
    assert {o.starts_at.hour for o in series.occurrences
            if to_local(o.starts_at).date() < date(2027, 10, 31)} == {16}
    assert {o.starts_at.hour for o in series.occurrences
            if to_local(o.starts_at).date() > date(2027, 10, 31)} == {17}
    # Saturday 10–12 skips Alla helgons dag (6 November 2027).
    saturday = db.session.get(BookingSeries, youth.wishes[1].series_id)
    days = [to_local(o.starts_at).date() for o in saturday.occurrences]
    assert date(2027, 11, 6) not in days and date(2027, 10, 30) in days
    assert date(2027, 11, 13) in days

    # One letter per application, e-mailed once; the reasons name the wish not met.
    letters = db.session.scalars(select(Letter).where(
        Letter.kind == LetterKind.SEASON_ALLOCATION)).all()
    assert len(letters) == 3
    chess_letter = next(x for x in letters if x.case_id == chess.case_id)
    assert chess_letter.recipients == [people["Schackklubben"][0].email]
    assert "Tisdagar 18:00–19:00" in chess_letter.context["decision"]["reasons"]
    assert "högre prioritet" in chess_letter.context["decision"]["reasons"]
    assert chess_letter.context["appeal"] == "laglighetsprovning"
    youth_letter = next(x for x in letters if x.case_id == youth.case_id)
    assert youth_letter.context["decision"]["reasons"] == ""
    assert _count(OutboxMessage, OutboxMessage.subject.like("Beslut om Säsongsbokning%")) == 3

    with pytest.raises(seasons.SeasonError, match="redan publicerat"):
        seasons.publish_round(season_round, officer, now=NOW)


def test_publishing_is_resumable_and_never_creates_twice(autumn):
    season_round, hall, officer, people = autumn
    first = seasons.publish_round(season_round, officer, limit=1, now=NOW)
    assert (first.decided, first.remaining) == (1, 2)
    assert season_round.state == RoundState.PUBLISHING
    series_after_first = _count(BookingSeries)
    letters_after_first = _count(Letter)
    assert letters_after_first == 1
    # The allocation is frozen while publishing.
    wish_left = seasons.load_applications(season_round)[-1].wishes[0]
    with pytest.raises(seasons.SeasonError, match="publicerad"):
        seasons.unallocate(wish_left, "Ångrar mig", officer)
    second = seasons.publish_round(season_round, officer, limit=1, now=NOW)
    third = seasons.publish_round(season_round, officer, limit=5, now=NOW)
    assert (second.remaining, third.remaining) == (1, 0)
    assert season_round.state == RoundState.PUBLISHED
    assert _count(Letter) == 3
    assert _count(BookingSeries) == series_after_first + second.series + third.series == 3
    # Each wish points at its own series (unique), and a republish is refused.
    series_ids = [w.series_id for a in seasons.load_applications(season_round) for w in a.wishes
                  if w.series_id]
    assert len(series_ids) == len(set(series_ids)) == 3


def test_publishing_waits_for_the_window_to_close(make_premises, make_user, make_association):
    hall = make_premises()
    season_round = make_round([hall])
    officer = make_user("officer", areas=("bookings",))
    with pytest.raises(seasons.SeasonError, match="Ansökningstiden är inte slut"):
        seasons.publish_round(season_round, officer)
    assert season_round.state == RoundState.OPEN


def test_spring_change_keeps_the_wall_clock_and_skips_booked_dates(
        make_premises, make_user, make_association):
    from lokapp.bookings import services
    from tests.bookings.helpers import accepted, request_for

    hall = make_premises()
    season_round = make_round([hall])
    officer = make_user("officer", areas=("bookings",))
    user, association = manager(make_user, make_association)
    [thursday] = apply(season_round, association, user, wish(3, 19, 21, hall, youth=10))
    seasons.auto_allocate(season_round, officer)
    close_window(season_round, closes=date(2028, 2, 1), starts=date(2028, 3, 1),
                 ends=date(2028, 4, 15))
    # Someone already has Thursday 16 March 2028 20:00–21:00.
    resident = make_user()
    services.create_booking(hall, request_for(resident, date(2028, 3, 16), "20:00", "21:00"),
                            accepted_terms=accepted(hall), now=utc(2028, 1, 10))
    seasons.publish_round(season_round, officer, now=utc(2028, 2, 2))
    series = db.session.get(BookingSeries, thursday.series_id)
    days = [to_local(o.starts_at).date() for o in series.occurrences]
    assert date(2028, 3, 16) not in days                      # taken: skipped
    assert date(2028, 4, 13) in days and date(2028, 3, 2) in days
    assert {to_local(o.starts_at).strftime("%H:%M") for o in series.occurrences} == {"19:00"}
    # 26 March 2028: clocks go forward; 19:00 is 18:00 UTC before, 17:00 UTC after.
    assert {o.starts_at.hour for o in series.occurrences
            if to_local(o.starts_at).date() < date(2028, 3, 26)} == {18}
    assert {o.starts_at.hour for o in series.occurrences
            if to_local(o.starts_at).date() > date(2028, 3, 26)} == {17}


def test_leftover_slots_are_the_opening_hours_minus_the_allocations(autumn):
    season_round, hall, officer, people = autumn
    seasons.publish_round(season_round, officer, now=NOW)
    slots = {(s.weekday, s.start_minute, s.end_minute)
             for s in seasons.leftover_slots(season_round) if s.premises.id == hall.id}
    assert (1, 8 * 60, 18 * 60) in slots          # Tuesday before the youth team
    assert (1, 20 * 60, 22 * 60) in slots         # and after it
    assert (3, 8 * 60, 19 * 60) in slots and (3, 21 * 60, 22 * 60) in slots
    assert (0, 8 * 60, 22 * 60) in slots          # Monday is all free
    assert not any(w == 1 and s < 20 * 60 and e > 18 * 60 for w, s, e in slots)


def test_season_series_say_so_in_the_equal_treatment_data(autumn):
    from lokapp.bookings import reports

    season_round, hall, officer, people = autumn
    seasons.publish_round(season_round, officer, now=NOW)
    rows = reports.equal_treatment(date(2027, 10, 1), date(2027, 11, 15))
    assert rows and {r.outcome for r in rows} == {"Säsongsbokning"}
    assert {r.series.association.name for r in rows} == {"Ungdomsfotbollen", "Vuxenkören"}


def test_an_eligible_youth_activity_gets_the_youth_tariff(make_premises, make_user,
                                                          make_association, monkeypatch):
    hall = make_premises()
    season_round = make_round([hall])
    officer = make_user("officer", areas=("bookings",))
    user, youth_club = manager(make_user, make_association, "Ungdomsklubben")
    [young] = apply(season_round, youth_club, user, wish(1, 17, 19, hall, youth=9, adults=1))
    [adults] = apply(season_round, youth_club, user, wish(3, 17, 19, hall, youth=1, adults=9))
    monkeypatch.setattr(seasons, "_eligibility",
                        lambda applications, on: {a.association_id: True for a in applications})
    seasons.auto_allocate(season_round, officer)
    close_window(season_round, closes=date(2027, 8, 31), starts=date(2027, 10, 1),
                 ends=date(2027, 10, 31))
    seasons.publish_round(season_round, officer, now=NOW)
    assert db.session.get(BookingSeries, young.series_id).booker_type == BookerType.YOUTH
    assert db.session.get(BookingSeries, adults.series_id).booker_type == BookerType.ASSOCIATION
    assert young.application.was_eligible is True
