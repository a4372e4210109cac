"""Scoring and completion deadlines in a real browser: the administrator adds a scoring
criterion to the programme, the officer scores the application on the case page and sees the
weighted total, asks for completion with the suggested deadline, and finds the case in the
queue under "Frist inom 7 dagar" – axe-core checks every page (conftest.py), with and without
JavaScript."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_grant_flow import PASSWORD, _log_in, _log_out, grant_world  # noqa: F401


@pytest.fixture
def scored_grant(live_server, grant_world) -> dict:  # noqa: F811
    """A submitted application of the grant world's association and an administrator."""
    from lokapp.associations.models import Association
    from lokapp.auth import services as accounts
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
        admin = accounts.create_staff(
            name="Ada Administratör", email=f"ada.{grant_world['key']}@vasteras.se",
            roles=["admin"], password=PASSWORD, send_invite=False, via="cli")
        db.session.commit()
        world = {**grant_world, "application_id": application.id,
                 "number": application.case.number, "admin": admin.email}
        db.session.remove()
    return world


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_criteria_scores_and_the_deadline_in_the_queue(new_page, scored_grant, javascript):
    world = scored_grant
    page = new_page(java_script_enabled=javascript)
    _log_in(page, world["admin"])
    page.goto(f"/bidrag/admin/{world['programme_id']}")
    form = page.get_by_role("group", name="Lägg till ett kriterium")
    form.get_by_label("Kriterium", exact=True).fill("Dialog och samverkan")
    form.get_by_label("Högsta poäng").fill("5")
    form.get_by_label("Vikt").fill("2")
    form.get_by_role("button", name="Lägg till kriteriet").click()
    expect(page.get_by_role("button", name="Ta bort kriteriet Dialog och samverkan")
           ).to_be_visible()
    _log_out(page)

    _log_in(page, world["officer"])
    case_page = f"/bidrag/handlaggning/{world['application_id']}"
    page.goto(case_page)
    expect(page.get_by_text("Ingen har bedömt ansökan ännu.")).to_be_visible()
    scores = page.get_by_role("group", name="Dina poäng")
    scores.get_by_label("Poäng för Dialog och samverkan (0–5)").select_option("4")
    scores.get_by_label("Kommentar till Dialog och samverkan").fill("Tre föreningar deltar.")
    scores.get_by_role("button", name="Spara mina poäng").click()
    expect(page.get_by_text("Dina poäng är sparade.")).to_be_visible()
    table = page.get_by_role("table", name="Poäng per kriterium och handläggare")
    expect(table).to_contain_text("8 av 10")
    expect(table).to_contain_text("Tre föreningar deltar.")

    page.get_by_role("button", name="Ta ärendet").click()
    completion = page.get_by_role("group", name="Begär komplettering")
    completion.get_by_label("Vad behöver kompletteras?").fill("Bifoga projektplanen.")
    completion.get_by_role("button", name="Begär komplettering").click()
    expect(page.get_by_text("Kompletteringen är begärd")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Sista dag att komplettera")

    page.goto("/handlaggning")
    page.get_by_label("Frist för komplettering").select_option("finns")
    page.get_by_label("Sortera").select_option("frist")
    page.get_by_label("Sök på ärendenummer eller rubrik").fill(world["number"])
    page.get_by_role("button", name="Visa").click()
    queue = page.get_by_role("table", name="1 ärende")
    expect(queue).to_contain_text(world["number"])
    expect(queue.get_by_role("columnheader", name="Frist")).to_be_visible()
