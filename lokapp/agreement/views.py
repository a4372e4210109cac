"""The LÖK pages: the public text and signatories, versions for coordinators, and each
association's signing page."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from lokapp.agreement import layout, queries, services
from lokapp.agreement.forms import PrepareForm, SignForm, VersionForm, WithdrawForm
from lokapp.agreement.models import AgreementVersion
from lokapp.agreement.permissions import (
    can_cancel_preparation,
    can_edit_version,
    can_prepare,
    can_publish,
    can_sign,
    can_view_association,
    can_withdraw,
)
from lokapp.associations.models import Association
from lokapp.auth.models import GlobalRole
from lokapp.core.access import object_rule, public, role_required
from lokapp.core.forms import EmptyForm
from lokapp.core.permissions import require
from lokapp.core.time import today_local
from lokapp.extensions import db

bp = Blueprint("agreement", __name__)

MANAGERS = (GlobalRole.COORDINATOR, GlobalRole.ADMIN)


# --- public -------------------------------------------------------------------------------------


@bp.get("/lok")
@public
def current():
    version = queries.current_version()
    return render_template(
        "agreement/current.html",
        version=version,
        document=layout.parse(version.body) if version else None,
        signatories=queries.signatories(version) if version else [],
        upcoming=queries.upcoming_versions(),
        my_associations=queries.associations_of(current_user),
    )


@bp.get("/lok/versioner")
@public
def versions():
    current_version = queries.current_version()
    return render_template(
        "agreement/versions.html",
        versions=db.session.scalars(queries.published_versions_select()).all(),
        current_id=current_version.id if current_version else None,
        today=today_local(),
        counts=queries.signature_counts(),
    )


@bp.get("/lok/versioner/<int:version_id>")
@public
def version(version_id: int):
    shown = db.get_or_404(AgreementVersion, version_id)
    if shown.is_draft:
        abort(404)
    current_version = queries.current_version()
    return render_template(
        "agreement/version.html",
        version=shown,
        document=layout.parse(shown.body),
        status=shown.status(current_version.id if current_version else None, today_local()),
        current_version=current_version,
        signatories=queries.signatories(shown),
    )


# --- coordinators -------------------------------------------------------------------------------


def _load_version(version_id: int) -> AgreementVersion:
    return db.get_or_404(AgreementVersion, version_id)


def _version_fields(form: VersionForm) -> dict:
    return {"title": form.title.data, "period_label": form.period_label.data,
            "body": form.body.data, "effective_from": form.effective_from.data,
            "adopted_by": form.adopted_by.data}


@bp.get("/lok/hantera")
@role_required(*MANAGERS)
def manage():
    current_version = queries.current_version()
    return render_template(
        "agreement/manage.html",
        versions=db.session.scalars(queries.all_versions_select()).all(),
        current_id=current_version.id if current_version else None,
        today=today_local(),
        counts=queries.signature_counts(),
    )


@bp.route("/lok/hantera/ny", methods=["GET", "POST"])
@role_required(*MANAGERS)
def new_version():
    form = VersionForm()
    if form.validate_on_submit():
        created = services.create_draft(**_version_fields(form), user=current_user)
        db.session.commit()
        flash(_("Utkastet är sparat. Granska förhandsvisningen och publicera när texten är "
                "klar."), "success")
        return redirect(url_for("agreement.edit_version", version_id=created.id))
    return render_template("agreement/version_form.html", form=form, version=None)


@bp.route("/lok/hantera/<int:version_id>", methods=["GET", "POST"])
@role_required(*MANAGERS)
def edit_version(version_id: int):
    draft = _load_version(version_id)
    if draft.is_published:
        return redirect(url_for("agreement.version", version_id=draft.id))
    form = VersionForm(obj=draft)
    if form.validate_on_submit():
        require(can_edit_version(current_user, draft))
        changed = services.update_draft(draft, **_version_fields(form), user=current_user)
        db.session.commit()
        flash(_("Utkastet är sparat.") if changed else _("Inget ändrades."), "success")
        return redirect(url_for("agreement.edit_version", version_id=draft.id))
    return render_template("agreement/version_form.html", form=form, version=draft,
                           document=layout.parse(draft.body),
                           publish=can_publish(current_user, draft))


@bp.post("/lok/hantera/<int:version_id>/publicera")
@role_required(*MANAGERS)
def publish(version_id: int):
    draft = _load_version(version_id)
    require(can_publish(current_user, draft))
    if not EmptyForm().validate_on_submit():
        abort(400)
    asked = services.publish(draft, current_user)
    db.session.commit()
    if draft.effective_from <= today_local():
        flash(ngettext("Version %(period)s är publicerad och gäller nu. %(num)d förening har "
                       "fått mejl om att underteckna den.",
                       "Version %(period)s är publicerad och gäller nu. %(num)d föreningar har "
                       "fått mejl om att underteckna den.", asked, period=draft.period_label),
              "success")
    else:
        flash(_("Version %(period)s är publicerad och börjar gälla %(date)s. Då får "
                "föreningarna som undertecknat en tidigare version ett mejl om att underteckna "
                "igen.", period=draft.period_label, date=draft.effective_from.isoformat()),
              "success")
    return redirect(url_for("agreement.version", version_id=draft.id))


@bp.post("/lok/hantera/<int:version_id>/ta-bort")
@role_required(*MANAGERS)
def delete_version(version_id: int):
    draft = _load_version(version_id)
    require(can_edit_version(current_user, draft))
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.delete_draft(draft, current_user)
    db.session.commit()
    flash(_("Utkastet är borttaget."), "success")
    return redirect(url_for("agreement.manage"))


# --- an association's signing -------------------------------------------------------------------


def _load_state(association_id: int) -> queries.SigningState:
    association = db.get_or_404(Association, association_id)
    return queries.signing_state(association)


def _render_association(state: queries.SigningState, *, sign_form: SignForm | None = None,
                        withdraw_form: WithdrawForm | None = None):
    version = state.version
    return render_template(
        "agreement/association.html",
        state=state,
        association=state.association,
        version=version,
        document=layout.parse(version.body, "text-") if version else None,
        history=db.session.scalars(queries.history_select(state.association.id)).all(),
        prepare_form=PrepareForm(data={"version_id": version.id if version else None}),
        sign_form=sign_form or SignForm(data={"version_id": version.id if version else None}),
        withdraw_form=withdraw_form or WithdrawForm(formdata=None),
        sign_reason=can_sign(current_user, state).reason,
    )


def _done(association_id: int):
    return redirect(url_for("agreement.association", association_id=association_id))


@bp.get("/forening/<int:association_id>/lok")
@object_rule("agreement.view_association: the association's representatives and city staff")
def association(association_id: int):
    state = _load_state(association_id)
    require(can_view_association(current_user, state))
    return _render_association(state)


@bp.post("/forening/<int:association_id>/lok/forbered")
@object_rule("agreement.prepare: any representative of the association")
def prepare(association_id: int):
    state = _load_state(association_id)
    require(can_prepare(current_user, state))
    form = PrepareForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.prepare(state.association, current_user,
                         _submitted_version(form.version_id.data))
        db.session.commit()
    except services.AgreementError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _done(association_id)
    except IntegrityError:  # someone else prepared or signed at the same moment
        db.session.rollback()
        flash(_("Någon annan i föreningen hann före. Se läget nedan."), "error")
        return _done(association_id)
    flash(_("Undertecknandet är förberett. Föreningens firmatecknare har fått ett mejl."),
          "success")
    return _done(association_id)


@bp.post("/forening/<int:association_id>/lok/avbryt")
@object_rule("agreement.cancel_preparation: any representative of the association")
def cancel_preparation(association_id: int):
    state = _load_state(association_id)
    require(can_cancel_preparation(current_user, state))
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.cancel_preparation(state.association, current_user)
    db.session.commit()
    flash(_("Det förberedda undertecknandet är avbrutet."), "success")
    return _done(association_id)


@bp.post("/forening/<int:association_id>/lok/underteckna")
@object_rule("agreement.sign: a firmatecknare of the association")
def sign(association_id: int):
    state = _load_state(association_id)
    require(can_sign(current_user, state))
    form = SignForm()
    if not form.validate_on_submit():
        return _render_association(state, sign_form=form), 400
    try:
        services.sign(state.association, current_user, _submitted_version(form.version_id.data))
        db.session.commit()
    except services.AgreementError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _done(association_id)
    except IntegrityError:
        db.session.rollback()
        flash(_("Någon annan i föreningen hann före. Se läget nedan."), "error")
        return _done(association_id)
    flash(_("Tack! Föreningen har undertecknat LÖK:en. Ett kvitto har skickats till din "
            "e-postadress."), "success")
    return _done(association_id)


@bp.post("/forening/<int:association_id>/lok/aterkalla")
@object_rule("agreement.withdraw: a firmatecknare of the association")
def withdraw(association_id: int):
    state = _load_state(association_id)
    require(can_withdraw(current_user, state))
    form = WithdrawForm()
    if not form.validate_on_submit():
        return _render_association(state, withdraw_form=form), 400
    services.withdraw(state.association, current_user, form.reason.data)
    db.session.commit()
    flash(_("Föreningens underskrift är återkallad. Föreningen kan underteckna igen när den "
            "vill."), "success")
    return _done(association_id)


def _submitted_version(version_id: int | None) -> AgreementVersion:
    version = db.session.get(AgreementVersion, version_id) if version_id else None
    if version is None or version.is_draft:
        abort(400)
    return version
