"""Two representatives of one association at once: one submits the application while the
other's request, which loaded it as a draft, saves a step. Every step's service re-reads the
case under a row lock, so nothing changes after the submission."""
from __future__ import annotations

import pytest
from sqlalchemy import select, update

from lokapp.core.cases import Case
from lokapp.extensions import db
from lokapp.grants import formulas, services
from lokapp.grants.models import WindowKind
from tests.grants.test_applications import member
from tests.grants.test_decisions import status  # noqa: F401 - a fixture


def _submitted_meanwhile(application) -> None:
    db.session.execute(update(Case).where(Case.id == application.case_id)
                       .values(state="submitted")
                       .execution_options(synchronize_session=False))
    assert application.case.state == "draft"  # what the other request still believes


@pytest.fixture
def rent_draft(programmes, make_user, make_association, status):  # noqa: F811
    programme = programmes["lokalbidrag"]
    programme.window_kind, programme.opens_on, programme.closes_on = WindowKind.ROLLING, None, None
    association = make_association()
    user = member(make_user, association)
    return services.start_application(programme, association, user), user


def test_a_formula_step_is_not_saved_after_a_colleagues_submission(rent_draft):
    application, user = rent_draft
    _submitted_meanwhile(application)
    with pytest.raises(services.GrantError, match="inskickad"):
        formulas.save_premises(application, premises=[
            formulas.Premises("Hallen", "Kopparlunden 2", 40_000)], user=user)
    assert application.rented_premises == []


def test_the_questions_are_not_saved_after_a_colleagues_submission(rent_draft):
    application, user = rent_draft
    question = application.programme.questions[0]
    _submitted_meanwhile(application)
    with pytest.raises(services.GrantError, match="inskickad"):
        services.save_answers(application, {question.id: "Ändrat efteråt."}, user)
    assert str(question.id) not in (application.answers or {})


def test_submit_checks_and_snapshots_what_a_colleague_saved_meanwhile(
        programmes, make_user, make_association, status):  # noqa: F811
    """The other way round: a colleague saved the budget while this request, which loaded the
    draft before, submits – the receipt and the audit name the amount as saved."""
    from lokapp.core.audit import AuditEvent
    from lokapp.grants.models import GrantApplication, GrantBudgetLine
    from tests.grants.test_applications import _answer_all, _budget
    from tests.grants.test_decisions import _project

    association = make_association()
    user = member(make_user, association)
    application = services.start_application(_project(programmes), association, user)
    _answer_all(application, user)
    _budget(application, user)  # 40 000 kr
    db.session.flush()
    assert application.requested_sek == 40_000 and application.budget_lines
    # The colleague's save, committed in the database after this request read the draft.
    line = application.budget_lines[0]
    db.session.execute(update(GrantBudgetLine).where(GrantBudgetLine.id == line.id)
                       .values(amount_sek=line.amount_sek - 10_000)
                       .execution_options(synchronize_session=False))
    db.session.execute(update(GrantApplication).where(GrantApplication.id == application.id)
                       .values(requested_sek=30_000)
                       .execution_options(synchronize_session=False))
    assert application.requested_sek == 40_000  # what this request still believes
    services.submit_application(application, user)
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "grant_application.submitted")).one()
    assert event.details["requested_sek"] == 30_000
    assert application.requested_sek == 30_000
