"""Grant queries; they return ``select(...)`` so views can paginate."""
from __future__ import annotations

from sqlalchemy import select

from lokapp.grants.models import GrantProgramme


def active_programmes():
    return select(GrantProgramme).where(GrantProgramme.is_active.is_(True)) \
        .order_by(GrantProgramme.name_sv)


def all_programmes():
    return select(GrantProgramme).order_by(GrantProgramme.is_active.desc(), GrantProgramme.name_sv)
