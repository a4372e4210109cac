"""The durable mail outbox.

Mail is written to the ``outbox_messages`` table inside the business transaction that caused it
(:func:`queue_mail`), so a rolled-back change sends nothing and a committed one cannot lose its
mail. A worker (``flask outbox send``; in development also right after each request) claims
pending messages, sends them through the configured transport and records the result.
"""
from __future__ import annotations

import enum
from datetime import datetime
from email.utils import make_msgid

import click
from flask import Flask, current_app, render_template
from flask.cli import AppGroup
from flask_babel import force_locale
from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lokapp.core.time import utcnow
from lokapp.core.types import UTCDateTime, enum_type
from lokapp.extensions import db


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"      # waiting to be sent (or retried at next_attempt_at)
    SENDING = "sending"      # claimed by a worker until locked_until
    SENT = "sent"
    FAILED = "failed"        # gave up after MAIL_MAX_ATTEMPTS; shown to staff


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sender: Mapped[str] = mapped_column(String(320))
    recipients: Mapped[list[str]] = mapped_column(JSON)
    reply_to: Mapped[str | None] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    # What the mail is about, e.g. ("cases", "17"), so a case page can show delivery status.
    related_type: Mapped[str | None] = mapped_column(String(40))
    related_id: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[OutboxStatus] = mapped_column(enum_type(OutboxStatus), default=OutboxStatus.PENDING,
                                                 index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    locked_by: Mapped[str | None] = mapped_column(String(80))
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    attachments: Mapped[list[OutboxAttachment]] = relationship(
        back_populates="message", cascade="all, delete-orphan", order_by="OutboxAttachment.id"
    )

    __table_args__ = (db.Index("ix_outbox_messages_related", "related_type", "related_id"),)


class OutboxAttachment(db.Model):
    __tablename__ = "outbox_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes] = mapped_column(LargeBinary)

    message: Mapped[OutboxMessage] = relationship(back_populates="attachments")


def queue_mail(*, to: str | list[str], subject: str, template: str, context: dict,
               reply_to: str | None = None, attachments: list[tuple[str, str, bytes]] = (),
               related: tuple[str, object] | None = None, locale: str | None = None
               ) -> OutboxMessage:
    """Render ``template``.txt/.html and add the message to the outbox (flush, never commit).

    ``attachments`` are ``(filename, content_type, data)`` triples.
    """
    recipients = [to] if isinstance(to, str) else list(to)
    ctx = {**context, "subject": subject}
    with force_locale(locale or "sv"):
        body_text = render_template(f"{template}.txt", **ctx)
        try:
            body_html = render_template(f"{template}.html", **ctx)
        except Exception as exc:  # noqa: BLE001 - a missing HTML part is allowed
            if "TemplateNotFound" not in type(exc).__name__:
                raise
            body_html = None
    message = OutboxMessage(
        message_id=make_msgid(domain="lokapp.vasteras.se"),
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
        recipients=recipients,
        reply_to=reply_to,
        subject=subject[:300],
        body_text=body_text,
        body_html=body_html,
        related_type=related[0] if related else None,
        related_id=str(related[1]) if related else None,
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=utcnow(),
    )
    for filename, content_type, data in attachments:
        message.attachments.append(
            OutboxAttachment(filename=filename, content_type=content_type, data=data)
        )
    db.session.add(message)
    db.session.flush()
    return message


def init_mail(app: Flask) -> None:
    """Hook the after-request sender in development (the outbox worker does it in production)."""


outbox_cli = AppGroup("outbox", help="The mail outbox.")


@outbox_cli.command("send")
@click.option("--once", is_flag=True, help="Send what is due and exit.")
def send_command(once: bool) -> None:
    """Send pending mail (a worker loop; --once for a single pass)."""
    raise click.ClickException("not implemented yet")
