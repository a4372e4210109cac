"""The durable mail outbox.

Mail is written to the ``outbox_messages`` table inside the business transaction that caused it
(:func:`queue_mail`, which flushes and never commits), so a rolled-back change sends nothing and a
committed one cannot lose its mail. A worker (``flask outbox send``; in development also right
after each response, see :func:`init_mail`) claims due messages, sends them through the configured
transport (:mod:`lokapp.core.mail_transport`) and records the result.

How :func:`send_pending` works, and why:

1. **Claim** (one short transaction). Due rows are ``pending`` with ``next_attempt_at <= now``,
   or ``sending`` with an expired ``locked_until`` (the worker that claimed them died). They are
   set to ``sending`` with ``locked_by`` and ``locked_until = now + lease`` and committed. On
   PostgreSQL the select uses ``FOR UPDATE SKIP LOCKED`` so concurrent workers take disjoint
   rows without waiting; on SQLite every transaction starts with ``BEGIN IMMEDIATE``
   (:mod:`lokapp.core.database`), which serialises the claims.
2. **Send** each claimed message outside any transaction (the row is read in its own short
   transaction first), reusing one SMTP connection for the batch.
3. **Record** each result in its own short transaction, only while the claim is still ours
   (``status = sending AND locked_by = me``): a worker whose lease was taken over changes nothing.

Attempts and retries. ``attempts`` counts delivery attempts, each once, when its outcome is
known: delivered, failed, or lost (an expired lease counts as a failed attempt when the row is
reclaimed). A failed attempt sets ``last_error`` and ``next_attempt_at = now + backoff``
(1, 2, 4, 8 … minutes, capped at one hour, minus up to 20 % jitter so a backlog does not retry in
lockstep) and returns the row to ``pending``; the attempt that reaches ``MAIL_MAX_ATTEMPTS`` makes
it ``failed`` (``flask outbox retry`` re-queues it). A 5xx refusal of *every* recipient fails the
message at once: the receiving server has said the address does not exist and asking again hours
later only delays the news to staff. Other 5xx replies (sender or content refused) are retried,
because they are as likely a configuration problem on our side that someone will fix. When the
server cannot be reached at all, only the message being tried is charged an attempt; the rest of
the batch goes back to ``pending`` untouched.

Delivery is at-least-once: if a worker dies after the server accepted a message but before the
result was recorded, the message is sent again when the lease expires. The resend carries the
same ``Message-ID`` (stored on the row), so it is recognisable as a duplicate. The lease
(``MAIL_LEASE_SECONDS``, default 300) must be longer than a batch takes; a worker stops sending and
releases the rest of its batch when less than two ``MAIL_TIMEOUT`` periods of its lease remain.

Settings (``app.config``): ``MAIL_TRANSPORT``, ``MAIL_DIR``, ``MAIL_SERVER``, ``MAIL_PORT``,
``MAIL_USE_TLS``, ``MAIL_USE_SSL``, ``MAIL_USERNAME``, ``MAIL_PASSWORD``, ``MAIL_TIMEOUT``,
``MAIL_DEFAULT_SENDER``, ``MAIL_MAX_ATTEMPTS``, ``MAIL_SEND_AFTER_REQUEST`` and, optional,
``MAIL_LEASE_SECONDS`` (300), ``MAIL_RETRY_BASE_SECONDS`` (60), ``MAIL_RETRY_MAX_SECONDS`` (3600),
``MAIL_BATCH_SIZE`` (50).

Public API::

    queue_mail(to=..., subject=..., template="mail/x", context={...})   # in a service
    send_pending(limit=50) -> SendReport                                 # the worker
    db.session.scalars(messages_for("cases", case.id))                   # delivery status
"""
from __future__ import annotations

import logging
import os
import random
import signal
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.errors import MessageError
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid, parseaddr
from functools import partial

import click
from flask import Flask, current_app, render_template, request
from flask.cli import AppGroup
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from jinja2 import TemplateNotFound
from sqlalchemy import (
    JSON,
    ForeignKey,
    Integer,
    LargeBinary,
    Select,
    String,
    Text,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, selectinload

from lokapp.config import ConfigurationError
from lokapp.core.mail_transport import (
    DeliveryError,
    DeliveryResult,
    OutgoingMail,
    TransportUnavailable,
    transport_from_config,
)
from lokapp.core.time import STOCKHOLM, format_local, utcnow
from lokapp.core.types import RichStrEnum, UTCDateTime, enum_type
from lokapp.extensions import db

log = logging.getLogger(__name__)

MAX_ERROR_LENGTH = 2000
Clock = Callable[[], datetime]


class OutboxStatus(RichStrEnum):
    PENDING = "pending", _l("Väntar på att skickas"), "info"   # (re)tried at next_attempt_at
    SENDING = "sending", _l("Skickas"), "info"                 # claimed until locked_until
    SENT = "sent", _l("Skickat"), "success"
    FAILED = "failed", _l("Kunde inte skickas"), "danger"     # gave up; shown to staff


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

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.status} attempts={self.attempts}>"


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


# --- queueing (inside the caller's transaction) -------------------------------------------------

def queue_mail(*, to: str | list[str], subject: str, template: str, context: dict,
               reply_to: str | None = None, attachments: list[tuple[str, str, bytes]] = (),
               related: tuple[str, object] | None = None, locale: str | None = None,
               sender: str | None = None) -> OutboxMessage:
    """Render ``template``.txt/.html and add the message to the outbox (flush, never commit).

    ``attachments`` are ``(filename, content_type, data)`` triples. ``related`` names what the
    mail is about, e.g. ``("cases", case.id)``, for :func:`messages_for`. ``sender`` overrides
    ``MAIL_DEFAULT_SENDER``. Nothing leaves before the caller's transaction commits.
    """
    recipients = [to] if isinstance(to, str) else list(to)
    if not recipients:
        raise ValueError("queue_mail needs at least one recipient")
    sender = sender or current_app.config["MAIL_DEFAULT_SENDER"]
    for address in (sender, reply_to, *recipients):
        if address is not None and ("\r" in address or "\n" in address):
            raise ValueError(f"line break in mail address {address!r}")
    subject = " ".join(subject.split())  # a line break in a header would end it
    ctx = {**context, "subject": subject}
    with force_locale(locale or "sv"):
        body_text = render_template(f"{template}.txt", **ctx)
        try:
            body_html = render_template(f"{template}.html", **ctx)
        except TemplateNotFound as missing:  # a mail may be plain text only
            if missing.name != f"{template}.html":
                raise  # a template the HTML part includes is missing: a bug, not a choice
            body_html = None
    message = OutboxMessage(
        message_id=make_msgid(domain="lokapp.vasteras.se"),
        created_at=utcnow(),
        sender=sender,
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


def messages_for(related_type: str, related_id: object) -> Select:
    """The outbox rows about one object, newest first – for a delivery-status list on its page.

    Attachments are not loaded; each row's ``status.label``/``status.tone`` give the badge.
    """
    return (
        select(OutboxMessage)
        .where(OutboxMessage.related_type == related_type,
               OutboxMessage.related_id == str(related_id))
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    )


# --- building the e-mail ------------------------------------------------------------------------

def build_email(message: OutboxMessage) -> EmailMessage:
    """The RFC 5322 message for an outbox row: text + HTML alternatives, then attachments.

    Headers are UTF-8 (encoded words) so Swedish names and subjects survive any server. The
    ``Message-ID`` and ``Date`` come from the row, so a resend is the same message.
    """
    email = EmailMessage()
    email["Message-ID"] = message.message_id
    email["Date"] = format_datetime(message.created_at.astimezone(STOCKHOLM))
    email["From"] = message.sender
    email["To"] = ", ".join(message.recipients)
    if message.reply_to:
        email["Reply-To"] = message.reply_to
    email["Subject"] = message.subject
    email["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies, please
    email.set_content(message.body_text, cte="quoted-printable")
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html", cte="quoted-printable")
    for attachment in message.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        if not maintype or not subtype:
            maintype, subtype = "application", "octet-stream"
        email.add_attachment(attachment.data, maintype=maintype, subtype=subtype,
                             filename=attachment.filename)
    return email


def _outgoing(message: OutboxMessage) -> OutgoingMail:
    envelope_from = parseaddr(message.sender)[1]
    recipients = tuple(addr for _, addr in getaddresses(message.recipients) if "@" in addr)
    if "@" not in envelope_from or not recipients:
        raise ValueError("no usable sender or recipient address")
    return OutgoingMail(outbox_id=message.id, message=build_email(message),
                        envelope_from=envelope_from, recipients=recipients)


# --- the worker ---------------------------------------------------------------------------------

@dataclass
class SendReport:
    """What one :func:`send_pending` pass did."""

    claimed: int = 0    # rows this pass took
    sent: int = 0
    retry: int = 0      # failed this time, back to pending with a later next_attempt_at
    failed: int = 0     # gave up (max attempts, permanent refusal, or lost on the last attempt)
    released: int = 0   # claimed but not tried (server unreachable, stop requested, lease short)

    def __str__(self) -> str:
        return f"sent {self.sent}, retry {self.retry}, failed {self.failed}"

    @property
    def did_anything(self) -> bool:
        return bool(self.claimed or self.failed)


def default_worker_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def retry_delay(attempts: int, *, base: float = 60, cap: float = 3600,
                rng: random.Random | None = None) -> timedelta:
    """Backoff after the ``attempts``-th failed attempt: base·2^(n-1), capped, minus ≤ 20 % jitter."""
    delay = min(cap, base * 2 ** max(0, attempts - 1))
    return timedelta(seconds=delay * (rng or random).uniform(0.8, 1.0))


def send_pending(limit: int | None = None, worker_id: str | None = None, *,
                 transport=None, clock: Clock = utcnow,
                 should_stop: Callable[[], bool] | None = None) -> SendReport:
    """Claim due messages, send them and record each result; see the module docstring.

    Uses its own sessions on ``db.engine`` and never the request's ``db.session``, so it sees
    committed rows only (in tests: the ``committing_db`` fixture; under the rolled-back ``db``
    fixture on SQLite it would wait for the test's write lock). ``transport`` defaults to the
    configured one; ``clock`` and ``should_stop`` are for tests and the CLI loop.
    """
    config = current_app.config
    limit = limit or int(config.get("MAIL_BATCH_SIZE", 50))
    worker_id = (worker_id or default_worker_id())[:80]
    transport = transport if transport is not None else transport_from_config(config)
    # Stop taking new messages when less than two socket timeouts of the lease are left; the
    # lease is at least twice that, so every pass gets to try at least one message.
    margin = timedelta(seconds=2 * float(config.get("MAIL_TIMEOUT", 30)))
    lease = max(timedelta(seconds=int(config.get("MAIL_LEASE_SECONDS", 300))), 2 * margin)
    max_attempts = max(1, int(config.get("MAIL_MAX_ATTEMPTS", 8)))
    make_session = partial(Session, db.engine, expire_on_commit=False)
    report = SendReport()

    remaining, locked_until = _claim(make_session, limit, worker_id, clock(), lease, max_attempts,
                                     report)
    try:
        with transport:
            while remaining:
                if (should_stop and should_stop()) or clock() + margin > locked_until:
                    break
                outbox_id = remaining.pop(0)
                loaded = _load(make_session, outbox_id, worker_id)
                if loaded is None:
                    continue
                attempts, mail = loaded
                if isinstance(mail, Exception):  # cannot even be built: retrying will not help
                    _record_failure(make_session, outbox_id, worker_id, attempts, max_attempts,
                                    f"cannot build message: {mail}", clock(), report,
                                    permanent=True)
                    continue
                try:
                    result = transport.send(mail)
                except TransportUnavailable as exc:
                    _record_failure(make_session, outbox_id, worker_id, attempts, max_attempts,
                                    str(exc), clock(), report)
                    break
                except DeliveryError as exc:
                    _record_failure(make_session, outbox_id, worker_id, attempts, max_attempts,
                                    str(exc), clock(), report, permanent=exc.permanent)
                except Exception as exc:  # noqa: BLE001 - a bug must not stop the whole batch
                    log.exception("Unexpected error sending outbox message %s", outbox_id)
                    _record_failure(make_session, outbox_id, worker_id, attempts, max_attempts,
                                    f"{type(exc).__name__}: {exc}", clock(), report)
                else:
                    _record_success(make_session, outbox_id, worker_id, result, clock(), report)
    finally:
        if remaining:
            _release(make_session, remaining, worker_id, report)
    return report


def _claim(make_session, limit: int, worker_id: str, now: datetime, lease: timedelta,
           max_attempts: int, report: SendReport) -> tuple[list[int], datetime]:
    """Take up to ``limit`` due rows in one short transaction; returns their ids and our lease."""
    locked_until = now + lease
    m = OutboxMessage
    due = or_(
        (m.status == OutboxStatus.PENDING) & (m.next_attempt_at <= now),
        (m.status == OutboxStatus.SENDING) & (or_(m.locked_until.is_(None), m.locked_until < now)),
    )
    with make_session() as session, session.begin():
        stmt = (select(m.id, m.status, m.attempts).where(due)
                .order_by(m.next_attempt_at, m.id).limit(limit))
        if session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        rows = session.execute(stmt).all()
        fresh = [r.id for r in rows if r.status == OutboxStatus.PENDING]
        lost = [r for r in rows if r.status == OutboxStatus.SENDING]
        lost_retry = [r.id for r in lost if r.attempts + 1 < max_attempts]
        lost_final = [r.id for r in lost if r.attempts + 1 >= max_attempts]
        claim = {"status": OutboxStatus.SENDING, "locked_by": worker_id,
                 "locked_until": locked_until}
        if fresh:
            session.execute(update(m).where(m.id.in_(fresh)).values(**claim),
                            execution_options={"synchronize_session": False})
        if lost_retry:
            session.execute(
                update(m).where(m.id.in_(lost_retry)).values(
                    attempts=m.attempts + 1,
                    last_error="the worker sending it stopped before recording the result",
                    **claim),
                execution_options={"synchronize_session": False})
        if lost_final:
            session.execute(
                update(m).where(m.id.in_(lost_final)).values(
                    status=OutboxStatus.FAILED, attempts=m.attempts + 1, locked_by=None,
                    locked_until=None,
                    last_error="the worker sending it stopped before recording the result "
                               "(last attempt)"),
                execution_options={"synchronize_session": False})
            log.error("Outbox messages %s failed: their worker died on the last attempt",
                      lost_final)
    report.failed += len(lost_final)
    taken = set(fresh) | set(lost_retry)
    claimed = [r.id for r in rows if r.id in taken]  # in due order
    report.claimed = len(claimed)
    return claimed, locked_until


def _ours(outbox_id: int, worker_id: str):
    return ((OutboxMessage.id == outbox_id) & (OutboxMessage.status == OutboxStatus.SENDING)
            & (OutboxMessage.locked_by == worker_id))


def _load(make_session, outbox_id: int, worker_id: str
          ) -> tuple[int, OutgoingMail | Exception] | None:
    """Read a claimed row (short transaction) and build its e-mail; None if no longer ours."""
    with make_session() as session, session.begin():
        message = session.scalars(
            select(OutboxMessage).where(_ours(outbox_id, worker_id))
            .options(selectinload(OutboxMessage.attachments))
        ).one_or_none()
        if message is None:
            log.warning("Outbox message %s is no longer claimed by %s; skipped",
                        outbox_id, worker_id)
            return None
        try:
            mail: OutgoingMail | Exception = _outgoing(message)
        except (ValueError, TypeError, LookupError, MessageError) as exc:
            mail = exc
        return message.attempts, mail


def _record_success(make_session, outbox_id: int, worker_id: str, result: DeliveryResult,
                    now: datetime, report: SendReport) -> None:
    note = None
    if result.refused:
        note = _truncate("delivered, but refused for: " + "; ".join(
            f"{addr}: {reply}" for addr, reply in result.refused.items()))
    with make_session() as session, session.begin():
        done = session.execute(
            update(OutboxMessage).where(_ours(outbox_id, worker_id)).values(
                status=OutboxStatus.SENT, sent_at=now, attempts=OutboxMessage.attempts + 1,
                last_error=note, locked_by=None, locked_until=None),
            execution_options={"synchronize_session": False},
        ).rowcount
    if done:
        report.sent += 1
    else:
        log.warning("Outbox message %s was sent, but its claim had passed to another worker",
                    outbox_id)


def _record_failure(make_session, outbox_id: int, worker_id: str, attempts: int,
                    max_attempts: int, error: str, now: datetime, report: SendReport, *,
                    permanent: bool = False) -> None:
    attempts += 1
    give_up = permanent or attempts >= max_attempts
    config = current_app.config
    values = {"attempts": attempts, "last_error": _truncate(error), "locked_by": None,
              "locked_until": None}
    if give_up:
        values["status"] = OutboxStatus.FAILED
    else:
        values["status"] = OutboxStatus.PENDING
        values["next_attempt_at"] = now + retry_delay(
            attempts, base=float(config.get("MAIL_RETRY_BASE_SECONDS", 60)),
            cap=float(config.get("MAIL_RETRY_MAX_SECONDS", 3600)))
    with make_session() as session, session.begin():
        done = session.execute(
            update(OutboxMessage).where(_ours(outbox_id, worker_id)).values(**values),
            execution_options={"synchronize_session": False},
        ).rowcount
    if not done:
        log.warning("Outbox message %s: result not recorded, the claim had passed on", outbox_id)
        return
    if give_up:
        report.failed += 1
        log.error("Outbox message %s failed after %s attempt(s): %s", outbox_id, attempts, error)
    else:
        report.retry += 1
        log.warning("Outbox message %s not sent (attempt %s), will retry: %s",
                    outbox_id, attempts, error)


def _release(make_session, outbox_ids: list[int], worker_id: str, report: SendReport) -> None:
    """Give claimed but untried rows back, unchanged, for the next pass."""
    try:
        with make_session() as session, session.begin():
            released = session.execute(
                update(OutboxMessage).where(
                    OutboxMessage.id.in_(outbox_ids),
                    OutboxMessage.status == OutboxStatus.SENDING,
                    OutboxMessage.locked_by == worker_id,
                ).values(status=OutboxStatus.PENDING, locked_by=None, locked_until=None),
                execution_options={"synchronize_session": False},
            ).rowcount
        report.released += released
    except Exception:  # noqa: BLE001 - the leases expire anyway
        log.exception("Could not release outbox messages %s; their leases will expire",
                      outbox_ids)


def _truncate(text: str) -> str:
    return text if len(text) <= MAX_ERROR_LENGTH else text[: MAX_ERROR_LENGTH - 1] + "…"


# --- development: send right after the response -----------------------------------------------

def init_mail(app: Flask) -> None:
    """Check the transport settings and hook the after-response sender.

    When ``MAIL_SEND_AFTER_REQUEST`` is true (the default in development) pending mail is sent
    after each response has been delivered (``response.call_on_close``): by then the request's
    app context, session and transaction are gone, and the sender runs in a fresh app context
    with its own connections. Errors are logged, never raised: the page has already been served.
    Static files do not trigger it. In production the ``flask outbox send`` worker does the job.
    """
    try:
        transport_from_config(app.config)  # fail at start-up, not at the first mail
    except ValueError as exc:
        raise ConfigurationError(str(exc)) from exc

    @app.after_request
    def _send_mail_after_response(response):
        if app.config.get("MAIL_SEND_AFTER_REQUEST") and request.endpoint != "static":
            response.call_on_close(partial(_send_quietly, app))
        return response


def _send_quietly(app: Flask) -> None:
    try:
        with app.app_context():
            report = send_pending()
        if report.did_anything:
            app.logger.info("Mail sent after the request: %s", report)
    except Exception:  # noqa: BLE001 - a mail problem must never break a page
        app.logger.exception("Sending mail after the request failed; it stays in the outbox")


# --- CLI ----------------------------------------------------------------------------------------

outbox_cli = AppGroup("outbox", help="The mail outbox.")


@outbox_cli.command("send")
@click.option("--once", is_flag=True, help="Send what is due, print a summary and exit.")
@click.option("--interval", default=10.0, show_default=True, type=click.FloatRange(min=0.05),
              help="Seconds to wait between passes.")
@click.option("--limit", default=None, type=click.IntRange(min=1),
              help="Messages per pass (default MAIL_BATCH_SIZE, 50).")
def send_command(once: bool, interval: float, limit: int | None) -> None:
    """Send pending mail: a worker loop that stops cleanly on SIGTERM/SIGINT."""
    if once:
        click.echo(str(send_pending(limit=limit)))
        return

    stop = threading.Event()
    worker_id = default_worker_id()

    def _on_signal(signum, _frame):
        log.info("Outbox worker %s stopping (%s)", worker_id, signal.Signals(signum).name)
        stop.set()
        signal.signal(signum, signal.SIG_DFL)  # a second signal stops at once

    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            previous[signum] = signal.signal(signum, _on_signal)
    batch_size = limit or int(current_app.config.get("MAIL_BATCH_SIZE", 50))
    click.echo(f"Outbox worker {worker_id} started; sending every {interval:g} s.")
    totals = SendReport()
    try:
        while not stop.is_set():
            try:
                report = send_pending(limit=batch_size, worker_id=worker_id,
                                      should_stop=stop.is_set)
            except Exception:  # noqa: BLE001 - e.g. the database restarting; try again later
                log.exception("Outbox pass failed; retrying in %s s", interval)
                stop.wait(interval)
                continue
            for name in ("sent", "retry", "failed"):
                setattr(totals, name, getattr(totals, name) + getattr(report, name))
            if report.did_anything:
                click.echo(str(report))
            if report.claimed < batch_size or report.released:
                stop.wait(interval)  # else a full batch: more may be due, go again at once
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    click.echo(f"Outbox worker {worker_id} stopped: {totals}.")


@outbox_cli.command("status")
def status_command() -> None:
    """Messages per status and the oldest one still waiting."""
    counts = dict(db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    ).all())
    for status in OutboxStatus:
        click.echo(f"{status.value:<8} {counts.get(status, 0)}")
    oldest = db.session.execute(
        select(func.min(OutboxMessage.created_at), func.min(OutboxMessage.next_attempt_at))
        .where(OutboxMessage.status == OutboxStatus.PENDING)
    ).one()
    if oldest[0] is not None:
        click.echo(f"oldest pending queued {format_local(_aware(oldest[0]))}, "
                   f"next attempt due {format_local(_aware(oldest[1]))} (Europe/Stockholm)")
    if counts.get(OutboxStatus.FAILED):
        click.echo("re-queue failed messages with: flask outbox retry ID (or --all-failed)")


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)  # defensive: stored as UTC


@outbox_cli.command("retry")
@click.argument("ids", nargs=-1, type=int)
@click.option("--all-failed", is_flag=True, help="Re-queue every failed message.")
def retry_command(ids: tuple[int, ...], all_failed: bool) -> None:
    """Re-queue failed message(s) ID… for a fresh round of attempts."""
    if not ids and not all_failed:
        raise click.UsageError("give one or more message ids, or --all-failed")
    stmt = select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED)
    if not all_failed:
        found = {m.id: m for m in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.id.in_(ids)))}
        for outbox_id in ids:
            if outbox_id not in found:
                raise click.ClickException(f"no outbox message with id {outbox_id}")
            if found[outbox_id].status != OutboxStatus.FAILED:
                raise click.ClickException(
                    f"message {outbox_id} is {found[outbox_id].status.value}; "
                    "only failed messages can be retried")
        stmt = stmt.where(OutboxMessage.id.in_(ids))
    now = utcnow()
    requeued = 0
    for message in db.session.scalars(stmt.with_for_update()):
        message.status = OutboxStatus.PENDING
        message.attempts = 0
        message.next_attempt_at = now
        message.locked_by = None
        message.locked_until = None
        requeued += 1
    db.session.commit()
    click.echo(f"re-queued {requeued} message(s)")
