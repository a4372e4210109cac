"""Coordinators write and publish versions; a new current version asks earlier signatories to
sign again – one mail per association, none to anyone else, and only once."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from lokapp.agreement import queries, services
from lokapp.agreement.models import AgreementVersion, SignatureState, checksum_of
from lokapp.agreement.queries import Standing
from lokapp.associations.models import RegisterState
from lokapp.core.time import today_local

from .conftest import text


def _form(**overrides):
    data = {"title": "Västerås lokala överenskommelse", "period_label": "2025–2030",
            "adopted_by": "Kommunstyrelsen", "effective_from": today_local().isoformat(),
            "body": "## Inledning\r\n\r\nStaden och civilsamhället samverkar.  \r\n"}
    data.update(overrides)
    return data


def test_coordinator_writes_a_draft_that_stays_private(client, login_as, db, seeded,
                                                        audit_events):
    login_as("coordinator")
    response = client.post("/lok/hantera/ny", data=_form())
    assert response.status_code == 302
    draft = db.session.scalar(select(AgreementVersion).where(
        AgreementVersion.period_label == "2025–2030"))
    assert response.headers["Location"] == f"/lok/hantera/{draft.id}"
    assert draft.is_draft
    # Line ends and trailing spaces are normalised before the checksum is taken.
    assert draft.body == "## Inledning\n\nStaden och civilsamhället samverkar.\n"
    assert draft.checksum == checksum_of(draft.body)
    assert audit_events("agreement.version_create")

    page = text(client.get(f"/lok/hantera/{draft.id}"))
    assert "Förhandsvisning" in page and 'id="inledning"' in page

    assert client.get(f"/lok/versioner/{draft.id}").status_code == 404
    assert "2025–2030" not in text(client.get("/lok/versioner"))
    assert seeded.title in text(client.get("/lok"))


def test_the_version_form_refuses_missing_and_hostile_input(client, login_as):
    login_as("coordinator")
    response = client.post("/lok/hantera/ny", data=_form(title="", effective_from="",
                                                         period_label="a\x00b"))
    page = text(response)
    assert response.status_code == 200
    assert "Det finns fel i formuläret" in page
    assert "Fyll i datumet då versionen börjar gälla." in page
    assert "styrtecken" in page


def test_admin_may_manage_but_an_officer_may_not(client, login_as):
    login_as("admin")
    assert client.get("/lok/hantera").status_code == 200


def test_officer_is_refused(client, login_as):
    login_as("officer")
    assert client.get("/lok/hantera").status_code == 403
    assert client.post("/lok/hantera/ny", data=_form()).status_code == 403


def test_a_draft_can_be_edited_and_deleted_but_a_published_version_cannot(
        client, login_as, db, new_version, coordinator):
    login_as(user=coordinator)
    draft = new_version(publish=False)
    response = client.post(f"/lok/hantera/{draft.id}", data=_form(period_label="2025–2031"))
    assert response.status_code == 302
    db.session.expire_all()
    assert draft.period_label == "2025–2031"

    assert client.post(f"/lok/hantera/{draft.id}/ta-bort").status_code == 302
    assert db.session.scalar(select(AgreementVersion.id).where(
        AgreementVersion.id == draft.id)) is None
    db.session.expunge(draft)

    published = new_version()
    assert client.get(f"/lok/hantera/{published.id}").headers["Location"] == \
        f"/lok/versioner/{published.id}"
    response = client.post(f"/lok/hantera/{published.id}/ta-bort")
    assert response.status_code == 403
    assert "kan inte ändras" in text(response)
    with pytest.raises(services.AgreementError):
        services.update_draft(published, title="x", period_label="x", body="x",
                              effective_from=published.effective_from, adopted_by=None,
                              user=coordinator)


def test_a_version_must_take_effect_after_the_latest_published(client, login_as, new_version,
                                                               coordinator):
    login_as(user=coordinator)
    draft = new_version(effective_from=date(2018, 1, 1), publish=False)
    page = text(client.get(f"/lok/hantera/{draft.id}"))
    assert "måste börja gälla efter 2018-08-22" in page
    response = client.post(f"/lok/hantera/{draft.id}/publicera")
    assert response.status_code == 403
    assert "måste börja gälla efter 2018-08-22" in text(response)


@pytest.fixture
def register(make_association, make_user, add_member, seeded, signed_row):
    """Associations in every situation the re-sign mail cares about."""
    a = make_association("Alfa IF", email="styrelsen@alfa.example.se")
    a_signer = make_user(email="anna@alfa.example.se")
    add_member(a, a_signer, signatory=True, roles=("chair",))
    add_member(a, make_user(email="kalle@alfa.example.se"))  # not a signatory: not mailed
    signed_row(a, seeded)

    b = make_association("Beta kör")  # no association address: the firmatecknare only
    add_member(b, make_user(email="bo@beta.example.se"), signatory=True)
    signed_row(b, seeded)

    c = make_association("Gamma")  # never signed
    add_member(c, make_user(email="cecilia@gamma.example.se"), signatory=True)

    d = make_association("Delta", email="info@delta.example.se")  # withdrew
    signed_row(d, seeded, state=SignatureState.WITHDRAWN)

    e = make_association("Epsilon", email="info@epsilon.example.se",
                         register_state=RegisterState.DEREGISTERED)  # left the register
    signed_row(e, seeded)
    return {"a": a, "b": b, "c": c, "d": d, "e": e}


def test_publishing_a_current_version_asks_each_earlier_signatory_once(
        client, login_as, db, register, new_version, coordinator, outbox, audit_events):
    login_as(user=coordinator)
    draft = new_version(publish=False)
    response = client.post(f"/lok/hantera/{draft.id}/publicera")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/lok/versioner/{draft.id}"
    page = text(client.get(response.headers["Location"]))
    assert "2 föreningar har fått mejl" in page

    mails = outbox("behöver underteckna igen")
    assert [m.recipients for m in mails] == [
        ["anna@alfa.example.se", "styrelsen@alfa.example.se"],
        ["bo@beta.example.se"],
    ]
    assert [m.related_id for m in mails] == [str(register["a"].id), str(register["b"].id)]
    assert "Alfa IF" in mails[0].subject
    assert f"http://localhost/forening/{register['a'].id}/lok" in mails[0].body_text
    assert "2025–2030" in mails[0].body_text

    db.session.expire_all()
    assert audit_events("agreement.publish")
    assert audit_events("agreement.resign_requested")[0].details == {"associations": 2}
    assert queries.current_version().id == draft.id
    assert not queries.has_signed_current(register["a"].id)
    assert queries.standing(register["a"].id).standing == Standing.SIGNED_EARLIER
    assert queries.standing(register["c"].id).standing == Standing.NOT_SIGNED

    # Asking again – the daily command, a second worker – sends nothing more.
    assert services.request_resigning() == 0
    assert len(outbox("behöver underteckna igen")) == 2


def test_a_future_version_asks_on_its_first_day(app, db, register, new_version, outbox,
                                                seeded):
    start = today_local() + timedelta(days=30)
    version = new_version(effective_from=start)
    assert outbox("behöver underteckna igen") == []
    assert queries.current_version().id == seeded.id
    assert [v.id for v in queries.upcoming_versions()] == [version.id]
    assert services.request_resigning() == 0

    assert queries.current_version(today=start).id == version.id
    assert services.request_resigning(today=start) == 2
    assert len(outbox("behöver underteckna igen")) == 2
    assert services.request_resigning(today=start) == 0


def test_the_daily_command_sends_the_requests(app, db, register, new_version, outbox):
    version = new_version(publish=False)
    # Published without the mails (as if published for a later date that has now come).
    version.published_at = version.created_at
    version.published_by_id = version.created_by_id
    db.session.flush()
    result = app.test_cli_runner().invoke(args=["lok", "agreement-notify"])
    assert result.exit_code == 0, result.output
    assert "2 föreningar" in result.output
    assert len(outbox("behöver underteckna igen")) == 2
