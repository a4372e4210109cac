"""Flask-Login wiring: the session id is ``<user id>:<session version>``."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager

from lokapp.extensions import db


def init_login(app: Flask, login_manager: LoginManager) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Logga in för att se sidan.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(session_id: str):
        from lokapp.auth.models import User

        user_id, _, version = session_id.partition(":")
        if not user_id.isdigit() or not version.isdigit():
            return None
        user = db.session.get(User, int(user_id))
        if user is None or user.session_version != int(version) or user.is_disabled:
            return None
        return user
