"""The administrators' catalogue: premises, opening hours, blackouts, tariffs."""
from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

from sqlalchemy import select

from lokapp.bookings.models import BookerType, Premises
from lokapp.core.audit import AuditEvent
from lokapp.core.time import today_local
from lokapp.extensions import db

PREMISES_FORM = {
    "name": "Kulturhuset, sal A", "premises_type": "assembly_hall", "description": "Ljus sal.",
    "street_address": "Kopparbergsvägen 1", "postal_code": "72213", "city": "Västerås",
    "district": "0", "capacity": "120", "area_m2": "200", "is_step_free": "y",
    "has_hearing_loop": "y", "equipment": ["projector", "stage"], "is_published": "y",
    "bookable_by_associations": "y", "min_minutes": "60", "max_minutes": "300",
    "slot_minutes": "30", "max_days_ahead": "180", "cancel_hours_before": "48",
    "max_active_bookings": "", "is_closed_on_holidays": "y", "peak_start": "17:00",
    "peak_end": "22:00", "is_weekend_peak": "y", "terms": "Städa efter er.",
    "access_instructions": "Nyckel i receptionen.",
}


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def test_admin_creates_and_edits_premises(client, login_as):
    login_as("admin")
    assert client.get("/admin/lokaler/ny").status_code == 200
    response = client.post("/admin/lokaler/ny", data=PREMISES_FORM)
    assert response.status_code == 302
    premises = db.session.scalars(select(Premises)).one()
    assert premises.name == "Kulturhuset, sal A"
    assert premises.capacity == 120 and premises.is_step_free and premises.has_hearing_loop
    assert [e.value for e in premises.equipment] == ["projector", "stage"]
    assert premises.peak_start_minute == 17 * 60
    assert premises.district_id is None

    response = client.post(f"/admin/lokaler/{premises.id}",
                           data={**PREMISES_FORM, "capacity": "100", "equipment": ["wifi"]})
    assert response.status_code == 302
    db.session.expire_all()
    premises = db.session.get(Premises, premises.id)
    assert premises.capacity == 100
    assert [e.value for e in premises.equipment] == ["wifi"]
    update = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "premises.update"))
    assert update.details["changes"]["capacity"] == [120, 100]
    assert "Kulturhuset, sal A" in _text(client.get("/admin/lokaler"))


def test_premises_form_errors_keep_input(client, login_as):
    login_as("admin")
    bad = {**PREMISES_FORM, "capacity": "många", "min_minutes": "120", "max_minutes": "60",
           "peak_start": "25:00"}
    response = client.post("/admin/lokaler/ny", data=bad)
    html = _text(response)
    assert response.status_code == 200
    assert "Skriv ett heltal med siffror" in html
    assert "Skriv tiden som timmar och minuter" in html
    assert 'value="många"' in html
    assert db.session.scalars(select(Premises)).first() is None


def test_opening_hours(client, login_as, make_premises):
    premises = make_premises(hours={})
    db.session.commit()
    login_as("admin")
    data = {"opens_0": "08:00", "closes_0": "22:00", "opens_5": "10:00", "closes_5": "24:00"}
    assert client.post(f"/admin/lokaler/{premises.id}/oppettider", data=data).status_code == 302
    db.session.expire_all()
    hours = {h.weekday: (h.opens_minute, h.closes_minute)
             for h in db.session.get(Premises, premises.id).opening_hours}
    assert hours == {0: (480, 1320), 5: (600, 1440)}
    html = _text(client.post(f"/admin/lokaler/{premises.id}/oppettider",
                             data={"opens_1": "18:00", "closes_1": "17:00", "opens_2": "09:00"}))
    assert "Stängningstiden måste vara senare än öppningstiden." in html
    assert "Fyll i både när lokalen öppnar och stänger" in html


def test_blackouts_and_warning_about_booked_times(client, login_as, make_premises, make_user,
                                                  app):
    from lokapp.bookings import services
    from tests.bookings.helpers import accepted, next_weekday, request_for

    premises = make_premises()
    day = next_weekday(1)
    with app.test_request_context():
        services.create_booking(premises, request_for(make_user(), day),
                                accepted_terms=accepted(premises))
    db.session.commit()
    login_as("admin")
    data = {"starts_on": day.isoformat(), "ends_on": (day + timedelta(days=3)).isoformat(),
            "reason": "Renovering"}
    listed = _text(client.post(f"/admin/lokaler/{premises.id}/avstangningar", data=data))
    assert "1 tid är redan bokad under perioden" in listed  # nothing saved yet
    assert db.session.get(Premises, premises.id).blackouts == []
    expected = re.search(r'name="expected" value="([0-9 ]+)"', listed).group(1)
    response = client.post(f"/admin/lokaler/{premises.id}/avstangningar", data={
        **data, "expected": expected, "bookings": "keep"}, follow_redirects=True)
    html = _text(response)
    assert "Avstängningen är sparad." in html
    assert "1 bokad tid under avstängningen finns kvar." in html
    assert "Renovering" in html
    db.session.expire_all()
    [blackout] = db.session.get(Premises, premises.id).blackouts
    bad = client.post(f"/admin/lokaler/{premises.id}/avstangningar", data={
        "starts_on": today_local().isoformat(),
        "ends_on": (today_local() - timedelta(days=1)).isoformat(), "reason": "Fel"})
    assert "Sista dag kan inte vara före första dag." in _text(bad)
    client.post(f"/admin/lokaler/{premises.id}/avstangningar/{blackout.id}/ta-bort")
    db.session.expire_all()
    assert db.session.get(Premises, premises.id).blackouts == []


def test_tariffs_in_kronor(client, login_as, make_premises):
    premises = make_premises(tariffs={})
    db.session.commit()
    login_as("admin")
    response = client.post(f"/admin/lokaler/{premises.id}/taxor", data={
        "off_association": "100", "peak_association": "150,50", "off_youth": "0",
        "peak_youth": "0"})
    assert response.status_code == 302
    db.session.expire_all()
    premises = db.session.get(Premises, premises.id)
    association = premises.tariff_for(BookerType.ASSOCIATION)
    assert (association.off_peak_ore_per_hour, association.peak_ore_per_hour) == (10000, 15050)
    assert premises.tariff_for(BookerType.RESIDENT) is None
    html = _text(client.get(f"/admin/lokaler/{premises.id}/taxor"))
    assert 'value="150,50"' in html
    html = _text(client.post(f"/admin/lokaler/{premises.id}/taxor",
                             data={"off_resident": "tjugo", "peak_commercial": "300"}))
    assert "Skriv beloppet i kronor" in html
    assert "Fyll i både lågtrafik och högtrafik" in html


def test_only_administrators(client, login_as, make_premises):
    premises = make_premises()
    db.session.commit()
    login_as("officer", areas=("bookings",))
    for url in ("/admin/lokaler", "/admin/lokaler/ny", f"/admin/lokaler/{premises.id}",
                f"/admin/lokaler/{premises.id}/taxor"):
        assert client.get(url).status_code == 403
