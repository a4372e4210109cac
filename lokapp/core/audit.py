"""The audit log: who did what, when, and from which address.

Every state change of a case and every administrative change writes one row here, in the same
transaction as the change itself. Rows are never updated or deleted by the application.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import has_request_context, request
from sqlalchemy import JSON, ForeignKey, String
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
