"""Payouts: a line with the decision (approve, in part – never a rejection), blocked while the
association is spärrad or its bank details are unverified (and unblocked by itself), the
export for the finance department (CSV and Excel, no formulas), idempotent export, mark paid,
and access (residents and officers without the grants area are refused)."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from html import unescape

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from lokapp.associations.status import StatusState
from lokapp.core.audit import AuditEvent
from lokapp.core.time import utcnow
from lokapp.extensions import db
from lokapp.grants import payouts, services
from lokapp.grants.models import GrantPayout, Outcome, PayoutState
from tests.grants.test_decisions import _project, officer, status, submitted  # noqa: F401


@dataclass
class Blocked:
    state: StatusState

    @property
    def is_blocked(self):
        return self.state is StatusState.BLOCKED


@pytest.fixture
def register(monkeypatch):
    """The register's answer for the payout check: not spärrad unless a test says so."""
    spärrade: set[int] = set()

    def fake(associations, on=None):
        return {a.id: Blocked(StatusState.BLOCKED if a.id in spärrade else StatusState.ELIGIBLE)
                for a in associations}

    monkeypatch.setattr(payouts, "compute_statuses", fake)
    return spärrade


@pytest.fixture
def case(programmes, make_user, make_association, status):  # noqa: F811
    application = submitted(_project(programmes), make_user, make_association)
    association = application.association
    association.bankgiro = "56781234"
    association.bank_details_verified_at = utcnow()
    db.session.flush()
    return application


def _decide(application, make_user, outcome, amount=None, reasons=""):
    handler = officer(make_user)
    services.assign_to_me(application, handler)
    services.decide(application, handler, outcome=outcome, amount_sek=amount, reasons=reasons)
    return handler


def _payout(application):
    return db.session.scalar(select(GrantPayout).where(
        GrantPayout.application_id == application.id))


def test_an_approval_creates_a_pending_payout_line(case, make_user, register):
    handler = _decide(case, make_user, Outcome.APPROVED)
    payout = _payout(case)
    assert payout is not None and payout.state == PayoutState.PENDING
    assert payout.amount_sek == case.granted_sek == 40_000
    assert payout.bankgiro == "56781234" and payout.plusgiro is None
    assert payout.reference == case.case.number
    assert payout.created_at is not None and payout.paid_at is None
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "grant_payout.created"))
    assert event.actor_id == handler.id and event.object_id == str(payout.id)


def test_a_partial_approval_pays_the_granted_amount(case, make_user, register):
    _decide(case, make_user, Outcome.PARTIALLY_APPROVED, 25_000, "Budgeten räcker inte.")
    assert _payout(case).amount_sek == 25_000


def test_a_rejection_creates_no_payout(case, make_user, register):
    _decide(case, make_user, Outcome.REJECTED, reasons="Uppfyller inte villkoren.")
    assert _payout(case) is None


def test_the_plusgiro_is_used_without_a_bankgiro(case, make_user, register):
    case.association.bankgiro, case.association.plusgiro = None, "4711"
    _decide(case, make_user, Outcome.APPROVED)
    payout = _payout(case)
    assert payout.bankgiro is None and payout.plusgiro == "4711"


def test_bank_details_are_those_at_the_time_of_the_decision(case, make_user, register):
    _decide(case, make_user, Outcome.APPROVED)
    case.association.bankgiro = "99998888"
    db.session.flush()
    assert _payout(case).bankgiro == "56781234"


def test_blocked_while_spärrad_or_unverified_and_unblocked_by_itself(case, make_user, register):
    _decide(case, make_user, Outcome.APPROVED)
    payout = _payout(case)
    assert payouts.blocked_reasons([payout]) == {}

    register.add(case.association_id)
    case.association.bank_details_verified_at = None
    reasons = payouts.blocked_reasons([payout])[payout.id]
    assert "Föreningen är spärrad." in reasons
    assert "Föreningens bankuppgifter är inte kontrollerade." in reasons
    assert payouts.export([payout], make_user("officer", areas=("grants",))) == []
    assert payout.state == PayoutState.PENDING

    register.discard(case.association_id)
    assert payouts.blocked_reasons([payout])[payout.id] == [
        "Föreningens bankuppgifter är inte kontrollerade."]
    case.association.bank_details_verified_at = utcnow()
    assert payouts.blocked_reasons([payout]) == {}
    assert payouts.export([payout], make_user("officer", areas=("grants",))) == [payout]


def test_export_marks_once_and_again_only_when_asked(case, make_user, register):
    handler = _decide(case, make_user, Outcome.APPROVED)
    payout = _payout(case)
    assert payouts.export([payout], handler) == [payout]
    first = payout.exported_at
    assert payout.state == PayoutState.EXPORTED and first is not None
    assert payouts.export([payout], handler) == []
    assert payouts.export([payout], handler, include_exported=True) == [payout]
    assert payout.exported_at == first
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "grant_payout.exported")).all()
    assert len(events) == 2


def test_mark_paid_needs_an_exported_line(case, make_user, register):
    handler = _decide(case, make_user, Outcome.APPROVED)
    payout = _payout(case)
    with pytest.raises(payouts.PayoutError):
        payouts.mark_paid(payout, handler)
    payouts.export([payout], handler)
    payouts.mark_paid(payout, handler)
    assert payout.state == PayoutState.PAID and payout.paid_at and payout.paid_by_id == handler.id
    assert payouts.blocked_reasons([payout]) == {}
    with pytest.raises(payouts.PayoutError):
        payouts.mark_paid(payout, handler)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "grant_payout.paid"))


def test_files_write_text_never_formulas(case, make_user, register):
    _decide(case, make_user, Outcome.APPROVED)
    case.association.name = "=HYPERLINK(\"http://x\")"
    payout = _payout(case)
    rows = list(csv.reader(io.StringIO(payouts.to_csv([payout]).decode("utf-8-sig")),
                           delimiter=";"))
    assert rows[0][0] == "Referens"
    assert rows[1][0] == case.case.number and rows[1][4] == "40000"
    assert rows[1][1] == "'=HYPERLINK(\"http://x\")" and rows[1][5] == "56781234"
    sheet = load_workbook(io.BytesIO(payouts.to_xlsx([payout]))).active
    assert sheet["B2"].value == "=HYPERLINK(\"http://x\")" and sheet["B2"].data_type == "s"
    assert sheet["E2"].value == 40_000 and sheet["F2"].value == "56781234"


# --- the pages --------------------------------------------------------------------------------

@pytest.fixture
def csrf_on(app):
    """The tests run without CSRF; this one checks that the real protection refuses."""
    before = app.config.get("WTF_CSRF_ENABLED", False)
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = before


@pytest.fixture
def decided(case, make_user, register):
    _decide(case, make_user, Outcome.APPROVED)
    db.session.commit()
    return case


def _reload(payout_id) -> GrantPayout:
    db.session.expire_all()
    return db.session.get(GrantPayout, payout_id)


def test_the_page_needs_the_grants_area(client, login_as, decided):
    login_as("resident")
    assert client.get("/bidrag/handlaggning/utbetalningar").status_code == 403
    assert client.post("/bidrag/handlaggning/utbetalningar/export").status_code in (400, 403)
    login_as("officer", areas=("register",))
    assert client.get("/bidrag/handlaggning/utbetalningar").status_code == 403
    payout = _payout(decided)
    assert client.post(
        f"/bidrag/handlaggning/utbetalningar/{payout.id}/betald").status_code in (400, 403)
    assert _reload(payout.id).state == PayoutState.PENDING


def test_the_page_lists_filters_and_shows_the_block(client, login_as, make_user, decided,
                                                    register, programmes):
    login_as(user=officer(make_user))
    page = unescape(client.get("/bidrag/handlaggning/utbetalningar").get_data(as_text=True))
    assert decided.case.number in page and "Väntar på export" in page
    page = unescape(client.get("/bidrag/handlaggning/utbetalningar?status=paid")
                    .get_data(as_text=True))
    assert decided.case.number not in page
    other = programmes["foreningsbidrag"] if "foreningsbidrag" in programmes else None
    if other is not None and other.id != decided.programme_id:
        page = unescape(client.get(f"/bidrag/handlaggning/utbetalningar?bidrag={other.id}")
                        .get_data(as_text=True))
        assert decided.case.number not in page
    register.add(decided.association_id)
    page = unescape(client.get("/bidrag/handlaggning/utbetalningar").get_data(as_text=True))
    assert "Stoppad:" in page and "Föreningen är spärrad." in page


def test_export_download_and_mark_paid(client, login_as, make_user, decided):
    login_as(user=officer(make_user))
    payout_id = _payout(decided).id
    response = client.post("/bidrag/handlaggning/utbetalningar/export",
                           data={"file_format": "csv"})
    assert response.status_code == 200 and "text/csv" in response.content_type
    assert decided.case.number in response.get_data(as_text=True)
    assert _reload(payout_id).state == PayoutState.EXPORTED
    response = client.post("/bidrag/handlaggning/utbetalningar/export",
                           data={"file_format": "xlsx"})
    assert response.status_code == 302  # nothing left to export
    response = client.post("/bidrag/handlaggning/utbetalningar/export",
                           data={"file_format": "xlsx", "include_exported": "y"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet["A2"].value == decided.case.number
    response = client.post(f"/bidrag/handlaggning/utbetalningar/{payout_id}/betald")
    assert response.status_code == 302
    payout = _reload(payout_id)
    assert payout.state == PayoutState.PAID and payout.paid_at is not None


def test_mark_paid_refuses_without_csrf(client, login_as, make_user, decided, csrf_on):
    login_as(user=officer(make_user))
    payout = _payout(decided)
    payouts.export([payout], officer(make_user))
    db.session.commit()
    response = client.post(f"/bidrag/handlaggning/utbetalningar/{payout.id}/betald")
    assert response.status_code == 400
    assert _reload(payout.id).state == PayoutState.EXPORTED


def test_a_confirmed_proposal_creates_the_line_not_the_proposal(case, make_user, register):
    proposer = officer(make_user, limit=10_000)
    services.assign_to_me(case, proposer)
    services.decide(case, proposer, outcome="approved", amount_sek=None, reasons="")
    assert _payout(case) is None
    services.confirm_proposal(case, officer(make_user, limit=500_000))
    assert _payout(case).amount_sek == 40_000


def test_the_case_page_shows_the_payout_and_its_block(client, login_as, make_user, decided,
                                                      register):
    login_as(user=officer(make_user))
    decided.association.bank_details_verified_at = None
    db.session.commit()
    page = unescape(client.get(f"/bidrag/handlaggning/{decided.id}").get_data(as_text=True))
    assert "Utbetalning" in page and "Väntar på export" in page
    assert "Föreningens bankuppgifter är inte kontrollerade." in page


def test_the_real_register_rule_is_asked(case, make_user):
    """Without the stand-in: the register's batch rule answers for the line's association."""
    _decide(case, make_user, Outcome.APPROVED)
    payout = _payout(case)
    case.association.bank_details_verified_at = None
    assert "Föreningens bankuppgifter är inte kontrollerade." in \
        payouts.blocked_reasons([payout])[payout.id]


def test_the_page_stays_at_a_bounded_number_of_queries(client, login_as, make_user, programmes,
                                                       make_association, status,  # noqa: F811
                                                       count_queries):
    def one_more():
        application = submitted(_project(programmes), make_user, make_association)
        application.association.bankgiro = "56781234"
        _decide(application, make_user, Outcome.APPROVED)
        db.session.commit()

    one_more()
    login_as(user=officer(make_user))
    with count_queries() as few:
        assert client.get("/bidrag/handlaggning/utbetalningar").status_code == 200
    for _ in range(3):
        one_more()
    with count_queries() as many:
        assert client.get("/bidrag/handlaggning/utbetalningar").status_code == 200
    assert many.count == few.count


def test_an_officer_linked_to_the_association_may_not_mark_it_paid(client, login_as, make_user,
                                                                     decided):
    from tests.grants.test_applications import member

    payout = _payout(decided)
    payouts.export([payout], officer(make_user))
    jävig = member(lambda *a, **k: officer(make_user), decided.association)
    db.session.commit()
    login_as(user=jävig)
    page = unescape(client.get("/bidrag/handlaggning/utbetalningar").get_data(as_text=True))
    assert "Jävig – en kollega markerar" in page and "Markera som betald" not in page
    response = client.post(f"/bidrag/handlaggning/utbetalningar/{payout.id}/betald")
    assert response.status_code == 403
    assert _reload(payout.id).state == PayoutState.EXPORTED


def test_the_page_and_the_export_say_how_many_blocked_lines_are_left_out(
        client, login_as, make_user, decided, register):
    login_as(user=officer(make_user))
    page = unescape(client.get("/bidrag/handlaggning/utbetalningar").get_data(as_text=True))
    assert "tas inte med i exporten" not in page
    register.add(decided.association_id)
    page = unescape(client.get("/bidrag/handlaggning/utbetalningar").get_data(as_text=True))
    assert "1 väntande rad är stoppad och tas inte med i exporten" in page
    response = client.post("/bidrag/handlaggning/utbetalningar/export",
                           data={"file_format": "csv"}, follow_redirects=True)
    page = unescape(response.get_data(as_text=True))
    assert "Det finns inga utbetalningar att exportera. 1 stoppad rad togs inte med" in page
    assert _reload(_payout(decided).id).state == PayoutState.PENDING


EXPORTERS = 4


@pytest.mark.slow
def test_concurrent_exports_export_every_line_exactly_once(app, committing_db, monkeypatch):
    """Four officers press Export at the same moment over eight pending lines: every line is in
    exactly one file, and each is marked exported once (row locks on PostgreSQL, the
    serialised write transaction on SQLite)."""
    from lokapp.core.time import today_local
    from lokapp.grants.models import GrantApplication, GrantBudget, GrantProgramme
    from lokapp.grants.seed import seed_programmes
    from tests.concurrency import run_at_once
    from tests.factories import new_association, new_user
    from tests.grants.test_applications import FakeStatus
    from tests.grants.test_decisions import _project

    monkeypatch.setattr(services, "compute_status",
                        lambda association, on=None: FakeStatus(StatusState.ELIGIBLE))
    monkeypatch.setattr(payouts, "compute_statuses", lambda associations, on=None: {
        a.id: Blocked(StatusState.ELIGIBLE) for a in associations})

    def make_association():
        return new_association(bankgiro="56781234", bank_details_verified_at=utcnow())

    with app.test_request_context():
        seed_programmes(today_local().year)
        programme = _project({p.key: p for p in db.session.scalars(select(GrantProgramme))})
        for _n in range(8):
            application = submitted(programme, new_user, make_association)
            if _n == 0:
                budget = db.session.scalar(select(GrantBudget).where(
                    GrantBudget.programme_id == programme.id,
                    GrantBudget.year == application.year))
                budget.amount_sek = 10_000_000
            _decide(application, new_user, Outcome.APPROVED)
        db.session.commit()
        officer_ids = [officer(new_user).id for _n in range(EXPORTERS)]
        db.session.commit()
        assert db.session.scalar(select(func.count(GrantPayout.id))) == 8
        assert db.session.scalar(select(func.count(GrantApplication.id))) == 8
    db.session.remove()

    def attempt(index: int, start) -> list[str]:
        from lokapp.auth.models import User as UserModel
        with app.test_request_context():
            start()
            try:
                actor = db.session.get(UserModel, officer_ids[index])
                lines = db.session.scalars(payouts.payouts_query(for_update=True)).unique().all()
                chosen = payouts.export(lines, actor)
                references = [p.reference for p in chosen]
                db.session.commit()
                return references
            finally:
                db.session.remove()  # rolls back what was not committed

    results = run_at_once(EXPORTERS, attempt, timeout=120)
    assert all(isinstance(r, list) for r in results), results
    exported = [reference for r in results for reference in r]
    assert len(exported) == 8 and len(set(exported)) == 8, results
    assert sorted(len(r) for r in results) == [0] * (EXPORTERS - 1) + [8], results
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "grant_payout.exported")).all()
    assert len(events) == 8
