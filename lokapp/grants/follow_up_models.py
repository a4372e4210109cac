"""The follow-up report (redovisning) of a grant, and its recovery (återkrav).

``GrantFollowUp`` is created with a granted decision on a programme that asks for a report
(``follow_up_required``): due ``follow_up_days`` after the decision (Stockholm dates). It holds
the report as the association writes it (saved on the server before it is sent), the
officer's latest completion request, the acceptance, and a recovery decision. The state lives
on the case (:mod:`lokapp.grants.workflow`); these rows hold the data.

Participants are stored as counts per age band and gender (the register's bands and genders,
``lokapp.associations.models.AgeBand`` / ``Gender``) – never persons – so the equal-treatment
report can read them. Actual costs and income are lines like the application's budget table.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from lokapp.associations.models import AgeBand, Gender
from lokapp.core.time import utcnow
from lokapp.core.types import UTCDateTime, enum_type
from lokapp.extensions import db
from lokapp.grants.models import LINE_MAX, BudgetLineKind, GrantApplication


class GrantFollowUp(db.Model):
    """One granted application's follow-up report and what came of it."""

    __tablename__ = "grant_follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("grant_applications.id", ondelete="CASCADE"), unique=True)
    # The date the report is due (a new one when the officer asks for completion).
    due_on: Mapped[date] = mapped_column(Date, index=True)
    # What was done (the association's own words).
    summary: Mapped[str] = mapped_column(Text, default="", server_default="")
    saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                   ondelete="SET NULL"))
    # The officer's latest request for completion.
    completion_message: Mapped[str | None] = mapped_column(Text)
    # Reminders sent for the current due date (reset when the due date changes).
    reminded_before_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                  ondelete="SET NULL"))
    # Återkrav: how much the association pays back, why, decided by whom and when.
    recovered_sek: Mapped[int | None] = mapped_column(Integer)
    recovery_reasons: Mapped[str | None] = mapped_column(Text)
    recovery_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recovery_decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    application: Mapped[GrantApplication] = relationship(
        backref=backref("follow_up", uselist=False, cascade="all, delete-orphan"))
    lines: Mapped[list[GrantFollowUpLine]] = relationship(
        back_populates="follow_up", cascade="all, delete-orphan",
        order_by="GrantFollowUpLine.position, GrantFollowUpLine.id")
    participants: Mapped[list[GrantFollowUpParticipants]] = relationship(
        back_populates="follow_up", cascade="all, delete-orphan",
        order_by="GrantFollowUpParticipants.id")
    attachments: Mapped[list[GrantFollowUpAttachment]] = relationship(
        back_populates="follow_up", cascade="all, delete-orphan",
        order_by="GrantFollowUpAttachment.id")
    recovery_decided_by: Mapped[Any] = relationship("User",
                                                    foreign_keys=[recovery_decided_by_id])

    __table_args__ = (
        CheckConstraint("recovered_sek IS NULL OR recovered_sek > 0", name="recovered"),
    )

    def __repr__(self) -> str:
        return f"<GrantFollowUp {self.application_id} due {self.due_on}>"

    def costs_sek(self) -> int:
        return sum(x.amount_sek for x in self.lines if x.kind == BudgetLineKind.COST)

    def income_sek(self) -> int:
        return sum(x.amount_sek for x in self.lines if x.kind == BudgetLineKind.INCOME)

    def participant_counts(self) -> dict[tuple[str, str], int]:
        return {(str(p.age_band.value), str(p.gender.value)): p.count
                for p in self.participants}

    @property
    def participants_total(self) -> int:
        return sum(p.count for p in self.participants)


class GrantFollowUpLine(db.Model):
    """One actual cost or income line of a follow-up report."""

    __tablename__ = "grant_follow_up_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    follow_up_id: Mapped[int] = mapped_column(
        ForeignKey("grant_follow_ups.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[BudgetLineKind] = mapped_column(enum_type(BudgetLineKind, length=10))
    description: Mapped[str] = mapped_column(String(LINE_MAX))
    amount_sek: Mapped[int] = mapped_column(Integer)

    follow_up: Mapped[GrantFollowUp] = relationship(back_populates="lines")

    __table_args__ = (CheckConstraint("amount_sek >= 0", name="amount"),)


class GrantFollowUpParticipants(db.Model):
    """How many took part, in one age band and gender – counts, never persons."""

    __tablename__ = "grant_follow_up_participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    follow_up_id: Mapped[int] = mapped_column(
        ForeignKey("grant_follow_ups.id", ondelete="CASCADE"))
    age_band: Mapped[AgeBand] = mapped_column(enum_type(AgeBand, length=10))
    gender: Mapped[Gender] = mapped_column(enum_type(Gender, length=10))
    count: Mapped[int] = mapped_column(Integer)

    follow_up: Mapped[GrantFollowUp] = relationship(back_populates="participants")

    __table_args__ = (
        UniqueConstraint("follow_up_id", "age_band", "gender"),
        CheckConstraint("count > 0", name="count_positive"),
    )


class GrantFollowUpAttachment(db.Model):
    """A file sent with the report (a receipt, photos, a programme)."""

    __tablename__ = "grant_follow_up_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    follow_up_id: Mapped[int] = mapped_column(
        ForeignKey("grant_follow_ups.id", ondelete="CASCADE"), index=True)
    stored_file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id",
                                                           ondelete="RESTRICT"))
    label: Mapped[str] = mapped_column(String(LINE_MAX))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    follow_up: Mapped[GrantFollowUp] = relationship(back_populates="attachments")
    stored_file: Mapped[Any] = relationship("StoredFile", lazy="joined")
