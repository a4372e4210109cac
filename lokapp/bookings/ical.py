"""iCalendar (RFC 5545) files for bookings.

Every event carries a stable UID (``booking-<occurrence id>@<host>``: a re-sent or updated
file replaces the event in the booker's calendar instead of adding a second one), a SEQUENCE
that grows with each change, and DTSTART/DTEND in local time with ``TZID=Europe/Stockholm``;
the calendar carries the matching VTIMEZONE with the EU daylight-saving rules, so a calendar
program shows 18:00 on both sides of the change. Cancelled and rejected occurrences are
exported as ``STATUS:CANCELLED`` so calendars remove them.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from icalendar import Calendar, Event, Timezone

from lokapp.bookings.models import BookingOccurrence, OccurrenceState
from lokapp.core.time import to_local, utcnow

PRODID = "-//Västerås stad//lokapp lokalbokning//SV"
UID_DOMAIN = "lokapp.vasteras.se"

# Europe/Stockholm with the EU rules (last Sunday of March 02:00 -> 03:00, last Sunday of
# October 03:00 -> 02:00): compact and valid for every year, unlike a list of dates.
STOCKHOLM_VTIMEZONE = """BEGIN:VTIMEZONE
TZID:Europe/Stockholm
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
"""


def occurrence_uid(occurrence_id: int) -> str:
    return f"booking-{occurrence_id}@{UID_DOMAIN}"


def _sequence(occurrence: BookingOccurrence) -> int:
    """Grows when the occurrence changes (moved, cancelled): seconds since it was created."""
    return max(0, int((occurrence.updated_at - occurrence.created_at).total_seconds()))


def new_calendar(name: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Stockholm")
    calendar.add_component(Timezone.from_ical(STOCKHOLM_VTIMEZONE))
    return calendar


def occurrence_event(occurrence: BookingOccurrence, *, summary: str, location: str,
                     description: str = "", stamp: datetime | None = None,
                     url: str | None = None) -> Event:
    event = Event()
    event.add("uid", occurrence_uid(occurrence.id))
    event.add("dtstamp", stamp or utcnow())
    event.add("dtstart", to_local(occurrence.starts_at))
    event.add("dtend", to_local(occurrence.ends_at))
    event.add("summary", summary)
    event.add("location", location)
    if description:
        event.add("description", description)
    if url:
        event.add("url", url)
    event.add("sequence", _sequence(occurrence))
    event.add("status", {OccurrenceState.CONFIRMED: "CONFIRMED",
                         OccurrenceState.REQUESTED: "TENTATIVE"}.get(occurrence.state,
                                                                      "CANCELLED"))
    event.add("transp", "OPAQUE")
    return event


def to_bytes(calendar: Calendar) -> bytes:
    return calendar.to_ical()


def series_calendar(occurrences: Iterable[BookingOccurrence], *, summary: str, location: str,
                    description: str = "", url: str | None = None) -> bytes:
    """One .ics for a booker: every occurrence of their series (cancelled ones as cancelled)."""
    calendar = new_calendar()
    stamp = utcnow()
    for occurrence in occurrences:
        calendar.add_component(occurrence_event(occurrence, summary=summary, location=location,
                                                description=description, stamp=stamp, url=url))
    return to_bytes(calendar)
