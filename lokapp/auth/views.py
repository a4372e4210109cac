"""Sign-in pages (to be completed: register, verify, login, logout, reset, account)."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import logout_user

from lokapp.core.access import anonymous_only, login_required

bp = Blueprint("auth", __name__)


@bp.get("/logga-in")
@anonymous_only
def login():
    return render_template("core/home.html")


@bp.post("/logga-ut")
@login_required
def logout():
    logout_user()
    return redirect(url_for("core.home"))


@bp.get("/registrera")
@anonymous_only
def register():
    return render_template("core/home.html")


@bp.get("/konto")
@login_required
def account():
    return render_template("core/home.html")
