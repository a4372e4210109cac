"""Factories and login helpers: ``make_user(role=...)``, ``login_as(role)``."""
from __future__ import annotations

import itertools

import pytest

from lokapp.auth.models import GlobalRole, StaffArea, User, UserArea, UserRole
from lokapp.core.time import utcnow
from lokapp.extensions import db

_seq = itertools.count(1)

DEFAULT_PASSWORD = "Ett långt lösenord 2026"


def hash_password(password: str) -> str:
    from lokapp.auth.passwords import hash_password as _hash

    return _hash(password)


@pytest.fixture
def make_user(db):
    def _make(role: str | None = None, *, email: str | None = None, name: str | None = None,
              password: str = DEFAULT_PASSWORD, verified: bool = True,
              areas: tuple[str, ...] = (), delegation_limit_sek: int | None = None,
              disabled: bool = False) -> User:
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

    return _make


@pytest.fixture
def make_association(db):
    """A registered association (pass ``register_state=`` or any column to override)."""
    from lokapp.associations.models import Association, Category, LegalForm, RegisterState

    def _make(name: str | None = None, **kwargs):
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

    return _make


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
