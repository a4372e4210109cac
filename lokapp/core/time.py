"""Time is local: Europe/Stockholm on screen, UTC in the database.

All datetimes in lokapp are timezone-aware. Columns use :class:`lokapp.core.types.UTCDateTime`,
which stores UTC and hands back aware UTC values; templates show them with the ``localtime``
filter. Wall-clock times (a booking at 18:00 every Tuesday) are combined with a date through
:func:`local_datetime`, which resolves the DST gap and overlap deterministically.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def utcnow() -> datetime:
    return datetime.now(UTC)


def localnow() -> datetime:
    return datetime.now(STOCKHOLM)


def today_local() -> date:
    return localnow().date()


def to_local(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetime: lokapp stores only timezone-aware datetimes")
    return value.astimezone(STOCKHOLM)


def local_datetime(day: date, wall: time) -> datetime:
    """The aware datetime for a wall-clock time on a local day.

    In the spring gap (02:00–03:00 on the last Sunday of March does not exist) the time moves
    forward by the gap; in the autumn overlap the first (summer time) occurrence is used.
    """
    naive = datetime.combine(day, wall.replace(tzinfo=None))
    candidate = naive.replace(tzinfo=STOCKHOLM, fold=0)
    # Round-trip through UTC: a non-existent time comes back different.
    roundtrip = candidate.astimezone(UTC).astimezone(STOCKHOLM)
    if roundtrip.replace(tzinfo=None) != naive:
        return (naive + timedelta(hours=1)).replace(tzinfo=STOCKHOLM)
    return candidate


def format_local(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    return to_local(value).strftime(fmt)
