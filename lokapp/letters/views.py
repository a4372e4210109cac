"""The letter pages: a letter as HTML and PDF, the archive per case and per association, resend,
the template editor with preview, and letter batches.

Every view: load (or 404) → authorise (``permissions.py``) → validate → one service call →
commit → redirect.
"""
from __future__ import annotations

from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from lokapp.core.access import object_rule, role_required
from lokapp.core.cases import Case
from lokapp.core.forms import EmptyForm
from lokapp.core.permissions import check, require
from lokapp.extensions import db
from lokapp.letters import queries, rendering, services
from lokapp.letters.forms import BatchForm, TemplateForm
from lokapp.letters.kinds import KINDS, TEMPLATE_VARIABLES
from lokapp.letters.models import Letter, LetterBatch, LetterKind, LetterTemplate
from lokapp.letters.sandbox import ALLOWED_TAGS

bp = Blueprint("letters", __name__)

BATCH_CHOICES_LIMIT = 1000


def _user():
    return current_user._get_current_object()


def _load_letter(letter_id: int, permission: str = "letters.view") -> Letter:
    letter = db.get_or_404(Letter, letter_id)
    require(check(permission, _user(), letter))
    return letter


# --- reading ------------------------------------------------------------------------------------

@bp.get("/brev/<int:letter_id>")
@object_rule("letters.view: the case's parties and the area's officers")
def show(letter_id: int):
    letter = _load_letter(letter_id)
    body = Markup(rendering.render_html(letter.context, page=True))
    deliveries = queries.deliveries([letter])
    return render_template("letters/show.html", letter=letter, body=body,
                           delivery=deliveries[0], resend_form=EmptyForm())


@bp.get("/brev/<int:letter_id>/pdf")
@object_rule("letters.view: the case's parties and the area's officers")
def pdf(letter_id: int):
    letter = _load_letter(letter_id)
    response = send_file(BytesIO(letter.pdf), mimetype="application/pdf", as_attachment=True,
                         download_name=letter.filename, etag=letter.sha256,
                         last_modified=letter.created_at, max_age=0)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/arenden/<int:case_id>/brev")
@object_rule("letters.view_case: the case's parties and the area's officers")
def case_letters(case_id: int):
    case = db.get_or_404(Case, case_id)
    require(check("letters.view_case", _user(), case))
    letters = db.session.scalars(queries.letters_of_case(case.id)).all()
    return render_template("letters/case.html", case=case,
                           deliveries=queries.deliveries(letters))


@bp.get("/forening/<int:association_id>/brev")
@object_rule("letters.view_association: the association's representatives, register officers")
def association_letters(association_id: int):
    from lokapp.associations.models import Association

    association = db.get_or_404(Association, association_id)
    require(check("letters.view_association", _user(), association))
    letters = db.session.scalars(queries.letters_of_association(association.id)).all()
    return render_template("letters/association.html", association=association,
                           deliveries=queries.deliveries(letters))


@bp.post("/brev/<int:letter_id>/skicka-igen")
@object_rule("letters.resend: the area's officers")
def resend(letter_id: int):
    letter = _load_letter(letter_id, "letters.resend")
    if EmptyForm().validate_on_submit():
        try:
            services.resend(letter, _user())
        except services.LetterError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Brevet skickas igen till %(to)s – samma fil som förra gången.",
                    to=", ".join(letter.recipients)), "success")
    return redirect(url_for(".show", letter_id=letter.id))


# --- templates ----------------------------------------------------------------------------------

def _kind_or_404(kind: str) -> LetterKind:
    try:
        return LetterKind(kind)
    except ValueError:
        abort(404)


@bp.get("/admin/brevmallar")
@role_required("admin")
def templates():
    require(check("letters.manage_templates", _user()))
    current = {kind: services.current_template(kind) for kind in KINDS}
    db.session.commit()  # version 1 of a kind is created on first use
    return render_template("letters/templates.html", current=current, kinds=KINDS)


def _template_page(kind: LetterKind, form: TemplateForm, preview=None, problem=None):
    versions = db.session.scalars(services.template_versions(kind).limit(20)).all()
    return render_template("letters/template_form.html", kind=kind, spec=KINDS[kind],
                           form=form, preview=preview, problem=problem, versions=versions,
                           variables=TEMPLATE_VARIABLES, tags=ALLOWED_TAGS)


@bp.get("/admin/brevmallar/<kind>")
@role_required("admin")
def template_edit(kind: str):
    require(check("letters.manage_templates", _user()))
    kind = _kind_or_404(kind)
    current = services.current_template(kind)
    db.session.commit()
    form = TemplateForm(formdata=None)
    form.fill(current)
    return _template_page(kind, form)


@bp.post("/admin/brevmallar/<kind>/forhandsgranska")
@role_required("admin")
def template_preview(kind: str):
    require(check("letters.manage_templates", _user()))
    kind = _kind_or_404(kind)
    form = TemplateForm()
    preview = problem = None
    if form.validate_on_submit():
        try:
            preview = services.preview_template(kind, form.texts(), with_pdf=False)
        except services.TemplateProblem as error:
            problem = str(error)
    return _template_page(kind, form, preview=preview, problem=problem)


@bp.post("/admin/brevmallar/<kind>")
@role_required("admin")
def template_save(kind: str):
    require(check("letters.manage_templates", _user()))
    kind = _kind_or_404(kind)
    form = TemplateForm()
    if form.validate_on_submit():
        try:
            template = services.save_template(kind, form.texts(), _user())
        except (services.TemplateProblem, services.LetterError) as error:
            db.session.rollback()
            return _template_page(kind, form, problem=str(error)), 422
        db.session.commit()
        flash(_("Version %(version)d av mallen är sparad. Nya brev använder den.",
                version=template.version), "success")
        return redirect(url_for(".template_edit", kind=kind.value))
    return _template_page(kind, form), 422


@bp.get("/admin/brevmallar/<kind>/version/<int:version>")
@role_required("admin")
def template_version(kind: str, version: int):
    require(check("letters.manage_templates", _user()))
    kind = _kind_or_404(kind)
    template = db.session.scalar(select(LetterTemplate).where(
        LetterTemplate.kind == kind, LetterTemplate.version == version)) or abort(404)
    return render_template("letters/template_version.html", kind=kind, template=template)


# --- batches ------------------------------------------------------------------------------------

def _batch_form(formdata=None) -> BatchForm:
    cases = db.session.scalars(services.cases_without_letter().limit(BATCH_CHOICES_LIMIT)).all()
    form = BatchForm(formdata=formdata) if formdata is not None else BatchForm()
    form.cases.choices = [(c.id, f"{c.number} – {c.subject}") for c in cases]
    return form


@bp.route("/handlaggning/brev/utskick", methods=["GET", "POST"])
@role_required("officer", "supervisor")
def batches():
    require(check("letters.batch", _user()))
    form = _batch_form()
    if form.validate_on_submit():
        try:
            batch = services.create_batch(form.cases.data, _user())
        except services.LetterError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Utskicket är skapat med %(count)d ärenden. Det körs i bakgrunden.",
                    count=batch.total), "success")
            return redirect(url_for(".batch", batch_id=batch.id))
    elif not form.is_submitted():
        form.cases.data = [value for value, _label in form.cases.choices]
    recent = db.session.scalars(select(LetterBatch).order_by(LetterBatch.id.desc())
                                .limit(20)).all()
    return render_template("letters/batches.html", form=form, recent=recent)


@bp.get("/handlaggning/brev/utskick/<int:batch_id>")
@role_required("officer", "supervisor")
def batch(batch_id: int):
    require(check("letters.batch", _user()))
    batch = db.get_or_404(LetterBatch, batch_id)
    counts = services.batch_counts(batch.id)
    failed = db.session.scalars(services.failed_items(batch.id)).all()
    return render_template("letters/batch.html", batch=batch, counts=counts, failed=failed)
