"""Prices: tariff × real hours, split into peak and off-peak time.

Peak time (högtrafik) is the premises' peak hours on every day, and all of Saturday and Sunday
when ``is_weekend_peak``. Minutes are counted in real elapsed time, so the night the clocks go
forward costs one hour less than the wall clock suggests. Amounts are whole öre; the price of
an occurrence is rounded to the nearest öre once, from exact minute sums.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from lokapp.bookings.models import MINUTES_PER_DAY, Premises, Tariff
from lokapp.bookings.rules import at
from lokapp.core.time import to_local


@dataclass(frozen=True)
class Price:
    total_ore: int
    peak_minutes: int
    off_peak_minutes: int
    peak_ore_per_hour: int
    off_peak_ore_per_hour: int

    @property
    def is_free(self) -> bool:
        return self.total_ore == 0


def _overlap(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> int:
    start, end = max(a_start, b_start), min(a_end, b_end)
    return max(0, int((end - start).total_seconds() // 60))


def peak_minutes(premises: Premises, starts_at: datetime, ends_at: datetime) -> int:
    """Minutes of ``[starts_at, ends_at)`` in the premises' peak time."""
    total = 0
    day: date = to_local(starts_at).date()
    last: date = to_local(ends_at).date()
    while day <= last:
        if premises.is_weekend_peak and day.weekday() >= 5:
            window = (at(day, 0), at(day, MINUTES_PER_DAY))
        else:
            window = (at(day, premises.peak_start_minute), at(day, premises.peak_end_minute))
        total += _overlap(starts_at, ends_at, *window)
        day += timedelta(days=1)
    return total


def price(premises: Premises, tariff: Tariff | None, starts_at: datetime,
          ends_at: datetime) -> Price:
    """The price of one occurrence. No tariff for the booker type means free of charge."""
    minutes = int((ends_at - starts_at).total_seconds() // 60)
    peak = peak_minutes(premises, starts_at, ends_at)
    off_rate = tariff.off_peak_ore_per_hour if tariff else 0
    peak_rate = tariff.peak_ore_per_hour if tariff else 0
    exact = peak * peak_rate + (minutes - peak) * off_rate  # öre × minutes / 60 = öre
    return Price(total_ore=(exact + 30) // 60, peak_minutes=peak,
                 off_peak_minutes=minutes - peak, peak_ore_per_hour=peak_rate,
                 off_peak_ore_per_hour=off_rate)


def format_sek(ore: int) -> str:
    """``1 250 kr`` or ``1 250,50 kr`` (Swedish digit grouping with a no-break space)."""
    kronor, rest = divmod(abs(ore), 100)
    grouped = f"{kronor:,}".replace(",", "\u00a0")
    text = f"{grouped},{rest:02d}" if rest else grouped
    return f"{'-' if ore < 0 else ''}{text}\u00a0kr"


def parse_sek(text: str | None) -> int | None:
    """Öre for ``125``, ``125,50``, ``125.5`` or ``1 250`` kronor; None if not an amount."""
    raw = re.sub(r"[\s\u00a0\u202f]|kr$", "", (text or "").strip().lower())
    match = re.fullmatch(r"(\d{1,7})(?:[,.](\d{1,2}))?", raw)
    if not match:
        return None
    ore = (match.group(2) or "0").ljust(2, "0")
    return int(match.group(1)) * 100 + int(ore)
