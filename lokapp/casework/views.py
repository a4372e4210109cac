"""The officers' queue over every case type.

Officers  /handlaggning              all numbered cases of the officer's areas: filters, counts,
                                     sorting, pages of 50, bulk assignment
          /handlaggning/tilldela     POST: assign the ticked cases to me or to a colleague
          /handlaggning/export.xlsx  the filtered list as an Excel file
          /handlaggning/arenden/<case_id>/anteckningar  POST: an internal note
          /handlaggning/arenden/<case_id>/meddelanden   POST: a message to the applicant
          /handlaggning/arenden/<case_id>/jav           POST: declare jäv (with the reason)
Parties   /arenden/<case_id>/svara    POST: the association answers a message

Notes, messages and declared jäv show on each domain's case page through
``casework_panel(case)`` and the partials in ``templates/casework/``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from sqlalchemy.exc import IntegrityError

from lokapp.auth.models import User
from lokapp.casework import permissions as _permissions  # noqa: F401 - registers rules
from lokapp.casework import queries, services
from lokapp.casework.forms import AssignForm, DisqualificationForm, MessageForm, NoteForm
from lokapp.casework.permissions import has_message_thread
from lokapp.casework.queries import Filters
from lokapp.casework.registry import KINDS, areas_of, case_types_of, case_url
from lokapp.core.access import object_rule, role_required
from lokapp.core.cases import Case
from lokapp.core.permissions import check, require
from lokapp.core.time import to_local, today_local
from lokapp.core.urls import id_arg
from lokapp.core.workflow import workflow_for
from lokapp.extensions import db
from lokapp.grants.workflow import GRANT_APPLICATION

bp = Blueprint("casework", __name__)

PAGE_SIZE = 50
# The filter "Obesvarade meddelanden": cases whose applicant's last message is unanswered.
UNANSWERED_ARG = "obesvarade"
EXPORT_LIMIT = 50_000
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _user() -> Any:
    return current_user._get_current_object()


def _visible_types() -> tuple[str, ...]:
    require(check("casework.view_queue", _user()))
    return case_types_of(_user())


def _state_choices(types: tuple[str, ...]) -> list[tuple[str, str]]:
    """Every non-draft state of the visible types, labelled by the first workflow that has it."""
    seen: dict[str, str] = {}
    for case_type in types:
        workflow = workflow_for(case_type)
        for member in workflow.states:
            if member.value != str(workflow.initial) and member.value not in seen:
                seen[member.value] = str(member.label)
    return list(seen.items())


def _state_member(case_type: str, state: str) -> Any:
    return workflow_for(case_type).state(state)


def _filters(types: tuple[str, ...]) -> Filters:
    args = request.args
    case_type = args.get("typ") if args.get("typ") in types else None
    states = {value for value, _label in _state_choices(types)}
    state = args.get("status", queries.STATE_OPEN)
    if state not in states | {queries.STATE_OPEN, queries.STATE_ALL}:
        state = queries.STATE_OPEN
    assigned = args.get("tilldelad", queries.ASSIGNED_ANY)
    if assigned not in (queries.ASSIGNED_ANY, queries.ASSIGNED_ME, queries.ASSIGNED_NONE):
        assigned = queries.ASSIGNED_ANY
    sort = args.get("sortera", queries.SORT_NEWEST)
    if sort not in (queries.SORT_NEWEST, queries.SORT_OLDEST, queries.SORT_NUMBER,
                    queries.SORT_DEADLINE):
        sort = queries.SORT_NEWEST
    deadline = args.get("frist", queries.DEADLINE_ANY)
    if deadline not in (queries.DEADLINE_ANY, queries.DEADLINE_PASSED, queries.DEADLINE_WEEK,
                        queries.DEADLINE_SET):
        deadline = queries.DEADLINE_ANY
    text = _CONTROL.sub("", args.get("sok", ""))[:queries.SEARCH_MAX_LENGTH].strip()
    programme_id = id_arg(args, "bidragsform") if GRANT_APPLICATION in types else None
    return Filters(case_type=case_type, state=state, assigned=assigned, text=text, sort=sort,
                   programme_id=programme_id,
                   deadline=deadline, today=today_local(),
                   unanswered=args.get(UNANSWERED_ARG) == "1")


def _filter_args(filters: Filters) -> dict[str, str]:
    """The filters as query-string arguments (for page links and the export)."""
    args = {"typ": filters.case_type or "", "status": filters.state,
            "tilldelad": filters.assigned, "sok": filters.text, "sortera": filters.sort,
            "bidragsform": str(filters.programme_id or ""),
            "frist": filters.deadline if filters.deadline != queries.DEADLINE_ANY else "",
            UNANSWERED_ARG: "1" if filters.unanswered else ""}
    return {k: v for k, v in args.items() if v}


def _officer_choices() -> list[tuple[int, str]]:
    areas = {str(a) for a in areas_of(_user())}
    users = db.session.scalars(queries.officers(areas)).all()
    return [(u.id, u.name) for u in users if check("casework.assign_to", _user(), u)]


@bp.get("/handlaggning")
@role_required("officer", "supervisor")
def queue():
    types = _visible_types()
    filters = _filters(types)
    user_id = _user().id
    counts = db.session.execute(queries.counts(filters, types, user_id)).all()
    total = queries.total_from_counts(filters, counts)
    if total is None:
        total = db.session.scalar(queries.total(filters, types, user_id)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = max(1, min(request.args.get("sida", 1, type=int) or 1, pages))
    rows = db.session.execute(queries.queue(filters, types, user_id)
                              .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    form = AssignForm(formdata=None)
    form.officer.choices = _officer_choices()
    return render_template(
        "casework/queue.html", rows=rows, total=total, page=page, pages=pages,
        filters=filters, filter_args=_filter_args(filters), types=types,
        type_labels={t: str(workflow_for(t).label) for t in types},
        state_choices=_state_choices(types), counts=counts, form=form, case_url=case_url,
        programmes=(db.session.scalars(queries.programmes()).all()
                    if GRANT_APPLICATION in types else []),
        queries=queries, state_member=_state_member, today=filters.today,
        state_label=lambda t, s: str(_state_member(t, s).label))


@bp.post("/handlaggning/tilldela")
@role_required("officer", "supervisor")
def assign():
    _visible_types()
    form = AssignForm()
    form.officer.choices = _officer_choices()
    back = url_for(".queue", **{k: v for k, v in request.args.items()
                                if k in ("typ", "status", "tilldelad", "sok", "sortera", "bidragsform",
                                         "frist", UNANSWERED_ARG, "sida")})
    if not form.validate():
        flash(_("Formuläret hade gått ut. Försök igen."), "error")
        return redirect(back)
    ids = [int(v) for v in request.form.getlist("arende") if v.isdigit()]
    if not ids:
        flash(_("Markera minst ett ärende att tilldela."), "error")
        return redirect(back)
    if request.form.get("vem") == "mig":
        officer = _user()
    else:
        officer = db.session.get(User, form.officer.data) if form.officer.data else None
        decision = check("casework.assign_to", _user(), officer) if officer else None
        if not decision:
            flash(_("Välj en handläggare inom ditt område."), "error")
            return redirect(back)
    result = services.assign(ids, officer, _user())
    db.session.commit()
    if result.assigned:
        flash(ngettext("%(num)d ärende tilldelades %(name)s.",
                       "%(num)d ärenden tilldelades %(name)s.", len(result.assigned),
                       name=officer.name), "success")
    if result.unchanged:
        flash(_("Redan tilldelade %(name)s: %(numbers)s.", name=officer.name,
                numbers=", ".join(c.number for c in result.unchanged)), "info")
    if result.disqualified:
        flash(_("Hoppade över ärenden där %(name)s är jävig (knuten till föreningen): "
                "%(numbers)s.", name=officer.name,
                numbers=", ".join(c.number for c in result.disqualified)), "warning")
    if result.declared:
        flash(_("Hoppade över ärenden där %(name)s har anmält jäv: %(numbers)s.",
                name=officer.name, numbers=", ".join(c.number for c in result.declared)),
              "warning")
    if result.outside_area:
        flash(_("Hoppade över ärenden utanför %(name)s område: %(numbers)s.",
                name=officer.name, numbers=", ".join(c.number for c in result.outside_area)),
              "warning")
    return redirect(back)


def _text(sheet: Any, value: str | None) -> WriteOnlyCell:
    """A literal text cell: a subject such as ``=HYPERLINK(…)`` stays text, never a formula."""
    cell = WriteOnlyCell(sheet, value=value or "")
    cell.data_type = "s"
    return cell


@bp.get("/handlaggning/export.xlsx")
@role_required("officer", "supervisor")
def export_xlsx():
    types = _visible_types()
    filters = _filters(types)
    rows = db.session.execute(queries.queue(filters, types, _user().id)
                              .limit(EXPORT_LIMIT)).all()
    labels = {t: str(workflow_for(t).label) for t in types}
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Ärenden"))
    sheet.append([_("Ärendenummer"), _("Typ"), _("Rubrik"), _("Förening"), _("Status"),
                  _("Inkommen"), _("Handläggare"), _("Frist")])
    for row in rows:
        state = _state_member(row.case_type, row.state)
        submitted = to_local(row.submitted_at).replace(tzinfo=None) if row.submitted_at else None
        sheet.append([_text(sheet, row.number), _text(sheet, labels.get(row.case_type, "")),
                      _text(sheet, row.subject), _text(sheet, row.association_name),
                      _text(sheet, str(state.label)), submitted,
                      _text(sheet, row.officer_name), row.deadline])
    body = BytesIO()
    book.save(body)
    return Response(body.getvalue(), mimetype="application/vnd.openxmlformats-officedocument."
                                               "spreadsheetml.sheet", headers={
        "Content-Disposition": 'attachment; filename="arenden.xlsx"',
        "Cache-Control": "private, no-store"})



# --- one case: internal notes, messages, declared jäv ---------------------------------------
#
# The domain's case page includes ``casework/_case_panel.html`` (officers) or
# ``casework/_messages.html`` (the applicant's page); both read ``casework_panel(case)``.
# A refused POST shows the domain's own page again with the typed text and the error (400).

@dataclass
class Panel:
    case: Case
    side: str
    notes: list = field(default_factory=list)
    messages: list = field(default_factory=list)
    declarations: list = field(default_factory=list)
    can_notes: bool = False
    can_message: bool = False
    can_reply: bool = False
    can_declare: bool = False
    note_form: NoteForm | None = None
    message_form: MessageForm | None = None
    jav_form: DisqualificationForm | None = None


_PANEL_FORMS = "casework_forms"


def _form(name: str, cls: type) -> Any:
    return getattr(g, _PANEL_FORMS, {}).get(name) or cls(formdata=None)


@bp.app_template_global("casework_panel")
def casework_panel(case: Case | None, side: str = "officer") -> Panel | None:
    """What the case page shows of notes, messages and declared jäv for the current user.

    ``side`` is ``"officer"`` (the domain's officer page) or ``"party"`` (the applicant's page:
    messages only – notes are never even loaded there)."""
    if case is None or case.number is None:
        return None
    user = _user()
    panel = Panel(case=case, side=side)
    if side == "officer":
        panel.can_notes = bool(check("casework.notes", user, case))
        # casework.message is casework.notes for a case with a message thread.
        panel.can_message = panel.can_notes and has_message_thread(case)
        panel.can_declare = bool(check("casework.declare_jav", user, case))
        if panel.can_notes:
            panel.notes = db.session.scalars(queries.notes_of(case.id)).unique().all()
            panel.note_form = _form("note", NoteForm)
        if panel.can_declare:
            panel.jav_form = _form("jav", DisqualificationForm)
        if case.case_type in case_types_of(user):
            panel.declarations = db.session.scalars(
                queries.disqualifications_of(case.id)).unique().all()
        show_messages = panel.can_message
    else:
        rule = services.REPLY_RULES.get(case.case_type)
        panel.can_reply = bool(rule and check(rule, user, case))
        show_messages = case.case_type in services.MESSAGE_TYPES
    if show_messages:
        panel.messages = db.session.scalars(queries.messages_of(case.id)).unique().all()
        panel.message_form = _form("message", MessageForm)
    return panel


def _load_case(case_id: int) -> Case:
    case = db.session.get(Case, case_id)
    if case is None or case.number is None or case.case_type not in KINDS:
        abort(404)
    return case


def _again(page: tuple[str, dict[str, int]] | None, **forms: Any) -> Any:
    """The domain's page again (its own view, with its own checks) showing the refused form
    with the typed text and the error: 400."""
    if page is None:
        abort(404)
    endpoint, values = page
    g.casework_forms = forms
    # Run the page's view as if it had been requested, so its relative url_for(".x") and
    # blueprint context resolve in its own blueprint.
    request.url_rule = next(r for r in current_app.url_map.iter_rules(endpoint)
                            if "GET" in (r.methods or ()))
    request.view_args = values
    response = make_response(current_app.view_functions[endpoint](**values))
    response.status_code = 400
    return response


@bp.post("/handlaggning/arenden/<int:case_id>/anteckningar")
@role_required("officer", "supervisor")
def add_note(case_id: int):
    case = _load_case(case_id)
    require(check("casework.notes", _user(), case))
    form = NoteForm()
    if not form.validate_on_submit():
        return _again(services.officer_page(case), note=form)
    services.add_note(case, _user(), form.note.data)
    db.session.commit()
    flash(_("Anteckningen är sparad. Bara handläggare ser den."), "success")
    return redirect(services.officer_url(case) + "#anteckningar")


@bp.post("/handlaggning/arenden/<int:case_id>/meddelanden")
@role_required("officer", "supervisor")
def send_message(case_id: int):
    case = _load_case(case_id)
    require(check("casework.message", _user(), case))
    form = MessageForm()
    if not form.validate_on_submit():
        return _again(services.officer_page(case), message=form)
    services.send_message(case, _user(), form.message.data)
    db.session.commit()
    flash(_("Meddelandet är skickat till den som sökt."), "success")
    return redirect(services.officer_url(case) + "#meddelanden")


@bp.post("/handlaggning/arenden/<int:case_id>/jav")
@role_required("officer", "supervisor")
def declare_jav(case_id: int):
    case = _load_case(case_id)
    require(check("casework.declare_jav", _user(), case))
    form = DisqualificationForm()
    if not form.validate_on_submit():
        return _again(services.officer_page(case), jav=form)
    try:
        services.declare_disqualification(case, _user(), form.reason.data)
        db.session.commit()
    except IntegrityError:
        # A second click while the first was being saved: the first declaration stands.
        db.session.rollback()
    flash(_("Ditt jäv i ärende %(number)s är anmält. Du kan inte längre handlägga ärendet.",
            number=case.number), "success")
    # Back to the queue: some case pages are closed to a disqualified officer.
    return redirect(url_for(".queue"))


@bp.post("/arenden/<int:case_id>/svara")
@object_rule("the case type's reply rule: grants.reply, or the registrant "
             "(casework.reply_as_applicant)")
def reply(case_id: int):
    case = _load_case(case_id)
    rule = services.REPLY_RULES.get(case.case_type)
    if rule is None:
        abort(404)
    require(check(rule, _user(), case))
    form = MessageForm()
    if not form.validate_on_submit():
        return _again(services.applicant_page(case), message=form)
    services.reply(case, _user(), form.message.data)
    db.session.commit()
    flash(_("Svaret är skickat till handläggaren."), "success")
    return redirect(services.applicant_url(case) + "#meddelanden")
