"""Registering an association through the form, and the officer's three decisions."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lokapp.associations.models import (
    Association,
    CompletionRequest,
    LegalForm,
    MemberCount,
    RegisterState,
)
from lokapp.auth.models import AssociationMember
from lokapp.core.cases import Case
from lokapp.core.time import today_local
from lokapp.extensions import db
from tests.associations.register_helpers import (
    audit_actions,
    link_path,
    login,
    messages,
    officer,
    person,
    registration_form,
    text,
)


def register(client, **overrides):
    return client.post("/forening/registrera", data=registration_form(**overrides))


def registered_case(applicant) -> Case:
    db.session.expire_all()
    return db.session.scalars(select(Case).where(Case.applicant_id == applicant.id,
                                                 Case.case_type == "registration")
                              .order_by(Case.id.desc())).first()


@pytest.fixture
def applicant(client, db):
    return login(client, person(name="Sara Sökande", email="sara@example.se"))


def test_the_form_is_accessible(client, applicant):
    page = text(client.get("/forening/registrera"))
    assert "<h1>Registrera en förening</h1>" in page
    # The member count table: real headers, a label for every input.
    assert '<th scope="col">Kvinna</th>' in page
    assert '<th scope="row">0–6 år</th>' in page
    assert '<label class="visually-hidden" for="counts-age_0_6_woman">0–6 år, Kvinna</label>' \
        in page
    assert page.count('name="board-') == 15  # five rows of name, role, email
    assert 'type="checkbox"' in page and 'value="ar"' in page and "Arabiska" in page


def test_registration_creates_a_pending_association_and_a_numbered_case(client, applicant):
    response = register(client)
    assert response.status_code == 302
    case = registered_case(applicant)
    assert response.headers["Location"].endswith(f"/forening/registreringar/{case.id}")
    assert case.state == "submitted" and case.number.startswith("LOK ")
    association = db.session.get(Association, case.association_id)
    assert association.register_state == RegisterState.PENDING
    assert association.orgnr == "8024320015"
    assert association.bankgiro == "50501055"
    assert association.website == "https://www.schack.example.se"
    assert association.postal_code == "723 45"
    assert association.has_accessible_premises and association.is_public
    assert [lang.code for lang in association.languages] == ["ar", "sv"]
    assert [(m.name, m.role) for m in association.board_members] == [
        ("Anna Andersson", "chair"), ("Bo Berg", "treasurer")]
    counts = {(c.age_band.value, c.gender.value): c.count for c in db.session.scalars(
        select(MemberCount).where(MemberCount.association_id == association.id))}
    assert counts[("26-64", "woman")] == 12 and counts[("0-6", "man")] == 0
    assert len(counts) == 24
    assert {c.year for c in association.member_counts} == {today_local().year}
    # Not yet a member: the registrant becomes administrator on approval.
    assert db.session.scalar(select(AssociationMember).where(
        AssociationMember.association_id == association.id)) is None
    [receipt] = messages("sara@example.se")
    assert "Vi har tagit emot registreringen av Bäckby Schackklubb" in receipt.subject
    assert case.number in receipt.body_text
    assert link_path(receipt, "/forening/registreringar/") == \
        f"/forening/registreringar/{case.id}"
    assert "association.registration_submitted" in audit_actions("associations")
    page = text(client.get(f"/forening/registreringar/{case.id}"))
    assert case.number in page and "Inkommen" in page


@pytest.mark.parametrize("value", ["802432-0015", "8024320015", "802432 0015",
                                   "16802432-0015"])
def test_orgnr_with_or_without_dash(client, applicant, value):
    assert register(client, orgnr=value).status_code == 302
    case = registered_case(applicant)
    assert db.session.get(Association, case.association_id).orgnr == "8024320015"


@pytest.mark.parametrize(("value", "message"), [
    ("802432-0016", "kontrollsiffran är fel"),
    ("802432-001", "ska ha 10 siffror"),
    ("802432-00155", "ska ha 10 siffror"),
    ("80243X-0015", "bara innehålla siffror"),
    ("", "Fyll i organisationsnumret"),
])
def test_bad_orgnr_is_refused_with_a_clear_message(client, applicant, value, message):
    response = register(client, orgnr=value)
    assert response.status_code == 200
    page = text(response)
    assert message in page
    assert 'id="error-summary"' in page
    assert registered_case(applicant) is None
    assert messages() == []


@pytest.mark.parametrize("state", [RegisterState.REGISTERED, RegisterState.PENDING,
                                   RegisterState.DEREGISTERED])
def test_duplicate_orgnr_is_refused(client, applicant, make_association, state):
    make_association(orgnr="8024320015", register_state=state)
    page = text(register(client, orgnr="802432-0015"))
    expected = "redan under handläggning" if state == RegisterState.PENDING else \
        "Det finns redan en förening med organisationsnumret 802432-0015"
    assert expected in page
    assert registered_case(applicant) is None


def test_a_rejected_association_may_apply_again(client, applicant, make_association):
    old = make_association(orgnr="8024320015", register_state=RegisterState.REJECTED,
                           name="Gamla namnet")
    assert register(client).status_code == 302
    case = registered_case(applicant)
    assert case.association_id == old.id
    association = db.session.get(Association, old.id)
    assert association.register_state == RegisterState.PENDING
    assert association.name == "Bäckby Schackklubb"


def test_a_network_may_register_without_orgnr(client, applicant):
    assert register(client, legal_form="network", orgnr="").status_code == 302
    association = db.session.get(Association, registered_case(applicant).association_id)
    assert association.legal_form == LegalForm.NETWORK and association.orgnr is None


def test_a_network_with_an_orgnr_is_asked_to_choose(client, applicant):
    assert "Ett nätverk utan organisationsnummer ska inte ha" in text(
        register(client, legal_form="network"))


@pytest.mark.parametrize(("field", "value", "message"), [
    ("bankgiro", "5050-1056", "Bankgironumret stämmer inte"),
    ("plusgiro", "90 20 03-4", "Plusgironumret stämmer inte"),
    ("districts", None, "Välj minst en stadsdel"),
    ("board-0-name", None, "Fyll i namnet, eller töm raden"),
    ("board-1-role", "", "Välj vilken roll personen har i styrelsen"),
    ("counts-age_26_64_woman", "tolv", "Skriv ett heltal med siffror"),
    ("founded_year", "1200", "Skriv ett årtal mellan 1600 och i år"),
    ("postal_code", "7234", "Postnumret ska ha fem siffror"),
    ("email", "inte-en-adress", "Skriv en giltig e-postadress"),
    ("name", "Namn\x00med nolltecken", "styrtecken"),
    ("languages", ["xx"], "Välj bland alternativen"),
])
def test_other_fields_are_validated(client, applicant, field, value, message):
    response = register(client, **{field: value})
    assert response.status_code == 200
    assert message in text(response)
    assert registered_case(applicant) is None


def test_member_counts_are_required(client, applicant):
    data = registration_form()
    for key in [k for k in data if k.startswith("counts-")]:
        data.pop(key)
    page = text(client.post("/forening/registrera", data=data))
    assert "Fyll i hur många medlemmar föreningen har" in page


def test_anonymous_is_sent_to_log_in(client, db):
    response = client.get("/forening/registrera")
    assert response.status_code == 302 and "/logga-in" in response.headers["Location"]


# --- the officer's decisions ----------------------------------------------------------------

@pytest.fixture
def submitted(client, applicant):
    register(client)
    case = registered_case(applicant)
    return case


def as_officer(client):
    return login(client, officer())


def test_officer_approves(client, applicant, submitted):
    officer_user = as_officer(client)
    page = text(client.get(f"/handlaggning/foreningsregister/{submitted.id}"))
    assert "Bäckby Schackklubb" in page and "Godkänn registreringen" in page
    assert "Anna Andersson" in page  # the board is shown
    response = client.post(f"/handlaggning/foreningsregister/{submitted.id}/atgard/approve",
                           data={"note": "Välkomna!"})
    assert response.status_code == 302
    db.session.expire_all()
    case = db.session.get(Case, submitted.id)
    association = db.session.get(Association, case.association_id)
    assert case.state == "approved" and case.decided_at is not None
    assert association.register_state == RegisterState.REGISTERED
    assert association.registered_at is not None
    member = db.session.scalar(select(AssociationMember).where(
        AssociationMember.association_id == association.id))
    assert member.user_id == applicant.id and member.role_names == {"administrator"}
    mail = messages("sara@example.se")[-1]
    assert "är registrerad i föreningsregistret" in mail.subject
    assert "Välkomna!" in mail.body_text
    assert link_path(mail, "/forening/") == f"/forening/{association.id}"
    assert case.history[-1].actor_id == officer_user.id
    assert "association.registered" in audit_actions("associations")
    # The new administrator now sees the association's own page.
    login(client, applicant)
    assert client.get(f"/forening/{association.id}").status_code == 200


def test_officer_requests_completion_and_the_applicant_resubmits(client, applicant, submitted):
    as_officer(client)
    deadline = today_local() + timedelta(days=10)
    response = client.post(f"/handlaggning/foreningsregister/{submitted.id}/komplettering",
                           data={"message": "Skicka med stadgarna och rätta adressen.",
                                 "deadline": deadline.isoformat()})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Case, submitted.id).state == "needs_completion"
    request = db.session.scalar(select(CompletionRequest))
    assert (request.deadline, request.answered_at) == (deadline, None)
    mail = messages("sara@example.se")[-1]
    assert "Komplettera ärende" in mail.subject
    assert "Skicka med stadgarna och rätta adressen." in mail.body_text
    assert deadline.isoformat() in mail.body_text
    assert link_path(mail, "/forening/registreringar/").endswith("/komplettera")

    login(client, applicant)
    page = text(client.get(f"/forening/registreringar/{submitted.id}"))
    assert "Skicka med stadgarna och rätta adressen." in page
    form_page = text(client.get(f"/forening/registreringar/{submitted.id}/komplettera"))
    assert 'value="Bäckby Schackklubb"' in form_page and 'value="802432-0015"' in form_page
    response = client.post(f"/forening/registreringar/{submitted.id}/komplettera",
                           data=registration_form(street_address="Bäckbyvägen 2"))
    assert response.status_code == 302
    db.session.expire_all()
    case = db.session.get(Case, submitted.id)
    assert case.state == "submitted"
    assert db.session.get(Association, case.association_id).street_address == "Bäckbyvägen 2"
    assert db.session.scalar(select(CompletionRequest)).answered_at is not None
    assert "Vi har tagit emot kompletteringen" in messages("sara@example.se")[-1].subject
    assert "association.registration_completed" in audit_actions("associations")
    # Not editable again until the officer asks.
    assert client.get(f"/forening/registreringar/{submitted.id}/komplettera").status_code == 302


@pytest.mark.parametrize(("data", "message"), [
    ({"message": "", "deadline": "2099-01-01"}, "Fyll i ”Vad behöver kompletteras?”."),
    ({"message": "Mer info", "deadline": ""}, "Fyll i ett datum"),
    ({"message": "Mer info", "deadline": "igår"}, "Skriv datumet som ÅÅÅÅ-MM-DD"),
    ({"message": "Mer info", "deadline": "2000-01-01"}, "Välj ett datum efter i dag"),
])
def test_completion_needs_a_message_and_a_future_deadline(client, applicant, submitted, data,
                                                         message):
    as_officer(client)
    response = client.post(f"/handlaggning/foreningsregister/{submitted.id}/komplettering",
                           data=data)
    assert response.status_code == 200
    assert message in text(response)
    db.session.expire_all()
    assert db.session.get(Case, submitted.id).state == "submitted"


def test_officer_rejects_with_reasons(client, applicant, submitted):
    as_officer(client)
    url = f"/handlaggning/foreningsregister/{submitted.id}/atgard/reject"
    client.post(url, data={"note": ""})
    db.session.expire_all()
    assert db.session.get(Case, submitted.id).state == "submitted"  # reasons are mandatory
    client.post(url, data={"note": "Föreningen har ingen verksamhet i Västerås."})
    db.session.expire_all()
    case = db.session.get(Case, submitted.id)
    assert case.state == "rejected"
    assert db.session.get(Association, case.association_id).register_state == \
        RegisterState.REJECTED
    mail = messages("sara@example.se")[-1]
    assert "Beslut om registrering" in mail.subject
    assert "Föreningen har ingen verksamhet i Västerås." in mail.body_text
    login(client, applicant)
    assert "Avslagen" in text(client.get(f"/forening/registreringar/{case.id}"))


def test_a_decided_case_offers_no_actions(client, applicant, submitted):
    as_officer(client)
    client.post(f"/handlaggning/foreningsregister/{submitted.id}/atgard/approve", data={})
    response = client.post(
        f"/handlaggning/foreningsregister/{submitted.id}/atgard/reject", data={"note": "x"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Case, submitted.id).state == "approved"
    page = text(client.get(f"/handlaggning/foreningsregister/{submitted.id}"))
    assert "Avslå registreringen" not in page


def test_an_unknown_action_is_refused(client, applicant, submitted):
    as_officer(client)
    client.post(f"/handlaggning/foreningsregister/{submitted.id}/atgard/fly", data={})
    db.session.expire_all()
    assert db.session.get(Case, submitted.id).state == "submitted"


def test_the_decision_letter_hook_is_called_once_per_decision(client, applicant, submitted,
                                                             monkeypatch):
    calls = []
    monkeypatch.setattr("lokapp.associations.services.issue_decision_letter",
                        lambda case, decision: calls.append((case.id, decision)))
    as_officer(client)
    client.post(f"/handlaggning/foreningsregister/{submitted.id}/atgard/approve", data={})
    assert calls == [(submitted.id, "registration_approved")]
