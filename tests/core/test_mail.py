"""The outbox: queueing in the caller's transaction, building the e-mail, the file transport."""
from __future__ import annotations

import hashlib
import stat
import threading
from datetime import timedelta
from email.parser import BytesParser
from email.policy import default as default_policy

import pytest
from sqlalchemy import func, select

from lokapp.config import load_config
from lokapp.core.mail import (
    OutboxAttachment,
    OutboxMessage,
    OutboxStatus,
    build_email,
    messages_for,
    queue_mail,
    retry_delay,
    send_pending,
)
from lokapp.core.mail_transport import FileTransport, SMTPTransport, transport_from_config
from lokapp.core.time import utcnow
from tests.mailserver import outbox_row, queue_test_mail

pytestmark = pytest.mark.timeout(60)

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 64 + b"\n%%EOF\n"


def _transient(**overrides) -> OutboxMessage:
    values = {
        "id": 7, "message_id": "<abc.123@lokapp.vasteras.se>", "created_at": utcnow(),
        "sender": "Västerås stad – LÖK <lok@vasteras.se>",
        "recipients": ["Åke Ärlig <ake@example.se>", "britt@example.se"],
        "reply_to": None, "subject": "Beslut om bidrag – Föreningen Älvängen",
        "body_text": "Hej Åke!\nDitt ärende är beslutat.\n", "body_html": None,
    }
    values.update(overrides)
    return OutboxMessage(**values)


# --- queueing -----------------------------------------------------------------------------------

def test_queue_mail_flushes_into_the_callers_transaction(db):
    message = queue_mail(to="ake@example.se", subject="Hej", template="mail/accessibility_feedback",
                         context={"message": "Hej"}, related=("cases", 17),
                         attachments=[("beslut.pdf", "application/pdf", PDF)])
    assert message.id is not None  # flushed
    assert message.status == OutboxStatus.PENDING and message.attempts == 0
    assert message.message_id.startswith("<") and message.message_id.endswith(">")
    assert message.related_type == "cases" and message.related_id == "17"
    assert message.attachments[0].data == PDF
    assert message.next_attempt_at <= utcnow()


def test_rolled_back_transaction_leaves_no_mail(committing_db, use_smtp):
    db = committing_db
    queue_test_mail(db, commit=False)
    db.session.rollback()
    report = send_pending()
    assert report.claimed == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxAttachment)) == 0
    db.session.rollback()
    assert use_smtp.received == []


def test_nothing_is_sent_before_the_commit(app, committing_db, use_smtp):
    """A worker running while the business transaction is open sends nothing until it commits.

    On PostgreSQL the worker does not see the uncommitted row; on SQLite it waits for the
    writer's lock (BEGIN IMMEDIATE) and sends only after the commit.
    """
    db = committing_db
    [(_, message_id)] = queue_test_mail(db, commit=False)
    reports = []

    def worker():
        with app.app_context():
            reports.append(send_pending())

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(1.0)
    assert use_smtp.received == []
    db.session.commit()
    thread.join(20)
    assert not thread.is_alive()
    send_pending()
    assert use_smtp.message_ids() == {message_id: 1}


def test_subject_line_breaks_are_flattened_and_addresses_with_line_breaks_refused(db):
    message = queue_mail(to="a@example.se", subject="Rad ett\r\nBcc: spion@example.se",
                         template="mail/accessibility_feedback", context={})
    assert message.subject == "Rad ett Bcc: spion@example.se"
    with pytest.raises(ValueError):
        queue_mail(to="a@example.se", subject="x", template="mail/accessibility_feedback",
                   context={}, reply_to="b@example.se\nBcc: spion@example.se")
    with pytest.raises(ValueError):
        queue_mail(to=[], subject="x", template="mail/accessibility_feedback", context={})


def test_messages_for_lists_an_objects_mail_newest_first(db):
    first = queue_mail(to="a@example.se", subject="Första", template="mail/accessibility_feedback",
                       context={}, related=("cases", 17))
    first.created_at = utcnow() - timedelta(minutes=5)
    second = queue_mail(to="a@example.se", subject="Andra", template="mail/accessibility_feedback",
                        context={}, related=("cases", 17))
    queue_mail(to="a@example.se", subject="Annat ärende", template="mail/accessibility_feedback",
               context={}, related=("cases", 18))
    db.session.flush()
    rows = db.session.scalars(messages_for("cases", 17)).all()
    assert [r.id for r in rows] == [second.id, first.id]
    assert rows[0].status.label and rows[0].status.tone == "info"


# --- building the e-mail ------------------------------------------------------------------------

def test_build_email_text_html_attachments_and_swedish_headers():
    row = _transient(body_html="<p>Hej Åke!</p>", reply_to="Handläggare Örn <orn@vasteras.se>")
    row.attachments = [OutboxAttachment(filename="Beslut åäö.pdf", content_type="application/pdf",
                                        data=PDF),
                       OutboxAttachment(filename="bilaga.csv", content_type="text/csv",
                                        data="namn;ort\nÅsa;Västerås\n".encode())]
    raw = build_email(row).as_bytes()
    head = raw.split(b"\n\n", 1)[0]
    head.decode("ascii")  # every header is 7-bit: UTF-8 travels as encoded words

    parsed = BytesParser(policy=default_policy).parsebytes(raw)
    assert parsed["Subject"] == "Beslut om bidrag – Föreningen Älvängen"
    assert parsed["From"].addresses[0].display_name == "Västerås stad – LÖK"
    assert [a.display_name for a in parsed["To"].addresses] == ["Åke Ärlig", ""]
    assert parsed["Reply-To"].addresses[0].addr_spec == "orn@vasteras.se"
    assert parsed["Message-ID"] == "<abc.123@lokapp.vasteras.se>"
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed["Date"].datetime == row.created_at.replace(microsecond=0)
    assert parsed.get_content_type() == "multipart/mixed"
    assert parsed.get_body(("plain",)).get_content() == "Hej Åke!\nDitt ärende är beslutat.\n"
    assert parsed.get_body(("html",)).get_content().strip() == "<p>Hej Åke!</p>"
    pdf, csv = parsed.iter_attachments()
    assert pdf.get_filename() == "Beslut åäö.pdf" and pdf.get_content_type() == "application/pdf"
    assert pdf.get_content() == PDF
    assert csv.get_content_type() == "text/csv"
    assert csv.get_payload(decode=True) == "namn;ort\nÅsa;Västerås\n".encode()


def test_build_email_without_html_or_attachments_is_plain_text():
    parsed = BytesParser(policy=default_policy).parsebytes(build_email(_transient()).as_bytes())
    assert parsed.get_content_type() == "text/plain"
    assert parsed.get_content() == "Hej Åke!\nDitt ärende är beslutat.\n"
    assert "Reply-To" not in parsed


# --- backoff ------------------------------------------------------------------------------------

@pytest.mark.parametrize("attempts, low, high", [
    (1, 48, 60), (2, 96, 120), (3, 192, 240), (4, 384, 480), (7, 2880, 3600), (30, 2880, 3600),
])
def test_retry_delay_doubles_with_jitter_and_is_capped_at_an_hour(attempts, low, high):
    delays = [retry_delay(attempts).total_seconds() for _ in range(50)]
    assert all(low <= d <= high for d in delays)
    assert len(set(delays)) > 1  # jitter


# --- configuration ------------------------------------------------------------------------------

def test_transport_is_chosen_by_mail_transport(tmp_path):
    assert isinstance(transport_from_config({"MAIL_TRANSPORT": "file", "MAIL_DIR": tmp_path}),
                      FileTransport)
    smtp = transport_from_config({"MAIL_TRANSPORT": "smtp", "MAIL_SERVER": "smtp.example.se",
                                  "MAIL_PORT": 587, "MAIL_USE_TLS": True, "MAIL_TIMEOUT": 7})
    assert isinstance(smtp, SMTPTransport) and smtp.use_tls and smtp.timeout == 7
    with pytest.raises(ValueError):
        transport_from_config({"MAIL_TRANSPORT": "pigeon"})
    with pytest.raises(ValueError):
        transport_from_config({"MAIL_TRANSPORT": "smtp", "MAIL_SERVER": "x", "MAIL_PORT": 1,
                               "MAIL_USE_TLS": True, "MAIL_USE_SSL": True})


def test_development_defaults_write_files_and_send_after_each_request(tmp_path, monkeypatch):
    for name in ("MAIL_TRANSPORT", "MAIL_DIR", "MAIL_SEND_AFTER_REQUEST"):
        monkeypatch.delenv(name, raising=False)
    config = load_config(tmp_path, "development")
    assert config["MAIL_TRANSPORT"] == "file"
    assert config["MAIL_DIR"] == str(tmp_path / "mail")
    assert config["MAIL_SEND_AFTER_REQUEST"] is True


# --- file transport -----------------------------------------------------------------------------

def test_file_transport_writes_one_parseable_eml_per_message(app, committing_db, monkeypatch,
                                                            tmp_path):
    db = committing_db
    mail_dir = tmp_path / "finns-inte-an" / "mail"
    monkeypatch.setitem(app.config, "MAIL_TRANSPORT", "file")
    monkeypatch.setitem(app.config, "MAIL_DIR", str(mail_dir))
    [(outbox_id, message_id)] = queue_test_mail(
        db, to=["Åke Ärlig <ake@example.se>"], subject="Beslut – Föreningen Älvängen",
        attachments=[("Beslut åäö.pdf", "application/pdf", PDF)])

    assert str(send_pending()) == "sent 1, retry 0, failed 0"

    files = sorted(mail_dir.glob("*.eml"))
    digest = hashlib.sha256(message_id.encode()).hexdigest()[:16]
    assert [f.name for f in files] == [f"{outbox_id:08d}-{digest}.eml"]
    assert stat.S_IMODE(mail_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    raw = files[0].read_bytes()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")  # RFC 5322 line ends
    parsed = BytesParser(policy=default_policy).parsebytes(raw)
    assert parsed["Message-ID"] == message_id
    assert parsed["Subject"] == "Beslut – Föreningen Älvängen"
    assert parsed["To"].addresses[0].display_name == "Åke Ärlig"
    assert "Åsa Öberg" in parsed.get_body(("plain",)).get_content()
    [attachment] = parsed.iter_attachments()
    assert hashlib.sha256(attachment.get_content()).digest() == hashlib.sha256(PDF).digest()
    row = outbox_row(db, outbox_id)
    assert row.status == OutboxStatus.SENT and row.sent_at is not None

    # Sending the same row again (say after a crash) replaces its file instead of adding one.
    db.session.execute(OutboxMessage.__table__.update().values(status="pending"))
    db.session.commit()
    send_pending()
    assert len(list(mail_dir.glob("*.eml"))) == 1
    assert not list(mail_dir.glob(".tmp-*"))


def test_an_unknown_transport_stops_the_app_at_start_up():
    from flask import Flask

    from lokapp.config import ConfigurationError
    from lokapp.core.mail import init_mail

    app = Flask(__name__)
    app.config.update(MAIL_TRANSPORT="brevduva")
    with pytest.raises(ConfigurationError, match="MAIL_TRANSPORT"):
        init_mail(app)


def test_a_text_only_mail_has_no_html_part_but_a_broken_html_part_is_an_error(
        app, db, tmp_path, monkeypatch):
    import jinja2
    import pytest as _pytest

    from lokapp.core.mail import queue_mail

    loader = jinja2.DictLoader({
        "t/plain.txt": "Hej {{ name }}",
        "t/broken.txt": "Hej",
        "t/broken.html": "{% include 't/missing_part.html' %}",
    })
    monkeypatch.setattr(app, "jinja_loader", jinja2.ChoiceLoader([loader, app.jinja_loader]))
    app.jinja_env.cache = {}
    with app.test_request_context():
        message = queue_mail(to="a@example.se", subject="Ämne", template="t/plain",
                             context={"name": "Åsa"})
        assert message.body_text == "Hej Åsa" and message.body_html is None
        with _pytest.raises(jinja2.TemplateNotFound, match="missing_part"):
            queue_mail(to="a@example.se", subject="Ämne", template="t/broken", context={})
