"""Organisationsnummer and payment details change only when an officer approves."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from lokapp.associations.models import Association, LegalForm, SensitiveChange
from lokapp.core.audit import AuditEvent
from lokapp.core.cases import Case
from lokapp.extensions import db
from tests.associations.register_helpers import (
    add_member,
    audit_actions,
    login,
    messages,
    officer,
    person,
    text,
)


@pytest.fixture
def association(db, make_association):
    return make_association(name="Hälla Hembygdsförening", orgnr="8024320015",
                            bankgiro="50501055")


@pytest.fixture
def treasurer(client, association):
    user = person(name="Tove Kassör", email="tove@example.se")
    add_member(association, user, "treasurer")
    return login(client, user)


def post(client, association, **data):
    values = {"orgnr": "802432-0015", "bankgiro": "5050-1055", "plusgiro": ""}
    values.update(data)
    return client.post(f"/forening/{association.id}/betalning", data=values)


def fresh(association) -> Association:
    db.session.expire_all()
    return db.session.get(Association, association.id)


def the_change() -> SensitiveChange | None:
    db.session.expire_all()
    return db.session.scalar(select(SensitiveChange).order_by(SensitiveChange.id.desc()))


def test_saving_creates_a_case_and_changes_nothing(client, treasurer, association):
    response = post(client, association, bankgiro="5402-9681", plusgiro="90 20 03-3")
    assert response.status_code == 302
    change = the_change()
    assert change.case.case_type == "sensitive_change" and change.case.state == "submitted"
    assert change.changed_fields() == ["bankgiro", "plusgiro"]
    assert (change.old_bankgiro, change.new_bankgiro) == ("50501055", "54029681")
    after = fresh(association)
    assert (after.bankgiro, after.plusgiro) == ("50501055", None)
    page = text(client.get(f"/forening/{association.id}/betalning"))
    assert "Ändring som väntar på godkännande" in page and "5402-9681" in page
    assert "Ändring som väntar på godkännande" in text(client.get(f"/forening/{association.id}"))
    [mail] = messages("tove@example.se")
    assert "Bankgiro: 5050-1055 blir 5402-9681" in mail.body_text
    assert "association.sensitive_change_requested" in audit_actions("associations")


def test_no_difference_creates_nothing(client, treasurer, association):
    post(client, association)
    assert the_change() is None


def test_one_pending_change_at_a_time(client, treasurer, association):
    post(client, association, bankgiro="5402-9681")
    post(client, association, bankgiro="")
    assert len(db.session.scalars(select(SensitiveChange)).all()) == 1


@pytest.mark.parametrize(("data", "message"), [
    ({"orgnr": "802432-0016"}, "kontrollsiffran är fel"),
    ({"orgnr": ""}, "Fyll i organisationsnumret"),
    ({"bankgiro": "123"}, "Bankgironumret har fel antal siffror"),
])
def test_invalid_values_are_refused(client, treasurer, association, data, message):
    assert message in text(post(client, association, **data))
    assert the_change() is None


def test_an_orgnr_of_another_association_is_refused(client, treasurer, association,
                                                    make_association):
    make_association(orgnr="5560360793")
    assert "Det finns redan en förening med organisationsnumret 556036-0793" in text(
        post(client, association, orgnr="556036-0793"))


def test_officer_approves_and_the_values_apply(client, treasurer, association):
    post(client, association, orgnr="556036-0793", bankgiro="5402-9681")
    change = the_change()
    login(client, officer())
    page = text(client.get(f"/handlaggning/foreningsregister/{change.case_id}"))
    assert "802432-0015" in page and "556036-0793" in page
    client.post(f"/handlaggning/foreningsregister/{change.case_id}/atgard/approve", data={})
    after = fresh(association)
    assert (after.orgnr, after.bankgiro) == ("5560360793", "54029681")
    assert after.bank_details_verified_at is not None
    assert the_change().applied_at is not None
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "association.sensitive_change_applied"))
    assert event.details["changes"] == {"orgnr": ["8024320015", "5560360793"],
                                        "bankgiro": ["50501055", "54029681"]}
    mail = messages("tove@example.se")[-1]
    assert "är godkänd" in mail.subject


def test_officer_rejects_with_reasons(client, treasurer, association):
    post(client, association, bankgiro="5402-9681")
    change = the_change()
    login(client, officer())
    client.post(f"/handlaggning/foreningsregister/{change.case_id}/atgard/reject",
                data={"note": "Kontoinnehavaren är inte föreningen."})
    assert the_change().case.state == "rejected"
    assert fresh(association).bankgiro == "50501055"
    mail = messages("tove@example.se")[-1]
    assert "Kontoinnehavaren är inte föreningen." in mail.body_text


def test_approval_is_refused_if_the_orgnr_was_taken_meanwhile(client, treasurer, association,
                                                              make_association):
    post(client, association, orgnr="556036-0793")
    change = the_change()
    make_association(orgnr="5560360793")
    login(client, officer())
    page = text(client.get(f"/handlaggning/foreningsregister/{change.case_id}"))
    assert "Godkänn ändringen" not in page  # the guard hides the button
    response = client.post(
        f"/handlaggning/foreningsregister/{change.case_id}/atgard/approve", data={},
        follow_redirects=True)
    assert "används redan av en annan förening" in text(response)
    assert the_change().case.state == "submitted"
    assert fresh(association).orgnr == "8024320015"


def test_the_association_may_withdraw(client, treasurer, association):
    post(client, association, bankgiro="5402-9681")
    client.post(f"/forening/{association.id}/betalning/aterkalla")
    assert the_change().case.state == "withdrawn"
    assert "association.sensitive_change_withdrawn" in audit_actions("associations")
    # A new change may be asked for now.
    post(client, association, bankgiro="5402-9681")
    assert len(db.session.scalars(select(Case).where(
        Case.case_type == "sensitive_change")).all()) == 2


def test_a_network_changes_only_payment_details(client, db, make_association):
    network = make_association(legal_form=LegalForm.NETWORK, orgnr=None)
    db.session.flush()
    network.orgnr = None
    user = person()
    add_member(network, user, "administrator")
    login(client, user)
    page = text(client.get(f"/forening/{network.id}/betalning"))
    assert 'name="orgnr"' not in page
    client.post(f"/forening/{network.id}/betalning", data={"bankgiro": "5402-9681"})
    change = the_change()
    assert change.changed_fields() == ["bankgiro"] and change.new_orgnr is None


@pytest.mark.parametrize("roles", [("contact",), ("booking_manager",), ("grant_manager",)])
def test_only_payment_roles_or_a_signatory_may_ask(client, association, roles):
    user = person()
    add_member(association, user, *roles)
    login(client, user)
    assert client.get(f"/forening/{association.id}/betalning").status_code == 403
    assert post(client, association, bankgiro="5402-9681").status_code == 403


def test_a_signatory_may_ask(client, association):
    user = person()
    add_member(association, user, "contact", signatory=True)
    login(client, user)
    assert post(client, association, bankgiro="5402-9681").status_code == 302
