from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lokapp.auth.demo import DEMO_PASSWORD, DEMO_USERS
from lokapp.auth.models import User
from lokapp.auth.passwords import has_usable_password, verify_password
from lokapp.core.mail import OutboxMessage
from tests.auth.conftest import STRONG_PASSWORD


@pytest.fixture(autouse=True)
def _uploads_in_tmp(app, tmp_path, monkeypatch):
    """`flask lok demo` stores files (the grant demo's attachments, association documents):
    in the test's own folder, not in the developer's instance/uploads."""
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))


def _user(db, email):
    db.session.expire_all()
    return db.session.scalar(User.select_by_email(email))


def _lines(output: str, verb: str) -> set[str]:
    """The demo accounts a `flask lok demo` run reports with ``verb`` (other domains' steps
    print their own lines)."""
    prefix = f"{verb}: "
    return {line[len(prefix):] for line in output.splitlines()
            if line.startswith(prefix) and line.endswith("@demo.lokapp.se")}


def test_create_staff_with_prompted_password(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=[
        "lok", "create-staff", "--email", "It.Chef@vasteras.se", "--name", "Ingrid Tek",
        "--role", "admin", "--role", "supervisor", "--area", "grants", "--limit", "100000",
    ], input=f"{STRONG_PASSWORD}\n{STRONG_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert STRONG_PASSWORD not in result.output  # hidden input
    assert "Skapade it.chef@vasteras.se" in result.output
    user = _user(db, "it.chef@vasteras.se")
    assert user.role_names == {"admin", "supervisor"}
    assert user.area_names == {"grants"}
    assert user.delegation_limit_sek == 100000
    assert user.is_verified
    assert verify_password(user.password_hash, STRONG_PASSWORD)


def test_create_staff_refuses_weak_password_and_mismatch(app, db):
    runner = app.test_cli_runner()
    weak = runner.invoke(args=["lok", "create-staff", "--email", "a@vasteras.se", "--name",
                               "Anna", "--role", "officer"], input="kort\nkort\n")
    assert weak.exit_code != 0
    assert "minst 12 tecken" in weak.output
    mismatch = runner.invoke(args=["lok", "create-staff", "--email", "a@vasteras.se", "--name",
                                   "Anna", "--role", "officer"],
                             input=f"{STRONG_PASSWORD}\n{STRONG_PASSWORD}!\n")
    assert mismatch.exit_code != 0
    assert "Lösenorden är inte likadana" in mismatch.output
    assert _user(db, "a@vasteras.se") is None


def test_create_staff_with_invitation(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["lok", "create-staff", "--email", "ny@vasteras.se", "--name",
                                 "Ny Person", "--role", "officer", "--send-invite"])
    assert result.exit_code == 0, result.output
    user = _user(db, "ny@vasteras.se")
    assert not has_usable_password(user.password_hash)
    message = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.subject == "Välkommen till lokapp – välj ditt lösenord"))
    assert message.recipients == ["ny@vasteras.se"]
    assert "http://localhost/aterstall-losenord/" in message.body_text


def test_create_staff_refuses_duplicates_and_bad_input(app, make_user):
    make_user(email="finns@vasteras.se")
    runner = app.test_cli_runner()
    dup = runner.invoke(args=["lok", "create-staff", "--email", "FINNS@vasteras.se", "--name",
                              "X Y", "--role", "officer", "--send-invite"])
    assert dup.exit_code != 0 and "Det finns redan ett konto" in dup.output
    bad_role = runner.invoke(args=["lok", "create-staff", "--email", "b@vasteras.se", "--name",
                                   "X Y", "--role", "kung", "--send-invite"])
    assert bad_role.exit_code != 0
    bad_email = runner.invoke(args=["lok", "create-staff", "--email", "inte en adress",
                                    "--name", "X Y", "--role", "officer", "--send-invite"])
    assert bad_email.exit_code != 0 and "Ogiltig e-postadress" in bad_email.output


def test_demo_is_idempotent(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["lok", "demo"])
    assert first.exit_code == 0, first.output
    assert _lines(first.output, "skapad") == {u.email for u in DEMO_USERS}
    count = db.session.scalar(select(func.count()).select_from(User))

    second = runner.invoke(args=["lok", "demo"])
    assert second.exit_code == 0, second.output
    assert _lines(second.output, "oförändrad") == {u.email for u in DEMO_USERS}
    assert _lines(second.output, "skapad") == set()
    assert db.session.scalar(select(func.count()).select_from(User)) == count

    officer = _user(db, "handlaggare@demo.lokapp.se")
    assert officer.role_names == {"officer"}
    assert officer.area_names == {"register", "grants", "bookings"}
    assert officer.delegation_limit_sek == 50000
    chef = _user(db, "chef@demo.lokapp.se")
    assert chef.role_names == {"supervisor", "officer"}
    assert len(chef.area_names) == 5 and chef.delegation_limit_sek == 500000
    assert _user(db, "admin@demo.lokapp.se").role_names == {"admin"}
    assert _user(db, "samordnare@demo.lokapp.se").role_names == {"coordinator"}
    for email in ("forening@demo.lokapp.se", "invanare@demo.lokapp.se"):
        resident = _user(db, email)
        assert resident.role_names == set() and resident.is_verified
        assert verify_password(resident.password_hash, DEMO_PASSWORD)

    # A changed demo account is put back.
    officer.delegation_limit_sek = 1
    db.session.commit()
    third = runner.invoke(args=["lok", "demo"])
    assert "återställd: handlaggare@demo.lokapp.se" in third.output
    assert _user(db, "handlaggare@demo.lokapp.se").delegation_limit_sek == 50000


def test_demo_users_can_log_in(app, client):
    app.test_cli_runner().invoke(args=["lok", "demo"])
    response = client.post("/logga-in", data={"email": "chef@demo.lokapp.se",
                                              "password": DEMO_PASSWORD})
    assert response.status_code == 302


def test_demo_refuses_production(app, db):
    app.config["LOKAPP_ENV"] = "production"
    try:
        result = app.test_cli_runner().invoke(args=["lok", "demo"])
    finally:
        app.config["LOKAPP_ENV"] = "testing"
    assert result.exit_code != 0
    assert "får inte läggas in i produktion" in result.output
    assert _user(db, "admin@demo.lokapp.se") is None
