"""lokapp – the digital side of Västerås LÖK.

``create_app`` is a list of named ``register_*`` steps and nothing else.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from flask import Flask

from lokapp.config import load_config
from lokapp.extensions import babel, csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=os.environ.get("LOKAPP_INSTANCE_PATH", str(ROOT / "instance")),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    register_config(app, config)
    register_logging(app)
    register_extensions(app)
    register_i18n(app)
    register_auth(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_security_headers(app)
    register_error_handlers(app)
    register_mail(app)
    register_letters(app)
    register_cli(app)
    return app


def register_config(app: Flask, config: dict[str, Any] | None) -> None:
    env = (config or {}).get("LOKAPP_ENV")
    app.config.from_mapping(load_config(app.instance_path, env))
    if config:
        app.config.from_mapping(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)


def register_logging(app: Flask) -> None:
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
        # WeasyPrint logs every rendering step at INFO (each letter, each stylesheet parsed).
        logging.getLogger("weasyprint").setLevel(logging.WARNING)


def register_extensions(app: Flask) -> None:
    import lokapp.models  # noqa: F401 - the whole schema, for Alembic and relationships
    from lokapp.core.database import configure_engine

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True,
                     compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)


def register_i18n(app: Flask) -> None:
    from lokapp.core.i18n import select_locale, select_timezone

    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone,
                   default_translation_directories=str(Path(__file__).parent / "translations"))


def register_auth(app: Flask) -> None:
    from lokapp.auth.session import init_login

    init_login(app, login_manager)


def register_blueprints(app: Flask) -> None:
    from lokapp.agreement.views import bp as agreement_bp
    from lokapp.api.views import bp as api_bp
    from lokapp.associations.directory import bp as directory_bp
    from lokapp.associations.views import bp as register_bp
    from lokapp.auth.admin import bp as admin_bp
    from lokapp.auth.views import bp as auth_bp
    from lokapp.bookings import season_views  # noqa: F401 - season pages on bookings_bp
    from lokapp.bookings.views import bp as bookings_bp
    from lokapp.casework.views import bp as casework_bp
    from lokapp.core.views import bp as core_bp
    from lokapp.grants.views import bp as grants_bp

    for blueprint in (core_bp, auth_bp, admin_bp, agreement_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(register_bp)
    app.register_blueprint(directory_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(bookings_bp)
    app.register_blueprint(grants_bp)
    app.register_blueprint(casework_bp)


def register_template_helpers(app: Flask) -> None:
    from lokapp.core.templating import init_templating

    init_templating(app)


def register_security_headers(app: Flask) -> None:
    from lokapp.core.security import init_security_headers

    init_security_headers(app)


def register_error_handlers(app: Flask) -> None:
    from lokapp.core.errors import init_error_handlers

    init_error_handlers(app)


def register_mail(app: Flask) -> None:
    from lokapp.core.mail import init_mail

    init_mail(app)


def register_letters(app: Flask) -> None:
    from lokapp.letters import init_letters

    init_letters(app)


def register_cli(app: Flask) -> None:
    from lokapp.agreement import cli as _agreement_cli  # noqa: F401 - agreement-notify, demo
    from lokapp.associations import cli as _register_cli  # noqa: F401 - `lok remind`
    from lokapp.associations import demo as _association_demo  # noqa: F401 - demo step
    from lokapp.associations import demo_cases as _register_demo  # noqa: F401 - demo step
    from lokapp.auth import cli as _auth_cli  # noqa: F401 - registers commands on `lok`
    from lokapp.bookings import demo as _bookings_demo  # noqa: F401 - demo step
    from lokapp.casework import cli as _casework_cli  # noqa: F401 - `lok remind-deadlines`
    from lokapp.cli import lok
    from lokapp.core.mail import outbox_cli
    from lokapp.grants import cli as _grants_cli  # noqa: F401 - grants-seed, demo step
    from lokapp.grants import demo as _grants_demo  # noqa: F401 - demo step
    from lokapp.letters import cli as _letters_cli  # noqa: F401 - letter-sample, letters-batch

    app.cli.add_command(lok)
    app.cli.add_command(outbox_cli)
