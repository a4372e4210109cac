"""Account use cases: register, verify, log in, passwords, the account page, staff accounts.

Every function changes state, writes the audit log and queues mail in the caller's transaction:
it flushes and never commits. Nothing here reveals to an anonymous caller whether an email
address has an account – registering with a taken address and asking for a reset link answer the
same way; the owner of the address gets a mail instead.
"""
from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app, has_request_context, request, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from lokapp.auth import tokens
from lokapp.auth.models import GlobalRole, StaffArea, TokenPurpose, User, UserArea, UserRole
from lokapp.auth.passwords import (
    burn_verification_time,
    has_usable_password,
    hash_password,
    needs_rehash,
    unusable_password,
    verify_password,
)
from lokapp.core import audit
from lokapp.core.mail import queue_mail
from lokapp.core.time import utcnow
from lokapp.extensions import db


def absolute_url(endpoint: str, **values) -> str:
    """A link for a mail: ``SERVER_BASE_URL`` + the route's path.

    Never built from the request's Host header, which a client controls (a forged Host would
    otherwise put an attacker's domain into a password-reset link).
    """
    path = url_for(endpoint, **values)
    root = request.script_root if has_request_context() else ""
    if root and path.startswith(root):
        path = path[len(root):]
    return current_app.config["SERVER_BASE_URL"].rstrip("/") + path


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(User.select_by_email(email))


# --- Registration and verification ----------------------------------------------------------


def register(*, name: str, email: str, password: str) -> User | None:
    """Create an unverified account and mail a verification link.

    A taken address creates nothing: the owner gets a mail (a fresh verification link if the
    account was never verified) and the caller shows the same page as on success. Returns the new
    user, or ``None`` when the address was taken.
    """
    email = User.normalise_email(email)
    password_hash = hash_password(password)  # also for a taken address: same time either way
    existing = find_user_by_email(email)
    if existing is None:
        user = User(email=email, name=name, password_hash=password_hash, created_at=utcnow())
        try:
            with db.session.begin_nested():
                db.session.add(user)
        except IntegrityError:  # registered by a concurrent request a moment ago
            existing = find_user_by_email(email)
        else:
            audit.record("auth.registered", user, actor=user)
            send_verification(user)
            return user
    _notify_existing_owner(existing)
    return None


def _notify_existing_owner(user: User | None) -> None:
    if user is None or user.is_disabled:
        return
    audit.record("auth.register_attempt_existing", user, actor=None)
    if not user.is_verified:
        send_verification(user)
        return
    queue_mail(
        to=user.email,
        subject=_("Någon försökte skapa ett konto med din e-postadress"),
        template="mail/auth_register_exists",
        context={"name": user.name, "login_link": absolute_url("auth.login"),
                 "reset_link": absolute_url("auth.forgot_password")},
        related=("users", user.id),
    )


def send_verification(user: User) -> None:
    raw = tokens.issue(user, TokenPurpose.VERIFY_EMAIL, tokens.VERIFY_LIFETIME)
    queue_mail(
        to=user.email,
        subject=_("Bekräfta din e-postadress"),
        template="mail/auth_verify",
        context={"name": user.name, "link": absolute_url("auth.verify_email", token=raw),
                 "hours": int(tokens.VERIFY_LIFETIME.total_seconds() // 3600)},
        related=("users", user.id),
    )


def resend_verification(email: str) -> None:
    """A new link for an unverified account; silently nothing for any other address."""
    user = find_user_by_email(email)
    if user is not None and not user.is_verified and not user.is_disabled:
        send_verification(user)


def verify_email(token: tokens.TokenCheck) -> User | None:
    """Use a valid verification token; ``None`` if it was used meanwhile."""
    if not token.is_valid or not tokens.consume(token.token):
        return None
    user = token.user
    tokens.use_all(user, TokenPurpose.VERIFY_EMAIL)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        audit.record("auth.email_verified", user, actor=user)
    db.session.flush()
    return user


# --- Logging in -----------------------------------------------------------------------------


class LoginOutcome(enum.Enum):
    OK = "ok"
    BAD_CREDENTIALS = "bad_credentials"
    UNVERIFIED = "unverified"
    DISABLED = "disabled"


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    user: User | None = None


def authenticate(email: str, password: str) -> LoginResult:
    """Check the credentials; record the login or the failure in the audit log.

    Whether an account is unverified or disabled is only told to someone who knows its password.
    """
    email = User.normalise_email(email)
    user = find_user_by_email(email)
    if user is None or not has_usable_password(user.password_hash):
        burn_verification_time(password)
        _login_failed(email, "unknown_email" if user is None else "no_password", user)
        return LoginResult(LoginOutcome.BAD_CREDENTIALS)
    if not verify_password(user.password_hash, password):
        _login_failed(email, "wrong_password", user)
        return LoginResult(LoginOutcome.BAD_CREDENTIALS)
    if user.is_disabled:
        _login_failed(email, "disabled", user)
        return LoginResult(LoginOutcome.DISABLED, user)
    if not user.is_verified:
        _login_failed(email, "unverified", user)
        return LoginResult(LoginOutcome.UNVERIFIED, user)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    audit.record("auth.login", user, actor=user)
    db.session.flush()
    return LoginResult(LoginOutcome.OK, user)


def _login_failed(email: str, reason: str, user: User | None) -> None:
    audit.record("auth.login_failed", user, actor=None, object_type="users",
                 email=email[:254], reason=reason)
    db.session.flush()


def record_logout(user: User) -> None:
    audit.record("auth.logout", user, actor=user)
    db.session.flush()


# --- Passwords ------------------------------------------------------------------------------


def request_password_reset(email: str) -> None:
    """Mail a reset link if the address has an active account; otherwise do nothing."""
    user = find_user_by_email(email)
    if user is None or user.is_disabled:
        return
    raw = tokens.issue(user, TokenPurpose.RESET_PASSWORD, tokens.RESET_LIFETIME)
    audit.record("auth.password_reset_requested", user, actor=None)
    queue_mail(
        to=user.email,
        subject=_("Återställ ditt lösenord"),
        template="mail/auth_reset",
        context={"name": user.name, "link": absolute_url("auth.reset_password", token=raw),
                 "minutes": int(tokens.RESET_LIFETIME.total_seconds() // 60)},
        related=("users", user.id),
    )


def reset_password(token: tokens.TokenCheck, new_password: str) -> User | None:
    """Set a new password with a valid reset (or invitation) token.

    Ends every other session (``session_version``), uses up all reset links of the user, and
    counts as a verified address – the link could only be read in that mailbox. ``None`` if the
    token was used by a concurrent request.
    """
    if not token.is_valid or not tokens.consume(token.token):
        return None
    user = token.user
    first_password = not has_usable_password(user.password_hash)
    _set_password(user, new_password)
    tokens.use_all(user, TokenPurpose.RESET_PASSWORD)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    audit.record("auth.password_set" if first_password else "auth.password_reset", user,
                 actor=user)
    db.session.flush()
    return user


def change_password(user: User, new_password: str) -> None:
    """The logged-in user's own change; other sessions end, and the owner is told by mail."""
    _set_password(user, new_password)
    tokens.use_all(user, TokenPurpose.RESET_PASSWORD)
    audit.record("auth.password_changed", user, actor=user)
    queue_mail(
        to=user.email,
        subject=_("Ditt lösenord har ändrats"),
        template="mail/auth_password_changed",
        context={"name": user.name, "reset_link": absolute_url("auth.forgot_password")},
        related=("users", user.id),
    )
    db.session.flush()


def _set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    user.session_version = (user.session_version or 1) + 1


def change_name(user: User, name: str) -> bool:
    if name == user.name:
        return False
    audit.record("auth.name_changed", user, actor=user, before=user.name, after=name)
    user.name = name
    db.session.flush()
    return True


# --- Staff accounts -------------------------------------------------------------------------


def create_staff(*, name: str, email: str, roles: Iterable[str], areas: Iterable[str] = (),
                 title: str | None = None, phone: str | None = None,
                 delegation_limit_sek: int | None = None, password: str | None = None,
                 send_invite: bool = True, via: str = "admin") -> User:
    """Create a staff account.

    Without ``password`` the account has no usable password and (with ``send_invite``) the person
    gets a mail with a link to choose one. A password given by an operator on the command line
    counts as a verified account.
    """
    user = User(
        email=User.normalise_email(email),
        name=name,
        title=title or None,
        phone=phone or None,
        delegation_limit_sek=delegation_limit_sek,
        password_hash=hash_password(password) if password else unusable_password(),
        email_verified_at=utcnow() if password else None,
        created_at=utcnow(),
    )
    set_roles(user, roles)
    set_areas(user, areas)
    db.session.add(user)
    db.session.flush()
    audit.record("admin.staff_created", user, via=via, **_snapshot(user))
    if send_invite:
        send_staff_invite(user)
    return user


def send_staff_invite(user: User) -> None:
    raw = tokens.issue(user, TokenPurpose.RESET_PASSWORD, tokens.INVITE_LIFETIME)
    audit.record("admin.staff_invited", user)
    queue_mail(
        to=user.email,
        subject=_("Välkommen till lokapp – välj ditt lösenord"),
        template="mail/auth_staff_invite",
        context={"name": user.name, "link": absolute_url("auth.reset_password", token=raw),
                 "hours": int(tokens.INVITE_LIFETIME.total_seconds() // 3600),
                 "roles": [GlobalRole(r).label for r in sorted(user.role_names)]},
        related=("users", user.id),
    )


def update_staff(user: User, *, name: str, title: str | None, phone: str | None,
                 roles: Iterable[str], areas: Iterable[str], delegation_limit_sek: int | None,
                 is_disabled: bool) -> dict[str, tuple]:
    """Apply an administrator's edit; returns ``{field: (before, after)}`` of what changed.

    Who may take whose admin role or disable whom is decided by the caller through
    ``lokapp.auth.permissions``.
    """
    before = _snapshot(user)
    user.name = name
    user.title = title or None
    user.phone = phone or None
    user.delegation_limit_sek = delegation_limit_sek
    set_roles(user, roles)
    set_areas(user, areas)
    if is_disabled and not user.is_disabled:
        user.session_version = (user.session_version or 1) + 1
    user.is_disabled = is_disabled
    db.session.flush()
    after = _snapshot(user)
    changed = {key: (before[key], after[key]) for key in before if before[key] != after[key]}
    if changed:
        audit.record("admin.staff_updated", user,
                     before={k: v[0] for k, v in changed.items()},
                     after={k: v[1] for k, v in changed.items()})
        db.session.flush()
    return changed


def set_roles(user: User, roles: Iterable[str]) -> None:
    wanted = {GlobalRole(r) for r in roles}
    user.roles[:] = [r for r in user.roles if r.role in wanted]
    have = {r.role for r in user.roles}
    for role in sorted(wanted - have):
        user.roles.append(UserRole(role=role, granted_at=utcnow()))


def set_areas(user: User, areas: Iterable[str]) -> None:
    wanted = {StaffArea(a) for a in areas}
    user.areas[:] = [a for a in user.areas if a.area in wanted]
    have = {a.area for a in user.areas}
    for area in sorted(wanted - have):
        user.areas.append(UserArea(area=area))


def _snapshot(user: User) -> dict:
    return {
        "name": user.name,
        "title": user.title,
        "phone": user.phone,
        "roles": sorted(r.role.value for r in user.roles),
        "areas": sorted(a.area.value for a in user.areas),
        "delegation_limit_sek": user.delegation_limit_sek,
        "is_disabled": bool(user.is_disabled),
    }
