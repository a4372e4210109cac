"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, on a free port, recording what arrives.

Fixtures:

- ``smtp_server`` – a running :class:`MailServer` (stopped after the test);
- ``use_smtp`` – points ``app.config`` at ``smtp_server`` with a short timeout (restored after);
- ``tls_certificate`` – a self-signed certificate for 127.0.0.1 (needs the ``openssl`` command).

Helpers: :func:`free_port` (a port with nothing listening – a server that is down) and
:class:`MailServer` for tests that start and stop a server themselves.
"""
from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (until someone binds it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        return BytesParser(policy=default_policy).parsebytes(self.raw)


class RecordingHandler:
    """Accepts everything except the addresses in ``refuse`` ({address: "550 reply"})."""

    def __init__(self):
        self.received: list[ReceivedMail] = []
        self.refuse: dict[str, str] = {}
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.refuse.get(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        mail = ReceivedMail(envelope.mail_from, tuple(envelope.rcpt_tos),
                            envelope.original_content or envelope.content)
        with self.lock:
            self.received.append(mail)
        return "250 Message accepted for delivery"


class MailServer:
    """An aiosmtpd ``Controller`` in its own thread. Extra keyword arguments go to aiosmtpd."""

    def __init__(self, port: int | None = None, **controller_kwargs):
        self.host = HOST
        self.port = port or free_port()
        self.handler = RecordingHandler()
        self.controller = Controller(self.handler, hostname=self.host, port=self.port,
                                     ready_timeout=5, **controller_kwargs)

    def start(self) -> MailServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def __enter__(self) -> MailServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def received(self) -> list[ReceivedMail]:
        with self.handler.lock:
            return list(self.handler.received)

    @property
    def messages(self) -> list[EmailMessage]:
        return [mail.message for mail in self.received]

    def message_ids(self) -> Counter:
        """How many times each Message-ID arrived."""
        return Counter(str(message["Message-ID"]) for message in self.messages)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[ReceivedMail]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.received


def smtp_settings(server_or_port: MailServer | int, **extra) -> dict:
    port = server_or_port.port if isinstance(server_or_port, MailServer) else server_or_port
    return {"MAIL_TRANSPORT": "smtp", "MAIL_SERVER": HOST, "MAIL_PORT": port,
            "MAIL_TIMEOUT": 3, "MAIL_USE_TLS": False, "MAIL_USE_SSL": False,
            "MAIL_USERNAME": None, "MAIL_PASSWORD": None, **extra}


def configure(app, monkeypatch, settings: dict) -> None:
    for key, value in settings.items():
        monkeypatch.setitem(app.config, key, value)


@pytest.fixture
def smtp_server():
    server = MailServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def use_smtp(app, smtp_server, monkeypatch) -> MailServer:
    configure(app, monkeypatch, smtp_settings(smtp_server))
    return smtp_server


@dataclass(frozen=True)
class TLSFiles:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        return context

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))


@pytest.fixture(scope="session")
def tls_certificate(tmp_path_factory) -> TLSFiles:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", f"/CN={HOST}",
         "-addext", f"subjectAltName=IP:{HOST}"],
        check=True, capture_output=True, timeout=60,
    )
    return TLSFiles(cert, key)


# --- outbox helpers shared by the mail tests ----------------------------------------------------

def queue_test_mail(db, count: int = 1, *, commit: bool = True, **overrides
                    ) -> list[tuple[int, str]]:
    """Queue ``count`` messages (the accessibility-feedback template) and commit.

    Returns ``(outbox id, Message-ID)`` pairs, read before the commit: touching the rows
    afterwards would open a new transaction, which on SQLite holds the write lock.
    """
    from lokapp.core.mail import queue_mail

    queued = []
    for i in range(count):
        kwargs = {
            "to": "mottagare@example.se",
            "subject": f"Testbrev {i} – Åsa i Västerås",
            "template": "mail/accessibility_feedback",
            "context": {"name": "Åsa Öberg", "email": "asa@example.se", "page": "/lokaler",
                        "message": f"Meddelande nummer {i}: hälsningar från Öster Mälarstrand."},
        }
        kwargs.update(overrides)
        message = queue_mail(**kwargs)
        queued.append((message.id, message.message_id))
    if commit:
        db.session.commit()
    return queued


def outbox_row(db, outbox_id: int):
    """A fresh, detached copy of one outbox row; the test's session is left without a transaction."""
    from lokapp.core.mail import OutboxMessage

    db.session.expire_all()
    row = db.session.get(OutboxMessage, outbox_id)
    if row is not None:
        db.session.expunge(row)
    db.session.rollback()
    return row
