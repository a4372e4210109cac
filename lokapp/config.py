"""Configuration read from the environment.

``LOKAPP_ENV`` chooses the mode: ``development`` (default), ``production`` or ``testing``.
Everything else comes from environment variables so the same code runs on a laptop and in the
city's data centre; see the configuration table in README.md.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

ENVIRONMENTS = ("development", "production", "testing")


class ConfigurationError(RuntimeError):
    """Raised at start-up when the configuration cannot work."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "ja"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be a whole number, got {raw!r}") from exc


def _development_secret_key(instance_path: Path) -> str:
    """A key generated once into instance/ so sessions survive restarts in development."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def load_config(instance_path: str | os.PathLike[str], env: str | None = None) -> dict:
    """Build the configuration dictionary for ``env`` from ``os.environ``."""
    env = env or os.environ.get("LOKAPP_ENV", "development")
    if env not in ENVIRONMENTS:
        raise ConfigurationError(
            f"LOKAPP_ENV must be one of {', '.join(ENVIRONMENTS)}; got {env!r}"
        )
    instance = Path(instance_path)
    production = env == "production"

    secret_key = os.environ.get("SECRET_KEY")
    if not secret_key:
        if production:
            raise ConfigurationError(
                "SECRET_KEY is not set. In production lokapp refuses to start without it: "
                "set SECRET_KEY to a long random value (e.g. `python -c 'import secrets; "
                "print(secrets.token_hex(32))'`) in the service's environment."
            )
        secret_key = (
            "testing-secret-key" if env == "testing" else _development_secret_key(instance)
        )

    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'lokapp.sqlite'}"
    if database_url.startswith("postgres://"):  # Heroku-style URLs
        database_url = "postgresql+psycopg://" + database_url[len("postgres://"):]
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]

    return {
        "LOKAPP_ENV": env,
        "DEBUG": False,
        "TESTING": env == "testing",
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Sessions and cookies
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool(os.environ.get("SESSION_COOKIE_SECURE"), production),
        "SESSION_COOKIE_NAME": "lokapp_session",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool(os.environ.get("SESSION_COOKIE_SECURE"), production),
        "PERMANENT_SESSION_LIFETIME": _int("SESSION_LIFETIME_MINUTES", 8 * 60) * 60,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "SERVER_BASE_URL": os.environ.get("SERVER_BASE_URL", "http://127.0.0.1:5000"),
        # Forms
        "WTF_CSRF_ENABLED": True,
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "MAX_CONTENT_LENGTH": _int("MAX_UPLOAD_MB", 20) * 1024 * 1024,
        # Languages: Swedish first, English second.
        "BABEL_DEFAULT_LOCALE": "sv",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Stockholm",
        "LANGUAGES": {"sv": "Svenska", "en": "English"},
        "LOKAPP_TIMEZONE": "Europe/Stockholm",
        # Login throttling (Flask-Limiter); use a shared store such as Redis with several workers.
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _bool(os.environ.get("RATELIMIT_ENABLED"), True),
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per 15 minutes"),
        "LOGIN_EMAIL_RATE_LIMIT": os.environ.get("LOGIN_EMAIL_RATE_LIMIT", "5 per 15 minutes"),
        "REGISTER_RATE_LIMIT": os.environ.get("REGISTER_RATE_LIMIT", "30 per hour"),
        "MAIL_LINK_RATE_LIMIT": os.environ.get("MAIL_LINK_RATE_LIMIT", "10 per hour"),
        "MAIL_LINK_EMAIL_RATE_LIMIT": os.environ.get("MAIL_LINK_EMAIL_RATE_LIMIT", "3 per hour"),
        # Mail: "file" writes .eml files to MAIL_DIR; "smtp" sends through MAIL_SERVER.
        "MAIL_TRANSPORT": os.environ.get("MAIL_TRANSPORT", "smtp" if production else "file"),
        "MAIL_DIR": os.environ.get("MAIL_DIR", str(instance / "mail")),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "localhost"),
        "MAIL_PORT": _int("MAIL_PORT", 25),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _bool(os.environ.get("MAIL_USE_TLS")),
        "MAIL_USE_SSL": _bool(os.environ.get("MAIL_USE_SSL")),
        "MAIL_TIMEOUT": _int("MAIL_TIMEOUT", 30),
        "MAIL_DEFAULT_SENDER": os.environ.get(
            "MAIL_DEFAULT_SENDER", "Västerås stad – LÖK <lok@vasteras.se>"
        ),
        "MAIL_MAX_ATTEMPTS": _int("MAIL_MAX_ATTEMPTS", 8),
        "MAIL_LEASE_SECONDS": _int("MAIL_LEASE_SECONDS", 300),
        "MAIL_RETRY_BASE_SECONDS": _int("MAIL_RETRY_BASE_SECONDS", 60),
        "MAIL_RETRY_MAX_SECONDS": _int("MAIL_RETRY_MAX_SECONDS", 3600),
        "MAIL_BATCH_SIZE": _int("MAIL_BATCH_SIZE", 50),
        # Send queued mail right after each request (development convenience).
        "MAIL_SEND_AFTER_REQUEST": _bool(
            os.environ.get("MAIL_SEND_AFTER_REQUEST"), env == "development"
        ),
        # Contact shown in the accessibility statement and the privacy notice.
        "ACCESSIBILITY_CONTACT_EMAIL": os.environ.get(
            "ACCESSIBILITY_CONTACT_EMAIL", "tillganglighet.lok@vasteras.se"
        ),
        "PRIVACY_CONTACT_EMAIL": os.environ.get(
            "PRIVACY_CONTACT_EMAIL", "dataskyddsombud@vasteras.se"
        ),
    }
