"""Applications: drafts, budget, what is missing at submit, snapshot, receipt, copy, access."""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from lokapp.associations.status import StatusState
from lokapp.auth.models import AssociationMember, AssociationMemberRole, AssociationRole
from lokapp.core.mail import OutboxMessage
from lokapp.extensions import db
from lokapp.grants import participants, services
from lokapp.grants.models import BudgetLineKind, WindowKind


@dataclass
class FakeStatus:
    state: StatusState
    missing: tuple = ()

    @property
    def is_eligible(self):
        return self.state is StatusState.ELIGIBLE

    @property
    def label(self):
        return self.state.label


def member(make_user, association, role="administrator"):
    user = make_user()
    link = AssociationMember(user_id=user.id, association_id=association.id)
    link.roles.append(AssociationMemberRole(role=AssociationRole(role)))
    db.session.add(link)
    db.session.flush()
    return user


def _project(programmes):
    programme = programmes["projektbidrag"]
    programme.window_kind, programme.opens_on, programme.closes_on = WindowKind.ROLLING, None, None
    programme.required_attachments = []
    return programme


def _answer_all(application, user):
    answers = {q.id: "Ja" if q.kind.value == "yes_no" else
               ("2026-05-01" if q.kind.value == "date" else "Ett svar")
               for q in application.programme.questions}
    services.save_answers(application, answers, user)
    if application.programme.asks_participants:  # the step "Deltagare" (projektbidrag)
        participants.save_participants(application, EXPECTED, user)


# Expected participants for the programmes that ask (15 in all).
EXPECTED = {("13-20", "woman"): 8, ("13-20", "man"): 6, ("21-25", "other"): 1}


def _budget(application, user):
    return services.save_budget(application, lines=[
        services.BudgetLineData(BudgetLineKind.COST, "Lokalhyra", 30000),
        services.BudgetLineData(BudgetLineKind.COST, "Ledare", 20000),
        services.BudgetLineData(BudgetLineKind.INCOME, "Deltagaravgifter", 5000),
    ], own_contribution_sek=5000, requested_sek=None, user=user)


def test_draft_has_no_number_and_budget_gives_requested(programmes, applicant, status):
    user, association = applicant
    application = services.start_application(_project(programmes), association, user)
    assert application.case.state == "draft" and application.case.number is None
    assert _budget(application, user) == 40000  # 50 000 − 5 000 − 5 000


def test_budget_where_income_exceeds_costs_is_refused(programmes, applicant, status):
    user, association = applicant
    application = services.start_application(_project(programmes), association, user)
    with pytest.raises(services.GrantError, match="inget att söka"):
        services.save_budget(application, lines=[
            services.BudgetLineData(BudgetLineKind.COST, "Hyra", 1000)],
            own_contribution_sek=2000, requested_sek=None, user=user)


def test_submit_lists_everything_missing(programmes, applicant, status):
    user, association = applicant
    programme = programmes["projektbidrag"]
    programme.window_kind, programme.opens_on, programme.closes_on = WindowKind.ROLLING, None, None
    status["status"] = FakeStatus(StatusState.REGISTERED, ("LÖK:en är inte undertecknad",))
    application = services.start_application(programme, association, user)
    with pytest.raises(services.IncompleteApplication) as refused:
        services.submit_application(application, user)
    missing = refused.value.missing
    assert "LÖK:en är inte undertecknad" in missing
    assert any("bidragsberättigad" in m for m in missing)
    assert "Frågan ”Projektets namn” är inte besvarad." in missing
    assert "Bilagan ”Projektplan” saknas." in missing
    assert any("budgeten" in m for m in missing)
    assert application.case.number is None


def test_closed_window_and_max_amount_are_missing(programmes, applicant, status):
    user, association = applicant
    programme = programmes["projektbidrag"]  # open 2026-02-01 – 2026-10-31
    application = services.start_application(programme, association, user)
    application.requested_sek = 250_000
    from datetime import date

    missing = services.missing_for_submit(application, on=date(2026, 11, 1))
    assert "Ansökningstiden gick ut 2026-10-31." in missing
    assert any("högsta belopp är 200\u00a0000 kronor" in m for m in missing)


def test_submit_numbers_snapshots_and_mails_a_receipt(programmes, applicant, status):
    user, association = applicant
    application = services.start_application(_project(programmes), association, user)
    _answer_all(application, user)
    _budget(application, user)
    services.submit_application(application, user)
    assert application.case.number.startswith("LOK ") and application.case.state == "submitted"
    assert application.snapshot["category"] == association.category.key
    assert "member_counts" in application.snapshot
    receipts = [m for m in db.session.scalars(select(OutboxMessage))
                if m.recipients == [user.email] and application.case.number in m.subject]
    assert len(receipts) == 1


def test_copy_last_years_application(programmes, applicant, status):
    user, association = applicant
    programme = _project(programmes)
    first = services.start_application(programme, association, user)
    _answer_all(first, user)
    _budget(first, user)
    services.submit_application(first, user)
    copy = services.start_application(programme, association, user, copy_previous=True)
    assert copy.copied_from_id == first.id and copy.answers == first.answers
    assert [(x.description, x.amount_sek) for x in copy.budget_lines] == \
        [("Lokalhyra", 30000), ("Ledare", 20000), ("Deltagaravgifter", 5000)]
    assert copy.requested_sek == 40000 and copy.case.number is None


def test_withdraw(programmes, applicant, status):
    user, association = applicant
    application = services.start_application(_project(programmes), association, user)
    _answer_all(application, user)
    _budget(application, user)
    services.submit_application(application, user)
    services.withdraw_application(application, user)
    assert application.case.state == "withdrawn"


def test_a_cannot_see_bs_application_and_officers_need_the_grants_area(
        client, login_as, make_user, make_association, programmes, applicant, status):
    user, association = applicant
    application = services.start_application(_project(programmes), association, user)
    _answer_all(application, user)
    _budget(application, user)
    services.submit_application(application, user)
    db.session.commit()
    url = f"/bidrag/ansokningar/{application.id}"

    other = member(make_user, make_association())
    login_as(user=other)
    assert client.get(url).status_code == 403
    login_as("officer", areas=("register",))
    assert client.get(url).status_code == 403
    login_as("officer", areas=("grants",))
    assert client.get(url).status_code == 200
    login_as(user=user)
    page = client.get(url).get_data(as_text=True)
    assert application.case.number in page and "Lokalhyra" in page


def test_officers_do_not_see_drafts(client, login_as, programmes, applicant, status):
    user, association = applicant
    application = services.start_application(_project(programmes), association, user)
    db.session.commit()
    login_as("officer", areas=("grants",))
    assert client.get(f"/bidrag/ansokningar/{application.id}").status_code == 403


def test_treasurer_may_apply_but_a_booking_manager_may_not(make_user, make_association):
    from lokapp.core.permissions import check

    association = make_association()
    assert check("grants.apply_for", member(make_user, association, "treasurer"), association)
    refused = check("grants.apply_for", member(make_user, association, "booking_manager"),
                    association)
    assert not refused and "bidragsansvarig" in refused.reason
