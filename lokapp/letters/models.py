"""Letters, their dispatches, the versioned templates and letter batches."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from lokapp.core.time import utcnow
from lokapp.core.types import RichStrEnum, UTCDateTime, enum_type
from lokapp.extensions import db

if TYPE_CHECKING:  # pragma: no cover
    from lokapp.auth.models import User
    from lokapp.core.cases import Case
    from lokapp.core.mail import OutboxMessage


class LetterKind(RichStrEnum):
    """What a letter is about. Each kind is described in :mod:`lokapp.letters.kinds`."""

    REGISTRATION_APPROVED = "registration_approved", _l("Beslut: registrering godkänd"), "success"
    REGISTRATION_REJECTED = "registration_rejected", _l("Beslut: registrering avslagen"), "danger"
    ANNUAL_UPDATE_APPROVED = ("annual_update_approved",
                              _l("Beslut: årlig uppdatering godkänd"), "success")
    CHANGE_APPROVED = "change_approved", _l("Beslut: ändrade uppgifter godkända"), "success"
    CHANGE_REJECTED = "change_rejected", _l("Beslut: ändrade uppgifter avslagna"), "danger"
    GRANT_DECISION = "grant_decision", _l("Beslut om bidrag"), "info"
    GRANT_RECOVERY = "grant_recovery", _l("Beslut om återkrav av bidrag"), "danger"
    BOOKING_APPROVED = "booking_approved", _l("Beslut: lokalbokning godkänd"), "success"
    BOOKING_REJECTED = "booking_rejected", _l("Beslut: lokalbokning avslagen"), "danger"
    BOOKING_CANCELLED = "booking_cancelled", _l("Beslut: bokade tider avbokade"), "danger"
    SEASON_ALLOCATION = "season_allocation", _l("Beslut om säsongsbokning"), "info"


class BatchState(RichStrEnum):
    QUEUED = "queued", _l("Väntar på att starta"), "info"
    RUNNING = "running", _l("Pågår"), "info"
    FINISHED = "finished", _l("Klar"), "success"


class BatchItemState(RichStrEnum):
    PENDING = "pending", _l("Väntar"), "info"
    ISSUED = "issued", _l("Brev skickat"), "success"
    SKIPPED = "skipped", _l("Hade redan brev"), "neutral"
    FAILED = "failed", _l("Misslyckades"), "danger"


class LetterTemplate(db.Model):
    """One saved version of a kind's wording. Never changed after it is written."""

    __tablename__ = "letter_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[LetterKind] = mapped_column(enum_type(LetterKind))
    version: Mapped[int] = mapped_column(Integer)
    subject_sv: Mapped[str] = mapped_column(String(300))
    body_sv: Mapped[str] = mapped_column(Text)
    subject_en: Mapped[str] = mapped_column(String(300))
    body_en: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    created_by: Mapped[User | None] = relationship()

    __table_args__ = (UniqueConstraint("kind", "version"),)

    def texts(self, language: str) -> tuple[str, str]:
        """``(subject, body)`` in ``language`` ("sv" or "en")."""
        if language == "en":
            return self.subject_en, self.body_en
        return self.subject_sv, self.body_sv


class Letter(db.Model):
    """A rendered letter: its context, template version and PDF bytes. Never re-rendered."""

    __tablename__ = "letters"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="RESTRICT"))
    association_id: Mapped[int | None] = mapped_column(
        ForeignKey("associations.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[LetterKind] = mapped_column(enum_type(LetterKind))
    # Which decision this letter is for: the case-history row of the decision ("h<id>").
    decision_ref: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(8), default="sv")
    template_id: Mapped[int] = mapped_column(ForeignKey("letter_templates.id",
                                                        ondelete="RESTRICT"))
    template_version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    filename: Mapped[str] = mapped_column(String(120))
    context: Mapped[dict[str, Any]] = mapped_column(JSON)
    pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    recipients: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # When the letter was first handed to the outbox (expedierat); delivery is the outbox's.
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship()
    template: Mapped[LetterTemplate] = relationship()
    dispatches: Mapped[list[LetterDispatch]] = relationship(
        back_populates="letter", cascade="all, delete-orphan",
        order_by="LetterDispatch.id")

    __table_args__ = (
        UniqueConstraint("case_id", "kind", "decision_ref"),
        Index("ix_letters_case_created", "case_id", "created_at"),
    )

    def __repr__(self) -> str:
        return f"<Letter {self.id} {self.kind} case={self.case_id} v{self.template_version}>"


class LetterDispatch(db.Model):
    """One sending of a letter by e-mail: the first one, or a resend of the same bytes."""

    __tablename__ = "letter_dispatches"

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letters.id", ondelete="CASCADE"),
                                           index=True)
    outbox_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL"))
    recipients: Mapped[list[str]] = mapped_column(JSON, default=list)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    is_resend: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    letter: Mapped[Letter] = relationship(back_populates="dispatches")
    outbox_message: Mapped[OutboxMessage | None] = relationship()
    actor: Mapped[User | None] = relationship()


class LetterBatch(db.Model):
    """Letters for many decided cases at once; its items say how far it has come."""

    __tablename__ = "letter_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[BatchState] = mapped_column(enum_type(BatchState), default=BatchState.QUEUED)
    total: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by: Mapped[User | None] = relationship()
    items: Mapped[list[LetterBatchItem]] = relationship(
        back_populates="batch", cascade="all, delete-orphan", passive_deletes=True,
        order_by="LetterBatchItem.id")


class LetterBatchItem(db.Model):
    __tablename__ = "letter_batch_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("letter_batches.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    state: Mapped[BatchItemState] = mapped_column(enum_type(BatchItemState),
                                                  default=BatchItemState.PENDING)
    letter_id: Mapped[int | None] = mapped_column(ForeignKey("letters.id", ondelete="SET NULL"))
    error: Mapped[str | None] = mapped_column(Text)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    batch: Mapped[LetterBatch] = relationship(back_populates="items")
    case: Mapped[Case] = relationship()

    __table_args__ = (
        UniqueConstraint("batch_id", "case_id"),
        Index("ix_letter_batch_items_batch_state", "batch_id", "state"),
    )
