"""The letter pages in a real browser, every page checked by axe-core (WCAG 2.1 AA).

Reuses the live server, Chromium and the axe checker of ``tests/browser`` (see conftest.py
here; skipped without ``/usr/bin/chromium``, required in CI). An officer rejects a registration on
the case page; the letter shows up there, opens as a web page and downloads as the stored PDF;
an administrator previews and saves template wording without JavaScript; a batch page.
"""
from __future__ import annotations

import hashlib
import uuid

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
PASSWORD = "Brevens långa lösenord 2026"


def _staff(live_server, role: str, areas: list[str]) -> str:
    from lokapp.auth import services
    from lokapp.extensions import db

    email = f"{role}.{uuid.uuid4().hex[:8]}@vasteras.se"
    with live_server.app.test_request_context("/", environ_base={"REMOTE_ADDR": ""}):
        services.create_staff(name="Karin Handläggare", email=email, roles=[role],
                              areas=areas, password=PASSWORD, send_invite=False, via="cli")
        db.session.commit()
        db.session.remove()
    return email


def _submitted_registration(live_server) -> int:
    from stdnum import luhn

    from lokapp.associations.models import Association, Category, LegalForm, RegisterState
    from lokapp.auth.models import User
    from lokapp.core.cases import assign_number, open_case, submit
    from lokapp.core.time import utcnow
    from lokapp.extensions import db

    with live_server.app.test_request_context("/", environ_base={"REMOTE_ADDR": ""}):
        category = db.session.scalars(db.select(Category).order_by(Category.sort_order)).first()
        base = f"803{uuid.uuid4().int % 10**6:06d}"
        association = Association(
            name=f"Skultuna Schack {uuid.uuid4().hex[:4]}", orgnr=base + luhn.calc_check_digit(
                base), legal_form=LegalForm.NONPROFIT, category=category,
            description="Schack.", register_state=RegisterState.PENDING,
            street_address="Bruksvägen 2", postal_code="72610", city="Skultuna")
        applicant = User(email=f"sokande.{uuid.uuid4().hex[:8]}@example.se", name="Sara Sökande",
                         password_hash="!", email_verified_at=utcnow())
        db.session.add_all([association, applicant])
        db.session.flush()
        case = open_case("registration", subject=f"Registrering av {association.name}",
                         applicant=applicant, association_id=association.id)
        submit(case, applicant)
        assign_number(case)
        db.session.commit()
        case_id = case.id
        db.session.remove()
    return case_id


def _log_in(page, email: str) -> None:
    page.goto("/logga-in")
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord", exact=True).fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()


def test_officer_rejects_and_reads_the_letter(live_server, page):
    case_id = _submitted_registration(live_server)
    _log_in(page, _staff(live_server, "officer", ["register"]))
    page.goto(f"/handlaggning/foreningsregister/{case_id}")
    page.get_by_label("Motivering").fill("Föreningen har inga stadgar som ett årsmöte har "
                                         "antagit.")
    page.get_by_role("button", name="Avslå registreringen").click()
    panel = page.get_by_role("region", name="Beslutsbrev")
    expect(panel).to_contain_text("Beslut om registrering av Skultuna Schack")
    panel.get_by_role("link", name="Beslut om registrering av Skultuna Schack").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Beslut om registrering")
    expect(page.get_by_role("heading", name="Skäl för beslutet")).to_be_visible()
    expect(page.get_by_role("heading", name="Om du vill överklaga")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Ladda ner brevet som PDF").click()
    data = open(download.value.path(), "rb").read()
    checksum = page.locator(".checksum").inner_text().strip()
    assert hashlib.sha256(data).hexdigest() == checksum
    page.get_by_role("button", name="Skicka brevet igen").click()
    expect(page.get_by_role("status").first).to_contain_text("samma fil")


def test_admin_previews_and_saves_wording_without_javascript(live_server, new_page):
    page = new_page(java_script_enabled=False)
    _log_in(page, _staff(live_server, "admin", []))
    page.goto("/admin/brevmallar")
    page.get_by_role("link", name="Beslut: registrering godkänd").click()
    body = page.get_by_label("Beslutstext på svenska")
    body.fill("<p>{{ association.name }} är med i registret. Grattis!</p>")
    page.get_by_role("button", name="Förhandsgranska").click()
    expect(page.get_by_role("heading", name="Förhandsgranskning med exempeldata")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Bäckby Schackklubb är med i registret.")
    page.get_by_label("Beslutstext på svenska").fill("<img src=\"file:///etc/passwd\">")
    page.get_by_role("button", name="Spara som ny version").click()
    expect(page.get_by_role("alert")).to_contain_text("Taggen <img> är inte tillåten")
    page.get_by_label("Beslutstext på svenska").fill("<p>{{ association.name }} är med.</p>")
    page.get_by_role("button", name="Spara som ny version").click()
    expect(page.get_by_role("main")).to_contain_text("Version 2")


def test_the_batch_page(live_server, page):
    _log_in(page, _staff(live_server, "officer", ["register"]))
    page.goto("/handlaggning/brev/utskick")
    expect(page.get_by_role("heading", level=1)).to_have_text("Utskick av beslutsbrev")
