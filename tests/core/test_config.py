import pytest

from lokapp import create_app
from lokapp.config import ConfigurationError, load_config


def test_production_refuses_to_start_without_secret_key(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="SECRET_KEY is not set"):
        load_config(tmp_path, "production")


def test_production_uses_secure_cookies(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    config = load_config(tmp_path, "production")
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
    assert config["SESSION_COOKIE_HTTPONLY"]
    assert config["MAIL_TRANSPORT"] == "smtp"
    assert config["MAIL_SEND_AFTER_REQUEST"] is False


def test_development_generates_a_key_once(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = load_config(tmp_path, "development")["SECRET_KEY"]
    second = load_config(tmp_path, "development")["SECRET_KEY"]
    assert first == second and len(first) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_database_url_defaults_to_sqlite_in_instance(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert load_config(tmp_path, "testing")["SQLALCHEMY_DATABASE_URI"] == \
        f"sqlite:///{tmp_path / 'lokapp.sqlite'}"


def test_postgres_urls_use_psycopg3(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db/lok")
    assert load_config(tmp_path, "testing")["SQLALCHEMY_DATABASE_URI"] == \
        "postgresql+psycopg://u@db/lok"


def test_unknown_environment_is_refused(tmp_path):
    with pytest.raises(ConfigurationError, match="LOKAPP_ENV"):
        load_config(tmp_path, "staging")


def test_bad_number_in_environment_gives_clear_message(monkeypatch, tmp_path):
    monkeypatch.setenv("MAIL_PORT", "tjugofem")
    with pytest.raises(ConfigurationError, match="MAIL_PORT"):
        load_config(tmp_path, "testing")


def test_create_app_accepts_overrides(tmp_path):
    app = create_app({"LOKAPP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "MAIL_DIR": str(tmp_path)})
    assert app.config["TESTING"] and app.config["MAIL_DIR"] == str(tmp_path)
