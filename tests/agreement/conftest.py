"""Helpers for the LÖK tests: representatives, versions, signatures, the outbox."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from lokapp.agreement import services
from lokapp.agreement.models import AgreementSignature, AgreementVersion, SignatureState
from lokapp.auth.models import AssociationMember, AssociationMemberRole, AssociationRole
from lokapp.core.audit import AuditEvent
from lokapp.core.mail import OutboxMessage
from lokapp.core.time import today_local, utcnow


@pytest.fixture(autouse=True)
def _request_context(app):
    """Services build mail links and lazy Swedish texts: they need a request context."""
    with app.test_request_context():
        yield


@pytest.fixture
def seeded(db) -> AgreementVersion:
    """LÖK 2018–2024 as migration 0006 seeds it."""
    return db.session.scalar(select(AgreementVersion).where(
        AgreementVersion.period_label == "2018–2024"))


@pytest.fixture
def add_member(db):
    """``add_member(association, user, signatory=False, roles=("contact",))``."""

    def _add(association, user, *, signatory: bool = False,
             roles: tuple[str, ...] = ("contact",)) -> AssociationMember:
        member = AssociationMember(user_id=user.id, association_id=association.id,
                                   is_signatory=signatory)
        for role in roles:
            member.roles.append(AssociationMemberRole(role=AssociationRole(role)))
        db.session.add(member)
        db.session.flush()
        return member

    return _add


@pytest.fixture
def coordinator(make_user):
    return make_user("coordinator", name="Sam Samordnare")


@pytest.fixture
def new_version(db, coordinator):
    """``new_version(period, effective_from, publish=True)`` – through the services."""

    def _new(period: str = "2025–2030", effective_from: date | None = None, *,
             publish: bool = True, body: str = "## Inledning\n\nEn ny text.\n") -> AgreementVersion:
        version = services.create_draft(
            title="Västerås lokala överenskommelse", period_label=period, body=body,
            effective_from=effective_from or today_local(), adopted_by="Kommunstyrelsen",
            user=coordinator)
        if publish:
            services.publish(version, coordinator)
        return version

    return _new


@pytest.fixture
def signed_row(db):
    """A standing signature written directly (fast, for lists and counts)."""

    def _sign(association, version, *, state=SignatureState.SIGNED, signed_at=None,
              name="Fia Firmatecknare") -> AgreementSignature:
        now = signed_at or utcnow()
        row = AgreementSignature(
            association_id=association.id, version_id=version.id, state=state, created_at=now,
            signed_at=now, signed_by_name=name, signed_checksum=version.checksum,
            withdrawn_at=now if state == SignatureState.WITHDRAWN else None,
        )
        db.session.add(row)
        db.session.flush()
        return row

    return _sign


@pytest.fixture
def outbox(db):
    def _messages(template_subject: str | None = None) -> list[OutboxMessage]:
        messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        if template_subject:
            messages = [m for m in messages if template_subject in m.subject]
        return messages

    return _messages


@pytest.fixture
def audit_events(db):
    def _events(action: str) -> list[AuditEvent]:
        return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                  .order_by(AuditEvent.id)).all()

    return _events


def text(response) -> str:
    return response.get_data(as_text=True)
