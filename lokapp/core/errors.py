"""Friendly Swedish error pages; a failed CSRF check answers 400 with an explanation."""
from __future__ import annotations

import logging

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from lokapp.extensions import db

log = logging.getLogger(__name__)

TEMPLATES = {400: "errors/400.html", 403: "errors/403.html", 404: "errors/404.html",
             500: "errors/500.html"}


def _render(code: int, **context):
    template = TEMPLATES.get(code, "errors/generic.html")
    return render_template(template, code=code, **context), code


def init_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error):
        return _render(
            400,
            reason=_("Formuläret hade gått ut eller skickades från en annan sida. "
                     "Gå tillbaka, ladda om sidan och försök igen – det du skrev kan behöva "
                     "fyllas i igen."),
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        reason = None
        if error.code == 403 and error.description and error.description != \
                type(error).description:
            reason = error.description
        if error.code == 429:
            reason = _("Du har gjort för många försök på kort tid. Vänta en stund och försök "
                       "igen.")
        if error.code == 413:
            reason = _("Filen är för stor.")
        if error.code == 405:
            reason = _("Sidan kan inte användas på det sättet.")
        return _render(error.code, reason=reason, error=error)

    @app.errorhandler(500)
    def _unexpected(error):
        # Unhandled exceptions arrive here (except in tests and debug mode, where they
        # propagate so they are seen).
        log.error("unhandled error", exc_info=getattr(error, "original_exception", None))
        db.session.rollback()
        return _render(500)
