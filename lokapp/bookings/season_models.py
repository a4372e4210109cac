"""Seasonal allocation rounds (säsongsbokning): the round, the applications and their wishes.

Kept apart from :mod:`lokapp.bookings.models` (the catalogue and the bookings) so the round's
tables read on their own; ``lokapp.models`` imports this module with the others.

Times of day are minutes after local midnight, as everywhere in bookings. A wish is a weekly
slot (weekday, start, end) with a first and an optional second choice of premises; its
allocation (which premises, by whom, why) sits on the wish, and so does the booking series
publishing made of it – which is what makes publishing idempotent.

Equal treatment (issue 6 item 9): requested and allocated hours per week are *stored* on the
application when the round is published (``requested_minutes``/``allocated_minutes``), so the
report reads what was decided, not a recomputation from wishes edited later – and so is the
peak-time part of the allocated hours (``allocated_peak_minutes``), as the premises' peak
hours were then.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lokapp.associations.models import AgeBand, Gender
from lokapp.core.time import utcnow
from lokapp.core.types import RichStrEnum, UTCDateTime, enum_type
from lokapp.extensions import db

if TYPE_CHECKING:  # pragma: no cover
    from lokapp.associations.models import Association
    from lokapp.auth.models import User
    from lokapp.bookings.models import BookingSeries, Premises
    from lokapp.core.cases import Case


class RoundState(RichStrEnum):
    """Where a round is. Whether applications are open follows from the dates."""

    OPEN = "open", _l("Pågår"), "info"
    PUBLISHING = "publishing", _l("Resultat publiceras"), "warning"
    PUBLISHED = "published", _l("Resultat publicerade"), "success"


class SeasonOutcome(RichStrEnum):
    ALLOCATED = "allocated", _l("Tilldelad"), "success"
    PARTLY = "partly", _l("Delvis tilldelad"), "warning"
    NOT_ALLOCATED = "not_allocated", _l("Inte tilldelad"), "danger"


season_round_premises = Table(
    "season_round_premises", db.metadata,
    Column("round_id", ForeignKey("season_rounds.id", ondelete="CASCADE"), primary_key=True),
    Column("premises_id", ForeignKey("premises.id", ondelete="RESTRICT"), primary_key=True,
           index=True),
)


class SeasonRound(db.Model):
    """One allocation round for a season and a set of premises, with its published rules."""

    __tablename__ = "season_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    season_starts_on: Mapped[date] = mapped_column(Date)
    season_ends_on: Mapped[date] = mapped_column(Date)
    applications_open_on: Mapped[date] = mapped_column(Date)
    # The last day applications are accepted (the whole local day).
    applications_close_on: Mapped[date] = mapped_column(Date)
    rules_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The ranking rules in order: keys of lokapp.bookings.seasons.PRIORITY_RULES.
    priority_keys: Mapped[list[str]] = mapped_column(JSON, default=list)
    previous_round_id: Mapped[int | None] = mapped_column(
        ForeignKey("season_rounds.id", ondelete="SET NULL"))
    state: Mapped[RoundState] = mapped_column(enum_type(RoundState), default=RoundState.OPEN)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                   ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    premises: Mapped[list[Premises]] = relationship(secondary=season_round_premises,
                                                    order_by="Premises.name")
    previous_round: Mapped[SeasonRound | None] = relationship(remote_side=[id])
    applications: Mapped[list[SeasonApplication]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="SeasonApplication.id")

    __table_args__ = (
        CheckConstraint("season_starts_on <= season_ends_on", name="season"),
        CheckConstraint("applications_open_on <= applications_close_on", name="window"),
        CheckConstraint("applications_close_on < season_starts_on", name="window_before"),
    )

    def __repr__(self) -> str:
        return f"<SeasonRound {self.id} {self.name}>"


class SeasonApplication(db.Model):
    """One association's application in a round – a case (``season_application``)."""

    __tablename__ = "season_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("season_rounds.id", ondelete="CASCADE"))
    association_id: Mapped[int] = mapped_column(
        ForeignKey("associations.id", ondelete="RESTRICT"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="RESTRICT"),
                                                unique=True)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                   ondelete="SET NULL"))
    # The first time the application was sent in (the last priority rule uses it).
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    outcome: Mapped[SeasonOutcome | None] = mapped_column(enum_type(SeasonOutcome))
    # Stored when the result is published (equal-treatment data): minutes per week.
    requested_minutes: Mapped[int | None] = mapped_column(Integer)
    allocated_minutes: Mapped[int | None] = mapped_column(Integer)
    # Of the allocated minutes per week, those in the premises' peak time (högtrafik).
    allocated_peak_minutes: Mapped[int | None] = mapped_column(Integer)
    was_eligible: Mapped[bool | None] = mapped_column(Boolean)

    round: Mapped[SeasonRound] = relationship(back_populates="applications")
    association: Mapped[Association] = relationship()
    case: Mapped[Case | None] = relationship()
    submitted_by: Mapped[User | None] = relationship()
    wishes: Mapped[list[SeasonWish]] = relationship(
        back_populates="application", cascade="all, delete-orphan",
        order_by="(SeasonWish.weekday, SeasonWish.start_minute, SeasonWish.id)")

    __table_args__ = (
        UniqueConstraint("round_id", "association_id"),
        CheckConstraint("requested_minutes IS NULL OR requested_minutes >= 0",
                        name="requested_positive"),
        CheckConstraint("allocated_minutes IS NULL OR allocated_minutes >= 0",
                        name="allocated_positive"),
    )


class SeasonWish(db.Model):
    """A weekly slot an association asks for, and what the allocation gave it."""

    __tablename__ = "season_wishes"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("season_applications.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)
    start_minute: Mapped[int] = mapped_column(Integer)
    end_minute: Mapped[int] = mapped_column(Integer)
    premises_id: Mapped[int] = mapped_column(ForeignKey("premises.id", ondelete="RESTRICT"))
    alt_premises_id: Mapped[int | None] = mapped_column(ForeignKey("premises.id",
                                                                   ondelete="RESTRICT"))
    activity: Mapped[str] = mapped_column(String(200))
    # The allocation: which premises (first or second choice), by hand or by the proposal.
    allocated_premises_id: Mapped[int | None] = mapped_column(
        ForeignKey("premises.id", ondelete="RESTRICT"))
    is_manual: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                 ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The weekly series publishing made of the allocation (set once: publishing never
    # creates a second one).
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("booking_series.id", ondelete="SET NULL"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    application: Mapped[SeasonApplication] = relationship(back_populates="wishes")
    premises: Mapped[Premises] = relationship(foreign_keys=[premises_id])
    alt_premises: Mapped[Premises | None] = relationship(foreign_keys=[alt_premises_id])
    allocated_premises: Mapped[Premises | None] = relationship(
        foreign_keys=[allocated_premises_id])
    series: Mapped[BookingSeries | None] = relationship()
    participants: Mapped[list[SeasonWishParticipants]] = relationship(
        back_populates="wish", cascade="all, delete-orphan", lazy="selectin")

    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("start_minute >= 0 AND start_minute < end_minute "
                        "AND end_minute <= 1440", name="minutes"),
        CheckConstraint("alt_premises_id IS NULL OR alt_premises_id <> premises_id",
                        name="two_choices"),
        Index("ix_season_wishes_premises_weekday", "premises_id", "weekday"),
    )

    @property
    def minutes(self) -> int:
        return self.end_minute - self.start_minute

    @property
    def choices(self) -> list[int]:
        return [p for p in (self.premises_id, self.alt_premises_id) if p is not None]

    def count(self, age_band: str, gender: str) -> int:
        return next((p.count for p in self.participants
                     if p.age_band == age_band and p.gender == gender), 0)

    @property
    def total_participants(self) -> int:
        return sum(p.count for p in self.participants)


class SeasonWishParticipants(db.Model):
    """How many participants of one age band and gender a wish is for – counts, not people."""

    __tablename__ = "season_wish_participants"

    wish_id: Mapped[int] = mapped_column(ForeignKey("season_wishes.id", ondelete="CASCADE"),
                                         primary_key=True)
    age_band: Mapped[AgeBand] = mapped_column(enum_type(AgeBand, length=10), primary_key=True)
    gender: Mapped[Gender] = mapped_column(enum_type(Gender, length=10), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)

    wish: Mapped[SeasonWish] = relationship(back_populates="participants")

    __table_args__ = (CheckConstraint("count >= 0", name="count_positive"),)
