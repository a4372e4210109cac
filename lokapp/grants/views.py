"""The grants blueprint: every URL of the grants domain in one place.

Public          /bidrag                          open programmes, rules, dates, handling time
                /bidrag/<key>                    one programme
Administrators  /bidrag/admin                    programmes
                /bidrag/admin/ny                 new programme
                /bidrag/admin/<id>               edit, questions, yearly budget
Parties         /bidrag/ansokningar/<id>         the application: state and the whole case file
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from lokapp.associations.models import Category
from lokapp.core.access import object_rule, public, role_required
from lokapp.core.cases import history_for
from lokapp.core.forms import EmptyForm
from lokapp.core.permissions import check, require
from lokapp.core.time import today_local
from lokapp.extensions import db
from lokapp.grants import permissions as _permissions  # noqa: F401 - registers predicates
from lokapp.grants import queries, services
from lokapp.grants import workflow as _workflow  # noqa: F401 - registers the workflow
from lokapp.grants.forms import BudgetForm, ProgrammeForm, QuestionForm, lines_of
from lokapp.grants.models import (
    AppealRoute,
    Eligibility,
    GrantApplication,
    GrantProgramme,
    GrantQuestion,
    QuestionKind,
    WindowKind,
)

bp = Blueprint("grants", __name__, url_prefix="/bidrag")

RESERVED_KEYS = frozenset({"admin", "ansokningar", "ansok", "mina", "handlaggning"})


# --- public -------------------------------------------------------------------------------------

@bp.get("")
@public
def index():
    today = today_local()
    programmes = db.session.scalars(queries.active_programmes()).all()
    open_now = [p for p in programmes if p.is_open_on(today)]
    later = [p for p in programmes if not p.is_open_on(today)]
    return render_template("grants/index.html", open_now=open_now, later=later, today=today)


@bp.get("/<key>")
@public
def programme(key: str):
    programme = db.first_or_404(select(GrantProgramme).where(
        GrantProgramme.key == key, GrantProgramme.is_active.is_(True)))
    return render_template("grants/programme.html", programme=programme,
                           is_open=programme.is_open_on(today_local()), today=today_local())


# --- administration ------------------------------------------------------------------------------

@bp.get("/admin")
@role_required("admin")
def admin_programmes():
    programmes = db.session.scalars(queries.all_programmes()).all()
    return render_template("grants/admin_programmes.html", programmes=programmes)


def _programme_form(programme: GrantProgramme | None) -> ProgrammeForm:
    form = ProgrammeForm(obj=None)
    form.categories.choices = [(c.id, c.name_sv) for c in db.session.scalars(
        select(Category).where(Category.is_active.is_(True)).order_by(Category.sort_order))]
    return form


def _fill(form: ProgrammeForm, programme: GrantProgramme) -> None:
    for name in ("key", "name_sv", "name_en", "description_sv", "description_en", "rules_sv",
                 "opens_on", "closes_on", "is_monetary", "has_budget_table",
                 "follow_up_required", "follow_up_days", "handling_days", "is_active"):
        getattr(form, name).data = getattr(programme, name)
    form.eligibility.data = programme.eligibility.value
    form.window_kind.data = programme.window_kind.value
    form.appeal_route.data = programme.appeal_route.value
    form.categories.data = [c.id for c in programme.categories]
    form.max_amount.data = str(programme.max_amount_sek or "")
    form.delegation_limit.data = "" if programme.delegation_limit_sek is None \
        else str(programme.delegation_limit_sek)
    form.required_attachments.data = "\n".join(programme.required_attachments or [])


def _data(form: ProgrammeForm) -> services.ProgrammeData:
    return services.ProgrammeData(
        key=form.key.data, name_sv=form.name_sv.data, name_en=form.name_en.data or "",
        description_sv=form.description_sv.data, description_en=form.description_en.data or "",
        rules_sv=form.rules_sv.data, eligibility=Eligibility(form.eligibility.data),
        category_ids=list(form.categories.data or []),
        window_kind=WindowKind(form.window_kind.data), opens_on=form.opens_on.data,
        closes_on=form.closes_on.data, is_monetary=bool(form.is_monetary.data),
        max_amount_sek=form.max_amount.amount or None,
        has_budget_table=bool(form.has_budget_table.data),
        required_attachments=lines_of(form.required_attachments.data),
        delegation_limit_sek=form.delegation_limit.amount,
        appeal_route=AppealRoute(form.appeal_route.data),
        follow_up_required=bool(form.follow_up_required.data),
        follow_up_days=form.follow_up_days.data, handling_days=form.handling_days.data,
        is_active=bool(form.is_active.data))


def _save(programme: GrantProgramme | None, form: ProgrammeForm):
    if form.key.data in RESERVED_KEYS:
        form.key.errors.append(_("Kortnamnet är reserverat. Välj ett annat."))
        return None
    try:
        saved = services.save_programme(programme, _data(form), current_user)
        db.session.commit()
    except services.GrantError as error:
        db.session.rollback()
        form.key.errors.append(str(error))
        return None
    flash(_("Bidragsformen är sparad."), "success")
    return redirect(url_for(".admin_programme", programme_id=saved.id))


@bp.route("/admin/ny", methods=["GET", "POST"])
@role_required("admin")
def admin_new_programme():
    form = _programme_form(None)
    if form.validate_on_submit() and (response := _save(None, form)) is not None:
        return response
    return render_template("grants/admin_programme_form.html", form=form, programme=None)


@bp.route("/admin/<int:programme_id>", methods=["GET", "POST"])
@role_required("admin")
def admin_programme(programme_id: int):
    programme = db.get_or_404(GrantProgramme, programme_id)
    form = _programme_form(programme)
    if form.validate_on_submit():
        if (response := _save(programme, form)) is not None:
            return response
    elif not form.is_submitted():
        _fill(form, programme)
    return render_template("grants/admin_programme_form.html", form=form, programme=programme,
                           question_form=QuestionForm(formdata=None),
                           budget_form=BudgetForm(formdata=None, year=today_local().year))


@bp.post("/admin/<int:programme_id>/fragor")
@role_required("admin")
def admin_add_question(programme_id: int):
    programme = db.get_or_404(GrantProgramme, programme_id)
    form = QuestionForm()
    if form.validate_on_submit():
        services.add_question(programme, kind=QuestionKind(form.kind.data),
                              label_sv=form.label_sv.data, label_en=form.label_en.data,
                              help_sv=form.help_sv.data, is_required=bool(form.is_required.data),
                              choices=lines_of(form.choices.data), actor=current_user)
        db.session.commit()
        flash(_("Frågan är tillagd."), "success")
        return redirect(url_for(".admin_programme", programme_id=programme.id) + "#fragor")
    return render_template("grants/admin_programme_form.html", form=_filled(programme),
                           programme=programme, question_form=form,
                           budget_form=BudgetForm(formdata=None, year=today_local().year)), 400


@bp.post("/admin/<int:programme_id>/fragor/<int:question_id>/ta-bort")
@role_required("admin")
def admin_remove_question(programme_id: int, question_id: int):
    question = db.first_or_404(select(GrantQuestion).where(
        GrantQuestion.id == question_id, GrantQuestion.programme_id == programme_id))
    if EmptyForm().validate_on_submit():
        services.remove_question(question, current_user)
        db.session.commit()
        flash(_("Frågan är borttagen."), "success")
    return redirect(url_for(".admin_programme", programme_id=programme_id) + "#fragor")


@bp.post("/admin/<int:programme_id>/budget")
@role_required("admin")
def admin_set_budget(programme_id: int):
    programme = db.get_or_404(GrantProgramme, programme_id)
    form = BudgetForm()
    if form.validate_on_submit():
        try:
            services.set_budget(programme, form.year.data, form.amount.amount, current_user)
            db.session.commit()
            flash(_("Budgeten är sparad."), "success")
            return redirect(url_for(".admin_programme", programme_id=programme.id) + "#budget")
        except services.GrantError as error:
            db.session.rollback()
            form.amount.errors = [str(error)]
    return render_template("grants/admin_programme_form.html", form=_filled(programme),
                           programme=programme, question_form=QuestionForm(formdata=None),
                           budget_form=form), 400


def _filled(programme: GrantProgramme) -> ProgrammeForm:
    form = _programme_form(programme)
    form.process(formdata=None)
    _fill(form, programme)
    return form


# --- the parties -------------------------------------------------------------------------------

@bp.get("/ansokningar/<int:application_id>")
@object_rule("grants.view: a representative of the association, or a grants officer")
def application(application_id: int):
    application = db.get_or_404(GrantApplication, application_id)
    require(check("grants.view", current_user, application))
    history = db.session.scalars(history_for(application.case)).all()
    missing = services.missing_for_submit(application) \
        if application.case.state in ("draft", "needs_completion") else []
    return render_template("grants/application.html", application=application,
                           programme=application.programme, history=history, missing=missing)
