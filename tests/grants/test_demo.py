"""The demo's grant applications: a spread of every state, made through the grants services,
shown on the officer's queues in a bounded number of queries – and idempotent. The demo runs
on any day of the year, so it is also run on a few frozen dates."""
from __future__ import annotations

import io
from collections import Counter
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from lokapp.agreement.demo import load_demo_agreement
from lokapp.associations import demo as association_demo
from lokapp.auth.demo import load_demo_users
from lokapp.auth.models import User
from lokapp.casework.models import CaseMessage, CaseNote
from lokapp.core.cases import Case
from lokapp.core.completions import CompletionRequest
from lokapp.core.mail import OutboxMessage
from lokapp.core.time import STOCKHOLM, today_local
from lokapp.core.uploads import StoredFile
from lokapp.extensions import db
from lokapp.grants import demo, payouts
from lokapp.grants.cli import demo_programmes
from lokapp.grants.follow_up_models import GrantFollowUp
from lokapp.grants.models import (
    GrantApplication,
    GrantAttachment,
    GrantPayout,
    GrantScore,
    Outcome,
    PayoutState,
)
from lokapp.grants.permissions import can_confirm, can_view
from lokapp.grants.seed import seed_programmes
from lokapp.letters.models import Letter

pytestmark = pytest.mark.usefixtures("demo_password_hashed_once")


@pytest.fixture(autouse=True)
def _uploads(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))


def _run(app) -> list[str]:
    """users → agreement → associations → programmes → grants, as `flask lok demo` runs."""
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": ""}):
        load_demo_agreement()
        load_demo_users()
        association_demo.load_demo_associations()
        demo_programmes()
        lines = demo.load_demo_grants()
    db.session.flush()
    return lines


def _user(email: str) -> User:
    return db.session.scalar(User.select_by_email(email))


def _applications() -> list[GrantApplication]:
    return db.session.scalars(select(GrantApplication).order_by(GrantApplication.id)).all()


def scored_apps_cases(applications, application_ids) -> set[int]:
    return {a.case_id for a in applications if a.id in application_ids}


def _counts() -> dict[str, int]:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (GrantApplication, Case, GrantPayout, Letter, StoredFile,
                          OutboxMessage, CaseMessage, CaseNote, GrantScore, GrantFollowUp,
                          CompletionRequest)}


def test_the_demo_has_every_state_made_by_the_rules(app, db):
    lines = _run(app)
    assert lines[0] == f"bidragsansökningar: {len(demo.SPECS)} skapade, 0 fanns redan", lines
    assert not [line for line in lines if line.startswith("ingen demoansökan")], lines
    applications = _applications()
    assert 15 <= len(applications) <= 25
    officer, chef = _user(demo.OFFICER_EMAIL), _user(demo.SUPERVISOR_EMAIL)
    states = Counter(a.case.state for a in applications)
    assert states["draft"] >= 2 and states["in_review"] >= 2, states
    assert states["submitted"] >= 2 and states["needs_completion"] == 1, states
    assert states["proposed"] == 1 and states["follow_up_submitted"] == 1, states
    assert states["withdrawn"] == 1 and states["follow_up_due"] >= 1, states
    assert all(a.case.assigned_officer_id is None for a in applications
               if a.case.state == "submitted")
    assert all(a.case.assigned_officer_id == officer.id for a in applications
               if a.case.state in ("in_review", "needs_completion", "proposed"))
    assert all(a.case.number is None for a in applications if a.case.state == "draft")
    assert len({a.association_id for a in applications}) >= 12

    # Completion with a deadline after today.
    waiting = next(a for a in applications if a.case.state == "needs_completion")
    request = db.session.scalar(select(CompletionRequest).where(
        CompletionRequest.case_id == waiting.case_id))
    assert request.deadline > today_local() and request.answered_at is None

    # Above the officer's delegation: a proposal that only the supervisor may confirm.
    proposal = next(a for a in applications if a.case.state == "proposed")
    assert proposal.proposed_by_id == officer.id
    assert proposal.proposed_sek > officer.delegation_limit_sek
    assert not can_confirm(officer, proposal.case) and can_confirm(chef, proposal.case)

    # Decisions three ways, with reasons where the law asks, each with its letter.
    decided = [a for a in applications if a.outcome is not None]
    assert {a.outcome for a in decided} == set(Outcome)
    for application in decided:
        if application.outcome != Outcome.APPROVED:
            assert application.reasons and len(application.reasons) > 40
        letter = db.session.scalar(select(Letter).where(Letter.case_id == application.case_id))
        assert letter is not None and letter.pdf.startswith(b"%PDF"), application.case.number
    granted = [a for a in decided if a.outcome != Outcome.REJECTED]
    assert all(0 < a.granted_sek <= a.requested_sek for a in granted)

    # Payouts: exported, one paid, pending – one stopped (unchecked bank details).
    lines_ = db.session.scalars(select(GrantPayout)).all()
    assert len(lines_) == len(granted)
    payout_states = Counter(p.state for p in lines_)
    assert payout_states[PayoutState.PAID] == 1 and payout_states[PayoutState.EXPORTED] >= 1
    assert payout_states[PayoutState.PENDING] >= 2
    assert any(p.state == PayoutState.PENDING for p in lines_
               if p.id in payouts.blocked_reasons(lines_))

    # The follow-up report waiting for the officer.
    report = db.session.scalar(select(GrantFollowUp).where(
        GrantFollowUp.submitted_at.is_not(None)))
    assert report.accepted_at is None and report.participants_total > 0
    assert report.application.case.state == "follow_up_submitted"

    # Aktivitetsstöd by the formula: occasions, a stored calculation, rows that do not count.
    activity = [a for a in applications if a.programme.key == "aktivitetsstod"]
    assert len(activity) >= 3
    for application in activity:
        assert application.occasions and application.formula_result["requested_sek"] == \
            application.requested_sek
    backby = association_demo.REPRESENTATIVE_ASSOCIATION
    rent = next(a for a in applications if a.programme.key == "lokalbidrag")
    assert rent.case.state == "draft" and rent.requested_sek == 96_000 * 40 // 100
    assert any(p.is_municipal for p in rent.rented_premises)
    assert any(a.label.startswith("Hyreskontrakt") for a in rent.attachments)
    assert any(o.participants < 3 for a in activity if a.association.name == backby
               for o in a.occasions)

    # Scores on a project grant by two officers, a note, a message and its reply.
    scored = db.session.scalars(select(GrantScore)).all()
    scored_apps = {s.application_id for s in scored}
    assert any(a.id in scored_apps and a.programme.key == "projektbidrag" for a in applications)
    assert {s.officer_id for s in scored} == {officer.id, chef.id}
    assert db.session.scalar(select(func.count()).select_from(CaseNote)) >= 1
    messages = db.session.scalars(select(CaseMessage)).all()
    assert sorted(m.is_from_officer for m in messages) == [False, True]
    assert {m.case_id for m in messages} <= scored_apps_cases(applications, scored_apps)

    # The demo representative sees their own association's cases in several states.
    representative = _user(association_demo.REPRESENTATIVE_EMAIL)
    own = [a for a in applications if a.association.name == backby]
    assert len(own) >= 3 and len({a.case.state for a in own}) >= 3
    assert all(can_view(representative, a) for a in own)

    # Attachments are small valid PDFs on disk.
    attachment = db.session.scalars(select(GrantAttachment).where(
        GrantAttachment.label == "Projektplan")).first()
    reader = PdfReader(io.BytesIO(attachment.stored_file.path.read_bytes()))
    assert len(reader.pages) == 1 and "Projektplan" in reader.pages[0].extract_text()

    # Mail is queued as usual: receipts, the completion request, letters.
    recipients = {r for m in db.session.scalars(select(OutboxMessage)) for r in m.recipients}
    assert association_demo.REPRESENTATIVE_EMAIL in recipients


def test_the_officer_queues_list_the_demo_in_few_queries_and_a_rerun_adds_nothing(
        app, db, client, count_queries):
    _run(app)
    db.session.commit()
    officer = _user(demo.OFFICER_EMAIL)
    with client.session_transaction() as session:
        session["_user_id"] = officer.get_id()
        session["_fresh"] = True
    numbers = [a.case.number for a in _applications() if a.case.state in (
        "submitted", "in_review", "needs_completion", "proposed")]
    for url in ("/handlaggning", "/bidrag/handlaggning"):
        with count_queries() as queries:
            response = client.get(url)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert all(number in page for number in numbers), url
        assert queries.count <= 15, (url, queries.count)
    # Every demo case page renders for the officer, and the lists around them.
    applications = _applications()
    for application in applications:
        if application.case.state != "draft":
            url = f"/bidrag/handlaggning/{application.id}"
            assert client.get(url).status_code == 200, url
    talked = next(a for a in applications if a.case.state == "in_review"
                  and a.association.name == association_demo.REPRESENTATIVE_ASSOCIATION)
    page = client.get(f"/bidrag/handlaggning/{talked.id}").get_data(as_text=True)
    assert "Vi räknar med fyra läxhjälpare" in page and "Dialog och samverkan" in page
    report = next(a for a in applications if a.case.state == "follow_up_submitted")
    for url in ("/bidrag/handlaggning?visa=beslutade", "/bidrag/handlaggning/utbetalningar",
                "/bidrag/handlaggning/redovisningar",
                f"/bidrag/handlaggning/{report.id}/redovisning"):
        assert client.get(url).status_code == 200, url
    year = today_local().year
    response = client.get(f"/bidrag/arrangemangsbidrag/beviljade/{year}")
    assert "Syrianska kulturföreningen i Västerås" in response.get_data(as_text=True)

    # The demo representative's own applications, drafts included.
    representative = _user(association_demo.REPRESENTATIVE_EMAIL)
    with client.session_transaction() as session:
        session["_user_id"] = representative.get_id()
    for application in applications:
        if application.association.name == association_demo.REPRESENTATIVE_ASSOCIATION:
            url = f"/bidrag/ansokningar/{application.id}"
            assert client.get(url).status_code == 200, url

    before = _counts()
    lines = _run(app)
    assert lines == [f"bidragsansökningar: 0 skapade, {len(demo.SPECS)} fanns redan"]
    assert _counts() == before


class _Frozen(datetime):
    moment: datetime

    @classmethod
    def now(cls, tz=None):
        return cls.moment.astimezone(tz) if tz else cls.moment.replace(tzinfo=None)


@pytest.mark.parametrize("day", [date(2027, 1, 2), date(2027, 7, 1), date(2027, 12, 31)])
def test_the_demo_works_on_any_day_of_the_year(app, db, monkeypatch, day):
    """The programmes were seeded last year (their pots and windows are last year's). New
    Year (windows closed, last autumn's occasions), the first day of the autumn and New
    Year's Eve (a window extended into the next year)."""
    _Frozen.moment = datetime(day.year, day.month, day.day, 10, 0, tzinfo=STOCKHOLM) \
        .astimezone(UTC)
    monkeypatch.setattr("lokapp.core.time.datetime", _Frozen)
    assert today_local() == day
    seed_programmes(day.year - 1)
    lines = _run(app)
    assert lines[0] == f"bidragsansökningar: {len(demo.SPECS)} skapade, 0 fanns redan", lines
    assert not [line for line in lines if line.startswith("ingen demoansökan")], lines
    states = Counter(a.case.state for a in _applications())
    assert states["proposed"] == 1 and states["follow_up_submitted"] == 1, states
    # The pots of the new year come from the administrator, as the lines say.
    assert f"bidrag: budget {day.year} för Projektbidrag (LÖK-projekt) lagd in av " \
           "administratören" in lines
    assert {a.year for a in _applications()} == {day.year}
