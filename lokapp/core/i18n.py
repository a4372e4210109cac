"""Language and time zone selection: Swedish first, English second."""
from __future__ import annotations

from flask import current_app, has_request_context, session

SESSION_KEY = "lang"


def select_locale() -> str:
    # Outside a request (CLI commands, the outbox worker, tests) there is no session.
    lang = session.get(SESSION_KEY) if has_request_context() else None
    if lang in current_app.config["LANGUAGES"]:
        return lang
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["LOKAPP_TIMEZONE"]
