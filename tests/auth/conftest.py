"""Helpers for the account tests: read the outbox, pull links out of mails."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lokapp.core.audit import AuditEvent
from lokapp.core.mail import OutboxMessage
from lokapp.extensions import db

STRONG_PASSWORD = "gul cykel vid ån 2026"


@pytest.fixture
def outbox(db):
    """``outbox(to=...)`` – the queued messages, oldest first."""

    def _messages(to: str | None = None) -> list[OutboxMessage]:
        messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        if to is not None:
            messages = [m for m in messages if to in m.recipients]
        return messages

    return _messages


@pytest.fixture
def audit_events(db):
    def _events(action: str | None = None) -> list[AuditEvent]:
        query = select(AuditEvent).order_by(AuditEvent.id)
        if action:
            query = query.where(AuditEvent.action == action)
        return db.session.scalars(query).all()

    return _events


def link_path(message: OutboxMessage, prefix: str) -> str:
    """The path of the first link in ``message`` that starts with ``prefix`` (e.g. /verifiera/)."""
    match = re.search(r"http://localhost(" + re.escape(prefix) + r"[A-Za-z0-9_\-]+)",
                      message.body_text)
    assert match, f"no {prefix} link in:\n{message.body_text}"
    return match.group(1)


def text(response) -> str:
    return response.get_data(as_text=True)


def is_logged_in(client) -> bool:
    return client.get("/konto").status_code == 200


__all__ = ["STRONG_PASSWORD", "db", "is_logged_in", "link_path", "text"]
