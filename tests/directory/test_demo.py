"""Demo associations: realistic, varied, valid – and idempotent."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select
from stdnum.se import orgnr as stdnum_orgnr

from lokapp.associations import demo
from lokapp.associations.models import (
    Association,
    BoardMember,
    Category,
    MemberCount,
    RegisterState,
)
from lokapp.associations.queries import signatory_ids
from lokapp.auth.demo import load_demo_users
from lokapp.auth.models import AssociationMember, AssociationRole, User
from lokapp.core.time import today_local
from lokapp.extensions import db

pytestmark = pytest.mark.usefixtures("demo_password_hashed_once")


def _snapshot() -> dict[str, int]:
    def count(model) -> int:
        return db.session.scalar(select(func.count()).select_from(model))

    from lokapp.agreement.models import AgreementSignature

    return {"associations": count(Association), "board": count(BoardMember),
            "member_counts": count(MemberCount), "members": count(AssociationMember),
            "users": count(User), "signatures": count(AgreementSignature),
            "updated": hash(tuple(db.session.scalars(select(Association.updated_at)
                                                     .order_by(Association.id))))}


def test_demo_associations(db):
    load_demo_users()
    lines = demo.load_demo_associations()
    db.session.flush()
    total = len(demo.DEMO_ASSOCIATIONS)
    assert 38 <= total <= 45
    assert lines[0] == f"föreningar: {total} skapade, 0 återställda, 0 oförändrade"

    associations = db.session.scalars(select(Association)
                                      .where(Association.name.in_(
                                          [d.name for d in demo.DEMO_ASSOCIATIONS]))).all()
    assert len(associations) == total
    categories = set(db.session.scalars(select(Category.key)))
    assert {a.category.key for a in associations} == categories  # every category
    assert len({d.key for a in associations for d in a.districts}) >= 20
    assert {"sv", "ar", "so", "ti", "fi", "ku", "en"} <= {
        lang.code for a in associations for lang in a.languages}
    assert all(a.register_state == RegisterState.REGISTERED for a in associations)
    assert sum(a.is_public for a in associations) >= total - 4
    for association in associations:
        if association.orgnr is not None:
            assert stdnum_orgnr.is_valid(association.orgnr), association.orgnr
        assert association.board_members and association.member_counts
        assert association.search_name and association.sort_key
    year = today_local().year
    overdue = [a for a in associations if a.registered_at.year < year]
    assert len(overdue) == 5

    signed = signatory_ids(a.id for a in associations)
    assert len(signed) == 15

    representative = db.session.scalar(User.select_by_email(demo.REPRESENTATIVE_EMAIL))
    membership = db.session.scalar(select(AssociationMember).where(
        AssociationMember.user_id == representative.id))
    association = db.session.get(Association, membership.association_id)
    assert association.name == demo.REPRESENTATIVE_ASSOCIATION
    assert membership.is_signatory
    assert AssociationRole.ADMINISTRATOR.value in membership.role_names
    assert association.id in signed


def test_demo_associations_are_idempotent(db):
    load_demo_users()
    demo.load_demo_associations()
    db.session.flush()
    before = _snapshot()
    lines = demo.load_demo_associations()
    db.session.flush()
    assert lines == [f"föreningar: 0 skapade, 0 återställda, {len(demo.DEMO_ASSOCIATIONS)} "
                     "oförändrade"]
    assert _snapshot() == before


def test_demo_puts_back_what_was_changed(db):
    load_demo_users()
    demo.load_demo_associations()
    db.session.flush()
    association = db.session.scalar(select(Association).where(
        Association.orgnr == demo.demo_orgnr(1)))
    association.name = "Ändrat namn"
    association.districts = []
    db.session.flush()
    lines = demo.load_demo_associations()
    assert lines[0].startswith("föreningar: 0 skapade, 1 återställda")
    assert association.name == demo.DEMO_ASSOCIATIONS[0].name
    assert association.districts
