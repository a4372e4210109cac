"""The follow-up report (redovisning): the workflow rows, the report becoming due with the
decision, saving and sending the report, accept / completion / recovery (återkrav, with its
letter and stopped payout), and the daily reminders (idempotent, ``--today``)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from lokapp.core.audit import AuditEvent
from lokapp.core.cases import CaseHistory
from lokapp.core.mail import OutboxMessage
from lokapp.core.time import to_local, today_local
from lokapp.core.workflow import PermissionDenied, TransitionNotAllowed, can_act
from lokapp.extensions import db
from lokapp.grants import follow_up, services
from lokapp.grants.models import BudgetLineKind, GrantPayout, PayoutState
from lokapp.grants.payouts import blocked_reasons
from lokapp.grants.workflow import WORKFLOW, State
from tests.grants.test_decisions import _project, officer, status, submitted  # noqa: F401

# --- the table -------------------------------------------------------------------------------

FOLLOW_UP_ROWS = {
    ("decided", "require_report"): "follow_up_due",
    ("follow_up_due", "submit_report"): "follow_up_submitted",
    ("follow_up_submitted", "accept_report"): "closed",
    ("follow_up_submitted", "request_report_completion"): "follow_up_due",
    ("follow_up_due", "open_recovery"): "recovery",
    ("follow_up_submitted", "open_recovery"): "recovery",
}


@pytest.mark.parametrize("source, action", list(FOLLOW_UP_ROWS))
def test_the_table_has_the_follow_up_rows(source, action):
    transition = WORKFLOW.find(action, source)
    assert transition is not None and str(transition.target) == FOLLOW_UP_ROWS[(source, action)]


def test_decided_stays_the_decision_state_and_the_ends_are_final():
    assert WORKFLOW.decision_states == {"decided"}
    assert {"decided", "closed", "recovery", "withdrawn"} == set(WORKFLOW.final_states)
    open_values = {s.value for s in WORKFLOW.open_states}
    assert {"follow_up_due", "follow_up_submitted"} <= open_values
    # Nothing but the system makes a report due; nothing leaves the ends.
    assert WORKFLOW.find("require_report", "decided").permission.__name__ == "system_only"
    for end in ("closed", "recovery"):
        assert WORKFLOW.transitions_from(end) == []
    for row in ("request_report_completion", "open_recovery"):
        assert WORKFLOW.find(row, "follow_up_submitted").requires_note


# --- fixtures --------------------------------------------------------------------------------

def _decide(application, handler, outcome="approved", amount=None, reasons=""):
    services.assign_to_me(application, handler)
    services.decide(application, handler, outcome=outcome, amount_sek=amount, reasons=reasons)


@pytest.fixture
def handler(make_user):
    return officer(make_user)


@pytest.fixture
def granted(programmes, make_user, make_association, status, handler):  # noqa: F811
    application = submitted(_project(programmes), make_user, make_association)
    _decide(application, handler)
    return application


def _report(application, user=None, **changes):
    data = follow_up.ReportData(
        summary="Vi höll ett läger för 30 barn i Bäckby.",
        participants={("7-12", "woman"): 12, ("7-12", "man"): 14, ("13-20", "other"): 4},
        lines=[follow_up.LineData(BudgetLineKind.COST, "Lägerplats", 28000),
               follow_up.LineData(BudgetLineKind.INCOME, "Avgifter", 3000)])
    for key, value in changes.items():
        setattr(data, key, value)
    follow_up.save_report(application.follow_up, data, user or application.case.applicant)
    return application.follow_up


def _mails(template_part: str) -> list[OutboxMessage]:
    return [m for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
            if template_part in m.subject]


# --- due with the decision ---------------------------------------------------------------------

def test_a_grant_on_a_programme_with_follow_up_makes_the_report_due(granted):
    case = granted.case
    assert case.state == "follow_up_due"
    row = granted.follow_up
    decided_on = to_local(case.decided_at).date()
    assert row.due_on == decided_on + timedelta(days=granted.programme.follow_up_days)
    history = db.session.scalars(select(CaseHistory).where(CaseHistory.case_id == case.id)
                                 .order_by(CaseHistory.id)).all()
    assert [h.action for h in history][-2:] == ["decide", "require_report"]
    assert history[-1].actor_id is None and row.due_on.isoformat() in history[-1].note
    # The decision's time is still the decision's (the median handling time reads it).
    assert history[-2].occurred_at == case.decided_at


def test_a_rejection_or_a_programme_without_follow_up_stays_decided(
        programmes, make_user, make_association, status, handler):  # noqa: F811
    rejected = submitted(_project(programmes), make_user, make_association)
    _decide(rejected, handler, "rejected", reasons="Projektet ligger utanför reglerna.")
    assert rejected.case.state == "decided" and rejected.follow_up is None
    programme = _project(programmes)
    programme.follow_up_required, programme.follow_up_days = False, None
    plain = submitted(programme, make_user, make_association)
    _decide(plain, handler)
    assert plain.case.state == "decided" and plain.follow_up is None


# --- the report ---------------------------------------------------------------------------------

def test_the_report_is_saved_structured_and_sent_with_a_receipt(granted):
    row = _report(granted)
    assert granted.case.state == "follow_up_due" and row.submitted_at is None
    assert row.participant_counts() == {("7-12", "woman"): 12, ("7-12", "man"): 14,
                                        ("13-20", "other"): 4}
    assert row.participants_total == 30 and row.costs_sek() == 28000
    assert row.income_sek() == 3000
    follow_up.submit_report(row, granted.case.applicant)
    assert granted.case.state == "follow_up_submitted" and row.submitted_at is not None
    receipt = _mails("Vi har tagit emot redovisningen")[-1]
    assert receipt.recipients == [granted.case.applicant.email]
    assert "28\u00a0000" in receipt.body_text and "30" in receipt.body_text
    told = _mails("Redovisning inkommen")[-1]
    assert told.recipients == [granted.case.assigned_officer.email]
    assert f"/bidrag/handlaggning/{granted.id}/redovisning" in told.body_text
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "grant_follow_up.submitted")) == 1
    with pytest.raises(follow_up.FollowUpError):
        _report(granted)  # a sent report is not changed


def test_a_report_sent_meanwhile_by_a_colleague_is_not_changed(granted):
    """Two representatives at once: the report was sent (the row says so in the database)
    while this session still holds the case as due; saving or attaching must not change the
    sent report."""
    from lokapp.core.cases import Case

    row = _report(granted)
    db.session.execute(update(Case).where(Case.id == granted.case_id)
                       .values(state="follow_up_submitted")
                       .execution_options(synchronize_session=False))
    assert granted.case.state == "follow_up_due"  # what this session still believes
    with pytest.raises(follow_up.FollowUpError):
        _report(granted, summary="Ändrad efter inskickandet.")
    assert row.summary == "Vi höll ett läger för 30 barn i Bäckby."


def test_an_incomplete_report_is_refused_with_what_is_missing(granted):
    row = _report(granted, summary="  ", participants={}, lines=[
        follow_up.LineData(BudgetLineKind.INCOME, "Avgifter", 3000)])
    with pytest.raises(follow_up.IncompleteReport) as refused:
        follow_up.submit_report(row, granted.case.applicant)
    assert len(refused.value.missing) == 3
    assert granted.case.state == "follow_up_due"


def test_only_the_associations_applicant_may_send_the_report(granted, make_user, handler):
    row = _report(granted)
    with pytest.raises(PermissionDenied):
        follow_up.submit_report(row, make_user())
    with pytest.raises(PermissionDenied):
        follow_up.submit_report(row, handler)


# --- the officer ---------------------------------------------------------------------------------

@pytest.fixture
def reported(granted):
    row = _report(granted)
    follow_up.submit_report(row, granted.case.applicant)
    return granted


def test_accepting_closes_the_case_with_a_mail(reported, handler):
    follow_up.accept_report(reported.follow_up, handler, "Tack, bra redovisat.")
    assert reported.case.state == "closed" and reported.follow_up.accepted_by_id == handler.id
    mail = _mails("är godkänd")[-1]
    assert "Tack, bra redovisat." in mail.body_text


def test_completion_sends_it_back_with_a_new_due_date(reported, handler):
    deadline = today_local() + timedelta(days=20)
    with pytest.raises(follow_up.FollowUpError):
        follow_up.request_report_completion(reported.follow_up, handler, message="Kvitton.",
                                            deadline=today_local())
    # The same rule as a completion of the application: at most 90 days ahead.
    with pytest.raises(follow_up.FollowUpError, match="högst 90 dagar"):
        follow_up.request_report_completion(reported.follow_up, handler, message="Kvitton.",
                                            deadline=today_local() + timedelta(days=91))
    follow_up.request_report_completion(reported.follow_up, handler,
                                        message="Bifoga kvitton för lägerplatsen.",
                                        deadline=deadline)
    row = reported.follow_up
    assert reported.case.state == "follow_up_due" and row.due_on == deadline
    assert row.completion_message == "Bifoga kvitton för lägerplatsen."
    mail = _mails("Komplettera redovisningen")[-1]
    assert "Bifoga kvitton" in mail.body_text and deadline.isoformat() in mail.body_text
    # The association changes it and sends it again.
    _report(reported, summary="Med kvitton.")
    follow_up.submit_report(row, reported.case.applicant)
    assert reported.case.state == "follow_up_submitted"


def test_a_disqualified_or_other_area_officer_is_refused(reported, make_user):
    from lokapp.auth.models import AssociationMember

    jav = officer(make_user)
    db.session.add(AssociationMember(user_id=jav.id, association_id=reported.association_id))
    db.session.flush()
    decision = can_act(jav, reported.case, "accept_report")
    assert not decision and "jävig" in decision.reason
    with pytest.raises(PermissionDenied):
        follow_up.accept_report(reported.follow_up, jav)
    register_officer = make_user("officer", areas=("register",))
    with pytest.raises(PermissionDenied):
        follow_up.open_recovery(reported.follow_up, register_officer, amount_sek=1000,
                                reasons="Skäl")


@pytest.mark.parametrize("amount, reasons, message", [
    (None, "Skäl", "hur mycket"), (0, "Skäl", "hur mycket"),
    (40001, "Skäl", "större än det beviljade"), (1000, "  ", "skälen")])
def test_recovery_needs_an_amount_up_to_the_grant_and_reasons(reported, handler, amount,
                                                               reasons, message):
    with pytest.raises(follow_up.FollowUpError, match=message):
        follow_up.open_recovery(reported.follow_up, handler, amount_sek=amount,
                                reasons=reasons)
    assert reported.case.state == "follow_up_submitted"


def test_recovery_issues_its_letter_and_stops_the_payout(reported, handler):
    from lokapp.letters.models import Letter, LetterKind

    payout = db.session.scalar(select(GrantPayout).where(
        GrantPayout.application_id == reported.id))
    assert payout.state == PayoutState.PENDING
    follow_up.open_recovery(reported.follow_up, handler, amount_sek=15000,
                            reasons="Lägret genomfördes inte som det beskrevs i ansökan.")
    assert reported.case.state == "recovery"
    assert reported.follow_up.recovered_sek == 15000
    letter = db.session.scalar(select(Letter).where(Letter.case_id == reported.case_id,
                                                    Letter.kind == LetterKind.GRANT_RECOVERY))
    assert letter is not None and letter.pdf.startswith(b"%PDF")
    context = letter.context
    assert "Lägret genomfördes inte" in context["decision"]["reasons"]
    assert context["appeal"] == reported.programme.appeal_route.value
    assert any("15\u00a0000" in line["new"] for line in context["changes"])
    assert "återkrav" in letter.title.lower()
    sent = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.subject == letter.title)).all()
    assert sent and sent[0].recipients == [reported.case.applicant.email]
    # The pending payout line is stopped, with the reason.
    assert any("återkrav" in r for r in blocked_reasons([payout])[payout.id])
    with pytest.raises(TransitionNotAllowed):
        follow_up.accept_report(reported.follow_up, handler)


def test_recovery_is_possible_when_no_report_comes(granted, handler):
    follow_up.open_recovery(granted.follow_up, handler, amount_sek=40000,
                            reasons="Ingen redovisning har kommit in trots påminnelser.")
    assert granted.case.state == "recovery"


def test_the_decision_letter_still_names_the_decider_after_the_report_is_due(
        granted, handler):
    from lokapp.letters.models import LetterKind
    from lokapp.letters.services import issue_letter

    letter = issue_letter(granted.case, LetterKind.GRANT_DECISION, actor=handler)
    assert letter.context["decided_by"]["name"] == handler.name
    assert any(line["label"] == "Redovisning" for line in letter.context["changes"])


def test_transparency_counts_decisions_in_the_follow_up_states(granted):
    from lokapp.grants import queries

    rows = db.session.execute(queries.granted_in(granted.programme_id, granted.year)).all()
    assert granted.granted_sek in [r.granted_sek for r in rows]
    times = db.session.execute(queries.handling_times(granted.programme_id,
                                                      granted.year)).all()
    assert len(times) >= 1


# --- reminders --------------------------------------------------------------------------------

def _reminders(day):
    return follow_up.send_reminders(day)


def test_reminders_before_and_overdue_each_once(granted):
    due = granted.follow_up.due_on
    number = granted.case.number
    assert number not in _reminders(due - timedelta(days=15)).before
    first = _reminders(due - timedelta(days=14))
    assert number in first.before
    assert number not in _reminders(due - timedelta(days=10)).before   # never twice
    assert number not in _reminders(due).before
    late = _reminders(due + timedelta(days=1))
    assert number in late.overdue
    assert number not in _reminders(due + timedelta(days=2)).overdue
    subjects = [m.subject for m in db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.related_id == str(granted.case_id)))]
    assert sum("Påminnelse: redovisningen" in s for s in subjects) == 1
    assert sum("är försenad" in s for s in subjects) == 1


def test_no_reminder_once_the_report_is_sent(granted):
    row = _report(granted)
    follow_up.submit_report(row, granted.case.applicant)
    assert granted.case.number not in _reminders(row.due_on + timedelta(days=3)).overdue


def test_a_new_due_date_gets_its_own_reminders(reported, handler):
    row = reported.follow_up
    _reminders(row.due_on - timedelta(days=1))  # nothing: the report is in
    deadline = today_local() + timedelta(days=30)
    follow_up.request_report_completion(row, handler, message="Mer.", deadline=deadline)
    assert reported.case.number in _reminders(deadline - timedelta(days=14)).before


def test_the_grants_remind_command_takes_today_and_is_idempotent(app, granted):
    runner = app.test_cli_runner()
    day = (granted.follow_up.due_on - timedelta(days=3)).isoformat()
    result = runner.invoke(args=["lok", "grants-remind", "--today", day])
    assert result.exit_code == 0, result.output
    assert "1 påminnelser före sista dag" in result.output
    assert granted.case.number in result.output
    again = runner.invoke(args=["lok", "grants-remind", "--today", day])
    assert "0 påminnelser före sista dag" in again.output
    bad = runner.invoke(args=["lok", "grants-remind", "--today", "31-12-2026"])
    assert bad.exit_code != 0 and "ÅÅÅÅ-MM-DD" in bad.output


def test_state_labels_are_swedish():
    assert str(State.FOLLOW_UP_DUE.label) == "Redovisning ska lämnas"
    assert str(State.RECOVERY.label) == "Återkrav"


def test_the_casework_queue_keeps_a_due_report_open_and_a_closed_one_out(reported, handler):
    from lokapp.casework.queries import Filters, queue

    def open_numbers():
        rows = db.session.execute(queue(Filters(), ("grant_application",), handler.id)).all()
        return {row.number for row in rows}

    assert reported.case.number in open_numbers()  # follow_up_submitted: the officer's turn
    follow_up.accept_report(reported.follow_up, handler)
    assert reported.case.number not in open_numbers()  # closed is final
