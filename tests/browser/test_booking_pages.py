"""Premises booking in a real browser: axe-core on every page reached (conftest.py), the
resident's booking without JavaScript, an association's series with a skipped conflict, the
bookings officer's decision and the administrator's catalogue pages."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from lokapp.core.time import today_local

PASSWORD = "Ett långt lösenord för lokaler 2026"
PHONE = {"width": 320, "height": 720}


def _tag() -> str:
    return uuid.uuid4().hex[:8]


def _next(weekday: int, weeks: int = 2):
    start = today_local() + timedelta(weeks=weeks)
    return start + timedelta(days=(weekday - start.weekday()) % 7)


@pytest.fixture
def world(live_server):
    """A premises, a resident, an association's booking manager, a bookings officer and an
    administrator – written directly, as an administrator and `flask lok create-staff` would."""
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
    from lokapp.bookings.models import Blackout
    from lokapp.core.time import utcnow
    from lokapp.extensions import db
    from tests.bookings.helpers import build_premises

    tag = _tag()
    with live_server.app.test_request_context():
        premises = build_premises(name=f"Kvarterslokalen {tag}", is_step_free=True,
                                  has_hearing_loop=True)
        premises.blackouts.append(Blackout(starts_on=_next(1, 3), ends_on=_next(1, 3),
                                           reason="Golvet vaxas"))

        def user(name, role=None, area=None):
            person = User(email=f"{name.split()[0].lower()}.{tag}@example.se", name=name,
                          password_hash=hash_password(PASSWORD), email_verified_at=utcnow())
            if role:
                person.roles.append(UserRole(role=GlobalRole(role)))
            if area:
                person.areas.append(UserArea(area=StaffArea(area)))
            db.session.add(person)
            return person

        resident, manager = user("Rut Resident"), user("Bo Bokningsansvarig")
        officer = user("Hedda Handläggare", "officer", "bookings")
        admin = user("Alma Administratör", "admin")
        category = db.session.scalars(db.select(Category)).first()
        from stdnum import luhn

        base = f"803{uuid.uuid4().int % 10**6:06d}"
        association = Association(name=f"Bäckby Schack {tag}", orgnr=base + luhn.calc_check_digit(base),
                                  legal_form=LegalForm.NONPROFIT, category=category,
                                  register_state=RegisterState.REGISTERED, registered_at=utcnow())
        db.session.add(association)
        db.session.flush()
        member = AssociationMember(user_id=manager.id, association_id=association.id)
        member.roles.append(AssociationMemberRole(role="booking_manager"))
        db.session.add(member)
        db.session.commit()
        result = {"premises_id": premises.id, "premises": premises.name,
                  "resident": resident.email, "manager": manager.email,
                  "officer": officer.email, "admin": admin.email,
                  "association": association.name}
        db.session.remove()
    return result


def _log_in(page, email: str) -> None:
    page.goto("/logga-in")
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord", exact=True).fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()


def test_resident_books_without_javascript(new_page, world, assert_accessible):
    page = new_page(java_script_enabled=False)
    _log_in(page, world["resident"])
    day = _next(1)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Lokaler").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Boka lokal")
    page.get_by_label("Datum").fill(day.isoformat())
    page.get_by_label("Från klockan").fill("18:00")
    page.get_by_label("Till klockan").fill("20:00")
    page.get_by_label("Antal personer").fill("10")
    page.get_by_label("Hörslinga").check()
    page.get_by_role("button", name="Sök lokal").click()
    page.get_by_role("link", name=f"Boka {world['premises']} {day.isoformat()} 18:00–20:00").click()
    expect(page.get_by_label("Från klockan")).to_have_value("18:00")
    page.get_by_label("Vad ska lokalen användas till?").fill("Bokcirkel")
    page.get_by_label("Till klockan").fill("18:10")
    page.get_by_role("button", name="Fortsätt och se priset").click()
    expect(page.locator(".error-summary")).to_contain_text("jämna 30 minuter")
    expect(page.get_by_label("Vad ska lokalen användas till?")).to_have_value("Bokcirkel")
    page.get_by_label("Till klockan").fill("20:00")
    page.get_by_role("button", name="Fortsätt och se priset").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kontrollera och bekräfta bokningen")
    expect(page.get_by_role("main")).to_contain_text("600\u00a0kr")
    page.get_by_label("Jag har läst villkoren och godkänner dem").check()
    page.get_by_role("button", name="Boka", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("Tiden är bokad")
    expect(page.get_by_role("main")).to_contain_text("Kod 4711")
    expect(page.get_by_role("main")).to_contain_text("Bekräftad")


def test_week_view_at_320_px(new_page, world, assert_accessible):
    page = new_page(viewport=PHONE)
    iso = _next(1).isocalendar()
    page.goto(f"/lokaler/{world['premises_id']}?vecka={iso[0]}-W{iso[1]:02d}")
    table = page.get_by_role("table", name=f"Tider för {world['premises']}")
    expect(table.get_by_role("columnheader", name="Tisdag", exact=False)).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate("""() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 320).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).slice(0, 15)""")
    assert width <= PHONE["width"], (width, wide)
    assert_accessible(page)
    page.get_by_role("link", name="Nästa vecka").click()
    expect(page.get_by_role("heading", level=2, name="Lediga tider vecka")).to_be_visible()


def test_association_series_skips_a_conflict_and_the_officer_sees_it(new_page, world):
    page = new_page()
    _log_in(page, world["manager"])
    first = _next(1)
    page.goto(f"/lokaler/{world['premises_id']}/boka")
    page.get_by_label("Vem bokar?").select_option(label=f"Föreningen {world['association']}")
    page.get_by_label("Vad ska lokalen användas till?").fill("Schackträning")
    page.get_by_label("Datum", exact=True).fill(first.isoformat())
    page.get_by_label("Från klockan").fill("18:00")
    page.get_by_label("Till klockan").fill("20:00")
    page.get_by_label("Varje vecka", exact=True).check()
    page.get_by_label("Sista datum i serien").fill((first + timedelta(weeks=2)).isoformat())
    page.get_by_role("button", name="Fortsätt och se priset").click()
    expect(page.get_by_role("main")).to_contain_text("Golvet vaxas")
    page.get_by_label("Boka de andra datumen och hoppa över dem som inte går").check()
    page.get_by_label("Jag har läst villkoren och godkänner dem").check()
    page.get_by_role("button", name="Boka", exact=True).click()
    expect(page.get_by_role("main")).to_contain_text("Schackträning")
    rows = page.get_by_role("table").first.locator("tbody tr")
    expect(rows).to_have_count(2)

    officer = new_page()
    _log_in(officer, world["officer"])
    officer.goto(page.url)
    officer.get_by_text("Avboka som handläggare").first.click()
    officer.get_by_label("Motivering").first.fill("Lokalen behövs för val.")
    officer.get_by_role("button", name="Avboka tiden").first.click()
    expect(officer.get_by_role("main")).to_contain_text("Avbokad")


def test_administrator_pages(new_page, world):
    page = new_page()
    _log_in(page, world["admin"])
    page.goto("/admin/lokaler")
    page.get_by_role("link", name=world["premises"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(world["premises"])
    page.get_by_label("Antal personer").fill("många")
    page.get_by_role("button", name="Spara").click()
    expect(page.locator(".error-summary")).to_contain_text("Skriv ett heltal")
    for link in ("Öppettider", "Avstängningar", "Taxor", "Bilder"):
        page.get_by_role("navigation", name="Lokalens inställningar").get_by_role(
            "link", name=link, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(link)


def test_officer_report_pages(new_page, world):
    """The invoicing basis and utilisation pages (axe-core runs on each), without JavaScript."""
    page = new_page(java_script_enabled=False)
    _log_in(page, world["officer"])
    page.goto("/lokalbokning")
    nav = page.get_by_role("navigation", name="Lokalbokning för handläggare")
    nav.get_by_role("link", name="Fakturaunderlag").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Fakturaunderlag")
    page.get_by_role("link", name="Föregående månad").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Fakturaunderlag")
    nav.get_by_role("link", name="Beläggning").click()
    expect(page.get_by_role("table")).to_contain_text(world["premises"])
    page.get_by_role("link", name="Visa per vecka").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("vecka")
    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.get_by_role("table")).to_contain_text("%")
