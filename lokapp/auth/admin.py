"""Administration of staff accounts (to be completed)."""
from __future__ import annotations

from flask import Blueprint, render_template

from lokapp.core.access import role_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/personal")
@role_required("admin")
def staff_list():
    return render_template("core/home.html")
