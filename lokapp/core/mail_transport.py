"""How a built e-mail leaves lokapp: written to a folder, or handed to an SMTP server.

The transports know nothing about the database; :mod:`lokapp.core.mail` builds the
:class:`email.message.EmailMessage` from an outbox row and hands it over as an
:class:`OutgoingMail`. A transport is used as a context manager for one batch, so the SMTP
transport can reuse one connection for many messages::

    with transport_from_config(app.config) as transport:
        result = transport.send(mail)

Failures come in three kinds, because the worker treats them differently:

- :class:`TransportUnavailable` – the server cannot be reached or refuses our login. Nothing was
  handed over; the worker counts the attempt for this message and leaves the rest of the batch
  for the next pass (no point in trying 50 messages against a server that is down).
- :class:`DeliveryError` with ``permanent=False`` – this message failed in a way that may pass
  (a 4xx reply, a dropped connection); retried with backoff.
- :class:`DeliveryError` with ``permanent=True`` – the server refused every recipient with a 5xx
  reply, or the message needs SMTPUTF8 the server does not offer; retrying cannot help.
"""
from __future__ import annotations

import hashlib
import logging
import os
import smtplib
import ssl
import tempfile
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)

TRANSPORTS = ("file", "smtp")


class TransportUnavailable(Exception):
    """The transport cannot take any message right now (server down, login refused, no disk)."""


class DeliveryError(Exception):
    """This one message was not delivered."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class OutgoingMail:
    outbox_id: int
    message: EmailMessage
    envelope_from: str
    recipients: tuple[str, ...]


@dataclass(frozen=True)
class DeliveryResult:
    # Recipients the server refused while accepting the others: {address: "550 text"}.
    refused: dict[str, str] = field(default_factory=dict)


class Transport(Protocol):
    def __enter__(self) -> Transport: ...

    def __exit__(self, *exc_info: object) -> None: ...

    def send(self, mail: OutgoingMail) -> DeliveryResult: ...


class FileTransport:
    """Writes each message as an RFC 5322 ``.eml`` file (CRLF line ends) into ``directory``.

    The file is named ``<outbox id>-<hash of the Message-ID>.eml``, so sending the same row
    again replaces its file instead of adding a second one. Files are written to a temporary
    name and renamed, so a reader never sees half a message. The folder (created if missing) and
    the files are readable by the owner only: mail carries personal data.
    """

    def __init__(self, directory: str | os.PathLike[str]):
        self.directory = Path(directory)

    def __enter__(self) -> FileTransport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    @staticmethod
    def filename(outbox_id: int, message_id: str) -> str:
        digest = hashlib.sha256(message_id.encode()).hexdigest()[:16]
        return f"{outbox_id:08d}-{digest}.eml"

    def send(self, mail: OutgoingMail) -> DeliveryResult:
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise TransportUnavailable(f"cannot create mail folder {self.directory}: {exc}") from exc
        target = self.directory / self.filename(mail.outbox_id, str(mail.message["Message-ID"]))
        data = mail.message.as_bytes(policy=SMTP_POLICY)
        try:
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".eml")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise DeliveryError(f"cannot write {target}: {exc}") from exc
        log.info("Mail %s written to %s", mail.outbox_id, target)
        return DeliveryResult()


class SMTPTransport:
    """Sends through an SMTP server with :mod:`smtplib`, one connection per batch.

    ``use_ssl`` is implicit TLS (usually port 465); ``use_tls`` is STARTTLS on a plain
    connection (usually 587). Certificates are verified against the system's CAs unless an
    ``ssl_context`` is given. A reused connection is checked with NOOP before each message and
    reopened if the server has dropped it, so an idle timeout is not counted as a failed attempt.
    """

    def __init__(self, host: str, port: int, *, use_tls: bool = False, use_ssl: bool = False,
                 username: str | None = None, password: str | None = None,
                 timeout: float = 30, ssl_context: ssl.SSLContext | None = None,
                 local_hostname: str | None = None):
        if use_tls and use_ssl:
            raise ValueError("MAIL_USE_TLS (STARTTLS) and MAIL_USE_SSL cannot both be on")
        self.host = host
        self.port = port
        self.use_tls = use_tls
        self.use_ssl = use_ssl
        self.username = username
        self.password = password
        self.timeout = timeout
        self.ssl_context = ssl_context
        self.local_hostname = local_hostname
        self._conn: smtplib.SMTP | None = None

    def __enter__(self) -> SMTPTransport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            conn.quit()
        except (OSError, smtplib.SMTPException):
            conn.close()

    def _context(self) -> ssl.SSLContext:
        return self.ssl_context or ssl.create_default_context()

    def _connect(self) -> smtplib.SMTP:
        conn: smtplib.SMTP | None = None
        try:
            if self.use_ssl:
                conn = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                        local_hostname=self.local_hostname,
                                        context=self._context())
            else:
                conn = smtplib.SMTP(self.host, self.port, timeout=self.timeout,
                                    local_hostname=self.local_hostname)
            conn.ehlo()
            if self.use_tls:
                conn.starttls(context=self._context())
                conn.ehlo()
            if self.username:
                conn.login(self.username, self.password or "")
        except (OSError, smtplib.SMTPException) as exc:  # SMTPException is an OSError too
            if conn is not None:
                conn.close()
            raise TransportUnavailable(
                f"SMTP server {self.host}:{self.port} unavailable: {describe_error(exc)}"
            ) from exc
        return conn

    def _connection(self) -> smtplib.SMTP:
        if self._conn is not None:
            try:
                code, _ = self._conn.noop()
                if code == 250:
                    return self._conn
            except (OSError, smtplib.SMTPException):
                pass
            self._conn.close()
            self._conn = None
        self._conn = self._connect()
        return self._conn

    def send(self, mail: OutgoingMail) -> DeliveryResult:
        conn = self._connection()
        try:
            refused = conn.send_message(mail.message, from_addr=mail.envelope_from,
                                        to_addrs=list(mail.recipients))
        except smtplib.SMTPRecipientsRefused as exc:
            # smtplib has already sent RSET; the connection stays usable.
            permanent = bool(exc.recipients) and all(
                code >= 500 for code, _ in exc.recipients.values()
            )
            raise DeliveryError(
                "all recipients refused: " + _format_refused(exc.recipients), permanent=permanent
            ) from exc
        except smtplib.SMTPNotSupportedError as exc:
            self.close()
            raise DeliveryError(describe_error(exc), permanent=True) from exc
        except (OSError, smtplib.SMTPException) as exc:
            self._drop()
            raise DeliveryError(describe_error(exc)) from exc
        return DeliveryResult(refused={addr: _reply(code, text)
                                       for addr, (code, text) in (refused or {}).items()})

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()


def transport_from_config(config: Any) -> FileTransport | SMTPTransport:
    kind = config.get("MAIL_TRANSPORT", "file")
    if kind == "file":
        return FileTransport(config["MAIL_DIR"])
    if kind == "smtp":
        return SMTPTransport(
            config["MAIL_SERVER"], int(config["MAIL_PORT"]),
            use_tls=bool(config.get("MAIL_USE_TLS")), use_ssl=bool(config.get("MAIL_USE_SSL")),
            username=config.get("MAIL_USERNAME"), password=config.get("MAIL_PASSWORD"),
            timeout=float(config.get("MAIL_TIMEOUT", 30)),
        )
    raise ValueError(f"MAIL_TRANSPORT must be one of {', '.join(TRANSPORTS)}; got {kind!r}")


def describe_error(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{type(exc).__name__}: {_reply(exc.smtp_code, exc.smtp_error)}"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}".strip()


def _format_refused(refused: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"{addr}: {_reply(code, text)}" for addr, (code, text) in refused.items())
