from __future__ import annotations

import pytest

from lokapp.auth.passwords import (
    has_usable_password,
    hash_password,
    password_problem,
    unusable_password,
    verify_password,
)
from tests.auth.conftest import STRONG_PASSWORD, text


@pytest.mark.parametrize("password", [
    STRONG_PASSWORD,
    "Tre ord och en siffra 7",
    "korrekt-häst-batteri-häftklammer",
    "ÅÄÖåäö123456",
])
def test_good_passwords(app, password):
    with app.test_request_context():
        assert password_problem(password, email="karin@example.se", name="Karin Berg") is None


@pytest.mark.parametrize(("password", "fragment"), [
    ("kort", "minst 12 tecken"),
    ("elva tecken", "minst 12 tecken"),
    ("aaaaaaaaaaaa", "samma tecken"),
    ("aaaaaaaaaaab", "samma tecken"),
    ("abababababab", "samma tecken"),
    ("karin@example.se", "e-postadress eller ditt namn"),
    ("KarinBerg2026!", "e-postadress eller ditt namn"),
    ("Karin Berg", "minst 12 tecken"),
    ("Karin Berg Karin", None),  # long enough and not the name exactly
    ("berg20262026", "e-postadress eller ditt namn"),
    ("Lösenord2026!", "vanligaste"),
    ("password123456", "vanligaste"),
    ("qwertyuiop12", "vanligaste"),
    ("123456789012", "vanligaste"),
    ("abcdefghijkl", "vanligaste"),
    ("x" * 201, "högst 200"),
])
def test_weak_passwords(app, password, fragment):
    with app.test_request_context():
        problem = password_problem(password, email="karin@example.se", name="Karin Berg")
        if fragment is None:
            assert problem is None
        else:
            assert problem is not None and fragment in str(problem)


def test_hashing_and_unusable_passwords():
    hashed = hash_password(STRONG_PASSWORD)
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, STRONG_PASSWORD)
    assert not verify_password(hashed, STRONG_PASSWORD + "x")
    unusable = unusable_password()
    assert not has_usable_password(unusable)
    assert not verify_password(unusable, unusable)
    assert not verify_password(unusable, "")


@pytest.mark.parametrize(("password", "message"), [
    ("kort", "Lösenordet måste ha minst 12 tecken."),
    ("aaaaaaaaaaaaaaaa", "Lösenordet består nästan bara av samma tecken."),
    ("lena.holm@example.se", "Lösenordet får inte vara din e-postadress eller ditt namn."),
    ("Sommar2026!!", "Lösenordet är ett av de vanligaste lösenorden"),
])
def test_register_refuses_weak_passwords_and_keeps_the_input(client, outbox, password,
                                                              message):
    response = client.post("/registrera", data={
        "name": "Lena Holm", "email": "lena.holm@example.se", "password": password,
        "password_confirm": password})
    assert response.status_code == 200
    body = text(response)
    assert message in body
    assert 'value="Lena Holm"' in body
    assert 'value="lena.holm@example.se"' in body
    assert password not in body.replace("lena.holm@example.se", "")  # never echoed back
    assert outbox() == []


def test_register_requires_matching_confirmation(client):
    response = client.post("/registrera", data={
        "name": "Lena Holm", "email": "lena@example.se", "password": STRONG_PASSWORD,
        "password_confirm": STRONG_PASSWORD + "x"})
    assert response.status_code == 200
    assert "Lösenorden är inte likadana" in text(response)
    assert STRONG_PASSWORD not in text(response)


def test_fast_test_hashes_are_rehashed_outside_the_test_suite(app, monkeypatch):
    from lokapp.auth.passwords import hash_password, needs_rehash

    with app.app_context():
        fast = hash_password("ett tillräckligt långt lösenord")
        monkeypatch.setitem(app.config, "PASSWORD_HASH_FAST", False)
        assert needs_rehash(fast)
        assert not needs_rehash(hash_password("ett tillräckligt långt lösenord"))
