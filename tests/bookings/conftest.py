"""Fixtures for premises booking."""
from __future__ import annotations

import pytest

from tests.bookings.helpers import add_member, build_premises


@pytest.fixture
def make_premises(db):
    return build_premises


@pytest.fixture
def booking_manager(db, make_user, make_association):
    """``(user, association)``: a booking manager (or ``role``) of a registered association."""
    def _make(role: str = "booking_manager", **association_columns):
        user = make_user()
        association = make_association(**association_columns)
        add_member(user, association, role)
        return user, association

    return _make
