"""Premises booking pages: the public catalogue, booking, the booker's and the officer's pages,
and the administrators' catalogue.

Every view: load (or 404) → authorise (a predicate from ``permissions.py``) → validate the form
→ one service call → commit → redirect.

=====================================================  =========================================
``/lokaler``                                            catalogue and search for a free room
``/lokaler/<id>?vecka=2026-W13``                        one premises and its week
``/lokaler/<id>/boka`` → ``/boka/bekrafta``             request, preview (price, terms), book
``/mina-bokningar``, ``/bokningar/<id>``                the booker's bookings
``/lokalbokning``                                       the bookings officer's queue
``/lokalbokning/fakturaunderlag``, ``/belaggning``      invoicing basis, utilisation (staff)
``/admin/lokaler…``                                     premises, hours, blackouts, tariffs
=====================================================  =========================================
"""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from lokapp.associations.models import Association
from lokapp.auth.services import absolute_url
from lokapp.bookings import availability, photos, queries, reports, services
from lokapp.bookings import letters as booking_letters
from lokapp.bookings.forms import (
    CANCEL_BOOKINGS,
    COMMERCIAL,
    PRIVATE,
    WEEKDAYS,
    BlackoutForm,
    BookingForm,
    CancelForm,
    ConfirmBookingForm,
    OfficerCancelForm,
    OpeningHoursForm,
    PhotoForm,
    PremisesForm,
    RescheduleForm,
    SearchForm,
    TariffForm,
    clock_minutes,
    parse_dates,
)
from lokapp.bookings.models import (
    Blackout,
    BookerType,
    BookingOccurrence,
    BookingSeries,
    CalendarFeed,
    Premises,
    PremisesPhoto,
    Recurrence,
)
from lokapp.bookings.permissions import booking_associations, is_booker_side
from lokapp.bookings.pricing import format_sek
from lokapp.bookings.rules import (
    Problem,
    cancellation_deadline,
    format_clock,
    format_length,
    stockholm_week,
)
from lokapp.bookings.workflow import BOOKER_ACTIONS, OFFICER_ACTIONS
from lokapp.core.access import login_required, object_rule, public, role_required
from lokapp.core.forms import EmptyForm
from lokapp.core.permissions import check, require
from lokapp.core.time import to_local, today_local, utcnow
from lokapp.core.uploads import UploadError, send_stored_file
from lokapp.core.workflow import CaseActionForm, WorkflowError
from lokapp.extensions import db

bp = Blueprint("bookings", __name__)
booking_letters.register()


def _user():
    return current_user._get_current_object()


@bp.context_processor
def _helpers() -> dict:
    return {"format_sek": format_sek, "format_clock": format_clock,
            "format_length": format_length, "weekdays": WEEKDAYS}


def _published(premises_id: int) -> Premises:
    premises = availability.load_premises(premises_id)
    if premises is None:
        abort(404)
    return premises


# --- the public catalogue -------------------------------------------------------------------

@bp.get("/lokaler")
@public
def index():
    form = SearchForm(request.args)
    criteria = availability.Criteria()
    searched = bool(request.args)
    if searched and form.validate():
        criteria = availability.Criteria(
            day=form.datum.data, start_minute=clock_minutes(form.fran),
            end_minute=clock_minutes(form.till, end=True), attendees=form.antal.data,
            premises_type=form.typ.data or None,
            district_id=int(form.stadsdel.data) if form.stadsdel.data else None,
            features=tuple(form.funktioner.data or ()))
    elif searched:
        criteria = None
    results = (availability.search_page(criteria, request.args.get("sida", 1, type=int) or 1)
               if criteria is not None else None)
    return render_template("bookings/index.html", form=form, results=results,
                           criteria=criteria, searched=searched,
                           page_args={k: v for k, v in request.args.to_dict(flat=False).items()
                                      if k != "sida"})


@bp.get("/lokaler/<int:premises_id>")
@public
def premises(premises_id: int):
    place = _published(premises_id)
    year, week = availability.parse_week(request.args.get("vecka"))
    return render_template("bookings/premises.html", premises=place,
                           week=availability.week_view(place, year, week),
                           may_book=check("bookings.book", _user(), place))


# --- booking --------------------------------------------------------------------------------

def _booker_choices(premises: Premises, user) -> list[tuple[str, str]]:
    choices = []
    if premises.bookable_by_associations:
        choices += [(f"association-{a.id}", _("Föreningen %(name)s", name=a.name))
                    for a in booking_associations(user)]
    if premises.bookable_by_residents:
        choices += [(PRIVATE, _("Jag själv, privat")),
                    (COMMERCIAL, _("Jag själv, för kommersiell verksamhet"))]
    return choices


def _bookable(premises_id: int) -> Premises:
    place = _published(premises_id)
    require(check("bookings.book", _user(), place))
    return place


def _booking_request(form: BookingForm) -> services.BookingRequest:
    association = (db.session.get(Association, form.association_id)
                   if form.association_id is not None else None)
    booker = services.Booker(_user(), form.booker_type, association)
    recurrence = Recurrence(form.recurrence.data)
    return services.BookingRequest(
        booker=booker, activity=form.activity.data, attendees=form.attendees.data,
        first_date=form.day.data, start_minute=form.start_minute,
        end_minute=form.end_minute, recurrence=recurrence,
        until=form.until.data if recurrence in (Recurrence.WEEKLY, Recurrence.BIWEEKLY)
        else None,
        dates=tuple(form.chosen_dates) if recurrence == Recurrence.DATES else ())


def _attach(form, problems: list[Problem]) -> None:
    """Show each problem at its field (or at the top of the form)."""
    for problem in problems:
        if problem.field and problem.field in form:
            form[problem.field].errors = [*form[problem.field].errors, problem.message]
        else:
            form.form_errors.append(problem.message)


def _form_page(place: Premises, form: BookingForm, status: int = 200):
    show_youth = any(value.startswith("association-") for value, _label in form.booker.choices)
    return render_template("bookings/book.html", premises=place, form=form,
                           show_youth=show_youth), status


def _preview_page(place: Premises, plan: services.Plan, form: ConfirmBookingForm):
    return render_template("bookings/preview.html", premises=place, plan=plan, form=form,
                           checksum=services.terms_checksum(place.terms))


@bp.route("/lokaler/<int:premises_id>/boka", methods=["GET", "POST"])
@object_rule("bookings.book: residents or association booking managers, as the premises allows")
def book(premises_id: int):
    place = _bookable(premises_id)
    form = BookingForm(booker_choices=_booker_choices(place, _user()))
    if request.method == "GET":
        form.day.data = _date_arg("datum")
        form.start.data = request.args.get("fran", "")[:5] or None
        form.end.data = request.args.get("till", "")[:5] or None
        return _form_page(place, form)
    if not form.validate_on_submit():
        return _form_page(place, form, 400)
    plan = services.plan_booking(place, _booking_request(form))
    single_conflicts = [] if plan.is_series else [p for c in plan.conflicts for p in c.problems]
    if plan.problems or single_conflicts or not plan.bookable:
        _attach(form, plan.problems + single_conflicts)
        if not plan.problems and not single_conflicts:
            form.form_errors.append(_("Inget av datumen går att boka. Välj andra datum eller "
                                      "tider."))
        return _form_page(place, form, 400)
    confirm = ConfirmBookingForm(booker_choices=form.booker.choices)
    _expect(confirm, plan)
    return _preview_page(place, plan, confirm)


@bp.post("/lokaler/<int:premises_id>/boka/bekrafta")
@object_rule("bookings.book: residents or association booking managers, as the premises allows")
def confirm(premises_id: int):
    place = _bookable(premises_id)
    form = ConfirmBookingForm(booker_choices=_booker_choices(place, _user()))
    if not form.validate_on_submit():
        preview_only = {"accept_terms", "skip_conflicts"}
        if all(name in preview_only for name, errors in form.errors.items() if errors):
            plan = services.plan_booking(place, _booking_request(form))
            return _preview_page(place, plan, form), 400
        return _form_page(place, form, 400)
    booking_request = _booking_request(form)
    try:
        series = services.create_booking(
            place, booking_request, accepted_terms=form.terms_checksum.data,
            skip_conflicts=form.skip_conflicts.data,
            expected_conflicts=frozenset(parse_dates(form.expected_conflicts.data)[0]))
    except services.BookingError as error:
        db.session.rollback()
        plan = services.plan_booking(place, booking_request)
        if plan.problems or not plan.bookable or not plan.is_series:
            _attach(form, error.problems)
            return _form_page(place, form, 409)
        _expect(form, plan)
        form.form_errors.append(error.message)
        form.form_errors.append(_("Något har ändrats sedan du såg sammanställningen. "
                                  "Kontrollera datumen och bekräfta igen."))
        return _preview_page(place, plan, form), 409
    db.session.commit()
    if series.case is not None:
        flash(_("Tack! Din bokningsförfrågan har ärendenummer %(number)s. Du får besked via "
                "e-post när en handläggare har beslutat.", number=series.case.number),
              "success")
    else:
        flash(_("Klart! Tiden är bokad. Bekräftelsen har skickats till din e-post."), "success")
    return redirect(url_for(".series", series_id=series.id))


def _expect(form: ConfirmBookingForm, plan: services.Plan) -> None:
    """The dates the preview shows as not bookable, sent back with the confirmation."""
    form.expected_conflicts.data = " ".join(c.day.isoformat() for c in plan.conflicts)
    form.expected_conflicts.raw_data = None


def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


@bp.get("/lokaler/<int:premises_id>/bilder/<int:photo_id>")
@public
def photo(premises_id: int, photo_id: int):
    return _send_photo(premises_id, photo_id, thumbnail=False)


@bp.get("/lokaler/<int:premises_id>/bilder/<int:photo_id>/liten")
@public
def photo_thumbnail(premises_id: int, photo_id: int):
    return _send_photo(premises_id, photo_id, thumbnail=True)


def _send_photo(premises_id: int, photo_id: int, *, thumbnail: bool):
    """A published premises' photo for everyone; an unpublished one's for administrators."""
    place = db.get_or_404(Premises, premises_id)
    if not place.is_published and not check("bookings.manage_premises", _user()):
        abort(404)
    picture = _part_of(place, PremisesPhoto, photo_id)
    return send_stored_file(picture.thumbnail if thumbnail else picture.file, inline=True)


@bp.get("/lokaler/<int:premises_id>/kalender.ics")
@public
def premises_ics(premises_id: int):
    place = _published(premises_id)
    return Response(services.premises_feed(place), mimetype="text/calendar",
                    headers={"Cache-Control": "public, max-age=300"})


@bp.get("/kalender/<token>.ics")
@public
def personal_ics(token: str):
    """The secret personal feed; the token in the address is the only key."""
    if len(token) > 100:
        abort(404)
    body = services.personal_feed(token)
    if body is None:
        abort(404)
    db.session.commit()  # last_used_at
    return Response(body, mimetype="text/calendar",
                    headers={"Cache-Control": "private, no-store",
                             "Referrer-Policy": "no-referrer"})


@bp.route("/mina-bokningar/kalender", methods=["GET", "POST"])
@login_required
def feed():
    """Create (or replace) and revoke the personal feed; the address is shown once."""
    user = _user()
    form = EmptyForm()
    token = None
    if form.validate_on_submit():
        token = services.create_feed(user)
        db.session.commit()
    exists = db.session.scalar(select(CalendarFeed.id).where(CalendarFeed.user_id == user.id))
    address = (absolute_url("bookings.personal_ics", token=token) if token else None)
    return render_template("bookings/feed.html", address=address, exists=exists is not None)


@bp.post("/mina-bokningar/kalender/ta-bort")
@login_required
def feed_revoke():
    form = EmptyForm()
    if form.validate_on_submit() and services.revoke_feed(_user()):
        db.session.commit()
        flash(_("Kalenderadressen är borttagen och slutar fungera nu."), "success")
    return redirect(url_for(".feed"))


# --- the booker's pages ---------------------------------------------------------------------

@bp.get("/mina-bokningar")
@login_required
def mine():
    rows = db.session.scalars(queries.series_for_booker(_user())).all()
    return render_template("bookings/mine.html", rows=rows, now=utcnow())


def _load_series(series_id: int) -> BookingSeries:
    series = db.session.scalar(queries.series_with_details(series_id))
    if series is None:
        abort(404)
    require(check("bookings.view_series", _user(), series))
    return series


@bp.get("/bokningar/<int:series_id>")
@object_rule("bookings.view_series: the booker side or a bookings officer")
def series(series_id: int):
    booking = _load_series(series_id)
    user, now = _user(), utcnow()
    case = booking.case
    actions = case.available_actions(user) if case is not None else []
    return render_template(
        "bookings/series.html", series=booking, case=case, now=now,
        is_booker=is_booker_side(user, booking),
        officer_actions=[t for t in actions if t.action in OFFICER_ACTIONS],
        booker_actions=[t for t in actions if t.action in BOOKER_ACTIONS],
        deadlines={o.id: cancellation_deadline(booking.premises, o.starts_at)
                   for o in booking.occurrences},
        cancel_form=CancelForm(formdata=None), officer_form=OfficerCancelForm(formdata=None),
        history=case.history if case is not None else [],
        continued_in=db.session.scalars(queries.continuations(booking.id)).all())


@bp.get("/bokningar/<int:series_id>/kalender.ics")
@object_rule("bookings.view_series: the booker side or a bookings officer")
def series_ics(series_id: int):
    booking = _load_series(series_id)
    return Response(services.calendar_for(booking), mimetype="text/calendar",
                    headers={"Content-Disposition":
                             f'attachment; filename="bokning-{booking.reference}.ics"'})


@bp.post("/bokningar/<int:series_id>/arende/<action>")
@object_rule("the transition's permission, checked by workflow.apply")
def case_action(series_id: int, action: str):
    booking = _load_series(series_id)
    form = CaseActionForm()
    if form.validate_on_submit():
        try:
            services.decide(booking, action, _user(), form.note.data)
        except (WorkflowError, services.BookingError) as error:
            db.session.rollback()
            flash(str(error.message), "error")
        else:
            db.session.commit()
            services.after_decision(booking, _user())
            flash(_("Klart. Den som har bokat har fått besked via e-post."), "success")
    else:
        flash(" ".join(str(e) for e in form.note.errors), "error")
    return redirect(url_for(".series", series_id=series_id))


def _occurrence(occurrence_id: int) -> BookingOccurrence:
    occurrence = db.get_or_404(BookingOccurrence, occurrence_id)
    return occurrence


@bp.post("/bokningar/tillfallen/<int:occurrence_id>/avboka")
@object_rule("bookings.cancel: the booker side, before the cancellation deadline")
def cancel(occurrence_id: int):
    occurrence = _occurrence(occurrence_id)
    require(check("bookings.cancel", _user(), occurrence))
    form = CancelForm()
    if form.validate_on_submit():
        return _cancel([occurrence], form.reason.data, as_officer=False)
    flash(" ".join(str(e) for e in form.reason.errors), "error")
    return redirect(url_for(".series", series_id=occurrence.series_id))


@bp.post("/bokningar/<int:series_id>/avboka")
@object_rule("bookings.cancel: the booker side, before the cancellation deadline")
def cancel_series(series_id: int):
    booking = _load_series(series_id)
    user = _user()
    if not is_booker_side(user, booking):
        abort(403)
    remaining = [o for o in booking.occurrences if check("bookings.cancel", user, o)]
    if not remaining:
        flash(_("Det finns inga tider kvar som du kan avboka här."), "error")
        return redirect(url_for(".series", series_id=series_id))
    form = CancelForm()
    if form.validate_on_submit():
        return _cancel(remaining, form.reason.data, as_officer=False)
    flash(" ".join(str(e) for e in form.reason.errors), "error")
    return redirect(url_for(".series", series_id=series_id))


@bp.route("/bokningar/tillfallen/<int:occurrence_id>/andra", methods=["GET", "POST"])
@object_rule("bookings.reschedule: the booker side before the deadline, or a bookings officer")
def reschedule(occurrence_id: int):
    occurrence = _occurrence(occurrence_id)
    user = _user()
    require(check("bookings.reschedule", user, occurrence))
    series_ = occurrence.series
    form = RescheduleForm(premises_choices=[(str(i), name) for i, name in db.session.execute(
        queries.bookable_premises_names(series_.premises_id))])
    if series_.recurrence == Recurrence.SINGLE:
        form.scope.choices = form.scope.choices[:1]
    if request.method == "GET":
        local = to_local(occurrence.starts_at)
        form.day.data = local.date()
        form.start.data = local.strftime("%H:%M")
        form.end.data = to_local(occurrence.ends_at).strftime("%H:%M")
        form.premises.data = str(series_.premises_id)
    elif form.validate_on_submit():
        if form.scope.data == services.FOLLOWING:
            return _split(occurrence, form)
        try:
            services.reschedule(occurrence, user, day=form.day.data,
                                start_minute=clock_minutes(form.start),
                                end_minute=clock_minutes(form.end, end=True),
                                scope=form.scope.data,
                                as_officer=not is_booker_side(user, series_))
        except services.BookingError as error:
            db.session.rollback()
            _attach(form, error.problems)
        else:
            db.session.commit()
            flash(_("Bokningen är ändrad. Den nya tiden har skickats till e-posten."),
                  "success")
            return redirect(url_for(".series", series_id=series_.id))
    return render_template("bookings/reschedule.html", form=form, occurrence=occurrence,
                           series=series_)


def _split(occurrence: BookingOccurrence, form: RescheduleForm):
    """"This and following": the change is shown first (every date, its new time and what
    stands in the way, the new premises' terms); saved only when confirmed from there."""
    user, series_ = _user(), occurrence.series
    place = availability.load_premises(form.premises_id or series_.premises_id,
                                       published_only=False)
    if place is None or (place.id != series_.premises_id and not place.is_published):
        abort(404)
    options = {"start_minute": clock_minutes(form.start),
               "end_minute": clock_minutes(form.end, end=True), "premises": place,
               "as_officer": not is_booker_side(user, series_)}
    try:
        plan = services.plan_split(occurrence, user, **options)
    except services.BookingError as error:
        _attach(form, error.problems)
        plan = None
    if plan is None or plan.problems:
        _attach(form, plan.problems if plan else [])
        return render_template("bookings/reschedule.html", form=form, occurrence=occurrence,
                               series=series_), 400
    if form.confirmed.data:
        try:
            target = services.split_series(
                occurrence, user, skip_conflicts=form.skip_conflicts.data,
                expected_conflicts=frozenset(parse_dates(form.expected_conflicts.data)[0]),
                accepted_terms=form.terms_checksum.data if form.accept_terms.data else None,
                **options)
        except services.BookingError as error:
            db.session.rollback()
            plan = services.plan_split(occurrence, user, **options)
            _attach(form, error.problems)
        else:
            db.session.commit()
            flash(_("Bokningen är ändrad från och med %(date)s. De nya tiderna har skickats "
                    "till e-posten.", date=to_local(occurrence.starts_at).date().isoformat()),
                  "success")
            return redirect(url_for(".series", series_id=target.id))
    form.expected_conflicts.data = " ".join(m.day.isoformat() for m in plan.conflicts)
    form.expected_conflicts.raw_data = None
    return render_template("bookings/reschedule_preview.html", form=form, plan=plan,
                           occurrence=occurrence, series=series_,
                           needs_terms=plan.changes_premises and not options["as_officer"],
                           checksum=services.terms_checksum(place.terms)), \
        409 if form.errors or form.form_errors else 200


@bp.post("/lokalbokning/tillfallen/<int:occurrence_id>/avboka")
@role_required("officer")
def officer_cancel(occurrence_id: int):
    occurrence = _occurrence(occurrence_id)
    require(check("bookings.cancel_as_officer", _user(), occurrence))
    form = OfficerCancelForm()
    if form.validate_on_submit():
        return _cancel([occurrence], form.reason.data, as_officer=True)
    flash(" ".join(str(e) for e in form.reason.errors), "error")
    return redirect(url_for(".series", series_id=occurrence.series_id))


def _cancel(occurrences: list[BookingOccurrence], reason: str | None, *, as_officer: bool):
    series_id = occurrences[0].series_id
    try:
        services.cancel(occurrences, _user(), reason, as_officer=as_officer)
    except (services.BookingError, WorkflowError) as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        if as_officer:
            services.after_decision(occurrences[0].series, _user())
        flash(_("Tiden är avbokad.") if len(occurrences) == 1
              else _("%(count)d tider är avbokade.", count=len(occurrences)), "success")
    return redirect(url_for(".series", series_id=series_id))


# --- the bookings officer -------------------------------------------------------------------

@bp.get("/lokalbokning")
@role_required("officer")
def queue():
    require(check("bookings.view_queue", _user()))
    rows = db.session.execute(queries.queue()).all()
    return render_template("bookings/queue.html", rows=rows)


# --- administration -------------------------------------------------------------------------

def _admin_premises(premises_id: int) -> Premises:
    place = availability.load_premises(premises_id, published_only=False)
    if place is None:
        abort(404)
    return place


def _part_of(place: Premises, model, row_id: int):
    """A photo or blackout of ``place`` by id; 404 for another premises' row (URL tampering)."""
    return db.first_or_404(select(model).where(model.id == row_id,
                                               model.premises_id == place.id))


@bp.get("/admin/lokaler")
@role_required("admin")
def admin_list():
    return render_template("bookings/admin_list.html",
                           rows=db.session.scalars(queries.catalogue()).all())


@bp.route("/admin/lokaler/ny", methods=["GET", "POST"])
@role_required("admin")
def admin_new():
    form = PremisesForm()
    if request.method == "GET":
        form.fill(Premises(premises_type="meeting_room", city="Västerås", capacity=None,
                           min_minutes=60, max_minutes=240, slot_minutes=30,
                           max_days_ahead=180, cancel_hours_before=48, peak_start_minute=17 * 60,
                           peak_end_minute=22 * 60, is_weekend_peak=True,
                           is_closed_on_holidays=True, bookable_by_associations=True,
                           bookable_by_residents=False, is_published=False,
                           requires_approval=False))
    elif form.validate_on_submit():
        place = services.save_premises(None, form.to_data(), form.equipment.data, _user())
        db.session.commit()
        flash(_("Lokalen är skapad. Fyll i öppettider och taxor innan den visas."), "success")
        return redirect(url_for(".admin_hours", premises_id=place.id))
    return render_template("bookings/admin_form.html", form=form, premises=None)


@bp.route("/admin/lokaler/<int:premises_id>", methods=["GET", "POST"])
@role_required("admin")
def admin_edit(premises_id: int):
    place = _admin_premises(premises_id)
    form = PremisesForm()
    if request.method == "GET":
        form.fill(place)
    elif form.validate_on_submit():
        services.save_premises(place, form.to_data(), form.equipment.data, _user())
        db.session.commit()
        flash(_("Lokalen är sparad."), "success")
        return redirect(url_for(".admin_edit", premises_id=place.id))
    return render_template("bookings/admin_form.html", form=form, premises=place)


@bp.route("/admin/lokaler/<int:premises_id>/oppettider", methods=["GET", "POST"])
@role_required("admin")
def admin_hours(premises_id: int):
    place = _admin_premises(premises_id)
    form = OpeningHoursForm()
    if request.method == "GET":
        form.fill(place)
    elif form.validate_on_submit():
        services.save_opening_hours(place, form.hours(), _user())
        db.session.commit()
        flash(_("Öppettiderna är sparade."), "success")
        return redirect(url_for(".admin_hours", premises_id=place.id))
    return render_template("bookings/admin_hours.html", form=form, premises=place)


@bp.route("/admin/lokaler/<int:premises_id>/avstangningar", methods=["GET", "POST"])
@role_required("admin")
def admin_blackouts(premises_id: int):
    """Add a blackout. Booked times in it are listed first; the administrator chooses to
    cancel them (the bookers are told) or keep them, for exactly the times listed."""
    place = _admin_premises(premises_id)
    form = BlackoutForm()
    if not form.validate_on_submit():
        return render_template("bookings/admin_blackouts.html", form=form, premises=place,
                               today=today_local()), 400 if request.method == "POST" else 200
    affected = services.blackout_affected(place, form.starts_on.data, form.ends_on.data)
    shown = frozenset(o.id for o in affected)
    if affected and (not form.bookings.data or form.expected_ids != shown):
        if form.bookings.data:
            form.form_errors.append(_("De bokade tiderna under avstängningen har ändrats sedan "
                                      "du såg listan. Kontrollera listan igen och välj."))
        elif form.expected.data:
            form.bookings.errors = [*form.bookings.errors, _(
                "Välj om de bokade tiderna ska avbokas eller finnas kvar.")]
        form.expected.data = " ".join(str(i) for i in sorted(shown))
        form.expected.raw_data = None
        status = 409 if form.bookings.data else (400 if form.bookings.errors else 200)
        return render_template("bookings/admin_blackout_confirm.html", form=form,
                               premises=place, affected=affected), status
    cancel = form.bookings.data == CANCEL_BOOKINGS and bool(affected)
    try:
        result = services.add_blackout(place, form.starts_on.data, form.ends_on.data,
                                       form.reason.data, _user(),
                                       cancel_ids=shown if cancel else None)
    except services.BlackoutChanged as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".admin_blackouts", premises_id=premises_id))
    db.session.commit()
    for booking in result.decided_series:
        services.after_decision(booking, _user())
    flash(_("Avstängningen är sparad."), "success")
    if result.cancelled:
        flash(ngettext("%(num)d bokad tid är avbokad och de som hade bokat har fått e-post.",
                       "%(num)d bokade tider är avbokade och de som hade bokat har fått e-post.",
                       len(result.cancelled)), "success")
    elif result.kept:
        flash(ngettext("%(num)d bokad tid under avstängningen finns kvar.",
                       "%(num)d bokade tider under avstängningen finns kvar.",
                       len(result.kept)), "success")
    return redirect(url_for(".admin_blackouts", premises_id=place.id))


@bp.post("/admin/lokaler/<int:premises_id>/avstangningar/<int:blackout_id>/ta-bort")
@role_required("admin")
def admin_blackout_remove(premises_id: int, blackout_id: int):
    place = _admin_premises(premises_id)
    blackout = _part_of(place, Blackout, blackout_id)
    services.remove_blackout(place, blackout, _user())
    db.session.commit()
    flash(_("Avstängningen är borttagen."), "success")
    return redirect(url_for(".admin_blackouts", premises_id=place.id))


@bp.route("/admin/lokaler/<int:premises_id>/bilder", methods=["GET", "POST"])
@role_required("admin")
def admin_photos(premises_id: int):
    place = _admin_premises(premises_id)
    form = PhotoForm()
    if form.validate_on_submit():
        try:
            photos.add_photo(place, form.photo.data, form.alt_text.data, _user())
        except UploadError as error:
            db.session.rollback()
            form.photo.errors = [*form.photo.errors, str(error)]
        else:
            db.session.commit()
            flash(_("Bilden är uppladdad."), "success")
            return redirect(url_for(".admin_photos", premises_id=place.id))
    status = 400 if request.method == "POST" else 200
    return render_template("bookings/admin_photos.html", form=form, premises=place), status


@bp.post("/admin/lokaler/<int:premises_id>/bilder/<int:photo_id>/ta-bort")
@role_required("admin")
def admin_photo_remove(premises_id: int, photo_id: int):
    place = _admin_premises(premises_id)
    picture = _part_of(place, PremisesPhoto, photo_id)
    photos.remove_photo(place, picture, _user())
    db.session.commit()
    flash(_("Bilden är borttagen."), "success")
    return redirect(url_for(".admin_photos", premises_id=place.id))


@bp.route("/admin/lokaler/<int:premises_id>/taxor", methods=["GET", "POST"])
@role_required("admin")
def admin_tariffs(premises_id: int):
    place = _admin_premises(premises_id)
    form = TariffForm()
    if request.method == "GET":
        form.fill(place)
    elif form.validate_on_submit():
        services.save_tariffs(place, form.rates(), _user())
        db.session.commit()
        flash(_("Taxorna är sparade."), "success")
        return redirect(url_for(".admin_tariffs", premises_id=place.id))
    return render_template("bookings/admin_tariffs.html", form=form, premises=place,
                           booker_types=list(BookerType))



# --- reports for staff ----------------------------------------------------------------------

def _report_month():
    require(check("bookings.view_reports", _user()))
    return reports.parse_month(request.args.get("manad"), today_local())


@bp.get("/lokalbokning/fakturaunderlag")
@role_required("officer", "admin")
def invoicing():
    first = _report_month()
    return render_template("bookings/invoicing.html", first=first,
                           bookers=reports.invoicing_basis(first),
                           month=reports.month_key(first),
                           previous=reports.month_key(reports.previous_month(first)),
                           following=reports.month_key(reports.next_month(first)))


def _invoice_bookers(first: date) -> tuple[list[reports.BookerLines], str]:
    """The month's bookers, or only the one named by ``?bokare=`` (404 if it has none)."""
    bookers = reports.invoicing_basis(first)
    key = request.args.get("bokare")
    if not key:
        return bookers, ""
    bookers = [b for b in bookers if b.key == key]
    if not bookers:
        abort(404)
    return bookers, "-" + key


@bp.get("/lokalbokning/fakturaunderlag.csv")
@role_required("officer", "admin")
def invoicing_csv():
    first = _report_month()
    bookers, suffix = _invoice_bookers(first)
    body = reports.invoicing_csv(bookers)
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition":
            f'attachment; filename="fakturaunderlag-{reports.month_key(first)}{suffix}.csv"',
        "Cache-Control": "private, no-store"})


@bp.get("/lokalbokning/fakturaunderlag.xlsx")
@role_required("officer", "admin")
def invoicing_xlsx():
    first = _report_month()
    bookers, suffix = _invoice_bookers(first)
    body = reports.invoicing_xlsx(bookers, first)
    return Response(body, mimetype="application/vnd.openxmlformats-officedocument."
                                   "spreadsheetml.sheet", headers={
        "Content-Disposition":
            f'attachment; filename="fakturaunderlag-{reports.month_key(first)}{suffix}.xlsx"',
        "Cache-Control": "private, no-store"})


@bp.get("/lokalbokning/belaggning")
@role_required("officer", "admin")
def utilisation():
    """Per month (``?manad=2026-03``, the default) or per ISO week (``?vecka=2026-W13``)."""
    require(check("bookings.view_reports", _user()))
    today = today_local()
    if request.args.get("vecka") is not None:
        year, week = availability.parse_week(request.args.get("vecka"), today)
        days = stockholm_week(year, week)
        period = {"kind": "week", "key": f"{year}-W{week:02d}",
                  "previous": availability.week_key(days[0] - timedelta(days=7)),
                  "following": availability.week_key(days[0] + timedelta(days=7)),
                  "other": reports.month_key(days[0])}
        first, last = days[0], days[-1]
    else:
        first = reports.parse_month(request.args.get("manad"), today)
        last = reports.next_month(first) - timedelta(days=1)
        period = {"kind": "month", "key": reports.month_key(first),
                  "previous": reports.month_key(reports.previous_month(first)),
                  "following": reports.month_key(reports.next_month(first)),
                  "other": availability.week_key(first)}
    return render_template("bookings/utilisation.html", period=period,
                           report=reports.utilisation(first, last),
                           format_hours=reports.format_hours)


@bp.get("/lokalbokning/likabehandling.csv")
@role_required("officer", "admin")
def equal_treatment_csv():
    """Data for the equal-treatment report: one row per association's booking request with
    time in the year (``?ar=2026``, default this year)."""
    require(check("bookings.view_reports", _user()))
    year = request.args.get("ar", type=int)
    if year is None or not 2000 <= year <= 2100:
        year = today_local().year
    body = reports.equal_treatment_csv(
        reports.equal_treatment(date(year, 1, 1), date(year, 12, 31)))
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="likabehandling-lokaler-{year}.csv"',
        "Cache-Control": "private, no-store"})
