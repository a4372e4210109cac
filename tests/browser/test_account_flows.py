"""An account's whole life in a real browser, with and without JavaScript.

Register → verify by the mailed link → my account → log out → log in → forgot password → reset
by the mailed link → log out → log in with the new password. Every page reached is checked by
axe-core (the autouse fixture in conftest.py); the mail is read from the outbox table.
"""
from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

FIRST_PASSWORD = "Blå cykel över Mälaren 7"
NEW_PASSWORD = "Grön kanot genom Svartån 9"


def _log_out(page) -> None:
    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "button", name="Logga ut").click()
    expect(page.get_by_role("status")).to_have_text("Du är utloggad.")
    expect(page.get_by_role("link", name="Logga in").first).to_be_visible()


def _log_in(page, email: str, password: str) -> None:
    page.goto("/logga-in")
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord", exact=True).fill(password)
    page.get_by_role("main").get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()
    page.get_by_role("link", name="Mitt konto").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mitt konto")
    expect(page.get_by_role("main")).to_contain_text(email)


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_register_verify_log_in_reset_password(new_page, live_server, javascript):
    page = new_page(java_script_enabled=javascript)
    email = f"anna.{uuid.uuid4().hex[:8]}@example.se"

    # Register.
    page.goto("/")
    page.get_by_role("main").get_by_role("link", name="Skapa konto").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Skapa konto")
    page.get_by_label("Namn").fill("Anna Andersson")
    page.get_by_label("E-postadress").fill(email)
    page.locator("#password").fill(FIRST_PASSWORD)
    page.locator("#password_confirm").fill(FIRST_PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Skapa konto").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kontrollera din e-post")
    expect(page.get_by_role("main")).to_contain_text(email)

    # Not verified yet: logging in explains what to do.
    page.goto("/logga-in")
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord", exact=True).fill(FIRST_PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("alert")).to_contain_text("Bekräfta din e-postadress först")

    # Verify with the link from the mail: GET shows a button, the POST logs in.
    page.goto(live_server.link_in_last_mail(email, "verifiera"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bekräfta din e-postadress")
    page.get_by_role("button", name="Bekräfta e-postadressen").click()
    expect(page).to_have_url(f"{live_server.url}/konto")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mitt konto")
    expect(page.get_by_role("status")).to_contain_text("Din e-postadress är bekräftad")

    _log_out(page)
    _log_in(page, email, FIRST_PASSWORD)
    _log_out(page)

    # Forgot the password.
    page.goto("/logga-in")
    page.get_by_role("link", name="Glömt lösenordet?").click()
    expect(page).to_have_url(f"{live_server.url}/glomt-losenord")
    page.get_by_label("E-postadress").fill(email)
    page.get_by_role("button", name="Skicka länk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kontrollera din e-post")

    # Reset with the link from the mail; a weak password is refused first.
    page.goto(live_server.link_in_last_mail(email, "aterstall-losenord"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Välj ett nytt lösenord")
    page.locator("#password").fill("kort")
    page.locator("#password_confirm").fill("kort")
    page.get_by_role("button", name="Spara lösenordet").click()
    expect(page.get_by_role("alert")).to_contain_text("minst 12 tecken")
    page.locator("#password").fill(NEW_PASSWORD)
    page.locator("#password_confirm").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Spara lösenordet").click()
    expect(page).to_have_url(f"{live_server.url}/konto")
    expect(page.get_by_role("status")).to_contain_text("Ditt nya lösenord är sparat")

    _log_out(page)

    # The old password no longer works; the new one does.
    page.goto("/logga-in")
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord", exact=True).fill(FIRST_PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("alert")).to_contain_text("Det gick inte att logga in")
    _log_in(page, email, NEW_PASSWORD)

    # The reset link was single use.
    subjects = [m.subject for m in live_server.mail_to(email)]
    assert len(subjects) >= 2, subjects
