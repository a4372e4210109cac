from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lokapp.auth.models import AuthToken, TokenPurpose
from lokapp.auth.passwords import verify_password
from lokapp.core.time import utcnow
from tests.auth.conftest import STRONG_PASSWORD, is_logged_in, link_path, text
from tests.factories import DEFAULT_PASSWORD

NEW = "ett helt nytt lösenord 99"


def _ask_for_link(client, outbox, email) -> str:
    response = client.post("/glomt-losenord", data={"email": email})
    assert response.status_code == 200
    return link_path(outbox(to=email)[-1], "/aterstall-losenord/")


def _reset(client, path, password=NEW, confirm=None):
    return client.post(path, data={"password": password, "password_confirm": confirm or password})


def test_forgot_password_answers_the_same_for_everyone(client, make_user, outbox):
    make_user(email="finns@example.se")
    make_user(email="avstangd@example.se", disabled=True)
    answers = []
    for email in ("finns@example.se", "finns-inte@example.se", "avstangd@example.se"):
        response = client.post("/glomt-losenord", data={"email": email})
        assert response.status_code == 200
        assert "<h1>Kontrollera din e-post</h1>" in text(response)
        answers.append(text(response).replace(email, "EMAIL"))
    assert answers[0] == answers[1] == answers[2]
    [message] = outbox()
    assert message.recipients == ["finns@example.se"]
    assert message.subject == "Återställ ditt lösenord"
    assert "60 minuter" in message.body_text


def test_reset_sets_the_password_and_logs_in(client, db, make_user, outbox, audit_events):
    user = make_user(email="per@example.se")
    path = _ask_for_link(client, outbox, "per@example.se")
    page = client.get(path)
    assert page.status_code == 200
    assert 'name="password"' in text(page) and 'name="password_confirm"' in text(page)

    response = _reset(client, path)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/konto")
    assert is_logged_in(client)
    db.session.refresh(user)
    assert verify_password(user.password_hash, NEW)
    assert audit_events("auth.password_reset")

    # Single use.
    client.post("/logga-ut")
    again = client.get(path)
    assert again.status_code == 400
    assert "Länken är redan använd" in text(again)
    assert _reset(client, path, "ännu ett annat lösenord").status_code == 400
    db.session.refresh(user)
    assert verify_password(user.password_hash, NEW)


def test_expired_reset_link(client, db, make_user, outbox):
    make_user(email="per@example.se")
    path = _ask_for_link(client, outbox, "per@example.se")
    token = db.session.scalar(select(AuthToken).where(
        AuthToken.purpose == TokenPurpose.RESET_PASSWORD))
    assert token.expires_at - token.created_at == timedelta(hours=1)
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    for response in (client.get(path), _reset(client, path)):
        assert response.status_code == 400
        assert "Länken har gått ut" in text(response)
        assert "/glomt-losenord" in text(response)
    assert not is_logged_in(client)


def test_unknown_reset_link(client):
    response = client.get("/aterstall-losenord/hittepa")
    assert response.status_code == 400
    assert "Länken fungerar inte" in text(response)


def test_reset_ends_other_sessions_and_other_links(app, client, db, make_user, outbox):
    user = make_user(email="per@example.se")
    # A session on another computer.
    other = app.test_client()
    other.post("/logga-in", data={"email": "per@example.se", "password": DEFAULT_PASSWORD})
    assert is_logged_in(other)
    version = user.session_version

    first = _ask_for_link(client, outbox, "per@example.se")
    second = _ask_for_link(client, outbox, "per@example.se")
    assert first != second
    assert _reset(client, second).status_code == 302

    db.session.refresh(user)
    assert user.session_version == version + 1
    assert is_logged_in(client)
    assert not is_logged_in(other)
    # The older link was invalidated by the reset.
    response = client.get(first)
    assert response.status_code == 400
    assert "Länken är redan använd" in text(response)


def test_reset_refuses_weak_password_and_echoes_nothing(client, make_user, outbox):
    make_user(email="per@example.se", name="Per Persson")
    path = _ask_for_link(client, outbox, "per@example.se")
    response = _reset(client, path, "per@example.se")
    assert response.status_code == 200
    assert "Lösenordet får inte vara din e-postadress eller ditt namn." in text(response)
    assert 'value="per@example.se"' not in text(response).split("<form")[1].replace(
        'name="username" value="per@example.se"', "")
    response = _reset(client, path, NEW, confirm=NEW + "!")
    assert "Lösenorden är inte likadana" in text(response)
    # The token survives a failed attempt.
    assert _reset(client, path).status_code == 302


def test_reset_verifies_an_unverified_address(client, db, make_user, outbox):
    user = make_user(email="ny@example.se", verified=False)
    path = _ask_for_link(client, outbox, "ny@example.se")
    assert _reset(client, path).status_code == 302
    db.session.refresh(user)
    assert user.is_verified


@pytest.mark.parametrize("purpose_path", ["/verifiera/", "/aterstall-losenord/"])
def test_token_of_one_purpose_does_not_work_for_the_other(client, db, make_user, purpose_path):
    from lokapp.auth import tokens

    user = make_user(verified=False)
    raw_verify = tokens.issue(user, TokenPurpose.VERIFY_EMAIL, tokens.VERIFY_LIFETIME)
    raw_reset = tokens.issue(user, TokenPurpose.RESET_PASSWORD, tokens.RESET_LIFETIME)
    db.session.commit()
    wrong = raw_reset if purpose_path == "/verifiera/" else raw_verify
    assert client.get(purpose_path + wrong).status_code == 400


def test_change_password_on_account_page(app, client, db, login_as, outbox):
    user = login_as("resident", email="per@example.se")
    other = app.test_client()
    with other.session_transaction() as session:
        session["_user_id"] = user.get_id()
    assert is_logged_in(other)

    response = client.post("/konto/losenord", data={
        "current_password": "fel", "password": STRONG_PASSWORD,
        "password_confirm": STRONG_PASSWORD})
    assert response.status_code == 200
    assert "Det nuvarande lösenordet stämmer inte." in text(response)

    response = client.post("/konto/losenord", data={
        "current_password": DEFAULT_PASSWORD, "password": STRONG_PASSWORD,
        "password_confirm": STRONG_PASSWORD})
    assert response.status_code == 302
    db.session.refresh(user)
    assert verify_password(user.password_hash, STRONG_PASSWORD)
    assert is_logged_in(client)       # this session continues
    assert not is_logged_in(other)    # every other one ends
    assert [m.subject for m in outbox(to="per@example.se")] == ["Ditt lösenord har ändrats"]
