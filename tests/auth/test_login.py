from __future__ import annotations

import pytest
from sqlalchemy import select

from lokapp.auth.models import User
from lokapp.auth.passwords import hash_password
from tests.auth.conftest import STRONG_PASSWORD, is_logged_in, text
from tests.factories import DEFAULT_PASSWORD

NEUTRAL = "E-postadressen eller lösenordet stämmer inte."


def _login(client, email, password=DEFAULT_PASSWORD, query="", **extra):
    return client.post(f"/logga-in{query}", data={"email": email, "password": password, **extra})


def test_login_page_has_the_fields(client):
    body = text(client.get("/logga-in"))
    for name in ("email", "password", "remember"):
        assert f'name="{name}"' in body
    assert "Kom ihåg mig" in body


def test_login_and_logout(client, db, make_user, audit_events):
    user = make_user(email="per@example.se")
    response = _login(client, "  PER@Example.se ")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert is_logged_in(client)
    db.session.refresh(user)
    assert user.last_login_at is not None
    [event] = audit_events("auth.login")
    assert event.actor_id == user.id

    response = client.post("/logga-ut")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Du är utloggad" in text(client.get("/"))
    assert not is_logged_in(client)


def test_logout_needs_post(client, login_as):
    login_as("resident")
    assert client.get("/logga-ut").status_code == 405
    assert is_logged_in(client)


def test_wrong_password_is_neutral_and_keeps_the_email(client, make_user, audit_events):
    make_user(email="per@example.se")
    wrong = _login(client, "per@example.se", "fel lösenord helt klart")
    unknown = _login(client, "ingen@example.se", "fel lösenord helt klart")
    for response, email in ((wrong, "per@example.se"), (unknown, "ingen@example.se")):
        assert response.status_code == 200
        body = text(response)
        assert NEUTRAL in body
        assert f'value="{email}"' in body
        assert "fel lösenord helt klart" not in body
    assert not is_logged_in(client)
    events = audit_events("auth.login_failed")
    assert [e.details["reason"] for e in events] == ["wrong_password", "unknown_email"]
    for event in events:
        assert "fel lösenord" not in str(event.details)
        assert "password" not in event.details


def test_unverified_user_is_told_to_verify_and_can_get_a_new_link(client, make_user, outbox):
    make_user(email="ny@example.se", verified=False)
    response = _login(client, "ny@example.se")
    assert response.status_code == 200
    body = text(response)
    assert "Bekräfta din e-postadress först" in body
    assert 'action="/verifiera-igen"' in body
    assert not is_logged_in(client)

    client.post("/verifiera-igen", data={"email": "ny@example.se"})
    assert [m.subject for m in outbox(to="ny@example.se")] == ["Bekräfta din e-postadress"]


def test_unverified_status_is_not_told_without_the_password(client, make_user):
    make_user(email="ny@example.se", verified=False)
    body = text(_login(client, "ny@example.se", "inte rätt lösenord alls"))
    assert NEUTRAL in body and "Bekräfta din e-postadress först" not in body


def test_disabled_user_is_refused(client, make_user):
    make_user(email="av@example.se", disabled=True)
    response = _login(client, "av@example.se")
    assert response.status_code == 200
    assert "Kontot är avstängt" in text(response)
    assert not is_logged_in(client)


def test_disabled_user_loses_a_running_session(client, db, login_as):
    user = login_as("resident")
    assert is_logged_in(client)
    user.is_disabled = True
    db.session.commit()
    assert not is_logged_in(client)


def test_old_hash_is_upgraded(app, client, db, make_user, monkeypatch):
    from argon2 import PasswordHasher

    monkeypatch.setitem(app.config, "PASSWORD_HASH_FAST", False)  # the production cost
    user = make_user(email="gammal@example.se")
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    user.password_hash = weak.hash(DEFAULT_PASSWORD)
    old_hash = user.password_hash
    db.session.commit()
    assert _login(client, "gammal@example.se").status_code == 302
    db.session.refresh(user)
    assert user.password_hash != old_hash
    assert user.password_hash.startswith("$argon2id$v=19$m=65536")


def test_remember_me_sets_a_cookie(client, make_user):
    make_user(email="per@example.se")
    response = _login(client, "per@example.se", remember="y")
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("remember_token=") for c in cookies)


@pytest.mark.parametrize("target", [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example",
    "http:/evil.example",
    "javascript:alert(1)",
    "/\t/evil.example",
])
def test_next_url_must_be_local(client, make_user, target):
    from urllib.parse import quote

    make_user(email="per@example.se")
    response = _login(client, "per@example.se", query="?next=" + quote(target, safe=""))
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_next_url_local_is_followed(client, make_user):
    make_user(email="per@example.se")
    response = _login(client, "per@example.se", query="?next=/konto")
    assert response.headers["Location"] == "/konto"


def test_protected_page_sends_anonymous_to_login_and_back(client, make_user):
    make_user("admin", email="admin@example.se")
    response = client.get("/admin/personal")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/logga-in?next=")
    response = client.post(location, data={"email": "admin@example.se",
                                           "password": DEFAULT_PASSWORD})
    assert response.headers["Location"] == "/admin/personal"


def test_session_fixation_session_is_renewed(client, make_user):
    make_user(email="per@example.se")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
        session["lang"] = "sv"
    _login(client, "per@example.se")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["lang"] == "sv"


# --- Throttling -----------------------------------------------------------------------------


def test_too_many_failures_for_one_email_are_refused_on_the_login_page(client, make_user,
                                                                       app):
    make_user(email="mål@example.se")
    for attempt in range(5):
        response = _login(client, "mål@example.se", f"gissning nummer {attempt}!")
        assert response.status_code == 200, attempt
    # Even the right password is refused now, and in other spellings of the address.
    response = _login(client, " MÅL@example.se", DEFAULT_PASSWORD)
    assert response.status_code == 429
    body = text(response)
    assert "<h1>Logga in</h1>" in body
    assert "För många inloggningsförsök. Vänta 15 minuter och försök igen." in body, \
        body[body.find("<main"):][:400]
    assert 'value="mål@example.se"' in body
    assert "Retry-After" in response.headers
    assert not is_logged_in(client)
    # Another address from the same client still works.
    make_user(email="annan@example.se")
    assert _login(client, "annan@example.se").status_code == 302


def test_too_many_failures_from_one_address(client, app, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3 per 15 minutes")
    for n in range(3):
        assert _login(client, f"person{n}@example.se", "fel fel fel fel").status_code == 200
    response = _login(client, "person9@example.se", "fel fel fel fel")
    assert response.status_code == 429
    assert "För många inloggningsförsök" in text(response)
    # Another client is not affected.
    other = app.test_client()
    make_user(email="per@example.se")
    ok = other.post("/logga-in", data={"email": "per@example.se",
                                       "password": DEFAULT_PASSWORD},
                    environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert ok.status_code == 302


def test_successful_logins_are_not_counted(client, app, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "2 per 15 minutes")
    monkeypatch.setitem(app.config, "LOGIN_EMAIL_RATE_LIMIT", "2 per 15 minutes")
    make_user(email="per@example.se")
    for _ in range(3):
        assert _login(client, "per@example.se").status_code == 302
        client.post("/logga-ut")


def test_forgot_password_is_throttled_per_email(client, make_user, outbox):
    make_user(email="per@example.se")
    for _ in range(3):
        assert client.post("/glomt-losenord", data={"email": "per@example.se"}).status_code == 200
    response = client.post("/glomt-losenord", data={"email": "per@example.se"})
    assert response.status_code == 429
    assert "Du har gjort för många försök på kort tid" in text(response)
    assert len(outbox(to="per@example.se")) == 3


def test_logged_in_user_is_sent_away_from_login(client, login_as):
    login_as("resident")
    assert client.get("/logga-in").status_code == 302


def test_login_stores_lower_case_lookup(db, make_user):
    user = make_user(email="blandat@example.se")
    assert db.session.scalar(User.select_by_email("BLANDAT@EXAMPLE.SE ")) == user
    assert db.session.scalar(select(User).where(User.email == "blandat@example.se")) == user
    assert hash_password(STRONG_PASSWORD) != hash_password(STRONG_PASSWORD)
