"""iCalendar files: the booker's .ics, the public premises feed and the secret personal feed."""
from __future__ import annotations

import re
from datetime import date
from html import unescape

from icalendar import Calendar

from lokapp.bookings import services
from lokapp.bookings.models import BookerType, Recurrence
from lokapp.extensions import db
from tests.bookings.helpers import accepted, next_weekday, request_for


def _events(data: bytes):
    calendar = Calendar.from_ical(data)
    return calendar, calendar.walk("VEVENT")


def test_series_ics_is_valid_with_stable_uids_and_stockholm_time(app, db, make_premises,
                                                                 make_user):
    from tests.bookings.helpers import utc

    premises = make_premises()
    with app.test_request_context():
        series = services.create_booking(
            premises, request_for(make_user(), date(2027, 3, 23), recurrence=Recurrence.WEEKLY,
                                  until=date(2027, 3, 30)),
            accepted_terms=accepted(premises), now=utc(2027, 1, 1))
        first = services.calendar_for(series)
        again = services.calendar_for(series)
    calendar, events = _events(first)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    [timezone] = calendar.walk("VTIMEZONE")
    assert timezone["TZID"] == "Europe/Stockholm"
    assert {c.name for c in timezone.subcomponents} == {"STANDARD", "DAYLIGHT"}
    assert [str(e["uid"]) for e in events] == [str(e["uid"]) for e in _events(again)[1]]
    # Both sides of the spring change: 18:00 local, TZID parameter, different UTC offsets.
    starts = [e.decoded("dtstart") for e in events]
    assert [s.strftime("%Y-%m-%d %H:%M") for s in starts] == ["2027-03-23 18:00",
                                                               "2027-03-30 18:00"]
    assert all(e["dtstart"].params["TZID"] == "Europe/Stockholm" for e in events)
    assert [s.utcoffset().total_seconds() for s in starts] == [3600, 7200]
    assert b"DTSTART;TZID=Europe/Stockholm:20270323T180000" in first
    for event in events:
        for prop in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"):
            assert prop in event


def test_public_feed_has_no_personal_data(client, app, make_premises, make_user,
                                          booking_manager):
    premises = make_premises()
    user, association = booking_manager(name="Hemliga sällskapet")
    with app.test_request_context():
        services.create_booking(premises, request_for(
            user, next_weekday(1), booker_type=BookerType.ASSOCIATION, association=association,
            activity="Hemligt möte"), accepted_terms=accepted(premises))
    db.session.commit()
    response = client.get(f"/lokaler/{premises.id}/kalender.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    _calendar, [event] = _events(response.data)
    assert str(event["summary"]) == "Bokad"
    text = response.data.decode()
    for personal in ("Hemliga sällskapet", "Hemligt möte", user.name, user.email):
        assert personal not in text


def test_personal_feed_on_a_secret_revocable_address(client, app, login_as, make_premises):
    premises = make_premises()
    user = login_as()
    with app.test_request_context():
        services.create_booking(premises, request_for(user, next_weekday(1),
                                                      activity="Min kurs"),
                                accepted_terms=accepted(premises))
    db.session.commit()
    page = unescape(client.post("/mina-bokningar/kalender").get_data(as_text=True))
    address = re.search(r'value="(http://localhost/kalender/[^"]+\.ics)"', page).group(1)
    path = address.removeprefix("http://localhost")
    _calendar, [event] = _events(client.get(path).data)
    assert "Min kurs" in str(event["summary"])
    # A new address replaces the old one.
    client.post("/mina-bokningar/kalender")
    assert client.get(path).status_code == 404
    # Revoked: gone.
    page = unescape(client.post("/mina-bokningar/kalender").get_data(as_text=True))
    path = re.search(r'value="http://localhost(/kalender/[^"]+\.ics)"', page).group(1)
    assert client.get(path).status_code == 200
    client.post("/mina-bokningar/kalender/ta-bort")
    assert client.get(path).status_code == 404
    assert client.get("/kalender/gissning.ics").status_code == 404
