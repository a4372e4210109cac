"""The officers' grant pages: the queue, the case page, assign, completion, decide or propose,
confirm; officers without the grants area and disqualified officers are refused."""
from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest

from lokapp.core.time import today_local
from lokapp.extensions import db
from lokapp.grants.models import GrantApplication
from tests.grants.test_decisions import _project, officer, status, submitted  # noqa: F401


@pytest.fixture
def case(programmes, make_user, make_association, status):  # noqa: F811
    application = submitted(_project(programmes), make_user, make_association)
    db.session.commit()
    return application


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _reload(application_id) -> GrantApplication:
    db.session.expire_all()
    return db.session.get(GrantApplication, application_id)


def test_queue_and_case_page_need_the_grants_area(client, login_as, make_user, case):
    login_as("officer", areas=("register",))
    assert client.get("/bidrag/handlaggning").status_code == 403
    assert client.get(f"/bidrag/handlaggning/{case.id}").status_code == 403
    login_as(user=case.case.applicant)
    assert client.get("/bidrag/handlaggning").status_code == 403
    login_as(user=officer(make_user))
    page = _text(client.get("/bidrag/handlaggning"))
    assert case.case.number in page
    page = _text(client.get(f"/bidrag/handlaggning/{case.id}"))
    assert "Ta ärendet" in page and "Händelser i ärendet" in page


def test_assign_then_decide_within_the_delegation(client, login_as, make_user, case):
    login_as(user=officer(make_user))
    base = f"/bidrag/handlaggning/{case.id}"
    assert client.post(f"{base}/atgard/assign").status_code == 302
    assert _reload(case.id).case.state == "in_review"
    response = client.post(f"{base}/beslut", data={"outcome": "rejected", "reasons": ""})
    page = _text(response)
    assert response.status_code == 400 and "Skriv skälen" in page
    response = client.post(f"{base}/beslut", data={
        "outcome": "partially_approved", "amount": "12 500,50", "reasons": "Skäl."})
    assert response.status_code == 400 and "hela kronor" in _text(response)
    assert 'value="12 500,50"' in _text(response)
    response = client.post(f"{base}/beslut", data={
        "outcome": "partially_approved", "amount": "25 000",
        "reasons": "Lokalkostnaden är högre än vad som är rimligt."})
    assert response.status_code == 302
    application = _reload(case.id)
    # projektbidrag asks for a follow-up report: decided, then the report is due
    assert application.case.state == "follow_up_due" and application.granted_sek == 25000


def test_above_the_delegation_a_proposal_confirmed_by_another(client, login_as, make_user,
                                                              case):
    proposer = officer(make_user, limit=10_000)
    login_as(user=proposer)
    base = f"/bidrag/handlaggning/{case.id}"
    client.post(f"{base}/atgard/assign")
    assert client.post(f"{base}/beslut", data={"outcome": "approved"}).status_code == 302
    assert _reload(case.id).case.state == "proposed"
    assert "Fastställ beslutet" not in _text(client.get(base))
    assert client.post(f"{base}/atgard/confirm").status_code == 403
    login_as(user=officer(make_user, limit=500_000))
    assert "Fastställ beslutet" in _text(client.get(base))
    assert client.post(f"{base}/atgard/confirm").status_code == 302
    application = _reload(case.id)
    # projektbidrag asks for a follow-up report: decided, then the report is due
    assert application.case.state == "follow_up_due" and application.granted_sek == 40000


def test_completion_request_needs_a_message_and_a_deadline(client, login_as, make_user, case):
    login_as(user=officer(make_user))
    base = f"/bidrag/handlaggning/{case.id}"
    client.post(f"{base}/atgard/assign")
    response = client.post(f"{base}/komplettering", data={"message": "", "deadline": ""})
    assert response.status_code == 400 and "Det finns fel i formuläret" in _text(response)
    deadline = (today_local() + timedelta(days=14)).isoformat()
    response = client.post(f"{base}/komplettering", data={
        "message": "Bifoga projektplanen.", "deadline": deadline})
    assert response.status_code == 302
    assert _reload(case.id).case.state == "needs_completion"
    login_as(user=case.case.applicant)
    page = _text(client.get(f"/bidrag/ansokningar/{case.id}"))
    assert "Bifoga projektplanen." in page and deadline in page


def test_a_disqualified_officer_sees_why_and_cannot_decide(client, login_as, make_user, case):
    from lokapp.auth.models import AssociationMember, AssociationMemberRole, AssociationRole

    handler = officer(make_user)
    link = AssociationMember(user_id=handler.id, association_id=case.association_id)
    link.roles.append(AssociationMemberRole(role=AssociationRole.TREASURER))
    db.session.add(link)
    db.session.commit()
    login_as(user=handler)
    base = f"/bidrag/handlaggning/{case.id}"
    page = _text(client.get(base))
    assert "jävig" in page and "Ta ärendet" not in page
    assert client.post(f"{base}/atgard/assign").status_code == 403


def test_the_decision_page_issues_the_letter_and_a_proposal_returns_with_a_note(
        client, login_as, make_user, case):
    from sqlalchemy import select

    from lokapp.letters.models import Letter

    login_as(user=officer(make_user))
    base = f"/bidrag/handlaggning/{case.id}"
    client.post(f"{base}/atgard/assign")
    assert client.post(f"{base}/beslut", data={
        "outcome": "rejected", "reasons": "Projektet är inte avgränsat i tid."}
    ).status_code == 302
    db.session.expire_all()
    letter = db.session.scalar(select(Letter).where(Letter.case_id == case.case_id))
    assert letter is not None and "inte avgränsat" in letter.context["decision"]["reasons"]


def test_returning_a_proposal_needs_a_note(client, login_as, make_user, case):
    proposer = officer(make_user, limit=10_000)
    login_as(user=proposer)
    base = f"/bidrag/handlaggning/{case.id}"
    client.post(f"{base}/atgard/assign")
    client.post(f"{base}/beslut", data={"outcome": "approved"})
    login_as(user=officer(make_user, limit=500_000))
    response = client.post(f"{base}/atgard/return_proposal", data={"note": " "},
                           follow_redirects=True)
    assert "Skriv varför förslaget skickas tillbaka." in _text(response)
    assert _reload(case.id).case.state == "proposed"
    client.post(f"{base}/atgard/return_proposal", data={"note": "Räkna om budgeten."})
    application = _reload(case.id)
    assert application.case.state == "in_review" and application.proposed_outcome is None
