"""Staff reports on bookings: the monthly invoicing basis (fakturaunderlag) and the
utilisation of each premises (beläggning) with its co-use by associations.

Invoicing basis. One row per *confirmed* occurrence that starts in the local calendar month,
grouped by booker – an association (by booker type: association or youth tariff) or a person
(resident or commercial) – with the booking reference, the premises, the local date and times,
the hours (real elapsed time), the peak hours and the amount. The amount is the occurrence's
own ``price_ore``: the tariff × hours worked out when it was booked (or moved), so a later
tariff change does not alter what the booker agreed to pay. Cancelled, rejected and
still-requested occurrences are not invoiced. No payment is handled here: the files go to the
city's invoicing system.

The files: CSV as Swedish Excel opens it (UTF-8 with BOM, semicolons, decimal comma) and an
Excel workbook (openpyxl) with the rows and a summary per booker. Text that a spreadsheet
would take for a formula (``=``, ``+``, ``-``, ``@`` first) is prefixed with ``'``.

Utilisation. For a week or a month: booked hours / bookable hours per premises, where
bookable hours come from the configured opening hours less holidays and blackouts, and the
number of distinct associations that used the premises (samutnyttjande) – see
:func:`utilisation`.

Equal treatment. Per booking request of an association (a series): requested hours, allocated
(confirmed) hours, the peak-time share of the allocated hours and the outcome – the data the
equal-treatment report needs about premises (:func:`equal_treatment`). A series made by a
seasonal allocation round says so as its outcome; the round's own figures (requested and
allocated hours per week per application, also the wishes not met) are
:func:`lokapp.bookings.seasons.hours_csv`.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import lazyload, selectinload

from lokapp.associations.models import Association
from lokapp.auth.models import User
from lokapp.bookings.models import (
    MAX_OCCURRENCE_LENGTH,
    Blackout,
    BookerType,
    BookingOccurrence,
    BookingSeries,
    OccurrenceState,
    OpeningHours,
    Premises,
)
from lokapp.bookings.rules import Calendar, at
from lokapp.bookings.workflow import BookingCaseState
from lokapp.core.cases import Case
from lokapp.core.time import to_local
from lokapp.extensions import db

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str | None, default: date) -> date:
    """The first day of the month ``2026-11``; the month of ``default`` if not valid."""
    match = _MONTH.match((text or "").strip())
    if match and 1 <= int(match.group(2)) <= 12 and 2000 <= int(match.group(1)) <= 2100:
        return date(int(match.group(1)), int(match.group(2)), 1)
    return default.replace(day=1)


def next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def previous_month(first: date) -> date:
    return date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)


def month_key(first: date) -> str:
    return f"{first.year:04d}-{first.month:02d}"


# --- invoicing basis ------------------------------------------------------------------------

@dataclass(frozen=True)
class InvoiceLine:
    reference: str
    case_number: str | None
    premises: str
    starts_at: datetime
    ends_at: datetime
    minutes: int
    peak_minutes: int
    amount_ore: int
    activity: str

    @property
    def local_date(self) -> str:
        return to_local(self.starts_at).strftime("%Y-%m-%d")

    @property
    def local_start(self) -> str:
        return to_local(self.starts_at).strftime("%H:%M")

    @property
    def local_end(self) -> str:
        return to_local(self.ends_at).strftime("%H:%M")


@dataclass
class BookerLines:
    """Everything one booker is invoiced for in the month."""

    key: str
    name: str
    booker_type: str
    orgnr: str
    email: str
    lines: list[InvoiceLine] = field(default_factory=list)

    @property
    def total_ore(self) -> int:
        return sum(line.amount_ore for line in self.lines)

    @property
    def minutes(self) -> int:
        return sum(line.minutes for line in self.lines)

    @property
    def references(self) -> str:
        """The booking references, each once, in the order of the lines."""
        return ", ".join(dict.fromkeys(line.reference for line in self.lines))


def invoice_occurrences(first: date):
    """``select`` of plain rows: confirmed occurrences starting in the local month beginning
    ``first`` with what the invoice needs of their series, premises, association, booker and
    case – one query, no ORM objects (a month can hold tens of thousands of occurrences)."""
    return (select(BookingOccurrence.starts_at, BookingOccurrence.ends_at,
                   BookingOccurrence.peak_minutes, BookingOccurrence.price_ore,
                   BookingSeries.id.label("series_id"), BookingSeries.booker_type,
                   BookingSeries.activity, BookingSeries.association_id,
                   BookingSeries.booked_by_id, Premises.name.label("premises_name"),
                   Association.name.label("association_name"), Association.orgnr,
                   Association.email.label("association_email"),
                   User.name.label("user_name"), User.email.label("user_email"),
                   Case.number.label("case_number"))
            .join(BookingSeries, BookingSeries.id == BookingOccurrence.series_id)
            .join(Premises, Premises.id == BookingOccurrence.premises_id)
            .outerjoin(Association, Association.id == BookingSeries.association_id)
            .outerjoin(User, User.id == BookingSeries.booked_by_id)
            .outerjoin(Case, Case.id == BookingSeries.case_id)
            .where(BookingOccurrence.state == OccurrenceState.CONFIRMED,
                   BookingOccurrence.starts_at >= at(first, 0),
                   BookingOccurrence.starts_at < at(next_month(first), 0))
            .order_by(BookingOccurrence.starts_at, BookingOccurrence.id))


def invoicing_basis(first: date) -> list[BookerLines]:
    """The month's invoicing basis per booker, bookers by name, lines by time."""
    bookers: dict[str, BookerLines] = {}
    for row in db.session.execute(invoice_occurrences(first)):
        booker_type = BookerType(row.booker_type)
        key = (f"association-{row.association_id}-{booker_type}"
               if row.association_id is not None
               else f"person-{row.booked_by_id}-{booker_type}")
        booker = bookers.get(key)
        if booker is None:
            booker = bookers[key] = _booker_of(key, row, booker_type)
        booker.lines.append(InvoiceLine(
            reference=BookingSeries.reference_of(row.series_id), case_number=row.case_number,
            premises=row.premises_name, starts_at=row.starts_at, ends_at=row.ends_at,
            minutes=int((row.ends_at - row.starts_at).total_seconds() // 60),
            peak_minutes=row.peak_minutes, amount_ore=row.price_ore, activity=row.activity))
    return sorted(bookers.values(), key=lambda b: (b.name.casefold(), b.key))


def _booker_of(key: str, row, booker_type: BookerType) -> BookerLines:
    label = str(booker_type.label)
    if row.association_id is not None:
        return BookerLines(key, row.association_name, label, row.orgnr or "",
                           row.association_email or "")
    if row.booked_by_id is None:
        return BookerLines(key, _("Borttaget konto"), label, "", "")
    return BookerLines(key, row.user_name, label, "", row.user_email or "")


def _hours(minutes: int) -> str:
    return f"{minutes / 60:.2f}".replace(".", ",")


def _kronor(ore: int) -> str:
    return f"{ore / 100:.2f}".replace(".", ",")


def _safe(text: str | None) -> str:
    """Text a spreadsheet will not run as a formula."""
    text = text or ""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def invoice_columns() -> list[str]:
    return [_("Bokare"), _("Bokartyp"), _("Organisationsnummer"), _("E-post"),
            _("Bokningsreferens"), _("Ärendenummer"), _("Lokal"), _("Aktivitet"), _("Datum"),
            _("Från"), _("Till"), _("Timmar"), _("Varav högtrafik, timmar"), _("Belopp, kr")]


def _invoice_rows(bookers: list[BookerLines]):
    for booker in bookers:
        for line in booker.lines:
            yield booker, line


def invoicing_csv(bookers: list[BookerLines]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(invoice_columns())
    for booker, line in _invoice_rows(bookers):
        writer.writerow([_safe(booker.name), booker.booker_type, booker.orgnr,
                         _safe(booker.email), line.reference, line.case_number or "",
                         _safe(line.premises), _safe(line.activity), line.local_date,
                         line.local_start, line.local_end, _hours(line.minutes),
                         _hours(line.peak_minutes), _kronor(line.amount_ore)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def invoicing_xlsx(bookers: list[BookerLines], first: date) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Underlag")
    sheet.append(invoice_columns())
    for booker, line in _invoice_rows(bookers):
        sheet.append([_safe(booker.name), booker.booker_type, booker.orgnr, _safe(booker.email),
                      line.reference, line.case_number or "", _safe(line.premises),
                      _safe(line.activity), to_local(line.starts_at).date(), line.local_start,
                      line.local_end, round(line.minutes / 60, 2),
                      round(line.peak_minutes / 60, 2), line.amount_ore / 100])
    for row in sheet.iter_rows(min_row=2, min_col=9, max_col=9):
        row[0].number_format = "yyyy-mm-dd"
    for row in sheet.iter_rows(min_row=2, min_col=14, max_col=14):
        row[0].number_format = "#,##0.00"
    summary = workbook.create_sheet(_("Per bokare"))
    summary.append([_("Bokare"), _("Bokartyp"), _("Organisationsnummer"), _("E-post"),
                    _("Tillfällen"), _("Timmar"), _("Belopp, kr")])
    for booker in bookers:
        summary.append([_safe(booker.name), booker.booker_type, booker.orgnr,
                        _safe(booker.email), len(booker.lines), round(booker.minutes / 60, 2),
                        booker.total_ore / 100])
    for ws in (sheet, summary):
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
    workbook.properties.title = _("Fakturaunderlag lokalbokning %(month)s",
                                  month=month_key(first))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- utilisation and co-use -----------------------------------------------------------------

@dataclass
class PremisesUse:
    """One premises over a period: bookable and booked real hours, distinct associations."""

    premises: Premises
    bookable_minutes: int = 0
    booked_minutes: int = 0
    association_ids: set[int] = field(default_factory=set)

    @property
    def associations(self) -> int:
        return len(self.association_ids)

    @property
    def percent(self) -> int:
        """Booked share of the bookable time, whole per cent (0–100)."""
        if not self.bookable_minutes:
            return 0
        return min(100, round(100 * self.booked_minutes / self.bookable_minutes))


@dataclass
class Utilisation:
    first: date
    last: date
    rows: list[PremisesUse]

    @property
    def bookable_minutes(self) -> int:
        return sum(r.bookable_minutes for r in self.rows)

    @property
    def booked_minutes(self) -> int:
        return sum(r.booked_minutes for r in self.rows)

    @property
    def percent(self) -> int:
        total = self.bookable_minutes
        return min(100, round(100 * self.booked_minutes / total)) if total else 0

    @property
    def associations(self) -> int:
        return len(set().union(*(r.association_ids for r in self.rows)))


def _open_interval(calendar: Calendar, day: date, instant=at
                   ) -> tuple[datetime, datetime] | None:
    span = calendar.open_span(day)
    return None if span is None else (instant(day, span[0]), instant(day, span[1]))


def utilisation(first: date, last: date) -> Utilisation:
    """Every premises' use from local ``first`` to ``last`` (both included).

    Bookable time: the opening hours of each day, less holidays (where the premises closes on
    them), blackouts and closed weekdays – real elapsed time, so the spring night is an hour
    shorter. Booked time: confirmed occurrences, counted only inside the bookable time.
    Associations: distinct associations with a confirmed occurrence in the period. Three
    queries for the premises, their hours (plain rows) and the period's blackouts, one for the
    occurrences.
    """
    premises = db.session.scalars(
        select(Premises).options(lazyload(Premises.equipment_rows))
        .order_by(Premises.name, Premises.id)).all()
    # Hours and blackouts as plain rows: thousands of ORM objects cost more than the report.
    hours: dict[int, dict[int, tuple[int, int]]] = {}
    for premises_id, weekday, opens, closes in db.session.execute(
            select(OpeningHours.premises_id, OpeningHours.weekday, OpeningHours.opens_minute,
                   OpeningHours.closes_minute)):
        hours.setdefault(premises_id, {})[weekday] = (opens, closes)
    blackouts: dict[int, list[Blackout]] = {}
    for blackout in db.session.scalars(select(Blackout).where(
            Blackout.starts_on <= last, Blackout.ends_on >= first)):
        blackouts.setdefault(blackout.premises_id, []).append(blackout)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    uses: dict[int, PremisesUse] = {}
    open_times: dict[int, dict[date, tuple[datetime, datetime]]] = {}
    instants: dict[tuple[date, int], datetime] = {}

    def instant(day: date, minute: int) -> datetime:
        """``at()`` once per local day and minute: most premises share their hours."""
        if (day, minute) not in instants:
            instants[day, minute] = at(day, minute)
        return instants[day, minute]

    for place in premises:
        calendar = Calendar(place, hours=hours.get(place.id, {}),
                            blackouts=blackouts.get(place.id, []))
        spans = {day: span for day in days if (span := _open_interval(calendar, day, instant))}
        open_times[place.id] = spans
        uses[place.id] = PremisesUse(place, bookable_minutes=sum(
            int((end - start).total_seconds() // 60) for start, end in spans.values()))
    start, end = at(first, 0), at(last + timedelta(days=1), 0)
    rows = db.session.execute(
        select(BookingOccurrence.premises_id, BookingOccurrence.starts_at,
               BookingOccurrence.ends_at, BookingSeries.association_id)
        .join(BookingSeries, BookingSeries.id == BookingOccurrence.series_id)
        .where(BookingOccurrence.state == OccurrenceState.CONFIRMED,
               BookingOccurrence.starts_at < end, BookingOccurrence.ends_at > start,
               BookingOccurrence.starts_at > start - MAX_OCCURRENCE_LENGTH))
    for premises_id, starts_at, ends_at, association_id in rows:
        use = uses.get(premises_id)
        if use is None:
            continue
        if association_id is not None:
            use.association_ids.add(association_id)
        day = to_local(starts_at).date()
        while day <= to_local(ends_at).date():
            if (span := open_times[premises_id].get(day)) is not None:
                overlap = (min(ends_at, span[1]) - max(starts_at, span[0])).total_seconds()
                use.booked_minutes += max(0, int(overlap // 60))
            day += timedelta(days=1)
    return Utilisation(first, last, list(uses.values()))


def format_hours(minutes: int) -> str:
    """``12,5`` – hours with at most one decimal, Swedish decimal comma."""
    text = f"{minutes / 60:.1f}".replace(".", ",")
    return text[:-2] if text.endswith(",0") else text


# --- data for the equal-treatment report ----------------------------------------------------

@dataclass
class RequestOutcome:
    """One association's booking request (a series) with time in the period."""

    series: BookingSeries
    requested_minutes: int = 0
    allocated_minutes: int = 0
    allocated_peak_minutes: int = 0
    is_season: bool = False

    @property
    def outcome(self) -> str:
        if self.is_season:
            return _("Säsongsbokning")
        case = self.series.case
        if case is None:
            return _("Bokad direkt")
        return str(BookingCaseState(case.state).label)

    @property
    def peak_percent(self) -> int | None:
        if not self.allocated_minutes:
            return None
        return round(100 * self.allocated_peak_minutes / self.allocated_minutes)


def equal_treatment(first: date, last: date) -> list[RequestOutcome]:
    """Every association's booking request with occurrences from local ``first`` to ``last``:
    requested hours (every occurrence asked for, whatever became of it), allocated hours
    (confirmed), the peak-time share of the allocated hours, and the outcome (booked
    directly, by a seasonal allocation round, or the booking case's state). Three queries
    for the occurrences, the series and the season's series, and one each for their
    associations, premises and cases per 500 series.
    """
    start, end = at(first, 0), at(last + timedelta(days=1), 0)
    in_period = (BookingSeries.association_id.is_not(None),
                 BookingOccurrence.starts_at >= start, BookingOccurrence.starts_at < end)
    rows = db.session.execute(
        select(BookingOccurrence.series_id, BookingOccurrence.starts_at,
               BookingOccurrence.ends_at, BookingOccurrence.state,
               BookingOccurrence.peak_minutes)
        .join(BookingSeries, BookingSeries.id == BookingOccurrence.series_id)
        .where(*in_period)).all()
    wanted = (select(BookingOccurrence.series_id)
              .join(BookingSeries, BookingSeries.id == BookingOccurrence.series_id)
              .where(*in_period))
    series = {s.id: RequestOutcome(s) for s in db.session.scalars(
        select(BookingSeries).where(BookingSeries.id.in_(wanted))
        .options(selectinload(BookingSeries.association),
                 selectinload(BookingSeries.premises), selectinload(BookingSeries.case)))}
    from lokapp.bookings.season_models import SeasonWish

    for series_id in db.session.scalars(select(SeasonWish.series_id).where(
            SeasonWish.series_id.in_(wanted))):
        series[series_id].is_season = True
    for series_id, starts_at, ends_at, state, peak in rows:
        use = series[series_id]
        minutes = int((ends_at - starts_at).total_seconds() // 60)
        use.requested_minutes += minutes
        if state == OccurrenceState.CONFIRMED:
            use.allocated_minutes += minutes
            use.allocated_peak_minutes += peak
    return sorted(series.values(), key=lambda r: (r.series.association.name.casefold(),
                                                   r.series.created_at, r.series.id))


def equal_treatment_csv(requests: list[RequestOutcome]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([_("Förening"), _("Organisationsnummer"), _("Kategori"), _("Bokartyp"),
                     _("Bokningsreferens"), _("Ärendenummer"), _("Lokal"), _("Aktivitet"),
                     _("Inkom"), _("Begärda timmar"), _("Tilldelade timmar"),
                     _("Varav högtrafik, timmar"), _("Andel högtrafik, procent"), _("Utfall")])
    for r in requests:
        s = r.series
        association = s.association
        writer.writerow([
            _safe(association.name), association.orgnr or "",
            _safe(association.category.name_sv) if association.category else "",
            str(s.booker_type.label), s.reference, s.case.number if s.case else "",
            _safe(s.premises.name), _safe(s.activity), to_local(s.created_at).strftime(
                "%Y-%m-%d"), _hours(r.requested_minutes), _hours(r.allocated_minutes),
            _hours(r.allocated_peak_minutes),
            "" if r.peak_percent is None else str(r.peak_percent), r.outcome])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
