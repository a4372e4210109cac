"""Formula programmes in a real browser, without JavaScript-only paths: an administrator turns
a programme into aktivitetsstöd on the programme page; the association fills the occasion table
(a decimal is refused with the input kept), then uploads the list as a CSV file and sees the
calculation and the occasions that do not count; the summary and the officer's case page show
the calculation, and the decision amount defaults to it. axe-core checks every page
(conftest.py)."""
from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from tests.browser.test_grant_flow import (  # noqa: F401 - grant_world is a fixture
    PASSWORD,
    _heading,
    _log_in,
    _log_out,
    _open_case,
    _status,
    grant_world,
)

CSV = ("Datum;Aktivitet;Deltagare;Ledare\n"
       "2026-02-03;Fotbollsträning;12;2\n"
       "2026-02-10;Fotbollsträning;2;1\n"
       "2026-08-01;Sommarläger;20;3\n").encode()


def _admin(live_server) -> str:
    from lokapp.auth import services as accounts
    from lokapp.extensions import db

    with live_server.app.test_request_context("/", environ_base={"REMOTE_ADDR": ""}):
        admin = accounts.create_staff(
            name="Ada Administratör", email=f"ada.{uuid.uuid4().hex[:8]}@vasteras.se", roles=["admin"],
            areas=[], delegation_limit_sek=None, password=PASSWORD, send_invite=False,
            via="cli")
        email = admin.email
        db.session.commit()
        db.session.remove()
    return email


def test_activity_grant_from_formula_to_the_officers_calculation(
        new_page, grant_world, live_server):  # noqa: F811 - the imported fixture
    world = grant_world
    page = new_page()

    # The administrator sets the formula (and drops the budget table and attachment).
    _log_in(page, _admin(live_server))
    page.goto(f"/bidrag/admin/{world['programme_id']}")
    page.get_by_label("Ansökan har en budget med kostnader och intäkter").uncheck()
    page.get_by_label("Bilagor som måste skickas med").fill("")
    page.get_by_role("group", name="Räknas beloppet ut med en formel?").get_by_label(
        "Aktivitetsstöd – per deltagartillfälle").check()
    page.get_by_label("Aktivitetsstöd: kronor per deltagartillfälle").fill("8,50")
    page.get_by_label("Aktivitetsstöd: deltagare från och med ålder").fill("7")
    page.get_by_label("Aktivitetsstöd: deltagare till och med ålder").fill("25")
    page.get_by_label("Aktivitetsstöd: minsta antal deltagare i åldersgruppen per "
                      "sammankomst").fill("3")
    page.get_by_role("button", name="Spara bidragsformen").click()
    expect(page.locator(".error-summary")).to_contain_text("utan öre")
    page.get_by_label("Aktivitetsstöd: kronor per deltagartillfälle").fill("8")
    page.get_by_label("Aktivitetsstöd: kronor per sammankomst").fill("15")
    page.get_by_role("button", name="Spara bidragsformen").click()
    expect(_status(page)).to_contain_text("Bidragsformen är sparad")
    _log_out(page)

    # The association: questions, then the occasions step.
    _log_in(page, world["manager"])
    page.goto(f"/bidrag/{world['key']}/ansok")
    page.get_by_label("Förening som söker").select_option(label=world["association"])
    page.get_by_role("button", name="Påbörja en ny ansökan").click()
    page.get_by_label("Projektets namn").fill("Fotboll för alla")
    page.get_by_label("Syfte och mål").fill("Fler barn ska spela fotboll.")
    page.get_by_role("group", name="Samverkar ni med andra föreningar?").get_by_label(
        "Nej", exact=True).check()
    page.get_by_role("button", name="Spara och fortsätt").click()
    expect(_heading(page)).to_have_text("Sammankomster")
    page.get_by_label("Periodens första dag").first.fill("2026-01-01")
    page.get_by_label("Periodens sista dag").first.fill("2026-06-30")
    page.get_by_label("Datum, rad 1", exact=True).fill("2026-02-03")
    page.get_by_label("Aktivitet, rad 1", exact=True).fill("Fotbollsträning")
    page.get_by_label("Deltagare i åldersgruppen, rad 1", exact=True).fill("12,5")
    page.get_by_label("Ledare, rad 1", exact=True).fill("2")
    page.get_by_role("button", name="Spara sammankomsterna").click()
    expect(page.locator(".error-summary")).to_contain_text("heltal utan decimaler")
    expect(page.get_by_label("Deltagare i åldersgruppen, rad 1", exact=True)).to_have_value(
        "12,5")
    page.get_by_label("Deltagare i åldersgruppen, rad 1", exact=True).fill("12")
    page.get_by_role("button", name="Spara sammankomsterna").click()
    expect(_status(page)).to_contain_text("1 sammankomst × 15\u00a0kr + 12 deltagartillfällen")

    # The list as a file replaces the table; what does not count is listed with the reason.
    page.get_by_label("Fil med sammankomster (CSV eller Excel)").set_input_files(
        {"name": "sammankomster.csv", "mimeType": "text/csv", "buffer": CSV})
    page.get_by_role("button", name="Ladda upp och räkna ut").click()
    expect(_status(page)).to_contain_text("= 111\u00a0kr")  # 12 × 8 + 15
    not_counted = page.get_by_role("table", name="2 rader räknas inte")
    expect(not_counted).to_contain_text("Färre än 3 deltagare i åldern 7–25 år.")
    expect(not_counted).to_contain_text("Datumet ligger utanför perioden")
    page.get_by_role("link", name="Fortsätt till nästa steg").click()
    expect(_heading(page)).to_have_text("Sammanfattning")
    expect(page.get_by_role("region", name="Beräkning av beloppet")).to_contain_text(
        "= 111\u00a0kr")
    page.get_by_role("button", name="Skicka in ansökan").click()
    expect(_status(page)).to_contain_text("har fått nummer LOK")
    number = re.search(r"LOK \d{4}/\d{5}", _status(page).inner_text()).group(0)
    _log_out(page)

    # The officer sees the calculation; the decision amount is the computed one.
    _log_in(page, world["officer"])
    _open_case(page, number)
    page.get_by_role("button", name="Ta ärendet").click()
    expect(page.get_by_role("region", name="Beräkning av beloppet")).to_contain_text(
        "1 sammankomst × 15\u00a0kr + 12 deltagartillfällen × 8\u00a0kr = 111\u00a0kr")
    expect(page.get_by_label(re.compile("Beviljat belopp"))).to_have_value("111")


def test_premises_grant_asks_for_each_contract(new_page, grant_world,  # noqa: F811
                                               live_server):
    from lokapp.extensions import db
    from lokapp.grants.models import FormulaKind, GrantProgramme

    world = grant_world
    with live_server.app.app_context():
        programme = db.session.get(GrantProgramme, world["programme_id"])
        programme.formula_kind, programme.formula_share_percent = FormulaKind.RENT, 40
        programme.has_budget_table, programme.required_attachments = False, []
        db.session.commit()
        db.session.remove()
    page = new_page()
    _log_in(page, world["manager"])
    page.goto(f"/bidrag/{world['key']}/ansok")
    page.get_by_label("Förening som söker").select_option(label=world["association"])
    page.get_by_role("button", name="Påbörja en ny ansökan").click()
    page.get_by_label("Projektets namn").fill("Klubblokal")
    page.get_by_label("Syfte och mål").fill("Läxhjälp och dans.")
    page.get_by_role("group", name="Samverkar ni med andra föreningar?").get_by_label(
        "Nej", exact=True).check()
    page.get_by_role("button", name="Spara och fortsätt").click()
    expect(_heading(page)).to_have_text("Lokaler och hyra")
    page.get_by_label("Lokalens namn, rad 1", exact=True).fill("Klubblokalen")
    page.get_by_label("Adress, rad 1", exact=True).fill("Bäckbyvägen 1")
    page.get_by_label("Årshyra (kronor), rad 1", exact=True).fill("96 000,50")
    page.get_by_role("button", name="Spara lokalerna").click()
    expect(page.locator(".error-summary")).to_contain_text("utan öre")
    page.get_by_label("Årshyra (kronor), rad 1", exact=True).fill("96 000")
    page.get_by_label("Lokalens namn, rad 2", exact=True).fill("Idrottshallen")
    page.get_by_label("Adress, rad 2", exact=True).fill("Rocklunda")
    page.get_by_label("Årshyra (kronor), rad 2", exact=True).fill("20 000")
    page.get_by_label("Hyresvärd, rad 2", exact=True).select_option(label="Västerås stad")
    page.get_by_role("button", name="Spara lokalerna").click()
    expect(_status(page)).to_contain_text("= 38\u00a0400\u00a0kr")
    expect(page.get_by_role("table", name="1 rad räknas inte")).to_contain_text(
        "Lokalen hyrs av Västerås stad")
    page.get_by_role("link", name="Fortsätt till nästa steg").click()
    expect(_heading(page)).to_have_text("Bilagor")
    expect(page.get_by_role("row", name="Hyreskontrakt – Klubblokalen")).to_contain_text(
        "Inte uppladdad")
    page.get_by_role("link", name="Fortsätt till sammanfattningen").click()
    expect(page.get_by_role("main")).to_contain_text(
        "Bilagan ”Hyreskontrakt – Klubblokalen” saknas.")
