"""What officers add to any case, whatever its type.

- :class:`CaseNote` – an internal note (intern anteckning). Only officers of the case's area
  see notes; they are never shown to the applicant or the association, never mailed and never
  part of a letter.
- :class:`CaseMessage` – a message between the officer and the applicant (meddelande). It is
  part of the case file the applicant sees (partsinsyn); ``is_from_officer`` tells the
  direction.
- :class:`CaseDisqualification` – an officer's own declaration of jäv on one case, with the
  reason. From then on the officer may not be assigned to, handle or decide the case.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask import has_request_context, request
from sqlalchemy import Boolean, ForeignKey, Index, Text, UniqueConstraint, event, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from lokapp.core.time import utcnow
from lokapp.core.types import UTCDateTime
from lokapp.extensions import db

if TYPE_CHECKING:  # pragma: no cover
    from lokapp.auth.models import User

NOTE_MAX_LENGTH = 5000
MESSAGE_MAX_LENGTH = 5000
REASON_MAX_LENGTH = 1000


class CaseNote(db.Model):
    """An internal note on a case, for the officers only."""

    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship()

    __table_args__ = (Index("ix_case_notes_case_created", "case_id", "created_at"),)


class CaseMessage(db.Model):
    """A message in the case file: from the officer to the applicant, or the reply."""

    __tablename__ = "case_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    is_from_officer: Mapped[bool] = mapped_column(Boolean)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship()

    __table_args__ = (Index("ix_case_messages_case_created", "case_id", "created_at"),)


class CaseDisqualification(db.Model):
    """An officer's declared jäv on a case (one per officer and case)."""

    __tablename__ = "case_disqualifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"),
                                         index=True)
    reason: Mapped[str] = mapped_column(Text)
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()

    __table_args__ = (UniqueConstraint("case_id", "user_id"),)


_CACHE_KEY = "lokapp.casework.declared"


def _request_cache() -> dict | None:
    """Answers remembered for the current request only (a page asks the same predicate for
    every button); ``None`` outside a request."""
    if not has_request_context():
        return None
    return request.environ.setdefault(_CACHE_KEY, {})


def declared_disqualification(user_id: int | None, case_id: int | None
                              ) -> CaseDisqualification | None:
    """``user_id``'s declared jäv on the case, or None (one indexed query per request)."""
    if user_id is None or case_id is None:
        return None
    cache = _request_cache()
    if cache is not None and (user_id, case_id) in cache:
        return cache[(user_id, case_id)]
    row = db.session.scalar(select(CaseDisqualification).where(
        CaseDisqualification.case_id == case_id, CaseDisqualification.user_id == user_id))
    if cache is not None:
        cache[(user_id, case_id)] = row
    return row


def remember_declaration(row: CaseDisqualification) -> None:
    """Keep the request's answers true after a declaration is added."""
    cache = _request_cache()
    if cache is not None:
        cache[(row.user_id, row.case_id)] = row


@event.listens_for(Session, "after_soft_rollback")
def _forget_on_rollback(session: Session, _previous: Any) -> None:
    """A rolled-back declaration must not be remembered as made."""
    cache = _request_cache()
    if cache:
        cache.clear()
