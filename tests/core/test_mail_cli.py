"""``flask outbox send|status|retry`` and the development after-response sender."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import update

from lokapp.core.mail import OutboxMessage, OutboxStatus
from lokapp.extensions import db as _db
from tests.mailserver import configure, free_port, outbox_row, queue_test_mail, smtp_settings

pytestmark = pytest.mark.timeout(90)

ROOT = Path(__file__).resolve().parents[2]


def _fail(db, outbox_id: int) -> None:
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == outbox_id).values(
        status=OutboxStatus.FAILED, attempts=8, last_error="550 nej"))
    db.session.commit()


# --- flask outbox send / status / retry ---------------------------------------------------------

def test_send_once_sends_what_is_due_and_prints_a_summary(app, committing_db, monkeypatch,
                                                         tmp_path):
    db = committing_db
    monkeypatch.setitem(app.config, "MAIL_TRANSPORT", "file")
    monkeypatch.setitem(app.config, "MAIL_DIR", str(tmp_path))
    [(outbox_id, _), _second] = queue_test_mail(db, 2)

    result = app.test_cli_runner().invoke(args=["outbox", "send", "--once"])

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "sent 2, retry 0, failed 0"
    assert len(list(tmp_path.glob("*.eml"))) == 2
    assert outbox_row(db, outbox_id).status == OutboxStatus.SENT


def test_send_once_reports_retries_and_still_exits_0(app, committing_db, monkeypatch):
    db = committing_db
    configure(app, monkeypatch, smtp_settings(free_port()))
    queue_test_mail(db)

    result = app.test_cli_runner().invoke(args=["outbox", "send", "--once"])

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "sent 0, retry 1, failed 0"


def test_status_counts_messages_per_status(app, committing_db):
    db = committing_db
    queued = queue_test_mail(db, 3)
    _fail(db, queued[0][0])

    result = app.test_cli_runner().invoke(args=["outbox", "status"])
    db.session.rollback()

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "pending  2" in lines and "failed   1" in lines and "sent     0" in lines
    assert any(line.startswith("oldest pending queued ") for line in lines)
    assert "flask outbox retry" in result.output


def test_retry_requeues_a_failed_message(app, committing_db):
    db = committing_db
    [(failed_id, _), (pending_id, _)] = queue_test_mail(db, 2)
    _fail(db, failed_id)
    runner = app.test_cli_runner()

    result = runner.invoke(args=["outbox", "retry", str(failed_id)])

    assert result.exit_code == 0, result.output
    assert "re-queued 1" in result.output
    row = outbox_row(db, failed_id)
    assert row.status == OutboxStatus.PENDING and row.attempts == 0
    assert row.last_error == "550 nej"  # kept until the next attempt tells something new

    refused = runner.invoke(args=["outbox", "retry", str(pending_id)])
    assert refused.exit_code != 0 and "only failed messages" in refused.output
    missing = runner.invoke(args=["outbox", "retry", "999999"])
    assert missing.exit_code != 0 and "no outbox message" in missing.output
    assert runner.invoke(args=["outbox", "retry"]).exit_code != 0
    db.session.rollback()


def test_retry_all_failed(app, committing_db):
    db = committing_db
    queued = queue_test_mail(db, 3)
    for outbox_id, _ in queued[:2]:
        _fail(db, outbox_id)

    result = app.test_cli_runner().invoke(args=["outbox", "retry", "--all-failed"])

    assert result.exit_code == 0 and "re-queued 2" in result.output
    assert {outbox_row(db, i).status for i, _ in queued} == {OutboxStatus.PENDING}


@pytest.mark.slow
def test_the_worker_loop_sends_and_stops_cleanly_on_sigterm(app, committing_db, tmp_path):
    """``flask outbox send`` as its own process: it delivers, then exits 0 on SIGTERM."""
    db = committing_db
    [(outbox_id, _)] = queue_test_mail(db)
    mail_dir = tmp_path / "mail"
    env = {
        **os.environ,
        "FLASK_APP": "lokapp",
        "LOKAPP_ENV": "testing",
        "LOKAPP_INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": _db.engine.url.render_as_string(hide_password=False),
        "MAIL_TRANSPORT": "file",
        "MAIL_DIR": str(mail_dir),
        "MAIL_SEND_AFTER_REQUEST": "0",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "outbox", "send", "--interval", "0.2"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while not list(mail_dir.glob("*.eml")) and time.monotonic() < deadline:
            assert process.poll() is None, process.stdout.read()
            time.sleep(0.1)
        assert list(mail_dir.glob("*.eml")), "the worker did not send within 30 s"
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, output
    assert "sent 1, retry 0, failed 0" in output
    assert "stopped: sent 1, retry 0, failed 0." in output
    assert outbox_row(db, outbox_id).status == OutboxStatus.SENT


# --- sending after the response (development) ---------------------------------------------------

def _post_feedback_like_a_browser(app) -> int:
    """POST the accessibility feedback form from a fresh thread, as a real server would.

    In the test's own thread the request would share the test's app context and session; a
    server thread has its own, which is torn down before the response is closed.
    """
    statuses = []

    def request():
        response = app.test_client().post("/tillganglighet", data={
            "name": "Åsa Öberg", "email": "asa@example.se", "page": "/lokaler",
            "message": "Kalendern går inte att använda med skärmläsare.",
        }, buffered=True)  # buffered: the body is consumed and the response closed
        statuses.append(response.status_code)

    thread = threading.Thread(target=request)
    thread.start()
    thread.join(30)
    assert not thread.is_alive()
    return statuses[0]


def test_mail_is_sent_right_after_the_response_when_enabled(app, committing_db, use_smtp,
                                                           monkeypatch):
    db = committing_db
    monkeypatch.setitem(app.config, "MAIL_SEND_AFTER_REQUEST", True)

    assert _post_feedback_like_a_browser(app) == 302

    [received] = use_smtp.received
    assert received.rcpt_tos == ("tillganglighet.lok@vasteras.se",)
    assert received.message["Subject"] == "Synpunkt på tillgängligheten i lokapp"
    assert "skärmläsare" in received.message.get_body(("plain",)).get_content()
    [row] = db.session.scalars(_db.select(OutboxMessage)).all()
    db.session.rollback()
    assert row.status == OutboxStatus.SENT


def test_nothing_is_sent_after_the_response_when_disabled(app, committing_db, use_smtp,
                                                         monkeypatch):
    db = committing_db
    monkeypatch.setitem(app.config, "MAIL_SEND_AFTER_REQUEST", False)

    assert _post_feedback_like_a_browser(app) == 302

    assert use_smtp.received == []
    [row] = db.session.scalars(_db.select(OutboxMessage)).all()
    db.session.rollback()
    assert row.status == OutboxStatus.PENDING and row.attempts == 0


def test_a_mail_failure_after_the_response_never_breaks_the_page(app, committing_db, monkeypatch):
    db = committing_db
    configure(app, monkeypatch, smtp_settings(free_port(), MAIL_SEND_AFTER_REQUEST=True))

    assert _post_feedback_like_a_browser(app) == 302

    [row] = db.session.scalars(_db.select(OutboxMessage)).all()
    db.session.rollback()
    assert row.status == OutboxStatus.PENDING and row.attempts == 1 and row.last_error


def test_an_exception_in_the_after_response_sender_is_swallowed(app, committing_db, monkeypatch,
                                                               caplog):
    import lokapp.core.mail as mail

    def broken(*args, **kwargs):
        raise RuntimeError("databasen svarar inte")

    monkeypatch.setattr(mail, "send_pending", broken)
    monkeypatch.setitem(app.config, "MAIL_SEND_AFTER_REQUEST", True)

    assert _post_feedback_like_a_browser(app) == 302
    assert "databasen svarar inte" in caplog.text
