"""``flask lok remind-deadlines``: the applicant is reminded 3 days before a completion
deadline, the assigned officer is told when it has passed – each once, whatever the number of
runs, and by Stockholm calendar days across the March and October daylight-saving weeks."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from lokapp.casework.reminders import _claim, send_deadline_reminders
from lokapp.core.cases import Case, assign_number
from lokapp.core.completions import CompletionRequest
from lokapp.core.mail import OutboxMessage
from lokapp.extensions import db as _db
from tests.grants.conftest import programmes  # noqa: F401 - a fixture
from tests.grants.test_decisions import status  # noqa: F401 - a fixture

ASKED = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def waiting(db, make_user, make_association):
    """A registration waiting for completion by ``deadline``, with applicant and officer."""

    def _make(deadline: date, *, requested_at: datetime = ASKED, officer=True,
              case_type="registration", state="needs_completion"):
        association = make_association()
        applicant = make_user(name="Sökande Person")
        handler = make_user("officer", areas=("register",), name="Handläggare Person") \
            if officer else None
        case = Case(case_type=case_type, subject=f"Registrering av {association.name}",
                    state=state, association_id=association.id, applicant_id=applicant.id,
                    assigned_officer_id=handler.id if handler else None,
                    submitted_at=requested_at)
        db.session.add(case)
        assign_number(case)
        db.session.flush()
        db.session.add(CompletionRequest(case_id=case.id, message="Bifoga stadgarna.",
                                         deadline=deadline, requested_at=requested_at))
        db.session.flush()
        return case

    return _make


def outbox() -> list[OutboxMessage]:
    return _db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def _run(app, day: str):
    result = app.test_cli_runner().invoke(args=["lok", "remind-deadlines", "--today", day])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize(("deadline", "quiet_before", "remind_on", "overdue_on"), [
    # Spring: summer time starts on Sunday 29 March 2026.
    (date(2026, 3, 31), "2026-03-27", "2026-03-28", "2026-04-01"),
    # Autumn: summer time ends on Sunday 25 October 2026.
    (date(2026, 10, 27), "2026-10-23", "2026-10-24", "2026-10-28"),
])
def test_each_reminder_once_across_the_dst_week(app, db, waiting, deadline, quiet_before,
                                                remind_on, overdue_on):
    case = waiting(deadline)
    assert "0 påminnelser" in _run(app, quiet_before)
    assert outbox() == []
    output = _run(app, remind_on)
    assert f"påminnelse: {case.number}" in output
    [mail] = outbox()
    assert mail.recipients == [case.applicant.email]
    assert mail.subject == (f"Påminnelse: komplettera ärende {case.number} senast "
                            f"{deadline.isoformat()}")
    assert "Det är 3 dagar kvar" in mail.body_text and "Bifoga stadgarna." in mail.body_text
    assert f"/forening/registreringar/{case.id}/komplettera" in mail.body_text
    # Every day of the DST week up to the deadline: nothing new, also when run twice.
    day = date.fromisoformat(remind_on)
    while day <= deadline:
        _run(app, day.isoformat())
        _run(app, day.isoformat())
        day = date.fromordinal(day.toordinal() + 1)
    assert len(outbox()) == 1
    output = _run(app, overdue_on)
    assert f"frist passerad: {case.number}" in output
    notice = outbox()[-1]
    assert notice.recipients == [case.assigned_officer.email]
    assert notice.subject == f"Fristen för komplettering har passerat: {case.number}"
    assert f"gick ut {deadline.isoformat()}" in notice.body_text
    assert f"/handlaggning/foreningsregister/{case.id}" in notice.body_text
    _run(app, overdue_on)
    _run(app, "2026-12-31")
    assert len(outbox()) == 2
    request = db.session.scalar(select(CompletionRequest))
    assert request.reminded_at is not None and request.overdue_notified_at is not None


@pytest.mark.parametrize(("requested_at", "reminded"), [
    # 00:30 on 25 March in Stockholm – 3 days before the deadline: the request is recent.
    (datetime(2026, 3, 24, 23, 30, tzinfo=UTC), False),
    # 23:30 on 24 March in Stockholm: earlier than the reminder day, so reminded.
    (datetime(2026, 3, 24, 22, 30, tzinfo=UTC), True),
])
def test_a_request_made_close_to_the_deadline_needs_no_reminder(db, waiting, requested_at,
                                                                 reminded):
    waiting(date(2026, 3, 28), requested_at=requested_at)
    sent = [send_deadline_reminders(date(2026, 3, d)).reminded for d in (25, 26, 27, 28)]
    assert bool(sum(sent, [])) is reminded


def test_a_missed_day_is_caught_up_before_the_deadline(db, waiting):
    case = waiting(date(2026, 4, 20))
    report = send_deadline_reminders(date(2026, 4, 19))
    assert report.reminded == [case.number]
    assert "Det är 1 dag kvar" in outbox()[0].body_text
    assert send_deadline_reminders(date(2026, 4, 20)).reminded == []
    case2 = waiting(date(2026, 4, 25))
    assert send_deadline_reminders(date(2026, 4, 25)).reminded == [case2.number]
    [last] = [m for m in outbox() if case2.number in m.subject]
    assert "I dag är sista dagen" in last.body_text


def test_nothing_for_answered_requests_or_cases_that_moved_on(db, waiting):
    answered = waiting(date(2026, 5, 10))
    db.session.execute(CompletionRequest.__table__.update().where(
        CompletionRequest.case_id == answered.id).values(
        answered_at=datetime(2026, 5, 1, tzinfo=UTC)))
    waiting(date(2026, 5, 10), state="rejected")
    for day in (7, 8, 11, 12):
        report = send_deadline_reminders(date(2026, 5, day))
        assert report.reminded == [] and report.overdue == []
    assert outbox() == []


def test_an_unassigned_case_is_listed_and_its_officer_told_once_assigned(app, db, waiting,
                                                                          make_user):
    case = waiting(date(2026, 6, 1), officer=False)
    output = _run(app, "2026-06-02")
    assert f"ingen handläggare: {case.number}" in output
    assert [m.subject for m in outbox()] == []
    handler = make_user("officer", areas=("register",))
    case.assigned_officer_id = handler.id
    db.session.commit()
    _run(app, "2026-06-03")
    assert [m.recipients for m in outbox()] == [[handler.email]]


def test_grant_applications_are_reminded_with_their_own_links(
        db, programmes, make_user, make_association, status):  # noqa: F811
    from lokapp.core.time import today_local
    from lokapp.grants import services
    from tests.grants.test_decisions import _project, officer, submitted

    application = submitted(_project(programmes), make_user, make_association)
    handler = officer(make_user)
    services.assign_to_me(application, handler)
    deadline = date.fromordinal(today_local().toordinal() + 10)
    services.request_completion(application, handler, message="Bifoga budgeten.",
                                deadline=deadline)
    before = len(outbox())
    report = send_deadline_reminders(date.fromordinal(deadline.toordinal() - 3))
    assert report.reminded == [application.case.number]
    assert f"/bidrag/ansokningar/{application.id}" in outbox()[before].body_text
    report = send_deadline_reminders(date.fromordinal(deadline.toordinal() + 1))
    assert report.overdue == [application.case.number]
    assert outbox()[-1].recipients == [handler.email]
    assert f"/bidrag/handlaggning/{application.id}" in outbox()[-1].body_text
    assert "Bidragsansökan" in outbox()[-1].body_text


def test_claiming_is_atomic(db, waiting):
    waiting(date(2026, 7, 1))
    request = db.session.scalar(select(CompletionRequest))
    assert _claim(request.id, CompletionRequest.reminded_at) is True
    assert _claim(request.id, CompletionRequest.reminded_at) is False
    assert _claim(request.id, CompletionRequest.overdue_notified_at) is True


def test_a_bad_date_is_refused(app, db):
    result = app.test_cli_runner().invoke(args=["lok", "remind-deadlines", "--today", "1 april"])
    assert result.exit_code != 0 and "ÅÅÅÅ-MM-DD" in result.output


@pytest.mark.slow
def test_runs_at_the_same_time_send_each_reminder_once(app, committing_db):
    """Four runs of the same day at once (two cron hosts, a manual catch-up …): every
    reminder leaves once, on SQLite and PostgreSQL."""
    from lokapp.associations.models import RegisterState
    from tests.concurrency import run_at_once
    from tests.factories import new_association, new_user

    runs, cases = 4, 3
    with app.test_request_context():
        for n in range(cases):
            applicant = new_user()
            association = new_association(register_state=RegisterState.PENDING,
                                          registered_at=None)
            case = Case(case_type="registration", subject=f"Registrering {n}",
                        state="needs_completion", association_id=association.id,
                        applicant_id=applicant.id, submitted_at=ASKED)
            _db.session.add(case)
            assign_number(case)
            _db.session.flush()
            _db.session.add(CompletionRequest(case_id=case.id, message="Mer.",
                                              deadline=date(2026, 9, 10), requested_at=ASKED))
        _db.session.commit()
    _db.session.remove()

    def run(_index: int, start) -> list:
        with app.test_request_context():
            start()
            try:
                reminded = send_deadline_reminders(date(2026, 9, 7)).reminded
                _db.session.commit()
                return reminded
            finally:
                _db.session.remove()  # rolls back what was not committed

    results = run_at_once(runs, run, timeout=120)
    assert not [r for r in results if not isinstance(r, list)], results
    assert sum(len(r) for r in results) == cases, results
    with app.test_request_context():
        reminders = _db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.subject.like("Påminnelse: komplettera ärende%"))).all()
        assert len(reminders) == cases
        assert len({tuple(m.recipients) for m in reminders}) == cases
