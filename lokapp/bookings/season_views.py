"""Seasonal allocation pages, on the bookings blueprint.

=====================================================  =========================================
``/sasongsbokning``, ``/sasongsbokning/<id>``            the rounds, their dates and rules (public)
``/sasongsbokning/<id>/resttider``                       leftover slots after publishing (public)
``/sasongsbokning/<id>/forening/<aid>…``                 an association's application and wishes
``/sasongsbokning/arende/<case>``                        the same by case (messages link here)
``/lokalbokning/sasong/arende/<case>``                   the officer's case page: + notes, jäv
``/lokalbokning/sasong/<id>…``                           the officer's allocation and publishing
``/admin/sasongsbokning…``                               administrators open and edit rounds
=====================================================  =========================================

Imported by ``register_blueprints`` before the bookings blueprint is registered.
"""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lokapp.associations.models import AgeBand, Association, Gender
from lokapp.auth.models import AssociationMember
from lokapp.bookings import season_cli, season_letters, seasons  # noqa: F401 - season_cli: command, demo
from lokapp.bookings.forms_season import (
    RULE_SLOTS,
    AllocateForm,
    RoundForm,
    UnallocateForm,
    WishForm,
)
from lokapp.bookings.models import Premises
from lokapp.bookings.permissions import booking_associations, manages_association
from lokapp.bookings.rules import format_clock
from lokapp.bookings.season_models import (
    RoundState,
    SeasonApplication,
    SeasonRound,
    SeasonWish,
)
from lokapp.bookings.season_permissions import (
    can_allocate,
    can_apply,
    can_manage_rounds,
    window_is_open,
)
from lokapp.bookings.services import BookingError
from lokapp.bookings.views import bp
from lokapp.core.access import object_rule, public, role_required
from lokapp.core.forms import EmptyForm
from lokapp.core.permissions import Decision, check, require
from lokapp.core.time import today_local
from lokapp.core.workflow import WorkflowError
from lokapp.extensions import db

season_letters.register()


def _user():
    return current_user._get_current_object()


def _round(round_id: int) -> SeasonRound:
    season_round = db.session.scalar(
        select(SeasonRound).where(SeasonRound.id == round_id)
        .options(selectinload(SeasonRound.premises).selectinload(Premises.opening_hours),
                 selectinload(SeasonRound.premises).selectinload(Premises.blackouts)))
    if season_round is None:
        abort(404)
    return season_round


def _problems_to_form(form, problems) -> None:
    for problem in problems:
        target = getattr(form, problem.field, None) if problem.field else None
        if target is not None and hasattr(target, "errors"):
            target.errors = [*target.errors, problem.message]
        else:
            form.form_errors.append(problem.message)


# --- public ------------------------------------------------------------------------------------

@bp.get("/sasongsbokning")
@public
def season_rounds():
    rounds = db.session.scalars(seasons.rounds_query()).all()
    return render_template("bookings/season_rounds.html", rounds=rounds,
                           rules=seasons.PRIORITY_RULES)


@bp.get("/sasongsbokning/<int:round_id>")
@public
def season_round(round_id: int):
    season_round = _round(round_id)
    mine = booking_associations(_user())
    return render_template("bookings/season_round.html", round=season_round, mine=mine,
                           rules=seasons.PRIORITY_RULES, is_open=window_is_open(season_round),
                           may_allocate=bool(can_allocate(_user())))


@bp.get("/sasongsbokning/<int:round_id>/resttider")
@public
def season_leftover(round_id: int):
    season_round = _round(round_id)
    slots = (seasons.leftover_slots(season_round)
             if season_round.state == RoundState.PUBLISHED else [])
    return render_template("bookings/season_leftover.html", round=season_round, slots=slots,
                           is_over=season_round.season_ends_on < today_local())


# --- the association's application -----------------------------------------------------------

def _association(season_round: SeasonRound, association_id: int) -> Association:
    association = db.session.get(Association, association_id)
    if association is None:
        abort(404)
    user = _user()
    if not (can_allocate(user) or manages_association(user, association_id)):
        require(Decision(False, _("Ansökan hör inte till en förening där du är "
                                  "bokningsansvarig.")))
    return association


def _premises_choices(season_round: SeasonRound) -> list[tuple[int, str]]:
    return [(p.id, p.name) for p in season_round.premises]


def _application_page(season_round, association, status: int = 200):
    application = seasons.application_for(season_round, association.id)
    return render_template(
        "bookings/season_application.html", round=season_round, association=association,
        application=application, may_edit=bool(can_apply(_user(), season_round,
                                                          association.id)),
        is_officer=bool(can_allocate(_user())),
        form=EmptyForm(), age_bands=list(AgeBand), genders=list(Gender)), status


@bp.get("/sasongsbokning/<int:round_id>/forening/<int:association_id>")
@object_rule("the association's booking managers, or a bookings officer")
def season_application(round_id: int, association_id: int):
    season_round = _round(round_id)
    return _application_page(season_round, _association(season_round, association_id))


def _wish_page(season_round, association, form, wish=None, status=200):
    return render_template("bookings/season_wish.html", round=season_round,
                           association=association, form=form, wish=wish), status


@bp.route("/sasongsbokning/<int:round_id>/forening/<int:association_id>/onskemal/ny",
          methods=["GET", "POST"])
@object_rule("bookings.season_apply: the association's booking managers, in the window")
def season_wish_new(round_id: int, association_id: int):
    return _wish(round_id, association_id, None)


@bp.route("/sasongsbokning/<int:round_id>/forening/<int:association_id>/onskemal/<int:wish_id>",
          methods=["GET", "POST"])
@object_rule("bookings.season_apply: the association's booking managers, in the window")
def season_wish_edit(round_id: int, association_id: int, wish_id: int):
    return _wish(round_id, association_id, wish_id)


def _load_wish(season_round, association_id: int, wish_id: int) -> SeasonWish:
    wish = db.session.get(SeasonWish, wish_id)
    if (wish is None or wish.application.round_id != season_round.id
            or wish.application.association_id != association_id):
        abort(404)
    return wish


def _wish(round_id: int, association_id: int, wish_id: int | None):
    season_round = _round(round_id)
    association = _association(season_round, association_id)
    require(can_apply(_user(), season_round, association_id))
    wish = _load_wish(season_round, association_id, wish_id) if wish_id else None
    form = WishForm(premises_choices=_premises_choices(season_round))
    if request.method == "GET":
        if wish is not None:
            form.fill_from(wish)
        return _wish_page(season_round, association, form, wish)
    if not form.validate_on_submit():
        return _wish_page(season_round, association, form, wish, 400)
    try:
        seasons.save_wish(season_round, association, _user(), form.data_for_service(), wish)
    except seasons.SeasonError as error:
        db.session.rollback()
        _problems_to_form(form, error.problems)
        return _wish_page(season_round, association, form, wish, 400)
    db.session.commit()
    flash(_("Önskemålet är sparat. Ni kan ändra ansökan till och med %(date)s.",
            date=season_round.applications_close_on.isoformat()), "success")
    return redirect(url_for(".season_application", round_id=round_id,
                            association_id=association_id))


@bp.post("/sasongsbokning/<int:round_id>/forening/<int:association_id>/onskemal/<int:wish_id>"
         "/ta-bort")
@object_rule("bookings.season_apply: the association's booking managers, in the window")
def season_wish_delete(round_id: int, association_id: int, wish_id: int):
    season_round = _round(round_id)
    _association(season_round, association_id)
    require(can_apply(_user(), season_round, association_id))
    wish = _load_wish(season_round, association_id, wish_id)
    if EmptyForm().validate_on_submit():
        seasons.delete_wish(wish, _user())
        db.session.commit()
        flash(_("Önskemålet är borttaget."), "success")
    return redirect(url_for(".season_application", round_id=round_id,
                            association_id=association_id))


@bp.post("/sasongsbokning/<int:round_id>/forening/<int:association_id>/kopiera")
@object_rule("bookings.season_apply: the association's booking managers, in the window")
def season_copy(round_id: int, association_id: int):
    season_round = _round(round_id)
    association = _association(season_round, association_id)
    require(can_apply(_user(), season_round, association_id))
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        copied, skipped = seasons.copy_previous(season_round, association, _user())
    except seasons.SeasonError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        message = _("%(count)d önskemål kopierades från förra säsongen. Se över dem.",
                    count=copied)
        if skipped:
            message += " " + _("%(count)d gick inte att kopiera (lokalen ingår inte i omgången "
                               "eller tiden ligger utanför öppettiderna).", count=skipped)
        flash(message, "success")
    return redirect(url_for(".season_application", round_id=round_id,
                            association_id=association_id))


# --- the officer's allocation ----------------------------------------------------------------

# A row names this many of the wishes it overlaps in words; the rest by their ranks.
CONFLICTS_NAMED = 3


def _conflict_lists(data: seasons.Board) -> dict[tuple[int, int], Markup]:
    """``(wish id, premises id) → the <li> items naming the wishes it overlaps``, each
    wish's words made once: in a crowded hall a row can overlap dozens of others, and
    rendering every line in the template was most of the page's time."""
    items: dict[int, str] = {}
    lists = {}
    for cell in data.cells:
        for row in cell.rows:
            for other in row.conflicts:
                if other.wish.id not in items:
                    items[other.wish.id] = "<li>" + escape(_(
                        "med %(association)s %(start)s–%(end)s (rang %(rank)d)",
                        association=other.application.association.name,
                        start=format_clock(other.wish.start_minute),
                        end=format_clock(other.wish.end_minute), rank=other.rank)) + "</li>"
            named = row.conflicts if len(row.conflicts) <= CONFLICTS_NAMED + 1 \
                else row.conflicts[:CONFLICTS_NAMED]
            text = "".join(items[other.wish.id] for other in named)
            rest = row.conflicts[len(named):]
            if rest:
                text += "<li>" + escape(ngettext(
                    "och %(num)d önskemål till (rang %(ranks)s)",
                    "och %(num)d önskemål till (rang %(ranks)s)", len(rest),
                    ranks=", ".join(str(r) for r in sorted(o.rank for o in rest)))) + "</li>"
            lists[(row.ranked.wish.id, row.premises_id)] = Markup(text)
    return lists


# Up to this many rows (a wish under each of its choices) the allocation view shows every
# premises at once; a bigger round opens at its first premises (the chooser shows the others).
ALL_PREMISES_UP_TO = 80


def _allocation_page(season_round, failed: tuple[int, object] | None = None, status=200):
    only = request.args.get("lokal", type=int)
    if only not in {p.id for p in season_round.premises}:
        only = None
    show_all = request.args.get("lokal") == "alla"
    data = seasons.board(season_round, only,
                         all_up_to=None if show_all else ALL_PREMISES_UP_TO)
    only = data.only_premises_id
    conflicts = _conflict_lists(data)
    own = set(db.session.scalars(select(AssociationMember.association_id).where(
        AssociationMember.user_id == _user().id)))
    return render_template("bookings/season_allocation.html", round=season_round, board=data,
                           own_associations=own, only=only, conflicts=conflicts,
                           failed=failed, AllocateForm=AllocateForm,
                           UnallocateForm=UnallocateForm, form=EmptyForm(),
                           rules=seasons.PRIORITY_RULES, today=today_local()), status


@bp.get("/lokalbokning/sasong/<int:round_id>")
@role_required("officer")
def season_allocation(round_id: int):
    require(can_allocate(_user()))
    return _allocation_page(_round(round_id))


def _by_case(case_id: int):
    """The application page of the season application with this case."""
    application = db.session.scalar(select(SeasonApplication).where(
        SeasonApplication.case_id == case_id))
    if application is None:
        abort(404)
    season_round = _round(application.round_id)
    return _application_page(season_round, _association(season_round,
                                                        application.association_id))


@bp.get("/lokalbokning/sasong/arende/<int:case_id>")
@role_required("officer")
def season_case(case_id: int):
    """The officer's case page of a season application (the queue links here): the
    application with the case's notes, messages and declared jäv (the casework panel)."""
    require(can_allocate(_user()))
    return _by_case(case_id)


@bp.get("/sasongsbokning/arende/<int:case_id>")
@object_rule("the association's booking managers, or a bookings officer")
def season_party_case(case_id: int):
    """The association's page of its season application by case: where the officer's
    messages link to and the booking managers answer."""
    return _by_case(case_id)


@bp.get("/lokalbokning/sasong/<int:round_id>/timmar.csv")
@role_required("officer", "admin")
def season_hours_csv(round_id: int):
    """The round's equal-treatment data: requested and allocated hours per association."""
    require(check("bookings.view_reports", _user()))
    season_round = _round(round_id)
    return Response(seasons.hours_csv(season_round), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="sasongsbokning-{round_id}-timmar.csv"',
        "Cache-Control": "private, no-store"})


@bp.post("/lokalbokning/sasong/<int:round_id>/forslag")
@role_required("officer")
def season_auto(round_id: int):
    require(can_allocate(_user()))
    season_round = _round(round_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        counts = seasons.auto_allocate(season_round, _user())
    except seasons.SeasonError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("Förslaget är klart: %(first)d i första hand, %(second)d i andra hand, "
                "%(none)d utan tid, %(manual)d fördelade för hand.", **counts), "success")
    return redirect(url_for(".season_allocation", round_id=round_id))


def _round_wish(round_id: int, wish_id: int) -> tuple[SeasonRound, SeasonWish]:
    season_round = _round(round_id)
    wish = db.session.get(SeasonWish, wish_id)
    if wish is None or wish.application.round_id != round_id:
        abort(404)
    return season_round, wish


@bp.post("/lokalbokning/sasong/<int:round_id>/onskemal/<int:wish_id>/tilldela")
@role_required("officer")
def season_allocate(round_id: int, wish_id: int):
    require(can_allocate(_user()))
    season_round, wish = _round_wish(round_id, wish_id)
    form = AllocateForm(premises_choices=[(p.id, p.name) for p in season_round.premises
                                          if p.id in wish.choices])
    if not form.validate_on_submit():
        return _allocation_page(season_round, (wish.id, form), 400)
    try:
        seasons.allocate(wish, int(form.premises.data), form.reason.data, _user())
    except seasons.SeasonError as error:
        db.session.rollback()
        _problems_to_form(form, error.problems)
        return _allocation_page(_round(round_id), (wish_id, form), 400)
    db.session.commit()
    flash(_("Önskemålet är tilldelat."), "success")
    return redirect(url_for(".season_allocation", round_id=round_id,
                            lokal=request.args.get("lokal", type=int)) + f"#wish-{wish_id}")


@bp.post("/lokalbokning/sasong/<int:round_id>/onskemal/<int:wish_id>/ta-tillbaka")
@role_required("officer")
def season_unallocate(round_id: int, wish_id: int):
    require(can_allocate(_user()))
    season_round, wish = _round_wish(round_id, wish_id)
    form = UnallocateForm()
    if not form.validate_on_submit():
        return _allocation_page(season_round, (wish.id, form), 400)
    try:
        seasons.unallocate(wish, form.reason.data, _user())
    except seasons.SeasonError as error:
        db.session.rollback()
        _problems_to_form(form, error.problems)
        return _allocation_page(_round(round_id), (wish_id, form), 400)
    db.session.commit()
    flash(_("Tilldelningen är borttagen."), "success")
    return redirect(url_for(".season_allocation", round_id=round_id,
                            lokal=request.args.get("lokal", type=int)) + f"#wish-{wish_id}")


@bp.post("/lokalbokning/sasong/<int:round_id>/publicera")
@role_required("officer")
def season_publish(round_id: int):
    require(can_allocate(_user()))
    season_round = _round(round_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        result = seasons.publish_round(season_round, _user())
    except (seasons.SeasonError, WorkflowError, BookingError) as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for(".season_allocation", round_id=round_id))
    db.session.commit()
    if result.remaining:
        flash(_("%(done)d ansökningar har fått sitt beslut. %(left)d återstår – publicera igen "
                "för att fortsätta.", done=result.decided, left=result.remaining), "info")
    else:
        flash(_("Resultatet är publicerat. Beslutsbrev har skickats och tiderna är bokade."),
              "success")
    return redirect(url_for(".season_allocation", round_id=round_id))


# --- administration ------------------------------------------------------------------------------

def _round_form(season_round: SeasonRound | None) -> RoundForm:
    premises = db.session.execute(select(Premises.id, Premises.name)
                                  .order_by(Premises.name)).all()
    others = db.session.execute(
        select(SeasonRound.id, SeasonRound.name)
        .where(SeasonRound.id != (season_round.id if season_round else -1))
        .order_by(SeasonRound.season_starts_on.desc())).all()
    return RoundForm(premises_choices=[(p.id, p.name) for p in premises],
                     round_choices=[(r.id, r.name) for r in others])


def _round_data(form: RoundForm) -> dict:
    return {"name": form.name.data, "season_starts_on": form.season_starts_on.data,
            "season_ends_on": form.season_ends_on.data,
            "applications_open_on": form.applications_open_on.data,
            "applications_close_on": form.applications_close_on.data,
            "rules_text": form.rules_text.data, "priority_keys": form.priority_keys,
            "previous_round_id": int(form.previous_round.data) if form.previous_round.data
            else None}


@bp.get("/admin/sasongsbokning")
@role_required("admin")
def season_admin_list():
    require(can_manage_rounds(_user()))
    rounds = db.session.scalars(seasons.rounds_query()).all()
    return render_template("bookings/season_admin_list.html", rounds=rounds)


@bp.route("/admin/sasongsbokning/ny", methods=["GET", "POST"])
@role_required("admin")
def season_admin_new():
    return _round_edit(None)


@bp.route("/admin/sasongsbokning/<int:round_id>", methods=["GET", "POST"])
@role_required("admin")
def season_admin_edit(round_id: int):
    return _round_edit(_round(round_id))


def _round_edit(season_round: SeasonRound | None):
    require(can_manage_rounds(_user()))
    form = _round_form(season_round)
    if request.method == "GET" and season_round is not None:
        form.name.data, form.rules_text.data = season_round.name, season_round.rules_text
        form.season_starts_on.data = season_round.season_starts_on
        form.season_ends_on.data = season_round.season_ends_on
        form.applications_open_on.data = season_round.applications_open_on
        form.applications_close_on.data = season_round.applications_close_on
        for n, key in enumerate((season_round.priority_keys or [])[:RULE_SLOTS], start=1):
            form[f"rule_{n}"].data = key
        form.premises.data = [p.id for p in season_round.premises]
        form.previous_round.data = str(season_round.previous_round_id or "")
    if request.method == "GET" or not form.validate_on_submit():
        status = 200 if request.method == "GET" else 400
        return render_template("bookings/season_admin_form.html", form=form,
                               round=season_round), status
    try:
        saved = seasons.save_round(season_round, _round_data(form), form.premises.data, _user())
    except seasons.SeasonError as error:
        db.session.rollback()
        form.form_errors.append(error.message)
        return render_template("bookings/season_admin_form.html", form=form,
                               round=season_round), 400
    db.session.commit()
    flash(_("Omgången är sparad."), "success")
    return redirect(url_for(".season_round", round_id=saved.id))

