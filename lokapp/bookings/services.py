"""Booking use cases: plan, book, decide, cancel; and the catalogue's administration.

Services flush, never commit; mail goes through the outbox in the same transaction.

Booking is two steps, as the booker sees it:

1. :func:`plan_booking` – what would happen: every date of the request with its interval, its
   price and its problems (closed, booked, too far ahead …), and the problems of the request
   as a whole (times, booker, capacity, quota). Reads only.
2. :func:`create_booking` – plans again inside the writing transaction and books the dates
   that are free (skipping the conflicts the booker agreed to skip), or refuses with the
   problems. The overlap check and the insert happen in one transaction: on SQLite it began
   with ``BEGIN IMMEDIATE`` so no other writer can interleave; on PostgreSQL the exclusion
   constraint refuses a concurrent overlapping insert, which is turned into the same
   "Tiden är redan bokad" message (:class:`BookingConflict`).
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lokapp.associations.models import Association
from lokapp.auth.models import User
from lokapp.bookings import ical
from lokapp.bookings.models import (
    ACTIVE_STATES,
    MAX_OCCURRENCE_LENGTH,
    MINUTES_PER_DAY,
    Blackout,
    BookerType,
    BookingOccurrence,
    BookingSeries,
    CalendarFeed,
    OccurrenceState,
    OpeningHours,
    Premises,
    PremisesEquipment,
    Recurrence,
    Tariff,
)
from lokapp.bookings.permissions import can_cancel, can_cancel_as_officer, manages_association
from lokapp.bookings.pricing import Price, format_sek, price
from lokapp.bookings.rules import (
    Calendar,
    Problem,
    at,
    day_label,
    format_clock,
    interval,
    shape_problems,
)
from lokapp.bookings.workflow import BOOKING, BookingCaseState
from lokapp.core import audit
from lokapp.core.cases import open_case, submit
from lokapp.core.mail import queue_mail
from lokapp.core.time import format_local, to_local, utcnow
from lokapp.core.workflow import apply
from lokapp.extensions import db

MAX_OCCURRENCES = 60
NO_OVERLAP_CONSTRAINT = "ex_booking_occurrences_no_overlap"
EXCLUSION_VIOLATION = "23P01"


class BookingError(Exception):
    """A refused booking action; ``problems`` carry the Swedish messages."""

    def __init__(self, problems: list[Problem] | str):
        if isinstance(problems, str):
            problems = [Problem("refused", problems)]
        self.problems = problems
        super().__init__(" ".join(p.message for p in problems))

    @property
    def message(self) -> str:
        return str(self)


class BookingConflict(BookingError):
    """Someone else holds (part of) the time – found by the check or by the database."""


def already_booked_message() -> str:
    return _("Tiden är redan bokad. Någon annan hann boka den före dig – välj en annan tid.")


def terms_checksum(text: str) -> str:
    return hashlib.sha256((text or "").encode("utf-8")).hexdigest()


# --- the request ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Booker:
    """Who books: a person, for themselves or for an association, and the tariff it gives."""

    user: User
    booker_type: BookerType
    association: Association | None = None

    @property
    def is_association(self) -> bool:
        return self.booker_type in (BookerType.ASSOCIATION, BookerType.YOUTH)

    @property
    def name(self) -> str:
        return self.association.name if self.association is not None else self.user.name


@dataclass(frozen=True)
class BookingRequest:
    booker: Booker
    activity: str
    attendees: int | None
    first_date: date
    start_minute: int
    end_minute: int
    recurrence: Recurrence = Recurrence.SINGLE
    until: date | None = None
    dates: tuple[date, ...] = ()

    def planned_dates(self) -> list[date]:
        if self.recurrence == Recurrence.SINGLE:
            return [self.first_date]
        if self.recurrence == Recurrence.DATES:
            return sorted(set(self.dates) | {self.first_date})
        step = timedelta(weeks=1 if self.recurrence == Recurrence.WEEKLY else 2)
        days, day = [], self.first_date
        while day <= (self.until or self.first_date) and len(days) <= MAX_OCCURRENCES:
            days.append(day)
            day += step
        return days


@dataclass
class PlannedDate:
    day: date
    starts_at: datetime | None
    ends_at: datetime | None
    problems: list[Problem] = field(default_factory=list)
    price: Price | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def label(self) -> str:
        return day_label(self.day)


@dataclass
class Plan:
    premises: Premises
    request: BookingRequest
    problems: list[Problem] = field(default_factory=list)
    dates: list[PlannedDate] = field(default_factory=list)
    tariff: Tariff | None = None

    @property
    def bookable(self) -> list[PlannedDate]:
        return [d for d in self.dates if d.ok]

    @property
    def conflicts(self) -> list[PlannedDate]:
        return [d for d in self.dates if not d.ok]

    @property
    def total_ore(self) -> int:
        return sum(d.price.total_ore for d in self.bookable if d.price)

    @property
    def total(self) -> str:
        return format_sek(self.total_ore)

    @property
    def is_series(self) -> bool:
        return self.request.recurrence != Recurrence.SINGLE

    @property
    def needs_approval(self) -> bool:
        return self.premises.requires_approval


# --- planning -------------------------------------------------------------------------------

def booker_problems(premises: Premises, booker: Booker) -> list[Problem]:
    """Whether this booker may book this premises with this tariff."""
    if booker.is_association:
        if not premises.bookable_by_associations:
            return [Problem("booker", _("Lokalen kan inte bokas av föreningar."), "booker")]
        if booker.association is None or not manages_association(booker.user,
                                                                 booker.association.id):
            return [Problem("booker", _(
                "Du kan bara boka för föreningar där du är bokningsansvarig eller "
                "administratör och som är registrerade."), "booker")]
        if booker.booker_type == BookerType.YOUTH:
            from lokapp.associations.status import compute_status

            if not compute_status(booker.association).is_eligible:
                return [Problem("youth", _(
                    "Taxan för barn- och ungdomsverksamhet gäller bara föreningar som är "
                    "bidragsberättigade. Boka utan den eller se vad som saknas på "
                    "föreningens sida."), "is_youth")]
        return []
    if not premises.bookable_by_residents:
        return [Problem("booker", _("Lokalen kan bara bokas av föreningar."), "booker")]
    return []


def active_overlapping(premises_id: int, starts_at: datetime, ends_at: datetime,
                       exclude_ids: tuple[int, ...] = ()):
    """``select(BookingOccurrence)``: active occurrences of the premises overlapping
    ``[starts_at, ends_at)`` (half-open: back-to-back bookings do not overlap)."""
    query = select(BookingOccurrence).where(
        BookingOccurrence.premises_id == premises_id,
        BookingOccurrence.state.in_(ACTIVE_STATES),
        BookingOccurrence.starts_at < ends_at,
        BookingOccurrence.ends_at > starts_at,
        BookingOccurrence.starts_at > starts_at - MAX_OCCURRENCE_LENGTH)
    if exclude_ids:
        query = query.where(BookingOccurrence.id.not_in(exclude_ids))
    return query


def _booked_problem(day: date, start_minute: int, end_minute: int) -> Problem:
    return Problem("booked", _(
        "Tiden är redan bokad %(date)s %(start)s–%(end)s. Välj en annan tid.",
        date=day_label(day), start=format_clock(start_minute), end=format_clock(end_minute)),
        "day")


def active_count(premises: Premises, booker: Booker, now: datetime) -> int:
    """The booker's active occurrences of ``premises`` that have not ended yet."""
    query = (select(func.count(BookingOccurrence.id))
             .join(BookingSeries, BookingSeries.id == BookingOccurrence.series_id)
             .where(BookingOccurrence.premises_id == premises.id,
                    BookingOccurrence.state.in_(ACTIVE_STATES),
                    BookingOccurrence.ends_at > now,
                    BookingOccurrence.starts_at > now - MAX_OCCURRENCE_LENGTH))
    if booker.is_association:
        query = query.where(BookingSeries.association_id == booker.association.id)
    else:
        query = query.where(BookingSeries.booked_by_id == booker.user.id,
                            BookingSeries.association_id.is_(None))
    return db.session.scalar(query) or 0


def plan_booking(premises: Premises, request: BookingRequest, *, now: datetime | None = None,
                 exclude_ids: tuple[int, ...] = ()) -> Plan:
    """Every date of the request with its interval, price and problems. Reads only."""
    now = now or utcnow()
    plan = Plan(premises, request)
    plan.problems += booker_problems(premises, request.booker)
    if request.attendees is not None and request.attendees > premises.capacity:
        plan.problems.append(Problem("capacity", _(
            "Lokalen tar högst %(capacity)d personer. Välj en större lokal eller färre "
            "deltagare.", capacity=premises.capacity), "attendees"))
    shape = shape_problems(premises, request.start_minute, request.end_minute)
    plan.problems += shape
    days = request.planned_dates()
    if request.recurrence in (Recurrence.WEEKLY, Recurrence.BIWEEKLY) and (
            request.until is None or request.until < request.first_date):
        plan.problems.append(Problem("until", _(
            "Välj ett slutdatum för serien som är samma dag som det första tillfället eller "
            "senare."), "until"))
    if len(days) > MAX_OCCURRENCES:
        plan.problems.append(Problem("too_many", _(
            "En serie får ha högst %(max)d tillfällen. Dela upp den eller välj ett tidigare "
            "slutdatum.", max=MAX_OCCURRENCES), "until"))
    if shape or len(days) > MAX_OCCURRENCES:
        return plan

    plan.tariff = premises.tariff_for(request.booker.booker_type)
    calendar = Calendar(premises)
    for day in days:
        problems = calendar.date_problems(day, request.start_minute, request.end_minute, now=now)
        starts_at, ends_at = interval(day, request.start_minute, request.end_minute)
        plan.dates.append(PlannedDate(day, starts_at, ends_at, problems,
                                      price(premises, plan.tariff, starts_at, ends_at)))

    # One query for every overlap: the active occurrences between the first and last date.
    candidates = [d for d in plan.dates if d.ok]
    if candidates:
        taken = db.session.execute(
            active_overlapping(premises.id, candidates[0].starts_at, candidates[-1].ends_at,
                               exclude_ids).with_only_columns(BookingOccurrence.starts_at,
                                                              BookingOccurrence.ends_at)).all()
        for planned in candidates:
            if any(s < planned.ends_at and e > planned.starts_at for s, e in taken):
                planned.problems.append(_booked_problem(planned.day, request.start_minute,
                                                        request.end_minute))

    if premises.max_active_bookings and plan.bookable:
        held = active_count(premises, request.booker, now)
        if held + len(plan.bookable) > premises.max_active_bookings:
            if request.booker.is_association:
                message = _("Föreningen kan ha högst %(max)d aktiva bokningar av den här "
                            "lokalen samtidigt och har redan %(held)d. Avboka en tid eller boka "
                            "färre tillfällen.", max=premises.max_active_bookings, held=held)
            else:
                message = _("Du kan ha högst %(max)d aktiva bokningar av den här lokalen "
                            "samtidigt och har redan %(held)d. Avboka en tid eller boka färre "
                            "tillfällen.", max=premises.max_active_bookings, held=held)
            plan.problems.append(Problem("quota", message))
    return plan


# --- booking --------------------------------------------------------------------------------

def create_booking(premises: Premises, request: BookingRequest, *, accepted_terms: str,
                   skip_conflicts: bool = False, expected_conflicts: frozenset[date] = frozenset(),
                   now: datetime | None = None) -> BookingSeries:
    """Book the request's free dates; see the module docstring. Flushes, never commits.

    ``accepted_terms`` is the checksum of the terms the booker saw and accepted; if they have
    changed since, nothing is booked. With ``skip_conflicts`` the dates that cannot be booked
    are left out – but only those the booker was shown (``expected_conflicts``): a date that
    became unavailable since the preview refuses the booking, so the booker sees it first.
    """
    now = now or utcnow()
    lock_premises(premises)
    if accepted_terms != terms_checksum(premises.terms):
        raise BookingError(_("Villkoren för lokalen har ändrats sedan du läste dem. Läs dem "
                             "igen och godkänn dem på nytt."))
    plan = plan_booking(premises, request, now=now)
    if plan.problems:
        raise BookingError(plan.problems)
    conflicts = plan.conflicts
    if conflicts and (not skip_conflicts or not plan.is_series
                      or {c.day for c in conflicts} - set(expected_conflicts)):
        problems = [p for c in conflicts for p in c.problems]
        if all(p.code == "booked" for p in problems):
            raise BookingConflict(problems)
        raise BookingError(problems)
    if not plan.bookable:
        raise BookingError(_("Det finns inget datum kvar att boka."))

    booker = request.booker
    state = OccurrenceState.REQUESTED if plan.needs_approval else OccurrenceState.CONFIRMED
    series = BookingSeries(
        premises=premises, booked_by=booker.user, association=booker.association,
        booker_type=booker.booker_type, activity=request.activity, attendees=request.attendees,
        recurrence=request.recurrence, first_date=plan.bookable[0].day,
        last_date=plan.bookable[-1].day, start_minute=request.start_minute,
        end_minute=request.end_minute, terms_accepted_at=now, terms_checksum=accepted_terms,
        created_at=now, updated_at=now)
    for planned in plan.bookable:
        series.occurrences.append(BookingOccurrence(
            premises_id=premises.id, starts_at=planned.starts_at, ends_at=planned.ends_at,
            state=state, price_ore=planned.price.total_ore,
            peak_minutes=planned.price.peak_minutes, created_at=now, updated_at=now))
    _in_savepoint(lambda: db.session.add(series))

    if plan.needs_approval:
        case = open_case(BOOKING, subject=_subject(series), applicant=booker.user,
                         association_id=booker.association.id if booker.association else None)
        series.case = case
        db.session.flush()
        submit(case, booker.user)
    audit.record("booking.create", series, actor=booker.user, premises_id=premises.id,
                 booker_type=str(booker.booker_type), association_id=series.association_id,
                 occurrences=len(series.occurrences), state=str(state),
                 skipped=[c.day.isoformat() for c in conflicts],
                 terms_checksum=accepted_terms, terms_accepted_at=now.isoformat(),
                 total_ore=plan.total_ore)
    db.session.flush()
    if plan.needs_approval:
        _mail(series, "mail/booking_received",
              _("Vi har tagit emot din bokningsförfrågan %(number)s", number=series.case.number))
    else:
        _mail(series, "mail/booking_confirmed",
              _("Bokningen är klar: %(premises)s", premises=premises.name), with_ics=True)
    return series


def _record_cancellation(case: Any, user: Any, reason: str | None, now: datetime) -> None:
    """The city's cancellation of approved times is a decision of its own: a history row
    ``approved --cancel--> approved`` with the reasons (the case stays approved, its
    ``decided_at`` too). Its letter lists the occurrences cancelled at ``now``
    (:mod:`lokapp.bookings.letters`)."""
    from lokapp.bookings.letters import CANCEL_ACTION
    from lokapp.core.cases import CaseHistory

    db.session.add(CaseHistory(case=case, occurred_at=now, actor_id=getattr(user, "id", None),
                               from_state=case.state, to_state=case.state,
                               action=CANCEL_ACTION, note=reason))


def _end_emptied_request(series: BookingSeries, user: Any, reason: str | None,
                         now: datetime, *, by_city: bool) -> None:
    """A request still *submitted* whose every time is now cancelled has nothing left to
    decide. Cancelled by the booker side it is withdrawn; cancelled by the city (an officer,
    a blackout) it is closed as rejected with the cancellation's reason, so the booker gets
    a rejection letter (:func:`after_decision`). The history row carries the cancellation's
    time, by which the letter finds the times concerned."""
    case = series.case
    if (case is None or case.state != BookingCaseState.SUBMITTED
            or any(o.state == OccurrenceState.REQUESTED for o in series.occurrences)):
        return
    if not by_city:
        apply(case, "withdraw", user, note=_("Alla tider avbokades."))
        return
    history = apply(case, "close", user, note=reason)
    history.occurred_at = now
    db.session.flush()


def lock_premises(premises: Premises) -> None:
    """Take the premises' row lock (``FOR UPDATE``) before reading its blackouts and hours
    for a change. A blackout and a booking (or a moved time) are different rows, so the
    exclusion constraint cannot see one cross the other: on PostgreSQL a booking planned
    while an administrator confirms a blackout would otherwise land inside the blackout,
    neither cancelled nor shown. With the lock the second waits, then reads what the first
    committed (a new booking finds the premises closed; the blackout finds the new time and
    asks again). SQLite serialises writing transactions anyway (``BEGIN IMMEDIATE``)."""
    db.session.refresh(premises, attribute_names=["id"], with_for_update=True)
    db.session.expire(premises, ["blackouts", "opening_hours"])


def _in_savepoint(change) -> None:
    """Make ``change()`` and flush it in a savepoint; the exclusion constraint's refusal
    becomes :class:`BookingConflict` and leaves the surrounding transaction usable.

    The change must be made inside: ``begin_nested()`` flushes what is pending before the
    SAVEPOINT, where a refusal would break the whole transaction.
    """
    try:
        with db.session.begin_nested():
            change()
            db.session.flush()
    except IntegrityError as error:
        if not is_overlap_violation(error):
            raise
        raise BookingConflict(already_booked_message()) from error


def is_overlap_violation(error: IntegrityError) -> bool:
    """Whether PostgreSQL's exclusion constraint refused the row."""
    orig = getattr(error, "orig", None)
    return (getattr(orig, "sqlstate", None) == EXCLUSION_VIOLATION
            or NO_OVERLAP_CONSTRAINT in str(error))


def _subject(series: BookingSeries) -> str:
    when = (f"{series.first_date.isoformat()}" if series.first_date == series.last_date
            else f"{series.first_date.isoformat()}–{series.last_date.isoformat()}")
    who = series.association.name if series.association else series.booked_by.name
    return f"{series.premises.name}, {when}, {who}"[:300]


# --- the case: approve, reject, withdraw ----------------------------------------------------

def decide(series: BookingSeries, action: str, user: Any, note: str | None = None) -> None:
    """Apply a transition of the series' case and its effect on the occurrences."""
    if series.case is None:
        raise BookingError(_("Bokningen behöver inget beslut."))
    apply(series.case, action, user, note=note)
    now = utcnow()
    target = {BookingCaseState.APPROVED: OccurrenceState.CONFIRMED,
              BookingCaseState.REJECTED: OccurrenceState.REJECTED,
              BookingCaseState.WITHDRAWN: OccurrenceState.CANCELLED}.get(series.case.state)
    if target is None:
        return
    changed = []
    for occurrence in series.occurrences:
        if occurrence.state == OccurrenceState.REQUESTED:
            occurrence.state = target
            occurrence.updated_at = now
            if target == OccurrenceState.CANCELLED:
                occurrence.cancelled_at, occurrence.cancelled_by_id = now, user.id
                occurrence.cancel_reason = _("Förfrågan återkallades.")
            changed.append(occurrence.id)
    series.updated_at = now
    audit.record(f"booking.{action}", series, actor=user, occurrences=changed)
    db.session.flush()
    if target == OccurrenceState.CONFIRMED:
        _mail(series, "mail/booking_confirmed",
              _("Bokningen är godkänd: %(premises)s", premises=series.premises.name),
              with_ics=True)
    # A rejection's reasons reach the booker with the decision letter (after_decision).


def after_decision(series: BookingSeries, user: Any) -> None:
    """After the decision (an approval, a rejection, a cancellation by the city) is
    committed: its letter – PDF and e-mail through the letters module – in its own
    transaction, as for grants. A letter that fails is logged and does not undo the
    decision; the letters' batch issues a missing approval or rejection letter later."""
    import logging

    from lokapp.letters.services import issue_letter, kind_for_case

    case = series.decision_case
    kind = kind_for_case(case) if case is not None else None
    if kind is None:
        return
    try:
        issue_letter(case, kind, actor=user)
        db.session.commit()
    except Exception:  # noqa: BLE001 - the decision stands; the letter can be issued again
        db.session.rollback()
        logging.getLogger(__name__).exception(
            "Booking decision letter for series %s failed", series.id)


# --- cancelling -----------------------------------------------------------------------------

def cancel(occurrences: list[BookingOccurrence], user: Any, reason: str | None = None, *,
           as_officer: bool = False, now: datetime | None = None) -> list[BookingOccurrence]:
    """Cancel occurrences of one series: by the booker side within the deadline, or by a
    bookings officer at any time with a reason. All or nothing."""
    now = now or utcnow()
    if not occurrences:
        raise BookingError(_("Välj minst en tid att avboka."))
    series = occurrences[0].series
    reason = (reason or "").strip() or None
    if as_officer and not reason:
        raise BookingError([Problem("reason", _(
            "Skriv varför tiden avbokas. Det skickas till den som har bokat."), "reason")])
    for occurrence in occurrences:
        if occurrence.series_id != series.id:
            raise ValueError("cancel() takes occurrences of one series")
        decision = (can_cancel_as_officer(user, occurrence) if as_officer
                    else can_cancel(user, occurrence, now))
        if not decision:
            raise BookingError(decision.reason)
    for occurrence in occurrences:
        occurrence.state = OccurrenceState.CANCELLED
        occurrence.cancelled_at, occurrence.cancelled_by_id = now, user.id
        occurrence.cancel_reason = reason
        occurrence.updated_at = now
    series.updated_at = now
    audit.record("booking.cancel", series, actor=user, as_officer=as_officer, reason=reason,
                 occurrences=[o.id for o in occurrences])
    decided = series.decision_case
    if as_officer and decided is not None and decided.state == BookingCaseState.APPROVED:
        _record_cancellation(decided, user, reason, now)
    db.session.flush()
    _end_emptied_request(series, user, reason, now, by_city=as_officer)
    _mail(series, "mail/booking_cancelled",
          _("Avbokat: %(premises)s", premises=series.premises.name),
          cancelled=[_occurrence_line(o) for o in occurrences], reason=reason,
          by_officer=as_officer, with_ics=True, ics_occurrences=occurrences)
    return occurrences


# --- exceptions: move one occurrence, change the time of the rest ---------------------------

THIS, FOLLOWING, ALL = "this", "following", "all"


def reschedule(occurrence: BookingOccurrence, user: Any, *, day: date, start_minute: int,
               end_minute: int, scope: str = THIS, as_officer: bool = False,
               now: datetime | None = None) -> list[BookingOccurrence]:
    """Move one occurrence (``this``: to another date and/or time), or change the time of
    every coming occurrence of the series (``all``), keeping their dates. All or nothing: if
    any of them cannot move, none does, and the problems name the dates. ``following`` (this
    and the following occurrences) splits the series: :func:`split_series`.

    The booker side may do this on premises without approval, for occurrences still before
    the cancellation deadline; a bookings officer may always (``as_officer``). A moved
    occurrence keeps its state and gets a new price; moved alone, it becomes an exception
    that later changes of the whole series leave alone.
    """
    now = now or utcnow()
    if scope == FOLLOWING:
        series = split_series(occurrence, user, start_minute=start_minute,
                              end_minute=end_minute, as_officer=as_officer, now=now)
        return [o for o in series.occurrences if o.is_active and o.starts_at > now]
    series, premises = occurrence.series, occurrence.premises
    lock_premises(premises)
    targets = _reschedule_targets(occurrence, scope, now)
    for target in targets:
        decision = (can_cancel_as_officer(user, target) if as_officer
                    else can_cancel(user, target, now))
        if not decision:
            raise BookingError(decision.reason)
    if not as_officer and premises.requires_approval:
        raise BookingError(_("Bokningar av den här lokalen godkänns av en handläggare. Avboka "
                             "och boka en ny tid, eller kontakta lokalbokningen."))
    problems = shape_problems(premises, start_minute, end_minute)
    if problems:
        raise BookingError(problems)
    calendar = Calendar(premises)
    tariff = premises.tariff_for(series.booker_type)
    own = tuple(t.id for t in targets)
    moves = []
    for target in targets:
        new_day = day if scope == THIS else to_local(target.starts_at).date()
        problems += calendar.date_problems(new_day, start_minute, end_minute, now=now)
        starts_at, ends_at = interval(new_day, start_minute, end_minute)
        if db.session.scalar(active_overlapping(premises.id, starts_at, ends_at, own)
                             .with_only_columns(BookingOccurrence.id).limit(1)) is not None:
            problems.append(_booked_problem(new_day, start_minute, end_minute))
        moves.append((target, starts_at, ends_at))
    if problems:
        if all(p.code == "booked" for p in problems):
            raise BookingConflict(problems)
        raise BookingError(problems)
    before = {t.id: [t.starts_at.isoformat(), t.ends_at.isoformat()] for t in targets}
    whole_pattern = scope == ALL

    def move() -> None:
        for target, starts_at, ends_at in moves:
            cost = price(premises, tariff, starts_at, ends_at)
            target.starts_at, target.ends_at = starts_at, ends_at
            target.price_ore, target.peak_minutes = cost.total_ore, cost.peak_minutes
            target.is_exception = scope == THIS
            target.updated_at = now
        if whole_pattern:
            series.start_minute, series.end_minute = start_minute, end_minute
        series.updated_at = now

    _in_savepoint(move)
    audit.record("booking.reschedule", series, actor=user, scope=scope, as_officer=as_officer,
                 before=before, after={t.id: [t.starts_at.isoformat(), t.ends_at.isoformat()]
                                       for t in targets})
    _mail(series, "mail/booking_changed",
          _("Ändrad bokning: %(premises)s", premises=premises.name),
          changed=[_occurrence_line(t) for t in targets], by_officer=as_officer,
          with_ics=True, ics_occurrences=targets)
    return targets


def _reschedule_targets(occurrence: BookingOccurrence, scope: str,
                        now: datetime) -> list[BookingOccurrence]:
    if scope == THIS:
        return [occurrence]
    if scope != ALL:
        raise ValueError(f"unknown scope {scope!r}")
    coming = [o for o in occurrence.series.occurrences
              if o.is_active and o.starts_at > now and (o is occurrence or not o.is_exception)]
    if not coming:
        raise BookingError(_("Det finns inga kommande tider att ändra."))
    return coming




# --- "this and following": split the series ------------------------------------------------

@dataclass
class PlannedMove(PlannedDate):
    """One occurrence of a split: where it goes (a planned date) and what stands in the way."""

    occurrence: BookingOccurrence = field(kw_only=True)


@dataclass
class SplitPlan:
    series: BookingSeries
    occurrence: BookingOccurrence
    premises: Premises
    start_minute: int
    end_minute: int
    problems: list[Problem] = field(default_factory=list)
    moves: list[PlannedMove] = field(default_factory=list)

    @property
    def conflicts(self) -> list[PlannedMove]:
        return [m for m in self.moves if not m.ok]

    @property
    def movable(self) -> list[PlannedMove]:
        return [m for m in self.moves if m.ok]

    @property
    def changes_premises(self) -> bool:
        return self.premises.id != self.series.premises_id


def plan_split(occurrence: BookingOccurrence, user: Any, *, start_minute: int, end_minute: int,
               premises: Premises | None = None, as_officer: bool = False,
               now: datetime | None = None) -> SplitPlan:
    """What "change this and the following times" would do: each coming active occurrence
    from ``occurrence`` on, on its own date at the new time (an occurrence moved on its own
    earlier keeps its time) in ``premises`` (default: the same), with its problems. Reads
    only; wall-clock times are built per date, so they survive the DST changes."""
    now = now or utcnow()
    series = occurrence.series
    premises = premises or series.premises
    plan = SplitPlan(series, occurrence, premises, start_minute, end_minute)
    coming = [o for o in series.occurrences
              if o.starts_at >= occurrence.starts_at and o.is_active and o.starts_at > now]
    if occurrence not in coming:
        raise BookingError(_("Den här tiden kan inte ändras längre."))
    for target in coming:
        decision = (can_cancel_as_officer(user, target) if as_officer
                    else can_cancel(user, target, now))
        if not decision:
            raise BookingError(decision.reason)
    if series.case is not None and series.case.state == BookingCaseState.SUBMITTED:
        plan.problems.append(Problem("undecided", _(
            "Förfrågan väntar på beslut. Besluta om den innan tiderna ändras.")))
    if not as_officer and (series.premises.requires_approval or premises.requires_approval):
        plan.problems.append(Problem("approval", _(
            "Bokningar av den här lokalen godkänns av en handläggare. Avboka och boka en ny "
            "tid, eller kontakta lokalbokningen."), "premises"))
    if plan.changes_premises:
        if not premises.is_published:
            plan.problems.append(Problem("premises", _("Lokalen går inte att boka just nu."),
                                         "premises"))
        association_booking = series.association_id is not None
        if association_booking and not premises.bookable_by_associations:
            plan.problems.append(Problem("premises", _(
                "Lokalen kan inte bokas av föreningar."), "premises"))
        if not association_booking and not premises.bookable_by_residents:
            plan.problems.append(Problem("premises", _(
                "Lokalen kan bara bokas av föreningar."), "premises"))
        if series.attendees and series.attendees > premises.capacity:
            plan.problems.append(Problem("capacity", _(
                "Lokalen tar högst %(capacity)d personer. Välj en större lokal.",
                capacity=premises.capacity), "premises"))
    shape = shape_problems(premises, start_minute, end_minute)
    plan.problems += shape
    if shape:
        return plan
    calendar = Calendar(premises)
    tariff = premises.tariff_for(series.booker_type)
    for target in coming:
        local_start, local_end = to_local(target.starts_at), to_local(target.ends_at)
        day = local_start.date()
        if target.is_exception and target is not occurrence:
            minutes = (local_start.hour * 60 + local_start.minute,
                       (local_end.hour * 60 + local_end.minute) or MINUTES_PER_DAY)
        else:
            minutes = (start_minute, end_minute)
        problems = calendar.date_problems(day, *minutes, now=now)
        starts_at, ends_at = interval(day, *minutes)
        plan.moves.append(PlannedMove(day, starts_at, ends_at, problems,
                                      price(premises, tariff, starts_at, ends_at),
                                      occurrence=target))
    candidates = [m for m in plan.moves if m.ok]
    if candidates:
        own = tuple(t.id for t in coming)
        taken = db.session.execute(
            active_overlapping(premises.id, candidates[0].starts_at, candidates[-1].ends_at,
                               own).with_only_columns(BookingOccurrence.starts_at,
                                                      BookingOccurrence.ends_at)).all()
        for move in candidates:
            if any(s < move.ends_at and e > move.starts_at for s, e in taken):
                local_start, local_end = to_local(move.starts_at), to_local(move.ends_at)
                move.problems.append(_booked_problem(
                    move.day, local_start.hour * 60 + local_start.minute,
                    (local_end.hour * 60 + local_end.minute) or MINUTES_PER_DAY))
    return plan


def split_series(occurrence: BookingOccurrence, user: Any, *, start_minute: int,
                 end_minute: int, premises: Premises | None = None, as_officer: bool = False,
                 skip_conflicts: bool = False,
                 expected_conflicts: frozenset[date] = frozenset(),
                 accepted_terms: str | None = None,
                 now: datetime | None = None) -> BookingSeries:
    """Change this and the following times: the series ends before ``occurrence`` and a new
    series – same booker, activity and terms, ``split_from`` the old one (and so linked to
    its case and reference) – holds the following times at the new time and premises. When
    nothing comes before ``occurrence`` the series itself changes. All or nothing.

    Dates that cannot move are refused unless ``skip_conflicts`` and they are exactly the
    ``expected_conflicts`` the booker was shown; a skipped date keeps its old time in the old
    series (as an exception). Cancelled or rejected times from ``occurrence`` on move to the
    new series unchanged, as its history. A new premises needs the booker side to accept its
    terms (``accepted_terms``, their checksum); an officer's change keeps the terms the
    booker accepted. Returns the series that now holds the times.
    """
    now = now or utcnow()
    lock_premises(premises or occurrence.premises)
    plan = plan_split(occurrence, user, start_minute=start_minute, end_minute=end_minute,
                      premises=premises, as_officer=as_officer, now=now)
    if plan.problems:
        raise BookingError(plan.problems)
    conflicts = plan.conflicts
    if conflicts and (not skip_conflicts
                      or {c.day for c in conflicts} != set(expected_conflicts)):
        problems = [p for c in conflicts for p in c.problems]
        if all(p.code == "booked" for p in problems):
            raise BookingConflict(problems)
        raise BookingError(problems)
    if not plan.movable:
        raise BookingError(_("Det finns inget datum kvar att ändra."))
    old, premises = plan.series, plan.premises
    terms_at, checksum = old.terms_accepted_at, old.terms_checksum
    if plan.changes_premises and not as_officer:
        if accepted_terms != terms_checksum(premises.terms):
            raise BookingError([Problem("terms", _(
                "Läs villkoren för den nya lokalen och godkänn dem."), "accept_terms")])
        terms_at, checksum = now, accepted_terms
    skipped = {c.occurrence.id for c in conflicts}
    earlier = [o for o in old.occurrences if o.starts_at < occurrence.starts_at]
    following = [o for o in old.occurrences if o.starts_at >= occurrence.starts_at
                 and o.id not in skipped]
    before = {o.id: [o.premises_id, o.starts_at.isoformat(), o.ends_at.isoformat()]
              for o in following}
    if earlier:
        target = BookingSeries(
            premises=premises, booked_by_id=old.booked_by_id,
            association_id=old.association_id, booker_type=old.booker_type,
            activity=old.activity, attendees=old.attendees, recurrence=old.recurrence,
            first_date=plan.movable[0].day, last_date=plan.movable[-1].day,
            start_minute=start_minute, end_minute=end_minute, terms_accepted_at=terms_at,
            terms_checksum=checksum, split_from_id=old.id, created_at=now, updated_at=now)
    else:
        target = old

    def move() -> None:
        if target is not old:
            db.session.add(target)
        for planned in plan.movable:
            o = planned.occurrence
            o.premises_id, o.starts_at, o.ends_at = premises.id, planned.starts_at, \
                planned.ends_at
            o.price_ore, o.peak_minutes = planned.price.total_ore, planned.price.peak_minutes
            o.updated_at = now
        for o in following:
            if target is not old:
                o.series = target
        for c in conflicts:
            c.occurrence.is_exception = True
        if target is old:
            old.premises = premises
            old.start_minute, old.end_minute = start_minute, end_minute
            old.terms_accepted_at, old.terms_checksum = terms_at, checksum
        for series in {old, target}:
            days = [to_local(o.starts_at).date() for o in series.occurrences]
            series.first_date, series.last_date = min(days), max(days)
        old.updated_at = now

    _in_savepoint(move)
    moved = [m.occurrence for m in plan.movable]
    audit.record("booking.split", target, actor=user, as_officer=as_officer,
                 split_from=old.id if target is not old else None, occurrence=occurrence.id,
                 premises_id=premises.id, before=before,
                 after={o.id: [o.premises_id, o.starts_at.isoformat(), o.ends_at.isoformat()]
                        for o in moved},
                 skipped=[c.day.isoformat() for c in conflicts])
    _mail(target, "mail/booking_changed",
          _("Ändrad bokning: %(premises)s", premises=premises.name),
          changed=[_occurrence_line(o) for o in moved], by_officer=as_officer,
          with_ics=True, ics_occurrences=moved)
    return target


# --- calendar feeds -------------------------------------------------------------------------

FEED_PAST_DAYS = 30


def premises_feed(premises: Premises, *, now: datetime | None = None) -> bytes:
    """The public feed of a premises: when it is taken, nothing about by whom or for what."""
    now = now or utcnow()
    rows = db.session.scalars(
        select(BookingOccurrence)
        .where(BookingOccurrence.premises_id == premises.id,
               BookingOccurrence.state.in_(ACTIVE_STATES),
               BookingOccurrence.ends_at > now - timedelta(days=FEED_PAST_DAYS),
               BookingOccurrence.starts_at > now - timedelta(days=FEED_PAST_DAYS)
               - MAX_OCCURRENCE_LENGTH)
        .order_by(BookingOccurrence.starts_at)).all()
    calendar = ical.new_calendar(premises.name)
    for occurrence in rows:
        calendar.add_component(ical.occurrence_event(
            occurrence, summary=_("Bokad"), location=premises.address, stamp=now))
    return ical.to_bytes(calendar)


def create_feed(user: User) -> str:
    """A new secret feed address token for ``user`` (the old one stops working)."""
    token = secrets.token_urlsafe(32)
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))
    if feed is None:
        feed = CalendarFeed(user_id=user.id)
        db.session.add(feed)
    feed.token_hash, feed.created_at, feed.last_used_at = _token_hash(token), utcnow(), None
    audit.record("booking.feed_create", feed, actor=user)
    db.session.flush()
    return token


def revoke_feed(user: User) -> bool:
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))
    if feed is None:
        return False
    audit.record("booking.feed_revoke", feed, actor=user)
    db.session.delete(feed)
    db.session.flush()
    return True


def personal_feed(token: str, *, now: datetime | None = None) -> bytes | None:
    """The feed behind a secret token: the bookings the user may see as booker (their own
    and their associations'), or None for an unknown or revoked token."""
    from lokapp.bookings.queries import series_for_booker

    now = now or utcnow()
    feed = db.session.scalar(select(CalendarFeed).where(
        CalendarFeed.token_hash == _token_hash(token)))
    if feed is None:
        return None
    user = db.session.get(User, feed.user_id)
    if user is None or not user.is_active:
        return None
    feed.last_used_at = now
    calendar = ical.new_calendar(_("Mina lokalbokningar"))
    since = now - timedelta(days=FEED_PAST_DAYS)
    for series in db.session.scalars(series_for_booker(user)):
        for occurrence in series.occurrences:
            if occurrence.ends_at > since:
                calendar.add_component(ical.occurrence_event(
                    occurrence, summary=f"{series.premises.name}: {series.activity}",
                    location=series.premises.address, stamp=now))
    return ical.to_bytes(calendar)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# --- mail -----------------------------------------------------------------------------------

def _occurrence_line(occurrence: BookingOccurrence) -> dict:
    start, end = to_local(occurrence.starts_at), to_local(occurrence.ends_at)
    return {"date": day_label(start.date()), "start": start.strftime("%H:%M"),
            "end": end.strftime("%H:%M"), "price": format_sek(occurrence.price_ore),
            "state": str(occurrence.state.label)}


def calendar_for(series: BookingSeries, occurrences: list[BookingOccurrence] | None = None
                 ) -> bytes:
    """The series (or some of its occurrences) as an .ics file for the booker."""
    from lokapp.auth.services import absolute_url

    premises = series.premises
    return ical.series_calendar(
        occurrences if occurrences is not None else series.occurrences,
        summary=f"{premises.name}: {series.activity}", location=premises.address,
        description=_("Bokning %(reference)s", reference=series.reference),
        url=absolute_url("bookings.series", series_id=series.id))


def _mail(series: BookingSeries, template: str, subject: str, *, with_ics: bool = False,
          ics_occurrences: list[BookingOccurrence] | None = None, **extra: Any) -> None:
    from lokapp.auth.services import absolute_url

    user = series.booked_by
    if user is None or not user.email:
        return
    premises = series.premises
    active = [o for o in series.occurrences if o.is_active]
    context = {
        "name": user.name, "premises": premises.name, "address": premises.address,
        "reference": series.reference, "number": series.case.number if series.case else None,
        "booker": series.association.name if series.association else user.name,
        "activity": series.activity,
        "occurrences": [_occurrence_line(o) for o in active],
        "total": format_sek(sum(o.price_ore for o in active)),
        "link": absolute_url("bookings.series", series_id=series.id),
        "deadline_hours": premises.cancel_hours_before, **extra,
    }
    attachments = []
    if with_ics:
        attachments.append(("bokning.ics", "text/calendar; method=PUBLISH",
                            calendar_for(series, ics_occurrences)))
    queue_mail(to=user.email, subject=subject, template=template, context=context,
               attachments=attachments, related=("booking_series", series.id))


# --- administration of the catalogue --------------------------------------------------------

def save_premises(premises: Premises | None, data: dict[str, Any], equipment: list[str],
                  user: Any) -> Premises:
    """Create or update a premises from plain data (the form's); audited with old and new."""
    creating = premises is None
    if creating:
        premises = Premises()
        db.session.add(premises)
    for key, value in data.items():
        setattr(premises, key, value)
    wanted = set(equipment)
    premises.equipment_rows = [row for row in premises.equipment_rows if row.item in wanted]
    have = {row.item for row in premises.equipment_rows}
    premises.equipment_rows += [PremisesEquipment(item=item) for item in equipment
                                if item not in have]
    if creating:
        db.session.flush()
        audit.record("premises.create", premises, actor=user, name=premises.name)
    else:
        audit.record_update("premises.update", premises, actor=user,
                            equipment=sorted(str(e) for e in wanted))
    db.session.flush()
    return premises


def save_opening_hours(premises: Premises, hours: dict[int, tuple[int, int] | None],
                       user: Any) -> None:
    """Replace the weekly hours: ``{weekday: (opens, closes) or None (closed)}``."""
    before = {h.weekday: (h.opens_minute, h.closes_minute) for h in premises.opening_hours}
    existing = {h.weekday: h for h in premises.opening_hours}
    for weekday in range(7):
        span, row = hours.get(weekday), existing.get(weekday)
        if span is None and row is not None:
            premises.opening_hours.remove(row)
        elif span is not None and row is None:
            premises.opening_hours.append(OpeningHours(weekday=weekday, opens_minute=span[0],
                                                       closes_minute=span[1]))
        elif span is not None:
            row.opens_minute, row.closes_minute = span
    audit.record("premises.hours", premises, actor=user,
                 before={str(k): list(v) for k, v in before.items()},
                 after={str(k): list(v) for k, v in hours.items() if v})
    db.session.flush()


def blackout_affected(premises: Premises, starts_on: date, ends_on: date
                      ) -> list[BookingOccurrence]:
    """The active occurrences a blackout of ``starts_on``–``ends_on`` (whole local days)
    would cover, oldest first, with their series, booker, association and case loaded."""
    from sqlalchemy.orm import selectinload

    start, end = at(starts_on, 0), at(ends_on + timedelta(days=1), 0)
    return list(db.session.scalars(
        active_overlapping(premises.id, start, end)
        .options(selectinload(BookingOccurrence.series).selectinload(BookingSeries.booked_by),
                 selectinload(BookingOccurrence.series).selectinload(BookingSeries.association),
                 selectinload(BookingOccurrence.series).selectinload(BookingSeries.case))
        .order_by(BookingOccurrence.starts_at, BookingOccurrence.id)))


@dataclass
class BlackoutResult:
    blackout: Blackout
    cancelled: list[BookingOccurrence] = field(default_factory=list)
    kept: list[BookingOccurrence] = field(default_factory=list)

    @property
    def decided_series(self) -> list[BookingSeries]:
        """The series whose cancellation is a decision (a letter each): on an approved case,
        or closing a request whose every time the blackout cancelled (now rejected)."""
        seen: dict[int, BookingSeries] = {}
        for occurrence in self.cancelled:
            series = occurrence.series
            case = series.decision_case
            if case is not None and case.state in (BookingCaseState.APPROVED,
                                                   BookingCaseState.REJECTED):
                seen.setdefault(case.id, series)  # one letter per case, split or not
        return list(seen.values())


class BlackoutChanged(BookingError):
    """The booked times under the blackout are not the ones the administrator confirmed."""


def add_blackout(premises: Premises, starts_on: date, ends_on: date, reason: str, user: Any, *,
                 cancel_ids: frozenset[int] | None = None,
                 now: datetime | None = None) -> BlackoutResult:
    """Close the premises for a period.

    The active occurrences in the period are cancelled only when the administrator has seen
    and confirmed them: ``cancel_ids`` are the ids they confirmed. If the occurrences in the
    period are not exactly those (someone booked or cancelled meanwhile), nothing is saved
    (:class:`BlackoutChanged`). Each cancelled occurrence gets the blackout's reason; each
    booker gets one e-mail listing their cancelled times (with an .ics that removes them);
    a series with an approved case gets a cancellation decision in its case history, whose
    letter :func:`after_decision` issues after the commit. With ``cancel_ids=None`` the
    bookings are kept (the blackout stops new bookings only).
    """
    now = now or utcnow()
    lock_premises(premises)
    affected = blackout_affected(premises, starts_on, ends_on)
    if cancel_ids is not None and {o.id for o in affected} != set(cancel_ids):
        raise BlackoutChanged(_(
            "De bokade tiderna under avstängningen har ändrats sedan du såg listan. "
            "Kontrollera listan igen och bekräfta."))
    blackout = Blackout(starts_on=starts_on, ends_on=ends_on, reason=reason)
    premises.blackouts.append(blackout)
    db.session.flush()
    result = BlackoutResult(blackout)
    if cancel_ids is None:
        result.kept = affected
    else:
        result.cancelled = affected
    audit.record("premises.blackout_add", premises, actor=user, blackout_id=blackout.id,
                 starts_on=starts_on.isoformat(), ends_on=ends_on.isoformat(), reason=reason,
                 cancelled=[o.id for o in result.cancelled], kept=[o.id for o in result.kept])
    by_series: dict[int, list[BookingOccurrence]] = {}
    for occurrence in result.cancelled:
        occurrence.state = OccurrenceState.CANCELLED
        occurrence.cancelled_at, occurrence.cancelled_by_id = now, user.id
        occurrence.cancel_reason = reason
        occurrence.updated_at = now
        by_series.setdefault(occurrence.series_id, []).append(occurrence)
    recorded: set[int] = set()
    for occurrences in by_series.values():
        series = occurrences[0].series
        series.updated_at = now
        audit.record("booking.cancel", series, actor=user, as_officer=True, reason=reason,
                     blackout_id=blackout.id, occurrences=[o.id for o in occurrences])
        decided = series.decision_case
        if (decided is not None and decided.state == BookingCaseState.APPROVED
                and decided.id not in recorded):  # one decision per case, split or not
            recorded.add(decided.id)
            _record_cancellation(decided, user, reason, now)
    db.session.flush()
    for occurrences in by_series.values():
        _end_emptied_request(occurrences[0].series, user, reason, now, by_city=True)
    _blackout_mails(premises, blackout, result.cancelled, now)
    return result


def _blackout_mails(premises: Premises, blackout: Blackout,
                    cancelled: list[BookingOccurrence], now: datetime) -> None:
    """One e-mail per booker: every series of theirs with the times the blackout cancelled."""
    from lokapp.auth.services import absolute_url

    by_booker: dict[int, list[BookingOccurrence]] = {}
    for occurrence in cancelled:
        user = occurrence.series.booked_by
        if user is not None and user.email:
            by_booker.setdefault(user.id, []).append(occurrence)
    for occurrences in by_booker.values():
        user = occurrences[0].series.booked_by
        bookings: dict[int, dict] = {}
        calendar = ical.new_calendar(_("Avbokade tider"))
        for occurrence in occurrences:
            series = occurrence.series
            booking = bookings.setdefault(series.id, {
                "reference": series.reference, "activity": series.activity,
                "booker": series.association.name if series.association else user.name,
                "number": series.case.number if series.case else None,
                "link": absolute_url("bookings.series", series_id=series.id), "times": []})
            booking["times"].append(_occurrence_line(occurrence))
            calendar.add_component(ical.occurrence_event(
                occurrence, summary=f"{premises.name}: {series.activity}",
                location=premises.address, stamp=now))
        queue_mail(to=user.email, subject=_("Avbokat: %(premises)s är stängd",
                                            premises=premises.name),
                   template="mail/booking_blackout", context={
                       "name": user.name, "premises": premises.name,
                       "address": premises.address, "reason": blackout.reason,
                       "starts_on": blackout.starts_on.isoformat(),
                       "ends_on": blackout.ends_on.isoformat(),
                       "bookings": list(bookings.values()), "count": len(occurrences),
                       "link": absolute_url("bookings.index")},
                   attachments=[("avbokade-tider.ics", "text/calendar; method=PUBLISH",
                                 ical.to_bytes(calendar))],
                   related=("premises", premises.id))


def remove_blackout(premises: Premises, blackout: Blackout, user: Any) -> None:
    premises.blackouts.remove(blackout)
    audit.record("premises.blackout_remove", premises, actor=user, blackout_id=blackout.id,
                 starts_on=blackout.starts_on.isoformat(), ends_on=blackout.ends_on.isoformat())
    db.session.flush()


def save_tariffs(premises: Premises, tariffs: dict[BookerType, tuple[int, int] | None],
                 user: Any) -> None:
    """``{booker_type: (off_peak_ore, peak_ore) or None (free of charge)}``."""
    existing = {t.booker_type: t for t in premises.tariffs}
    before = {str(k): [t.off_peak_ore_per_hour, t.peak_ore_per_hour]
              for k, t in existing.items()}
    for booker_type in BookerType:
        rates, row = tariffs.get(booker_type), existing.get(booker_type)
        if rates is None and row is not None:
            premises.tariffs.remove(row)
        elif rates is not None and row is None:
            premises.tariffs.append(Tariff(booker_type=booker_type,
                                           off_peak_ore_per_hour=rates[0],
                                           peak_ore_per_hour=rates[1]))
        elif rates is not None:
            row.off_peak_ore_per_hour, row.peak_ore_per_hour = rates
    audit.record("premises.tariffs", premises, actor=user, before=before,
                 after={str(k): list(v) for k, v in tariffs.items() if v})
    db.session.flush()


def format_when(occurrence: BookingOccurrence) -> str:
    return f"{format_local(occurrence.starts_at)}–{format_local(occurrence.ends_at, '%H:%M')}"

