"""Reminders about completion deadlines (``flask lok remind-deadlines``), for every case type
that asks for completion (registrations, annual updates, grant applications).

Each day:

- the applicant of a case that waits for completion is reminded ``days_before`` (3) days
  before the deadline – or on a later day before it, when a run was missed – unless the
  request itself was made that close to the deadline (its mail is reminder enough);
- the assigned officer is told, the day after the deadline, that it has passed and the case
  is still waiting (or on a later day, when a run was missed).

Idempotent: each is recorded on the request (``reminded_at``, ``overdue_notified_at``) by an
``UPDATE … WHERE … IS NULL`` in the same transaction as the mail is queued, so a second run –
or two runs at once – never sends anything twice. All days are Stockholm calendar days, so
the daylight-saving change moves nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from lokapp.associations.workflow import ANNUAL_UPDATE, REGISTRATION
from lokapp.core import audit
from lokapp.core.cases import Case
from lokapp.core.completions import CompletionRequest
from lokapp.core.mail import queue_mail
from lokapp.core.time import to_local, utcnow
from lokapp.core.workflow import workflow_for
from lokapp.extensions import db
from lokapp.grants.models import GrantApplication
from lokapp.grants.workflow import GRANT_APPLICATION

DAYS_BEFORE = 3
WAITING_STATE = "needs_completion"


@dataclass
class DeadlineReport:
    today: date
    reminded: list[str] = field(default_factory=list)  # case numbers, applicant reminded
    overdue: list[str] = field(default_factory=list)  # case numbers, officer told
    unassigned: list[str] = field(default_factory=list)  # passed, but nobody to tell


def _claim(request_id: int, column: Any) -> bool:
    """Set ``column`` unless it is set; True if this call set it."""
    result = db.session.execute(
        update(CompletionRequest)
        .where(CompletionRequest.id == request_id, column.is_(None))
        .values({column.key: utcnow()})
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def _waiting(*conditions) -> list[Any]:
    return db.session.execute(
        select(CompletionRequest, Case, GrantApplication.id)
        .join(Case, Case.id == CompletionRequest.case_id)
        .outerjoin(GrantApplication, GrantApplication.case_id == Case.id)
        .where(CompletionRequest.answered_at.is_(None), Case.state == WAITING_STATE,
               *conditions)
        .options(selectinload(Case.applicant), selectinload(Case.assigned_officer))
        .order_by(CompletionRequest.deadline, CompletionRequest.id)).all()


def applicant_link(case: Case, grant_id: int | None) -> str:
    from lokapp.auth.services import absolute_url

    if case.case_type == GRANT_APPLICATION and grant_id is not None:
        return absolute_url("grants.application", application_id=grant_id)
    if case.case_type == REGISTRATION:
        return absolute_url("register.complete_registration", case_id=case.id)
    if case.case_type == ANNUAL_UPDATE and case.association_id is not None:
        return absolute_url("register.annual_update", association_id=case.association_id)
    return absolute_url("core.home")


def officer_link(case: Case, grant_id: int | None) -> str:
    from lokapp.auth.services import absolute_url

    if case.case_type == GRANT_APPLICATION and grant_id is not None:
        return absolute_url("grants.officer_case", application_id=grant_id)
    return absolute_url("register.officer_case", case_id=case.id)


def send_deadline_reminders(today: date, days_before: int = DAYS_BEFORE) -> DeadlineReport:
    """Remind applicants before the deadline and tell officers when it has passed."""
    report = DeadlineReport(today)
    for request, case, grant_id in _waiting(
            CompletionRequest.reminded_at.is_(None),
            CompletionRequest.deadline >= today,
            CompletionRequest.deadline <= today + timedelta(days=days_before)):
        asked_on = to_local(request.requested_at).date()
        if asked_on >= request.deadline - timedelta(days=days_before):
            continue
        applicant = case.applicant
        if applicant is None or applicant.is_disabled or not _claim(
                request.id, CompletionRequest.reminded_at):
            continue
        days_left = (request.deadline - today).days
        queue_mail(to=applicant.email,
                   subject=_("Påminnelse: komplettera ärende %(number)s senast %(date)s",
                             number=case.number, date=request.deadline.isoformat()),
                   template="mail/completion_reminder",
                   context={"name": applicant.name, "number": case.number,
                            "case_subject": case.subject, "message": request.message,
                            "deadline": request.deadline.isoformat(), "days_left": days_left,
                            "link": applicant_link(case, grant_id)},
                   related=("cases", case.id))
        audit.record("case.completion_reminder_sent", case, actor=None,
                     deadline=request.deadline.isoformat())
        report.reminded.append(case.number)
    for request, case, grant_id in _waiting(
            CompletionRequest.overdue_notified_at.is_(None),
            CompletionRequest.deadline < today):
        officer = case.assigned_officer
        if officer is None or officer.is_disabled:
            report.unassigned.append(case.number)
            continue
        if not _claim(request.id, CompletionRequest.overdue_notified_at):
            continue
        queue_mail(to=officer.email,
                   subject=_("Fristen för komplettering har passerat: %(number)s",
                             number=case.number),
                   template="mail/completion_overdue",
                   context={"name": officer.name, "number": case.number,
                            "case_subject": case.subject,
                            "type": str(workflow_for(case.case_type).label),
                            "deadline": request.deadline.isoformat(),
                            "link": officer_link(case, grant_id)},
                   related=("cases", case.id))
        audit.record("case.completion_overdue_notified", case, actor=None,
                     deadline=request.deadline.isoformat(), officer_id=officer.id)
        report.overdue.append(case.number)
    db.session.flush()
    return report
