"""The follow-up report (redovisning) of a grant: its use cases. They flush, never commit.

Due          :func:`start_follow_up` – with an approved or partially approved decision on a
             programme with ``follow_up_required``, in the decision's transaction: the report
             is due ``follow_up_days`` after the decision (Stockholm dates) and the case moves
             ``decided --require_report--> follow_up_due`` (the system acts).
Reporting    :func:`save_report` (what was done, participants by age band and gender, actual
             costs and income – saved on the server, a draft until sent), :func:`attach`,
             :func:`missing_in_report`, :func:`submit_report` (receipt by e-mail)
Officer      :func:`accept_report` (closed), :func:`request_report_completion` (a message and
             a new due date; back to follow_up_due), :func:`open_recovery` (återkrav: an
             amount ≤ the grant and reasons; the recovery letter is issued in the same
             transaction, and payout lines not yet exported are stopped)
Reminders    :func:`send_reminders` – ``flask lok grants-remind``: ``REMIND_DAYS_BEFORE`` days
             before the due date and once overdue, each at most once per due date (the row is
             claimed with a conditional UPDATE in the mail's transaction).

Every step writes a case history row (the workflow engine), an audit event and an e-mail.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update

from lokapp.associations.models import AgeBand, Gender
from lokapp.core import audit
from lokapp.core.completions import deadline_error
from lokapp.core.mail import queue_mail
from lokapp.core.time import to_local, utcnow
from lokapp.core.uploads import store_upload
from lokapp.core.workflow import apply
from lokapp.extensions import db
from lokapp.grants.follow_up_models import (
    GrantFollowUp,
    GrantFollowUpAttachment,
    GrantFollowUpLine,
    GrantFollowUpParticipants,
)
from lokapp.grants.models import BudgetLineKind, GrantApplication, GrantPayout, Outcome, PayoutState
from lokapp.grants.workflow import State

REMIND_DAYS_BEFORE = 14
SUMMARY_MAX = 10_000
REASONS_MAX = 4000


class FollowUpError(Exception):
    """A refused follow-up action; ``str(error)`` is the Swedish message for the user."""


class IncompleteReport(FollowUpError):
    """Submit refused; ``missing`` lists what is missing, one Swedish sentence each."""

    def __init__(self, missing: list[str]):
        super().__init__(_("Redovisningen kan inte skickas in ännu."))
        self.missing = missing


def _sek(amount: int | None) -> str:
    return f"{amount or 0:,}".replace(",", "\u00a0")


def _link(application: GrantApplication) -> str:
    from lokapp.auth.services import absolute_url

    return absolute_url("grants.follow_up_report", application_id=application.id)


def _mail(application: GrantApplication, *, subject: str, template: str,
          context: dict[str, Any]) -> None:
    """E-mail the association about its report: the applicant, else the association."""
    from lokapp.letters.context import recipients_for

    case = application.case
    to = recipients_for(case)
    if not to:
        return
    name = case.applicant.name if case.applicant is not None and not \
        case.applicant.is_disabled else application.association.name
    queue_mail(to=to, subject=subject, template=template,
               context={"name": name, "number": case.number,
                        "association": application.association.name,
                        "programme": application.programme.name_sv,
                        "link": _link(application), **context},
               related=("cases", case.id))


# --- due --------------------------------------------------------------------------------------

def needs_follow_up(application: GrantApplication) -> bool:
    programme = application.programme
    return bool(programme.follow_up_required and programme.follow_up_days
                and application.outcome in (Outcome.APPROVED, Outcome.PARTIALLY_APPROVED))


def start_follow_up(application: GrantApplication) -> GrantFollowUp | None:
    """Make the report due, if the programme asks for one (called with the decision)."""
    if not needs_follow_up(application):
        return None
    decided_on = to_local(application.case.decided_at or utcnow()).date()
    due_on = decided_on + timedelta(days=application.programme.follow_up_days)
    follow_up = GrantFollowUp(application_id=application.id, due_on=due_on, summary="")
    db.session.add(follow_up)
    apply(application.case, "require_report", None,
          note=_("Redovisningen ska lämnas senast %(date)s.", date=due_on.isoformat()))
    db.session.flush()
    audit.record("grant_follow_up.due", application, actor=None, due_on=due_on.isoformat())
    return follow_up


def follow_up_of(application: GrantApplication) -> GrantFollowUp | None:
    return db.session.scalar(select(GrantFollowUp).where(
        GrantFollowUp.application_id == application.id))


# --- the association's report ------------------------------------------------------------------

@dataclass
class LineData:
    kind: BudgetLineKind
    description: str
    amount_sek: int


@dataclass
class ReportData:
    summary: str
    participants: dict[tuple[str, str], int] = field(default_factory=dict)
    lines: list[LineData] = field(default_factory=list)


def _editable(follow_up: GrantFollowUp) -> None:
    """Refuse a change unless the report is due; the case row is re-read under a row lock,
    so a colleague's submission in another request (same association) is seen, and waits
    for or is seen by this one."""
    case = follow_up.application.case
    db.session.flush()
    db.session.refresh(case, with_for_update=True)
    if case.state != State.FOLLOW_UP_DUE:
        raise FollowUpError(_("Redovisningen är inskickad och kan inte ändras nu."))


def save_report(follow_up: GrantFollowUp, data: ReportData, user: Any) -> None:
    """Store the report as typed (already validated field by field); a draft until sent."""
    _editable(follow_up)
    follow_up.summary = (data.summary or "").strip()
    follow_up.lines.clear()
    follow_up.participants.clear()
    db.session.flush()
    for position, line in enumerate(data.lines):
        follow_up.lines.append(GrantFollowUpLine(position=position, kind=line.kind,
                                                 description=line.description,
                                                 amount_sek=line.amount_sek))
    for (band, gender), count in sorted(data.participants.items()):
        if count:
            follow_up.participants.append(GrantFollowUpParticipants(
                age_band=AgeBand(band), gender=Gender(gender), count=count))
    follow_up.saved_at = utcnow()
    db.session.flush()
    audit.record("grant_follow_up.saved", follow_up.application, actor=user,
                 participants=follow_up.participants_total, lines=len(data.lines))


def attach(follow_up: GrantFollowUp, upload: Any, *, label: str,
           user: Any) -> GrantFollowUpAttachment:
    _editable(follow_up)
    stored = store_upload(upload, user=user)
    attachment = GrantFollowUpAttachment(stored_file_id=stored.id, label=label[:200],
                                         uploaded_at=utcnow())
    follow_up.attachments.append(attachment)
    db.session.flush()
    audit.record("grant_follow_up.attached", follow_up.application, actor=user,
                 label=attachment.label, stored_file_id=stored.id)
    return attachment


def missing_in_report(follow_up: GrantFollowUp) -> list[str]:
    missing = []
    if not (follow_up.summary or "").strip():
        missing.append(_("Beskriv vad föreningen har gjort med bidraget."))
    if not follow_up.participants_total:
        missing.append(_("Fyll i hur många som deltog, efter ålder och kön."))
    if not any(line.kind == BudgetLineKind.COST for line in follow_up.lines):
        missing.append(_("Skriv minst en faktisk kostnad."))
    return missing


def submit_report(follow_up: GrantFollowUp, user: Any) -> None:
    """Send the saved report to the officer (refused with the list of what is missing)."""
    missing = missing_in_report(follow_up)
    if missing:
        raise IncompleteReport(missing)
    application = follow_up.application
    apply(application.case, "submit_report", user)
    follow_up.submitted_at = utcnow()
    follow_up.submitted_by_id = user.id
    db.session.flush()
    audit.record("grant_follow_up.submitted", application, actor=user,
                 costs_sek=follow_up.costs_sek(), income_sek=follow_up.income_sek(),
                 participants=follow_up.participants_total)
    _mail(application, subject=_("Vi har tagit emot redovisningen för %(number)s",
                                 number=application.case.number),
          template="mail/grant_follow_up_received",
          context={"costs": _sek(follow_up.costs_sek()),
                   "income": _sek(follow_up.income_sek()),
                   "participants": follow_up.participants_total})
    _tell_officer(application)


def save_and_submit_report(follow_up: GrantFollowUp, data: ReportData, user: Any) -> None:
    """Store the report as typed and send it (the "Skicka" button), in one user action.

    When the report is incomplete, :class:`IncompleteReport` is raised *after* the report
    has been saved and flushed: the caller commits, so what was typed is kept as a draft
    (nothing is sent, no mail queued), and shows the list of what is missing. On any other
    :class:`FollowUpError` or :class:`~lokapp.core.workflow.WorkflowError` nothing is to be
    kept: the caller rolls back.
    """
    save_report(follow_up, data, user)
    submit_report(follow_up, user)


def _tell_officer(application: GrantApplication) -> None:
    """The officer who handled the grant hears that its report has come in."""
    from lokapp.auth.services import absolute_url

    officer = application.case.assigned_officer
    if officer is None or officer.is_disabled:
        return
    queue_mail(to=officer.email,
               subject=_("Redovisning inkommen: %(number)s", number=application.case.number),
               template="mail/grant_follow_up_to_officer",
               context={"name": officer.name, "number": application.case.number,
                        "association": application.association.name,
                        "programme": application.programme.name_sv,
                        "link": absolute_url("grants.officer_follow_up",
                                             application_id=application.id)},
               related=("cases", application.case_id))


# --- the officer -----------------------------------------------------------------------------

def accept_report(follow_up: GrantFollowUp, user: Any, note: str | None = None) -> None:
    application = follow_up.application
    apply(application.case, "accept_report", user, note=(note or "").strip() or None)
    follow_up.accepted_at = utcnow()
    follow_up.accepted_by_id = user.id
    db.session.flush()
    audit.record("grant_follow_up.accepted", application, actor=user)
    _mail(application, subject=_("Redovisningen för %(number)s är godkänd",
                                 number=application.case.number),
          template="mail/grant_follow_up_accepted", context={"note": (note or "").strip()})


def request_report_completion(follow_up: GrantFollowUp, user: Any, *, message: str,
                              deadline: date) -> None:
    """Ask for more in the report by ``deadline`` (the new due date); it can be changed and
    sent again."""
    message = (message or "").strip()
    if not message:
        raise FollowUpError(_("Skriv vad som behöver kompletteras."))
    error = deadline_error(deadline)  # the rule of every completion request
    if error:
        raise FollowUpError(error)
    application = follow_up.application
    apply(application.case, "request_report_completion", user,
          note=_("%(message)s\n\nKomplettera senast %(date)s.", message=message,
                 date=deadline.isoformat()))
    follow_up.completion_message = message
    follow_up.due_on = deadline
    follow_up.reminded_before_at = follow_up.reminded_overdue_at = None
    db.session.flush()
    audit.record("grant_follow_up.completion_requested", application, actor=user,
                 deadline=deadline.isoformat())
    _mail(application, subject=_("Komplettera redovisningen för %(number)s",
                                 number=application.case.number),
          template="mail/grant_follow_up_completion",
          context={"message": message, "deadline": deadline.isoformat()})


def open_recovery(follow_up: GrantFollowUp, user: Any, *, amount_sek: int | None,
                  reasons: str) -> None:
    """Decide återkrav: ``amount_sek`` (whole kronor, at most the grant) with reasons.

    The recovery letter (PDF and e-mail, with appeal instructions) is issued in the same
    transaction, so there is no recovery without its letter; payout lines of the
    application that are not yet exported are stopped (``payouts.blocked_reasons``)."""
    from lokapp.letters.models import LetterKind
    from lokapp.letters.services import issue_letter

    application = follow_up.application
    reasons = (reasons or "").strip()
    granted = application.granted_sek or 0
    if not reasons:
        raise FollowUpError(_("Skriv skälen för återkravet. De står i beslutsbrevet."))
    if len(reasons) > REASONS_MAX:
        raise FollowUpError(_("Skälen får vara högst %(max)d tecken.", max=REASONS_MAX))
    if amount_sek is None or amount_sek <= 0:
        raise FollowUpError(_("Fyll i hur mycket föreningen ska betala tillbaka."))
    if amount_sek > granted:
        raise FollowUpError(_("Återkravet kan inte vara större än det beviljade bidraget "
                              "(%(granted)s kronor).", granted=_sek(granted)))
    # Lock the lines still to be paid before the case changes: an export at the same time
    # waits for this transaction and then sees the recovery (payouts.blocked_reasons),
    # instead of exporting a line while the recovery letter is being made.
    stopped = db.session.scalars(select(GrantPayout).where(
        GrantPayout.application_id == application.id,
        GrantPayout.state == PayoutState.PENDING).with_for_update()).all()
    apply(application.case, "open_recovery", user, note=reasons)
    follow_up.recovered_sek = amount_sek
    follow_up.recovery_reasons = reasons
    follow_up.recovery_decided_at = utcnow()
    follow_up.recovery_decided_by_id = user.id
    db.session.flush()
    audit.record("grant_follow_up.recovery", application, actor=user,
                 recovered_sek=amount_sek, granted_sek=granted)
    for payout in stopped:
        audit.record("grant_payout.stopped", payout, actor=user, reference=payout.reference,
                     amount_sek=payout.amount_sek, reason="recovery")
    issue_letter(application.case, LetterKind.GRANT_RECOVERY, actor=user)


def is_recovered(application: GrantApplication) -> bool:
    return application.case.state == State.RECOVERY


# --- reminders ------------------------------------------------------------------------------

@dataclass
class ReminderReport:
    today: date
    before: list[str] = field(default_factory=list)   # case numbers
    overdue: list[str] = field(default_factory=list)


def _claim(follow_up_id: int, column: str) -> bool:
    """Mark the reminder sent unless it was; True if this call marked it."""
    target = getattr(GrantFollowUp, column)
    result = db.session.execute(
        update(GrantFollowUp).where(GrantFollowUp.id == follow_up_id, target.is_(None))
        .values({column: utcnow()}).execution_options(synchronize_session=False))
    return result.rowcount == 1


def send_reminders(today: date) -> ReminderReport:
    """Remind associations whose report is due within ``REMIND_DAYS_BEFORE`` days, or late.

    Idempotent: each reminder is sent at most once per due date."""
    from sqlalchemy.orm import joinedload

    from lokapp.core.cases import Case

    report = ReminderReport(today)
    soon = today + timedelta(days=REMIND_DAYS_BEFORE)
    due = db.session.scalars(
        select(GrantFollowUp).join(GrantApplication,
                                   GrantApplication.id == GrantFollowUp.application_id)
        .join(Case, Case.id == GrantApplication.case_id)
        .where(Case.state == State.FOLLOW_UP_DUE.value, GrantFollowUp.due_on <= soon,
               (GrantFollowUp.reminded_before_at.is_(None) & (GrantFollowUp.due_on >= today))
               | (GrantFollowUp.reminded_overdue_at.is_(None) & (GrantFollowUp.due_on < today)))
        .options(joinedload(GrantFollowUp.application).joinedload(GrantApplication.association))
        .order_by(GrantFollowUp.due_on, GrantFollowUp.id)).all()
    for follow_up in due:
        application = follow_up.application
        overdue = follow_up.due_on < today
        if not _claim(follow_up.id, "reminded_overdue_at" if overdue else "reminded_before_at"):
            continue
        number = application.case.number
        subject = _("Redovisningen för %(number)s är försenad", number=number) if overdue \
            else _("Påminnelse: redovisningen för %(number)s ska lämnas senast %(date)s",
                   number=number, date=follow_up.due_on.isoformat())
        _mail(application, subject=subject, template="mail/grant_follow_up_reminder",
              context={"kind": "overdue" if overdue else "before",
                       "due_on": follow_up.due_on.isoformat(),
                       "completion_message": follow_up.completion_message or ""})
        audit.record("grant_follow_up.reminded", application, actor=None,
                     kind="overdue" if overdue else "before",
                     due_on=follow_up.due_on.isoformat())
        (report.overdue if overdue else report.before).append(number)
    db.session.flush()
    return report


# --- the officers' list ---------------------------------------------------------------------

LIST_ALL, LIST_SUBMITTED, LIST_OVERDUE = "alla", "inkomna", "forsenade"
LIST_FILTERS = (LIST_ALL, LIST_SUBMITTED, LIST_OVERDUE)


def _list_conditions(show: str, today: date) -> list:
    from lokapp.core.cases import Case

    if show == LIST_SUBMITTED:
        return [Case.state == State.FOLLOW_UP_SUBMITTED.value]
    if show == LIST_OVERDUE:
        return [Case.state == State.FOLLOW_UP_DUE.value, GrantFollowUp.due_on < today]
    return [Case.state.in_([State.FOLLOW_UP_DUE.value, State.FOLLOW_UP_SUBMITTED.value])]


def follow_up_list(show: str, today: date):
    """The open follow-ups (due or sent), the earliest last day first – one query."""
    from sqlalchemy.orm import contains_eager

    from lokapp.core.cases import Case

    return (select(GrantFollowUp)
            .join(GrantApplication, GrantApplication.id == GrantFollowUp.application_id)
            .join(Case, Case.id == GrantApplication.case_id)
            .where(*_list_conditions(show, today))
            .options(contains_eager(GrantFollowUp.application).contains_eager(
                         GrantApplication.case),
                     contains_eager(GrantFollowUp.application).joinedload(
                         GrantApplication.association),
                     contains_eager(GrantFollowUp.application).joinedload(
                         GrantApplication.programme))
            .order_by(GrantFollowUp.due_on, GrantFollowUp.id))


def follow_up_list_total(show: str, today: date):
    from sqlalchemy import func

    from lokapp.core.cases import Case

    return (select(func.count(GrantFollowUp.id))
            .join(GrantApplication, GrantApplication.id == GrantFollowUp.application_id)
            .join(Case, Case.id == GrantApplication.case_id)
            .where(*_list_conditions(show, today)))
