"""The audit log: who did what, when, and from which address.

Every state change of a case and every administrative change writes one row here, in the same
transaction as the change itself. Rows are never updated or deleted by the application.

Public API::

    record("case.submit", case, from_state="draft", to_state="submitted")
    record_update("user.update", user)      # before the flush: old and new value per column
    db.session.scalars(events_for(case))     # a select(), newest first, ready to paginate

``actor`` defaults to the logged-in user and ``actor_ip`` to the request's client address
(``request.remote_addr``; behind a proxy, ProxyFix makes that the client). The workflow engine
records ``case.<action>`` for every state change; administrative services call
:func:`record_update` (or :func:`record` with their own details) for every change they make.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import has_request_context, request
from sqlalchemy import JSON, ForeignKey, Select, String, inspect, select
from sqlalchemy.orm import Mapped, mapped_column

from lokapp.core.time import utcnow
from lokapp.core.types import UTCDateTime
from lokapp.extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                 index=True)
    actor_ip: Mapped[str | None] = mapped_column(String(45))
    action: Mapped[str] = mapped_column(String(80), index=True)
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(40))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    __table_args__ = (db.Index("ix_audit_events_object", "object_type", "object_id"),)


def client_address() -> str | None:
    """The client's address; behind a proxy configure ProxyFix so remote_addr is the client."""
    if not has_request_context():
        return None
    return (request.remote_addr or "")[:45] or None


def record(action: str, obj: Any = None, *, actor: Any = None, object_type: str | None = None,
           object_id: Any = None, **details: Any) -> AuditEvent:
    """Add an audit row to the current session (flushed with the change it describes)."""
    if actor is None and has_request_context():
        from flask_login import current_user

        actor = current_user if current_user and current_user.is_authenticated else None
    if obj is not None:
        object_type = object_type or getattr(obj, "__tablename__", type(obj).__name__)
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        actor_ip=client_address(),
        action=action,
        object_type=object_type or "system",
        object_id=str(object_id) if object_id is not None else None,
        details=_jsonable(details),
    )
    db.session.add(event)
    return event


def object_key(obj: Any) -> tuple[str, str | None]:
    """The ``(object_type, object_id)`` an object is recorded under."""
    object_id = getattr(obj, "id", None)
    return (getattr(obj, "__tablename__", type(obj).__name__),
            str(object_id) if object_id is not None else None)


def events_for(obj: Any = None, *, object_type: str | None = None,
               object_id: Any = None) -> Select:
    """``select()`` of the audit events about ``obj`` (or a type and id), newest first."""
    if obj is not None:
        object_type, key = object_key(obj)
        object_id = key
    if object_type is None:
        raise ValueError("events_for needs an object or an object_type")
    query = select(AuditEvent).where(AuditEvent.object_type == object_type)
    if object_id is not None:
        query = query.where(AuditEvent.object_id == str(object_id))
    return query.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())


# Columns whose values never go into the log; a change shows only that it happened.
_SECRET = ("password", "token", "secret", "hash")
REDACTED = "***"


def changes(obj: Any, *, exclude: tuple[str, ...] = ("updated_at",)) -> dict[str, list[Any]]:
    """``{column: [old, new]}`` for the column attributes of ``obj`` changed since it was
    loaded or last flushed. Call it before the flush. Secrets are redacted."""
    state = inspect(obj)
    result: dict[str, list[Any]] = {}
    for attr in state.mapper.column_attrs:
        if attr.key in exclude:
            continue
        history = state.attrs[attr.key].history
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if old == new:
            continue
        if any(word in attr.key for word in _SECRET):
            old, new = REDACTED, REDACTED
        result[attr.key] = [old, new]
    return result


def record_update(action: str, obj: Any, *, actor: Any = None,
                  **details: Any) -> AuditEvent | None:
    """Record an administrative change of ``obj`` with its old and new values.

    Call it before the flush. Returns None (and records nothing) when no column changed and
    no ``details`` are given.
    """
    changed = changes(obj)
    if not changed and not details:
        return None
    return record(action, obj, actor=actor, changes=changed, **details)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
