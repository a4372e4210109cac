from __future__ import annotations

from sqlalchemy import select

from lokapp.auth.models import AuthToken, User
from lokapp.auth.tokens import hash_token
from tests.auth.conftest import STRONG_PASSWORD, is_logged_in, link_path, text


def _register(client, **overrides):
    data = {"name": "Karin Berg", "email": "Karin.Berg@Example.se", "password": STRONG_PASSWORD,
            "password_confirm": STRONG_PASSWORD}
    data.update(overrides)
    return client.post("/registrera", data=data)


def test_register_page_explains_the_password_rule(client):
    response = client.get("/registrera")
    assert response.status_code == 200
    body = text(response)
    for name in ("name", "email", "password", "password_confirm"):
        assert f'name="{name}"' in body
    assert "Minst 12 tecken" in body


def test_register_verify_and_be_logged_in(client, db, outbox):
    response = _register(client)
    assert response.status_code == 200
    assert "<h1>Kontrollera din e-post</h1>" in text(response)

    user = db.session.scalar(select(User).where(User.email == "karin.berg@example.se"))
    assert user is not None and not user.is_verified
    assert not is_logged_in(client)

    [message] = outbox(to="karin.berg@example.se")
    assert message.subject == "Bekräfta din e-postadress"
    assert message.body_html and "Bekräfta din e-postadress" in message.body_html
    path = link_path(message, "/verifiera/")
    token = path.rsplit("/", 1)[1]
    # Only the hash is stored.
    stored = db.session.scalar(select(AuthToken).where(AuthToken.user_id == user.id))
    assert stored.token_hash == hash_token(token) and token not in stored.token_hash

    # GET changes nothing (mail scanners open links).
    page = client.get(path)
    assert page.status_code == 200
    assert "Bekräfta e-postadressen" in text(page)
    db.session.refresh(user)
    assert not user.is_verified

    response = client.post(path)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/konto")
    db.session.refresh(user)
    assert user.is_verified
    account = client.get("/konto")
    assert account.status_code == 200
    assert "Din e-postadress är bekräftad" in text(account)

    # Single use.
    client.post("/logga-ut")
    again = client.post(path)
    assert again.status_code == 400
    assert "Länken är redan använd" in text(again)


def test_duplicate_email_is_neutral_and_the_owner_is_told(client, db, make_user, outbox):
    owner = make_user(email="anna@example.se", name="Anna Ägare")
    users_before = db.session.scalar(select(User.id).order_by(User.id.desc()).limit(1))

    response = _register(client, email="ANNA@example.se", name="Någon Annan")

    assert response.status_code == 200
    body = text(response)
    assert "<h1>Kontrollera din e-post</h1>" in body
    assert "finns redan" not in body
    assert db.session.scalar(select(User.id).order_by(User.id.desc()).limit(1)) == users_before
    [message] = outbox(to=owner.email)
    assert message.subject == "Någon försökte skapa ett konto med din e-postadress"
    assert "http://localhost/glomt-losenord" in message.body_text


def test_duplicate_of_unverified_account_sends_a_new_verification_link(client, make_user,
                                                                        outbox):
    make_user(email="ny@example.se", verified=False)
    response = _register(client, email="ny@example.se")
    assert response.status_code == 200
    [message] = outbox(to="ny@example.se")
    assert message.subject == "Bekräfta din e-postadress"


def test_expired_verification_link(client, db, outbox):
    from datetime import timedelta

    from lokapp.core.time import utcnow

    _register(client)
    path = link_path(outbox()[-1], "/verifiera/")
    token = db.session.scalar(select(AuthToken))
    token.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    for response in (client.get(path), client.post(path)):
        assert response.status_code == 400
        assert "Länken har gått ut" in text(response)
        assert "/verifiera-igen" in text(response)
    assert not is_logged_in(client)


def test_unknown_verification_link(client):
    response = client.get("/verifiera/finns-inte")
    assert response.status_code == 400
    assert "Länken fungerar inte" in text(response)
    assert client.post("/verifiera/" + "x" * 500).status_code == 400


def test_resend_verification_is_neutral(client, make_user, outbox):
    make_user(email="ej-bekraftad@example.se", verified=False)
    make_user(email="bekraftad@example.se")
    answers = []
    for email in ("ej-bekraftad@example.se", "bekraftad@example.se", "okand@example.se"):
        response = client.post("/verifiera-igen", data={"email": email})
        assert response.status_code == 200
        answers.append(text(response).replace(email, "EMAIL"))
    assert answers[0] == answers[1] == answers[2]
    assert [m.recipients for m in outbox()] == [["ej-bekraftad@example.se"]]


def test_logged_in_user_is_sent_away_from_register(client, login_as):
    login_as("resident")
    assert client.get("/registrera").status_code == 302


def test_registering_is_throttled_per_address_but_typos_do_not_count(client, app, outbox,
                                                                     monkeypatch):
    monkeypatch.setitem(app.config, "REGISTER_RATE_LIMIT", "2 per hour")
    for _ in range(3):
        response = _register(client, password="kort", password_confirm="kort")
        assert response.status_code == 200
        assert "minst 12 tecken" in text(response)
    for n in range(2):
        response = _register(client, email=f"person{n}@example.se")
        assert "<h1>Kontrollera din e-post</h1>" in text(response)
    response = _register(client, email="person9@example.se")
    assert response.status_code == 429
    body = text(response)
    assert "<h1>Skapa konto</h1>" in body
    assert "Du har gjort för många försök på kort tid. Vänta 60 minuter" in body
    assert 'value="person9@example.se"' in body
    assert len(outbox()) == 2
