"""A grant from application to payout in a real browser (issue 5).

An association's grant manager applies for a project grant (questions → budget table →
attachment upload → summary → submit); the grants officer takes the case and asks for
completion; the association completes and submits again; the officer decides to approve an
amount above their delegation, which makes it a proposal; a supervisor confirms it; the
decision letter (PDF) and its e-mail arrive (delivered to the mail folder); the payout line is
exported for the finance department as CSV and as Excel; the association submits the follow-up
report and the officer accepts it, which closes the case.

Everything goes through the pages; only the accounts, the association's register facts (LÖK
signed, documents, verified bankgiro – what makes it bidragsberättigad) and the programme are
written directly, as an administrator and the register flow would. Every page reached is
checked by axe-core (conftest.py).
"""
from __future__ import annotations

import csv
import io
import re
import uuid

import pytest
from playwright.sync_api import expect

PASSWORD = "Ett långt lösenord för bidrag 2026"
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _tag() -> str:
    return uuid.uuid4().hex[:8]


@pytest.fixture
def grant_world(live_server) -> dict:
    """A rolling project-grant programme, an eligible association with its grant manager, a
    grants officer who may decide up to 20 000 kr and a supervisor who may decide 500 000 kr."""
    from stdnum import luhn
    from werkzeug.datastructures import FileStorage

    from lokapp.agreement.models import AgreementSignature, SignatureState
    from lokapp.agreement.queries import current_version
    from lokapp.associations import services as register
    from lokapp.associations.models import (
        Association,
        Category,
        DocumentType,
        LegalForm,
        RegisterState,
    )
    from lokapp.associations.status import YEARLY_DOCUMENTS
    from lokapp.auth import services as accounts
    from lokapp.auth.models import AssociationMember, AssociationMemberRole, User
    from lokapp.auth.passwords import hash_password
    from lokapp.core.time import today_local, utcnow
    from lokapp.extensions import db
    from lokapp.grants.models import (
        Eligibility,
        GrantBudget,
        GrantProgramme,
        GrantQuestion,
        QuestionKind,
        WindowKind,
    )

    tag = _tag()
    year = today_local().year
    with live_server.app.test_request_context("/", environ_base={"REMOTE_ADDR": ""}):
        programme = GrantProgramme(
            key=f"lok-projekt-{tag}", name_sv=f"Projektbidrag {tag}", name_en="Project grant",
            description_sv="Bidrag till tidsbegränsade projekt som förverkligar LÖK:en.",
            rules_sv="Projektet ska ha en budget och en egen insats.",
            eligibility=Eligibility.ELIGIBLE, window_kind=WindowKind.ROLLING,
            max_amount_sek=200_000, has_budget_table=True, required_attachments=["Projektplan"],
            delegation_limit_sek=None, follow_up_required=True, follow_up_days=365,
            handling_days=60)
        for position, (kind, label) in enumerate([
                (QuestionKind.SHORT_TEXT, "Projektets namn"),
                (QuestionKind.LONG_TEXT, "Syfte och mål"),
                (QuestionKind.YES_NO, "Samverkar ni med andra föreningar?")]):
            programme.questions.append(GrantQuestion(position=position, kind=kind,
                                                     label_sv=label, is_required=True))
        programme.budgets.append(GrantBudget(year=year, amount_sek=1_000_000, committed_sek=0))
        db.session.add(programme)

        manager = User(email=f"bidrag.{tag}@example.se", name="Greta Bidragsansvarig",
                       password_hash=hash_password(PASSWORD), email_verified_at=utcnow())
        db.session.add(manager)
        base = f"804{uuid.uuid4().int % 10**6:06d}"
        association = Association(
            name=f"Skultuna Kulturförening {tag}", orgnr=base + luhn.calc_check_digit(base),
            legal_form=LegalForm.NONPROFIT, category=db.session.scalars(db.select(Category)).first(),
            register_state=RegisterState.REGISTERED, registered_at=utcnow(),
            bankgiro="5050-1055", bank_details_verified_at=utcnow())
        db.session.add(association)
        db.session.flush()
        member = AssociationMember(user_id=manager.id, association_id=association.id)
        member.roles.append(AssociationMemberRole(role="grant_manager"))
        db.session.add(member)
        # Bidragsberättigad: the LÖK signed, the statutes and this year's documents uploaded.
        version = current_version()
        db.session.add(AgreementSignature(
            association_id=association.id, version_id=version.id, state=SignatureState.SIGNED,
            prepared_at=utcnow(), signed_at=utcnow(), signed_by_id=manager.id,
            signed_by_name=manager.name, signed_checksum=version.checksum))
        for doc_type, doc_year in [(DocumentType.STATUTES, year)] + [
                (d, year) for d in YEARLY_DOCUMENTS]:
            register.upload_document(association, doc_type, doc_year,
                                     FileStorage(io.BytesIO(PDF), f"{doc_type.value}.pdf"),
                                     manager)
        officer = accounts.create_staff(
            name="Olle Handläggare", email=f"olle.{tag}@vasteras.se", roles=["officer"],
            areas=["grants"], delegation_limit_sek=20_000, password=PASSWORD,
            send_invite=False, via="cli")
        supervisor = accounts.create_staff(
            name="Siv Chef", email=f"siv.{tag}@vasteras.se", roles=["supervisor"],
            areas=["grants"], delegation_limit_sek=500_000, password=PASSWORD,
            send_invite=False, via="cli")
        db.session.commit()
        from lokapp.associations.status import compute_status

        status = compute_status(association)
        assert status.is_eligible, status.missing
        world = {"programme": programme.name_sv, "key": programme.key,
                 "programme_id": programme.id, "association": association.name,
                 "manager": manager.email, "officer": officer.email,
                 "supervisor": supervisor.email}
        db.session.remove()
    return world


def _log_in(page, email: str) -> None:
    page.goto("/logga-in")
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord", exact=True).fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()


def _log_out(page) -> None:
    page.get_by_role("button", name="Logga ut").click()
    expect(page.get_by_role("button", name="Logga ut")).to_have_count(0)


def _heading(page):
    return page.get_by_role("heading", level=1)


def _status(page):
    return page.get_by_role("status").first


def _deliver(live_server, address: str) -> list:
    """Send the outbox to the mail folder (the development transport) and return the messages
    delivered to ``address``, oldest first, parsed."""
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


def _budget_row(page, row: int, kind: str, description: str, amount: str) -> None:
    page.get_by_label(f"Typ, rad {row}", exact=True).select_option(label=kind)
    page.get_by_label(f"Beskrivning, rad {row}", exact=True).fill(description)
    page.get_by_label(f"Belopp (kronor), rad {row}", exact=True).fill(amount)


def _fits_a_phone(page, assert_accessible) -> None:
    """The page as it is now, on a 320 px screen: nothing scrolls sideways but tables, in
    boxes the keyboard can reach, and axe-core passes; then back to the desktop width."""
    page.set_viewport_size({"width": 320, "height": 720})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"{page.url} is {width} px wide at 320 px"
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 720})


def _open_case(page, number: str) -> None:
    """The officer finds the case in the unified queue by its number and opens it."""
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link",
                                                                 name="Handläggning").click()
    search = page.get_by_role("searchbox").or_(page.get_by_label("Sök", exact=False)).first
    search.fill(number)
    search.press("Enter")
    page.get_by_role("link", name=number).click()
    expect(_heading(page)).to_contain_text(number)


def test_grant_from_application_to_payout_export(new_page, grant_world, live_server,
                                                 assert_accessible):
    world = grant_world
    page = new_page()
    _log_in(page, world["manager"])

    # Find the programme and start an application for the association.
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Bidrag").click()
    page.get_by_role("link", name=world["programme"]).click()
    expect(_heading(page)).to_contain_text(world["programme"])
    page.get_by_role("link", name="Ansök").click()
    page.get_by_label("Förening som söker").select_option(label=world["association"])
    page.get_by_role("button", name="Påbörja en ny ansökan").click()
    expect(_status(page)).to_contain_text("sparad som utkast")

    # Step 1: questions (a required one left empty first: the input is kept).
    expect(_heading(page)).to_have_text("Frågor")
    steps = page.get_by_role("navigation", name="Ansökans steg")
    expect(steps.get_by_role("listitem")).to_have_count(4)
    page.get_by_label("Projektets namn").fill("Kulturkväll för alla")
    page.get_by_role("button", name="Spara och fortsätt").click()
    expect(page.locator(".error-summary")).to_contain_text(re.compile("syfte och mål", re.I))
    expect(page.get_by_label("Projektets namn")).to_have_value("Kulturkväll för alla")
    page.get_by_label("Syfte och mål").fill("Fler unga i Skultuna ska prova på teater och dans.")
    page.get_by_role("group", name="Samverkar ni med andra föreningar?").get_by_label(
        "Ja", exact=True).check()
    page.get_by_role("button", name="Spara och fortsätt").click()

    # Step 2: the budget table; requested = costs − income − own contribution.
    expect(_heading(page)).to_have_text("Budget och belopp")
    _budget_row(page, 1, "Kostnad", "Lokalhyra", "30 000")
    _budget_row(page, 2, "Kostnad", "Ledare och material", "25 000")
    _budget_row(page, 3, "Intäkt", "Deltagaravgifter", "5 000")
    page.get_by_label("Egen insats (kronor)").fill("5 000")
    page.get_by_role("button", name="Spara och fortsätt").click()

    # Step 3: the required attachment, uploaded.
    expect(_heading(page)).to_have_text("Bilagor")
    expect(page.get_by_role("row", name="Projektplan")).to_contain_text("Inte uppladdad")
    page.get_by_label("Vilken bilaga?").select_option(label="Projektplan")
    page.get_by_label("Fil", exact=True).set_input_files(
        {"name": "projektplan.pdf", "mimeType": "application/pdf", "buffer": PDF})
    page.get_by_role("button", name="Ladda upp").click()
    expect(_status(page)).to_contain_text("Projektplan")
    expect(page.get_by_role("row", name="Projektplan")).to_contain_text("projektplan.pdf")
    page.get_by_role("link", name="Fortsätt till sammanfattningen").click()

    # The summary, then submit: a case number and a receipt.
    expect(_heading(page)).to_have_text("Sammanfattning")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Kulturkväll för alla")
    expect(main).to_contain_text("45\u00a0000\u00a0kr")
    expect(main).to_contain_text("projektplan.pdf")
    page.get_by_role("button", name="Skicka in ansökan").click()
    expect(_status(page)).to_contain_text("har fått nummer LOK")
    number = re.search(r"LOK \d{4}/\d{5}", _status(page).inner_text()).group(0)
    expect(page.get_by_role("main")).to_contain_text("Inkommen")
    receipt = _deliver(live_server, world["manager"])[-1]
    assert number in str(receipt["Subject"]) + receipt.get_body(("plain",)).get_content()
    application_url = page.url

    # The officer takes the case and asks for completion.
    officer = new_page()
    _log_in(officer, world["officer"])
    _open_case(officer, number)
    officer.get_by_role("button", name="Ta ärendet").click()
    expect(_status(officer)).to_contain_text("Du handlägger nu ärendet")
    completion = officer.get_by_role("group", name="Begär komplettering")
    completion.get_by_label("Vad behöver kompletteras?").fill(
        "Skriv hur många deltagare ni räknar med.")
    completion.get_by_role("button", name="Begär komplettering").click()
    expect(_status(officer)).to_contain_text("Kompletteringen är begärd")
    expect(officer.get_by_role("main")).to_contain_text("Komplettering begärd")
    asked = _deliver(live_server, world["manager"])[-1]
    assert "deltagare ni räknar med" in asked.get_body(("plain",)).get_content()

    # The association completes the application and submits it again.
    page.goto(application_url)
    expect(page.get_by_role("main")).to_contain_text("Skriv hur många deltagare ni räknar med.")
    page.get_by_role("link", name="Fortsätt med ansökan").click()
    page.get_by_label("Syfte och mål").fill(
        "Fler unga i Skultuna ska prova på teater och dans. Vi räknar med 40 deltagare.")
    page.get_by_role("button", name="Spara och fortsätt").click()
    page.get_by_role("button", name="Spara och fortsätt").click()  # the budget stays
    page.get_by_role("link", name="Fortsätt till sammanfattningen").click()
    expect(page.get_by_role("main")).to_contain_text("40 deltagare")
    page.get_by_role("button", name="Skicka in ansökan").click()
    expect(_status(page)).to_contain_text(number)
    expect(page.get_by_role("main")).to_contain_text("Inkommen")

    # Above the officer's delegation (20 000 kr) the decision becomes a proposal.
    officer.reload()
    officer.get_by_role("button", name="Ta ärendet").click()
    decision = officer.get_by_role("group", name="Beslut")
    decision.get_by_label("Beviljad", exact=True).check()
    decision.get_by_label("Skäl för beslutet").fill(
        "Projektet uppfyller LÖK:ens mål om delaktighet och har en rimlig budget.")
    decision.get_by_role("button", name="Fatta beslut").click()
    expect(_status(officer)).to_contain_text("Beslutet är ett förslag")
    expect(officer.get_by_role("main")).to_contain_text("Förslag till beslut")
    expect(officer.get_by_role("button", name="Fastställ beslutet")).to_have_count(0)

    # A supervisor confirms: the decision letter and its e-mail reach the association.
    supervisor = new_page()
    _log_in(supervisor, world["supervisor"])
    _open_case(supervisor, number)
    expect(supervisor.get_by_role("main")).to_contain_text("45\u00a0000\u00a0kr")
    supervisor.get_by_role("button", name="Fastställ beslutet").click()
    expect(_status(supervisor)).to_contain_text("Beslutet är fastställt")
    expect(supervisor.get_by_role("main")).to_contain_text("Beviljad")
    _fits_a_phone(supervisor, assert_accessible)  # the case page with its budget table
    letters = [m for m in _deliver(live_server, world["manager"])
               if any(p.get_content_type() == "application/pdf" for p in m.iter_attachments())]
    assert letters, "no decision letter was mailed"
    letter = letters[-1]
    pdf = next(p for p in letter.iter_attachments() if p.get_content_type() == "application/pdf")
    assert pdf.get_filename().endswith(".pdf")
    from pypdf import PdfReader

    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(
        pdf.get_payload(decode=True))).pages)
    flat = re.sub(r"\s+", " ", text.replace("\u00a0", " "))
    assert number in flat and "45 000" in flat and world["association"] in flat, flat[:2000]
    assert number in str(letter["Subject"]) + letter.get_body(("plain",)).get_content()
    page.goto(application_url)
    expect(page.get_by_role("main")).to_contain_text("Beviljad, 45\u00a0000\u00a0kr")
    _fits_a_phone(page, assert_accessible)  # the association's view of the case

    # The payout line, exported for the finance department: CSV, then Excel.
    supervisor.get_by_role("link", name="Väntar på export").click()  # the case's payout line
    expect(_heading(supervisor)).to_have_text("Utbetalningar av bidrag")
    supervisor.get_by_label("Bidrag", exact=True).select_option(label=world["programme"])
    supervisor.get_by_role("button", name="Visa").click()
    line = supervisor.get_by_role("row", name=number)
    expect(line).to_contain_text(world["association"])
    expect(line).to_contain_text("45\u00a0000")
    supervisor.get_by_label("CSV (semikolonseparerad)").check()
    with supervisor.expect_download() as download:
        supervisor.get_by_role("button", name="Exportera").click()
    assert download.value.suggested_filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(
        download.value.path().read_bytes().decode("utf-8-sig")), delimiter=";"))
    mine = [r for r in rows if number in r]
    assert len(mine) == 1, rows
    assert world["association"] in mine[0] and any("45000" in c.replace("\u00a0", "").replace(
        " ", "") for c in mine[0]), mine[0]
    supervisor.reload()
    expect(supervisor.get_by_role("row", name=number)).to_contain_text(
        "Exporterad")
    # Again as Excel: already exported lines only when asked to.
    supervisor.get_by_label("Excel-fil (.xlsx)").check()
    supervisor.get_by_label("Ta med rader som redan har exporterats").check()
    with supervisor.expect_download() as download:
        supervisor.get_by_role("button", name="Exportera").click()
    from openpyxl import load_workbook

    assert download.value.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    cells = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert [r for r in cells if number in r], cells

    # The follow-up report (redovisning) closes the flow: the association reports what was
    # done, who took part and what it cost; the officer accepts and the case is closed.
    # (Completion of a report and recovery: test_grant_follow_up_flow.py.)
    page.goto(application_url)
    expect(page.get_by_role("main")).to_contain_text("Redovisning ska lämnas")
    page.get_by_role("link", name="Till redovisningen").click()
    expect(_heading(page)).to_have_text("Redovisning av bidrag")
    page.get_by_label("Vad har föreningen gjort med bidraget?").fill(
        "Åtta kulturkvällar med teater och dans; 40 ungdomar deltog.")
    page.get_by_label("Deltagare 13–20 år, Kvinna").fill("22")
    page.get_by_label("Deltagare 13–20 år, Man").fill("18")
    _budget_row(page, 1, "Kostnad", "Lokalhyra", "29 000")
    _budget_row(page, 2, "Kostnad", "Ledare och material", "26 000")
    _budget_row(page, 3, "Intäkt", "Deltagaravgifter", "4 000")
    page.get_by_role("button", name="Spara och skicka in redovisningen").click()
    expect(_status(page)).to_contain_text("Redovisningen är inskickad")
    _open_case(officer, number)
    officer.get_by_role("link", name="Till redovisningen").click()
    expect(officer.get_by_role("main")).to_contain_text("Åtta kulturkvällar")
    _fits_a_phone(officer, assert_accessible)  # the report with its cost table
    accept = officer.get_by_role("group", name="Godkänn redovisningen")
    accept.get_by_label("Kommentar till föreningen").fill("Tack, redovisningen är godkänd.")
    accept.get_by_role("button", name="Godkänn redovisningen").click()
    expect(_status(officer)).to_contain_text("Redovisningen är godkänd")
    expect(officer.get_by_role("main")).to_contain_text("Avslutad")
    closed = _deliver(live_server, world["manager"])[-1]
    assert "Tack, redovisningen är godkänd." in closed.get_body(("plain",)).get_content()
    page.goto(application_url)
    expect(page.get_by_role("main")).to_contain_text("Avslutad")


def test_application_steps_without_javascript_at_320_px(new_page, grant_world,
                                                        assert_accessible):
    """Every step of the application reflows to a 320 px screen (only tables scroll, in boxes
    the keyboard can reach) and is saved on the server without JavaScript."""
    world = grant_world
    page = new_page(java_script_enabled=False, viewport={"width": 320, "height": 720})
    _log_in(page, world["manager"])
    page.goto(f"/bidrag/{world['key']}/ansok")
    page.get_by_label("Förening som söker").select_option(label=world["association"])
    page.get_by_role("button", name="Påbörja en ny ansökan").click()

    def fits() -> None:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{page.url} is {width} px wide at 320 px"
        assert_accessible(page)

    expect(_heading(page)).to_have_text("Frågor")
    fits()
    page.get_by_label("Projektets namn").fill("Sommarscen")
    page.get_by_label("Syfte och mål").fill("Unga spelar teater i parken.")
    page.get_by_role("group", name="Samverkar ni med andra föreningar?").get_by_label(
        "Nej", exact=True).check()
    page.get_by_role("button", name="Spara och fortsätt").click()
    expect(_heading(page)).to_have_text("Budget och belopp")
    fits()
    _budget_row(page, 1, "Kostnad", "Scenteknik och ljudanläggning", "12 000")
    page.get_by_label("Egen insats (kronor)").fill("2 000")
    page.get_by_role("button", name="Spara och fortsätt").click()
    expect(_heading(page)).to_have_text("Bilagor")
    fits()
    page.get_by_role("link", name="Fortsätt till sammanfattningen").click()
    expect(_heading(page)).to_have_text("Sammanfattning")
    expect(page.get_by_role("main")).to_contain_text("10\u00a0000\u00a0kr")
    fits()
    # The required attachment is missing: submitting lists it and nothing is sent.
    page.get_by_role("button", name="Skicka in ansökan").click()
    expect(page.get_by_role("alert").filter(has_text="Projektplan")).to_be_visible()
    expect(page.get_by_role("alert").first).to_contain_text("kan inte skickas in ännu")
    fits()
