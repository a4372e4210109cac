"""``flask lok remind``: reminders before and after the due date, each sent once."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from lokapp.associations.models import (
    AnnualUpdate,
    AnnualUpdateReminder,
    RegisterState,
    ReminderKind,
)
from lokapp.associations.services import _claim_reminder, reminder_kind, send_reminders
from lokapp.core.mail import OutboxMessage
from lokapp.extensions import db
from tests.associations.register_helpers import add_member, numbered_case, person

LONG_AGO = datetime(2021, 5, 1, tzinfo=UTC)


@pytest.fixture
def association(db, make_association):
    association = make_association(name="Vallby Scoutkår", registered_at=LONG_AGO,
                                   email="info@scout.example.se")
    add_member(association, person(email="admin@scout.example.se"), "administrator")
    add_member(association, person(email="chair@scout.example.se"), "chair", "contact")
    add_member(association, person(email="kassor@scout.example.se"), "treasurer")
    return association


def outbox() -> list[OutboxMessage]:
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


@pytest.mark.parametrize(("today", "kind"), [
    (date(2026, 3, 30), None),
    (date(2026, 3, 31), ReminderKind.BEFORE),   # 30 days before the due date
    (date(2026, 4, 30), ReminderKind.BEFORE),   # the due date itself
    (date(2026, 5, 1), ReminderKind.OVERDUE),
    (date(2026, 6, 29), ReminderKind.OVERDUE),  # last day of the grace period
    (date(2026, 6, 30), ReminderKind.BLOCKED),
    (date(2026, 12, 31), ReminderKind.BLOCKED),
    (date(2027, 1, 1), None),
])
def test_which_reminder_is_due(db, today, kind):
    from lokapp.associations.models import RegisterSettings

    settings = db.session.scalar(select(RegisterSettings))
    assert reminder_kind(today, settings) is kind


def test_before_the_due_date_to_administrator_chair_and_contact(db, association):
    report = send_reminders(date(2026, 4, 1))
    assert report.kind is ReminderKind.BEFORE
    assert report.sent == [(association.id, "Vallby Scoutkår")]
    [mail] = outbox()
    assert mail.recipients == ["admin@scout.example.se", "chair@scout.example.se"]
    assert "Påminnelse: årlig uppdatering 2026 för Vallby Scoutkår" == mail.subject
    assert "senast 2026-04-30" in mail.body_text
    assert f"/forening/{association.id}/arlig-uppdatering" in mail.body_text


def test_running_twice_sends_nothing_twice(db, association):
    send_reminders(date(2026, 4, 1))
    again = send_reminders(date(2026, 4, 1))
    next_day = send_reminders(date(2026, 4, 2))
    assert again.sent == [] and next_day.sent == []
    assert len(outbox()) == 1
    assert db.session.scalars(select(AnnualUpdateReminder)).all()[0].kind == ReminderKind.BEFORE


def test_each_kind_once(db, association):
    for day in (date(2026, 4, 1), date(2026, 4, 20), date(2026, 5, 2), date(2026, 5, 20),
                date(2026, 7, 1), date(2026, 8, 1)):
        send_reminders(day)
    subjects = [m.subject for m in outbox()]
    assert subjects == [
        "Påminnelse: årlig uppdatering 2026 för Vallby Scoutkår",
        "Årlig uppdatering 2026 för Vallby Scoutkår är försenad",
        "Vallby Scoutkår är spärrad – årlig uppdatering 2026 saknas",
    ]
    assert "Från och med 2026-06-30" in outbox()[1].body_text
    # A new year starts over.
    send_reminders(date(2027, 4, 1))
    assert len(outbox()) == 4


@pytest.mark.parametrize(("state", "reminded"), [
    ("draft", True), ("submitted", False), ("needs_completion", False), ("approved", False)])
def test_a_submitted_update_stops_the_reminders(db, association, state, reminded):
    case = numbered_case("annual_update", state, person(), association)
    db.session.add(AnnualUpdate(association_id=association.id, year=2026, case_id=case.id))
    db.session.flush()
    assert bool(send_reminders(date(2026, 5, 2)).sent) is reminded


def test_who_is_not_reminded(db, make_association, association):
    make_association(registered_at=datetime(2026, 2, 1, tzinfo=UTC), email="ny@example.se")
    make_association(registered_at=LONG_AGO, register_state=RegisterState.PENDING,
                     email="p@example.se")
    make_association(registered_at=LONG_AGO, register_state=RegisterState.DEREGISTERED,
                     email="d@example.se")
    silent = make_association(registered_at=LONG_AGO)  # no members, no email: nobody to tell
    report = send_reminders(date(2026, 5, 2))
    assert report.sent == [(association.id, "Vallby Scoutkår")]
    assert db.session.get(AnnualUpdateReminder, (silent.id, 2026, ReminderKind.OVERDUE)) is None


def test_without_representatives_the_association_address_is_used(db, make_association):
    association = make_association(registered_at=LONG_AGO, email="kansli@example.se")
    send_reminders(date(2026, 4, 1))
    assert [m.recipients for m in outbox()] == [["kansli@example.se"]]
    assert report_row(association) is not None


def report_row(association):
    return db.session.get(AnnualUpdateReminder, (association.id, 2026, ReminderKind.BEFORE))


def test_claiming_a_reminder_is_atomic(db, association):
    assert _claim_reminder(association.id, 2026, ReminderKind.BEFORE) is True
    assert _claim_reminder(association.id, 2026, ReminderKind.BEFORE) is False
    assert _claim_reminder(association.id, 2026, ReminderKind.OVERDUE) is True


def test_the_command(app, db, association):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["lok", "remind", "--today", "2026-04-01"])
    assert result.exit_code == 0, result.output
    assert "1 påminnelser (before)" in result.output and "Vallby Scoutkår" in result.output
    result = runner.invoke(args=["lok", "remind", "--today", "2026-04-01"])
    assert "0 påminnelser" in result.output
    assert len(outbox()) == 1
    result = runner.invoke(args=["lok", "remind", "--today", "2026-02-01"])
    assert "ingen påminnelse att skicka" in result.output
    result = runner.invoke(args=["lok", "remind", "--today", "1 april"])
    assert result.exit_code != 0 and "ÅÅÅÅ-MM-DD" in result.output
