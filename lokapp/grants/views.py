"""The grants blueprint: every URL of the grants domain in one place.

Public          /bidrag                          open programmes, rules, dates, handling time
                /bidrag/<key>                    one programme
Administrators  /bidrag/admin                    programmes
                /bidrag/admin/ny                 new programme
                /bidrag/admin/<id>               edit, questions, yearly budget
                /bidrag/admin/<id>/kriterier     scoring criteria (add, remove: POST)
                /bidrag/<key>/beviljade/<year>   granted associations, amounts, median time
Applicants      /bidrag/<key>/ansok              start an application (or copy last year's)
                /bidrag/ansokningar/<id>/fragor  step 1: the programme's questions
                /bidrag/ansokningar/<id>/deltagare  expected participants by age and
                                                 gender, where the programme asks
                /bidrag/ansokningar/<id>/budget  step 2: budget table or amount
                /bidrag/ansokningar/<id>/bilagor step 3: attachments
                /bidrag/ansokningar/<id>/sammanfattning  summary, then submit
                /bidrag/ansokningar/<id>/skicka, /aterkalla   submit, withdraw (POST)
Parties         /bidrag/ansokningar/<id>         the application: state and the whole case file
Grant officers  /bidrag/handlaggning             submitted grant applications
                /bidrag/handlaggning/<id>        the case page: history, assign, completion,
                                                 decision or proposal, confirm or return
                /bidrag/handlaggning/<id>/poang  the officer's scores per criterion (POST)
                /bidrag/handlaggning/bidragsformer/<id>/poang.csv   all scores, for staff

Every step is its own form and route and saves on the server; Back is a link, so the steps
work without JavaScript.
"""
from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lokapp.associations.models import Association, Category
from lokapp.auth.models import AssociationMember
from lokapp.casework.models import CaseDisqualification
from lokapp.core.access import login_required, object_rule, public, role_required
from lokapp.core.cases import history_for
from lokapp.core.completions import open_request
from lokapp.core.forms import EmptyForm
from lokapp.core.permissions import check, require
from lokapp.core.time import to_local, today_local, utcnow
from lokapp.core.uploads import UploadError, send_stored_file
from lokapp.core.urls import id_arg
from lokapp.core.workflow import CaseActionForm
from lokapp.extensions import db
from lokapp.grants import follow_up_views, formulas, participants, queries, scoring, services
from lokapp.grants import letters as grant_letters
from lokapp.grants import payouts as payout_services
from lokapp.grants import permissions as _permissions  # noqa: F401 - registers predicates
from lokapp.grants import workflow as _workflow  # noqa: F401 - registers the workflow
from lokapp.grants.forms import (
    BUDGET_ROWS_EXTRA,
    ApplicationBudgetForm,
    AttachmentForm,
    BudgetForm,
    CompletionForm,
    CriterionForm,
    DecisionForm,
    PayoutExportForm,
    ProgrammeForm,
    QuestionForm,
    StartForm,
    answer_text,
    answers_form,
    fill_answers,
    lines_of,
    scores_form,
)
from lokapp.grants.forms_formulas import (
    OCCASION_ROWS_EXTRA,
    PREMISES_ROWS_EXTRA,
    OccasionsForm,
    OccasionUploadForm,
    PremisesForm,
)
from lokapp.grants.forms_participants import ApplicationParticipantsForm
from lokapp.grants.models import (
    AppealRoute,
    BudgetLineKind,
    Eligibility,
    FormulaKind,
    GrantApplication,
    GrantAttachment,
    GrantCriterion,
    GrantPayout,
    GrantProgramme,
    GrantQuestion,
    PayoutState,
    QuestionKind,
    WindowKind,
)

bp = Blueprint("grants", __name__, url_prefix="/bidrag")
grant_letters.register()
follow_up_views.register(bp)  # the follow-up report (redovisning) and återkrav
bp.add_app_template_global(formulas.result_for, "formula_result")
bp.add_app_template_global(formulas.rule_of, "formula_rule")
bp.add_app_template_global(participants.rows, "participant_rows")
bp.add_app_template_global(participants.counts_of, "participant_counts")

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
                 "follow_up_required", "follow_up_days", "handling_days", "is_active",
                 "asks_participants"):
        getattr(form, name).data = getattr(programme, name)
    form.eligibility.data = programme.eligibility.value
    form.window_kind.data = programme.window_kind.value
    form.appeal_route.data = programme.appeal_route.value
    form.categories.data = [c.id for c in programme.categories]
    form.max_amount.data = str(programme.max_amount_sek or "")
    form.delegation_limit.data = "" if programme.delegation_limit_sek is None \
        else str(programme.delegation_limit_sek)
    form.required_attachments.data = "\n".join(programme.required_attachments or [])
    form.fill_formula(programme)


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
        is_active=bool(form.is_active.data),
        asks_participants=bool(form.asks_participants.data), **form.formula_data())


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
                           budget_form=BudgetForm(formdata=None, year=today_local().year),
                           criterion_form=_criterion_form(formdata=None))


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
                           budget_form=BudgetForm(formdata=None, year=today_local().year),
                           criterion_form=_criterion_form(formdata=None)), 400


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
                           budget_form=form, criterion_form=_criterion_form(formdata=None)), 400


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
    completion = open_request(application.case) \
        if application.case.state == "needs_completion" else None
    return render_template("grants/application.html", application=application,
                           programme=application.programme, history=history, missing=missing,
                           first_step=_first_step(application), completion=completion)


@bp.get("/ansokningar/<int:application_id>/filer/<int:attachment_id>")
@object_rule("grants.view: a representative of the association, or a grants officer")
def attachment_file(application_id: int, attachment_id: int):
    """A file attached to the application, for the parties (partsinsyn) and grant officers."""
    application = db.get_or_404(GrantApplication, application_id)
    require(check("grants.view", current_user, application))
    attachment = db.first_or_404(select(GrantAttachment).where(
        GrantAttachment.id == attachment_id, GrantAttachment.application_id == application.id))
    return send_stored_file(attachment.stored_file)


# --- the applicant's steps ------------------------------------------------------------------------

def _applying_associations(programme: GrantProgramme) -> list[Association]:
    """The user's associations in which they may apply (administrator, chair, treasurer,
    grant manager), by name."""
    ids = [m.association_id for m in current_user.memberships]
    if not ids:
        return []
    associations = db.session.scalars(select(Association).where(Association.id.in_(ids))
                                      .order_by(Association.name)).all()
    return [a for a in associations if check("grants.apply_for", current_user, a)]


def _start_form(associations: list[Association]) -> StartForm:
    form = StartForm()
    form.association.choices = [(a.id, a.name) for a in associations]
    return form


def _active_programme(key: str) -> GrantProgramme:
    return db.first_or_404(select(GrantProgramme).where(
        GrantProgramme.key == key, GrantProgramme.is_active.is_(True)))


def _render_start(programme, associations, form, copy_form, status=200):
    previous = {a.id: services.previous_application(programme, a) for a in associations}
    return render_template("grants/start.html", programme=programme, form=form,
                           copy_form=copy_form, associations=associations,
                           can_copy=any(previous.values())), status


@bp.get("/<key>/ansok")
@login_required
def start(key: str):
    programme = _active_programme(key)
    associations = _applying_associations(programme)
    return _render_start(programme, associations, _start_form(associations),
                         _start_form(associations))


def _start(key: str, copy_previous: bool):
    programme = _active_programme(key)
    associations = _applying_associations(programme)
    form = _start_form(associations)
    if form.validate_on_submit():
        association = db.session.get(Association, form.association.data)
        require(check("grants.apply_for", current_user, association))
        try:
            application = services.start_application(programme, association, current_user,
                                                     copy_previous=copy_previous)
            db.session.commit()
        except services.GrantError as error:
            db.session.rollback()
            form.association.errors = [str(error)]
        else:
            flash(_("Ansökan är påbörjad och sparad som utkast.") if not copy_previous else
                  _("Förra ansökan är kopierad. Kontrollera och ändra det som är nytt i år."),
                  "success")
            return redirect(_first_step(application))
    blank = _start_form(associations)
    blank.process(formdata=None)
    if copy_previous:
        return _render_start(programme, associations, blank, form, 400)
    return _render_start(programme, associations, form, blank, 400)


@bp.post("/<key>/ansok")
@login_required
def start_new(key: str):
    return _start(key, copy_previous=False)


@bp.post("/<key>/ansok/kopiera")
@login_required
def start_copy(key: str):
    return _start(key, copy_previous=True)


_FORMULA_STEPS = {FormulaKind.ACTIVITY: (".step_occasions", _l("Sammankomster")),
                  FormulaKind.RENT: (".step_premises", _l("Lokaler och hyra"))}


def _steps(programme: GrantProgramme) -> list[tuple[str, str]]:
    """The application's steps for this programme: (endpoint, label)."""
    steps = []
    if any(q.kind != QuestionKind.FILE for q in programme.questions):
        steps.append((".step_questions", _("Frågor")))
    if participants.applies(programme):
        steps.append((".step_participants", _("Deltagare")))
    if programme.is_monetary:
        steps.append(_FORMULA_STEPS.get(programme.formula_kind)
                     or (".step_budget", _("Budget och belopp")))
    if programme.required_attachments or any(q.kind == QuestionKind.FILE
                                             for q in programme.questions) \
            or (formulas.applies(programme) and programme.formula_kind == FormulaKind.RENT):
        steps.append((".step_attachments", _("Bilagor")))
    steps.append((".summary", _("Sammanfattning")))
    return steps


def _first_step(application: GrantApplication) -> str:
    return url_for(_steps(application.programme)[0][0], application_id=application.id)


def _neighbours(application: GrantApplication, endpoint: str) -> tuple[str | None, str | None]:
    endpoints = [e for e, _label in _steps(application.programme)]
    i = endpoints.index(endpoint)
    back = url_for(endpoints[i - 1], application_id=application.id) if i > 0 \
        else url_for(".application", application_id=application.id)
    forward = url_for(endpoints[i + 1], application_id=application.id) \
        if i + 1 < len(endpoints) else None
    return back, forward


def _editable_application(application_id: int) -> GrantApplication:
    application = db.get_or_404(GrantApplication, application_id)
    require(check("grants.edit", current_user, application))
    return application


def _step_context(application: GrantApplication, endpoint: str) -> dict:
    back, forward = _neighbours(application, endpoint)
    return {"application": application, "programme": application.programme,
            "steps": _steps(application.programme), "current": endpoint, "back": back,
            "forward": forward}


@bp.route("/ansokningar/<int:application_id>/fragor", methods=["GET", "POST"])
@object_rule("grants.edit: the association's applicant, while a draft or asked to complete")
def step_questions(application_id: int):
    application = _editable_application(application_id)
    questions = [q for q in application.programme.questions if q.kind != QuestionKind.FILE]
    if not questions:
        abort(404)
    form = answers_form(questions)
    if form.validate_on_submit():
        services.save_answers(application, {q.id: answer_text(q, form[f"q{q.id}"])
                                            for q in questions}, current_user)
        db.session.commit()
        flash(_("Svaren är sparade."), "success")
        return redirect(_neighbours(application, ".step_questions")[1])
    if not form.is_submitted():
        fill_answers(form, questions, application.answers or {})
    return render_template("grants/step_questions.html", form=form, questions=questions,
                           **_step_context(application, ".step_questions")), \
        400 if form.is_submitted() else 200


@bp.route("/ansokningar/<int:application_id>/deltagare", methods=["GET", "POST"])
@object_rule("grants.edit: the association's applicant, while a draft or asked to complete")
def step_participants(application_id: int):
    application = _editable_application(application_id)
    if not participants.applies(application.programme):
        abort(404)
    form = ApplicationParticipantsForm()
    if form.validate_on_submit():
        try:
            total = participants.save_participants(
                application, form.participants.form.counts(), current_user)
            db.session.commit()
        except services.GrantError as error:
            db.session.rollback()
            form.participants.form.form_errors.append(str(error))
        else:
            flash(ngettext("Deltagarna är sparade: %(num)d deltagare.",
                           "Deltagarna är sparade: %(num)d deltagare.", total), "success")
            return redirect(_neighbours(application, ".step_participants")[1])
    elif not form.is_submitted():
        form.participants.form.fill(participants.counts_of(application))
    return render_template("grants/step_participants.html", form=form,
                           **_step_context(application, ".step_participants")), \
        400 if form.is_submitted() else 200


def _fill_budget(form: ApplicationBudgetForm, application: GrantApplication) -> None:
    for line in application.budget_lines:
        form.lines.append_entry({"kind": line.kind.value, "description": line.description,
                                 "amount": str(line.amount_sek)})
    for _i in range(BUDGET_ROWS_EXTRA):
        form.lines.append_entry({"kind": BudgetLineKind.COST.value})
    form.own_contribution.data = str(application.own_contribution_sek or 0)
    if application.requested_sek is not None:
        form.requested.data = str(application.requested_sek)


@bp.route("/ansokningar/<int:application_id>/budget", methods=["GET", "POST"])
@object_rule("grants.edit: the association's applicant, while a draft or asked to complete")
def step_budget(application_id: int):
    application = _editable_application(application_id)
    programme = application.programme
    if not programme.is_monetary or formulas.applies(programme):
        abort(404)
    form = ApplicationBudgetForm()
    if form.validate_on_submit():
        lines = [services.BudgetLineData(BudgetLineKind(row.form.kind.data),
                                         row.form.description.data, row.form.amount.amount)
                 for row in form.lines if row.form.amount.amount is not None]
        if not programme.has_budget_table and form.requested.amount is None:
            form.requested.errors = [_("Fyll i hur mycket föreningen söker.")]
        elif programme.has_budget_table and not any(
                line.kind == BudgetLineKind.COST for line in lines):
            form.form_errors.append(_("Skriv minst en kostnad i budgeten."))
        else:
            try:
                services.save_budget(application, lines=lines,
                                     own_contribution_sek=form.own_contribution.amount or 0,
                                     requested_sek=form.requested.amount, user=current_user)
                db.session.commit()
            except services.GrantError as error:
                db.session.rollback()
                form.form_errors.append(str(error))
            else:
                flash(_("Budgeten är sparad."), "success")
                return redirect(_neighbours(application, ".step_budget")[1])
    elif not form.is_submitted():
        _fill_budget(form, application)
    return render_template("grants/step_budget.html", form=form,
                           **_step_context(application, ".step_budget")), \
        400 if form.is_submitted() else 200


# --- formula programmes: the occasions (aktivitetsstöd) and rented premises (lokalbidrag) ------

def _formula_application(application_id: int, kind: FormulaKind) -> GrantApplication:
    application = _editable_application(application_id)
    if not formulas.applies(application.programme) or \
            application.programme.formula_kind != kind:
        abort(404)
    return application


def _render_occasions(application, form, upload_form, status=200, *, fill_table=True,
                      fill_upload=True):
    """The occasions step; the form that was not posted is filled from the saved data."""
    if fill_table:
        form.period_start.data = application.period_start.isoformat() \
            if application.period_start else ""
        form.period_end.data = application.period_end.isoformat() \
            if application.period_end else ""
        for o in application.occasions:
            form.lines.append_entry({"occurred_on": o.occurred_on.isoformat(),
                                     "activity": o.activity, "participants": o.participants,
                                     "leaders": o.leaders})
        for _i in range(OCCASION_ROWS_EXTRA):
            form.lines.append_entry({})
    if fill_upload:
        upload_form.period_start.data = application.period_start.isoformat() \
            if application.period_start else form.period_start.data
        upload_form.period_end.data = application.period_end.isoformat() \
            if application.period_end else form.period_end.data
    return render_template("grants/step_occasions.html", form=form, upload_form=upload_form,
                           result=formulas.result_for(application),
                           **_step_context(application, ".step_occasions")), status


def _formula_saved(application, result) -> Response:
    flash(_("Uppgifterna är sparade. %(calculation)s", calculation=result.explanation()),
          "success")
    return redirect(url_for(_FORMULA_STEPS[application.programme.formula_kind][0],
                            application_id=application.id) + "#berakning")


@bp.route("/ansokningar/<int:application_id>/sammankomster", methods=["GET", "POST"])
@object_rule("grants.edit: the association's applicant, while a draft or asked to complete")
def step_occasions(application_id: int):
    application = _formula_application(application_id, FormulaKind.ACTIVITY)
    form = OccasionsForm()
    if form.validate_on_submit():
        try:
            result = formulas.save_occasions(
                application, period_start=form.period_start.day,
                period_end=form.period_end.day, occasions=form.occasions(), user=current_user)
            db.session.commit()
        except services.GrantError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            return _formula_saved(application, result)
    return _render_occasions(application, form, OccasionUploadForm(formdata=None, prefix="fil"),
                             400 if form.is_submitted() else 200,
                             fill_table=not form.is_submitted())


@bp.post("/ansokningar/<int:application_id>/sammankomster/fil")
@object_rule("grants.edit: the association's applicant, while a draft or asked to complete")
def upload_occasions(application_id: int):
    application = _formula_application(application_id, FormulaKind.ACTIVITY)
    upload_form = OccasionUploadForm(prefix="fil")
    if upload_form.validate_on_submit():
        upload = request.files.get(upload_form.file.name)
        has_file = upload is not None and bool(upload.filename)
        try:
            result = formulas.save_occasion_file(
                application, filename=upload.filename if has_file else "",
                data=upload.stream.read(formulas.MAX_FILE_BYTES + 1) if has_file else b"",
                period_start=upload_form.period_start.day,
                period_end=upload_form.period_end.day, user=current_user)
            db.session.commit()
        except (formulas.FormulaError, services.GrantError) as error:
            db.session.rollback()
            upload_form.file.errors = list(getattr(error, "messages", [str(error)]))
        else:
            return _formula_saved(application, result)
    return _render_occasions(application, OccasionsForm(formdata=None), upload_form, 400,
                             fill_upload=False)


@bp.route("/ansokningar/<int:application_id>/lokaler", methods=["GET", "POST"])
@object_rule("grants.edit: the association's applicant, while a draft or asked to complete")
def step_premises(application_id: int):
    application = _formula_application(application_id, FormulaKind.RENT)
    form = PremisesForm()
    if form.validate_on_submit():
        try:
            result = formulas.save_premises(application, premises=form.premises(),
                                            user=current_user)
            db.session.commit()
        except services.GrantError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            return _formula_saved(application, result)
    elif not form.is_submitted():
        for p in application.rented_premises:
            form.lines.append_entry({"name": p.name, "address": p.address,
                                     "rent": str(p.yearly_rent_sek),
                                     "landlord": "city" if p.is_municipal else "other"})
        for _i in range(PREMISES_ROWS_EXTRA):
            form.lines.append_entry({})
    return render_template("grants/step_premises.html", form=form,
                           result=formulas.result_for(application),
                           **_step_context(application, ".step_premises")), \
        400 if form.is_submitted() else 200


def _attachment_choices(programme: GrantProgramme) -> list[tuple[str, str]]:
    choices = [(f"b{i}", label) for i, label in enumerate(programme.required_attachments or [])]
    choices += [(f"q{q.id}", q.label) for q in programme.questions
                if q.kind == QuestionKind.FILE]
    return choices


@bp.route("/ansokningar/<int:application_id>/bilagor", methods=["GET", "POST"])
@object_rule("grants.edit: the association's applicant, while a draft or asked to complete")
def step_attachments(application_id: int):
    application = _editable_application(application_id)
    programme = application.programme
    choices = _attachment_choices(programme) + formulas.attachment_choices(application)
    if not choices:
        abort(404)
    form = AttachmentForm()
    form.what.choices = choices
    if form.validate_on_submit():
        label = dict(choices)[form.what.data]
        question_id = int(form.what.data[1:]) if form.what.data.startswith("q") else None
        try:
            services.attach(application, request.files.get(form.file.name), label=str(label),
                            user=current_user, question_id=question_id)
            db.session.commit()
        except UploadError as error:
            db.session.rollback()
            form.file.errors = [str(error)]
        else:
            flash(_("Bilagan ”%(label)s” är sparad.", label=label), "success")
            return redirect(url_for(".step_attachments", application_id=application.id))
    uploaded = {("q" + str(a.question_id)) if a.question_id is not None else a.label: a
                for a in application.attachments}
    rows = [(value, label, uploaded.get(value if value.startswith("q") else label))
            for value, label in choices]
    return render_template("grants/step_attachments.html", form=form, rows=rows,
                           **_step_context(application, ".step_attachments")), \
        400 if form.is_submitted() else 200


def _render_summary(application: GrantApplication, missing: list[str], status: int = 200):
    return render_template("grants/summary.html", missing=missing, submit_form=EmptyForm(),
                           **_step_context(application, ".summary")), status


@bp.get("/ansokningar/<int:application_id>/sammanfattning")
@object_rule("grants.edit: the association's applicant, while a draft or asked to complete")
def summary(application_id: int):
    application = _editable_application(application_id)
    return _render_summary(application, services.missing_for_submit(application))


@bp.post("/ansokningar/<int:application_id>/skicka")
@object_rule("grants.edit: the association's applicant, while a draft or asked to complete")
def submit_application(application_id: int):
    application = _editable_application(application_id)
    if not EmptyForm().validate_on_submit():
        return _render_summary(application, services.missing_for_submit(application), 400)
    try:
        services.submit_application(application, current_user)
        db.session.commit()
    except services.IncompleteApplication as error:
        db.session.rollback()
        flash(_("Ansökan kan inte skickas in ännu. Se listan över det som saknas."), "error")
        return _render_summary(db.get_or_404(GrantApplication, application_id),
                               error.missing, 400)
    flash(_("Ansökan är inskickad och har fått nummer %(number)s. Du får ett kvitto med "
            "e-post.", number=application.case.number), "success")
    return redirect(url_for(".application", application_id=application.id))


@bp.post("/ansokningar/<int:application_id>/aterkalla")
@object_rule("grants.withdraw: the association's applicant, while the case is open")
def withdraw(application_id: int):
    application = db.get_or_404(GrantApplication, application_id)
    require(check("grants.withdraw", current_user, application.case))
    if EmptyForm().validate_on_submit():
        services.withdraw_application(application, current_user)
        db.session.commit()
        flash(_("Ansökan är återkallad."), "success")
    return redirect(url_for(".application", application_id=application.id))


# --- officers: the grant queue and the case page ------------------------------------------------

OFFICER_ACTIONS = frozenset({"assign", "confirm", "return_proposal"})
# The officer list shows a page at a time, as the unified queue does.
OFFICER_PAGE_SIZE = 50


def _officer() -> None:
    require(check("grants.officer", current_user))


@bp.get("/handlaggning")
@role_required("officer", "supervisor")
def officer_queue():
    _officer()
    show_decided = request.args.get("visa") == "beslutade"
    total = db.session.scalar(queries.officer_queue_total(decided=show_decided)) or 0
    pages = max(1, -(-total // OFFICER_PAGE_SIZE))
    page = max(1, min(request.args.get("sida", 1, type=int) or 1, pages))
    applications = db.session.scalars(
        queries.officer_queue(decided=show_decided).limit(OFFICER_PAGE_SIZE)
        .offset((page - 1) * OFFICER_PAGE_SIZE)).all()
    return render_template("grants/officer_queue.html", applications=applications,
                           show_decided=show_decided, total=total, page=page, pages=pages,
                           scored_programmes=db.session.scalars(
                               scoring.programmes_with_criteria()).all())


def _officer_application(application_id: int) -> GrantApplication:
    _officer()
    application = db.get_or_404(GrantApplication, application_id)
    require(check("grants.view", current_user, application))
    return application


def _render_case(application: GrantApplication, *, decision_form=None, completion_form=None,
                 score_form=None, status: int = 200):
    from lokapp.grants.permissions import delegation_of, disqualified

    case = application.case
    actions = [t for t in case.available_actions(current_user) if t.action in OFFICER_ACTIONS]
    can_decide = case.state == "in_review" and bool(check("grants.decide", current_user, case))
    can_complete = case.state == "in_review" and bool(
        check("grants.handle", current_user, case))
    payout = db.session.scalar(select(GrantPayout).where(
        GrantPayout.application_id == application.id))
    return render_template(
        "grants/officer_case.html", application=application, programme=application.programme,
        case=case, actions=actions, history=db.session.scalars(history_for(case)).all(),
        can_decide=can_decide, can_complete=can_complete,
        jav=disqualified(current_user, application.association_id),
        delegation=delegation_of(current_user, application),
        payout=payout,
        payout_blocked=payout_services.blocked_reasons([payout]).get(payout.id, [])
        if payout else [],
        decision_form=decision_form or DecisionForm(
            formdata=None, amount=formulas.default_decision_amount(application)),
        completion_form=completion_form or CompletionForm(formdata=None),
        **_scoring_context(application, score_form)), status


@bp.get("/handlaggning/<int:application_id>")
@role_required("officer", "supervisor")
def officer_case(application_id: int):
    return _render_case(_officer_application(application_id))


def _to_case(application: GrantApplication):
    return redirect(url_for(".officer_case", application_id=application.id))


@bp.post("/handlaggning/<int:application_id>/atgard/<action>")
@role_required("officer", "supervisor")
def case_action(application_id: int, action: str):
    application = _officer_application(application_id)
    if action not in OFFICER_ACTIONS:
        abort(404)
    form = CaseActionForm()
    if action == "return_proposal" and form.is_submitted() and not (form.note.data or "").strip():
        flash(_("Skriv varför förslaget skickas tillbaka."), "error")
        return _to_case(application)
    if not form.validate_on_submit():
        flash(" ".join(str(e) for e in form.note.errors) or _("Formuläret har gått ut. "
                                                              "Försök igen."), "error")
        return _to_case(application)
    try:
        if action == "assign":
            services.assign_to_me(application, current_user)
            message = _("Du handlägger nu ärendet.")
        elif action == "confirm":
            services.confirm_proposal(application, current_user)
            message = _("Beslutet är fastställt.")
        else:
            services.return_proposal(application, current_user, form.note.data or "")
            message = _("Förslaget är skickat tillbaka.")
        db.session.commit()
    except services.GrantError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _to_case(application)
    if action == "confirm":
        services.after_decision(application, current_user)
    flash(message, "success")
    return _to_case(application)


@bp.post("/handlaggning/<int:application_id>/komplettering")
@role_required("officer", "supervisor")
def request_completion(application_id: int):
    application = _officer_application(application_id)
    form = CompletionForm()
    if form.validate_on_submit():
        try:
            services.request_completion(application, current_user, message=form.message.data,
                                        deadline=form.deadline.data)
            db.session.commit()
        except services.GrantError as error:
            db.session.rollback()
            form.deadline.errors = [str(error)]
        else:
            flash(_("Kompletteringen är begärd och föreningen har fått ett mejl."), "success")
            return _to_case(application)
    return _render_case(application, completion_form=form, status=400)


@bp.post("/handlaggning/<int:application_id>/beslut")
@role_required("officer", "supervisor")
def decide(application_id: int):
    application = _officer_application(application_id)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            state = services.decide(application, current_user, outcome=form.outcome.data,
                                    amount_sek=form.amount.amount,
                                    reasons=form.reasons.data or "")
            db.session.commit()
        except services.GrantError as error:
            db.session.rollback()
            application = db.get_or_404(GrantApplication, application_id)
            form.form_errors.append(str(error))
        else:
            if state == "proposed":
                flash(_("Beloppet är större än din delegation. Beslutet är ett förslag som en "
                        "annan handläggare med tillräcklig delegation fastställer."), "success")
            else:
                services.after_decision(application, current_user)
                flash(_("Beslutet är fattat."), "success")
            return _to_case(application)
    return _render_case(application, decision_form=form, status=400)


# --- transparency ---------------------------------------------------------------------------------

def median_days(rows) -> float | None:
    """The median handling time in days (submitted → decided), or None without decisions."""
    from statistics import median

    days = [(decided - submitted).total_seconds() / 86400 for submitted, decided in rows
            if submitted is not None and decided is not None]
    return round(median(days), 1) if days else None


@bp.get("/<key>/beviljade/<int:year>")
@public
def granted(key: str, year: int):
    programme = _active_programme(key)
    if not 2000 <= year <= 2100:
        abort(404)
    rows = db.session.execute(queries.granted_in(programme.id, year)).all()
    return render_template(
        "grants/granted.html", programme=programme, year=year, rows=rows,
        total=sum(r.granted_sek or 0 for r in rows),
        recovered=sum(r.recovered_sek or 0 for r in rows),
        median=median_days(db.session.execute(queries.handling_times(programme.id, year))),
        years=db.session.scalars(queries.decided_years(programme.id)).all())


# --- payouts ------------------------------------------------------------------------------------

def _payout_filters() -> tuple[PayoutState | None, int | None]:
    state = None
    if request.args.get("status") in {s.value for s in PayoutState}:
        state = PayoutState(request.args["status"])
    return state, id_arg(request.args, "bidrag")


@bp.get("/handlaggning/utbetalningar")
@role_required("officer", "supervisor")
def payouts():
    _officer()
    state, programme_id = _payout_filters()
    lines = db.session.scalars(payout_services.payouts_query(
        state=state, programme_id=programme_id)).unique().all()
    blocked = payout_services.blocked_reasons(lines)
    return render_template(
        "grants/payouts.html", payouts=lines, blocked=blocked,
        # Pending lines the export will leave out until their block lifts.
        blocked_pending=sum(1 for p in lines
                            if p.state == PayoutState.PENDING and p.id in blocked),
        states=list(PayoutState), state=state, programme_id=programme_id,
        programmes=db.session.scalars(select(GrantProgramme).where(
            GrantProgramme.is_monetary.is_(True)).order_by(GrantProgramme.name_sv)).all(),
        export_form=PayoutExportForm(), paid_form=EmptyForm(),
        # Jäv: the officer's own associations and the cases they declared jäv on
        # (grants.mark_paid refuses both), one query each.
        own_associations=set(db.session.scalars(select(AssociationMember.association_id).where(
            AssociationMember.user_id == current_user.id))),
        declared_cases=set(db.session.scalars(select(CaseDisqualification.case_id).where(
            CaseDisqualification.user_id == current_user.id))))


@bp.post("/handlaggning/utbetalningar/export")
@role_required("officer", "supervisor")
def export_payouts():
    _officer()
    form = PayoutExportForm()
    if not form.validate_on_submit():
        flash(_("Exporten kunde inte göras. Försök igen."), "error")
        return redirect(url_for("grants.payouts"))
    programme_id = id_arg(request.form, "bidrag")
    lines = db.session.scalars(payout_services.payouts_query(
        programme_id=programme_id, for_update=True)).unique().all()
    chosen = payout_services.export(lines, current_user,
                                    include_exported=form.include_exported.data)
    # Pending lines that stayed pending are the blocked ones (spärrad, unverified bank details).
    left_out = sum(1 for p in lines if p.state == PayoutState.PENDING)
    if not chosen:
        if left_out:
            flash(ngettext("Det finns inga utbetalningar att exportera. %(num)d stoppad rad "
                           "togs inte med – se skälet i listan.",
                           "Det finns inga utbetalningar att exportera. %(num)d stoppade "
                           "rader togs inte med – se skälen i listan.", left_out), "warning")
        else:
            flash(_("Det finns inga utbetalningar att exportera."), "info")
        return redirect(url_for("grants.payouts"))
    stamp = to_local(utcnow()).strftime("%Y-%m-%d-%H%M")
    if form.file_format.data == "csv":
        body = payout_services.to_csv(chosen)
        mimetype, suffix = "text/csv; charset=utf-8", "csv"
    else:
        body = payout_services.to_xlsx(chosen)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        suffix = "xlsx"
    db.session.commit()
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="utbetalningar-{stamp}.{suffix}"')
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/handlaggning/utbetalningar/<int:payout_id>/betald")
@role_required("officer", "supervisor")
def mark_payout_paid(payout_id: int):
    _officer()
    payout = db.get_or_404(GrantPayout, payout_id, with_for_update=True)
    require(check("grants.mark_paid", current_user, payout))
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        payout_services.mark_paid(payout, current_user)
    except payout_services.PayoutError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("grants.payouts"))
    db.session.commit()
    flash(_("Utbetalningen %(reference)s är markerad som betald.",
            reference=payout.reference), "success")
    return redirect(url_for("grants.payouts"))


# --- scoring against the programme's criteria ---------------------------------------------------

def _criterion_form(**kwargs) -> CriterionForm:
    # The prefix keeps its field ids apart from the programme form's on the same page.
    return CriterionForm(prefix="kriterium", **kwargs)


@bp.post("/admin/<int:programme_id>/kriterier")
@role_required("admin")
def admin_add_criterion(programme_id: int):
    programme = db.get_or_404(GrantProgramme, programme_id)
    form = _criterion_form()
    if form.validate_on_submit():
        try:
            scoring.add_criterion(programme, name_sv=form.name_sv.data,
                                  name_en=form.name_en.data or "",
                                  description_sv=form.description_sv.data or "",
                                  max_score=form.max_score.data, weight=form.weight.data,
                                  actor=current_user)
            db.session.commit()
        except services.GrantError as error:
            db.session.rollback()
            form.max_score.errors = [str(error)]
        else:
            flash(_("Kriteriet är tillagt."), "success")
            return redirect(url_for(".admin_programme", programme_id=programme.id)
                            + "#kriterier")
    return render_template("grants/admin_programme_form.html", form=_filled(programme),
                           programme=programme, question_form=QuestionForm(formdata=None),
                           budget_form=BudgetForm(formdata=None, year=today_local().year),
                           criterion_form=form), 400


@bp.post("/admin/<int:programme_id>/kriterier/<int:criterion_id>/ta-bort")
@role_required("admin")
def admin_remove_criterion(programme_id: int, criterion_id: int):
    criterion = db.first_or_404(select(GrantCriterion).where(
        GrantCriterion.id == criterion_id, GrantCriterion.programme_id == programme_id,
        GrantCriterion.is_active.is_(True)))
    if EmptyForm().validate_on_submit():
        deleted = scoring.remove_criterion(criterion, current_user)
        db.session.commit()
        flash(_("Kriteriet är borttaget.") if deleted else
              _("Kriteriet används inte längre. Poäng som redan är satta finns kvar i "
                "ärendena och i exporten."), "success")
    return redirect(url_for(".admin_programme", programme_id=programme_id) + "#kriterier")


def _scoring_context(application: GrantApplication, form=None) -> dict:
    """The criteria, every officer's sheet and the current officer's form (prefilled); and
    the open completion request's deadline."""
    criteria = scoring.criteria_for(application)
    may_read = check("grants.read_scores", current_user, application.case)
    sheets = scoring.sheets(criteria, scoring.scores_of(application)) if may_read else []
    can_score = bool(criteria) and bool(check("grants.score", current_user, application.case))
    if form is None and can_score:
        active = [c for c in criteria if c.is_active]
        form = scores_form(active, formdata=None)
        own = next((s for s in sheets if s.officer_id == current_user.id), None)
        for criterion in active:
            score = own.scores.get(criterion.id) if own else None
            form[f"s{criterion.id}"].data = str(score.score) if score else ""
            form[f"c{criterion.id}"].data = score.comment if score else ""
    open_completion = open_request(application.case) \
        if application.case.state == "needs_completion" else None
    return {"criteria": criteria, "score_sheets": sheets, "can_score": can_score,
            "scores_hidden": None if may_read else may_read.reason,
            "score_form": form, "score_max": scoring.weighted_max(criteria),
            "scores_locked": not scoring.is_open_for_scoring(application),
            "open_completion": open_completion, "today": today_local()}


@bp.post("/handlaggning/<int:application_id>/poang")
@role_required("officer", "supervisor")
def score(application_id: int):
    application = _officer_application(application_id)
    require(check("grants.score", current_user, application.case))
    active = [c for c in scoring.criteria_for(application) if c.is_active]
    form = scores_form(active)
    if form.validate_on_submit():
        entries = {c.id: scoring.ScoreInput(
            score=int(form[f"s{c.id}"].data) if form[f"s{c.id}"].data not in (None, "")
            else None, comment=form[f"c{c.id}"].data or "") for c in active}
        try:
            scoring.save_scores(application, current_user, entries)
            db.session.commit()
        except (services.GrantError, IntegrityError) as error:
            db.session.rollback()
            application = db.get_or_404(GrantApplication, application_id)
            # Two saves at once (another tab) meet the unique row: ask to save again.
            form.form_errors.append(str(error) if isinstance(error, services.GrantError) else _(
                "Poängen sparades samtidigt från ett annat fönster. Kontrollera och spara "
                "igen."))
        else:
            flash(_("Dina poäng är sparade."), "success")
            return redirect(url_for(".officer_case", application_id=application.id)
                            + "#poang")
    return _render_case(application, score_form=form, status=400)


@bp.get("/handlaggning/bidragsformer/<int:programme_id>/poang.csv")
@role_required("officer", "supervisor")
def scores_export(programme_id: int):
    _officer()
    programme = db.get_or_404(GrantProgramme, programme_id)
    response = Response(scoring.scores_csv(programme, current_user),
                        mimetype="text/csv; charset=utf-8")
    stamp = to_local(utcnow()).strftime("%Y-%m-%d")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="bedomningar-{programme.key}-{stamp}.csv"')
    response.headers["Cache-Control"] = "private, no-store"
    return response
