"""Factories and login helpers: ``make_user(role=...)``, ``login_as(role)``.

The fixtures work in the rolled-back ``db``; tests with ``committing_db`` call the same
factories directly: ``new_user(...)``, ``new_association(...)``."""
from __future__ import annotations

import itertools

import pytest

from lokapp.auth.models import GlobalRole, StaffArea, User, UserArea, UserRole
from lokapp.core.time import utcnow
from lokapp.extensions import db

_seq = itertools.count(1)

DEFAULT_PASSWORD = "Ett långt lösenord 2026"
_DEMO_HASH: str | None = None


def hash_password(password: str) -> str:
    from lokapp.auth.passwords import hash_password as _hash

    return _hash(password)


def new_user(role: str | None = None, *, email: str | None = None, name: str | None = None,
             password: str = DEFAULT_PASSWORD, verified: bool = True,
             areas: tuple[str, ...] = (), delegation_limit_sek: int | None = None,
             disabled: bool = False) -> User:
    """A user with ``role`` (``resident`` or None = no staff role) and staff ``areas``, added
    to the current session and flushed. The ``make_user`` fixture; called directly in tests
    with ``committing_db``, where the rolled-back ``db`` fixture is not in use."""
    n = next(_seq)
    user = User(
        email=email or f"person{n}@example.se",
        name=name or f"Person {n}",
        password_hash=hash_password(password),
        email_verified_at=utcnow() if verified else None,
        delegation_limit_sek=delegation_limit_sek,
        is_disabled=disabled,
    )
    if role and role != "resident":
        user.roles.append(UserRole(role=GlobalRole(role)))
    for area in areas:
        user.areas.append(UserArea(area=StaffArea(area)))
    db.session.add(user)
    db.session.flush()
    return user


def new_association(name: str | None = None, **kwargs):
    """A registered association (pass ``register_state=`` or any column to override), added to
    the current session and flushed. The ``make_association`` fixture; called directly in
    tests with ``committing_db``."""
    from lokapp.associations.models import Association, Category, LegalForm, RegisterState

    n = next(_seq)
    category = kwargs.pop("category", None) or db.session.execute(
        db.select(Category).order_by(Category.sort_order)).scalars().first()
    association = Association(
        name=name or f"Förening {n}",
        orgnr=kwargs.pop("orgnr", None) or _valid_orgnr(n),
        legal_form=kwargs.pop("legal_form", LegalForm.NONPROFIT),
        category=category,
        description=kwargs.pop("description", "En förening i Västerås."),
        register_state=kwargs.pop("register_state", RegisterState.REGISTERED),
        registered_at=kwargs.pop("registered_at", utcnow()),
        **kwargs,
    )
    db.session.add(association)
    db.session.flush()
    return association


@pytest.fixture
def make_user(db):
    return new_user


@pytest.fixture
def make_association(db):
    """A registered association (pass ``register_state=`` or any column to override)."""
    return new_association


def _valid_orgnr(n: int) -> str:
    from stdnum import luhn

    base = f"80{n:07d}"
    return base + luhn.calc_check_digit(base)


@pytest.fixture
def login_as(client, make_user):
    """Log a new user with ``role`` in on ``client`` (``resident`` = no staff role)."""

    def _login(role: str = "resident", **kwargs) -> User:
        user = kwargs.pop("user", None) or make_user(role, **kwargs)
        db.session.commit()
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return user

    return _login


@pytest.fixture
def demo_password_hashed_once(monkeypatch):
    """The demo loaders (users, associations) get the demo password hashed once per test run,
    not once per demo account (argon2 is slow on purpose). For the demo tests:
    ``pytestmark = pytest.mark.usefixtures("demo_password_hashed_once")``."""
    global _DEMO_HASH
    if _DEMO_HASH is None:
        from lokapp.auth.demo import DEMO_PASSWORD

        _DEMO_HASH = hash_password(DEMO_PASSWORD)
    for module in ("lokapp.auth.demo", "lokapp.associations.demo"):
        monkeypatch.setattr(f"{module}.hash_password", lambda _password: _DEMO_HASH)
