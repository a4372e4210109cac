"""Internal notes, messages and the jäv declaration in a real browser: the officer writes a
note and a message on the grant case page, the association reads the message (never the note)
and answers on its application page, the officer declares jäv; axe-core checks every page
(conftest.py), with and without JavaScript."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_grant_flow import _log_in, _log_out, grant_world  # noqa: F401

NOTE = "Kontrollera budgeten mot förra årets redovisning."


@pytest.fixture
def submitted_grant(live_server, grant_world) -> dict:  # noqa: F811
    """A submitted application of the grant world's association (straight to the case: the
    application steps have their own browser test)."""
    from lokapp.associations.models import Association
    from lokapp.auth.models import User
    from lokapp.core.cases import submit
    from lokapp.extensions import db
    from lokapp.grants import services
    from lokapp.grants.models import GrantProgramme

    with live_server.app.test_request_context("/", environ_base={"REMOTE_ADDR": ""}):
        programme = db.session.get(GrantProgramme, grant_world["programme_id"])
        manager = db.session.scalar(db.select(User).where(User.email == grant_world["manager"]))
        association = db.session.get(Association, manager.memberships[0].association_id)
        application = services.start_application(programme, association, manager)
        submit(application.case, manager)
        db.session.commit()
        world = {**grant_world, "application_id": application.id,
                 "number": application.case.number}
        db.session.remove()
    return world


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_notes_messages_and_jav_on_the_case_pages(new_page, submitted_grant, javascript):
    world = submitted_grant
    page = new_page(java_script_enabled=javascript)
    case_page = f"/bidrag/handlaggning/{world['application_id']}"
    _log_in(page, world["officer"])
    page.goto(case_page)
    expect(page.get_by_role("heading", name="Interna anteckningar")).to_be_visible()
    # An empty note is refused with the error linked to the field.
    page.get_by_role("button", name="Spara anteckningen").click()
    expect(page.locator("#error-summary")).to_be_visible()
    page.get_by_label("Ny anteckning").fill(NOTE)
    page.get_by_role("button", name="Spara anteckningen").click()
    expect(page.get_by_text(NOTE)).to_be_visible()
    page.get_by_label("Meddelande", exact=True).fill("Hur många deltagare räknar ni med?")
    page.get_by_role("button", name="Skicka meddelandet").click()
    expect(page.get_by_text("Meddelandet är skickat")).to_be_visible()
    _log_out(page)

    _log_in(page, world["manager"])
    page.goto(f"/bidrag/ansokningar/{world['application_id']}")
    expect(page.get_by_text("Hur många deltagare räknar ni med?")).to_be_visible()
    expect(page.get_by_text(NOTE)).to_have_count(0)
    page.get_by_label("Meddelande", exact=True).fill("Ungefär 25 ungdomar.")
    page.get_by_role("button", name="Skicka svaret").click()
    expect(page.get_by_text("Ungefär 25 ungdomar.")).to_be_visible()
    _log_out(page)

    _log_in(page, world["officer"])
    page.goto(case_page)
    expect(page.get_by_text("Ungefär 25 ungdomar.")).to_be_visible()
    page.get_by_text("Anmäl jäv i ärendet").click()  # <details> opens without JavaScript too
    page.get_by_label("Varför är du jävig?").fill("Min syster är ordförande.")
    page.get_by_role("button", name="Anmäl jäv", exact=True).click()
    expect(page.get_by_text(f"Ditt jäv i ärende {world['number']} är anmält")).to_be_visible()
    page.goto(case_page)
    expect(page.get_by_text("Jäv anmält av Olle Handläggare:")).to_be_visible()
    expect(page.get_by_role("button", name="Ta ärendet")).to_have_count(0)
