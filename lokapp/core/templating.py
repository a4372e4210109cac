"""Template filters and globals shared by every page."""
from __future__ import annotations

from flask import Flask, current_app, request
from flask_babel import get_locale
from flask_login import current_user

from lokapp.core import permissions
from lokapp.core.forms import EmptyForm
from lokapp.core.time import format_local


def _can(name: str, obj=None) -> bool:
    return permissions.can(name, current_user, obj)


def init_templating(app: Flask) -> None:
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters["localtime"] = lambda v, fmt="%Y-%m-%d %H:%M": format_local(v, fmt)
    app.jinja_env.filters["localdate"] = lambda v: format_local(v, "%Y-%m-%d")

    @app.context_processor
    def _globals():
        return {
            "can": _can,
            "current_locale": str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"]),
            "languages": current_app.config["LANGUAGES"],
            "empty_form": EmptyForm,
            "current_path": request.full_path.rstrip("?") if request else "/",
        }
