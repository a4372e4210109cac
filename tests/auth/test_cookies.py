"""The session cookie is HttpOnly and SameSite=Lax everywhere, and Secure in production."""
from __future__ import annotations

import subprocess
import sys
import textwrap


def _session_cookie(headers) -> str:
    cookies = [c for c in headers.getlist("Set-Cookie") if c.startswith("lokapp_session=")]
    assert cookies, headers
    return cookies[0]


def test_session_cookie_flags_in_testing(client, make_user):
    from tests.factories import DEFAULT_PASSWORD

    make_user(email="per@example.se")
    response = client.post("/logga-in", data={"email": "per@example.se",
                                              "password": DEFAULT_PASSWORD})
    cookie = _session_cookie(response.headers)
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_session_cookie_is_secure_in_production(tmp_path):
    """A production app needs SECRET_KEY from the environment; run it in its own process so
    the shared extensions (limiter, login manager) of the test app are left alone."""
    script = textwrap.dedent(f"""
        import os
        os.environ["LOKAPP_ENV"] = "production"
        os.environ["SECRET_KEY"] = "a-long-random-secret-for-this-test-only"
        os.environ["LOKAPP_INSTANCE_PATH"] = {str(tmp_path)!r}
        os.environ["DATABASE_URL"] = "sqlite:///{tmp_path}/prod.sqlite"
        from lokapp import create_app
        app = create_app()
        assert app.config["LOKAPP_ENV"] == "production"
        assert app.config["SECRET_KEY"] == os.environ["SECRET_KEY"]
        response = app.test_client().get("/logga-in", base_url="https://lok.vasteras.se")
        assert response.status_code == 200, response.status_code
        cookies = [c for c in response.headers.getlist("Set-Cookie")
                   if c.startswith("lokapp_session=")]
        print(cookies[0])
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    cookie = result.stdout.strip().splitlines()[-1]
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_remember_cookie_flags(client, make_user):
    from tests.factories import DEFAULT_PASSWORD

    make_user(email="per@example.se")
    response = client.post("/logga-in", data={"email": "per@example.se",
                                              "password": DEFAULT_PASSWORD, "remember": "y"})
    [cookie] = [c for c in response.headers.getlist("Set-Cookie")
                if c.startswith("remember_token=")]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
