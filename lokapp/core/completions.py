"""Requests for completion (komplettering) of any case: what is missing and by when.

An officer asks the applicant to complete a case (a registration, an annual update, a grant
application); the request carries the message and the deadline (sista dag), and is answered
when the applicant submits again. The queue shows the open deadline of every case, and the
daily ``flask lok remind-deadlines`` reminds the applicant before it and tells the assigned
officer when it has passed – each at most once, recorded on the request itself.

The table is called ``register_completion_requests`` because the register used it first; it
is keyed by the case, so every domain shares it.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, Text, func, select, update
from sqlalchemy.orm import Mapped, mapped_column

from lokapp.core.time import today_local, utcnow
from lokapp.core.types import UTCDateTime
from lokapp.extensions import db

# The deadline an officer may set: after today, and at most this many days ahead.
DEFAULT_DAYS = 14
GRANT_MAX_DAYS = 90


class CompletionRequest(db.Model):
    """An officer's request for completion of a case: the message and the date by which the
    applicant should answer. ``answered_at`` is set on resubmit; ``reminded_at`` when the
    applicant was reminded before the deadline, ``overdue_notified_at`` when the assigned
    officer was told that the deadline has passed."""

    __tablename__ = "register_completion_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    message: Mapped[str] = mapped_column(Text)
    deadline: Mapped[date] = mapped_column(Date, index=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    overdue_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def deadline_error(deadline: date | None, *, today: date | None = None,
                   max_days: int = GRANT_MAX_DAYS) -> str | None:
    """Why ``deadline`` cannot be a completion deadline (Swedish), or None if it can."""
    today = today or today_local()
    if deadline is None:
        return str(_l("Fyll i sista dag, till exempel %(date)s.",
                      date=(today + timedelta(days=DEFAULT_DAYS)).isoformat()))
    if deadline <= today:
        return str(_l("Sista dag måste vara efter i dag (%(today)s).", today=today.isoformat()))
    if deadline > today + timedelta(days=max_days):
        return str(_l("Sista dag får vara högst %(days)d dagar fram, senast %(date)s.",
                      days=max_days, date=(today + timedelta(days=max_days)).isoformat()))
    return None


def record_request(case: Any, officer: Any, message: str, deadline: date) -> CompletionRequest:
    request = CompletionRequest(case_id=case.id, message=message, deadline=deadline,
                                requested_at=utcnow(),
                                requested_by_id=getattr(officer, "id", None))
    db.session.add(request)
    db.session.flush()
    return request


def answer_open_requests(case: Any) -> None:
    """The applicant has submitted again: the open requests are answered."""
    db.session.execute(
        update(CompletionRequest)
        .where(CompletionRequest.case_id == case.id, CompletionRequest.answered_at.is_(None))
        .values(answered_at=utcnow())
        .execution_options(synchronize_session=False))


def open_request(case: Any) -> CompletionRequest | None:
    """The case's latest unanswered request."""
    return db.session.scalar(
        select(CompletionRequest)
        .where(CompletionRequest.case_id == case.id, CompletionRequest.answered_at.is_(None))
        .order_by(CompletionRequest.requested_at.desc(), CompletionRequest.id.desc()).limit(1))


def open_deadlines():
    """``(case_id, deadline)`` of every case with an unanswered request (the earliest one),
    as a subquery the queue joins."""
    return (select(CompletionRequest.case_id.label("case_id"),
                   func.min(CompletionRequest.deadline).label("deadline"))
            .where(CompletionRequest.answered_at.is_(None))
            .group_by(CompletionRequest.case_id)
            .subquery("open_deadlines"))
