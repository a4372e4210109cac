"""Premises, their hours, blackouts and tariffs; booking series and their occurrences.

Money is stored in whole öre (integers): a tariff of 125,50 kr/hour is ``12550``. Wall-clock
times of day (opening hours, peak hours, a series' start and end) are minutes after local
midnight, ``0..1440`` (1440 = 24:00, so a day can be open until midnight).

The PostgreSQL exclusion constraint ``ex_booking_occurrences_no_overlap`` over active
occurrences is created by migration 0009 and is not declared here (SQLite has no such thing);
see :mod:`lokapp.bookings`.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lokapp.core.time import utcnow
from lokapp.core.types import RichStrEnum, UTCDateTime, enum_type
from lokapp.extensions import db

if TYPE_CHECKING:  # pragma: no cover
    from lokapp.associations.models import Association, District
    from lokapp.auth.models import User
    from lokapp.core.cases import Case
    from lokapp.core.uploads import StoredFile

MINUTES_PER_DAY = 1440
# The longest an occurrence can last: a whole local day (a series' times are within one day,
# 00:00–24:00), which is 25 hours the night the clocks go back. Overlap queries use it as a
# lower bound on ``starts_at`` so the (premises, starts_at) index bounds the scan on both
# sides – otherwise every query would read all of a premises' past occurrences.
MAX_OCCURRENCE_LENGTH = timedelta(hours=25)


class PremisesType(RichStrEnum):
    MEETING_ROOM = "meeting_room", _l("Möteslokal")
    ASSEMBLY_HALL = "assembly_hall", _l("Samlingssal")
    SPORTS_HALL = "sports_hall", _l("Idrottshall")
    GYM = "gym", _l("Gymnastiksal")
    STUDIO = "studio", _l("Ateljé")
    KITCHEN = "kitchen", _l("Kök")
    OTHER = "other", _l("Annan lokal")


class Equipment(RichStrEnum):
    PROJECTOR = "projector", _l("Projektor eller skärm")
    WHITEBOARD = "whiteboard", _l("Skrivtavla (whiteboard)")
    SOUND_SYSTEM = "sound_system", _l("Ljudanläggning")
    WIFI = "wifi", _l("Wifi")
    KITCHEN = "kitchen", _l("Pentry eller kök")
    PIANO = "piano", _l("Piano eller flygel")
    STAGE = "stage", _l("Scen")
    SPORTS_EQUIPMENT = "sports_equipment", _l("Idrottsutrustning")


class BookerType(RichStrEnum):
    """Who books, which decides the tariff."""

    ASSOCIATION = "association", _l("Förening")
    YOUTH = "youth", _l("Förening, barn- och ungdomsverksamhet")
    RESIDENT = "resident", _l("Privatperson")
    COMMERCIAL = "commercial", _l("Kommersiell verksamhet")


class Recurrence(RichStrEnum):
    SINGLE = "single", _l("En gång")
    WEEKLY = "weekly", _l("Varje vecka")
    BIWEEKLY = "biweekly", _l("Varannan vecka")
    DATES = "dates", _l("Valda datum")


class OccurrenceState(RichStrEnum):
    REQUESTED = "requested", _l("Väntar på beslut"), "info"
    CONFIRMED = "confirmed", _l("Bekräftad"), "success"
    CANCELLED = "cancelled", _l("Avbokad"), "neutral"
    REJECTED = "rejected", _l("Avslagen"), "danger"


ACTIVE_STATES = (OccurrenceState.REQUESTED, OccurrenceState.CONFIRMED)

# Accessibility features: the key is also the search parameter and the column's suffix.
ACCESSIBILITY_LABELS = {
    "step_free": _l("Tillgänglig utan trappsteg"),
    "hearing_loop": _l("Hörslinga"),
    "accessible_toilet": _l("Tillgänglig toalett"),
}


class Premises(db.Model):
    """A bookable room or hall with its booking rules."""

    __tablename__ = "premises"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    premises_type: Mapped[PremisesType] = mapped_column(enum_type(PremisesType))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    street_address: Mapped[str] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(6))
    city: Mapped[str] = mapped_column(String(100), default="Västerås", server_default="Västerås")
    district_id: Mapped[int | None] = mapped_column(
        ForeignKey("districts.id", ondelete="RESTRICT"), index=True)
    capacity: Mapped[int] = mapped_column(Integer)
    area_m2: Mapped[int | None] = mapped_column(Integer)
    # Accessibility
    is_step_free: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    has_hearing_loop: Mapped[bool] = mapped_column(Boolean, default=False,
                                                   server_default=false())
    has_accessible_toilet: Mapped[bool] = mapped_column(Boolean, default=False,
                                                        server_default=false())
    accessibility_notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    equipment_notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Who may book
    is_published: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    bookable_by_associations: Mapped[bool] = mapped_column(Boolean, default=True,
                                                           server_default=true())
    bookable_by_residents: Mapped[bool] = mapped_column(Boolean, default=False,
                                                        server_default=false())
    # Rules
    min_minutes: Mapped[int] = mapped_column(Integer, default=60, server_default="60")
    max_minutes: Mapped[int] = mapped_column(Integer, default=240, server_default="240")
    slot_minutes: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    max_days_ahead: Mapped[int] = mapped_column(Integer, default=180, server_default="180")
    cancel_hours_before: Mapped[int] = mapped_column(Integer, default=48, server_default="48")
    max_active_bookings: Mapped[int | None] = mapped_column(Integer)
    requires_approval: Mapped[bool] = mapped_column(Boolean, default=False,
                                                    server_default=false())
    is_closed_on_holidays: Mapped[bool] = mapped_column(Boolean, default=True,
                                                        server_default=true())
    # Peak time (högtrafik): these local hours every day, and all weekend if chosen.
    peak_start_minute: Mapped[int] = mapped_column(Integer, default=17 * 60,
                                                   server_default=str(17 * 60))
    peak_end_minute: Mapped[int] = mapped_column(Integer, default=22 * 60,
                                                 server_default=str(22 * 60))
    is_weekend_peak: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Texts
    terms: Mapped[str] = mapped_column(Text, default="", server_default="")
    access_instructions: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    district: Mapped[District | None] = relationship(lazy="joined")
    opening_hours: Mapped[list[OpeningHours]] = relationship(
        back_populates="premises", cascade="all, delete-orphan",
        order_by="OpeningHours.weekday")
    blackouts: Mapped[list[Blackout]] = relationship(
        back_populates="premises", cascade="all, delete-orphan", order_by="Blackout.starts_on")
    tariffs: Mapped[list[Tariff]] = relationship(back_populates="premises",
                                                 cascade="all, delete-orphan")
    equipment_rows: Mapped[list[PremisesEquipment]] = relationship(
        back_populates="premises", cascade="all, delete-orphan", lazy="selectin")
    photos: Mapped[list[PremisesPhoto]] = relationship(
        back_populates="premises", cascade="all, delete-orphan",
        order_by="(PremisesPhoto.sort_order, PremisesPhoto.id)")

    __table_args__ = (
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("area_m2 IS NULL OR area_m2 > 0", name="area_positive"),
        CheckConstraint("slot_minutes > 0 AND min_minutes > 0 AND max_minutes >= min_minutes",
                        name="lengths"),
        CheckConstraint("max_days_ahead > 0 AND cancel_hours_before >= 0", name="horizon"),
        CheckConstraint("max_active_bookings IS NULL OR max_active_bookings > 0",
                        name="quota_positive"),
        CheckConstraint("peak_start_minute >= 0 AND peak_start_minute <= peak_end_minute "
                        "AND peak_end_minute <= 1440", name="peak_range"),
        Index("ix_premises_published", "is_published", "name"),
    )

    def __repr__(self) -> str:
        return f"<Premises {self.id} {self.name}>"

    @property
    def address(self) -> str:
        parts = [self.street_address, " ".join(p for p in (self.postal_code, self.city) if p)]
        return ", ".join(p for p in parts if p)

    @property
    def equipment(self) -> list[Equipment]:
        order = list(Equipment)
        return sorted((row.item for row in self.equipment_rows), key=order.index)

    @property
    def accessibility(self) -> list[str]:
        """The accessibility features as Swedish labels (for lists and detail pages)."""
        return [str(label) for flag, label in (
            (self.is_step_free, ACCESSIBILITY_LABELS["step_free"]),
            (self.has_hearing_loop, ACCESSIBILITY_LABELS["hearing_loop"]),
            (self.has_accessible_toilet, ACCESSIBILITY_LABELS["accessible_toilet"])) if flag]

    def tariff_for(self, booker_type: str) -> Tariff | None:
        return next((t for t in self.tariffs if t.booker_type == booker_type), None)

    def hours_for(self, weekday: int) -> OpeningHours | None:
        return next((h for h in self.opening_hours if h.weekday == weekday), None)


class PremisesEquipment(db.Model):
    """One item of equipment a premises has (the features visitors search for)."""

    __tablename__ = "premises_equipment"

    premises_id: Mapped[int] = mapped_column(ForeignKey("premises.id", ondelete="CASCADE"),
                                             primary_key=True)
    item: Mapped[Equipment] = mapped_column(enum_type(Equipment), primary_key=True)

    premises: Mapped[Premises] = relationship(back_populates="equipment_rows")


class PremisesPhoto(db.Model):
    """A photo of a premises: a resized JPEG and a thumbnail (metadata stripped) with the
    text that describes it to people who cannot see it."""

    __tablename__ = "premises_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    premises_id: Mapped[int] = mapped_column(ForeignKey("premises.id", ondelete="CASCADE"),
                                             index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id", ondelete="RESTRICT"))
    thumbnail_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id",
                                                         ondelete="RESTRICT"))
    alt_text: Mapped[str] = mapped_column(String(300))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    sort_order: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    premises: Mapped[Premises] = relationship(back_populates="photos")
    file: Mapped[StoredFile] = relationship(foreign_keys=[file_id])
    thumbnail: Mapped[StoredFile] = relationship(foreign_keys=[thumbnail_id])


class OpeningHours(db.Model):
    """When a premises can be booked on one weekday (0 = Monday), in local minutes."""

    __tablename__ = "premises_opening_hours"

    id: Mapped[int] = mapped_column(primary_key=True)
    premises_id: Mapped[int] = mapped_column(ForeignKey("premises.id", ondelete="CASCADE"))
    weekday: Mapped[int] = mapped_column(Integer)
    opens_minute: Mapped[int] = mapped_column(Integer)
    closes_minute: Mapped[int] = mapped_column(Integer)

    premises: Mapped[Premises] = relationship(back_populates="opening_hours")

    __table_args__ = (
        UniqueConstraint("premises_id", "weekday"),
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("opens_minute >= 0 AND opens_minute < closes_minute "
                        "AND closes_minute <= 1440", name="minute_range"),
    )


class Blackout(db.Model):
    """A period (whole days, both ends included) when a premises cannot be booked."""

    __tablename__ = "premises_blackouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    premises_id: Mapped[int] = mapped_column(ForeignKey("premises.id", ondelete="CASCADE"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    premises: Mapped[Premises] = relationship(back_populates="blackouts")

    __table_args__ = (
        CheckConstraint("starts_on <= ends_on", name="period"),
        Index("ix_premises_blackouts_premises_period", "premises_id", "starts_on", "ends_on"),
    )

    def covers(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


class Tariff(db.Model):
    """Taxa for one booker type at one premises, in öre per hour. No row = free of charge."""

    __tablename__ = "premises_tariffs"

    id: Mapped[int] = mapped_column(primary_key=True)
    premises_id: Mapped[int] = mapped_column(ForeignKey("premises.id", ondelete="CASCADE"))
    booker_type: Mapped[BookerType] = mapped_column(enum_type(BookerType))
    off_peak_ore_per_hour: Mapped[int] = mapped_column(Integer)
    peak_ore_per_hour: Mapped[int] = mapped_column(Integer)

    premises: Mapped[Premises] = relationship(back_populates="tariffs")

    __table_args__ = (
        UniqueConstraint("premises_id", "booker_type"),
        CheckConstraint("off_peak_ore_per_hour >= 0 AND peak_ore_per_hour >= 0",
                        name="not_negative"),
    )


class BookingSeries(db.Model):
    """One booking request: a date or a recurring pattern, by one booker, for one purpose."""

    __tablename__ = "booking_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    premises_id: Mapped[int] = mapped_column(ForeignKey("premises.id", ondelete="RESTRICT"),
                                             index=True)
    booked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    association_id: Mapped[int | None] = mapped_column(
        ForeignKey("associations.id", ondelete="RESTRICT"), index=True)
    booker_type: Mapped[BookerType] = mapped_column(enum_type(BookerType))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="RESTRICT"),
                                                unique=True)
    activity: Mapped[str] = mapped_column(String(200))
    attendees: Mapped[int | None] = mapped_column(Integer)
    recurrence: Mapped[Recurrence] = mapped_column(enum_type(Recurrence))
    first_date: Mapped[date] = mapped_column(Date)
    last_date: Mapped[date] = mapped_column(Date)
    start_minute: Mapped[int] = mapped_column(Integer)
    end_minute: Mapped[int] = mapped_column(Integer)
    terms_accepted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    terms_checksum: Mapped[str] = mapped_column(String(64))
    # Split off from this series by a "this and following" change: the earlier series (and
    # through it the case and reference the booking began with).
    split_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("booking_series.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    premises: Mapped[Premises] = relationship()
    booked_by: Mapped[User | None] = relationship()
    association: Mapped[Association | None] = relationship()
    case: Mapped[Case | None] = relationship()
    split_from: Mapped[BookingSeries | None] = relationship(remote_side=[id])
    occurrences: Mapped[list[BookingOccurrence]] = relationship(
        back_populates="series", cascade="all, delete-orphan",
        order_by="BookingOccurrence.starts_at")

    __table_args__ = (
        CheckConstraint("first_date <= last_date", name="dates"),
        CheckConstraint("start_minute >= 0 AND start_minute < end_minute "
                        "AND end_minute <= 1440", name="minutes"),
        CheckConstraint("attendees IS NULL OR attendees > 0", name="attendees_positive"),
        CheckConstraint("(booker_type IN ('association', 'youth')) = "
                        "(association_id IS NOT NULL)", name="association_booker"),
    )

    def __repr__(self) -> str:
        return f"<BookingSeries {self.id} premises={self.premises_id}>"

    @property
    def decision_case(self):
        """The case the times were decided in: the series' own, or – for a series split off
        by a "this and following" change, which has none – that of the series it began as.
        The city's cancellation of such times is a decision in that case."""
        series: BookingSeries | None = self
        seen: set[int | None] = set()
        while series is not None and series.case is None and series.id not in seen:
            seen.add(series.id)
            series = series.split_from
        return series.case if series is not None else None

    @property
    def reference(self) -> str:
        """The booking reference shown to bookers and on invoices."""
        return self.reference_of(self.id)

    @staticmethod
    def reference_of(series_id: int) -> str:
        return f"B{series_id:06d}"


class BookingOccurrence(db.Model):
    """One date of a series: the interval actually held, its state and its price."""

    __tablename__ = "booking_occurrences"

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("booking_series.id", ondelete="CASCADE"),
                                           index=True)
    # Denormalised from the series: the exclusion constraint needs it on this row.
    premises_id: Mapped[int] = mapped_column(ForeignKey("premises.id", ondelete="RESTRICT"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[OccurrenceState] = mapped_column(enum_type(OccurrenceState))
    price_ore: Mapped[int] = mapped_column(Integer)
    peak_minutes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Moved or edited on its own: later whole-series edits leave it alone.
    is_exception: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    series: Mapped[BookingSeries] = relationship(back_populates="occurrences")
    premises: Mapped[Premises] = relationship()

    __table_args__ = (
        CheckConstraint("starts_at < ends_at", name="interval"),
        CheckConstraint("price_ore >= 0 AND peak_minutes >= 0", name="not_negative"),
        Index("ix_booking_occurrences_premises_starts", "premises_id", "starts_at"),
        # The monthly reports (invoicing basis, utilisation) read one state in a period of
        # all premises: without it both databases scan every occurrence.
        Index("ix_booking_occurrences_state_starts", "state", "starts_at"),
    )

    def __repr__(self) -> str:
        return f"<BookingOccurrence {self.id} {self.starts_at:%Y-%m-%d %H:%M} {self.state}>"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class CalendarFeed(db.Model):
    """A person's secret calendar feed of their bookings (revocable: delete the row).

    Only the SHA-256 of the token is stored; the address is shown once, when it is created.
    """

    __tablename__ = "booking_calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
