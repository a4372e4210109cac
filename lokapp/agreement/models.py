"""Agreement versions and associations' signatures."""
from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lokapp.core.time import utcnow
from lokapp.core.types import RichStrEnum, UTCDateTime, enum_type
from lokapp.extensions import db

if TYPE_CHECKING:  # pragma: no cover
    from lokapp.associations.models import Association
    from lokapp.auth.models import User


def normalise_body(body: str) -> str:
    """The canonical form of an agreement text, the form its checksum is taken of.

    Unicode NFC, ``\\n`` line ends, no trailing spaces, at most one blank line in a row, no
    blank lines at the start or end, one final newline. Only whitespace changes: the words,
    their order and their punctuation are the coordinator's.
    """
    body = unicodedata.normalize("NFC", body).replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in body.split("\n")]
    collapsed = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
    return collapsed + "\n" if collapsed else ""


def checksum_of(body: str) -> str:
    """SHA-256 (hex) of the UTF-8 body – what a signature records it signed."""
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


class VersionStatus(RichStrEnum):
    DRAFT = "draft", _l("Utkast"), "warning"
    UPCOMING = "upcoming", _l("Kommande"), "info"
    CURRENT = "current", _l("Gällande"), "success"
    SUPERSEDED = "superseded", _l("Tidigare version"), "neutral"


class AgreementVersion(db.Model):
    """One text of the LÖK. Drafts may change; a published version never does."""

    __tablename__ = "agreement_versions"
    __table_args__ = (
        CheckConstraint("published_at IS NOT NULL OR resign_requested_at IS NULL",
                        name="resign_only_when_published"),
        {"info": {"reference_data": True}},  # the 2018–2024 text is seeded by migration 0004
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    period_label: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
    checksum: Mapped[str] = mapped_column(String(64))
    effective_from: Mapped[date] = mapped_column(Date, index=True)
    # Who adopted the text, e.g. "Kommunstyrelsen" (fastställd av).
    adopted_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    # When the signatories of earlier versions were asked to sign this one (once, when it
    # became current); see services.request_resigning.
    resign_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])

    def __repr__(self) -> str:
        return f"<AgreementVersion {self.id} {self.period_label}>"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def is_draft(self) -> bool:
        return self.published_at is None

    def status(self, current_id: int | None, today: date) -> VersionStatus:
        """Draft, upcoming, current or superseded, given the current version's id."""
        if self.is_draft:
            return VersionStatus.DRAFT
        if self.id == current_id:
            return VersionStatus.CURRENT
        if self.effective_from > today:
            return VersionStatus.UPCOMING
        return VersionStatus.SUPERSEDED


class SignatureState(RichStrEnum):
    PREPARED = "prepared", _l("Förberedd – väntar på firmatecknare"), "info"
    SIGNED = "signed", _l("Undertecknad"), "success"
    WITHDRAWN = "withdrawn", _l("Återkallad"), "neutral"
    CANCELLED = "cancelled", _l("Förberedelsen avbröts"), "neutral"


OPEN_STATES = (SignatureState.PREPARED, SignatureState.SIGNED)


class AgreementSignature(db.Model):
    """An association's signing of one version: prepared → signed → (withdrawn).

    A prepared signing that nobody signs can be cancelled. Rows are never deleted; names are
    copied at the time of each step so the record stays readable if an account goes away.
    """

    __tablename__ = "agreement_signatures"

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = mapped_column(
        ForeignKey("associations.id", ondelete="RESTRICT"), index=True
    )
    version_id: Mapped[int] = mapped_column(
        ForeignKey("agreement_versions.id", ondelete="RESTRICT"), index=True
    )
    state: Mapped[SignatureState] = mapped_column(enum_type(SignatureState, length=20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    prepared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    prepared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    prepared_by_name: Mapped[str | None] = mapped_column(String(120))

    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    signed_by_name: Mapped[str | None] = mapped_column(String(120))
    signed_from_ip: Mapped[str | None] = mapped_column(String(45))
    # The version's checksum at the moment of signing: what exactly was signed.
    signed_checksum: Mapped[str | None] = mapped_column(String(64))

    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    withdrawn_by_name: Mapped[str | None] = mapped_column(String(120))
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)

    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    cancelled_by_name: Mapped[str | None] = mapped_column(String(120))

    version: Mapped[AgreementVersion] = relationship(lazy="joined")
    association: Mapped[Association] = relationship()

    __table_args__ = (
        # At most one prepared-or-signed signing per association and version.
        Index("uq_agreement_signatures_open", "association_id", "version_id", unique=True,
              sqlite_where=text("state IN ('prepared', 'signed')"),
              postgresql_where=text("state IN ('prepared', 'signed')")),
        CheckConstraint("state NOT IN ('signed', 'withdrawn') OR (signed_at IS NOT NULL AND "
                        "signed_checksum IS NOT NULL)", name="signed_has_record"),
        CheckConstraint("state <> 'withdrawn' OR withdrawn_at IS NOT NULL",
                        name="withdrawn_has_time"),
        CheckConstraint("state <> 'cancelled' OR cancelled_at IS NOT NULL",
                        name="cancelled_has_time"),
    )

    def __repr__(self) -> str:
        return f"<AgreementSignature {self.id} {self.association_id} v{self.version_id} {self.state}>"

    @property
    def checksum_matches(self) -> bool:
        return self.signed_checksum is not None and self.signed_checksum == self.version.checksum
