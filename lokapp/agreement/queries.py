"""Read-side helpers for the LÖK, also used by other domains.

For the register's status function and the directory's "LÖK signatory" filter::

    current_version()                     # the version in force today (Stockholm), or None
    has_signed_current(association_id)    # -> bool
    signed_current_select()               # select(association_id) of associations that have
                                          # signed the current version – use in .in_() / exists
    standing(association_id)              # signed current / signed earlier / not signed

"Current" is the published version with the latest ``effective_from`` on or before today's
date in Stockholm; a version published for a later date becomes current on that day by itself.
Every helper takes an optional ``today`` so tests and reports can ask about another day.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import contains_eager

from lokapp.agreement.models import (
    OPEN_STATES,
    AgreementSignature,
    AgreementVersion,
    SignatureState,
)
from lokapp.associations.models import Association, RegisterState
from lokapp.auth.models import AssociationMember, User
from lokapp.core.time import today_local
from lokapp.core.types import RichStrEnum
from lokapp.extensions import db

# --- versions -----------------------------------------------------------------------------------


def published_versions_select() -> Select:
    """Published versions, newest first."""
    return (select(AgreementVersion)
            .where(AgreementVersion.published_at.is_not(None))
            .order_by(AgreementVersion.effective_from.desc(), AgreementVersion.id.desc()))


def current_version_select(today: date | None = None) -> Select:
    """``select(AgreementVersion)`` of the version in force on ``today`` (one row or none)."""
    return (published_versions_select()
            .where(AgreementVersion.effective_from <= (today or today_local()))
            .limit(1))


def current_version_id_subquery(today: date | None = None):
    """The current version's id as a scalar subquery, to embed in a larger statement."""
    return (current_version_select(today).with_only_columns(AgreementVersion.id)
            .scalar_subquery())


def current_version(today: date | None = None) -> AgreementVersion | None:
    return db.session.scalar(current_version_select(today))


def upcoming_versions(today: date | None = None) -> list[AgreementVersion]:
    """Published versions that take effect after ``today``, soonest first."""
    return list(db.session.scalars(
        select(AgreementVersion)
        .where(AgreementVersion.published_at.is_not(None),
               AgreementVersion.effective_from > (today or today_local()))
        .order_by(AgreementVersion.effective_from, AgreementVersion.id)
    ))


def latest_published_version() -> AgreementVersion | None:
    """The published version with the latest effective date, current or upcoming."""
    return db.session.scalar(published_versions_select().limit(1))


def all_versions_select() -> Select:
    """Drafts first (newest first), then published versions newest first – for coordinators."""
    return select(AgreementVersion).order_by(
        AgreementVersion.published_at.is_not(None),
        AgreementVersion.effective_from.desc(),
        AgreementVersion.id.desc(),
    )


# --- signatures ---------------------------------------------------------------------------------


def signed_current_select(today: date | None = None) -> Select:
    """``select(association_id)`` of associations with a (not withdrawn) signature of the
    current version. One statement, usable as ``Association.id.in_(signed_current_select())``.
    """
    return select(AgreementSignature.association_id).where(
        AgreementSignature.state == SignatureState.SIGNED,
        AgreementSignature.version_id == current_version_id_subquery(today),
    )


def has_signed_current(association_id: int, today: date | None = None) -> bool:
    return bool(db.session.scalar(select(exists(
        signed_current_select(today).where(AgreementSignature.association_id == association_id)
    ))))


class Standing(RichStrEnum):
    SIGNED_CURRENT = "signed_current", _l("Har undertecknat den gällande LÖK:en"), "success"
    SIGNED_EARLIER = "signed_earlier", _l("Har undertecknat en tidigare version"), "warning"
    NOT_SIGNED = "not_signed", _l("Har inte undertecknat LÖK:en"), "neutral"


@dataclass(frozen=True)
class AssociationStanding:
    standing: Standing
    current: AgreementVersion | None
    # The association's latest (not withdrawn) signature, of any version.
    latest: AgreementSignature | None


def standing(association_id: int, today: date | None = None) -> AssociationStanding:
    """Where the association stands with the LÖK (two queries)."""
    current = current_version(today)
    latest = db.session.scalar(
        select(AgreementSignature)
        .join(AgreementVersion, AgreementSignature.version_id == AgreementVersion.id)
        .where(AgreementSignature.association_id == association_id,
               AgreementSignature.state == SignatureState.SIGNED)
        .order_by(AgreementVersion.effective_from.desc(), AgreementSignature.signed_at.desc())
        .limit(1)
    )
    if latest is None:
        result = Standing.NOT_SIGNED
    elif current is not None and latest.version_id == current.id:
        result = Standing.SIGNED_CURRENT
    else:
        result = Standing.SIGNED_EARLIER
    return AssociationStanding(result, current, latest)


def history_select(association_id: int) -> Select:
    """All signatures of an association, newest first (the version is joined in)."""
    return (select(AgreementSignature)
            .where(AgreementSignature.association_id == association_id)
            .order_by(AgreementSignature.created_at.desc(), AgreementSignature.id.desc()))


def open_signature(association_id: int, version_id: int) -> AgreementSignature | None:
    """The prepared or signed signing of this version, if any."""
    return db.session.scalar(
        select(AgreementSignature).where(
            AgreementSignature.association_id == association_id,
            AgreementSignature.version_id == version_id,
            AgreementSignature.state.in_(OPEN_STATES),
        )
    )


def signed_signatures(association_id: int) -> list[AgreementSignature]:
    """The association's signatures that stand (signed, not withdrawn), of any version."""
    return list(db.session.scalars(
        select(AgreementSignature)
        .where(AgreementSignature.association_id == association_id,
               AgreementSignature.state == SignatureState.SIGNED)
        .order_by(AgreementSignature.id)
    ))


@dataclass(frozen=True)
class Signatory:
    association_id: int
    name: str
    is_public: bool
    signed_at: datetime

    @property
    def directory_path(self) -> str:
        """The association's page in the public directory."""
        return f"/foreningar/{self.association_id}"


def signatories(version: AgreementVersion) -> list[Signatory]:
    """Registered associations with a standing signature of ``version``, sorted by name the
    Swedish way. One query, whatever the number of signatories."""
    rows = db.session.execute(
        select(Association.id, Association.name, Association.is_public,
               AgreementSignature.signed_at)
        .join(AgreementSignature, AgreementSignature.association_id == Association.id)
        .where(AgreementSignature.version_id == version.id,
               AgreementSignature.state == SignatureState.SIGNED,
               Association.register_state == RegisterState.REGISTERED)
    ).all()
    result = [Signatory(row.id, row.name, bool(row.is_public), row.signed_at) for row in rows]
    return sorted(result, key=lambda s: (swedish_sort_key(s.name), s.association_id))


def signature_counts() -> dict[int, int]:
    """``{version_id: number of standing signatures}``."""
    rows = db.session.execute(
        select(AgreementSignature.version_id, func.count())
        .where(AgreementSignature.state == SignatureState.SIGNED)
        .group_by(AgreementSignature.version_id)
    ).all()
    return {version_id: count for version_id, count in rows}


# --- people -------------------------------------------------------------------------------------


def members_of(association_id: int) -> list[AssociationMember]:
    """The association's representatives with their accounts (one query)."""
    return list(db.session.scalars(
        select(AssociationMember)
        .join(User, AssociationMember.user_id == User.id)
        .where(AssociationMember.association_id == association_id)
        .options(contains_eager(AssociationMember.user))
        .order_by(User.name, User.id)
    ))


def associations_of(user) -> list[tuple[int, str]]:
    """``(id, name)`` of the associations ``user`` represents, by name."""
    if not getattr(user, "is_authenticated", False):
        return []
    rows = db.session.execute(
        select(Association.id, Association.name)
        .join(AssociationMember, AssociationMember.association_id == Association.id)
        .where(AssociationMember.user_id == user.id)
    ).all()
    return sorted(((row.id, row.name) for row in rows), key=lambda r: swedish_sort_key(r[1]))


# --- sorting ------------------------------------------------------------------------------------

# Swedish alphabetical order: å, ä, ö after z; other accented letters with their base letter
# (é as e), ü as y, as in Svenska Akademiens ordlista.
_SWEDISH = str.maketrans({"å": "{", "ä": "|", "ö": "}", "æ": "|", "ø": "}", "ü": "y"})


def swedish_sort_key(name: str) -> str:
    folded = unicodedata.normalize("NFC", name.casefold()).translate(_SWEDISH)
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# --- one association's signing, for the permission checks and the association page -------------


@dataclass
class SigningState:
    """Everything the signing rules look at for one association, loaded once."""

    association: Association
    version: AgreementVersion | None  # the current version
    open_signature: AgreementSignature | None  # prepared or signed, of the current version
    signed: list[AgreementSignature]  # standing signatures of any version
    members: list[AssociationMember]

    def member(self, user) -> AssociationMember | None:
        if not getattr(user, "is_authenticated", False):
            return None
        return next((m for m in self.members if m.user_id == user.id), None)

    @property
    def is_registered(self) -> bool:
        return self.association.register_state == RegisterState.REGISTERED

    @property
    def prepared(self) -> AgreementSignature | None:
        sig = self.open_signature
        return sig if sig is not None and sig.state == SignatureState.PREPARED else None

    @property
    def signed_current(self) -> AgreementSignature | None:
        sig = self.open_signature
        return sig if sig is not None and sig.state == SignatureState.SIGNED else None

    @property
    def standing(self) -> Standing:
        if self.signed_current is not None:
            return Standing.SIGNED_CURRENT
        return Standing.SIGNED_EARLIER if self.signed else Standing.NOT_SIGNED

    @property
    def signatories(self) -> list[AssociationMember]:
        """The association's firmatecknare with an active account."""
        return [m for m in self.members if m.is_signatory and not m.user.is_disabled]


def signing_state(association: Association, today: date | None = None) -> SigningState:
    version = current_version(today)
    return SigningState(
        association=association,
        version=version,
        open_signature=open_signature(association.id, version.id) if version else None,
        signed=signed_signatures(association.id),
        members=members_of(association.id),
    )
