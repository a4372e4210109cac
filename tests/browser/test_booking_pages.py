"""Premises booking in a real browser: axe-core on every page reached (conftest.py), the
resident's booking without JavaScript, an association's series with a skipped conflict, the
bookings officer's decision and the administrator's catalogue pages.

End to end (issue 6): a resident signs up, searches /lokaler for a free room, books from the
week view, sees the price before accepting the terms, gets the confirmation mail with an .ics
file (delivered to the mail folder and parsed with icalendar), finds it under "Mina bokningar"
and cancels it; a request needing approval becomes a case the officer approves (without
JavaScript); an association's weekly series over the October DST change skips a conflict,
keeps 18:00 on both sides, cancels one time and moves another; the booking form with the
keyboard only."""
from __future__ import annotations

import re
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
    """The first ``weekday`` (0 = Monday) ``weeks`` weeks from today that is not a holiday
    (the premises are closed on holidays), so the tests do not depend on the day they run."""
    from lokapp.bookings.rules import holiday_name

    start = today_local() + timedelta(weeks=weeks)
    day = start + timedelta(days=(weekday - start.weekday()) % 7)
    while holiday_name(day):
        day += timedelta(weeks=1)
    return day


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


# --- a resident's booking from sign-up to cancellation, mail and .ics read as delivered --------


def _long(day) -> str:
    """A date as the booking preview names it: "tisdag 8 december 2026"."""
    from babel.dates import format_date

    return format_date(day, "EEEE d MMMM y", locale="sv")


def _deliver(live_server, address: str) -> list:
    """Send the outbox (file transport: ``.eml`` files in the mail folder, as in development)
    and return the messages delivered to ``address``, oldest first, parsed."""
    import email
    import email.policy

    from lokapp.core.mail import send_pending

    with live_server.app.app_context():
        send_pending()
    found = []
    for path in sorted(live_server.mail_dir.glob("*.eml"),
                       key=lambda p: int(p.name.split("-", 1)[0])):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if address.lower() in str(message["To"]).lower():
            found.append(message)
    return found


def _ics_of(message):
    """The message's .ics attachment, parsed by the icalendar library."""
    from icalendar import Calendar

    parts = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1, [p.get_content_type() for p in message.iter_attachments()]
    assert parts[0].get_filename().endswith(".ics")
    return Calendar.from_ical(parts[0].get_payload(decode=True))


def _events(calendar) -> list:
    return sorted(calendar.walk("VEVENT"), key=lambda e: e.decoded("DTSTART"))


def _assert_rfc5545(calendar) -> None:
    """What the issue asks of every .ics: a VTIMEZONE for Europe/Stockholm, DTSTART with that
    TZID, a UID per event."""
    zones = [str(z["TZID"]) for z in calendar.walk("VTIMEZONE")]
    assert zones == ["Europe/Stockholm"], zones
    for event in calendar.walk("VEVENT"):
        assert event["DTSTART"].params["TZID"] == "Europe/Stockholm"
        assert str(event["UID"]).strip()


def _sign_up(page, live_server, name: str, email: str) -> None:
    """A new account on /registrera, confirmed by the mailed link (which logs in)."""
    page.goto("/registrera")
    page.get_by_label("Namn").fill(name)
    page.get_by_label("E-postadress").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#password_confirm").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Skapa konto").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kontrollera din e-post")
    page.goto(live_server.link_in_last_mail(email, "verifiera"))
    page.get_by_role("button", name="Bekräfta e-postadressen").click()
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()


def test_resident_signs_up_finds_a_room_books_it_and_cancels(new_page, world, live_server,
                                                               assert_accessible):
    page = new_page()
    email = f"ny.invanare.{_tag()}@example.se"
    _sign_up(page, live_server, "Nora Invånare", email)
    day = _next(1)  # a Tuesday two weeks ahead: 18–20 is peak time (300 kr/h for residents)

    # Search: a free room for 25 people at that time with a hearing loop.
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Lokaler").click()
    search = page.get_by_role("search")
    search.get_by_label("Datum").fill(day.isoformat())
    search.get_by_label("Från klockan").fill("18:00")
    search.get_by_label("Till klockan").fill("20:00")
    search.get_by_label("Antal personer").fill("31")  # one more than the room holds
    search.get_by_label("Hörslinga").check()
    search.get_by_role("button", name="Sök lokal").click()
    expect(page.get_by_role("status").first).to_be_visible()
    expect(page.get_by_role("link", name=world["premises"], exact=True)).to_have_count(0)
    search = page.get_by_role("search")  # the criteria are kept
    expect(search.get_by_label("Hörslinga")).to_be_checked()
    search.get_by_label("Antal personer").fill("25")
    search.get_by_role("button", name="Sök lokal").click()
    expect(page.get_by_role("status").first).to_contain_text("ledig")
    # The room's week view, opened at the searched week.
    page.get_by_role("link", name=world["premises"], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(world["premises"])
    week = day.isocalendar()
    expect(page.get_by_role("heading", level=2, name=f"Lediga tider vecka {week[1]}")
           ).to_be_visible()
    table = page.get_by_role("table", name=f"Tider för {world['premises']}")
    table.get_by_role("link", name=f"Ledigt – boka Tisdag {day.isoformat()} 18:00").click()

    # The form comes with the chosen date and time; the shortest length (1 h) is proposed.
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Boka {world['premises']}")
    expect(page.get_by_label("Datum", exact=True)).to_have_value(day.isoformat())
    expect(page.get_by_label("Från klockan")).to_have_value("18:00")
    expect(page.get_by_label("Till klockan")).to_have_value("19:00")
    page.get_by_label("Vad ska lokalen användas till?").fill("Släktträff")
    page.get_by_label("Ungefär hur många kommer?").fill("25")
    page.get_by_label("Till klockan").fill("20:00")
    page.get_by_role("button", name="Fortsätt och se priset").click()

    # The price before confirming; nothing is booked until the terms are accepted.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Kontrollera och bekräfta bokningen")
    expect(page.get_by_role("row", name=_long(day))).to_contain_text("600\u00a0kr")
    expect(page.get_by_role("main")).to_contain_text("Lämna lokalen städad")
    page.get_by_role("button", name="Boka", exact=True).click()
    expect(page.locator(".error-summary")).to_contain_text("godkänna villkoren")
    page.get_by_label("Jag har läst villkoren och godkänner dem").check()
    page.get_by_role("button", name="Boka", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("Tiden är bokad")
    expect(page.get_by_role("main")).to_contain_text("Bekräftad")
    booking_url = page.url

    # The confirmation mail, as delivered, carries the time as an .ics file.
    mails = _deliver(live_server, email)
    confirmation = mails[-1]
    assert world["premises"] in confirmation.get_body(("plain",)).get_content()
    calendar = _ics_of(confirmation)
    _assert_rfc5545(calendar)
    (event,) = _events(calendar)
    start = event.decoded("DTSTART")
    assert (start.date(), start.strftime("%H:%M"), event.decoded("DTEND").strftime("%H:%M")) \
        == (day, "18:00", "20:00")
    assert world["premises"] in str(event["SUMMARY"])

    # Under "Mina bokningar", and cancelled from there (the deadline is 48 h before).
    page.get_by_role("link", name="Mina bokningar").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mina bokningar")
    row = page.get_by_role("row", name="Släktträff")
    expect(row).to_contain_text(world["premises"])
    expect(row).to_contain_text(f"{day.isoformat()} 18:00–20:00")
    row.get_by_role("link", name="Släktträff").click()
    assert page.url == booking_url
    page.get_by_role("button", name=f"Avboka {day.isoformat()} 18:00").click()
    expect(page.get_by_role("status").first).to_contain_text("Tiden är avbokad")
    expect(page.get_by_role("row", name=day.isoformat())).to_contain_text("Avbokad")
    expect(page.get_by_role("button", name=re.compile("^Avboka"))).to_have_count(0)
    assert len(_deliver(live_server, email)) > len(mails), "no mail about the cancellation"


def test_cancellation_deadline_is_shown_instead_of_the_button(new_page, world, live_server):
    """A time starting within the 48 hours of the rules cannot be cancelled by the booker."""
    from lokapp.auth.models import User
    from lokapp.bookings import services
    from lokapp.extensions import db
    from tests.bookings.helpers import accepted, build_premises, request_for

    soon = today_local() + timedelta(days=1)
    with live_server.app.test_request_context():
        premises = build_premises(name=f"Föreningsrummet {_tag()}", is_closed_on_holidays=False)
        resident = db.session.scalar(db.select(User).where(User.email == world["resident"]))
        series = services.create_booking(premises, request_for(resident, soon, "09:00", "10:00",
                                                               activity="Frukostmöte"),
                                         accepted_terms=accepted(premises))
        db.session.commit()
        series_id = series.id
        db.session.remove()
    page = new_page()
    _log_in(page, world["resident"])
    page.goto(f"/bokningar/{series_id}")
    expect(page.get_by_role("row", name=soon.isoformat())).to_contain_text(
        "Sista dag att avboka var")
    expect(page.get_by_role("button", name=re.compile("^Avboka"))).to_have_count(0)


# --- the booking form with the keyboard only ---------------------------------------------------


def _focused(page) -> dict:
    return page.evaluate("""() => {
        const el = document.activeElement;
        const style = getComputedStyle(el);
        return {tag: el.tagName.toLowerCase(), id: el.id, type: el.type || "",
                text: (el.innerText || "").trim(),
                // A date field's calendar button lies inside the field (Chromium draws its
                // focus ring itself); the field's own parts get the site's outline.
                inner: !el.matches(":focus") && el.matches(":focus-within"),
                shown: (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2)
                       || style.boxShadow !== "none"};
    }""")


def _tab_to(page, element_id: str, limit: int = 60) -> list[str]:
    """Press Tab until the element with ``element_id`` has the focus; the ids passed on the way
    (a date field's parts count once), each with a visible focus indicator."""
    passed: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if focused["id"] and focused["tag"] != "a" and not focused["inner"]:
            assert focused["shown"], f"no visible focus indicator on #{focused['id']}"
        if not passed or passed[-1] != (focused["id"] or focused["tag"]):
            passed.append(focused["id"] or focused["tag"])
        if focused["id"] == element_id:
            return passed
    raise AssertionError(f"#{element_id} was never reached by Tab; passed {passed}")


def test_booking_form_with_the_keyboard_only(page, world, assert_accessible):
    day = _next(3)  # a Thursday: 10–12 is off-peak, 2 h × 200 kr for a resident
    _log_in(page, world["resident"])
    page.goto(f"/lokaler/{world['premises_id']}/boka?datum={day.isoformat()}&fran=10:00"
              "&till=11:00")
    _tab_to(page, "booker")
    # The fields in reading order, each reached by Tab; text typed, the rest left as proposed.
    order = _tab_to(page, "activity")
    assert order == ["activity"], order
    page.keyboard.type("Läxhjälp")
    assert _tab_to(page, "attendees") == ["attendees"]
    page.keyboard.type("8")
    assert _tab_to(page, "day") == ["day"]
    assert _tab_to(page, "start") in (["start"], ["day", "start"])  # the date's parts first
    assert _tab_to(page, "end") == ["end"]
    page.keyboard.press("Control+A")
    page.keyboard.type("12:00")
    assert _tab_to(page, "recurrence-0") == ["recurrence-0"]
    passed = _tab_to(page, "dates")
    assert passed[0] == "until" and passed[-1] == "dates", passed
    page.keyboard.press("Tab")
    assert _focused(page)["text"] == "Fortsätt och se priset"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Kontrollera och bekräfta bokningen")
    expect(page.get_by_role("row", name=_long(day))).to_contain_text("400\u00a0kr")
    _tab_to(page, "accept_terms")
    page.keyboard.press("Space")
    expect(page.get_by_label("Jag har läst villkoren och godkänner dem")).to_be_checked()
    page.keyboard.press("Tab")
    assert _focused(page)["text"] == "Boka"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("Tiden är bokad")
    expect(page.get_by_role("main")).to_contain_text("Läxhjälp")
    assert_accessible(page)


# --- a request that needs approval: a case, the officer approves, the resident is told ---------


@pytest.fixture
def approval_premises(live_server) -> dict:
    from lokapp.bookings.models import PremisesType
    from lokapp.extensions import db
    from tests.bookings.helpers import build_premises

    with live_server.app.test_request_context():
        premises = build_premises(name=f"Stora salen {_tag()}", requires_approval=True,
                                  premises_type=PremisesType.ASSEMBLY_HALL)
        db.session.commit()
        result = {"id": premises.id, "name": premises.name}
        db.session.remove()
    return result


def test_request_needing_approval_becomes_a_case_the_officer_approves_without_javascript(
        new_page, world, approval_premises, live_server, assert_accessible):
    day = _next(4)  # a Friday
    # The resident on a phone (320 px): every page reflows, only tables scroll in their box.
    resident = new_page(java_script_enabled=False, viewport=PHONE)

    def fits() -> None:
        width = resident.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{resident.url} is {width} px wide at 320 px"
        assert_accessible(resident)

    _log_in(resident, world["resident"])
    resident.goto(f"/lokaler/{approval_premises['id']}")
    expect(resident.get_by_role("main")).to_contain_text("En handläggare godkänner bokningen.")
    resident.goto(f"/lokaler/{approval_premises['id']}/boka?datum={day.isoformat()}"
                  "&fran=18:00&till=21:00")
    fits()
    resident.get_by_label("Vad ska lokalen användas till?").fill("Födelsedagsfest")
    resident.get_by_role("button", name="Fortsätt och se priset").click()
    expect(resident.get_by_role("main")).to_contain_text("En handläggare går igenom förfrågan")
    expect(resident.get_by_role("row", name=_long(day))).to_contain_text("900\u00a0kr")
    fits()
    resident.get_by_label("Jag har läst villkoren och godkänner dem").check()
    resident.get_by_role("button", name="Skicka bokningsförfrågan").click()
    status = resident.get_by_role("status").first
    expect(status).to_contain_text("ärendenummer LOK")
    number = re.search(r"LOK \d{4}/\d{5}", status.inner_text()).group(0)
    expect(resident.get_by_role("main")).to_contain_text("Väntar på beslut")
    fits()

    officer = new_page(java_script_enabled=False)
    _log_in(officer, world["officer"])
    officer.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Handläggning").click()
    officer.get_by_role("searchbox").or_(officer.get_by_label("Sök", exact=False)).first.fill(
        number)
    officer.get_by_role("main").get_by_role("button", name=re.compile("^(Filtrera|Sök|Visa)")
                                            ).first.click()
    officer.get_by_role("link", name=number).click()
    expect(officer.get_by_role("heading", level=1)).to_contain_text(approval_premises["name"])
    expect(officer.get_by_role("main")).to_contain_text("Födelsedagsfest")
    officer.set_viewport_size(PHONE)  # the officer's case page on a phone, before deciding
    width = officer.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{officer.url} is {width} px wide at 320 px"
    assert_accessible(officer)
    officer.get_by_role("button", name="Godkänn bokningen").click()
    expect(officer.get_by_role("status").first).to_contain_text("fått besked via e-post")
    expect(officer.get_by_role("main")).to_contain_text("Godkänd")

    # The resident is told by mail, with the approved time as an .ics file (the decision
    # letter, where one is sent, comes as a mail of its own).
    approval = [m for m in _deliver(live_server, world["resident"])
                if any(p.get_content_type() == "text/calendar" for p in m.iter_attachments())][-1]
    body = approval.get_body(("plain",)).get_content()
    assert number in body or number in str(approval["Subject"]), (approval["Subject"], body)
    (event,) = _events(_ics_of(approval))
    assert event.decoded("DTSTART").strftime("%Y-%m-%d %H:%M") == f"{day.isoformat()} 18:00"
    letters = [m for m in _deliver(live_server, world["resident"])
               if any(p.get_content_type() == "application/pdf" for p in m.iter_attachments())]
    assert letters and number in str(letters[-1]["Subject"]) + letters[-1].get_body(
        ("plain",)).get_content(), "no decision letter about the approval"
    resident.reload()
    expect(resident.get_by_role("main")).to_contain_text("Godkänd")
    expect(resident.get_by_role("row", name=day.isoformat())).to_contain_text("Bekräftad")


# --- an association's weekly series over the October DST change --------------------------------


def _october_dst_sunday():
    """The next last Sunday of October (Sweden leaves summer time) at least two weeks away."""
    from datetime import date

    year = today_local().year
    while True:
        sunday = date(year, 10, 31)
        sunday -= timedelta(days=(sunday.weekday() + 1) % 7)
        if sunday - timedelta(days=12) > today_local() + timedelta(days=3):
            return sunday
        year += 1


def test_association_series_over_the_dst_change_skip_cancel_and_move(new_page, world,
                                                                     live_server):
    from lokapp.auth.models import User
    from lokapp.bookings import services
    from lokapp.bookings.models import Premises
    from lokapp.extensions import db
    from tests.bookings.helpers import accepted, request_for

    sunday = _october_dst_sunday()
    first = sunday - timedelta(days=12)  # Tuesdays: two before the change, two after
    dates = [first + timedelta(weeks=i) for i in range(4)]
    taken = dates[2]
    with live_server.app.test_request_context():  # someone else already has one of the dates
        premises = db.session.get(Premises, world["premises_id"])
        resident = db.session.scalar(db.select(User).where(User.email == world["resident"]))
        services.create_booking(premises, request_for(resident, taken, "19:00", "21:00"),
                                accepted_terms=accepted(premises))
        db.session.commit()
        db.session.remove()

    page = new_page()
    _log_in(page, world["manager"])
    page.goto(f"/lokaler/{world['premises_id']}")
    page.get_by_role("link", name="Boka den här lokalen").click()
    page.get_by_label("Vem bokar?").select_option(label=f"Föreningen {world['association']}")
    page.get_by_label("Vad ska lokalen användas till?").fill("Höstturnering")
    page.get_by_label("Ungefär hur många kommer?").fill("16")
    page.get_by_label("Datum", exact=True).fill(first.isoformat())
    page.get_by_label("Från klockan").fill("18:00")
    page.get_by_label("Till klockan").fill("20:00")
    page.get_by_role("group", name="Hur ofta?").get_by_label("Varje vecka", exact=True).check()
    page.get_by_label("Sista datum i serien").fill(dates[-1].isoformat())
    page.get_by_role("button", name="Fortsätt och se priset").click()

    # The conflicts are listed before anything is booked, with the choice to skip them.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Kontrollera och bekräfta bokningen")
    for day in dates:
        expect(page.get_by_role("row", name=_long(day))).to_be_visible()
    conflict = page.get_by_role("row", name=_long(taken))
    expect(conflict).to_contain_text("Går inte att boka")
    expect(conflict.get_by_role("link", name=f"Sök en annan ledig lokal {taken.isoformat()}")
           ).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("Totalt för 3 tillfällen")
    page.get_by_label("Jag har läst villkoren och godkänner dem").check()
    page.get_by_role("button", name="Boka", exact=True).click()
    expect(page.locator(".error-summary")).to_be_visible()  # the conflict is not skipped silently
    page.get_by_label("Boka de andra datumen och hoppa över dem som inte går").check()
    page.get_by_label("Jag har läst villkoren och godkänner dem").check()
    page.get_by_role("button", name="Boka", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("Tiden är bokad")

    # Wall-clock time kept across the change: 18:00–20:00 on both sides.
    booked = [d for d in dates if d != taken]
    for day in booked:
        expect(page.get_by_role("row", name=f"{day.isoformat()} 18:00–20:00")).to_contain_text(
            "Bekräftad")
    expect(page.get_by_role("row", name=taken.isoformat())).to_have_count(0)
    mail = _deliver(live_server, world["manager"])[-1]
    calendar = _ics_of(mail)
    _assert_rfc5545(calendar)
    starts = [e.decoded("DTSTART") for e in _events(calendar)]
    assert [(s.date(), s.strftime("%H:%M")) for s in starts] == [(d, "18:00") for d in booked]
    assert [s.utcoffset() for s in starts] == [timedelta(hours=2), timedelta(hours=2),
                                              timedelta(hours=1)]

    # Cancel the first time, move the last one a day later and an hour later.
    page.get_by_role("button", name=f"Avboka {booked[0].isoformat()} 18:00").click()
    expect(page.get_by_role("status").first).to_contain_text("Tiden är avbokad")
    expect(page.get_by_role("row", name=booked[0].isoformat())).to_contain_text("Avbokad")
    page.get_by_role("link", name=f"Ändra tid {booked[-1].isoformat()} 18:00").click()
    moved = booked[-1] + timedelta(days=1)
    page.get_by_role("group", name="Vad vill du ändra?").get_by_label(
        "Bara den här gången (datum och tid)").check()
    page.get_by_label("Nytt datum").fill(moved.isoformat())
    page.get_by_label("Från klockan").fill("19:00")
    page.get_by_label("Till klockan").fill("21:00")
    page.get_by_role("button", name="Spara den nya tiden").click()
    expect(page.get_by_role("status").first).to_contain_text("Bokningen är ändrad")
    expect(page.get_by_role("row", name=f"{moved.isoformat()} 19:00–21:00")).to_contain_text(
        "Bekräftad")
    expect(page.get_by_role("row", name=f"{booked[1].isoformat()} 18:00–20:00")
           ).to_contain_text("Bekräftad")
    expect(page.get_by_role("row", name=booked[-1].isoformat())).to_have_count(0)
    # The series' calendar file says the same.
    response = page.request.get(page.url.rstrip("/") + "/kalender.ics")
    from icalendar import Calendar

    active = [e for e in _events(Calendar.from_ical(response.body()))
              if str(e.get("STATUS", "CONFIRMED")).upper() != "CANCELLED"]
    assert [e.decoded("DTSTART").strftime("%Y-%m-%d %H:%M") for e in active] == [
        f"{booked[1].isoformat()} 18:00", f"{moved.isoformat()} 19:00"]


# --- the personal calendar feed: a secret, revocable address; the public feed without names ----


def test_personal_calendar_feed_is_secret_and_revocable(new_page, world, live_server):
    from icalendar import Calendar

    from lokapp.auth.models import User
    from lokapp.bookings import services
    from lokapp.bookings.models import Premises
    from lokapp.extensions import db
    from tests.bookings.helpers import accepted, request_for

    with live_server.app.test_request_context():
        premises = db.session.get(Premises, world["premises_id"])
        resident = db.session.scalar(db.select(User).where(User.email == world["resident"]))
        for weeks in range(5, 12):  # a Wednesday that is not a holiday
            day = _next(2, weeks=weeks)
            try:
                services.create_booking(premises, request_for(resident, day, "18:00", "20:00",
                                                              activity="Körövning"),
                                        accepted_terms=accepted(premises))
            except services.BookingError:
                db.session.rollback()
                continue
            break
        db.session.commit()
        db.session.remove()

    page = new_page()
    _log_in(page, world["resident"])
    page.goto("/mina-bokningar")
    page.get_by_role("link", name="Se bokningarna i din kalender").click()
    page.get_by_role("button", name="Skapa en kalenderadress").click()
    address = page.get_by_label("Kalenderadress").input_value()
    assert re.match(rf"{re.escape(live_server.url)}/kalender/[A-Za-z0-9_\-]{{20,}}\.ics$",
                    address), address
    feed = page.request.get(address)
    assert feed.ok and feed.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(feed.body())
    _assert_rfc5545(calendar)
    mine = [e for e in calendar.walk("VEVENT") if "Körövning" in str(e["SUMMARY"])]
    assert [e.decoded("DTSTART").strftime("%Y-%m-%d %H:%M") for e in mine] == [
        f"{day.isoformat()} 18:00"]
    page.goto("/mina-bokningar/kalender")
    expect(page.get_by_label("Kalenderadress")).to_have_count(0)  # shown once only
    assert page.request.get(address).ok

    # A new address replaces the old one; removing it ends the feed.
    page.get_by_role("button", name="Skapa en ny adress").click()
    renewed = page.get_by_label("Kalenderadress").input_value()
    assert renewed != address
    assert page.request.get(address).status == 404
    assert page.request.get(renewed).ok
    page.get_by_role("button", name="Ta bort kalenderadressen").click()
    expect(page.get_by_role("status").first).to_contain_text("slutar fungera")
    assert page.request.get(renewed).status == 404

    # The premises' public feed shows the time as booked, but nobody's name, e-mail or activity.
    public = page.request.get(f"/lokaler/{world['premises_id']}/kalender.ics")
    assert public.ok
    body = public.text()
    starts = [e.decoded("DTSTART").strftime("%Y-%m-%d %H:%M")
              for e in Calendar.from_ical(public.body()).walk("VEVENT")]
    assert f"{day.isoformat()} 18:00" in starts
    for personal in ("Rut Resident", world["resident"], "Körövning"):
        assert personal not in body, personal


def test_officer_rejects_a_request_only_with_reasons(new_page, world, approval_premises,
                                                    live_server):
    from lokapp.auth.models import User
    from lokapp.bookings import services
    from lokapp.bookings.models import Premises
    from lokapp.extensions import db
    from tests.bookings.helpers import accepted, request_for

    day = _next(5, weeks=3)  # a Saturday
    with live_server.app.test_request_context():
        premises = db.session.get(Premises, approval_premises["id"])
        resident = db.session.scalar(db.select(User).where(User.email == world["resident"]))
        series = services.create_booking(premises, request_for(resident, day, "12:00", "15:00",
                                                               activity="Loppis"),
                                         accepted_terms=accepted(premises))
        db.session.commit()
        series_id, number = series.id, series.case.number
        db.session.remove()

    officer = new_page()
    _log_in(officer, world["officer"])
    officer.goto("/lokalbokning")
    officer.get_by_role("link", name=number).click()
    reject = officer.get_by_role("group", name="Avslå bokningen")
    reject.get_by_role("button", name="Avslå bokningen").click()
    expect(officer.get_by_role("main")).to_contain_text("Väntar på beslut")  # nothing decided
    reject = officer.get_by_role("group", name="Avslå bokningen")
    reject.get_by_label("Motivering").fill("Salen är reserverad för valet den helgen.")
    reject.get_by_role("button", name="Avslå bokningen").click()
    expect(officer.get_by_role("status").first).to_contain_text("fått besked via e-post")
    expect(officer.get_by_role("main")).to_contain_text("Avslagen")
    expect(officer.get_by_role("main")).to_contain_text("Salen är reserverad för valet")

    letters = [m for m in _deliver(live_server, world["resident"])
               if number in str(m["Subject"]) + m.get_body(("plain",)).get_content()
               and any(p.get_content_type() == "application/pdf" for p in m.iter_attachments())]
    assert letters, "no rejection letter"
    resident_page = new_page()
    _log_in(resident_page, world["resident"])
    resident_page.goto(f"/bokningar/{series_id}")
    expect(resident_page.get_by_role("main")).to_contain_text("Avslagen")
    expect(resident_page.get_by_role("main")).to_contain_text("Salen är reserverad för valet")
