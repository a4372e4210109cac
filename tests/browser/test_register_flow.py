"""The association register and the LÖK in a real browser, from a resident's first visit to the
public directory.

A resident creates an account → registers an association → a register officer approves → the
registrant (now the association's administrator) invites a board member as firmatecknare → the
board member creates an account and accepts → signs the LÖK → the association is found in
``/foreningar`` and listed among the signatories on ``/lok``. Also: the registration form with
the keyboard only, the registration without JavaScript, and both requests for completion (of a
registration, of an annual update) answered by the association.

Everything goes through the pages; only the officer's account is created directly (as
``flask lok create-staff`` does). Every page reached is checked by axe-core (the autouse
fixture in conftest.py); mail is read from the outbox table.
"""
from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from stdnum import luhn

from lokapp.core.time import today_local

PASSWORD = "Blå cykel över Mälaren 7"
PHONE = {"width": 320, "height": 720}
OFFICER_PASSWORD = "Handläggarens långa lösenord 2026"


# --- helpers --------------------------------------------------------------------------------


def _tag() -> str:
    return uuid.uuid4().hex[:8]


def _orgnr() -> str:
    """A fresh valid organisationsnummer (802xxx-xxxx, Luhn check digit), with the dash."""
    base = f"802{uuid.uuid4().int % 10**6:06d}"
    digits = base + luhn.calc_check_digit(base)
    return f"{digits[:6]}-{digits[6:]}"


def _fits_narrow_screen(page, assert_accessible) -> None:
    """At 320 px nothing scrolls sideways but tables, in boxes the keyboard can scroll too:
    axe-core checks the page as it is shown now (the automatic check sees it 1280 px wide)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide at {PHONE['width']} px"
    assert_accessible(page)


def _main(page):
    return page.get_by_role("main")


def _heading(page):
    return page.get_by_role("heading", level=1)


def _sign_up(page, live_server, name: str, email: str) -> None:
    """Create an account on /registrera and confirm it by the mailed link (which logs in)."""
    if not page.url.endswith("/registrera"):
        page.goto("/registrera")
    expect(_heading(page)).to_have_text("Skapa konto")
    page.get_by_label("Namn").fill(name)
    page.get_by_label("E-postadress").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#password_confirm").fill(PASSWORD)
    _main(page).get_by_role("button", name="Skapa konto").click()
    expect(_heading(page)).to_have_text("Kontrollera din e-post")
    page.goto(live_server.link_in_last_mail(email, "verifiera"))
    page.get_by_role("button", name="Bekräfta e-postadressen").click()
    expect(page).to_have_url(f"{live_server.url}/konto")
    expect(page.get_by_role("status")).to_contain_text("Din e-postadress är bekräftad")


def _log_in(page, email: str, password: str = PASSWORD) -> None:
    page.goto("/logga-in")
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord", exact=True).fill(password)
    _main(page).get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()


@pytest.fixture
def officer(live_server) -> str:
    """A register officer (role officer, area register), made as ``flask lok create-staff``
    makes one: the only row this module writes without the pages."""
    from lokapp.auth import services
    from lokapp.extensions import db

    email = f"handlaggare.{_tag()}@vasteras.se"
    app = live_server.app
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": ""}):
        services.create_staff(name="Hedda Handläggare", email=email, roles=["officer"],
                              areas=["register"], password=OFFICER_PASSWORD,
                              send_invite=False, via="cli")
        db.session.commit()
        db.session.remove()
    return email


def _registration_form(page, name: str, orgnr: str, *, board_email: str | None = None,
                       public: bool = True) -> None:
    """Fill the association registration form (/forening/registrera) by its labels."""
    expect(_heading(page)).to_have_text("Registrera en förening")
    form = _main(page)
    form.get_by_label("Föreningens namn").fill(name)
    form.get_by_role("group", name="Organisationsform").get_by_label("Ideell förening").check()
    form.get_by_role("textbox", name="Organisationsnummer").fill(orgnr)
    form.get_by_label("Kategori").select_option(label="Idrott")
    form.get_by_label("År då föreningen bildades").fill("1998")
    form.get_by_label("Beskrivning av verksamheten").fill(
        "Vi paddlar kanot på Svartån och Mälaren. Nybörjare är välkomna varje tisdag, och vi "
        "lånar ut flytvästar och kanoter.")
    form.get_by_role("group", name="Stadsdelar där föreningen har verksamhet").get_by_label(
        "Bäckby").check()
    form.get_by_role("group", name="Målgrupper").get_by_label("Ungdomar (13–20 år)").check()
    languages = form.get_by_role("group", name="Språk i verksamheten")
    languages.get_by_label("Svenska", exact=True).check()
    languages.get_by_label("Arabiska").check()
    form.get_by_label("Föreningen har tillgängliga lokaler").check()
    form.get_by_label("E-postadress för kontakt").fill("info@kanot.example.se")
    form.get_by_label("Telefonnummer").fill("021-12 34 56")
    form.get_by_label("Webbplats").fill("www.kanot.example.se")
    form.get_by_label("Postnummer").fill("72212")
    form.get_by_label("Ort", exact=True).fill("Västerås")
    if public:
        form.get_by_label("Visa föreningen i den öppna föreningskatalogen").check()
    form.get_by_label("Bankgiro", exact=True).fill("5050-1055")
    chair = form.get_by_role("group", name="Person 1")
    chair.get_by_label("Namn").fill("Leila Ordförande")
    chair.get_by_label("Roll i styrelsen").select_option(label="Ordförande")
    if board_email:
        chair.get_by_label("E-postadress").fill(board_email)
    treasurer = form.get_by_role("group", name="Person 2")
    treasurer.get_by_label("Namn").fill("Per Kassör")
    treasurer.get_by_label("Roll i styrelsen").select_option(label="Kassör")
    form.get_by_label("13–20 år, Kvinna").fill("14")
    form.get_by_label("13–20 år, Man").fill("11")
    form.get_by_label("26–64 år, Uppgift saknas").fill("3")


def _submit_registration(page) -> str:
    """Send the form; returns the case number from the receipt."""
    _main(page).get_by_role("button", name="Skicka in registreringen").click()
    return _receipt_number(page)


def _receipt_number(page) -> str:
    status = page.get_by_role("status")
    expect(status).to_contain_text("Tack! Registreringen är inskickad med ärendenummer")
    number = re.search(r"LOK \d{4}/\d+", status.inner_text())
    assert number, status.inner_text()
    return number.group(0)


def _open_case(page, number: str) -> None:
    """The officer finds the case in the register queue and opens it."""
    page.goto("/handlaggning/foreningsregister")
    expect(_heading(page)).to_have_text("Ärenden i föreningsregistret")
    page.get_by_role("link", name=number, exact=True).click()
    expect(page.get_by_role("main")).to_contain_text(f"Ärende {number}")


# --- the whole flow -------------------------------------------------------------------------


def test_resident_registers_association_officer_approves_signatory_signs_lok(
        new_page, live_server, officer, assert_accessible):
    tag = _tag()
    name = f"Kanotklubben Svartåforsen {tag}"
    registrant_email = f"rut.{tag}@example.se"
    signatory_email = f"leila.{tag}@example.se"

    # 1. A resident creates an account and confirms it by the mailed link.
    # The resident and the board member use phones (320 CSS px: also 400 % zoom); the officer
    # a desktop.
    resident = new_page(viewport=PHONE)
    resident.goto("/")
    _main(resident).get_by_role("link", name="Skapa konto").click()
    _sign_up(resident, live_server, "Rut Registrerare", registrant_email)

    # 2. … registers the association and gets a receipt (on the page and by mail).
    resident.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Mina föreningar").click()
    expect(_heading(resident)).to_have_text("Mina föreningar")
    _main(resident).get_by_role("link", name="Registrera en förening").click()
    _registration_form(resident, name, "802432-0015", board_email=signatory_email)
    _fits_narrow_screen(resident, assert_accessible)
    number = _submit_registration(resident)
    expect(_heading(resident)).to_have_text(f"Registrering av {name}")
    expect(_main(resident)).to_contain_text("En handläggare går igenom registreringen")
    _fits_narrow_screen(resident, assert_accessible)
    assert any(number in m.body_text for m in live_server.mail_to(registrant_email))

    # 3. A register officer finds the case in the queue, opens it and approves.
    desk = new_page()
    _log_in(desk, officer, OFFICER_PASSWORD)
    _open_case(desk, number)
    expect(_main(desk)).to_contain_text("802432-0015")
    expect(_main(desk)).to_contain_text("Leila Ordförande")
    desk.get_by_role("button", name="Godkänn registreringen").click()
    expect(desk.get_by_role("status")).to_contain_text("Godkänd")
    approved = live_server.mail_to(registrant_email)[-1]
    assert f"{name} är registrerad i föreningsregistret" in approved.subject

    # 4. The registrant, now the association's administrator, invites a board member as
    #    firmatecknare.
    resident.goto("/mina-foreningar")
    resident.get_by_role("link", name=name, exact=True).click()
    expect(_heading(resident)).to_contain_text(name)
    resident.get_by_role("navigation", name="Föreningens sidor").get_by_role(
        "link", name="Personer").click()
    expect(_heading(resident)).to_have_text(f"Personer som företräder {name}")
    expect(_main(resident).get_by_role("row", name=re.compile("Rut Registrerare"))).to_contain_text(
        "Administratör för föreningen")
    resident.get_by_label("E-postadress").fill(signatory_email)
    resident.get_by_role("group", name="Roller i föreningen").get_by_label("Ordförande").check()
    resident.get_by_label("Firmatecknare").check()
    resident.get_by_role("button", name="Skicka inbjudan").click()
    expect(resident.get_by_role("status")).to_have_text(
        f"Inbjudan är skickad till {signatory_email}.")
    expect(_main(resident)).to_contain_text("Inbjudningar som inte är besvarade")
    _fits_narrow_screen(resident, assert_accessible)

    # 5. The board member opens the mailed link, creates an account, opens the link again and
    #    accepts.
    invitation_link = live_server.link_in_last_mail(signatory_email, "inbjudan")
    board = new_page(viewport=PHONE)
    board.goto(invitation_link)
    expect(_heading(board)).to_have_text(f"Inbjudan att företräda {name}")
    expect(_main(board)).to_contain_text("Ordförande, firmatecknare")
    _main(board).get_by_role("link", name="Skapa konto").click()
    _sign_up(board, live_server, "Leila Ordförande", signatory_email)
    board.goto(invitation_link)
    board.get_by_role("button", name="Tacka ja").click()
    expect(board.get_by_role("status")).to_have_text(f"Välkommen! Du företräder nu {name}.")
    expect(_heading(board)).to_contain_text(name)
    resident.reload()
    expect(_main(resident).get_by_role("row", name=re.compile("Leila Ordförande"))).to_contain_text(
        "Ordförande, firmatecknare")

    # 6. The firmatecknare signs the LÖK on the association's LÖK page.
    board.get_by_role("navigation", name="Föreningens sidor").get_by_role(
        "link", name="LÖK").click()
    expect(_heading(board)).to_have_text(f"LÖK:en – {name}")
    board.get_by_label("Jag är firmatecknare och undertecknar LÖK:en för föreningen").check()
    board.get_by_role("button", name="Underteckna LÖK:en").click()
    expect(board.get_by_role("status")).to_contain_text(
        "Tack! Föreningen har undertecknat LÖK:en.")
    expect(_main(board)).to_contain_text("Leila Ordförande undertecknade LÖK")
    _fits_narrow_screen(board, assert_accessible)
    assert any("LÖK" in m.subject for m in live_server.mail_to(signatory_email)[1:])

    # 7. Anyone finds the association in the directory and among the LÖK's signatories.
    visitor = new_page()
    visitor.goto("/foreningar")
    visitor.get_by_label("Sök på namn eller beskrivning").fill(f"kanotklubb {tag}")
    visitor.get_by_role("button", name="Visa föreningar").click()
    expect(visitor.get_by_role("status")).to_have_text("Vi hittade 1 förening.")
    card = visitor.get_by_role("article", name=name)
    expect(card).to_contain_text("Har skrivit under LÖK:en")
    expect(card).to_contain_text("Tillgängliga lokaler")
    card.get_by_role("link", name=name).click()
    expect(_heading(visitor)).to_have_text(name)
    expect(_main(visitor)).to_contain_text("info@kanot.example.se")
    expect(_main(visitor)).not_to_contain_text("Leila Ordförande")  # the board is not public
    expect(_main(visitor)).not_to_contain_text("5050-1055")

    visitor.goto("/lok")
    signatories = visitor.get_by_role("region", name=re.compile("De som har undertecknat LÖK"))
    expect(signatories).to_contain_text(name)


# --- the registration form with the keyboard only -------------------------------------------


def _focused(page) -> dict:
    return page.evaluate("""() => {
        const el = document.activeElement;
        const style = getComputedStyle(el);
        return {tag: el.tagName.toLowerCase(), id: el.id, type: el.type || "",
                text: (el.innerText || "").trim(),
                shown: (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2)
                       || style.boxShadow !== "none"};
    }""")


def _tab_stops(page) -> list[str]:
    """The ids Tab should visit in the registration form, in document order: every control,
    but a radio group only once (its first radio, none being checked)."""
    return page.evaluate("""() => {
        const seen = new Set();
        return Array.from(document.querySelector("main form").elements).filter(el => {
            if (el.type === "hidden" || el.disabled || el.tagName === "FIELDSET") return false;
            if (el.type === "radio") {
                if (seen.has(el.name)) return false;
                seen.add(el.name);
            }
            return true;
        }).map(el => el.id || el.tagName.toLowerCase());
    }""")


def test_registration_form_with_the_keyboard_only(page, live_server, assert_accessible):
    from lokapp.associations.models import AgeBand, Gender

    tag = _tag()
    name = f"Tangentbordets schackklubb {tag}"
    _sign_up(page, live_server, "Kim Tangent", f"kim.{tag}@example.se")
    page.goto("/forening/registrera")
    expected = _tab_stops(page)
    ids_of = {label: page.get_by_label(label, exact=True).get_attribute("id")
              for label in ("Råby", "Barn (0–12 år)", "Finska",
                            "Visa föreningen i den öppna föreningskatalogen")}

    # The board rows are visited person by person, and the member-count table row by row
    # (age band by age band, the genders from left to right), then the button.
    counts = [f"counts-{band.name.lower()}_{gender.name.lower()}"
              for band in AgeBand for gender in Gender]
    board = [f"board-{row}-{part}" for row in range(5) for part in ("name", "role", "email")]
    assert expected[-len(counts) - 1:-1] == counts, expected
    start = expected.index("board-0-name")
    assert expected[start:start + len(board)] == board, expected
    assert expected[-1] == "button"

    # From the top of the page to the first field by Tab alone.
    for _ in range(40):
        page.keyboard.press("Tab")
        if _focused(page)["id"] == "name":
            break
    else:
        raise AssertionError(f"the name field was never reached by Tab: {_focused(page)}")

    typed = {"name": name, "orgnr": _orgnr(), "founded_year": "2004",
             "description": "Vi spelar schack varje torsdag på Bäckby bibliotek.",
             "board-0-name": "Kim Tangent", "board-0-email": f"kim.{tag}@example.se",
             "counts-age_7_12_man": "6", "counts-age_26_64_woman": "4"}
    checked = set(ids_of.values())
    visited = []
    for stop in expected:
        focused = _focused(page)
        visited.append(focused["id"] or focused["tag"])
        assert visited[-1] == stop, f"Tab went to {visited[-1]!r}, expected {stop!r} " \
            f"after {visited[-5:-1]}"
        assert focused["shown"], f"no visible focus indicator on {stop}"
        if stop in typed:
            page.keyboard.type(typed[stop])
        elif stop in checked or stop == "legal_form-0":
            page.keyboard.press("Space")  # checks the box; the first radio: Ideell förening
        # board-0-role is left at "Välj roll": a mistake to correct from the error summary.
        if stop != "button":
            page.keyboard.press("Tab")
    assert _focused(page)["text"] == "Skicka in registreringen"

    # Send it with Enter: the one mistake is listed in the error summary, which has the focus
    # and whose link takes the focus to the field in the board's first row.
    with page.expect_navigation():
        page.keyboard.press("Enter")
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("listitem")).to_have_text(
        "Person 1, roll i styrelsen: Välj vilken roll personen har i styrelsen.")
    assert_accessible(page)
    page.keyboard.press("Tab")
    assert _focused(page)["text"].startswith("Person 1, roll i styrelsen"), _focused(page)
    page.keyboard.press("Enter")
    role = page.locator("#board-0-role")
    expect(role).to_be_focused()
    expect(role).to_have_attribute("aria-invalid", "true")
    page.keyboard.press("ArrowDown")  # "Välj roll" → "Ordförande"
    expect(role).to_have_value("chair")
    for _ in range(len(expected)):
        page.keyboard.press("Tab")
        if _focused(page)["tag"] == "button":
            break
    assert _focused(page)["text"] == "Skicka in registreringen"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    number = _receipt_number(page)
    expect(_heading(page)).to_have_text(f"Registrering av {name}")
    facts = _main(page)
    for text in ("Ideell förening", "Idrott", "Råby", "Barn (0–12 år)", "Finska", "Ordförande",
                 "Kim Tangent"):
        expect(facts).to_contain_text(text)
    expect(facts.get_by_role("row", name=re.compile("^7–12 år"))).to_contain_text("6")
    expect(facts.get_by_role("row", name="Alla medlemmar")).to_contain_text("10")
    assert number


# --- without JavaScript: both requests for completion answered ------------------------------

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _pdf(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def _request_completion(desk, number: str, message: str) -> None:
    """The officer asks for completion on the case page (message, deadline prefilled)."""
    _open_case(desk, number)
    deadline = desk.get_by_label("Sista dag att komplettera")
    expect(deadline).to_have_value((today_local() + timedelta(days=14)).isoformat())
    desk.get_by_label("Vad behöver kompletteras?").fill(message)
    desk.get_by_role("button", name="Skicka begäran om komplettering").click()
    expect(desk.get_by_role("status")).to_have_text("Begäran om komplettering är skickad.")
    expect(_main(desk)).to_contain_text("Komplettering begärd")
    expect(desk.get_by_role("region", name="Händelser i ärendet")).to_contain_text(message)


def test_registration_and_annual_update_completed_on_request_without_javascript(
        new_page, live_server, officer):
    tag = _tag()
    name = f"Föreningen Utan Skript {tag}"
    email = f"ulla.{tag}@example.se"
    applicant = new_page(java_script_enabled=False)
    desk = new_page(java_script_enabled=False)

    # The registration form works without JavaScript, its errors too.
    _sign_up(applicant, live_server, "Ulla Utan", email)
    applicant.goto("/forening/registrera")
    _main(applicant).get_by_role("button", name="Skicka in registreringen").click()
    # Listed in the order of the page, each once, the board's and the table's in words.
    expect(applicant.get_by_role("alert").get_by_role("listitem")).to_have_text([
        "Fyll i föreningens namn.", "Välj organisationsform.",
        "Fyll i beskrivning av verksamheten.",
        "Stadsdelar där föreningen har verksamhet: Välj minst en stadsdel.",
        "Fyll i minst en person i styrelsen.",
        "Antal medlemmar: Fyll i hur många medlemmar föreningen har – minst en ruta i tabellen.",
    ])
    _registration_form(applicant, name, _orgnr().replace("-", ""), public=False)
    number = _submit_registration(applicant)

    # 1. The officer asks for completion of the registration …
    _log_in(desk, officer, OFFICER_PASSWORD)
    ask = "Beskriv verksamheten för barn närmare och lägg till kassören med e-postadress."
    _request_completion(desk, number, ask)
    mail = live_server.mail_to(email)[-1]
    assert mail.subject == f"Komplettera ärende {number}"
    assert ask in mail.body_text and "/komplettera" in mail.body_text

    # … the applicant sees the message, edits and sends the registration in again …
    applicant.goto("/mina-foreningar")
    _main(applicant).get_by_role("region", name="Dina registreringar").get_by_role(
        "link", name=name).click()
    expect(_main(applicant)).to_contain_text("Handläggaren behöver mer information")
    expect(_main(applicant)).to_contain_text(ask)
    _main(applicant).get_by_role("link", name="Komplettera registreringen").click()
    expect(_heading(applicant)).to_have_text("Komplettera registreringen")
    expect(_main(applicant)).to_contain_text(ask)
    form = _main(applicant)
    expect(form.get_by_label("Föreningens namn")).to_have_value(name)
    expect(form.get_by_label("13–20 år, Kvinna")).to_have_value("14")
    form.get_by_label("Beskrivning av verksamheten").fill(
        "Vi paddlar kanot. Barn från 8 år paddlar med en vuxen varje lördag.")
    form.get_by_role("group", name="Person 2").get_by_label("E-postadress").fill(
        f"per.{tag}@example.se")
    form.get_by_role("button", name="Skicka in kompletteringen").click()
    expect(applicant.get_by_role("status")).to_have_text("Tack! Kompletteringen är inskickad.")
    expect(_main(applicant)).to_contain_text("Inkommen")

    # … and the officer approves it.
    _open_case(desk, number)
    expect(_main(desk)).to_contain_text("Barn från 8 år paddlar")
    expect(_main(desk)).to_contain_text(f"per.{tag}@example.se")
    desk.get_by_role("button", name="Godkänn registreringen").click()
    expect(desk.get_by_role("status")).to_contain_text("Godkänd")

    # 2. The association sends its annual update, with the year's documents …
    applicant.goto("/mina-foreningar")
    applicant.get_by_role("link", name=name, exact=True).click()
    applicant.get_by_role("navigation", name="Föreningens sidor").get_by_role(
        "link", name="Årlig uppdatering").click()
    update = _main(applicant)
    update.get_by_label("Jag har kontrollerat föreningens uppgifter och de stämmer").check()
    update.get_by_label("13–20 år, Kvinna").fill("15")
    for label, file in (("Årsmötesprotokoll", "protokoll.pdf"),
                        ("Verksamhetsberättelse", "verksamhet.pdf"),
                        ("Ekonomisk berättelse", "ekonomi.pdf"),
                        ("Revisionsberättelse", "revision.pdf"), ("Stadgar", "stadgar.pdf")):
        update.get_by_label(label, exact=True).set_input_files(_pdf(file))
    update.get_by_role("button", name="Skicka in den årliga uppdateringen").click()
    status = applicant.get_by_role("status")
    expect(status).to_contain_text("Tack! Den årliga uppdateringen är inskickad")
    update_number = re.search(r"LOK \d{4}/\d+", status.inner_text()).group(0)

    # … the officer asks for completion of it …
    ask = "Revisionsberättelsen är inte underskriven. Ladda upp den underskrivna."
    _request_completion(desk, update_number, ask)
    link = re.search(r"https?://[^\s/]+(/\S+)", live_server.mail_to(email)[-1].body_text.split(
        ask, 1)[1]).group(1)

    # … the association sees the message on the page the mail links to, completes and sends …
    applicant.goto(link)
    expect(_heading(applicant)).to_have_text(f"Årlig uppdatering {today_local().year}")
    expect(_main(applicant)).to_contain_text(ask)
    expect(_main(applicant).get_by_role("table", name=re.compile("Dokument för"))).to_contain_text(
        "revision.pdf")
    update = _main(applicant)
    update.get_by_label("Jag har kontrollerat föreningens uppgifter och de stämmer").check()
    expect(update.get_by_label("13–20 år, Kvinna")).to_have_value("15")
    update.get_by_label("Revisionsberättelse", exact=True).set_input_files(
        _pdf("revision-underskriven.pdf"))
    update.get_by_role("button", name="Skicka in den årliga uppdateringen").click()
    expect(applicant.get_by_role("status")).to_contain_text(
        "Tack! Den årliga uppdateringen är inskickad")

    # … and the officer approves. Only the LÖK is missing now for the association to be
    # eligible for grants (bidragsberättigad).
    _open_case(desk, update_number)
    expect(_main(desk)).to_contain_text("revision-underskriven.pdf")
    desk.get_by_role("button", name="Godkänn uppdateringen").click()
    expect(desk.get_by_role("status")).to_contain_text("Godkänd")
    applicant.get_by_role("navigation", name="Föreningens sidor").get_by_role(
        "link", name="Översikt").click()
    status_box = applicant.get_by_role("region", name=re.compile("^Status"))
    expect(status_box).to_contain_text("Registrerad")
    expect(status_box.get_by_role("listitem")).to_have_text(["LÖK:en är inte undertecknad"])
