"""Shared helpers for the directory and open-data tests: listed associations, reference rows,
LÖK signatures."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from lokapp.associations.models import (
    AssociationLanguage,
    BoardMember,
    District,
    MemberCount,
    TargetGroup,
)
from lokapp.core.time import utcnow
from lokapp.extensions import db


@pytest.fixture
def listed(make_association):
    """``listed(name, description, districts=("backby",), target_groups=(...), languages=(...),
    **columns)`` – a registered association in the public directory."""

    def _make(name: str | None = None, description: str = "En förening i Västerås.", *,
              districts=(), target_groups=(), languages=(), **columns):
        columns.setdefault("is_public", True)
        association = make_association(name, description=description, **columns)
        if districts:
            association.districts = list(db.session.scalars(
                select(District).where(District.key.in_(districts))))
        if target_groups:
            association.target_groups = list(db.session.scalars(
                select(TargetGroup).where(TargetGroup.key.in_(target_groups))))
        association.languages = [AssociationLanguage(code=code) for code in languages]
        db.session.flush()
        return association

    return _make


@pytest.fixture
def with_private_data():
    """Give an association data that must never be published."""

    def _add(association):
        association.bankgiro = "50501055"
        association.street_address = "Hemliga gatan 12"
        association.board_members = [BoardMember(name="Styrelse Ledamotsson", role="chair",
                                                 email="ledamot@privat.example")]
        association.member_counts = [MemberCount(year=2025, age_band="26-64", gender="woman",
                                                 count=4321)]
        db.session.flush()
        return association

    return _add


@pytest.fixture
def sign_lok():
    """Record a standing signature of the current LÖK for an association."""

    def _sign(association):
        from lokapp.agreement.models import AgreementSignature, SignatureState
        from lokapp.agreement.queries import current_version

        version = current_version()
        assert version is not None, "migrations seed the current LÖK version"
        signature = AgreementSignature(
            association_id=association.id, version_id=version.id, state=SignatureState.SIGNED,
            signed_at=utcnow(), signed_by_name="Test Firmatecknare",
            signed_checksum=version.checksum)
        db.session.add(signature)
        db.session.flush()
        return signature

    return _sign


