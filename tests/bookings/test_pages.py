"""The booking pages: catalogue and search, week view, the booking flow, the booker's and the
officer's pages."""
from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

from sqlalchemy import select

from lokapp.bookings import services
from lokapp.bookings.models import (
    BookerType,
    BookingOccurrence,
    BookingSeries,
    OccurrenceState,
    Recurrence,
)
from lokapp.bookings.rules import interval
from lokapp.core.time import today_local, utcnow
from lokapp.extensions import db
from tests.bookings.helpers import accepted, next_weekday, request_for


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _week_key(day) -> str:
    iso = day.isocalendar()
    return f"{iso[0]}-W{iso[1]:02d}"


# --- catalogue and search -------------------------------------------------------------------

def test_catalogue_lists_published_premises_only(client, make_premises):
    make_premises(name="Aulan Viksäng", is_step_free=True)
    make_premises(name="Hemlig lokal", is_published=False)
    db.session.commit()
    html = _text(client.get("/lokaler"))
    assert "Aulan Viksäng" in html
    assert "Hemlig lokal" not in html
    assert "Tillgänglig utan trappsteg" in html


def test_search_for_a_free_room_with_features(client, app, make_premises, make_user):
    day = next_weekday(1)
    small = make_premises(name="Lilla rummet", capacity=8, has_hearing_loop=True)
    make_premises(name="Stora salen", capacity=80, has_hearing_loop=True)
    booked = make_premises(name="Upptagna salen", capacity=80, has_hearing_loop=True)
    make_premises(name="Salen utan slinga", capacity=80)
    with app.test_request_context():
        services.create_booking(booked, request_for(make_user(), day),
                                accepted_terms=accepted(booked))
    db.session.commit()
    html = _text(client.get("/lokaler", query_string={
        "datum": day.isoformat(), "fran": "18:00", "till": "20:00", "antal": "20",
        "funktioner": "hearing_loop"}))
    assert "Stora salen" in html
    for absent in ("Lilla rummet", "Upptagna salen", "Salen utan slinga"):
        assert absent not in html
    assert "1 lokal är ledig" in html
    assert f"/lokaler/{small.id}" not in html


def test_search_keeps_bad_input_and_explains(client, make_premises):
    make_premises()
    db.session.commit()
    html = _text(client.get("/lokaler", query_string={"fran": "18:00"}))
    assert "Fyll i datum, från och till" in html
    assert 'value="18:00"' in html


def test_premises_page_shows_the_week_as_a_table(client, app, make_premises, make_user):
    premises = make_premises(hours={d: (8 * 60, 22 * 60) for d in range(5)})
    day = next_weekday(1)
    with app.test_request_context():
        services.create_booking(premises, request_for(make_user(), day, "18:00", "20:00"),
                                accepted_terms=accepted(premises))
    db.session.commit()
    html = _text(client.get(f"/lokaler/{premises.id}", query_string={"vecka": _week_key(day)}))
    assert "<table class=\"week\">" in html
    assert "<caption>" in html
    assert '<th scope="col" id="d0">Måndag' in html
    assert '<th scope="row">18:00–19:00</th>' in html
    assert "Bokat" in html and "Ledigt" in html and "Stängt på lördagar." in html
    key = _week_key(day)
    assert f"vecka={_week_key(day - timedelta(days=7))}" in html
    assert f"vecka={_week_key(day + timedelta(days=7))}" in html
    assert key in _week_key(day)
    # Nothing personal about the booker in the public week.
    assert "Styrelsemöte" not in html


def test_week_view_query_count_does_not_grow_with_bookings(client, app, make_premises,
                                                           make_user, count_queries):
    quiet = make_premises(name="Lugna", hours={d: (0, 24 * 60) for d in range(7)},
                          max_minutes=1440, min_minutes=30)
    busy = make_premises(name="Fulla", hours={d: (0, 24 * 60) for d in range(7)},
                         max_minutes=1440, min_minutes=30)
    monday = next_weekday(0, weeks_ahead=2)
    series = BookingSeries(premises=busy, booked_by=make_user(), booker_type=BookerType.RESIDENT,
                           activity="Fyllnad", recurrence=Recurrence.SINGLE, first_date=monday,
                           last_date=monday, start_minute=0, end_minute=30,
                           terms_accepted_at=utcnow(), terms_checksum="x")
    db.session.add(series)

    def fill(premises, count):
        slots = [(d, m) for d in range(7) for m in range(0, 1440, 30)][:count]
        for d, minute in slots:
            start, end = interval(monday + timedelta(days=d), minute, minute + 30)
            db.session.add(BookingOccurrence(series=series, premises_id=premises.id,
                                             starts_at=start, ends_at=end,
                                             state=OccurrenceState.CONFIRMED, price_ore=0))

    fill(quiet, 10)
    fill(busy, 200)
    db.session.commit()
    week = _week_key(monday)
    quiet_url, busy_url = f"/lokaler/{quiet.id}?vecka={week}", f"/lokaler/{busy.id}?vecka={week}"
    client.get(quiet_url)  # warm up (babel, templates)
    with count_queries() as few:
        assert "Bokat" in _text(client.get(quiet_url))
    with count_queries() as many:
        response = client.get(busy_url)
    assert response.status_code == 200
    assert few.count == many.count, (few, many)
    assert many.count <= 8, many


def test_unknown_or_unpublished_premises_is_404(client, make_premises):
    hidden = make_premises(is_published=False)
    db.session.commit()
    assert client.get(f"/lokaler/{hidden.id}").status_code == 404
    assert client.get("/lokaler/999999").status_code == 404


# --- the booking flow -----------------------------------------------------------------------

def _form(day, **overrides):
    data = {"booker": "private", "activity": "Födelsedagsfest", "attendees": "12",
            "day": day.isoformat(), "start": "18:00", "end": "20:00", "recurrence": "single"}
    data.update(overrides)
    return data


def test_resident_books_with_preview_price_and_terms(client, login_as, make_premises):
    premises = make_premises()
    user = login_as()
    day = next_weekday(1)
    page = _text(client.get(f"/lokaler/{premises.id}/boka?datum={day.isoformat()}&fran=18:00"))
    assert f'value="{day.isoformat()}"' in page and 'value="18:00"' in page

    preview = client.post(f"/lokaler/{premises.id}/boka", data=_form(day))
    assert preview.status_code == 200
    html = _text(preview)
    assert "Kontrollera och bekräfta bokningen" in html
    assert "600\u00a0kr" in html  # two peak hours at 300 kr
    assert "Lämna lokalen städad." in html  # the terms
    checksum = re.search(r'name="terms_checksum" value="([0-9a-f]{64})"', html).group(1)

    # Without accepting the terms nothing is booked and the preview says why.
    refused = client.post(f"/lokaler/{premises.id}/boka/bekrafta",
                          data={**_form(day), "terms_checksum": checksum})
    assert refused.status_code == 400
    assert "Du behöver godkänna villkoren för att boka." in _text(refused)

    done = client.post(f"/lokaler/{premises.id}/boka/bekrafta",
                       data={**_form(day), "terms_checksum": checksum, "accept_terms": "y"})
    assert done.status_code == 302
    series = db.session.scalars(select(BookingSeries)).one()
    assert series.booked_by_id == user.id
    assert done.headers["Location"].endswith(f"/bokningar/{series.id}")
    page = _text(client.get(f"/bokningar/{series.id}"))
    assert "Bekräftad" in page
    assert "Kod 4711" in page  # access instructions for the booker of a confirmed booking
    assert "Avboka" in page
    ics = client.get(f"/bokningar/{series.id}/kalender.ics")
    assert ics.mimetype == "text/calendar"
    assert b"TZID=Europe/Stockholm" in ics.data


def test_every_rule_violation_keeps_the_input(client, login_as, make_premises):
    premises = make_premises(max_days_ahead=30)
    login_as()
    day = next_weekday(1)
    cases = {
        ("18:00", "18:30", day): "Bokningen är för kort",
        ("10:00", "15:00", day): "Bokningen är för lång",
        ("18:10", "20:00", day): "jämna 30 minuter",
        ("06:00", "08:00", day): "Välj en tid inom öppettiderna",
        ("18:00", "20:00", today_local() - timedelta(days=2)): "har redan varit",
        ("18:00", "20:00", today_local() + timedelta(days=45)): "högst 30 dagar framåt",
    }
    for (start, end, when), message in cases.items():
        response = client.post(f"/lokaler/{premises.id}/boka",
                               data=_form(when, start=start, end=end, activity="Kör"))
        html = _text(response)
        assert response.status_code == 400, message
        assert message in html
        assert 'class="error-summary"' in html
        assert f'value="{start}"' in html and 'value="Kör"' in html


def test_double_booking_through_the_pages(client, login_as, make_premises, make_user, app):
    premises = make_premises()
    day = next_weekday(1)
    with app.test_request_context():
        services.create_booking(premises, request_for(make_user(), day),
                                accepted_terms=accepted(premises))
    db.session.commit()
    login_as()
    response = client.post(f"/lokaler/{premises.id}/boka", data=_form(day, start="19:00",
                                                                       end="21:00"))
    assert response.status_code == 400
    assert "Tiden är redan bokad" in _text(response)


def test_booking_for_an_association_and_the_officer_decides(client, login_as, make_premises,
                                                           booking_manager, make_user):
    premises = make_premises(requires_approval=True, bookable_by_residents=False)
    user, association = booking_manager()
    login_as(user=user)
    day = next_weekday(2)
    form = _form(day, booker=f"association-{association.id}", activity="Körövning")
    html = _text(client.post(f"/lokaler/{premises.id}/boka", data=form))
    assert "Skicka bokningsförfrågan" in html
    assert "Jag själv" not in html
    response = client.post(f"/lokaler/{premises.id}/boka/bekrafta", data={
        **form, "accept_terms": "y", "terms_checksum": accepted(premises)})
    assert response.status_code == 302
    series = db.session.scalars(select(BookingSeries)).one()
    assert series.association_id == association.id
    page = _text(client.get(f"/bokningar/{series.id}"))
    assert "Väntar på beslut" in page
    assert "Kod 4711" not in page  # not before it is confirmed

    officer = login_as("officer", areas=("bookings",))
    queue = _text(client.get("/lokalbokning"))
    assert series.case.number in queue and association.name in queue
    response = client.post(f"/bokningar/{series.id}/arende/reject", data={"note": ""})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(BookingSeries, series.id).case.state == "submitted"
    client.post(f"/bokningar/{series.id}/arende/approve", data={})
    db.session.expire_all()
    series = db.session.get(BookingSeries, series.id)
    assert series.case.state == "approved"
    assert series.occurrences[0].state == OccurrenceState.CONFIRMED
    assert officer.id != user.id


def test_officer_cancels_with_reason_from_the_page(client, login_as, make_premises, make_user,
                                                  app):
    premises = make_premises()
    day = next_weekday(1)
    with app.test_request_context():
        series = services.create_booking(premises, request_for(make_user(), day),
                                         accepted_terms=accepted(premises))
    db.session.commit()
    login_as("officer", areas=("bookings",))
    page = _text(client.get(f"/bokningar/{series.id}"))
    assert "Avboka som handläggare" in page
    assert "Kod 4711" not in page  # only the booker sees the key instructions
    occurrence_id = series.occurrences[0].id
    client.post(f"/lokalbokning/tillfallen/{occurrence_id}/avboka", data={"reason": ""})
    db.session.expire_all()
    assert db.session.get(BookingOccurrence, occurrence_id).state == OccurrenceState.CONFIRMED
    client.post(f"/lokalbokning/tillfallen/{occurrence_id}/avboka",
                data={"reason": "Lokalen behövs för evakuering."})
    db.session.expire_all()
    assert db.session.get(BookingOccurrence, occurrence_id).state == OccurrenceState.CANCELLED


def test_others_cannot_see_or_cancel_a_booking(client, login_as, make_premises, make_user, app):
    premises = make_premises()
    with app.test_request_context():
        series = services.create_booking(premises, request_for(make_user(), next_weekday(1)),
                                         accepted_terms=accepted(premises))
    db.session.commit()
    login_as()
    assert client.get(f"/bokningar/{series.id}").status_code == 403
    assert client.get(f"/bokningar/{series.id}/kalender.ics").status_code == 403
    occurrence_id = series.occurrences[0].id
    assert client.post(f"/bokningar/tillfallen/{occurrence_id}/avboka").status_code == 403
    login_as("officer", areas=("grants",))
    assert client.get("/lokalbokning").status_code == 403


def test_mine_lists_own_and_association_bookings(client, login_as, make_premises,
                                                booking_manager, make_user, app):
    premises = make_premises()
    user, association = booking_manager()
    colleague = make_user()
    from tests.bookings.helpers import add_member

    add_member(colleague, association, "booking_manager")
    with app.test_request_context():
        services.create_booking(premises, request_for(
            colleague, next_weekday(1), booker_type=BookerType.ASSOCIATION,
            association=association, activity="Föreningens årsmöte"),
            accepted_terms=accepted(premises))
        services.create_booking(premises, request_for(make_user(), next_weekday(2),
                                                      activity="Någon annans fest"),
                                accepted_terms=accepted(premises))
    db.session.commit()
    login_as(user=user)
    html = _text(client.get("/mina-bokningar"))
    assert "Föreningens årsmöte" in html
    assert "Någon annans fest" not in html


def test_preview_suggests_another_room_for_a_booked_date(client, login_as, make_premises,
                                                        make_user, app):
    from lokapp.bookings.models import Recurrence

    premises = make_premises()
    first = next_weekday(1, weeks_ahead=2)
    with app.test_request_context():
        services.create_booking(premises, request_for(make_user(), first + timedelta(weeks=1)),
                                accepted_terms=accepted(premises))
    db.session.commit()
    login_as()
    html = _text(client.post(f"/lokaler/{premises.id}/boka", data=_form(
        first, recurrence=Recurrence.WEEKLY.value,
        until=(first + timedelta(weeks=2)).isoformat())))
    second = (first + timedelta(weeks=1)).isoformat()
    assert f"Sök en annan ledig lokal {second}" in html
    assert f"/lokaler?datum={second}&fran=18:00&till=20:00&antal=12" in html


def test_tampered_confirmation_goes_back_to_the_form(client, login_as, make_premises):
    premises = make_premises()
    login_as()
    response = client.post(f"/lokaler/{premises.id}/boka/bekrafta", data={
        **_form(next_weekday(1), start="kväll"), "terms_checksum": accepted(premises)})
    assert response.status_code == 400
    assert "Skriv tiden som timmar och minuter" in _text(response)
