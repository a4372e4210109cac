"""Public core pages: start page, accessibility statement, privacy notice, language switch."""
from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_babel import gettext as _

from lokapp.core.access import public
from lokapp.core.forms_public import AccessibilityFeedbackForm, LanguageForm
from lokapp.core.i18n import SESSION_KEY
from lokapp.core.mail import queue_mail
from lokapp.core.urls import safe_next_url
from lokapp.extensions import db

bp = Blueprint("core", __name__)


@bp.get("/")
@public
def home():
    return render_template("core/home.html")


@bp.route("/tillganglighet", methods=["GET", "POST"])
@public
def accessibility():
    form = AccessibilityFeedbackForm()
    if form.validate_on_submit():
        queue_mail(
            to=current_app.config["ACCESSIBILITY_CONTACT_EMAIL"],
            subject=_("Synpunkt på tillgängligheten i lokapp"),
            template="mail/accessibility_feedback",
            context={"name": form.name.data, "email": form.email.data,
                     "page": form.page.data, "message": form.message.data},
            reply_to=form.email.data or None,
        )
        db.session.commit()
        flash(_("Tack! Vi har tagit emot din synpunkt."), "success")
        return redirect(url_for("core.accessibility"))
    return render_template("core/accessibility.html", form=form)


@bp.get("/personuppgifter")
@public
def privacy():
    return render_template("core/privacy.html")


@bp.post("/sprak")
@public
def set_language():
    form = LanguageForm()
    if form.validate_on_submit():
        session[SESSION_KEY] = form.lang.data
    return redirect(safe_next_url(form.next.data, url_for("core.home")))


@bp.get("/halsa")
@public
def health():
    """Liveness and database check for the load balancer."""
    db.session.execute(db.select(1))
    return {"status": "ok"}
