"""The follow-up report's pages, registered on the grants blueprint by :func:`register`.

Parties         /bidrag/ansokningar/<id>/redovisning           the report: read, or write and
                                                               save (POST) while it is due
                /bidrag/ansokningar/<id>/redovisning/skicka    save and send (POST)
                /bidrag/ansokningar/<id>/redovisning/bilagor   attach a file (POST)
                /bidrag/ansokningar/<id>/redovisning/filer/<n> a file of the report
Grant officers  /bidrag/handlaggning/redovisningar             open reports: due, sent, late
                /bidrag/handlaggning/<id>/redovisning          the report and the answers:
                /bidrag/handlaggning/<id>/redovisning/godkann       accept (POST)
                /bidrag/handlaggning/<id>/redovisning/komplettering ask for more (POST)
                /bidrag/handlaggning/<id>/redovisning/aterkrav      återkrav (POST, a letter)

Saving and sending are two routes for the same form (the send button carries
``formaction``), so it works without JavaScript and never branches on button names.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from lokapp.associations.models import AgeBand, Gender
from lokapp.core.access import object_rule, role_required
from lokapp.core.cases import history_for
from lokapp.core.permissions import check, require
from lokapp.core.uploads import UploadError, send_stored_file
from lokapp.core.workflow import WorkflowError
from lokapp.extensions import db
from lokapp.grants import follow_up as services
from lokapp.grants.forms_follow_up import (
    LINE_ROWS_EXTRA,
    AcceptReportForm,
    RecoveryForm,
    ReportAttachmentForm,
    ReportCompletionForm,
    ReportForm,
    participant_field_name,
)
from lokapp.grants.models import BudgetLineKind, GrantApplication
from lokapp.grants.workflow import State
from lokapp.letters.services import LetterError, UnlawfulLetter


def _application(application_id: int) -> GrantApplication:
    application = db.get_or_404(GrantApplication, application_id)
    require(check("grants.view", current_user, application))
    return application


def _follow_up(application: GrantApplication):
    follow_up = services.follow_up_of(application)
    if follow_up is None:
        abort(404)
    return follow_up


def _may_report(application: GrantApplication) -> bool:
    return application.case.state == State.FOLLOW_UP_DUE.value and bool(
        check("grants.report", current_user, application.case))


def _fill(form: ReportForm, follow_up) -> None:
    form.summary.data = follow_up.summary
    form.participants.form.fill(follow_up.participant_counts())
    for line in follow_up.lines:
        form.lines.append_entry({"kind": line.kind.value, "description": line.description,
                                 "amount": str(line.amount_sek)})
    for _i in range(LINE_ROWS_EXTRA):
        form.lines.append_entry({"kind": BudgetLineKind.COST.value})


def _data(form: ReportForm) -> services.ReportData:
    return services.ReportData(
        summary=form.summary.data or "",
        participants=form.participants.form.counts(),
        lines=[services.LineData(BudgetLineKind(row.form.kind.data), row.form.description.data,
                                 row.form.amount.amount)
               for row in form.lines if row.form.amount.amount is not None])


def _render_report(application, follow_up, *, form=None, missing=None, attachment_form=None,
                   status=200):
    may_report = _may_report(application)
    if form is None and may_report:
        form = ReportForm(formdata=None)
        _fill(form, follow_up)
    return render_template(
        "grants/follow_up_report.html", application=application,
        programme=application.programme, follow_up=follow_up, form=form,
        may_report=may_report, missing=missing or [],
        attachment_form=attachment_form or ReportAttachmentForm(formdata=None),
        age_bands=list(AgeBand), genders=list(Gender),
        field_name=participant_field_name), status


def follow_up_report(application_id: int):
    application = _application(application_id)
    follow_up = _follow_up(application)
    if request.method == "GET":
        return _render_report(application, follow_up)
    require(check("grants.report", current_user, application.case))
    form = ReportForm()
    if form.validate_on_submit():
        try:
            services.save_report(follow_up, _data(form), current_user)
            db.session.commit()
        except services.FollowUpError as error:
            db.session.rollback()
            flash(str(error), "error")
            return redirect(url_for(".application", application_id=application.id))
        flash(_("Redovisningen är sparad. Skicka in den när den är klar."), "success")
        return redirect(url_for(".follow_up_report", application_id=application.id))
    return _render_report(application, follow_up, form=form, status=400)


def follow_up_submit(application_id: int):
    application = _application(application_id)
    follow_up = _follow_up(application)
    require(check("grants.report", current_user, application.case))
    form = ReportForm()
    if not form.validate_on_submit():
        return _render_report(application, follow_up, form=form, status=400)
    try:
        services.save_and_submit_report(follow_up, _data(form), current_user)
    except services.IncompleteReport as error:
        db.session.commit()  # the service saved what was typed: it is kept, as a draft
        return _render_report(application, follow_up, form=form, missing=error.missing,
                              status=400)
    except (services.FollowUpError, WorkflowError) as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for(".application", application_id=application.id))
    db.session.commit()
    flash(_("Redovisningen är inskickad. Du får en bekräftelse med e-post."), "success")
    return redirect(url_for(".application", application_id=application.id))


def follow_up_attach(application_id: int):
    application = _application(application_id)
    follow_up = _follow_up(application)
    require(check("grants.report", current_user, application.case))
    form = ReportAttachmentForm()
    if form.validate_on_submit():
        try:
            services.attach(follow_up, request.files.get(form.file.name),
                            label=form.label.data, user=current_user)
            db.session.commit()
        except (UploadError, services.FollowUpError) as error:
            db.session.rollback()
            form.file.errors = [str(error)]
        else:
            flash(_("Filen ”%(label)s” är sparad.", label=form.label.data), "success")
            return redirect(url_for(".follow_up_report", application_id=application.id))
    return _render_report(application, follow_up, attachment_form=form, status=400)


def follow_up_file(application_id: int, attachment_id: int):
    """A file of the report, for the parties and, once it is sent, the grant officers
    (grants.read_report)."""
    from lokapp.grants.follow_up_models import GrantFollowUpAttachment

    application = _application(application_id)
    follow_up = _follow_up(application)
    require(check("grants.read_report", current_user, follow_up))
    attachment = db.first_or_404(select(GrantFollowUpAttachment).where(
        GrantFollowUpAttachment.id == attachment_id,
        GrantFollowUpAttachment.follow_up_id == follow_up.id))
    return send_stored_file(attachment.stored_file)


# --- the officer ------------------------------------------------------------------------------

def _officer_application(application_id: int) -> GrantApplication:
    require(check("grants.officer", current_user))
    return _application(application_id)


def _render_officer(application, follow_up, *, accept_form=None, completion_form=None,
                    recovery_form=None, status=200):
    case = application.case
    handle = check("grants.handle", current_user, case)  # refused only for jäv here
    may_handle = bool(handle)
    return render_template(
        "grants/follow_up_officer.html", application=application,
        programme=application.programme, case=case, follow_up=follow_up,
        history=db.session.scalars(history_for(case)).all(),
        jav=None if may_handle else handle.reason,
        may_accept=may_handle and case.state == State.FOLLOW_UP_SUBMITTED.value,
        may_recover=may_handle and case.state in (State.FOLLOW_UP_DUE.value,
                                                  State.FOLLOW_UP_SUBMITTED.value),
        accept_form=accept_form or AcceptReportForm(formdata=None),
        completion_form=completion_form or ReportCompletionForm(formdata=None),
        recovery_form=recovery_form or RecoveryForm(formdata=None),
        age_bands=list(AgeBand), genders=list(Gender)), status


LIST_PAGE_SIZE = 50


def follow_up_queue():
    """The open follow-ups, the earliest last day first; filter: all, sent, overdue."""
    from lokapp.core.time import today_local

    require(check("grants.officer", current_user))
    show = request.args.get("visa", services.LIST_ALL)
    if show not in services.LIST_FILTERS:
        show = services.LIST_ALL
    today = today_local()
    total = db.session.scalar(services.follow_up_list_total(show, today)) or 0
    pages = max(1, -(-total // LIST_PAGE_SIZE))
    page = max(1, min(request.args.get("sida", 1, type=int) or 1, pages))
    rows = db.session.scalars(services.follow_up_list(show, today).limit(LIST_PAGE_SIZE)
                              .offset((page - 1) * LIST_PAGE_SIZE)).unique().all()
    return render_template("grants/follow_up_queue.html", rows=rows, show=show, total=total,
                           page=page, pages=pages, today=today,
                           filters=[(services.LIST_ALL, _("Alla öppna")),
                                    (services.LIST_SUBMITTED, _("Inkomna att granska")),
                                    (services.LIST_OVERDUE, _("Försenade"))])


def officer_follow_up(application_id: int):
    application = _officer_application(application_id)
    return _render_officer(application, _follow_up(application))


def _to_officer(application):
    return redirect(url_for(".officer_follow_up", application_id=application.id))


def _officer_act(application_id: int, form_cls, form_key: str, act, message: str):
    """Load, authorise (grants.handle: the area, not jäv), validate, act, commit, redirect."""
    application = _officer_application(application_id)
    follow_up = _follow_up(application)
    require(check("grants.handle", current_user, application.case))
    form = form_cls()
    if form.validate_on_submit():
        try:
            act(follow_up, form)
            db.session.commit()
        except (services.FollowUpError, WorkflowError, LetterError, UnlawfulLetter) as error:
            db.session.rollback()
            application = db.get_or_404(GrantApplication, application_id)
            follow_up = services.follow_up_of(application)
            form.form_errors.append(str(error))
        else:
            flash(message, "success")
            return _to_officer(application)
    return _render_officer(application, follow_up, **{form_key: form}, status=400)


def accept_follow_up(application_id: int):
    return _officer_act(
        application_id, AcceptReportForm, "accept_form",
        lambda follow_up, form: services.accept_report(follow_up, current_user,
                                                       form.note.data),
        _("Redovisningen är godkänd och ärendet är avslutat. Föreningen har fått ett mejl."))


def request_follow_up_completion(application_id: int):
    return _officer_act(
        application_id, ReportCompletionForm, "completion_form",
        lambda follow_up, form: services.request_report_completion(
            follow_up, current_user, message=form.message.data, deadline=form.deadline.data),
        _("Kompletteringen är begärd och föreningen har fått ett mejl."))


def open_recovery(application_id: int):
    return _officer_act(
        application_id, RecoveryForm, "recovery_form",
        lambda follow_up, form: services.open_recovery(
            follow_up, current_user, amount_sek=form.amount.amount, reasons=form.reasons.data),
        _("Beslutet om återkrav är fattat. Beslutsbrevet är skickat till föreningen."))


def register(bp) -> None:
    """Add the follow-up routes to the grants blueprint."""
    applicant = "grants.view to read; grants.report (the association's applicant) to write"
    bp.add_url_rule("/ansokningar/<int:application_id>/redovisning",
                    view_func=object_rule(applicant)(follow_up_report),
                    methods=["GET", "POST"])
    bp.add_url_rule("/ansokningar/<int:application_id>/redovisning/skicka",
                    view_func=object_rule(applicant)(follow_up_submit), methods=["POST"])
    bp.add_url_rule("/ansokningar/<int:application_id>/redovisning/bilagor",
                    view_func=object_rule(applicant)(follow_up_attach), methods=["POST"])
    bp.add_url_rule("/ansokningar/<int:application_id>/redovisning/filer/<int:attachment_id>",
                    view_func=object_rule("grants.read_report: the parties; grant officers once sent")(
                        follow_up_file), methods=["GET"])
    officer = role_required("officer", "supervisor")
    bp.add_url_rule("/handlaggning/redovisningar", view_func=officer(follow_up_queue),
                    methods=["GET"])
    bp.add_url_rule("/handlaggning/<int:application_id>/redovisning",
                    view_func=officer(officer_follow_up), methods=["GET"])
    bp.add_url_rule("/handlaggning/<int:application_id>/redovisning/godkann",
                    view_func=officer(accept_follow_up), methods=["POST"])
    bp.add_url_rule("/handlaggning/<int:application_id>/redovisning/komplettering",
                    view_func=officer(request_follow_up_completion), methods=["POST"])
    bp.add_url_rule("/handlaggning/<int:application_id>/redovisning/aterkrav",
                    view_func=officer(open_recovery), methods=["POST"])
