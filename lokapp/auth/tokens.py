"""One-time tokens for email verification, password reset and staff invitations.

The token is ``secrets.token_urlsafe(32)`` (256 random bits) and exists only in the email; the
database keeps its SHA-256, so a leaked database cannot be used to take over accounts. A token is
single use (``used_at``) and time limited (``expires_at``). A staff invitation is a password-reset
token with a longer lifetime.
"""
from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from lokapp.auth.models import AuthToken, TokenPurpose, User
from lokapp.core.time import utcnow
from lokapp.extensions import db

VERIFY_LIFETIME = timedelta(hours=48)
RESET_LIFETIME = timedelta(hours=1)
INVITE_LIFETIME = timedelta(hours=72)

# token_urlsafe(32) gives 43 characters; anything much longer is not ours.
_MAX_TOKEN_LENGTH = 100


class TokenState(enum.Enum):
    VALID = "valid"
    EXPIRED = "expired"
    USED = "used"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class TokenCheck:
    state: TokenState
    token: AuthToken | None = None

    @property
    def is_valid(self) -> bool:
        return self.state is TokenState.VALID

    @property
    def user(self) -> User | None:
        return self.token.user if self.token is not None else None


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def issue(user: User, purpose: TokenPurpose, lifetime: timedelta) -> str:
    """Store the hash of a new token for ``user`` and return the token itself (for the link)."""
    raw = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(AuthToken(user=user, purpose=purpose, token_hash=hash_token(raw),
                             created_at=now, expires_at=now + lifetime))
    db.session.flush()
    return raw


def check(raw: str, purpose: TokenPurpose) -> TokenCheck:
    """Look a token up without changing anything (a GET may call this)."""
    if not raw or len(raw) > _MAX_TOKEN_LENGTH:
        return TokenCheck(TokenState.UNKNOWN)
    token = db.session.scalar(
        select(AuthToken).where(AuthToken.token_hash == hash_token(raw),
                                AuthToken.purpose == purpose)
    )
    if token is None or token.user.is_disabled:
        return TokenCheck(TokenState.UNKNOWN)
    if token.used_at is not None:
        return TokenCheck(TokenState.USED, token)
    if token.expires_at <= utcnow():
        return TokenCheck(TokenState.EXPIRED, token)
    return TokenCheck(TokenState.VALID, token)


def consume(token: AuthToken) -> bool:
    """Mark ``token`` used; ``False`` if another request used it first (single use, race-safe)."""
    now = utcnow()
    result = db.session.execute(
        update(AuthToken)
        .where(AuthToken.id == token.id, AuthToken.used_at.is_(None), AuthToken.expires_at > now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    set_committed_value(token, "used_at", now)
    return True


def use_all(user: User, purpose: TokenPurpose) -> None:
    """Mark every unused token of ``user`` for ``purpose`` as used (the one just used included)."""
    db.session.execute(
        update(AuthToken)
        .where(AuthToken.user_id == user.id, AuthToken.purpose == purpose,
               AuthToken.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
