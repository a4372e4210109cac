"""Decisions: assign, completion, approve / in part / reject, four-eyes above the delegation,
jäv, and a budget pot that cannot be over-committed – also by 20 concurrent decisions."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lokapp.associations.status import StatusState
from lokapp.auth.models import AssociationMember, AssociationMemberRole, AssociationRole
from lokapp.core.permissions import check
from lokapp.core.time import today_local
from lokapp.core.workflow import PermissionDenied
from lokapp.extensions import db
from lokapp.grants import services
from lokapp.grants.models import GrantApplication, GrantBudget, Outcome, WindowKind
from lokapp.grants.permissions import disqualified
from tests.grants.test_applications import FakeStatus, _answer_all, _budget, member


@pytest.fixture
def status(monkeypatch):
    monkeypatch.setattr(services, "compute_status",
                        lambda association, on=None: FakeStatus(StatusState.ELIGIBLE))


def _project(programmes):
    programme = programmes["projektbidrag"]
    programme.window_kind, programme.opens_on, programme.closes_on = WindowKind.ROLLING, None, None
    programme.required_attachments = []
    return programme


def submitted(programme, make_user, make_association) -> GrantApplication:
    association = make_association()
    user = member(make_user, association)
    application = services.start_application(programme, association, user)
    _answer_all(application, user)
    _budget(application, user)  # 40 000 kr
    services.submit_application(application, user)
    return application


def officer(make_user, limit=100_000):
    return make_user("officer", areas=("grants",), delegation_limit_sek=limit)


@pytest.fixture
def case(programmes, make_user, make_association, status):
    return submitted(_project(programmes), make_user, make_association)


def test_within_the_delegation_the_officer_decides_and_the_pot_is_taken(case, make_user):
    handler = officer(make_user)
    services.assign_to_me(case, handler)
    assert case.case.assigned_officer_id == handler.id and case.case.state == "in_review"
    budget = db.session.scalar(select(GrantBudget).where(
        GrantBudget.programme_id == case.programme_id, GrantBudget.year == case.year))
    before = budget.committed_sek
    assert services.decide(case, handler, outcome="approved", amount_sek=None,
                           reasons="") == "decided"
    assert case.outcome == Outcome.APPROVED and case.granted_sek == 40000
    assert case.decided_by_id == handler.id and case.case.decided_at is not None
    assert budget.committed_sek == before + 40000


@pytest.mark.parametrize("outcome, amount", [("partially_approved", 20000), ("rejected", None)])
def test_reasons_are_mandatory_for_partial_and_reject(case, make_user, outcome, amount):
    handler = officer(make_user)
    services.assign_to_me(case, handler)
    with pytest.raises(services.GrantError, match="skälen"):
        services.decide(case, handler, outcome=outcome, amount_sek=amount, reasons="  ")
    services.decide(case, handler, outcome=outcome, amount_sek=amount,
                    reasons="Budgeten är för hög för målgruppen.")
    assert case.granted_sek == (amount or 0) and case.reasons.startswith("Budgeten")


def test_partial_amount_must_be_below_requested(case, make_user):
    handler = officer(make_user)
    services.assign_to_me(case, handler)
    for amount in (None, 0, 40000, 50000):
        with pytest.raises(services.GrantError):
            services.decide(case, handler, outcome="partially_approved", amount_sek=amount,
                            reasons="Skäl")


def test_above_the_delegation_it_is_a_proposal_confirmed_by_a_second_officer(case, make_user):
    proposer = officer(make_user, limit=10_000)
    services.assign_to_me(case, proposer)
    assert services.decide(case, proposer, outcome="approved", amount_sek=None,
                           reasons="") == "proposed"
    assert case.case.state == "proposed" and case.outcome is None
    # Never the proposer, and not a second officer whose delegation is too low.
    assert not check("grants.confirm", proposer, case.case)
    low = officer(make_user, limit=20_000)
    refused = check("grants.confirm", low, case.case)
    assert not refused and "delegation" in refused.reason
    with pytest.raises(PermissionDenied):
        services.confirm_proposal(case, proposer)
    supervisor = officer(make_user, limit=500_000)
    services.confirm_proposal(case, supervisor)
    # projektbidrag asks for a follow-up report: decided, then the report is due
    assert case.case.state == "follow_up_due" and case.granted_sek == 40000
    assert case.decided_by_id == supervisor.id and case.proposed_by_id == proposer.id


def test_a_returned_proposal_goes_back_to_review(case, make_user):
    proposer = officer(make_user, limit=10_000)
    services.assign_to_me(case, proposer)
    services.decide(case, proposer, outcome="approved", amount_sek=None, reasons="")
    services.return_proposal(case, officer(make_user, limit=500_000), "Räkna om budgeten.")
    assert case.case.state == "in_review" and case.proposed_outcome is None


def test_completion_request_then_the_applicant_resubmits(case, make_user):
    handler = officer(make_user)
    services.assign_to_me(case, handler)
    with pytest.raises(services.GrantError):
        services.request_completion(case, handler, message="Bifoga budget.",
                                    deadline=today_local() - timedelta(days=1))
    services.request_completion(case, handler, message="Bifoga en tydligare budget.",
                                deadline=today_local() + timedelta(days=14))
    assert case.case.state == "needs_completion"
    applicant = case.case.applicant
    assert check("grants.edit", applicant, case)
    services.submit_application(case, applicant)
    assert case.case.state == "submitted"


def test_jav_an_officer_linked_to_the_association_cannot_handle_or_decide(case, make_user):
    from lokapp.associations.models import Association

    handler = officer(make_user)
    association = db.session.get(Association, case.association_id)
    link = AssociationMember(user_id=handler.id, association_id=association.id)
    link.roles.append(AssociationMemberRole(role=AssociationRole.CHAIR))
    db.session.add(link)
    db.session.flush()
    jav = disqualified(handler, association.id)
    assert jav and "jävig" in jav.reason
    refused = check("grants.decide", handler, case.case)
    assert not refused and "jävig" in refused.reason
    with pytest.raises(PermissionDenied):
        services.assign_to_me(case, handler)
    assert not disqualified(officer(make_user), association.id)


def test_the_pot_cannot_be_over_committed(case, make_user, programmes, make_association):
    handler = officer(make_user)
    budget = db.session.scalar(select(GrantBudget).where(
        GrantBudget.programme_id == case.programme_id, GrantBudget.year == case.year))
    budget.committed_sek = budget.amount_sek - 39999
    services.assign_to_me(case, handler)
    with pytest.raises(services.GrantError, match="Budgeten räcker inte"):
        services.decide(case, handler, outcome="approved", amount_sek=None, reasons="")


THREADS = 20


@pytest.mark.slow
def test_twenty_concurrent_decisions_never_over_commit_the_pot(app, committing_db,
                                                              monkeypatch):
    """20 officers decide 20 applications of 40 000 kr at once against a pot of 400 000 kr:
    exactly ten are granted and the pot is exactly used, on SQLite and PostgreSQL."""
    from lokapp.auth.models import User
    from lokapp.grants.models import GrantProgramme
    from lokapp.grants.seed import seed_programmes
    from tests.concurrency import run_at_once
    from tests.factories import new_association, new_user

    monkeypatch.setattr(services, "compute_status",
                        lambda association, on=None: FakeStatus(StatusState.ELIGIBLE))

    with app.test_request_context():
        seed_programmes(today_local().year)
        programme = _project({p.key: p for p in db.session.scalars(select(GrantProgramme))})
        ids, officers = [], []
        for _n in range(THREADS):
            application = submitted(programme, new_user, new_association)
            handler = officer(new_user)
            services.assign_to_me(application, handler)
            ids.append(application.id)
            officers.append(handler.id)
        budget = db.session.scalar(select(GrantBudget).where(
            GrantBudget.programme_id == programme.id, GrantBudget.year == application.year))
        budget.amount_sek, budget.committed_sek = 400_000, 0
        budget_id = budget.id
        db.session.commit()
    db.session.remove()

    def attempt(index: int, start) -> str:
        with app.test_request_context():
            start()  # before any transaction: SQLite's BEGIN IMMEDIATE
            try:
                application = db.session.get(GrantApplication, ids[index])
                handler = db.session.get(User, officers[index])
                services.decide(application, handler, outcome="approved", amount_sek=None,
                                reasons="")
                db.session.commit()
                return "decided"
            except services.GrantError as error:
                return f"refused: {error}"
            finally:
                db.session.remove()  # rolls back what was not committed

    results = run_at_once(THREADS, attempt)
    assert all(r is not None for r in results), results
    assert not [r for r in results if r.startswith("error")], results
    assert results.count("decided") == 10, results
    assert all("Budgeten räcker inte" in r for r in results if r != "decided")
    budget = db.session.get(GrantBudget, budget_id)
    assert budget.committed_sek == 400_000
    granted = db.session.scalars(select(GrantApplication.granted_sek).where(
        GrantApplication.granted_sek.is_not(None))).all()
    assert sum(granted) == 400_000 and len(granted) == 10


def test_the_decision_letter_is_issued_after_commit_with_reasons_and_appeal(
        case, make_user, app):
    from lokapp.core.mail import OutboxMessage
    from lokapp.grants.models import AppealRoute
    from lokapp.letters.models import Letter, LetterKind

    handler = officer(make_user)
    case.programme.appeal_route = AppealRoute.FORVALTNINGSBESVAR
    services.assign_to_me(case, handler)
    services.decide(case, handler, outcome="partially_approved", amount_sek=25000,
                    reasons="Lokalhyran är högre än vad som är rimligt.")
    db.session.commit()
    assert db.session.scalar(select(Letter.id).where(Letter.case_id == case.case_id)) is None
    services.after_decision(case, handler)
    letter = db.session.scalar(select(Letter).where(Letter.case_id == case.case_id))
    assert letter.kind == LetterKind.GRANT_DECISION and letter.pdf.startswith(b"%PDF")
    context = letter.context
    assert context["appeal"] == "forvaltningsbesvar"
    assert context["decision"]["reasons"].startswith("Lokalhyran")
    assert "Delvis beviljad" in context["body_html"] and "25\u00a0000 kronor" in \
        context["body_html"]
    mail = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.subject == letter.title))
    assert mail is not None and case.case.applicant.email in letter.recipients
    services.after_decision(case, handler)  # again: the same letter, nothing new
    assert len(db.session.scalars(select(Letter).where(
        Letter.case_id == case.case_id)).all()) == 1
