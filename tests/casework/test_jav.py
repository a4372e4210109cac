"""Declared jäv: an officer declares themselves disqualified on a case with a reason; it is
recorded and audited, unassigns them, shows on the case page, and from then on every
predicate refuses them the case (take, handle, propose, confirm, decide, bulk assign)."""
from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import select

from lokapp.casework.models import CaseDisqualification
from lokapp.core.audit import AuditEvent
from lokapp.core.cases import Case
from lokapp.core.permissions import check
from lokapp.core.time import today_local
from lokapp.extensions import db
from tests.grants.test_decisions import officer

pytestmark = pytest.mark.usefixtures("no_csrf")

REASON = "Min bror sitter i föreningens styrelse."


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _declare(client, case, reason=REASON):
    return client.post(f"/handlaggning/arenden/{case.id}/jav", data={"reason": reason})


def _reload(case_id) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case_id)


def test_declaring_records_audits_unassigns_and_shows_on_the_page(client, login_as, grant,
                                                                  grant_officer):
    login_as(user=grant_officer)
    base = f"/bidrag/handlaggning/{grant.id}"
    client.post(f"{base}/atgard/assign")
    assert _reload(grant.case_id).assigned_officer_id == grant_officer.id
    assert "Anmäl jäv i ärendet" in _text(client.get(base))
    response = _declare(client, grant.case)
    assert response.status_code == 302
    case = _reload(grant.case_id)
    assert case.assigned_officer_id is None
    row = db.session.scalars(select(CaseDisqualification)).one()
    assert (row.case_id, row.user_id, row.reason) == (case.id, grant_officer.id, REASON)
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "case.disqualification_declared")).one()
    assert event.object_id == str(case.id) and event.details["unassigned"] is True
    assert event.actor_id == grant_officer.id
    page = _text(client.get(base))
    assert f"Jäv anmält av {grant_officer.name}:" in page and REASON in page
    assert "Anmäl jäv i ärendet" not in page  # once is enough
    assert _declare(client, grant.case).status_code == 403


def test_declared_officer_is_refused_every_action(client, login_as, make_user, grant,
                                                  programmes):
    declared = officer(make_user, limit=500_000)
    colleague = officer(make_user, limit=10_000)
    db.session.commit()
    base = f"/bidrag/handlaggning/{grant.id}"
    login_as(user=declared)
    _declare(client, grant.case)
    # Take the case.
    assert client.post(f"{base}/atgard/assign").status_code == 403
    assert _reload(grant.case_id).state == "submitted"
    assert "Ta ärendet" not in _text(client.get(base))
    # A colleague takes it; the declared officer may not ask for completion or decide.
    login_as(user=colleague)
    client.post(f"{base}/atgard/assign")
    login_as(user=declared)
    assert client.post(f"{base}/komplettering", data={
        "message": "Skicka budget",
        "deadline": (today_local() + timedelta(days=14)).isoformat()}).status_code == 403
    assert client.post(f"{base}/beslut", data={
        "outcome": "approved", "reasons": ""}).status_code == 403
    page = _text(client.get(base))
    assert "Fatta beslut" not in page and "Begär komplettering" not in page
    assert _reload(grant.case_id).state == "in_review"
    # The colleague proposes above their limit; the declared officer may not confirm or
    # return it, although their delegation would cover it.
    login_as(user=colleague)
    assert client.post(f"{base}/beslut", data={"outcome": "approved"}).status_code == 302
    assert _reload(grant.case_id).state == "proposed"
    login_as(user=declared)
    assert client.post(f"{base}/atgard/confirm").status_code == 403
    assert client.post(f"{base}/atgard/return_proposal",
                       data={"note": "Nej"}).status_code == 403
    assert _reload(grant.case_id).state == "proposed"
    case = _reload(grant.case_id)
    for rule in ("grants.handle", "grants.decide", "grants.confirm", "casework.notes"):
        decision = check(rule, declared, case)
        assert not decision and "jäv" in decision.reason
    # A third officer with the delegation may confirm: the rule is about the person.
    third = officer(make_user, limit=500_000)
    assert check("grants.confirm", third, case)


def test_bulk_assign_skips_the_declared_officer_with_a_message(client, login_as, make_user,
                                                               grant, programmes,
                                                               make_association):
    from tests.grants.test_decisions import _project, submitted

    other = submitted(_project(programmes), make_user, make_association)
    declared = officer(make_user)
    db.session.commit()
    login_as(user=declared)
    _declare(client, grant.case)
    response = client.post("/handlaggning/tilldela", data={
        "arende": [grant.case_id, other.case_id], "vem": "mig"}, follow_redirects=True)
    page = _text(response)
    assert f"har anmält jäv: {grant.case.number}" in page
    assert _reload(grant.case_id).assigned_officer_id is None
    assert _reload(other.case_id).assigned_officer_id == declared.id
    # Also when a colleague assigns the case to them.
    login_as(user=officer(make_user))
    response = client.post("/handlaggning/tilldela", data={
        "arende": [grant.case_id], "vem": "vald", "officer": declared.id},
        follow_redirects=True)
    assert "har anmält jäv" in _text(response)
    assert _reload(grant.case_id).assigned_officer_id is None


def test_only_officers_of_the_area_may_declare_and_a_reason_is_needed(client, login_as,
                                                                      grant, grant_officer):
    login_as(user=grant.case.applicant)
    assert _declare(client, grant.case).status_code == 403
    login_as("officer", areas=("bookings",))
    assert _declare(client, grant.case).status_code == 403
    login_as(user=grant_officer)
    response = _declare(client, grant.case, reason="")
    assert response.status_code == 400
    assert "Varför är du jävig?" in _text(response)
    assert db.session.scalar(select(CaseDisqualification.id)) is None


def test_a_declared_bookings_officer_cannot_decide_the_booking(client, login_as, make_user,
                                                               app):
    from lokapp.bookings import services as booking_services
    from tests.bookings.helpers import accepted, build_premises, next_weekday, request_for

    premises = build_premises(requires_approval=True)
    series = booking_services.create_booking(premises, request_for(make_user(), next_weekday(2)),
                                             accepted_terms=accepted(premises))
    db.session.commit()
    declared = login_as("officer", areas=("bookings",))
    assert check("bookings.handle", declared, series.case)
    _declare(client, series.case)
    with app.test_request_context():  # a new request: answers are remembered per request
        assert not check("bookings.handle", declared, series.case)
    client.post(f"/bokningar/{series.id}/arende/approve", data={})
    assert _reload(series.case_id).state == "submitted"
    assert f"Jäv anmält av {declared.name}:" in _text(client.get(f"/bokningar/{series.id}"))


def test_a_declared_register_officer_is_refused_the_register_case(client, login_as, make_user,
                                                                  make_association):
    from tests.associations.register_helpers import numbered_case

    case = numbered_case("registration", "submitted", make_user(), make_association())
    db.session.commit()
    declared = login_as("officer", areas=("register",))
    page = f"/handlaggning/foreningsregister/{case.id}"
    assert client.get(page).status_code == 200
    response = _declare(client, case, reason="Jag är kassör i en systerförening.")
    assert response.headers["Location"].endswith("/handlaggning")
    follow = _text(client.get("/handlaggning"))
    assert f"Ditt jäv i ärende {case.number} är anmält" in follow
    assert client.get(page).status_code == 403
    assert client.post(f"{page}/atgard/approve", data={}).status_code == 403
    assert _reload(case.id).state == "submitted"
    login_as("officer", areas=("register",))
    text = _text(client.get(page))
    assert f"Jäv anmält av {declared.name}:" in text and "systerförening" in text


def test_a_double_click_declares_once_and_needs_no_error_page(client, login_as, grant,
                                                              grant_officer, monkeypatch):
    """Two posts of the form at once both pass the check before either is written; the
    second meets the unique row and must end on the queue like the first, not a 500."""
    login_as(user=grant_officer)
    assert _declare(client, grant.case).status_code == 302
    # The second request read "not declared yet" before the first one committed.
    monkeypatch.setattr("lokapp.casework.permissions.declared_disqualification",
                        lambda user_id, case_id: None)
    response = _declare(client, grant.case, reason="Ett andra klick.")
    assert response.status_code == 302 and response.location.endswith("/handlaggning")
    rows = db.session.scalars(select(CaseDisqualification)).all()
    assert [(r.user_id, r.reason) for r in rows] == [(grant_officer.id, REASON)]
