"""The follow-up report of a grant in a real browser (issue 5, item 7).

A project grant is decided (written through the services: the application flow is
test_grant_flow.py); its report becomes due. The association's grant manager opens the report
from the application page, types it with a bad amount first (the error is in Swedish and the
input stays), sends it and gets a receipt; the officer asks for completion with a new last day;
the association completes and sends again; the officer accepts and the case is closed, with an
e-mail. A second grant whose report never comes is recovered (återkrav): the decision letter
(PDF) is mailed. No JavaScript is needed (the send button is a ``formaction``); axe-core checks
every page reached (conftest.py).
"""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.test_grant_flow import (  # noqa: F401 - grant_world is a fixture
    _deliver,
    _heading,
    _log_in,
    _status,
    grant_world,
)


def _granted(live_server, world) -> tuple[int, str]:
    """An application of the world's association, submitted and approved by the supervisor."""
    from lokapp.associations.models import Association
    from lokapp.auth.models import User
    from lokapp.extensions import db
    from lokapp.grants import services
    from lokapp.grants.models import BudgetLineKind, GrantProgramme

    with live_server.app.test_request_context("/", environ_base={"REMOTE_ADDR": ""}):
        programme = db.session.get(GrantProgramme, world["programme_id"])
        programme.required_attachments = []
        association = db.session.scalar(db.select(Association).where(
            Association.name == world["association"]))
        manager = db.session.scalar(db.select(User).where(User.email == world["manager"]))
        supervisor = db.session.scalar(db.select(User).where(
            User.email == world["supervisor"]))
        application = services.start_application(programme, association, manager)
        services.save_answers(application, {q.id: "Ja" if q.kind.value == "yes_no" else
                                            "Teaterläger i Skultuna"
                                            for q in programme.questions}, manager)
        services.save_budget(application, lines=[
            services.BudgetLineData(BudgetLineKind.COST, "Lägerplats", 30_000)],
            own_contribution_sek=0, requested_sek=None, user=manager)
        services.submit_application(application, manager)
        services.assign_to_me(application, supervisor)
        services.decide(application, supervisor, outcome="approved", amount_sek=None,
                        reasons="")
        db.session.commit()
        result = application.id, application.case.number
        db.session.remove()
    return result


@pytest.fixture
def granted(live_server, grant_world):  # noqa: F811
    return grant_world, _granted(live_server, grant_world)


def test_the_association_reports_and_the_officer_accepts(new_page, granted, live_server):
    world, (application_id, number) = granted
    page = new_page()
    _log_in(page, world["manager"])
    page.goto(f"/bidrag/ansokningar/{application_id}")
    expect(page.get_by_role("main")).to_contain_text("Redovisning ska lämnas")
    page.get_by_role("link", name="Till redovisningen").click()
    expect(_heading(page)).to_have_text("Redovisning av bidrag")

    # A decimal amount is refused in Swedish and what was typed stays.
    page.get_by_label("Vad har föreningen gjort med bidraget?").fill(
        "Vi höll ett teaterläger för 25 ungdomar i Skultuna.")
    page.get_by_label("Deltagare 13–20 år, Kvinna").fill("15")
    page.get_by_label("Deltagare 13–20 år, Man").fill("10")
    page.get_by_label("Typ, rad 1", exact=True).select_option(label="Kostnad")
    page.get_by_label("Beskrivning, rad 1", exact=True).fill("Lägerplats")
    page.get_by_label("Belopp (kronor), rad 1", exact=True).fill("28 500,50")
    page.get_by_role("button", name="Spara och skicka in redovisningen").click()
    expect(page.locator(".error-summary")).to_contain_text("hela kronor")
    expect(page.get_by_label("Belopp (kronor), rad 1", exact=True)).to_have_value("28 500,50")
    expect(page.get_by_label("Deltagare 13–20 år, Kvinna")).to_have_value("15")
    page.get_by_label("Belopp (kronor), rad 1", exact=True).fill("28 500")
    page.get_by_role("button", name="Spara och skicka in redovisningen").click()
    expect(_status(page)).to_contain_text("Redovisningen är inskickad")
    receipt = _deliver(live_server, world["manager"])[-1]
    assert number in str(receipt["Subject"])
    assert "28 500" in receipt.get_body(("plain",)).get_content().replace("\u00a0", " ")

    # The officer reads it from the case page and asks for more, with a new last day.
    officer = new_page()
    _log_in(officer, world["officer"])
    officer.goto(f"/bidrag/handlaggning/{application_id}")
    officer.get_by_role("link", name="Till redovisningen").click()
    expect(officer.get_by_role("main")).to_contain_text("Vi höll ett teaterläger")
    expect(officer.get_by_role("main")).to_contain_text("28\u00a0500")
    ask = officer.get_by_role("group", name="Begär komplettering av redovisningen")
    ask.get_by_label("Vad behöver kompletteras i redovisningen?").fill(
        "Bifoga kvittot för lägerplatsen.")
    from lokapp.core.time import today_local

    deadline = (today_local() + timedelta(days=21)).isoformat()
    ask.get_by_label("Ny sista dag för redovisningen").fill(deadline)
    ask.get_by_role("button", name="Begär komplettering").click()
    expect(_status(officer)).to_contain_text("Kompletteringen är begärd")
    asked = _deliver(live_server, world["manager"])[-1]
    assert "Bifoga kvittot" in asked.get_body(("plain",)).get_content()

    # The association completes: the message is shown, a file is attached, sent again.
    page.reload()  # the application page: the report is due again
    expect(page.get_by_role("main")).to_contain_text("Redovisning ska lämnas")
    page.get_by_role("link", name="Till redovisningen").click()
    expect(page.get_by_role("main")).to_contain_text("Bifoga kvittot för lägerplatsen.")
    expect(page.get_by_role("main")).to_contain_text(deadline)
    page.get_by_label("Vad är det för fil?").fill("Kvitto lägerplats")
    page.get_by_label("Fil", exact=True).set_input_files(
        {"name": "kvitto.pdf", "mimeType": "application/pdf",
         "buffer": b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"})
    page.get_by_role("button", name="Ladda upp").click()
    expect(_status(page)).to_contain_text("Kvitto lägerplats")
    page.get_by_role("button", name="Spara och skicka in redovisningen").click()
    expect(_status(page)).to_contain_text("Redovisningen är inskickad")

    # The officer accepts: the case is closed and the association is told.
    officer.reload()
    expect(officer.get_by_role("main")).to_contain_text("kvitto.pdf")
    accept = officer.get_by_role("group", name="Godkänn redovisningen")
    accept.get_by_label("Kommentar till föreningen").fill("Tack för en tydlig redovisning!")
    accept.get_by_role("button", name="Godkänn redovisningen").click()
    expect(_status(officer)).to_contain_text("Redovisningen är godkänd")
    expect(officer.get_by_role("main")).to_contain_text("Avslutad")
    done = _deliver(live_server, world["manager"])[-1]
    assert "Tack för en tydlig redovisning!" in done.get_body(("plain",)).get_content()


def test_a_grant_without_a_report_is_recovered_with_a_letter(new_page, granted, live_server):
    world, (application_id, number) = granted
    officer = new_page()
    _log_in(officer, world["officer"])
    officer.goto("/bidrag/handlaggning")
    officer.get_by_role("link", name="Redovisningar").click()
    expect(_heading(officer)).to_have_text("Redovisningar av bidrag")
    officer.get_by_role("link", name="Inkomna att granska").click()
    expect(officer.get_by_role("link", name=number)).to_have_count(0)  # not sent: not listed
    officer.get_by_role("link", name="Alla öppna").click()
    officer.get_by_role("link", name=number).click()
    expect(officer.get_by_role("main")).to_contain_text(
        "Föreningen har inte skickat in någon redovisning ännu.")
    recovery = officer.get_by_role("group", name="Besluta om återkrav")
    recovery.get_by_label("Belopp som ska betalas tillbaka (kronor)").fill("40 000")
    recovery.get_by_label("Skäl för återkravet").fill("Ingen redovisning har kommit in.")
    recovery.get_by_role("button", name="Besluta om återkrav").click()
    expect(officer.locator(".error-summary")).to_contain_text("större än det beviljade")
    recovery = officer.get_by_role("group", name="Besluta om återkrav")
    expect(recovery.get_by_label("Skäl för återkravet")).to_have_value(
        "Ingen redovisning har kommit in.")
    recovery.get_by_label("Belopp som ska betalas tillbaka (kronor)").fill("30 000")
    recovery.get_by_role("button", name="Besluta om återkrav").click()
    expect(_status(officer)).to_contain_text("Beslutet om återkrav är fattat")
    expect(officer.get_by_role("main")).to_contain_text("Återkrav")
    letters = [m for m in _deliver(live_server, world["manager"])
               if re.search("återkrav", str(m["Subject"]), re.I)]
    assert letters and any(p.get_content_type() == "application/pdf"
                           for p in letters[-1].iter_attachments())
    assert number in str(letters[-1]["Subject"]) + \
        letters[-1].get_body(("plain",)).get_content()
