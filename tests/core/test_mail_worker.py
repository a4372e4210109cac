"""The outbox worker against a real SMTP server (aiosmtpd): delivery, retries, leases, races."""
from __future__ import annotations

import hashlib
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from lokapp.core.mail import OutboxMessage, OutboxStatus, send_pending
from lokapp.core.mail_transport import DeliveryResult, SMTPTransport
from lokapp.core.time import utcnow
from tests.mailserver import (
    MailServer,
    configure,
    free_port,
    outbox_row,
    queue_test_mail,
    smtp_settings,
)

pytestmark = pytest.mark.timeout(120)

PDF = b"%PDF-1.7\n" + hashlib.sha256(b"beslut").digest() * 512 + b"\n%%EOF\n"


def later(hours: float = 2):
    """A clock that has moved on, so every retry is due."""
    return lambda: utcnow() + timedelta(hours=hours)


def test_commit_then_send_delivers_exactly_one_intact_message(committing_db, use_smtp):
    db = committing_db
    subject = "Beslut om bidrag – Föreningen Älvängen i Västerås"
    [(outbox_id, message_id)] = queue_test_mail(
        db, to=["Åke Ärlig <ake@example.se>"], subject=subject,
        reply_to="Handläggare Örn <orn@vasteras.se>",
        attachments=[("Beslut åäö.pdf", "application/pdf", PDF)], related=("cases", 17))

    report = send_pending()

    assert str(report) == "sent 1, retry 0, failed 0"
    [received] = use_smtp.received
    assert received.mail_from == "lok@vasteras.se"
    assert received.rcpt_tos == ("ake@example.se",)
    message = received.message
    assert message["Message-ID"] == message_id
    assert message["Subject"] == subject
    assert message["From"].addresses[0].display_name == "Västerås stad – LÖK"
    assert message["From"].addresses[0].addr_spec == "lok@vasteras.se"
    assert message["To"].addresses[0].display_name == "Åke Ärlig"
    assert message["Reply-To"].addresses[0].display_name == "Handläggare Örn"
    assert "Öster Mälarstrand" in message.get_body(("plain",)).get_content()
    assert "Öster Mälarstrand" in message.get_body(("html",)).get_content()
    [attachment] = message.iter_attachments()
    assert attachment.get_filename() == "Beslut åäö.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert hashlib.sha256(attachment.get_content()).hexdigest() == hashlib.sha256(PDF).hexdigest()

    row = outbox_row(db, outbox_id)
    assert row.status == OutboxStatus.SENT and row.sent_at is not None
    assert row.attempts == 1 and row.last_error is None
    assert row.locked_by is None and row.locked_until is None

    assert send_pending(clock=later()).claimed == 0
    assert use_smtp.message_ids() == {message_id: 1}


def test_server_down_keeps_the_message_and_a_later_pass_delivers_it_once(app, committing_db,
                                                                         monkeypatch):
    db = committing_db
    port = free_port()  # nothing listens here: the server is down
    configure(app, monkeypatch, smtp_settings(port))
    [(outbox_id, message_id)] = queue_test_mail(db)
    before = utcnow()

    report = send_pending()

    assert str(report) == "sent 0, retry 1, failed 0"
    row = outbox_row(db, outbox_id)
    assert row.status == OutboxStatus.PENDING
    assert row.attempts == 1
    assert "unavailable" in row.last_error and "Connection" in row.last_error
    assert row.next_attempt_at >= before + timedelta(seconds=48)  # first backoff: ~1 minute
    assert row.locked_by is None
    assert send_pending().claimed == 0  # not due yet

    with MailServer(port=port) as server:
        assert str(send_pending(clock=later())) == "sent 1, retry 0, failed 0"
        assert send_pending(clock=later(5)).claimed == 0
        assert server.message_ids() == {message_id: 1}
    row = outbox_row(db, outbox_id)
    assert row.status == OutboxStatus.SENT and row.attempts == 2 and row.last_error is None


def test_an_unreachable_server_costs_one_attempt_and_leaves_the_rest_of_the_batch(
        app, committing_db, monkeypatch):
    db = committing_db
    configure(app, monkeypatch, smtp_settings(free_port()))
    queued = queue_test_mail(db, 3)

    report = send_pending()

    assert (report.claimed, report.retry, report.released) == (3, 1, 2)
    rows = [outbox_row(db, outbox_id) for outbox_id, _ in queued]
    assert [r.attempts for r in rows] == [1, 0, 0]
    assert all(r.status == OutboxStatus.PENDING and r.locked_by is None for r in rows)
    assert rows[1].next_attempt_at <= utcnow()  # still due: tried on the next pass


def test_gives_up_after_max_attempts(app, committing_db, monkeypatch):
    db = committing_db
    configure(app, monkeypatch, smtp_settings(free_port(), MAIL_MAX_ATTEMPTS=3))
    [(outbox_id, _)] = queue_test_mail(db)

    reports = [send_pending(clock=later(hours)) for hours in (0, 2, 4)]

    assert [str(r) for r in reports] == ["sent 0, retry 1, failed 0", "sent 0, retry 1, failed 0",
                                         "sent 0, retry 0, failed 1"]
    row = outbox_row(db, outbox_id)
    assert row.status == OutboxStatus.FAILED and row.attempts == 3 and row.last_error
    assert send_pending(clock=later(48)).claimed == 0


def test_all_recipients_refused_with_5xx_fails_at_once(committing_db, use_smtp):
    db = committing_db
    use_smtp.handler.refuse["finns-inte@example.se"] = "550 5.1.1 Mailbox does not exist"
    [(outbox_id, _)] = queue_test_mail(db, to="finns-inte@example.se")

    assert str(send_pending()) == "sent 0, retry 0, failed 1"
    row = outbox_row(db, outbox_id)
    assert row.status == OutboxStatus.FAILED and row.attempts == 1
    assert "550 5.1.1" in row.last_error
    assert use_smtp.received == []


def test_a_temporary_refusal_is_retried(committing_db, use_smtp):
    db = committing_db
    use_smtp.handler.refuse["full@example.se"] = "452 4.2.2 Mailbox full"
    [(outbox_id, message_id)] = queue_test_mail(db, to="full@example.se")

    assert str(send_pending()) == "sent 0, retry 1, failed 0"
    assert "452" in outbox_row(db, outbox_id).last_error

    del use_smtp.handler.refuse["full@example.se"]
    assert str(send_pending(clock=later())) == "sent 1, retry 0, failed 0"
    assert use_smtp.message_ids() == {message_id: 1}


def test_a_partly_refused_message_is_sent_and_the_refusal_noted(committing_db, use_smtp):
    db = committing_db
    use_smtp.handler.refuse["fel@example.se"] = "550 5.1.1 No such user"
    [(outbox_id, _)] = queue_test_mail(db, to=["ratt@example.se", "fel@example.se"])

    assert str(send_pending()) == "sent 1, retry 0, failed 0"
    [received] = use_smtp.received
    assert received.rcpt_tos == ("ratt@example.se",)
    row = outbox_row(db, outbox_id)
    assert row.status == OutboxStatus.SENT and "fel@example.se: 550" in row.last_error


def test_one_smtp_connection_carries_a_batch(committing_db, use_smtp):
    db = committing_db
    queue_test_mail(db, 5)
    sessions = []
    original = use_smtp.handler.handle_DATA

    async def handle_DATA(server, session, envelope):
        sessions.append(id(session))
        return await original(server, session, envelope)

    use_smtp.handler.handle_DATA = handle_DATA
    assert send_pending().sent == 5
    assert len(set(sessions)) == 1


@pytest.mark.slow
def test_two_workers_at_once_deliver_every_message_exactly_once(app, committing_db, use_smtp):
    db = committing_db
    queued = queue_test_mail(db, 50)
    barrier = threading.Barrier(2)
    reports: dict[str, list] = {"w1": [], "w2": []}
    errors: list[BaseException] = []

    def worker(name: str) -> None:
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                while True:
                    report = send_pending(limit=5, worker_id=name)
                    reports[name].append(report)
                    if report.claimed == 0:
                        return
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(name,)) for name in reports]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    assert not any(t.is_alive() for t in threads)
    assert errors == []

    counts = use_smtp.message_ids()
    assert set(counts) == {message_id for _, message_id in queued}
    assert set(counts.values()) == {1}
    assert sum(r.sent for rs in reports.values() for r in rs) == 50
    statuses = db.session.execute(select(OutboxMessage.status, OutboxMessage.attempts)).all()
    db.session.rollback()
    assert statuses == [(OutboxStatus.SENT, 1)] * 50


def test_an_expired_lease_is_reclaimed_and_a_live_one_is_respected(committing_db, use_smtp):
    db = committing_db
    [(outbox_id, message_id)] = queue_test_mail(db)
    db.session.execute(update(OutboxMessage).values(
        status=OutboxStatus.SENDING, locked_by="krashad-arbetare",
        locked_until=utcnow() + timedelta(minutes=5)))
    db.session.commit()

    assert send_pending().claimed == 0  # the claim is still alive
    assert use_smtp.received == []

    report = send_pending(clock=lambda: utcnow() + timedelta(minutes=10))

    assert str(report) == "sent 1, retry 0, failed 0"
    assert use_smtp.message_ids() == {message_id: 1}
    row = outbox_row(db, outbox_id)
    # The crashed worker's attempt counts, then the delivery.
    assert row.status == OutboxStatus.SENT and row.attempts == 2


def test_an_expired_lease_on_the_last_attempt_fails_the_message(app, committing_db, use_smtp,
                                                                monkeypatch):
    db = committing_db
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 2)
    [(outbox_id, _)] = queue_test_mail(db)
    db.session.execute(update(OutboxMessage).values(
        status=OutboxStatus.SENDING, attempts=1, locked_by="krashad-arbetare",
        locked_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()

    assert str(send_pending()) == "sent 0, retry 0, failed 1"
    row = outbox_row(db, outbox_id)
    assert row.status == OutboxStatus.FAILED and row.attempts == 2 and "stopped" in row.last_error
    assert use_smtp.received == []


def test_a_worker_whose_lease_was_taken_over_records_nothing(committing_db, use_smtp):
    """Worker A hangs past its lease; B reclaims and delivers; A's late result is ignored.

    This also proves A sends outside any transaction: on SQLite B could not claim otherwise.
    """
    db = committing_db
    [(outbox_id, message_id)] = queue_test_mail(db)
    other_reports = []

    class HangingTransport:
        def __enter__(self):
            return self

        def __exit__(self, *exc_info):
            return None

        def send(self, mail):
            other_reports.append(send_pending(worker_id="B", clock=later(1)))
            return DeliveryResult()

    report = send_pending(worker_id="A", transport=HangingTransport())

    assert str(other_reports[0]) == "sent 1, retry 0, failed 0"
    assert report.sent == 0  # A's success was not recorded over B's
    row = outbox_row(db, outbox_id)
    assert row.status == OutboxStatus.SENT and row.locked_by is None and row.attempts == 2
    assert use_smtp.message_ids() == {message_id: 1}


def test_a_stop_request_releases_the_untried_rest(committing_db, use_smtp):
    db = committing_db
    queue_test_mail(db, 4)
    calls = iter([False, False, True])

    report = send_pending(should_stop=lambda: next(calls, True))

    assert (report.sent, report.released) == (2, 2)
    pending = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.status == OutboxStatus.PENDING)).all()
    assert len(pending) == 2 and all(m.attempts == 0 and m.locked_by is None for m in pending)
    db.session.rollback()


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_smtp_login_is_used(app, committing_db, monkeypatch):
    db = committing_db
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult

        logins.append((auth_data.login, auth_data.password))
        # handled=False: aiosmtpd then answers "535" itself
        return AuthResult(success=auth_data.password == b"hemligt-2026", handled=False)

    with MailServer(authenticator=authenticator, auth_require_tls=False,
                    auth_required=True) as server:
        configure(app, monkeypatch, smtp_settings(server, MAIL_USERNAME="lokapp",
                                                  MAIL_PASSWORD="hemligt-2026"))
        [(_, message_id)] = queue_test_mail(db)
        assert send_pending().sent == 1
        assert server.message_ids() == {message_id: 1}

        monkeypatch.setitem(app.config, "MAIL_PASSWORD", "fel")
        [(outbox_id, _)] = queue_test_mail(db)
        assert send_pending().retry == 1
        assert "535" in outbox_row(db, outbox_id).last_error
    assert logins[0] == (b"lokapp", b"hemligt-2026")


@pytest.mark.parametrize("mode", ["starttls", "ssl"])
def test_smtp_over_tls(app, committing_db, tls_certificate, mode):
    db = committing_db
    if mode == "starttls":
        server = MailServer(tls_context=tls_certificate.server_context(), require_starttls=True)
    else:
        server = MailServer(ssl_context=tls_certificate.server_context())
    [(_, message_id)] = queue_test_mail(db)
    transport = SMTPTransport(server.host, server.port, use_tls=mode == "starttls",
                              use_ssl=mode == "ssl", timeout=3,
                              ssl_context=tls_certificate.client_context())
    with server:
        assert send_pending(transport=transport).sent == 1
        assert server.message_ids() == {message_id: 1}


def test_postgresql_claims_skip_rows_another_worker_has_locked(committing_db, use_smtp,
                                                              is_postgresql):
    if not is_postgresql:
        pytest.skip("FOR UPDATE SKIP LOCKED is PostgreSQL's; SQLite serialises claims instead")
    db = committing_db
    queued = queue_test_mail(db, 4)
    with db.engine.connect() as other:
        transaction = other.begin()
        locked = other.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id).limit(2)
                               .with_for_update()).all()  # a claim in progress elsewhere

        report = send_pending(limit=10)  # does not wait for the locked rows

        assert report.claimed == 2 and report.sent == 2
        transaction.rollback()
    assert str(send_pending()) == "sent 2, retry 0, failed 0"
    assert set(use_smtp.message_ids().values()) == {1}
    assert locked == [outbox_id for outbox_id, _ in queued[:2]]


def test_a_message_that_cannot_be_built_fails_at_once(committing_db, use_smtp):
    db = committing_db
    [(outbox_id, _)] = queue_test_mail(db)
    db.session.execute(update(OutboxMessage).values(sender="lok@vasteras.se\nBcc: x@example.se"))
    db.session.commit()

    assert str(send_pending()) == "sent 0, retry 0, failed 1"
    row = outbox_row(db, outbox_id)
    assert row.status == OutboxStatus.FAILED and "cannot build message" in row.last_error
    assert use_smtp.received == []
