"""Associations, their configurable classifications, member counts, board and documents."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lokapp.core.completions import CompletionRequest  # noqa: F401 - shared by all cases
from lokapp.core.time import utcnow
from lokapp.core.types import RichStrEnum, UTCDateTime, enum_type
from lokapp.extensions import db

if TYPE_CHECKING:  # pragma: no cover
    from lokapp.auth.models import User
    from lokapp.core.cases import Case
    from lokapp.core.uploads import StoredFile


class LegalForm(RichStrEnum):
    NONPROFIT = "nonprofit", _l("Ideell förening")
    FOUNDATION = "foundation", _l("Stiftelse")
    RELIGIOUS = "religious", _l("Trossamfund")
    ECONOMIC = "economic", _l("Ekonomisk förening")
    NETWORK = "network", _l("Nätverk utan organisationsnummer")


class RegisterState(RichStrEnum):
    PENDING = "pending", _l("Under handläggning"), "info"
    REGISTERED = "registered", _l("Registrerad"), "success"
    REJECTED = "rejected", _l("Avslagen"), "danger"
    DEREGISTERED = "deregistered", _l("Avregistrerad"), "neutral"


class AgeBand(RichStrEnum):
    AGE_0_6 = "0-6", _l("0–6 år")
    AGE_7_12 = "7-12", _l("7–12 år")
    AGE_13_20 = "13-20", _l("13–20 år")
    AGE_21_25 = "21-25", _l("21–25 år")
    AGE_26_64 = "26-64", _l("26–64 år")
    AGE_65 = "65+", _l("65 år och äldre")


class Gender(RichStrEnum):
    WOMAN = "woman", _l("Kvinna")
    MAN = "man", _l("Man")
    OTHER = "other", _l("Annat")
    UNKNOWN = "unknown", _l("Uppgift saknas")


class DocumentType(RichStrEnum):
    STATUTES = "statutes", _l("Stadgar")
    ANNUAL_MEETING_MINUTES = "annual_meeting_minutes", _l("Årsmötesprotokoll")
    ACTIVITY_REPORT = "activity_report", _l("Verksamhetsberättelse")
    FINANCIAL_REPORT = "financial_report", _l("Ekonomisk berättelse")
    AUDIT_REPORT = "audit_report", _l("Revisionsberättelse")
    EQUALITY_POLICY = "equality_policy", _l("Likabehandlingspolicy")


class Category(db.Model):
    """A configurable association category (idrott, kultur …)."""

    __tablename__ = "association_categories"
    __table_args__ = {"info": {"reference_data": True}}  # seeded by migration 0003

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name_sv: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class District(db.Model):
    """A configurable district (stadsdel) of Västerås."""

    __tablename__ = "districts"
    __table_args__ = {"info": {"reference_data": True}}  # seeded by migration 0003

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class TargetGroup(db.Model):
    """A configurable target group (barn, unga, seniorer, nyanlända …)."""

    __tablename__ = "target_groups"
    __table_args__ = {"info": {"reference_data": True}}  # seeded by migration 0003

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name_sv: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


association_districts = Table(
    "association_districts",
    db.metadata,
    Column("association_id", ForeignKey("associations.id", ondelete="CASCADE"), primary_key=True),
    Column("district_id", ForeignKey("districts.id", ondelete="RESTRICT"), primary_key=True,
           index=True),
)

association_target_groups = Table(
    "association_target_groups",
    db.metadata,
    Column("association_id", ForeignKey("associations.id", ondelete="CASCADE"), primary_key=True),
    Column("target_group_id", ForeignKey("target_groups.id", ondelete="RESTRICT"),
           primary_key=True, index=True),
)


class Association(db.Model):
    __tablename__ = "associations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Compact form, 10 digits without dash; NULL only for networks without one.
    orgnr: Mapped[str | None] = mapped_column(String(10), unique=True)
    legal_form: Mapped[LegalForm] = mapped_column(enum_type(LegalForm))
    category_id: Mapped[int] = mapped_column(ForeignKey("association_categories.id"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    # Public contact
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    website: Mapped[str | None] = mapped_column(String(300))
    # Postal address
    street_address: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(6))
    city: Mapped[str | None] = mapped_column(String(100))
    # Payment details (changes need officer approval: they redirect money)
    bankgiro: Mapped[str | None] = mapped_column(String(9))
    plusgiro: Mapped[str | None] = mapped_column(String(10))
    bank_details_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    founded_year: Mapped[int | None] = mapped_column(Integer)
    has_accessible_premises: Mapped[bool] = mapped_column(Boolean, default=False,
                                                          server_default=false())
    is_public: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    register_state: Mapped[RegisterState] = mapped_column(
        enum_type(RegisterState), default=RegisterState.PENDING, index=True
    )
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deregistered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Derived from name and description for the public directory: the words to search (as
    # written and without diacritics) and a key giving Swedish alphabetical order (å, ä, ö after
    # z) on every database. Maintained by ORM events in lokapp/associations/search.py.
    search_name: Mapped[str] = mapped_column(Text, default="", server_default="")
    search_description: Mapped[str] = mapped_column(Text, default="", server_default="")
    sort_key: Mapped[str] = mapped_column(String(200), default="", server_default="")

    category: Mapped[Category] = relationship(lazy="joined")
    districts: Mapped[list[District]] = relationship(secondary=association_districts,
                                                     order_by="District.sort_order")
    target_groups: Mapped[list[TargetGroup]] = relationship(
        secondary=association_target_groups, order_by="TargetGroup.sort_order"
    )
    languages: Mapped[list[AssociationLanguage]] = relationship(
        cascade="all, delete-orphan", order_by="AssociationLanguage.code"
    )
    board_members: Mapped[list[BoardMember]] = relationship(
        back_populates="association", cascade="all, delete-orphan", order_by="BoardMember.id"
    )
    member_counts: Mapped[list[MemberCount]] = relationship(
        back_populates="association", cascade="all, delete-orphan"
    )
    documents: Mapped[list[AssociationDocument]] = relationship(
        back_populates="association", cascade="all, delete-orphan",
        order_by="AssociationDocument.year.desc()"
    )

    __table_args__ = (
        CheckConstraint("founded_year IS NULL OR founded_year BETWEEN 1600 AND 2200",
                        name="founded_year_range"),
        CheckConstraint("orgnr IS NOT NULL OR legal_form = 'network'", name="orgnr_required"),
        Index("ix_associations_public", "is_public", "register_state"),
        Index("ix_associations_directory", "is_public", "register_state", "sort_key"),
    )

    def __repr__(self) -> str:
        return f"<Association {self.id} {self.name}>"

    @property
    def orgnr_display(self) -> str:
        return f"{self.orgnr[:6]}-{self.orgnr[6:]}" if self.orgnr else ""


class AssociationLanguage(db.Model):
    """A language used in the association's activities (ISO 639-1 code, e.g. ``sv``, ``ar``)."""

    __tablename__ = "association_languages"

    association_id: Mapped[int] = mapped_column(
        ForeignKey("associations.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(8), primary_key=True, index=True)


class MemberCount(db.Model):
    """How many members in one age band and gender in one year – counts, never persons."""

    __tablename__ = "member_counts"

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = mapped_column(ForeignKey("associations.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    age_band: Mapped[AgeBand] = mapped_column(enum_type(AgeBand, length=10))
    gender: Mapped[Gender] = mapped_column(enum_type(Gender, length=10))
    count: Mapped[int] = mapped_column(Integer)

    association: Mapped[Association] = relationship(back_populates="member_counts")

    __table_args__ = (
        UniqueConstraint("association_id", "year", "age_band", "gender"),
        CheckConstraint("count >= 0", name="count_not_negative"),
    )


class BoardMember(db.Model):
    """A board member as the association reports it: name, role, email – no personnummer."""

    __tablename__ = "board_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = mapped_column(
        ForeignKey("associations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(80))
    email: Mapped[str | None] = mapped_column(String(254))

    association: Mapped[Association] = relationship(back_populates="board_members")


class AssociationDocument(db.Model):
    """A document for a year: stadgar, årsmötesprotokoll, verksamhetsberättelse …"""

    __tablename__ = "association_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = mapped_column(
        ForeignKey("associations.id", ondelete="CASCADE"), index=True
    )
    year: Mapped[int] = mapped_column(Integer)
    doc_type: Mapped[DocumentType] = mapped_column(enum_type(DocumentType))
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id", ondelete="RESTRICT"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    association: Mapped[Association] = relationship(back_populates="documents")
    file: Mapped[StoredFile] = relationship()


class RegisterSettings(db.Model):
    """Register-wide settings an administrator may change (a single row)."""

    __tablename__ = "register_settings"
    __table_args__ = {"info": {"reference_data": True}}  # seeded by migration 0003

    id: Mapped[int] = mapped_column(primary_key=True)
    # The annual update is due this many days after 1 January (default: 30 April).
    annual_update_due_month: Mapped[int] = mapped_column(Integer, default=4)
    annual_update_due_day: Mapped[int] = mapped_column(Integer, default=30)
    # Days after the due date before an association is spärrad.
    grace_period_days: Mapped[int] = mapped_column(Integer, default=60)
    # Days before the due date when the first reminder is sent.
    reminder_days_before: Mapped[int] = mapped_column(Integer, default=30)

    def due_date(self, year: int) -> date:
        return date(year, self.annual_update_due_month, self.annual_update_due_day)


__all__ = [
    "AgeBand", "Association", "AssociationDocument", "AssociationLanguage", "BoardMember",
    "Category", "District", "DocumentType", "Gender", "LegalForm", "MemberCount",
    "RegisterSettings", "RegisterState", "TargetGroup",
]


# --- The register's workflow: annual updates, completion requests, sensitive changes, people --

class BoardRole(RichStrEnum):
    """The roles a board member can have (stored as the value in ``BoardMember.role``)."""

    CHAIR = "chair", _l("Ordförande")
    VICE_CHAIR = "vice_chair", _l("Vice ordförande")
    TREASURER = "treasurer", _l("Kassör")
    SECRETARY = "secretary", _l("Sekreterare")
    MEMBER = "member", _l("Ledamot")
    DEPUTY = "deputy", _l("Suppleant")

    @classmethod
    def label_of(cls, value: str) -> str:
        try:
            return cls(value).label
        except ValueError:
            return value


class AnnualUpdate(db.Model):
    """One association's annual update for one year; its state is its case's state.

    The member counts and documents it reports are stored as :class:`MemberCount` and
    :class:`AssociationDocument` rows of that year; ``approved_at`` is set when an officer
    approves the case (the status function reads it).
    """

    __tablename__ = "annual_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = mapped_column(
        ForeignKey("associations.id", ondelete="CASCADE"), index=True
    )
    year: Mapped[int] = mapped_column(Integer)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="RESTRICT"),
                                         unique=True)
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    association: Mapped[Association] = relationship()
    case: Mapped[Case] = relationship(lazy="joined")

    __table_args__ = (UniqueConstraint("association_id", "year"),)


class SensitiveChange(db.Model):
    """A requested change of organisationsnummer or payment details (they redirect money).

    Holds the values before and after; nothing changes on the association until an officer
    approves the case (``applied_at``).
    """

    __tablename__ = "association_change_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="RESTRICT"),
                                         unique=True)
    association_id: Mapped[int] = mapped_column(
        ForeignKey("associations.id", ondelete="CASCADE"), index=True
    )
    old_orgnr: Mapped[str | None] = mapped_column(String(10))
    new_orgnr: Mapped[str | None] = mapped_column(String(10))
    old_bankgiro: Mapped[str | None] = mapped_column(String(9))
    new_bankgiro: Mapped[str | None] = mapped_column(String(9))
    old_plusgiro: Mapped[str | None] = mapped_column(String(10))
    new_plusgiro: Mapped[str | None] = mapped_column(String(10))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    association: Mapped[Association] = relationship()
    case: Mapped[Case] = relationship(lazy="joined")

    def changed_fields(self) -> list[str]:
        return [name for name in ("orgnr", "bankgiro", "plusgiro")
                if getattr(self, f"old_{name}") != getattr(self, f"new_{name}")]


class ReminderKind(RichStrEnum):
    BEFORE = "before", _l("Påminnelse före sista dag")
    OVERDUE = "overdue", _l("Sista dagen har passerat")
    BLOCKED = "blocked", _l("Föreningen är spärrad")


class AnnualUpdateReminder(db.Model):
    """Which reminder about which year's annual update was sent to which association.

    The primary key makes ``flask lok remind`` idempotent: a reminder is sent only when its
    row could be inserted, in the same transaction as the mail is queued.
    """

    __tablename__ = "annual_update_reminders"

    association_id: Mapped[int] = mapped_column(
        ForeignKey("associations.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[ReminderKind] = mapped_column(enum_type(ReminderKind, length=10),
                                               primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AssociationInvitation(db.Model):
    """An invitation by email to represent an association in the given roles.

    Only the SHA-256 of the single-use token is stored; the token exists only in the email.
    """

    __tablename__ = "association_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = mapped_column(
        ForeignKey("associations.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_signatory: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    association: Mapped[Association] = relationship()
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and \
            self.expires_at > utcnow()


__all__ += [  # the register workflow's models
    "AnnualUpdate", "AnnualUpdateReminder", "AssociationInvitation", "BoardRole",
    "CompletionRequest", "ReminderKind", "SensitiveChange",
]
