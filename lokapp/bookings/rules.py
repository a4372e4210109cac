"""The booking rules of a premises – the only place they live.

Times of day are minutes after local midnight (``0..1440``); an interval on a local day is
turned into aware datetimes by :func:`interval` through :func:`lokapp.core.time.local_datetime`
(so wall-clock times survive the daylight-saving changes). Lengths are real elapsed time: the
night the clocks go forward, 01:00–04:00 is two hours.

Two kinds of problems:

- *shape* problems concern the times asked for, whatever the date (end before start, not on
  the slot boundaries, too short, too long) – :func:`shape_problems`;
- *date* problems concern one date (in the past, too far ahead, a holiday, a blackout, a closed
  weekday, outside the opening hours, a wall-clock time that does not exist that night) –
  :meth:`Calendar.date_problems`. In a series they are conflicts the booker may skip.

Every problem carries a Swedish message for the form.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

import holidays
from flask_babel import format_date
from flask_babel import gettext as _

from lokapp.bookings.models import MINUTES_PER_DAY, Premises
from lokapp.core.time import STOCKHOLM, local_datetime, to_local

_CLOCK = re.compile(r"^\s*(\d{1,2})[:.]?(\d{2})\s*$")


# --- wall-clock helpers ---------------------------------------------------------------------

def parse_clock(text: str | None, *, allow_midnight_end: bool = False) -> int | None:
    """Minutes after midnight for ``18:00``, ``18.00``, ``1800`` or ``8:30``; None if not a
    time. ``24:00`` is accepted only as an end time."""
    match = _CLOCK.match(text or "")
    if not match:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2))
    if minutes > 59:
        return None
    if hours == 24 and minutes == 0 and allow_midnight_end:
        return MINUTES_PER_DAY
    if hours > 23:
        return None
    return hours * 60 + minutes


def format_clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def clock_time(minute: int) -> time:
    return time(minute // 60, minute % 60)


def at(day: date, minute: int) -> datetime:
    """The instant of ``minute`` on local ``day`` (1440 = the next midnight), in UTC.

    UTC, because Python subtracts and compares two datetimes that share a tzinfo by their wall
    clocks: 01:00–04:00 Stockholm time on the spring night would come out as three hours.
    """
    if minute >= MINUTES_PER_DAY:
        day, minute = day + timedelta(days=minute // MINUTES_PER_DAY), minute % MINUTES_PER_DAY
    return local_datetime(day, clock_time(minute)).astimezone(UTC)


def interval(day: date, start_minute: int, end_minute: int) -> tuple[datetime, datetime]:
    return at(day, start_minute), at(day, end_minute)


def exists(day: date, minute: int) -> bool:
    """Whether the wall-clock time exists on ``day`` (not in the spring-forward gap)."""
    if minute >= MINUTES_PER_DAY:
        return True
    value = to_local(local_datetime(day, clock_time(minute)))
    return (value.date(), value.hour * 60 + value.minute) == (day, minute)


def format_length(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return _("%(hours)d tim %(minutes)d min", hours=hours, minutes=rest)
    if hours:
        return _("%(hours)d tim", hours=hours)
    return _("%(minutes)d min", minutes=rest)


def day_label(day: date) -> str:
    return format_date(day, "EEEE d MMMM y")


# --- closed days ----------------------------------------------------------------------------

@lru_cache(maxsize=64)
def _holidays(year: int) -> dict[date, str]:
    """Public and de facto holidays (midsommarafton, julafton, nyårsafton), Swedish names.

    ``holidays.Sweden`` lists every Sunday as a holiday unless told not to; Sundays are
    governed by the opening hours instead.
    """
    found = holidays.Sweden(years=year, include_sundays=False, language="sv",
                            categories=("public", "de_facto"))
    return {day: name for day, name in found.items()
            if "från kl." not in name and "Klämdag" not in name}


def holiday_name(day: date) -> str | None:
    return _holidays(day.year).get(day)


# --- problems -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    """A broken rule: ``code`` for tests and logic, ``message`` for people, ``field`` for the
    form field it belongs to (None = the form as a whole)."""

    code: str
    message: str
    field: str | None = None


def shape_problems(premises: Premises, start_minute: int, end_minute: int) -> list[Problem]:
    """Problems with the times themselves, on any date."""
    if end_minute <= start_minute:
        return [Problem("end_before_start", _("Sluttiden måste vara senare än starttiden. "
                                              "Bokningar över midnatt går inte."), "end")]
    problems = []
    slot = premises.slot_minutes
    if start_minute % slot or end_minute % slot:
        problems.append(Problem("slot", _(
            "Tiderna måste börja och sluta på jämna %(slot)d minuter, till exempel %(example)s.",
            slot=slot, example=format_clock((18 * 60 // slot) * slot)),
            "start" if start_minute % slot else "end"))
    length = end_minute - start_minute
    if length < premises.min_minutes:
        problems.append(Problem("too_short", _(
            "Bokningen är för kort. Den måste vara minst %(length)s.",
            length=format_length(premises.min_minutes)), "end"))
    if length > premises.max_minutes:
        problems.append(Problem("too_long", _(
            "Bokningen är för lång. Den får vara högst %(length)s.",
            length=format_length(premises.max_minutes)), "end"))
    return problems


def real_length_problems(premises: Premises, starts_at: datetime,
                         ends_at: datetime) -> list[Problem]:
    """Length rules in real time (differs from the wall clock on the two DST nights)."""
    minutes = int((ends_at - starts_at).total_seconds() // 60)
    if minutes < premises.min_minutes:
        return [Problem("too_short", _(
            "Bokningen är för kort. Den måste vara minst %(length)s (klockan ställs om den "
            "natten).", length=format_length(premises.min_minutes)), "end")]
    if minutes > premises.max_minutes:
        return [Problem("too_long", _(
            "Bokningen är för lång. Den får vara högst %(length)s (klockan ställs om den "
            "natten).", length=format_length(premises.max_minutes)), "end")]
    return []


def weekday_plural(weekday: int) -> str:
    return {0: _("måndagar"), 1: _("tisdagar"), 2: _("onsdagar"), 3: _("torsdagar"),
            4: _("fredagar"), 5: _("lördagar"), 6: _("söndagar")}[weekday]


class Calendar:
    """A premises' bookable time: opening hours, holidays and blackouts, read once.

    Built from a premises whose ``opening_hours`` and ``blackouts`` are loaded (a few
    queries, whatever the number of dates checked).
    """

    def __init__(self, premises: Premises, *,
                 hours: dict[int, tuple[int, int]] | None = None,
                 blackouts: list | None = None):
        """``hours`` (weekday → (opens, closes)) and ``blackouts`` may be given when read in
        bulk for many premises (reports); otherwise they are the premises' own."""
        self.premises = premises
        self.hours = hours if hours is not None else {
            h.weekday: (h.opens_minute, h.closes_minute) for h in premises.opening_hours}
        self.blackouts = list(blackouts if blackouts is not None else premises.blackouts)

    def closed_reason(self, day: date) -> str | None:
        """Why the premises is closed all of ``day``, or None if it opens that day."""
        if self.premises.is_closed_on_holidays and (name := holiday_name(day)):
            return _("Stängt: %(holiday)s.", holiday=name)
        for blackout in self.blackouts:
            if blackout.covers(day):
                return _("Stängt: %(reason)s.", reason=blackout.reason)
        if day.weekday() not in self.hours:
            return _("Stängt på %(weekday)s.", weekday=weekday_plural(day.weekday()))
        return None

    def open_span(self, day: date) -> tuple[int, int] | None:
        """(opens, closes) in minutes on ``day``, or None if closed all day."""
        if self.closed_reason(day) is not None:
            return None
        return self.hours[day.weekday()]

    def date_problems(self, day: date, start_minute: int, end_minute: int, *,
                      now: datetime) -> list[Problem]:
        """Problems with booking ``start``–``end`` on ``day`` (apart from overlap)."""
        premises = self.premises
        if premises.is_closed_on_holidays and (name := holiday_name(day)):
            return [Problem("holiday", _(
                "%(date)s är en helgdag (%(holiday)s). Lokalen är stängd då.",
                date=day_label(day), holiday=name), "day")]
        for blackout in self.blackouts:
            if blackout.covers(day):
                return [Problem("blackout", _(
                    "Lokalen är stängd %(start)s–%(end)s: %(reason)s.",
                    start=blackout.starts_on.isoformat(), end=blackout.ends_on.isoformat(),
                    reason=blackout.reason), "day")]
        if day.weekday() not in self.hours:
            return [Problem("closed_weekday", _(
                "Lokalen är stängd på %(weekday)s.", weekday=weekday_plural(day.weekday())),
                "day")]
        for minute, name in ((start_minute, "start"), (end_minute, "end")):
            if not exists(day, minute):
                return [Problem("no_such_time", _(
                    "Klockan %(time)s finns inte %(date)s, eftersom klockan ställs fram en "
                    "timme den natten. Välj en annan tid.", time=format_clock(minute),
                    date=day_label(day)), name)]
        problems = []
        opens, closes = self.hours[day.weekday()]
        if start_minute < opens or end_minute > closes:
            problems.append(Problem("outside_hours", _(
                "Lokalen är öppen %(opens)s–%(closes)s på %(weekday)s. Välj en tid inom "
                "öppettiderna.", opens=format_clock(opens), closes=format_clock(closes),
                weekday=weekday_plural(day.weekday())), "start"))
        starts_at, ends_at = interval(day, start_minute, end_minute)
        if starts_at <= now:
            problems.append(Problem("past", _(
                "Tiden %(date)s klockan %(time)s har redan varit. Välj en tid framåt.",
                date=day_label(day), time=format_clock(start_minute)), "day"))
        last_day = to_local(now).date() + timedelta(days=premises.max_days_ahead)
        if day > last_day:
            problems.append(Problem("too_far_ahead", _(
                "Du kan boka högst %(days)d dagar framåt, alltså till och med %(date)s.",
                days=premises.max_days_ahead, date=day_label(last_day)), "day"))
        if (ends_at - starts_at) != timedelta(minutes=end_minute - start_minute):
            problems += real_length_problems(premises, starts_at, ends_at)  # a DST night
        return problems


def cancellation_deadline(premises: Premises, starts_at: datetime) -> datetime:
    """The last moment the booker may cancel an occurrence starting at ``starts_at``."""
    return starts_at - timedelta(hours=premises.cancel_hours_before)


def stockholm_week(year: int, week: int) -> list[date]:
    """The seven local dates of ISO week ``year``-W``week``, Monday first."""
    monday = date.fromisocalendar(year, week, 1)
    return [monday + timedelta(days=i) for i in range(7)]


# The dates the booking rules take (forms, ?vecka=): they compute the day or week after
# without leaving the calendar (9999-12-31 + 1 day is an OverflowError).
FIRST_DATE, LAST_DATE = date(2000, 1, 1), date(2099, 12, 31)


__all__ = ["FIRST_DATE", "LAST_DATE", "STOCKHOLM", "Calendar", "Problem", "at", "cancellation_deadline", "clock_time",
           "day_label", "exists", "format_clock", "format_length", "holiday_name", "interval",
           "parse_clock", "real_length_problems", "shape_problems", "stockholm_week",
           "weekday_plural"]
