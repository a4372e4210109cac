"""The demo's register cases: registrations, an annual update and a bankgiro change made
through the register's services after the other demo steps, listed in the officer's queue in
a bounded number of queries – and a second run adds nothing."""
from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from lokapp.associations import demo_cases
from lokapp.associations.models import (
    AnnualUpdate,
    Association,
    AssociationDocument,
    RegisterState,
    SensitiveChange,
)
from lokapp.associations.workflow import CASE_TYPES
from lokapp.auth.demo import run_demo
from lokapp.auth.models import AssociationMember, User
from lokapp.core.cases import Case
from lokapp.core.completions import CompletionRequest
from lokapp.core.mail import OutboxMessage
from lokapp.core.time import today_local
from lokapp.extensions import db
from lokapp.letters.models import Letter

pytestmark = pytest.mark.usefixtures("demo_password_hashed_once")


@pytest.fixture(autouse=True)
def _uploads(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))


def _run(app) -> list[str]:
    """Every demo step in order, as `flask lok demo` runs them; the register cases' lines."""
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": ""}):
        lines = run_demo()
    db.session.flush()
    start = next(i for i, line in enumerate(lines) if line.startswith("registerärenden:"))
    return lines[start:]


def _user(email: str) -> User:
    return db.session.scalar(User.select_by_email(email))


def _cases() -> list[Case]:
    return db.session.scalars(select(Case).where(Case.case_type.in_(CASE_TYPES))
                              .order_by(Case.id)).all()


def _association(case: Case) -> Association:
    return db.session.get(Association, case.association_id)


def _counts() -> dict[str, int]:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Case, Association, User, AnnualUpdate, SensitiveChange, Letter,
                          CompletionRequest, AssociationDocument, OutboxMessage)}


def test_the_demo_register_cases_are_made_by_the_rules(app, db):
    lines = _run(app)
    assert lines == ["registerärenden: 5 skapade, 0 fanns redan"], lines
    officer = _user(demo_cases.OFFICER_EMAIL)
    cases = _cases()
    by_type = Counter((c.case_type, c.state) for c in cases)
    assert by_type == {("registration", "submitted"): 1,
                       ("registration", "needs_completion"): 1,
                       ("registration", "approved"): 1,
                       ("annual_update", "submitted"): 1,
                       ("sensitive_change", "submitted"): 1}, by_type
    assert all(c.number is not None for c in cases)

    registrations = {_association(c).name: c for c in cases if c.case_type == "registration"}
    waiting = registrations["Råby Läxhjälpsförening"]
    assert waiting.assigned_officer_id is None
    assert _association(waiting).register_state == RegisterState.PENDING
    assert waiting.applicant.email == "ordforande.raby-laxhjalpsforening@demo.lokapp.se"
    assert waiting.applicant.email_verified_at is not None

    # The completion request: by the assigned officer, deadline in the future, not answered.
    completion = registrations["Hammarby Dansklubb"]
    assert completion.assigned_officer_id == officer.id
    request = db.session.scalar(select(CompletionRequest).where(
        CompletionRequest.case_id == completion.id))
    assert request.deadline > today_local() and request.answered_at is None
    assert request.requested_by_id == officer.id and "stadgarna" in request.message

    # The approved registration: registered, the applicant administers it, a letter (PDF).
    approved = registrations["Skiljebo Trädgårdsförening"]
    association = _association(approved)
    assert association.register_state == RegisterState.REGISTERED
    assert association.registered_at is not None and association.orgnr
    assert db.session.scalar(select(AssociationMember).where(
        AssociationMember.association_id == association.id,
        AssociationMember.user_id == approved.applicant_id)) is not None
    letter = db.session.scalar(select(Letter).where(Letter.case_id == approved.id))
    assert letter is not None and letter.pdf.startswith(b"%PDF")

    # This year's annual update of an existing demo association, with the year's documents.
    update = next(c for c in cases if c.case_type == "annual_update")
    assert _association(update).name == demo_cases.ANNUAL_UPDATE_ASSOCIATION
    row = db.session.scalar(select(AnnualUpdate).where(AnnualUpdate.case_id == update.id))
    assert row.year == today_local().year and row.confirmed_at is not None
    year_docs = {d.doc_type.value for d in db.session.scalars(select(AssociationDocument).where(
        AssociationDocument.association_id == update.association_id,
        AssociationDocument.year == today_local().year))}
    assert {"annual_meeting_minutes", "activity_report", "financial_report",
            "audit_report"} <= year_docs

    # The bankgiro change waits: nothing changed on the association yet.
    change_case = next(c for c in cases if c.case_type == "sensitive_change")
    change = db.session.scalar(select(SensitiveChange).where(
        SensitiveChange.case_id == change_case.id))
    assert change.changed_fields() == ["bankgiro"] and change.applied_at is None
    assert _association(change_case).bankgiro == change.old_bankgiro != change.new_bankgiro
    assert _association(change_case).name == demo_cases.CHANGE_ASSOCIATION

    # Receipts and the completion request are mailed to the applicants.
    recipients = {r for m in db.session.scalars(select(OutboxMessage)) for r in m.recipients}
    assert {c.applicant.email for c in cases} <= recipients


def test_the_queue_lists_them_in_few_queries_and_a_rerun_adds_nothing(
        app, db, client, count_queries):
    _run(app)
    db.session.commit()
    officer = _user(demo_cases.OFFICER_EMAIL)
    with client.session_transaction() as session:
        session["_user_id"] = officer.get_id()
        session["_fresh"] = True
    cases = _cases()
    open_numbers = [c.number for c in cases if c.state != "approved"]
    assert len(open_numbers) == 4
    with count_queries() as queries:
        response = client.get("/handlaggning")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert all(number in page for number in open_numbers), open_numbers
    assert queries.count <= 15, queries.count
    for case in cases:
        url = f"/handlaggning/foreningsregister/{case.id}"
        assert client.get(url).status_code == 200, url

    # The applicant of the registration waiting for completion sees the request.
    completion = next(c for c in cases if c.state == "needs_completion")
    with client.session_transaction() as session:
        session["_user_id"] = completion.applicant.get_id()
    page = client.get(f"/forening/registreringar/{completion.id}")
    assert page.status_code == 200 and "stadgarna" in page.get_data(as_text=True)

    before = _counts()
    assert _run(app) == ["registerärenden: 0 skapade, 5 fanns redan"]
    assert _counts() == before
