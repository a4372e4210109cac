"""The rules of a premises: times, holidays, blackouts, opening hours, DST; and prices."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from lokapp.bookings.models import Blackout, BookerType
from lokapp.bookings.pricing import format_sek, parse_sek, peak_minutes, price
from lokapp.bookings.rules import (
    Calendar,
    exists,
    format_clock,
    holiday_name,
    interval,
    parse_clock,
    shape_problems,
)
from lokapp.core.time import STOCKHOLM, to_local
from tests.bookings.helpers import utc

NOW = utc(2027, 1, 10, 12, 0)  # a Sunday in January 2027


@pytest.mark.parametrize(("text", "expected"), [
    ("18:00", 1080), ("8:30", 510), ("18.15", 1095), ("1800", 1080), ("00:00", 0),
    ("24:00", None), ("25:00", None), ("18:60", None), ("kväll", None), ("", None)])
def test_parse_clock(text, expected):
    assert parse_clock(text) == expected


def test_midnight_is_only_an_end_time():
    assert parse_clock("24:00", allow_midnight_end=True) == 1440
    assert format_clock(1440) == "24:00"


@pytest.mark.parametrize(("day", "name"), [
    (date(2027, 1, 1), "Nyårsdagen"), (date(2027, 3, 26), "Långfredagen"),
    (date(2027, 6, 25), "Midsommarafton"), (date(2027, 6, 26), "Midsommardagen"),
    (date(2027, 12, 24), "Julafton"), (date(2027, 12, 31), "Nyårsafton"),
    (date(2027, 6, 6), "Nationaldagen")])
def test_swedish_holidays(day, name):
    assert holiday_name(day) == name


def test_an_ordinary_sunday_and_half_days_are_not_holidays():
    assert holiday_name(date(2027, 1, 17)) is None  # holidays.Sweden lists Sundays by default
    assert holiday_name(date(2027, 4, 30)) is None  # valborgsmässoafton, a half day at most
    assert holiday_name(date(2027, 1, 12)) is None


def test_shape_problems(make_premises):
    premises = make_premises(min_minutes=60, max_minutes=180, slot_minutes=30)
    assert shape_problems(premises, 18 * 60, 20 * 60) == []
    codes = lambda s, e: [p.code for p in shape_problems(premises, s, e)]  # noqa: E731
    assert codes(20 * 60, 18 * 60) == ["end_before_start"]
    assert codes(18 * 60 + 10, 20 * 60) == ["slot"]
    assert codes(18 * 60, 18 * 60 + 30) == ["too_short"]
    assert codes(12 * 60, 16 * 60) == ["too_long"]
    messages = [p.message for p in shape_problems(premises, 12 * 60, 16 * 60)]
    assert messages == ["Bokningen är för lång. Den får vara högst 3 tim."]


def _codes(calendar, day, start, end, now=NOW):
    return [p.code for p in calendar.date_problems(day, start, end, now=now)]


def test_date_problems(make_premises):
    premises = make_premises(hours={0: (8 * 60, 22 * 60), 1: (17 * 60, 21 * 60)},
                             max_days_ahead=90)
    premises.blackouts.append(Blackout(starts_on=date(2027, 2, 1), ends_on=date(2027, 2, 7),
                                       reason="Golvet byts"))
    calendar = Calendar(premises)
    assert _codes(calendar, date(2027, 1, 18), 18 * 60, 20 * 60) == []  # a Monday
    assert _codes(calendar, date(2027, 1, 19), 16 * 60, 18 * 60) == ["outside_hours"]
    assert _codes(calendar, date(2027, 1, 19), 20 * 60, 22 * 60) == ["outside_hours"]
    assert _codes(calendar, date(2027, 1, 20), 18 * 60, 20 * 60) == ["closed_weekday"]
    assert _codes(calendar, date(2027, 2, 1), 18 * 60, 20 * 60) == ["blackout"]
    assert _codes(calendar, date(2027, 1, 4), 18 * 60, 20 * 60) == ["past"]
    assert _codes(calendar, date(2027, 4, 12), 18 * 60, 20 * 60) == ["too_far_ahead"]
    assert _codes(calendar, date(2027, 1, 10), 8 * 60, 10 * 60, utc(2026, 12, 1)) == [
        "closed_weekday"]
    # Today at noon: 08:00 has passed.
    assert "past" in _codes(calendar, date(2027, 1, 11), 8 * 60, 10 * 60,
                            utc(2027, 1, 11, 9, 0))


def test_messages_are_clear_swedish(make_premises, app):
    premises = make_premises(hours={0: (8 * 60, 22 * 60)}, max_days_ahead=30)
    premises.blackouts.append(Blackout(starts_on=date(2027, 1, 25), ends_on=date(2027, 1, 31),
                                       reason="Renovering"))
    calendar = Calendar(premises)
    with app.test_request_context():
        def message(day, start=18 * 60, end=20 * 60):
            return [p.message for p in calendar.date_problems(day, start, end, now=NOW)]

        assert message(date(2027, 1, 25)) == [
            "Lokalen är stängd 2027-01-25–2027-01-31: Renovering."]
        assert message(date(2027, 1, 19)) == ["Lokalen är stängd på tisdagar."]
        assert message(date(2027, 1, 18), 7 * 60, 9 * 60) == [
            "Lokalen är öppen 08:00–22:00 på måndagar. Välj en tid inom öppettiderna."]
        assert message(date(2027, 3, 1)) == [
            "Du kan boka högst 30 dagar framåt, alltså till och med tisdag 9 februari 2027."]
        christmas = Calendar(make_premises(name="Jul", hours={4: (8 * 60, 22 * 60)}))
        assert [p.message for p in christmas.date_problems(date(2027, 12, 24), 18 * 60, 20 * 60,
                                                           now=NOW)] == [
            "fredag 24 december 2027 är en helgdag (Julafton). Lokalen är stängd då."]


def test_premises_open_on_holidays(make_premises):
    premises = make_premises(is_closed_on_holidays=False)
    assert _codes(Calendar(premises), date(2027, 6, 25), 18 * 60, 20 * 60) == []


# --- daylight saving --------------------------------------------------------------------------

SPRING = date(2027, 3, 28)  # last Sunday of March: 02:00 -> 03:00
AUTUMN = date(2027, 10, 31)  # last Sunday of October: 03:00 -> 02:00


def test_wall_clock_times_on_the_dst_days():
    assert not exists(SPRING, 2 * 60 + 30)
    assert exists(SPRING, 3 * 60) and exists(AUTUMN, 2 * 60 + 30)
    start, end = interval(SPRING, 1 * 60, 4 * 60)
    assert (end - start).total_seconds() == 2 * 3600  # one hour is missing
    start, end = interval(AUTUMN, 1 * 60, 4 * 60)
    assert (end - start).total_seconds() == 4 * 3600  # one hour happens twice
    # Either side of the change, 18:00 is 18:00 local and one hour apart in UTC.
    before, after = interval(date(2027, 3, 23), 18 * 60, 20 * 60), interval(
        date(2027, 3, 30), 18 * 60, 20 * 60)
    assert to_local(before[0]).hour == to_local(after[0]).hour == 18
    assert before[0].astimezone(STOCKHOLM).utcoffset().seconds == 3600
    assert after[0].astimezone(STOCKHOLM).utcoffset().seconds == 7200


def test_dst_night_rules(make_premises):
    premises = make_premises(hours={6: (0, 24 * 60)}, min_minutes=60, max_minutes=180,
                             is_closed_on_holidays=False)  # 2027-03-28 is Easter Sunday
    calendar = Calendar(premises)
    now = utc(2027, 3, 1)
    # 02:30 does not exist on the spring night.
    assert _codes(calendar, SPRING, 2 * 60 + 30, 4 * 60, now) == ["no_such_time"]
    # 01:00–04:00 on the wall clock is two real hours: allowed by max 3 h.
    assert _codes(calendar, SPRING, 1 * 60, 4 * 60, now) == []
    # 00:00–03:00 on the autumn night is four real hours: too long.
    assert _codes(calendar, AUTUMN, 0, 3 * 60, utc(2027, 10, 1)) == ["too_long"]


# --- prices -------------------------------------------------------------------------------

def test_price_splits_peak_and_off_peak(make_premises):
    premises = make_premises()  # peak 17–22 and all weekend
    tariff = premises.tariff_for(BookerType.ASSOCIATION)  # 100 kr / 150 kr per hour
    start, end = interval(date(2027, 1, 19), 16 * 60, 18 * 60 + 30)  # a Tuesday
    result = price(premises, tariff, start, end)
    assert (result.off_peak_minutes, result.peak_minutes) == (60, 90)
    assert result.total_ore == 10000 + 15000 * 3 // 2
    saturday = interval(date(2027, 1, 23), 10 * 60, 12 * 60)
    assert price(premises, tariff, *saturday).total_ore == 30000


def test_price_of_the_spring_night_counts_real_hours(make_premises):
    premises = make_premises(is_weekend_peak=False, peak_start_minute=17 * 60)
    tariff = premises.tariff_for(BookerType.ASSOCIATION)
    start, end = interval(SPRING, 1 * 60, 4 * 60)
    assert price(premises, tariff, start, end).total_ore == 2 * 10000
    start, end = interval(AUTUMN, 1 * 60, 4 * 60)
    assert price(premises, tariff, start, end).total_ore == 4 * 10000


def test_peak_window_across_midnight_and_rounding(make_premises):
    premises = make_premises(is_weekend_peak=False, peak_start_minute=20 * 60,
                             peak_end_minute=24 * 60)
    start = datetime(2027, 1, 19, 21, 0, tzinfo=STOCKHOLM)
    end = datetime(2027, 1, 19, 23, 45, tzinfo=STOCKHOLM)
    assert peak_minutes(premises, start, end) == 165
    tariff = premises.tariff_for(BookerType.ASSOCIATION)
    tariff.peak_ore_per_hour = 333
    assert price(premises, tariff, start, end).total_ore == round(333 * 165 / 60)


def test_free_when_no_tariff(make_premises):
    premises = make_premises(tariffs={})
    start, end = interval(date(2027, 1, 19), 18 * 60, 20 * 60)
    assert price(premises, None, start, end).is_free


def test_money_formatting():
    assert format_sek(125000) == "1\u00a0250\u00a0kr"
    assert format_sek(12550) == "125,50\u00a0kr"
    assert parse_sek("125") == 12500
    assert parse_sek("125,5") == 12550
    assert parse_sek("1 250,05 kr") == 125005
    assert parse_sek("12,345") is None
    assert parse_sek("gratis") is None
