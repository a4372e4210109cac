"""Administration of staff accounts: list, create (with an invitation mail), edit, disable."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from lokapp.auth import services
from lokapp.auth.forms import StaffForm
from lokapp.auth.models import GlobalRole, User, UserRole
from lokapp.auth.passwords import has_usable_password
from lokapp.auth.permissions import can_disable_user, can_revoke_admin
from lokapp.core.access import role_required
from lokapp.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _load_user(user_id: int) -> User:
    return db.get_or_404(User, user_id)


@bp.get("/personal")
@role_required(GlobalRole.ADMIN)
def staff_list():
    staff = db.session.scalars(
        select(User).where(User.id.in_(select(UserRole.user_id))).order_by(User.name, User.id)
    ).all()
    return render_template("admin/staff_list.html", staff=staff,
                           has_usable_password=has_usable_password)


@bp.route("/personal/ny", methods=["GET", "POST"])
@role_required(GlobalRole.ADMIN)
def staff_create():
    form = StaffForm()
    if form.validate_on_submit():
        user = services.create_staff(
            name=form.name.data, email=form.email.data, title=form.title.data,
            phone=form.phone.data, roles=form.roles.data, areas=form.areas.data,
            delegation_limit_sek=form.delegation_limit_sek.data,
        )
        db.session.commit()
        flash(_("Kontot för %(name)s är skapat. Vi har mejlat en länk till %(email)s för att "
                "välja lösenord.", name=user.name, email=user.email), "success")
        return redirect(url_for("admin.staff_edit", user_id=user.id))
    return render_template("admin/staff_form.html", form=form, user=None)


def _self_protection_errors(form: StaffForm, user: User) -> list[str]:
    """The permission rules for taking the admin role away and disabling the account."""
    errors = []
    actor = current_user._get_current_object()
    if user.has_role(GlobalRole.ADMIN) and GlobalRole.ADMIN.value not in (form.roles.data or []):
        decision = can_revoke_admin(actor, user)
        if not decision:
            errors.append(decision.reason)
    if form.is_disabled.data and not user.is_disabled:
        decision = can_disable_user(actor, user)
        if not decision:
            errors.append(decision.reason)
    return errors


@bp.route("/personal/<int:user_id>", methods=["GET", "POST"])
@role_required(GlobalRole.ADMIN)
def staff_edit(user_id: int):
    user = _load_user(user_id)
    form = StaffForm(editing=user, data={
        "name": user.name, "title": user.title, "phone": user.phone,
        "roles": sorted(user.role_names), "areas": sorted(user.area_names),
        "delegation_limit_sek": user.delegation_limit_sek, "is_disabled": user.is_disabled,
    })
    if form.validate_on_submit():
        errors = _self_protection_errors(form, user)
        if errors:
            form.form_errors.extend(errors)
        else:
            changed = services.update_staff(
                user, name=form.name.data, title=form.title.data, phone=form.phone.data,
                roles=form.roles.data, areas=form.areas.data,
                delegation_limit_sek=form.delegation_limit_sek.data,
                is_disabled=form.is_disabled.data,
            )
            db.session.commit()
            flash(_("Ändringarna är sparade.") if changed else _("Inget ändrades."), "success")
            return redirect(url_for("admin.staff_edit", user_id=user.id))
    return render_template("admin/staff_form.html", form=form, user=user,
                           has_password=has_usable_password(user.password_hash))


@bp.post("/personal/<int:user_id>/inbjudan")
@role_required(GlobalRole.ADMIN)
def staff_invite(user_id: int):
    user = _load_user(user_id)
    if user.is_disabled:
        flash(_("Kontot är avstängt. Aktivera det innan du skickar en ny länk."), "error")
    else:
        services.send_staff_invite(user)
        db.session.commit()
        flash(_("Vi har mejlat en ny länk till %(email)s för att välja lösenord.",
                email=user.email), "success")
    return redirect(url_for("admin.staff_edit", user_id=user.id))
