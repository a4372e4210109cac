"""The unified officer queue in a real browser: axe-core on every page, keyboard, narrow screens."""
from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

PASSWORD = "Handläggarens långa lösenord 2026"


@pytest.fixture
def officer(live_server) -> str:
    from lokapp.auth import services
    from lokapp.extensions import db

    email = f"handlaggare.{uuid.uuid4().hex[:8]}@vasteras.se"
    with live_server.app.test_request_context("/", environ_base={"REMOTE_ADDR": ""}):
        services.create_staff(name="Hedda Handläggare", email=email, roles=["officer"],
                              areas=["register", "grants", "bookings"], password=PASSWORD,
                              send_invite=False, via="cli")
        db.session.commit()
        db.session.remove()
    return email


def _log_in(page, email: str) -> None:
    page.goto("/logga-in")
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord", exact=True).fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()


def test_officer_reaches_the_queue_from_the_header_and_filters_it(page, officer,
                                                                    assert_accessible):
    _log_in(page, officer)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link",
                                                                 name="Handläggning").click()
    assert page.url.endswith("/handlaggning")
    expect(page.locator("h1")).to_be_visible()
    assert_accessible(page)
    # The filter form is a GET form that works with the keyboard: submit it with Enter.
    search = page.get_by_role("searchbox").or_(page.get_by_label("Sök", exact=False)).first
    search.fill("LOK 2026/99999")
    search.press("Enter")
    assert "/handlaggning" in page.url and "LOK" in page.url
    assert_accessible(page)


def test_queue_without_javascript_and_at_320_px(new_page, officer, assert_accessible):
    page = new_page(java_script_enabled=False, viewport={"width": 320, "height": 800})
    _log_in(page, officer)
    page.goto("/handlaggning")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(page)
