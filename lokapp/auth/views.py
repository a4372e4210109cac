"""Accounts: register, verify the address, log in and out, reset the password, my account.

Throttling (Flask-Limiter): failed logins are counted per client address (``LOGIN_RATE_LIMIT``)
and per email address (``LOGIN_EMAIL_RATE_LIMIT``, default 5 per 15 minutes) so a password
cannot be guessed from many addresses either. Only failed attempts count, so colleagues behind
one office address do not lock each other out. Pages that send mail (register, forgot password,
new verification link) are limited per client address (``REGISTER_RATE_LIMIT``, default 30 per
hour; ``MAIL_LINK_RATE_LIMIT``, default 10 per hour) and per email address
(``MAIL_LINK_EMAIL_RATE_LIMIT``, default 3 per hour) so they cannot be used to flood a mailbox;
only valid submissions count. A refused request gets the same page back with a Swedish
explanation and status 429.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter import RateLimitExceeded
from flask_login import current_user, login_user, logout_user

from lokapp.auth import services, tokens
from lokapp.auth.forms import (
    ChangeNameForm,
    ChangePasswordForm,
    EmailOnlyForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
)
from lokapp.auth.models import GlobalRole, StaffArea, TokenPurpose, User
from lokapp.auth.passwords import has_usable_password
from lokapp.auth.services import LoginOutcome
from lokapp.core.access import anonymous_only, login_required, public
from lokapp.core.i18n import SESSION_KEY
from lokapp.core.urls import safe_next_url
from lokapp.extensions import db, limiter

log = logging.getLogger(__name__)

bp = Blueprint("auth", __name__)

REMEMBER_DURATION = timedelta(days=30)


# --- Throttling -----------------------------------------------------------------------------


def _config_limit(key: str, default: str) -> Callable[[], str]:
    return lambda: current_app.config.get(key) or default


def _form_email_key(prefix: str) -> Callable[[], str]:
    def key() -> str:
        return f"{prefix}:{User.normalise_email((request.form.get('email') or '')[:254])}"

    return key


def _failed_attempt(response) -> bool:
    """A failed login re-renders the form (200); a successful one redirects."""
    return response.status_code == 200


def _minutes_left(limit) -> int:
    return max(1, round((limit.reset_at - time.time()) / 60))


def _login_throttled(limit):
    minutes = _minutes_left(limit)
    log.warning("login throttled: %s", limit.key)
    message = ngettext(
        "För många inloggningsförsök. Vänta %(num)d minut och försök igen.",
        "För många inloggningsförsök. Vänta %(num)d minuter och försök igen.",
        minutes,
    )
    return make_response(
        render_template("auth/login.html", form=LoginForm(), throttle_message=message), 429
    )


def _mail_throttled(template: str, form_class: type) -> Callable:
    def on_breach(limit):
        minutes = _minutes_left(limit)
        message = ngettext(
            "Du har gjort för många försök på kort tid. Vänta %(num)d minut och försök igen.",
            "Du har gjort för många försök på kort tid. Vänta %(num)d minuter och försök igen.",
            minutes,
        )
        return make_response(
            render_template(template, form=form_class(), throttle_message=message), 429
        )

    return on_breach


login_ip_limit = limiter.limit(
    _config_limit("LOGIN_RATE_LIMIT", "10 per 15 minutes"), methods=["POST"],
    deduct_when=_failed_attempt, on_breach=_login_throttled, scope="login-ip",
)
login_email_limit = limiter.limit(
    _config_limit("LOGIN_EMAIL_RATE_LIMIT", "5 per 15 minutes"), methods=["POST"],
    key_func=_form_email_key("login"), deduct_when=_failed_attempt,
    on_breach=_login_throttled, scope="login-email",
)


@bp.errorhandler(RateLimitExceeded)
def _rate_limited(error: RateLimitExceeded):
    """Our ``on_breach`` callbacks build the page; the app-wide handler would replace it."""
    if error.response is not None:
        return error.response
    return render_template("errors/generic.html", code=429, reason=_(
        "Du har gjort för många försök på kort tid. Vänta en stund och försök igen.")), 429


def _mark_mail_request() -> None:
    """This POST was valid and may have sent a mail: it counts towards the mail limits."""
    g.auth_mail_request = True


def _counts_as_mail_request(_response) -> bool:
    return bool(g.get("auth_mail_request"))


def _mail_limits(template: str, form_class: type, name: str, ip_limit: tuple[str, str]):
    """Per client address and per email address limits for a page that sends mail.

    Only valid submissions count (a typo in the form sends nothing), so people registering
    together on one network – a meeting on the city's guest wifi – are not stopped.
    """
    on_breach = _mail_throttled(template, form_class)
    ip = limiter.limit(_config_limit(*ip_limit), methods=["POST"], on_breach=on_breach,
                       deduct_when=_counts_as_mail_request, scope=f"{name}-ip")
    email = limiter.limit(_config_limit("MAIL_LINK_EMAIL_RATE_LIMIT", "3 per hour"),
                          methods=["POST"], key_func=_form_email_key(name),
                          deduct_when=_counts_as_mail_request, on_breach=on_breach,
                          scope=f"{name}-email")
    return lambda view: ip(email(view))


# --- Helpers --------------------------------------------------------------------------------


def _clear_session() -> None:
    """Forget everything in the session except the chosen language."""
    language = session.get(SESSION_KEY)
    session.clear()
    if language:
        session[SESSION_KEY] = language


def _log_in(user: User, remember: bool = False) -> None:
    """A fresh session for the user."""
    _clear_session()
    login_user(user, remember=remember, duration=REMEMBER_DURATION)


def _token_problem(check: tokens.TokenCheck, purpose: TokenPurpose):
    """The 400 page for an expired, used or unknown link, with the way to a new one."""
    return render_template("auth/token_invalid.html", state=check.state.value,
                           purpose=purpose.value), 400


# --- Register and verify --------------------------------------------------------------------


@bp.route("/registrera", methods=["GET", "POST"])
@_mail_limits("auth/register.html", RegisterForm, "register",
              ("REGISTER_RATE_LIMIT", "30 per hour"))
@anonymous_only
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        _mark_mail_request()
        services.register(name=form.name.data, email=form.email.data,
                          password=form.password.data)
        db.session.commit()
        return render_template("auth/check_email.html", reason="register",
                               email=form.email.data)
    return render_template("auth/register.html", form=form)


@bp.get("/verifiera/<token>")
@public
def verify_email(token: str):
    check = tokens.check(token, TokenPurpose.VERIFY_EMAIL)
    if not check.is_valid:
        return _token_problem(check, TokenPurpose.VERIFY_EMAIL)
    return render_template("auth/verify.html", email=check.user.email)


@bp.post("/verifiera/<token>")
@public
def verify_email_confirm(token: str):
    check = tokens.check(token, TokenPurpose.VERIFY_EMAIL)  # CSRF: checked by CSRFProtect
    user = services.verify_email(check) if check.is_valid else None
    if user is None:
        return _token_problem(check, TokenPurpose.VERIFY_EMAIL)
    db.session.commit()
    _log_in(user)
    flash(_("Tack! Din e-postadress är bekräftad och du är inloggad."), "success")
    return redirect(url_for("auth.account"))


@bp.route("/verifiera-igen", methods=["GET", "POST"])
@_mail_limits("auth/resend.html", EmailOnlyForm, "resend",
              ("MAIL_LINK_RATE_LIMIT", "10 per hour"))
@public
def resend_verification():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        _mark_mail_request()
        services.resend_verification(form.email.data)
        db.session.commit()
        return render_template("auth/check_email.html", reason="resend", email=form.email.data)
    if request.method == "GET" and not form.email.data:
        form.email.data = (request.args.get("email") or "")[:254]
    return render_template("auth/resend.html", form=form)


# --- Log in and out -------------------------------------------------------------------------


@bp.route("/logga-in", methods=["GET", "POST"])
@login_ip_limit
@login_email_limit
@anonymous_only
def login():
    form = LoginForm()
    if form.validate_on_submit():
        result = services.authenticate(form.email.data, form.password.data)
        db.session.commit()  # the audit row of a failure is kept too
        if result.outcome is LoginOutcome.OK:
            _log_in(result.user, remember=form.remember.data)
            return redirect(safe_next_url(request.args.get("next"), url_for("core.home")))
        return render_template("auth/login.html", form=form, outcome=result.outcome.value,
                               resend_form=EmailOnlyForm(formdata=None, email=form.email.data))
    return render_template("auth/login.html", form=form)


@bp.post("/logga-ut")
@login_required
def logout():
    services.record_logout(current_user._get_current_object())
    db.session.commit()
    _clear_session()
    logout_user()  # after clearing: it leaves the note that deletes the remember-me cookie
    flash(_("Du är utloggad."), "success")
    return redirect(url_for("core.home"))


# --- Forgot and reset password --------------------------------------------------------------


@bp.route("/glomt-losenord", methods=["GET", "POST"])
@_mail_limits("auth/forgot.html", EmailOnlyForm, "forgot",
              ("MAIL_LINK_RATE_LIMIT", "10 per hour"))
@public
def forgot_password():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        _mark_mail_request()
        services.request_password_reset(form.email.data)
        db.session.commit()
        return render_template("auth/check_email.html", reason="forgot", email=form.email.data)
    return render_template("auth/forgot.html", form=form)


@bp.route("/aterstall-losenord/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    check = tokens.check(token, TokenPurpose.RESET_PASSWORD)
    if not check.is_valid:
        return _token_problem(check, TokenPurpose.RESET_PASSWORD)
    user = check.user
    form = ResetPasswordForm(user=user)
    if form.validate_on_submit():
        if services.reset_password(check, form.password.data) is None:
            return _token_problem(tokens.check(token, TokenPurpose.RESET_PASSWORD),
                                  TokenPurpose.RESET_PASSWORD)
        db.session.commit()
        _log_in(user)
        flash(_("Ditt nya lösenord är sparat och du är inloggad."), "success")
        return redirect(url_for("auth.account"))
    return render_template("auth/reset.html", form=form, user=user,
                           first_time=not has_usable_password(user.password_hash))


# --- My account -----------------------------------------------------------------------------


def _account_page(password_form=None, name_form=None):
    user = current_user._get_current_object()
    return render_template(
        "auth/account.html",
        user=user,
        password_form=password_form or ChangePasswordForm(formdata=None, user=user),
        name_form=name_form or ChangeNameForm(formdata=None, name=user.name),
        roles=[GlobalRole(r) for r in sorted(user.role_names)],
        areas=[StaffArea(a) for a in sorted(user.area_names)],
    )


@bp.get("/konto")
@login_required
def account():
    return _account_page()


@bp.post("/konto/losenord")
@login_required
def change_password():
    user = current_user._get_current_object()
    form = ChangePasswordForm(user=user)
    if form.validate_on_submit():
        services.change_password(user, form.password.data)
        db.session.commit()
        _log_in(user)  # this session continues with the new session version
        flash(_("Ditt lösenord är ändrat. Du har loggats ut på alla andra enheter."), "success")
        return redirect(url_for("auth.account"))
    return _account_page(password_form=form)


@bp.post("/konto/namn")
@login_required
def change_name():
    user = current_user._get_current_object()
    form = ChangeNameForm()
    if form.validate_on_submit():
        if services.change_name(user, form.name.data):
            db.session.commit()
            flash(_("Ditt namn är ändrat."), "success")
        return redirect(url_for("auth.account"))
    return _account_page(name_form=form)
