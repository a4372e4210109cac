"""Seasonal allocation in a real browser, without JavaScript, axe-core on every page reached
(conftest.py): an administrator opens a round, an association's booking manager applies (a
mistake first, kept input), the bookings officer proposes an allocation and publishes the
results, and a visitor finds the leftover slots with links to normal booking."""
from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from lokapp.core.time import today_local

PASSWORD = "Ett långt lösenord för säsongen 2026"


@pytest.fixture
def world(live_server):
    from stdnum import luhn

    from lokapp.associations.models import Association, Category, LegalForm, RegisterState
    from lokapp.auth.models import (
        AssociationMember,
        AssociationMemberRole,
        GlobalRole,
        StaffArea,
        User,
        UserArea,
        UserRole,
    )
    from lokapp.auth.passwords import hash_password
    from lokapp.core.time import utcnow
    from lokapp.extensions import db
    from tests.bookings.helpers import build_premises

    tag = uuid.uuid4().hex[:8]
    with live_server.app.test_request_context():
        hall = build_premises(name=f"Säsongshallen {tag}")
        gym = build_premises(name=f"Säsongsgympan {tag}")

        def user(name, role=None, area=None):
            person = User(email=f"{name.split()[0].lower()}.{tag}@example.se", name=name,
                          password_hash=hash_password(PASSWORD), email_verified_at=utcnow())
            if role:
                person.roles.append(UserRole(role=GlobalRole(role)))
            if area:
                person.areas.append(UserArea(area=StaffArea(area)))
            db.session.add(person)
            return person

        manager = user("Bo Bokningsansvarig")
        officer = user("Hedda Handläggare", "officer", "bookings")
        admin = user("Alma Administratör", "admin")
        base = f"804{uuid.uuid4().int % 10**6:06d}"
        association = Association(
            name=f"Bäckby IF {tag}", orgnr=base + luhn.calc_check_digit(base),
            legal_form=LegalForm.NONPROFIT, category=db.session.scalars(
                db.select(Category)).first(),
            register_state=RegisterState.REGISTERED, registered_at=utcnow())
        db.session.add(association)
        db.session.flush()
        member = AssociationMember(user_id=manager.id, association_id=association.id)
        member.roles.append(AssociationMemberRole(role="booking_manager"))
        db.session.add(member)
        db.session.commit()
        result = {"hall": hall.name, "hall_id": hall.id, "gym": gym.name, "tag": tag,
                  "manager": manager.email, "officer": officer.email, "admin": admin.email,
                  "association": association.name}
        db.session.remove()
    return result


def _log_in(page, email: str) -> None:
    page.goto("/logga-in")
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord", exact=True).fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()


def _close_window(live_server, name: str) -> None:
    """Time passes: the application window closes (the season is still ahead)."""
    from lokapp.bookings.season_models import SeasonRound
    from lokapp.extensions import db

    with live_server.app.app_context():
        season_round = db.session.scalar(db.select(SeasonRound).where(SeasonRound.name == name))
        season_round.applications_open_on = date(2026, 1, 1)
        season_round.applications_close_on = date(2026, 1, 31)
        db.session.commit()
        db.session.remove()


def test_a_round_from_opening_to_leftover_slots(new_page, world, live_server):
    today = today_local()
    name = f"Hösten {world['tag']}"
    starts = today + timedelta(days=30)
    ends = starts + timedelta(weeks=6)

    admin = new_page(java_script_enabled=False)
    _log_in(admin, world["admin"])
    admin.goto("/admin/sasongsbokning")
    admin.get_by_role("link", name="Öppna en ny omgång").click()
    admin.get_by_label("Namn på omgången").fill(name)
    admin.get_by_label("Säsongen börjar").fill(starts.isoformat())
    admin.get_by_label("Säsongen slutar").fill(ends.isoformat())
    admin.get_by_label("Ansökan öppnar").fill(today.isoformat())
    admin.get_by_label("Sista ansökningsdag").fill((today + timedelta(days=5)).isoformat())
    admin.get_by_label("Prioriteringsregler").fill("Barn och unga går först.")
    admin.get_by_label("Prioritet 1").select_option("youth")
    admin.get_by_label("Prioritet 2").select_option("applied_at")
    admin.get_by_label(world["hall"]).check()
    admin.get_by_label(world["gym"]).check()
    admin.get_by_role("button", name="Spara omgången").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text(f"Säsongsbokning {name}")

    manager = new_page(java_script_enabled=False)
    _log_in(manager, world["manager"])
    manager.goto("/sasongsbokning")
    manager.get_by_role("link", name=name).click()
    manager.get_by_role("link", name=f"Ansökan för {world['association']}").click()
    manager.get_by_role("link", name="Lägg till ett önskemål").click()
    manager.get_by_label("Veckodag").select_option(label="Tisdag")
    manager.get_by_label("Starttid").fill("06:00")
    manager.get_by_label("Längd").select_option(label="2 tim")
    manager.get_by_label("Lokal i första hand").select_option(label=world["hall"])
    manager.get_by_label("Lokal i andra hand").select_option(label=world["gym"])
    manager.get_by_label("Verksamhet").fill("Fotbollsträning P12")
    manager.get_by_label("13–20 år, Man").fill("14")
    manager.get_by_role("button", name="Spara önskemålet").click()
    expect(manager.locator(".error-summary")).to_contain_text("öppen 08:00–22:00")
    expect(manager.get_by_label("Verksamhet")).to_have_value("Fotbollsträning P12")
    expect(manager.get_by_label("13–20 år, Man")).to_have_value("14")
    manager.get_by_label("Starttid").fill("18:00")
    manager.get_by_role("button", name="Spara önskemålet").click()
    expect(manager.get_by_role("main")).to_contain_text("Fotbollsträning P12")
    expect(manager.get_by_role("main")).to_contain_text("Inte fördelat ännu")

    officer = new_page(java_script_enabled=False)
    _log_in(officer, world["officer"])
    officer.goto("/sasongsbokning")
    officer.get_by_role("link", name=name).click()
    officer.get_by_role("link", name="Till fördelningen").click()
    expect(officer.get_by_role("main")).to_contain_text("1. Barn- och ungdomsverksamhet: 100 %")
    officer.get_by_role("button", name="Föreslå fördelning").click()
    expect(officer.get_by_role("main")).to_contain_text("Tilldelad här")
    _close_window(live_server, name)
    officer.reload()
    officer.get_by_role("button", name="Publicera resultatet").click()
    expect(officer.get_by_role("status").first).to_contain_text("Resultatet är publicerat")

    visitor = new_page(java_script_enabled=False)
    visitor.goto("/sasongsbokning")
    visitor.get_by_role("link", name=name).click()
    visitor.get_by_role("link", name="Se resttider som kan bokas").click()
    table = visitor.get_by_role("table", name="Resttider")
    expect(table).to_contain_text("20:00–22:00")
    expect(table.get_by_role("link", name=f"Boka {world['hall']} tisdag 20:00–22:00")).to_be_visible()

    manager.reload()
    expect(manager.get_by_role("main")).to_contain_text(f"Tilldelad: {world['hall']}")
