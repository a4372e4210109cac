"""Availability: the week view of one premises and the search for a free room.

Both read a bounded number of rows whatever the number of bookings: the premises (with its
hours, blackouts and equipment) and the active occurrences of the period, each in one query;
the grid and the filtering are computed here, in Python.

The week view is a table of local wall-clock hours (rows) × days (columns). A cell is *free*
(the whole hour can be booked), *booked* (an active occurrence overlaps it), *partly booked*,
*closed* (outside opening hours, a holiday or a blackout), *past*, or *no such hour* (02:00 on
the night the clocks go forward). Each cell says so in words, not only in colour.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import lazyload, selectinload

from lokapp.bookings.models import (
    ACTIVE_STATES,
    MAX_OCCURRENCE_LENGTH,
    Blackout,
    BookingOccurrence,
    OpeningHours,
    Premises,
)
from lokapp.bookings.rules import (
    FIRST_DATE,
    LAST_DATE,
    Calendar,
    at,
    exists,
    format_clock,
    shape_problems,
    stockholm_week,
)
from lokapp.core.time import to_local, today_local, utcnow
from lokapp.extensions import db

_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)

FREE, BOOKED, PARTLY, CLOSED, PAST, MISSING = ("free", "booked", "partly", "closed", "past",
                                               "missing")


def parse_week(text: str | None, default: date | None = None) -> tuple[int, int]:
    """(ISO year, week) from ``2026-W13``; the week of ``default`` (today) if not valid."""
    match = _WEEK.match((text or "").strip())
    if match:
        year, week = int(match.group(1)), int(match.group(2))
        try:
            if FIRST_DATE <= date.fromisocalendar(year, week, 1) <= LAST_DATE:
                return year, week
        except ValueError:
            pass
    iso = (default or today_local()).isocalendar()
    return iso[0], iso[1]


def week_key(day: date) -> str:
    iso = day.isocalendar()
    return f"{iso[0]}-W{iso[1]:02d}"


@dataclass
class Cell:
    day: date
    hour: int
    status: str
    label: str
    starts_at: datetime | None = None


@dataclass
class Week:
    year: int
    week: int
    days: list[date]
    hours: list[int]
    rows: list[list[Cell]] = field(default_factory=list)
    closed_days: dict[date, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    @property
    def previous_key(self) -> str:
        return week_key(self.days[0] - timedelta(days=7))

    @property
    def next_key(self) -> str:
        return week_key(self.days[0] + timedelta(days=7))

    @property
    def is_empty(self) -> bool:
        return not self.hours


def load_premises(premises_id: int, *, published_only: bool = True) -> Premises | None:
    """A premises with its hours, blackouts, tariffs, equipment and photos (a query each)."""
    query = select(Premises).where(Premises.id == premises_id).options(
        selectinload(Premises.opening_hours), selectinload(Premises.blackouts),
        selectinload(Premises.tariffs), selectinload(Premises.equipment_rows),
        selectinload(Premises.photos))
    if published_only:
        query = query.where(Premises.is_published)
    return db.session.scalar(query)


def occurrences_between(premises_ids: list[int], start: datetime, end: datetime):
    """``select`` of the (premises, start, end) of active occurrences overlapping the period."""
    return (select(BookingOccurrence.premises_id, BookingOccurrence.starts_at,
                   BookingOccurrence.ends_at)
            .where(BookingOccurrence.premises_id.in_(premises_ids),
                   BookingOccurrence.state.in_(ACTIVE_STATES),
                   BookingOccurrence.starts_at < end, BookingOccurrence.ends_at > start,
                   BookingOccurrence.starts_at > start - MAX_OCCURRENCE_LENGTH)
            .order_by(BookingOccurrence.starts_at))


def week_view(premises: Premises, year: int, week: int, *, now: datetime | None = None) -> Week:
    now = now or utcnow()
    days = stockholm_week(year, week)
    calendar = Calendar(premises)
    spans = {day: calendar.open_span(day) for day in days}
    closed = {day: calendar.closed_reason(day) for day in days if spans[day] is None}
    opens = [s[0] for s in spans.values() if s] or [h[0] for h in calendar.hours.values()]
    closes = [s[1] for s in spans.values() if s] or [h[1] for h in calendar.hours.values()]
    result = Week(year, week, days, [], closed_days=closed)
    if not opens:
        return result
    first_hour, last_hour = min(opens) // 60, (max(closes) + 59) // 60
    result.hours = list(range(first_hour, last_hour))
    booked = [(s, e) for _p, s, e in db.session.execute(occurrences_between(
        [premises.id], at(days[0], 0), at(days[-1] + timedelta(days=1), 0))).all()]
    for hour in result.hours:
        row = []
        for day in days:
            row.append(_cell(day, hour, spans[day], closed.get(day), booked, now))
        result.rows.append(row)
    return result


def _cell(day: date, hour: int, span: tuple[int, int] | None, closed_reason: str | None,
          booked: list[tuple[datetime, datetime]], now: datetime) -> Cell:
    start_minute, end_minute = hour * 60, (hour + 1) * 60
    if not exists(day, start_minute):
        return Cell(day, hour, MISSING, _("Timmen finns inte (klockan ställs fram)"))
    starts_at, ends_at = at(day, start_minute), at(day, end_minute)
    if span is None:
        return Cell(day, hour, CLOSED, closed_reason or _("Stängt"), starts_at)
    if start_minute < span[0] or end_minute > span[1]:
        if end_minute <= span[0] or start_minute >= span[1]:
            return Cell(day, hour, CLOSED, _("Stängt"), starts_at)
    overlapping = [(s, e) for s, e in booked if s < ends_at and e > starts_at]
    if overlapping:
        covered = sum((min(e, ends_at) - max(s, starts_at)).total_seconds()
                      for s, e in overlapping)
        whole = covered >= (ends_at - starts_at).total_seconds()
        if whole:
            return Cell(day, hour, BOOKED, _("Bokat"), starts_at)
        return Cell(day, hour, PARTLY, _("Delvis bokat: %(times)s", times=", ".join(
            f"{to_local(max(s, starts_at)):%H:%M}–{to_local(min(e, ends_at)):%H:%M}"
            for s, e in overlapping)), starts_at)
    if ends_at <= now:
        return Cell(day, hour, PAST, _("Har passerat"), starts_at)
    if start_minute < span[0] or end_minute > span[1]:
        open_from, open_to = max(start_minute, span[0]), min(end_minute, span[1])
        return Cell(day, hour, PARTLY, _("Öppet %(start)s–%(end)s", start=format_clock(open_from),
                                         end=format_clock(open_to)), starts_at)
    return Cell(day, hour, FREE, _("Ledigt"), starts_at)


# --- search ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Criteria:
    day: date | None = None
    start_minute: int | None = None
    end_minute: int | None = None
    attendees: int | None = None
    premises_type: str | None = None
    district_id: int | None = None
    features: tuple[str, ...] = ()

    @property
    def has_time(self) -> bool:
        return self.day is not None and self.start_minute is not None \
            and self.end_minute is not None


ACCESSIBILITY_COLUMNS = {"step_free": Premises.is_step_free,
                         "hearing_loop": Premises.has_hearing_loop,
                         "accessible_toilet": Premises.has_accessible_toilet}


PER_PAGE = 25


@dataclass
class ResultPage:
    """One page of search results: ``items`` and where they are among ``total``."""

    items: list[Premises]
    total: int
    page: int
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.items else 0

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1 if self.items else 0


def search_page(criteria: Criteria, page: int = 1, *, per_page: int = PER_PAGE,
                now: datetime | None = None) -> ResultPage:
    """One page of :func:`search` (``page`` is clamped to the pages there are).

    Without a time the database counts and pages; with a time every candidate is checked
    (its hours, blackouts and bookings – a few queries whatever their number) and the list is
    paged here. Either way a page costs the same number of queries and renders ``per_page``
    premises at most.
    """
    if criteria.has_time:
        found = search(criteria, now=now)
        total = len(found)
        page = max(1, min(page, max(1, -(-total // per_page))))
        items = found[(page - 1) * per_page:page * per_page]
        return ResultPage(items, total, page, per_page)
    query = _matching(criteria)
    total = db.session.scalar(select(func.count()).select_from(
        query.with_only_columns(Premises.id).order_by(None).subquery())) or 0
    page = max(1, min(page, max(1, -(-total // per_page))))
    items = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    return ResultPage(items, total, page, per_page)


def _matching(criteria: Criteria):
    """``select(Premises)``: published premises matching everything but the time, by name."""
    from lokapp.bookings.models import Equipment, PremisesEquipment

    query = select(Premises).where(Premises.is_published).order_by(Premises.name, Premises.id)
    if criteria.attendees:
        query = query.where(Premises.capacity >= criteria.attendees)
    if criteria.premises_type:
        query = query.where(Premises.premises_type == criteria.premises_type)
    if criteria.district_id:
        query = query.where(Premises.district_id == criteria.district_id)
    for feature in criteria.features:
        if feature in ACCESSIBILITY_COLUMNS:
            query = query.where(ACCESSIBILITY_COLUMNS[feature])
        elif feature in {e.value for e in Equipment}:
            query = query.where(select(PremisesEquipment.premises_id).where(
                PremisesEquipment.premises_id == Premises.id,
                PremisesEquipment.item == feature).exists())
    return query


def search(criteria: Criteria, *, now: datetime | None = None) -> list[Premises]:
    """Published premises matching the criteria; with a time, only those open and free then
    (and bookable under their rules for that date and length)."""
    now = now or utcnow()
    query = _matching(criteria).options(lazyload(Premises.equipment_rows))
    if criteria.has_time:
        # Only what decides that one date: its weekday's hours and the blackouts covering it
        # (one row per premises instead of seven; the list shows neither). The collections
        # are partial for this read-only request, which needs nothing else of them.
        day = criteria.day
        query = query.options(
            selectinload(Premises.opening_hours.and_(OpeningHours.weekday == day.weekday())),
            selectinload(Premises.blackouts.and_(Blackout.starts_on <= day,
                                                 Blackout.ends_on >= day)))
    found = list(db.session.scalars(query))
    if not criteria.has_time or not found:
        return found

    starts_at = at(criteria.day, criteria.start_minute)
    ends_at = at(criteria.day, criteria.end_minute)
    taken = {p for p, _s, _e in db.session.execute(
        occurrences_between([p.id for p in found], starts_at, ends_at)).all()}
    result = []
    for premises in found:
        if premises.id in taken:
            continue
        if shape_problems(premises, criteria.start_minute, criteria.end_minute) or \
                Calendar(premises).date_problems(criteria.day, criteria.start_minute,
                                                 criteria.end_minute, now=now):
            continue
        result.append(premises)
    for premises in found:  # the partial collections must not outlive the check
        db.session.expire(premises, ["opening_hours", "blackouts"])
    return result
