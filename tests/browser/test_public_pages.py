"""Public pages in a real browser: axe-core, keyboard, no JavaScript, reflow, language.

axe-core runs on every page these tests reach (the autouse fixture in conftest.py checks each
document the server sent); ``assert_accessible(page)`` is called where a test wants the live
page checked at that moment.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

PUBLIC_PAGES = ["/", "/tillganglighet", "/personuppgifter", "/logga-in", "/registrera",
                "/glomt-losenord"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_passes_axe(page, path):
    response = page.goto(path)
    assert response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.locator("h1")).to_have_count(1)
    # axe-core: checked when the test ends, like every page reached.


@pytest.mark.parametrize(("path", "status", "heading"), [
    ("/finns-inte", 404, "Sidan finns inte"),
    ("/verifiera/ingen-sadan-lank", 400, "Länken fungerar inte"),
    ("/aterstall-losenord/ingen-sadan-lank", 400, "Länken fungerar inte"),
    ("/verifiera-igen", 200, "Ny länk för att bekräfta e-postadressen"),
])
def test_error_and_link_pages_pass_axe(page, path, status, heading):
    response = page.goto(path)
    assert response.status == status
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)


def _focused(page) -> dict:
    return page.evaluate("""() => {
        const el = document.activeElement;
        return {tag: el.tagName.toLowerCase(), id: el.id, text: el.innerText || "",
                name: el.getAttribute("name")};
    }""")


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(page, assert_accessible):
    page.goto("/tillganglighet")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Hoppa till huvudinnehållet")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # visible when focused, not just in the DOM
    assert_accessible(page)
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    assert page.url.endswith("#main")
    # The next Tab continues inside the main content, not back in the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")


@pytest.mark.parametrize("path", ["/tillganglighet", "/logga-in"])
def test_every_tab_stop_shows_where_the_focus_is(page, path):
    page.goto(path)
    missing, seen = [], []
    for _ in range(80):
        page.keyboard.press("Tab")
        stop = page.evaluate("""() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
            return {where: el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + " "
                           + (el.innerText || el.name || "").trim().slice(0, 40),
                    visible: outline || style.boxShadow !== "none",
                    body: el === document.body};
        }""")
        if stop["body"] or stop["where"] in seen:
            break  # through the page and out again
        seen.append(stop["where"])
        if not stop["visible"]:
            missing.append(stop["where"])
    assert len(seen) > 5, seen
    assert not missing, f"no visible focus indicator on {path}: {missing}"


def _tab_to(page, predicate, limit: int = 60) -> dict:
    """Press Tab until ``predicate(focused)`` holds; the keyboard is the only input device."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if predicate(focused):
            return focused
    raise AssertionError(f"never reached by Tab; last focus: {focused}")


def test_accessibility_feedback_form_with_the_keyboard_only(page, live_server):
    page.goto("/tillganglighet")
    _tab_to(page, lambda f: f["id"] == "name")
    page.keyboard.type("Kim Tangent")
    page.keyboard.press("Tab")
    assert _focused(page)["id"] == "email"
    page.keyboard.type("kim.tangent@example.se")
    page.keyboard.press("Tab")
    assert _focused(page)["id"] == "page"
    page.keyboard.type("Startsidan")
    page.keyboard.press("Tab")
    assert _focused(page)["id"] == "message"
    page.keyboard.type("Fokusmarkeringen syns dåligt i sidhuvudet.")
    focused = _tab_to(page, lambda f: f["tag"] == "button", limit=3)
    assert focused["text"] == "Skicka"
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_have_text("Tack! Vi har tagit emot din synpunkt.")
    contact = live_server.app.config["ACCESSIBILITY_CONTACT_EMAIL"]
    mail = live_server.mail_to(contact)[-1]
    assert "Fokusmarkeringen syns dåligt i sidhuvudet." in mail.body_text
    assert mail.reply_to == "kim.tangent@example.se"


def test_empty_feedback_shows_an_error_summary_whose_links_focus_the_fields(
        page, assert_accessible):
    page.goto("/tillganglighet")
    _tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Skicka")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Det finns fel i formuläret")
    expect(summary).to_be_focused()  # a keyboard or screen reader user lands on the errors
    message = page.get_by_label("Beskriv problemet")
    expect(message).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)

    link = summary.get_by_role("link", name=re.compile("Beskriv problemet"))
    focused = _tab_to(page, lambda f: f["tag"] == "a", limit=3)
    assert "Beskriv problemet" in focused["text"]
    link.press("Enter")
    expect(message).to_be_focused()
    page.keyboard.type("Nu skriver jag direkt i fältet.")
    expect(message).to_have_value("Nu skriver jag direkt i fältet.")


def test_forms_work_without_javascript(new_page, live_server):
    page = new_page(java_script_enabled=False)
    page.goto("/tillganglighet")
    page.get_by_role("button", name="Skicka").click()
    expect(page.get_by_role("alert")).to_contain_text("Beskriv problemet")

    page.get_by_label("Beskriv problemet").fill("Utan JavaScript fungerar formuläret.")
    page.get_by_role("button", name="Skicka").click()
    expect(page.get_by_role("status")).to_have_text("Tack! Vi har tagit emot din synpunkt.")
    contact = live_server.app.config["ACCESSIBILITY_CONTACT_EMAIL"]
    assert "Utan JavaScript fungerar formuläret." in live_server.mail_to(contact)[-1].body_text

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


@pytest.mark.parametrize("width", [320])
def test_pages_reflow_without_horizontal_scrolling(new_page, width):
    page = new_page(viewport={"width": width, "height": 640})
    for path in [*PUBLIC_PAGES, "/finns-inte"]:
        page.goto(path)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"{path} is {scroll_width} px wide at {width} px"
    # Also with an error summary and field errors on the page.
    page.goto("/tillganglighet")
    page.get_by_role("button", name="Skicka").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_english_switch_changes_the_page_language(page, assert_accessible):
    page.goto("/personuppgifter")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    english = page.get_by_role("button", name="English")
    expect(english).to_have_attribute("lang", "en")  # read with an English voice
    english.click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url.endswith("/personuppgifter")  # back on the same page
    assert_accessible(page)
    page.get_by_role("button", name="Svenska").click()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
