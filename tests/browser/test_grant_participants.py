"""The application step "Deltagare" in a real browser without JavaScript: the grant manager
types a decimal count (refused in Swedish at the cell, the input kept), corrects it, goes on
to the budget step, and sees the counts on the summary and the application page. axe-core
checks every page reached (conftest.py)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_grant_flow import _log_in, grant_world  # noqa: F401


@pytest.fixture
def draft(live_server, grant_world) -> dict:  # noqa: F811
    """The grant world's programme asks for participants; the manager has a draft."""
    from lokapp.associations.models import Association
    from lokapp.auth.models import User
    from lokapp.extensions import db
    from lokapp.grants import services
    from lokapp.grants.models import GrantProgramme

    with live_server.app.test_request_context("/", environ_base={"REMOTE_ADDR": ""}):
        programme = db.session.get(GrantProgramme, grant_world["programme_id"])
        programme.asks_participants = True
        manager = db.session.scalar(db.select(User).where(User.email == grant_world["manager"]))
        association = db.session.get(Association, manager.memberships[0].association_id)
        application = services.start_application(programme, association, manager)
        db.session.commit()
        world = {**grant_world, "application_id": application.id}
        db.session.remove()
    return world


def test_the_participants_step_without_javascript(new_page, draft):
    page = new_page(java_script_enabled=False)
    base = f"/bidrag/ansokningar/{draft['application_id']}"
    _log_in(page, draft["manager"])
    page.goto(f"{base}/deltagare")
    expect(page.get_by_role("heading", name="Deltagare", exact=True)).to_be_visible()
    girls = page.get_by_label("Deltagare 7–12 år, Kvinna")
    girls.fill("2,5")
    page.get_by_label("Deltagare 13–20 år, Man").fill("9")
    page.get_by_role("button", name="Spara och fortsätt").click()
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Skriv ett heltal utan decimaler")
    expect(page.get_by_label("Deltagare 7–12 år, Kvinna")).to_have_value("2,5")
    expect(page.get_by_label("Deltagare 13–20 år, Man")).to_have_value("9")
    summary.get_by_role("link").first.click()  # the summary links to the cell
    page.get_by_label("Deltagare 7–12 år, Kvinna").fill("12")
    page.get_by_role("button", name="Spara och fortsätt").click()
    expect(page.get_by_role("heading", name="Budget och belopp")).to_be_visible()
    expect(page.get_by_text("Deltagarna är sparade: 21 deltagare.")).to_be_visible()

    page.goto(f"{base}/sammanfattning")
    table = page.get_by_role("table", name="Väntat antal deltagare efter ålder och kön "
                                           "(totalt 21)")
    expect(table).to_be_visible()
    expect(table.get_by_role("row", name="7–12 år")).to_contain_text("12")
    page.goto(base)
    expect(page.get_by_role("table", name="Väntat antal deltagare efter ålder och kön "
                                          "(totalt 21)")).to_be_visible()
