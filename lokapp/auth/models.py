"""Users, global staff roles, staff areas, association memberships and one-time tokens."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, false, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lokapp.core.time import utcnow
from lokapp.core.types import RichStrEnum, UTCDateTime, enum_type
from lokapp.extensions import db

if TYPE_CHECKING:  # pragma: no cover
    pass


class GlobalRole(RichStrEnum):
    OFFICER = "officer", _l("Handläggare"), "info"
    SUPERVISOR = "supervisor", _l("Chef/attestant"), "info"
    COORDINATOR = "coordinator", _l("LÖK-samordnare"), "info"
    ADMIN = "admin", _l("Administratör"), "warning"


STAFF_ROLES = (GlobalRole.OFFICER, GlobalRole.SUPERVISOR, GlobalRole.COORDINATOR, GlobalRole.ADMIN)


class StaffArea(RichStrEnum):
    REGISTER = "register", _l("Föreningsregister")
    GRANTS = "grants", _l("Bidrag")
    BOOKINGS = "bookings", _l("Lokalbokning")
    EVENTS = "events", _l("Evenemang")
    DIALOG = "dialog", _l("Dialog och synpunkter")


class AssociationRole(RichStrEnum):
    ADMINISTRATOR = "administrator", _l("Administratör för föreningen")
    CHAIR = "chair", _l("Ordförande")
    TREASURER = "treasurer", _l("Kassör")
    CONTACT = "contact", _l("Kontaktperson")
    BOOKING_MANAGER = "booking_manager", _l("Bokningsansvarig")
    GRANT_MANAGER = "grant_manager", _l("Bidragsansvarig")


class TokenPurpose(RichStrEnum):
    VERIFY_EMAIL = "verify_email", _l("Bekräfta e-postadress")
    RESET_PASSWORD = "reset_password", _l("Återställ lösenord")


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(40))
    # Staff only: title shown in decision letters, and the delegation limit in whole SEK.
    title: Mapped[str | None] = mapped_column(String(120))
    delegation_limit_sek: Mapped[int | None] = mapped_column(Integer)
    is_disabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Bumped on password change/reset: every other session of the user ends.
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    roles: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    areas: Mapped[list[UserArea]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    memberships: Mapped[list[AssociationMember]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"

    # Flask-Login: the session id carries the version so a reset ends old sessions.
    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return not self.is_disabled

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def role_names(self) -> set[str]:
        return {r.role.value for r in self.roles}

    @property
    def area_names(self) -> set[str]:
        return {a.area.value for a in self.areas}

    def has_role(self, role: str) -> bool:
        return str(role) in self.role_names

    def has_any_role(self, *roles: str) -> bool:
        return bool(self.role_names & {str(r) for r in roles})

    @property
    def is_staff(self) -> bool:
        return bool(self.roles)

    def has_area(self, area: str) -> bool:
        return str(area) in self.area_names

    def may_decide_amount(self, amount_sek: int) -> bool:
        return self.delegation_limit_sek is not None and amount_sek <= self.delegation_limit_sek

    @staticmethod
    def normalise_email(email: str) -> str:
        return email.strip().lower()

    @classmethod
    def select_by_email(cls, email: str):
        return select(cls).where(func.lower(cls.email) == cls.normalise_email(email))


class UserRole(db.Model):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    role: Mapped[GlobalRole] = mapped_column(enum_type(GlobalRole), primary_key=True)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="roles")


class UserArea(db.Model):
    __tablename__ = "user_areas"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    area: Mapped[StaffArea] = mapped_column(enum_type(StaffArea), primary_key=True)

    user: Mapped[User] = relationship(back_populates="areas")


class AssociationMember(db.Model):
    """A person's link to an association, with their roles there and the firmatecknare flag."""

    __tablename__ = "association_members"
    __table_args__ = (UniqueConstraint("user_id", "association_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    association_id: Mapped[int] = mapped_column(
        ForeignKey("associations.id", ondelete="CASCADE"), index=True
    )
    is_signatory: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    roles: Mapped[list[AssociationMemberRole]] = relationship(
        back_populates="member", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def role_names(self) -> set[str]:
        return {r.role.value for r in self.roles}


class AssociationMemberRole(db.Model):
    __tablename__ = "association_member_roles"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("association_members.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[AssociationRole] = mapped_column(enum_type(AssociationRole), primary_key=True)

    member: Mapped[AssociationMember] = relationship(back_populates="roles")


class AuthToken(db.Model):
    """A single-use, time-limited token for email verification or password reset.

    Only the SHA-256 of the token is stored; the token itself exists only in the email.
    """

    __tablename__ = "auth_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(enum_type(TokenPurpose))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
