"""Staff reports on bookings: the monthly invoicing basis (fakturaunderlag).

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
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lokapp.bookings.models import BookingOccurrence, BookingSeries, OccurrenceState
from lokapp.bookings.rules import at
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


def invoice_occurrences(first: date):
    """``select``: confirmed occurrences starting in the local month beginning ``first``,
    with their series, premises, association, booker and case (a fixed number of queries)."""
    return (select(BookingOccurrence)
            .join(BookingSeries, BookingSeries.id == BookingOccurrence.series_id)
            .where(BookingOccurrence.state == OccurrenceState.CONFIRMED,
                   BookingOccurrence.starts_at >= at(first, 0),
                   BookingOccurrence.starts_at < at(next_month(first), 0))
            .options(selectinload(BookingOccurrence.series).selectinload(
                         BookingSeries.association),
                     selectinload(BookingOccurrence.series).selectinload(
                         BookingSeries.booked_by),
                     selectinload(BookingOccurrence.series).selectinload(BookingSeries.case),
                     selectinload(BookingOccurrence.premises))
            .order_by(BookingOccurrence.starts_at, BookingOccurrence.id))


def invoicing_basis(first: date) -> list[BookerLines]:
    """The month's invoicing basis per booker, bookers by name, lines by time."""
    bookers: dict[str, BookerLines] = {}
    for occurrence in db.session.scalars(invoice_occurrences(first)):
        series = occurrence.series
        key = (f"association-{series.association_id}-{series.booker_type}"
               if series.association_id is not None
               else f"person-{series.booked_by_id}-{series.booker_type}")
        booker = bookers.get(key)
        if booker is None:
            booker = bookers[key] = _booker_of(key, series)
        booker.lines.append(InvoiceLine(
            reference=series.reference, case_number=series.case.number if series.case else None,
            premises=occurrence.premises.name, starts_at=occurrence.starts_at,
            ends_at=occurrence.ends_at, minutes=occurrence.minutes,
            peak_minutes=occurrence.peak_minutes, amount_ore=occurrence.price_ore,
            activity=series.activity))
    return sorted(bookers.values(), key=lambda b: (b.name.casefold(), b.key))


def _booker_of(key: str, series: BookingSeries) -> BookerLines:
    label = str(series.booker_type.label)
    if series.association is not None:
        association = series.association
        return BookerLines(key, association.name, label, association.orgnr or "",
                           association.email or "")
    person = series.booked_by
    if person is None:
        return BookerLines(key, _("Borttaget konto"), label, "", "")
    return BookerLines(key, person.name, label, "", person.email or "")


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
