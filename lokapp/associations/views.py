"""The register's pages: registration, the association's own pages, people, the officers' list.

Every view: load (or 404) → authorise (a predicate from ``permissions.py``) → validate the form
→ one service call → commit → redirect. Association pages live under
``/forening/<association_id>/…``; a person who represents several associations switches by
choosing one on ``/mina-foreningar`` (the last one chosen is remembered in the session).
"""
from __future__ import annotations

from collections import defaultdict

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from lokapp.associations import queries_register as queries
from lokapp.associations import services
from lokapp.associations.forms import (
    AnnualUpdateForm,
    AssociationDataForm,
    CompletionRequestForm,
    DocumentUploadForm,
    InvitationForm,
    MemberRolesForm,
    PaymentForm,
    RegistrationForm,
    count_field_name,
    language_name,
    validate_completion_form,
)
from lokapp.associations.models import (
    AgeBand,
    Association,
    AssociationDocument,
    AssociationInvitation,
    BoardRole,
    DocumentType,
    Gender,
)
from lokapp.associations.numbers import format_bankgiro, format_plusgiro
from lokapp.associations.permissions import membership
from lokapp.associations.status import compute_status, compute_statuses
from lokapp.associations.workflow import (
    ANNUAL_UPDATE,
    CASE_TYPES,
    REGISTRATION,
    SENSITIVE_CHANGE,
    WORKFLOWS,
    RegistrationState,
)
from lokapp.auth.models import AssociationMember, AssociationRole
from lokapp.core.access import login_required, object_rule, public, role_required
from lokapp.core.cases import Case
from lokapp.core.permissions import check, require
from lokapp.core.time import to_local, today_local
from lokapp.core.uploads import UploadError, send_stored_file
from lokapp.core.workflow import CaseActionForm, WorkflowError
from lokapp.extensions import db

bp = Blueprint("register", __name__)

PAGE_SIZE = 50
SESSION_KEY = "current_association_id"


# --- helpers --------------------------------------------------------------------------------

def _user():
    return current_user._get_current_object()


def _load_association(association_id: int, permission: str) -> Association:
    association = db.get_or_404(Association, association_id)
    require(check(permission, _user(), association))
    return association


def _load_case(case_id: int, case_types: tuple[str, ...] = CASE_TYPES) -> Case:
    case = db.get_or_404(Case, case_id)
    if case.case_type not in case_types or case.is_draft:
        abort(404)
    return case


@bp.context_processor
def _template_helpers() -> dict:
    """Helpers for the register's templates (only pages rendered by this blueprint)."""
    return {"endpoint_exists": lambda name: name in current_app.view_functions,
            "language_name": language_name, "board_role": BoardRole.label_of,
            "age_bands": list(AgeBand), "genders": list(Gender),
            "count_field_name": count_field_name, "format_bankgiro": format_bankgiro,
            "format_plusgiro": format_plusgiro, "role_label": _role_label}


def _role_label(value: str):
    return AssociationRole(value).label


def _counts_table(association: Association, year: int) -> dict:
    return services.counts_for(association, year)


# --- registration ---------------------------------------------------------------------------

@bp.route("/forening/registrera", methods=["GET", "POST"])
@login_required
def new():
    form = RegistrationForm()
    if form.validate_on_submit():
        try:
            case = services.register_association(form.to_data(), _user())
        except services.RegisterError as error:
            db.session.rollback()
            form.orgnr.errors = [*form.orgnr.errors, str(error)]
        else:
            db.session.commit()
            flash(_("Tack! Registreringen är inskickad med ärendenummer %(number)s. Vi har "
                    "skickat en bekräftelse till din e-post.", number=case.number), "success")
            return redirect(url_for(".registration", case_id=case.id))
    return render_template("associations/register.html", form=form, completing=None,
                           year=today_local().year)


@bp.get("/forening/registreringar/<int:case_id>")
@object_rule("register.view_case: the registrant or a register officer")
def registration(case_id: int):
    case = _load_case(case_id, (REGISTRATION,))
    require(check("register.view_case", _user(), case))
    association = db.session.get(Association, case.association_id)
    return render_template(
        "associations/registration.html", case=case, association=association,
        completion=services.open_completion_request(case),
        history=db.session.scalars(queries.history_with_actors(case)).all(),
        counts=_counts_table(association, to_local(case.submitted_at).year),
        year=to_local(case.submitted_at).year)


@bp.route("/forening/registreringar/<int:case_id>/komplettera", methods=["GET", "POST"])
@object_rule("register.submit_registration: the registrant")
def complete_registration(case_id: int):
    case = _load_case(case_id, (REGISTRATION,))
    require(check("register.submit_registration", _user(), case))
    if case.state != RegistrationState.NEEDS_COMPLETION:
        flash(_("Registreringen kan bara ändras när handläggaren har bett om komplettering."),
              "info")
        return redirect(url_for(".registration", case_id=case.id))
    association = db.session.get(Association, case.association_id)
    form = RegistrationForm(editing=association)
    if request.method == "GET":
        form.fill_from(association)
        form.counts.form.fill(_counts_table(association, to_local(case.submitted_at).year))
    elif form.validate_on_submit():
        try:
            services.resubmit_registration(case, form.to_data(), _user())
        except (services.RegisterError, WorkflowError) as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Tack! Kompletteringen är inskickad."), "success")
            return redirect(url_for(".registration", case_id=case.id))
    return render_template("associations/register.html", form=form, completing=case,
                           completion=services.open_completion_request(case),
                           year=to_local(case.submitted_at).year)


# --- my associations ------------------------------------------------------------------------

@bp.get("/mina-foreningar")
@login_required
def mine():
    user = _user()
    rows = db.session.execute(queries.memberships(user)).all()
    statuses = compute_statuses([association for _member, association in rows])
    return render_template(
        "associations/mine.html", rows=rows, statuses=statuses,
        registrations=db.session.execute(queries.my_registrations(user)).all(),
        invitations=db.session.scalars(queries.invitations_for(user)).all(),
        current_id=session.get(SESSION_KEY), is_officer=check("register.view_queue", user))


@bp.get("/forening/<int:association_id>")
@object_rule("associations.view: a representative of the association or a register officer")
def overview(association_id: int):
    association = _load_association(association_id, "associations.view")
    session[SESSION_KEY] = association.id
    year = today_local().year
    return render_template(
        "associations/overview.html", association=association,
        status=compute_status(association), year=year,
        annual_update=services.annual_update_for(association, year),
        pending_change=services.open_sensitive_change(association),
        member=membership(_user(), association.id))


@bp.route("/forening/<int:association_id>/uppgifter", methods=["GET", "POST"])
@object_rule("associations.edit: administrator, chair or contact person")
def edit(association_id: int):
    association = _load_association(association_id, "associations.edit")
    form = AssociationDataForm()
    if request.method == "GET":
        form.fill_from(association)
    elif form.validate_on_submit():
        changed = services.update_association(association, form.to_data(), _user())
        db.session.commit()
        flash(_("Uppgifterna är sparade.") if changed else _("Inget ändrades."), "success")
        return redirect(url_for(".overview", association_id=association.id))
    return render_template("associations/edit.html", association=association, form=form)


# --- documents and member counts ------------------------------------------------------------

def _documents_page(association: Association, form: DocumentUploadForm | None = None):
    return render_template(
        "associations/documents.html", association=association,
        documents=db.session.scalars(queries.documents_of(association.id)).all(),
        form=form or DocumentUploadForm(formdata=None, year=today_local().year))


@bp.get("/forening/<int:association_id>/dokument")
@object_rule("associations.view: a representative of the association or a register officer")
def documents(association_id: int):
    return _documents_page(_load_association(association_id, "associations.view"))


@bp.post("/forening/<int:association_id>/dokument")
@object_rule("associations.annual_update: administrator, chair, treasurer or contact")
def upload_document(association_id: int):
    association = _load_association(association_id, "associations.annual_update")
    form = DocumentUploadForm()
    if form.validate_on_submit():
        try:
            services.upload_document(association, DocumentType(form.doc_type.data),
                                     form.year.data, form.file.data, _user())
        except UploadError as error:
            db.session.rollback()
            form.file.errors = [*form.file.errors, str(error)]
        else:
            db.session.commit()
            flash(_("Dokumentet är uppladdat."), "success")
            return redirect(url_for(".documents", association_id=association.id))
    return _documents_page(association, form)


@bp.get("/forening/<int:association_id>/dokument/<int:document_id>")
@object_rule("associations.view: a representative of the association or a register officer")
def download_document(association_id: int, document_id: int):
    association = _load_association(association_id, "associations.view")
    document = db.get_or_404(AssociationDocument, document_id)
    if document.association_id != association.id:
        abort(404)
    return send_stored_file(document.file)


@bp.get("/forening/<int:association_id>/medlemsantal")
@object_rule("associations.view: a representative of the association or a register officer")
def member_counts(association_id: int):
    association = _load_association(association_id, "associations.view")
    by_year: dict[int, dict] = defaultdict(dict)
    for row in db.session.scalars(queries.member_counts(association.id)):
        by_year[row.year][(row.age_band.value, row.gender.value)] = row.count
    return render_template("associations/member_counts.html", association=association,
                           by_year=dict(sorted(by_year.items(), reverse=True)))


# --- annual update --------------------------------------------------------------------------

@bp.route("/forening/<int:association_id>/arlig-uppdatering", methods=["GET", "POST"])
@object_rule("associations.annual_update: administrator, chair, treasurer or contact")
def annual_update(association_id: int):
    association = _load_association(association_id, "associations.annual_update")
    year = today_local().year
    update_row = services.annual_update_for(association, year)
    is_open = update_row is None or update_row.case.state in ("draft", "needs_completion")
    form = AnnualUpdateForm(
        year=year, has_statutes=db.session.scalar(queries.has_statutes(association.id)) is not None,
        existing={str(t) for t in db.session.scalars(
            queries.document_types_for_year(association.id, year))})
    if request.method == "GET":
        form.counts.form.fill(_counts_table(association, year))
    elif is_open and form.validate_on_submit():
        try:
            case = services.submit_annual_update(association, year, form.counts.form.counts(),
                                                 form.files(), _user())
        except services.DocumentUploadError as error:
            db.session.rollback()
            field = form[error.doc_type.value]
            field.errors = [*field.errors, str(error)]
        except (services.RegisterError, WorkflowError) as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Tack! Den årliga uppdateringen är inskickad med ärendenummer "
                    "%(number)s.", number=case.number), "success")
            return redirect(url_for(".overview", association_id=association.id))
    return render_template(
        "associations/annual_update.html", association=association, form=form, year=year,
        update=update_row, is_open=is_open,
        completion=services.open_completion_request(update_row.case) if update_row else None,
        documents=db.session.scalars(queries.documents_of(association.id, year)).all())


# --- people ---------------------------------------------------------------------------------

def _people_page(association: Association, invite_form: InvitationForm | None = None):
    return render_template(
        "associations/people.html", association=association,
        members=services.members_of(association),
        invitations=services.open_invitations(association),
        form=invite_form or InvitationForm(formdata=None))


@bp.get("/forening/<int:association_id>/personer")
@object_rule("associations.view: a representative of the association or a register officer")
def people(association_id: int):
    return _people_page(_load_association(association_id, "associations.view"))


@bp.post("/forening/<int:association_id>/personer")
@object_rule("associations.manage_people: the association's administrator")
def invite(association_id: int):
    association = _load_association(association_id, "associations.manage_people")
    form = InvitationForm()
    if form.validate_on_submit():
        try:
            services.invite(association, form.email.data, form.roles.data,
                            form.is_signatory.data, _user())
        except services.RegisterError as error:
            db.session.rollback()
            form.email.errors = [*form.email.errors, str(error)]
        else:
            db.session.commit()
            flash(_("Inbjudan är skickad till %(email)s.", email=form.email.data), "success")
            return redirect(url_for(".people", association_id=association.id))
    return _people_page(association, form)


def _load_member(association: Association, member_id: int) -> AssociationMember:
    member = db.get_or_404(AssociationMember, member_id)
    if member.association_id != association.id:
        abort(404)
    return member


@bp.route("/forening/<int:association_id>/personer/<int:member_id>", methods=["GET", "POST"])
@object_rule("associations.manage_people: the association's administrator")
def member_edit(association_id: int, member_id: int):
    association = _load_association(association_id, "associations.manage_people")
    member = _load_member(association, member_id)
    form = MemberRolesForm()
    if request.method == "GET":
        form.roles.data = sorted(member.role_names)
        form.is_signatory.data = member.is_signatory
    elif form.validate_on_submit():
        try:
            services.change_member(member, form.roles.data, form.is_signatory.data, _user())
        except services.RegisterError as error:
            db.session.rollback()
            form.roles.errors = [*form.roles.errors, str(error)]
        else:
            db.session.commit()
            flash(_("Rollerna för %(name)s är sparade.", name=member.user.name), "success")
            return redirect(url_for(".people", association_id=association.id))
    return render_template("associations/member_edit.html", association=association,
                           member=member, form=form)


@bp.post("/forening/<int:association_id>/personer/<int:member_id>/ta-bort")
@object_rule("associations.manage_people: the association's administrator")
def member_remove(association_id: int, member_id: int):
    association = _load_association(association_id, "associations.manage_people")
    member = _load_member(association, member_id)
    form = CaseActionForm()
    if form.validate_on_submit():
        name = member.user.name
        try:
            services.remove_member(member, _user())
        except services.RegisterError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("%(name)s företräder inte längre föreningen.", name=name), "success")
    return redirect(url_for(".people", association_id=association.id))


@bp.post("/forening/<int:association_id>/inbjudningar/<int:invitation_id>/aterkalla")
@object_rule("associations.manage_people: the association's administrator")
def invitation_revoke(association_id: int, invitation_id: int):
    association = _load_association(association_id, "associations.manage_people")
    invitation = db.get_or_404(AssociationInvitation, invitation_id)
    if invitation.association_id != association.id:
        abort(404)
    if CaseActionForm().validate_on_submit():
        services.revoke_invitation(invitation, _user())
        db.session.commit()
        flash(_("Inbjudan till %(email)s är återkallad.", email=invitation.email), "success")
    return redirect(url_for(".people", association_id=association.id))


@bp.get("/inbjudan/<token>")
@public
def invitation(token: str):
    result = services.check_invitation(token)
    if not result.is_valid:
        return render_template("associations/invitation.html", result=result,
                               state=result.state.value), 400
    return render_template("associations/invitation.html", result=result, state="valid",
                           invitation=result.invitation)


@bp.post("/inbjudan/<token>")
@login_required
def invitation_accept(token: str):
    result = services.check_invitation(token)
    if not result.is_valid:
        return render_template("associations/invitation.html", result=result,
                               state=result.state.value), 400
    try:
        member = services.accept_invitation(result.invitation, _user())
    except services.RegisterError as error:
        db.session.rollback()
        return render_template("associations/invitation.html", result=result, state="valid",
                               invitation=result.invitation, problem=str(error)), 403
    db.session.commit()
    flash(_("Välkommen! Du företräder nu %(name)s.", name=result.invitation.association.name),
          "success")
    return redirect(url_for(".overview", association_id=member.association_id))


# --- organisationsnummer and payment details ------------------------------------------------

@bp.route("/forening/<int:association_id>/betalning", methods=["GET", "POST"])
@object_rule("associations.change_payment: administrator, chair, treasurer or signatory")
def payment(association_id: int):
    association = _load_association(association_id, "associations.change_payment")
    pending = services.open_sensitive_change(association)
    form = PaymentForm(association=association)
    if request.method == "GET":
        form.fill_from(association)
    elif pending is None and form.validate_on_submit():
        try:
            case = services.request_sensitive_change(association, form.to_data(), _user())
        except services.RegisterError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            if case is None:
                flash(_("Inget ändrades."), "info")
            else:
                flash(_("Ändringen är inskickad med ärendenummer %(number)s. Den gäller när en "
                        "handläggare har godkänt den.", number=case.number), "success")
            return redirect(url_for(".payment", association_id=association.id))
    return render_template(
        "associations/payment.html", association=association, form=form, pending=pending,
        lines=services.change_lines(pending) if pending else [])


@bp.post("/forening/<int:association_id>/betalning/aterkalla")
@object_rule("associations.change_payment: administrator, chair, treasurer or signatory")
def payment_withdraw(association_id: int):
    association = _load_association(association_id, "associations.change_payment")
    pending = services.open_sensitive_change(association)
    if pending is not None and CaseActionForm().validate_on_submit():
        try:
            services.withdraw_sensitive_change(pending.case, _user())
        except WorkflowError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("Ändringen är återkallad."), "success")
    return redirect(url_for(".payment", association_id=association.id))


# --- the officers ---------------------------------------------------------------------------

@bp.get("/handlaggning/foreningsregister")
@role_required("officer")
def queue():
    require(check("register.view_queue", _user()))
    case_type = request.args.get("typ") if request.args.get("typ") in CASE_TYPES else None
    only_open = request.args.get("visa") != "alla"
    page = request.args.get("sida", 1, type=int) or 1
    page = max(1, min(page, 10_000))
    query = queries.register_cases(case_type, only_open)
    total = db.session.scalar(queries.count_of(query))
    rows = db.session.execute(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return render_template("associations/officer_queue.html", rows=rows, total=total,
                           page=page, pages=max(1, -(-total // PAGE_SIZE)),
                           case_type=case_type, only_open=only_open, workflows=WORKFLOWS)


def _case_page(case: Case, completion_form: CompletionRequestForm | None = None):
    association = db.session.get(Association, case.association_id)
    context = {"case": case, "association": association,
               "history": db.session.scalars(queries.history_with_actors(case)).all(),
               "requests": db.session.scalars(queries.completion_requests(case)).all(),
               "completion_form": completion_form or CompletionRequestForm(formdata=None),
               "actions": case.available_actions(_user())}
    if case.case_type == REGISTRATION:
        context["year"] = to_local(case.submitted_at).year
    elif case.case_type == ANNUAL_UPDATE:
        context["update"] = db.session.scalar(queries.annual_update_for_case(case))
        context["year"] = context["update"].year
        context["documents"] = db.session.scalars(
            queries.documents_of(association.id, context["year"])).all()
    if case.case_type in (REGISTRATION, ANNUAL_UPDATE):
        context["counts"] = _counts_table(association, context["year"])
    if case.case_type == SENSITIVE_CHANGE:
        change = db.session.scalar(queries.change_for_case(case))
        context["lines"] = services.change_lines(change)
    return render_template("associations/officer_case.html", **context)


@bp.get("/handlaggning/foreningsregister/<int:case_id>")
@role_required("officer")
def officer_case(case_id: int):
    case = _load_case(case_id)
    require(check("register.handle", _user(), case))
    return _case_page(case)


@bp.post("/handlaggning/foreningsregister/<int:case_id>/atgard/<action>")
@role_required("officer")
def case_action(case_id: int, action: str):
    case = _load_case(case_id)
    require(check("register.handle", _user(), case))
    form = CaseActionForm()
    if form.validate_on_submit():
        try:
            services.act(case, action, _user(), form.note.data)
        except WorkflowError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("Klart. Ärendet har nu status ”%(state)s”.",
                    state=case.state_enum.label), "success")
    else:
        flash(_("Kommentaren är för lång eller innehåller otillåtna tecken."), "error")
    return redirect(url_for(".officer_case", case_id=case.id))


@bp.post("/handlaggning/foreningsregister/<int:case_id>/komplettering")
@role_required("officer")
def case_completion(case_id: int):
    case = _load_case(case_id, (REGISTRATION, ANNUAL_UPDATE))
    require(check("register.handle", _user(), case))
    form = CompletionRequestForm()
    if validate_completion_form(form):
        try:
            services.request_completion(case, _user(), form.message.data, form.deadline.data)
        except WorkflowError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("Begäran om komplettering är skickad."), "success")
            return redirect(url_for(".officer_case", case_id=case.id))
    return _case_page(case, form)

