"""The public directory in a real browser: axe-core on every page, no JavaScript, reflow.

axe-core runs on every document the server sends during these tests (conftest.py).
"""
from __future__ import annotations

import pytest
from playwright.sync_api import expect


@pytest.fixture(scope="module")
def directory(live_server):
    """Twenty-five listed associations (two pages) and one that must not show."""
    from sqlalchemy import select

    from lokapp.associations.models import (
        Association,
        AssociationLanguage,
        Category,
        District,
        LegalForm,
        RegisterState,
    )
    from lokapp.core.time import utcnow
    from lokapp.extensions import db

    with live_server.app.app_context():
        if db.session.scalar(select(Association).where(Association.name == "Webbkören 00")):
            return
        category = db.session.scalar(select(Category).where(Category.key == "culture"))
        backby = db.session.scalar(select(District).where(District.key == "backby"))
        for n in range(25):
            base = f"81{n:07d}"
            from stdnum import luhn

            db.session.add(Association(
                name=f"Webbkören {n:02d}", orgnr=base + luhn.calc_check_digit(base),
                legal_form=LegalForm.NONPROFIT, category=category, is_public=True,
                description="Körsång för alla. Vi övar på onsdagar i Bäckby.\n\nVälkommen!",
                email=f"kor{n}@webbkoren.example", phone="070-174 06 60",
                website="https://webbkoren.example", city="Västerås",
                has_accessible_premises=n % 2 == 0, districts=[backby],
                languages=[AssociationLanguage(code="sv"), AssociationLanguage(code="ar")],
                register_state=RegisterState.REGISTERED, registered_at=utcnow()))
        base = "819999999"
        db.session.add(Association(
            name="Webbkören Hemlig", orgnr=base[:9] + luhn.calc_check_digit(base[:9]),
            legal_form=LegalForm.NONPROFIT, category=category, is_public=False,
            register_state=RegisterState.REGISTERED, registered_at=utcnow()))
        db.session.commit()


def test_search_filter_page_and_detail_pass_axe(page, directory):
    page.goto("/foreningar")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hitta en förening")
    page.get_by_label("Sök på namn eller beskrivning").fill("webbkoren")
    page.get_by_label("Stadsdel").select_option(label="Bäckby")
    page.get_by_role("button", name="Visa föreningar").click()
    expect(page.get_by_role("status")).to_contain_text("Vi hittade 25 föreningar.")
    expect(page.get_by_text("Webbkören Hemlig")).to_have_count(0)
    page.get_by_role("navigation", name="Sidor med sökresultat").get_by_role(
        "link", name="Nästa sida").click()
    expect(page.get_by_role("status")).to_contain_text("Sidan visar nummer 21–25.")
    current = page.locator('.pagination a[aria-current="page"]')
    expect(current).to_have_text("Sida 2")
    page.get_by_role("link", name="Webbkören 24").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Webbkören 24")
    expect(page.get_by_role("link", name="kor24@webbkoren.example")).to_be_visible()


def test_easy_read_and_missing_association_pass_axe(page, directory):
    page.goto("/foreningar")
    page.get_by_role("link", name="Lättläst: Så hittar du en förening").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Så hittar du en förening")
    assert page.goto("/foreningar/999999").status == 404


def test_the_search_works_without_javascript(new_page, directory):
    page = new_page(java_script_enabled=False)
    page.goto("/foreningar")
    page.get_by_label("Sök på namn eller beskrivning").fill("KÖR")
    page.get_by_label("Bara föreningar med tillgängliga lokaler").check()
    page.get_by_label("Sök på namn eller beskrivning").press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Vi hittade 13 föreningar.")
    assert "accessible=1" in page.url


def test_an_invalid_filter_shows_the_error_summary(page, directory):
    page.goto("/foreningar?category=finns-inte")
    expect(page.locator(".error-summary")).to_contain_text("Välj en kategori i listan.")


@pytest.mark.parametrize("path", ["/foreningar", "/foreningar/lattlast"])
def test_reflow_at_320_pixels(new_page, directory, path):
    page = new_page(viewport={"width": 320, "height": 640})
    page.goto(path)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
