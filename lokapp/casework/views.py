"""The officers' queue over every case type.

Officers  /handlaggning              all numbered cases of the officer's areas: filters, counts,
                                     sorting, pages of 50, bulk assignment
          /handlaggning/tilldela     POST: assign the ticked cases to me or to a colleague
          /handlaggning/export.xlsx  the filtered list as an Excel file
"""
from __future__ import annotations

import re
from io import BytesIO
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from lokapp.auth.models import User
from lokapp.casework import permissions as _permissions  # noqa: F401 - registers rules
from lokapp.casework import queries, services
from lokapp.casework.forms import AssignForm
from lokapp.casework.queries import Filters
from lokapp.casework.registry import areas_of, case_types_of, case_url
from lokapp.core.access import role_required
from lokapp.core.permissions import check, require
from lokapp.core.time import to_local
from lokapp.core.workflow import workflow_for
from lokapp.extensions import db
from lokapp.grants.workflow import GRANT_APPLICATION

bp = Blueprint("casework", __name__)

PAGE_SIZE = 50
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
    if sort not in (queries.SORT_NEWEST, queries.SORT_OLDEST, queries.SORT_NUMBER):
        sort = queries.SORT_NEWEST
    text = _CONTROL.sub("", args.get("sok", ""))[:queries.SEARCH_MAX_LENGTH].strip()
    programme_id = args.get("bidragsform", type=int) if GRANT_APPLICATION in types else None
    return Filters(case_type=case_type, state=state, assigned=assigned, text=text, sort=sort,
                   programme_id=programme_id if programme_id and programme_id > 0 else None)


def _filter_args(filters: Filters) -> dict[str, str]:
    """The filters as query-string arguments (for page links and the export)."""
    args = {"typ": filters.case_type or "", "status": filters.state,
            "tilldelad": filters.assigned, "sok": filters.text, "sortera": filters.sort,
            "bidragsform": str(filters.programme_id or "")}
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
    total = db.session.scalar(queries.total(filters, types, user_id)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = max(1, min(request.args.get("sida", 1, type=int) or 1, pages))
    rows = db.session.execute(queries.queue(filters, types, user_id)
                              .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    counts = db.session.execute(queries.counts(filters, types, user_id)).all()
    form = AssignForm(formdata=None)
    form.officer.choices = _officer_choices()
    return render_template(
        "casework/queue.html", rows=rows, total=total, page=page, pages=pages,
        filters=filters, filter_args=_filter_args(filters), types=types,
        type_labels={t: str(workflow_for(t).label) for t in types},
        state_choices=_state_choices(types), counts=counts, form=form, case_url=case_url,
        programmes=(db.session.scalars(queries.programmes()).all()
                    if GRANT_APPLICATION in types else []),
        queries=queries, state_member=_state_member,
        state_label=lambda t, s: str(_state_member(t, s).label))


@bp.post("/handlaggning/tilldela")
@role_required("officer", "supervisor")
def assign():
    _visible_types()
    form = AssignForm()
    form.officer.choices = _officer_choices()
    back = url_for(".queue", **{k: v for k, v in request.args.items()
                                if k in ("typ", "status", "tilldelad", "sok", "sortera", "bidragsform",
                                         "sida")})
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
                  _("Inkommen"), _("Handläggare")])
    for row in rows:
        state = _state_member(row.case_type, row.state)
        submitted = to_local(row.submitted_at).replace(tzinfo=None) if row.submitted_at else None
        sheet.append([_text(sheet, row.number), _text(sheet, labels.get(row.case_type, "")),
                      _text(sheet, row.subject), _text(sheet, row.association_name),
                      _text(sheet, str(state.label)), submitted,
                      _text(sheet, row.officer_name)])
    body = BytesIO()
    book.save(body)
    return Response(body.getvalue(), mimetype="application/vnd.openxmlformats-officedocument."
                                               "spreadsheetml.sheet", headers={
        "Content-Disposition": 'attachment; filename="arenden.xlsx"',
        "Cache-Control": "private, no-store"})

