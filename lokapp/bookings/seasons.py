"""Seasonal allocation rounds (säsongsbokning): apply, rank, allocate, publish, leftover slots.

The round's life, as the people in it see it:

1. An administrator opens a round (:func:`save_round`): the season, the application window,
   the premises and the *published* priority rules – a text and the ordered rule keys
   (:data:`PRIORITY_RULES`) that rank the wishes.
2. During the window, an association's booking managers apply (:func:`save_wish`,
   :func:`delete_wish`, :func:`copy_previous`). The first wish opens the association's
   application as a ``season_application`` case and sends it in (it gets its number); the
   application can be changed until the window closes.
3. A bookings officer allocates (:func:`board` for the view, :func:`auto_allocate` for the
   proposal, :func:`allocate` / :func:`unallocate` by hand with a reason). Wishes are ranked by
   the round's rules (:func:`rank`); the proposal takes them in rank order and gives each its
   first choice, else its second, never two overlapping wishes in one premises and only within
   the premises' opening hours on that weekday. Allocations made by hand stay put.
4. Publishing (:func:`publish_round`) decides each application: every allocation becomes a
   weekly :class:`~lokapp.bookings.models.BookingSeries` for the season (confirmed, booked by
   the association; holidays, blackouts and already booked dates are skipped; wall-clock times
   are kept across the DST changes), the requested and allocated hours are stored, the case is
   decided and the result letter (PDF + e-mail) is issued. Publishing works in batches and can
   be resumed; a wish's ``series_id`` and the case's state say what is done, so nothing is
   created or sent twice.
5. What nobody was given is listed as leftover slots (:func:`leftover_slots`), bookable the
   normal way.

Services flush, never commit.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lokapp.associations.models import AgeBand, Association, Gender
from lokapp.bookings.models import (
    BookerType,
    BookingOccurrence,
    BookingSeries,
    OccurrenceState,
    Premises,
    Recurrence,
)
from lokapp.bookings.pricing import price
from lokapp.bookings.rules import (
    Calendar,
    Problem,
    format_clock,
    interval,
    shape_problems,
    weekday_plural,
)
from lokapp.bookings.season_models import (
    RoundState,
    SeasonApplication,
    SeasonOutcome,
    SeasonRound,
    SeasonWish,
    SeasonWishParticipants,
)
from lokapp.bookings.season_workflow import SEASON_APPLICATION, SeasonCaseState
from lokapp.bookings.services import BookingError
from lokapp.core import audit
from lokapp.core.cases import open_case, submit
from lokapp.core.time import format_local, today_local, utcnow
from lokapp.core.workflow import apply
from lokapp.extensions import db

YOUTH_BANDS = (AgeBand.AGE_7_12, AgeBand.AGE_13_20, AgeBand.AGE_21_25)
PUBLISH_BATCH = 10
MAX_WISHES = 40
# A date problem that does not stop a season series: the round decides how far ahead.
IGNORED_DATE_PROBLEMS = frozenset({"too_far_ahead"})


class SeasonError(BookingError):
    """A refused action in a round; ``problems`` carry the Swedish messages (with fields)."""


# --- the published priority rules ------------------------------------------------------------

@dataclass(frozen=True)
class PriorityRule:
    key: str
    label: Any
    description: Any


PRIORITY_RULES: dict[str, PriorityRule] = {rule.key: rule for rule in (
    PriorityRule("youth", _l("Barn- och ungdomsverksamhet"),
                 _l("Störst andel deltagare som är 7–25 år först.")),
    PriorityRule("last_season", _l("Samma tid förra säsongen"),
                 _l("Föreningar som hade samma tid i samma lokal förra säsongen först.")),
    PriorityRule("eligible", _l("Bidragsberättigad förening"),
                 _l("Föreningar som är bidragsberättigade i föreningsregistret först.")),
    PriorityRule("applied_at", _l("Ansökningstid"),
                 _l("Den som skickade in sin ansökan först går före.")),
)}


# --- rounds ----------------------------------------------------------------------------------

def save_round(season_round: SeasonRound | None, data: dict[str, Any], premises_ids: list[int],
               user: Any) -> SeasonRound:
    """Create or update a round from plain data (the form's); audited."""
    creating = season_round is None
    if not creating and season_round.state != RoundState.OPEN:
        raise SeasonError(_("Omgången är publicerad och kan inte ändras."))
    if creating:
        season_round = SeasonRound(state=RoundState.OPEN, created_at=utcnow())
        db.session.add(season_round)
    for key, value in data.items():
        if key == "rules_text":
            value = (value or "").replace("\r\n", "\n").strip()
        setattr(season_round, key, value)
    season_round.premises = list(db.session.scalars(
        select(Premises).where(Premises.id.in_(premises_ids)).order_by(Premises.name)))
    db.session.flush()
    audit.record("season_round.create" if creating else "season_round.update", season_round,
                 actor=user, name=season_round.name, premises=sorted(premises_ids),
                 priority_keys=list(season_round.priority_keys or []))
    db.session.flush()
    return season_round


def rounds_query():
    return (select(SeasonRound).options(selectinload(SeasonRound.premises))
            .order_by(SeasonRound.season_starts_on.desc(), SeasonRound.id.desc()))


def application_for(season_round: SeasonRound, association_id: int) -> SeasonApplication | None:
    return db.session.scalar(
        select(SeasonApplication).where(SeasonApplication.round_id == season_round.id,
                                        SeasonApplication.association_id == association_id)
        .options(selectinload(SeasonApplication.wishes)))


# --- applying --------------------------------------------------------------------------------

@dataclass
class WishData:
    weekday: int
    start_minute: int
    end_minute: int
    premises_id: int
    alt_premises_id: int | None
    activity: str
    participants: dict[tuple[str, str], int] = field(default_factory=dict)


def wish_problems(season_round: SeasonRound, data: WishData) -> list[Problem]:
    """Whether the wish can be allocated at all: premises of the round, times within the
    first choice's rules and opening hours on that weekday."""
    by_id = {p.id: p for p in season_round.premises}
    problems = []
    first = by_id.get(data.premises_id)
    if first is None:
        problems.append(Problem("premises", _("Välj en lokal som ingår i omgången."),
                                "premises"))
    if data.alt_premises_id is not None:
        if data.alt_premises_id == data.premises_id:
            problems.append(Problem("alt_same", _(
                "Andrahandsvalet måste vara en annan lokal än förstahandsvalet."), "alt_premises"))
        elif data.alt_premises_id not in by_id:
            problems.append(Problem("alt_premises", _("Välj en lokal som ingår i omgången."),
                                    "alt_premises"))
    if data.end_minute > 1440:
        problems.append(Problem("midnight", _("Tiden får inte gå över midnatt."), "length"))
        return problems
    if not any(count for count in data.participants.values()):
        problems.append(Problem("participants", _(
            "Fyll i hur många deltagare verksamheten har, minst en i någon åldersgrupp."),
            "participants"))
    for premises, field_name in ((first, "start"), (by_id.get(data.alt_premises_id or 0),
                                                   "alt_premises")):
        if premises is None:
            continue
        problems += [Problem(p.code, f"{premises.name}: {p.message}", field_name)
                     for p in shape_problems(premises, data.start_minute, data.end_minute)]
        problem = _hours_problem(premises, data.weekday, data.start_minute, data.end_minute)
        if problem:
            problems.append(Problem("outside_hours", f"{premises.name}: {problem}", field_name))
    return problems


def _hours_problem(premises: Premises, weekday: int, start: int, end: int, *,
                  advice: bool = True) -> str | None:
    """Why the weekly slot is outside the premises' opening hours (None: inside). Without
    ``advice`` it is a plain statement, for the reasons of a decision."""
    hours = premises.hours_for(weekday)
    if hours is None:
        return _("Lokalen är stängd på %(weekday)s.", weekday=weekday_plural(weekday))
    if start < hours.opens_minute or end > hours.closes_minute:
        values = {"opens": format_clock(hours.opens_minute),
                  "closes": format_clock(hours.closes_minute),
                  "weekday": weekday_plural(weekday)}
        if not advice:
            return _("Lokalen är bara öppen %(opens)s–%(closes)s på %(weekday)s.", **values)
        return _("Lokalen är öppen %(opens)s–%(closes)s på %(weekday)s. Välj en tid inom "
                 "öppettiderna.", **values)
    return None


def _open_application(season_round: SeasonRound, association: Association,
                      user: Any) -> SeasonApplication:
    application = application_for(season_round, association.id)
    if application is not None:
        return application
    now = utcnow()
    case = open_case(SEASON_APPLICATION,
                     subject=_("Säsongsbokning %(round)s, %(association)s",
                               round=season_round.name, association=association.name)[:300],
                     applicant=user, association_id=association.id)
    submit(case, user)
    application = SeasonApplication(round=season_round, association=association, case=case,
                                    submitted_by_id=user.id, submitted_at=now, updated_at=now)
    db.session.add(application)
    db.session.flush()
    return application


def _check_open(season_round: SeasonRound, user: Any, association_id: int) -> None:
    from lokapp.bookings.season_permissions import can_apply

    decision = can_apply(user, season_round, association_id)
    if not decision:
        raise SeasonError(decision.reason)


def save_wish(season_round: SeasonRound, association: Association, user: Any,
              data: WishData, wish: SeasonWish | None = None) -> SeasonWish:
    """Add a wish (opening and sending in the application with the first) or change one."""
    _check_open(season_round, user, association.id)
    problems = wish_problems(season_round, data)
    if problems:
        raise SeasonError(problems)
    application = _open_application(season_round, association, user)
    if wish is None:
        if len(application.wishes) >= MAX_WISHES:
            raise SeasonError(_("En ansökan kan ha högst %(max)d önskemål.", max=MAX_WISHES))
        wish = SeasonWish(created_at=utcnow())
        application.wishes.append(wish)
    elif wish.application_id != application.id:
        raise ValueError("the wish belongs to another application")
    wish.weekday, wish.start_minute, wish.end_minute = (data.weekday, data.start_minute,
                                                        data.end_minute)
    wish.premises_id, wish.alt_premises_id = data.premises_id, data.alt_premises_id
    wish.activity = data.activity
    _set_participants(wish, data.participants)
    application.updated_at = utcnow()
    db.session.flush()
    audit.record("season_wish.save", application, actor=user, wish_id=wish.id,
                 weekday=wish.weekday, start=wish.start_minute, end=wish.end_minute,
                 premises_id=wish.premises_id, alt_premises_id=wish.alt_premises_id)
    db.session.flush()
    return wish


def _set_participants(wish: SeasonWish, counts: dict[tuple[str, str], int]) -> None:
    existing = {(str(p.age_band), str(p.gender)): p for p in wish.participants}
    for (band, gender), count in counts.items():
        row = existing.pop((str(band), str(gender)), None)
        if not count:
            if row is not None:
                wish.participants.remove(row)
            continue
        if row is None:
            wish.participants.append(SeasonWishParticipants(
                age_band=AgeBand(band), gender=Gender(gender), count=count))
        else:
            row.count = count
    for row in existing.values():
        wish.participants.remove(row)


def delete_wish(wish: SeasonWish, user: Any) -> None:
    """Remove a wish; removing the last one withdraws the application (its case stays, in
    the state *withdrawn*, and a new wish starts a new application)."""
    application = wish.application
    _check_open(application.round, user, application.association_id)
    audit.record("season_wish.delete", application, actor=user, wish_id=wish.id)
    application.wishes.remove(wish)
    application.updated_at = utcnow()
    db.session.flush()
    if not application.wishes:
        apply(application.case, "withdraw", user, note=_("Alla önskemål togs bort."))
        audit.record("season_application.withdraw", application, actor=user,
                     case_id=application.case_id)
        db.session.delete(application)
        db.session.flush()


def copy_previous(season_round: SeasonRound, association: Association,
                  user: Any) -> tuple[int, int]:
    """Copy the association's wishes from the previous round into this one.

    Only wishes whose first choice is a premises of this round are copied (a second choice
    outside it is dropped); the rest are counted as skipped. Refused when the application
    already has wishes, so nothing is doubled. Returns ``(copied, skipped)``.
    """
    _check_open(season_round, user, association.id)
    previous = season_round.previous_round
    if previous is None:
        raise SeasonError(_("Omgången har ingen tidigare säsong att kopiera från."))
    old = application_for(previous, association.id)
    if old is None or not old.wishes:
        raise SeasonError(_("Föreningen sökte inga tider i %(round)s.", round=previous.name))
    current = application_for(season_round, association.id)
    if current is not None and current.wishes:
        raise SeasonError(_("Ansökan har redan önskemål. Ta bort dem först om du vill kopiera "
                            "förra säsongens ansökan."))
    in_round = {p.id for p in season_round.premises}
    copied = skipped = 0
    for wish in old.wishes:
        if wish.premises_id not in in_round:
            skipped += 1
            continue
        data = WishData(wish.weekday, wish.start_minute, wish.end_minute, wish.premises_id,
                        wish.alt_premises_id if wish.alt_premises_id in in_round else None,
                        wish.activity, {(str(p.age_band), str(p.gender)): p.count
                                        for p in wish.participants})
        if wish_problems(season_round, data):
            skipped += 1
            continue
        save_wish(season_round, association, user, data)
        copied += 1
    if not copied:
        raise SeasonError(_("Inget av förra säsongens önskemål går att söka i den här "
                            "omgången (lokalerna eller öppettiderna har ändrats)."))
    audit.record("season_application.copy", application_for(season_round, association.id),
                 actor=user, from_round=previous.id, copied=copied, skipped=skipped)
    return copied, skipped


# --- ranking -----------------------------------------------------------------------------------

def youth_share(wish: SeasonWish) -> float:
    total = wish.total_participants
    if not total:
        return 0.0
    return sum(p.count for p in wish.participants if p.age_band in YOUTH_BANDS) / total


@dataclass(slots=True)
class Ranked:
    wish: SeasonWish
    application: SeasonApplication
    key: tuple
    reasons: tuple[str, ...]
    is_eligible: bool
    had_last_season: bool
    rank: int = 0


def load_applications(season_round: SeasonRound, *,
                      participants: bool = True) -> list[SeasonApplication]:
    """The round's sent-in applications with association, case and wishes (a few queries).

    Without ``participants`` the wishes' participant rows are not loaded up front (reading
    them loads them wish by wish): the allocation view and the proposal rank by
    :func:`youth_shares` instead, which spares them thousands of objects in a big round."""
    wishes = selectinload(SeasonApplication.wishes)
    return list(db.session.scalars(
        select(SeasonApplication)
        .where(SeasonApplication.round_id == season_round.id)
        .options(selectinload(SeasonApplication.association),
                 selectinload(SeasonApplication.case),
                 wishes.selectinload(SeasonWish.participants) if participants
                 else wishes.lazyload(SeasonWish.participants))
        .order_by(SeasonApplication.id)))


def youth_shares(season_round: SeasonRound) -> dict[int, float]:
    """``{wish id: share of its participants aged 7–25}`` for the round (one query); the
    same figure as :func:`youth_share`."""
    from sqlalchemy import case, func

    youth = func.sum(case((SeasonWishParticipants.age_band.in_([str(b) for b in YOUTH_BANDS]),
                           SeasonWishParticipants.count), else_=0))
    rows = db.session.execute(
        select(SeasonWishParticipants.wish_id, youth, func.sum(SeasonWishParticipants.count))
        .join(SeasonWish, SeasonWish.id == SeasonWishParticipants.wish_id)
        .join(SeasonApplication, SeasonApplication.id == SeasonWish.application_id)
        .where(SeasonApplication.round_id == season_round.id)
        .group_by(SeasonWishParticipants.wish_id)).all()
    return {wish_id: (young or 0) / total for wish_id, young, total in rows if total}


def _last_season_slots(season_round: SeasonRound) -> dict[int, list[tuple[int, int, int, int]]]:
    """``{association_id: [(premises_id, weekday, start, end)]}`` given in the previous round."""
    if season_round.previous_round_id is None:
        return {}
    rows = db.session.execute(
        select(SeasonApplication.association_id, SeasonWish.allocated_premises_id,
               SeasonWish.weekday, SeasonWish.start_minute, SeasonWish.end_minute)
        .join(SeasonWish, SeasonWish.application_id == SeasonApplication.id)
        .where(SeasonApplication.round_id == season_round.previous_round_id,
               SeasonWish.allocated_premises_id.is_not(None))).all()
    slots: dict[int, list] = defaultdict(list)
    for association_id, premises_id, weekday, start, end in rows:
        slots[association_id].append((premises_id, weekday, start, end))
    return slots


def _eligibility(applications: list[SeasonApplication], on: date) -> dict[int, bool]:
    from lokapp.associations.status import compute_statuses

    statuses = compute_statuses([a.association for a in applications], on=on)
    return {association_id: status.is_eligible for association_id, status in statuses.items()}


def rank(season_round: SeasonRound, applications: list[SeasonApplication] | None = None, *,
         on: date | None = None, shares: dict[int, float] | None = None) -> list[Ranked]:
    """Every wish of the round's open or decided applications in priority order, each with its
    rank (1 = first) and the reasons, rule by rule, as the round publishes them. ``shares``
    (:func:`youth_shares`) saves reading the wishes' participants."""
    if applications is None:
        applications = load_applications(season_round)
    applications = [a for a in applications
                    if a.case is None or a.case.state != SeasonCaseState.WITHDRAWN]
    eligible = _eligibility(applications, on or min(today_local(),
                                                    season_round.applications_close_on))
    last = _last_season_slots(season_round)
    # The words of the reasons, translated once (not once per wish and rule).
    rules = [(rule_key, f"{n}. {PRIORITY_RULES[rule_key].label}: ")
             for n, rule_key in enumerate(season_round.priority_keys or [], start=1)
             if rule_key in PRIORITY_RULES]
    yes, no = _("ja"), _("nej")
    percents: dict[int, str] = {}
    ranked = []
    for application in applications:
        submitted = application.submitted_at.timestamp()
        submitted_text = None
        had_slots = last.get(application.association_id, ())
        is_eligible = eligible.get(application.association_id, False)
        if application.was_eligible is not None:
            is_eligible = application.was_eligible
        for wish in application.wishes:
            had = any(p in wish.choices and w == wish.weekday and s < wish.end_minute
                      and e > wish.start_minute for p, w, s, e in had_slots)
            share = shares.get(wish.id, 0.0) if shares is not None else youth_share(wish)
            key, reasons = [], []
            for rule_key, prefix in rules:
                if rule_key == "youth":
                    key.append(-share)
                    percent = round(share * 100)
                    if percent not in percents:
                        percents[percent] = _("%(percent)d %% av deltagarna är 7–25 år",
                                              percent=percent)
                    value = percents[percent]
                elif rule_key == "last_season":
                    key.append(0 if had else 1)
                    value = yes if had else no
                elif rule_key == "eligible":
                    key.append(0 if is_eligible else 1)
                    value = yes if is_eligible else no
                else:
                    key.append(submitted)
                    submitted_text = submitted_text or format_local(application.submitted_at)
                    value = submitted_text
                reasons.append(prefix + value)
            key += [submitted, wish.id]
            # Tuples of strings: the collector stops tracking them (a big round has
            # thousands).
            ranked.append(Ranked(wish, application, tuple(key), tuple(reasons), is_eligible,
                                 had))
    ranked.sort(key=lambda r: r.key)
    for n, item in enumerate(ranked, start=1):
        item.rank = n
    return ranked


# --- conflicts and the allocation board ---------------------------------------------------------

def overlaps(a: SeasonWish, b: SeasonWish) -> bool:
    return (a.weekday == b.weekday and a.start_minute < b.end_minute
            and b.start_minute < a.end_minute)


@dataclass(slots=True)
class BoardRow:
    ranked: Ranked
    choice: int                       # 1 = first choice, 2 = second choice
    conflicts: list[Ranked] = field(default_factory=list)

    @property
    def is_allocated_here(self) -> bool:
        return self.ranked.wish.allocated_premises_id == self.premises_id

    premises_id: int = 0


@dataclass
class BoardCell:
    premises: Premises
    weekday: int
    rows: list[BoardRow]

    @property
    def conflict_count(self) -> int:
        return sum(1 for r in self.rows if r.conflicts)


@dataclass
class AssociationHours:
    association: Association
    application: SeasonApplication
    requested_minutes: int
    allocated_minutes: int
    wishes: int
    allocated_wishes: int
    allocated_peak_minutes: int = 0

    @property
    def peak_percent(self) -> int | None:
        if not self.allocated_minutes:
            return None
        return round(100 * self.allocated_peak_minutes / self.allocated_minutes)

    @property
    def share(self) -> int:
        return round(100 * self.allocated_minutes / self.requested_minutes) \
            if self.requested_minutes else 0


@dataclass
class PremisesSummary:
    """One premises' line in the allocation overview."""
    premises: Premises
    first_choice: int = 0
    second_choice: int = 0
    conflicts: int = 0      # wishes naming the premises that overlap another such wish
    allocated: int = 0


@dataclass
class Board:
    season_round: SeasonRound
    ranked: list[Ranked]
    cells: list[BoardCell]
    hours: list[AssociationHours]
    summaries: list[PremisesSummary] = field(default_factory=list)
    # Wishes in conflict with another, once though a wish has two choices (the whole round).
    conflict_count: int = 0
    only_premises_id: int | None = None   # the premises whose tables were built (None: all)


def board(season_round: SeasonRound, only_premises_id: int | None = None, *,
          all_up_to: int | None = None) -> Board:
    """The allocation view's data: per premises and weekday the wishes that name the premises
    (first or second choice) with their overlaps, an overview per premises, and the hours per
    association. With ``only_premises_id`` only that premises' tables are built (ranks, the
    overview and the hours stay the round's); the round is ranked once. Without it, all
    premises' tables – unless the round has more than ``all_up_to`` rows (a wish is a row
    under each of its choices), when only the first premises' are built
    (``Board.only_premises_id`` says which)."""
    applications = load_applications(season_round, participants=False)
    ranked = rank(season_round, applications, shares=youth_shares(season_round))
    # (start, rank, end, choice, ranked) per premises and weekday – rows are made only for
    # the premises shown (a big round has thousands of wish choices).
    groups: dict[tuple[int, int], list[tuple]] = defaultdict(list)
    for item in ranked:
        wish = item.wish
        for choice, premises_id in enumerate(wish.choices, start=1):
            groups[(premises_id, wish.weekday)].append(
                (wish.start_minute, item.rank, wish.end_minute, choice, item))
    if (only_premises_id is None and all_up_to is not None and season_round.premises
            and sum(len(rows) for rows in groups.values()) > all_up_to):
        only_premises_id = season_round.premises[0].id
    cells, summaries, in_conflict = [], [], set()
    for premises in season_round.premises:
        summary = PremisesSummary(premises)
        summaries.append(summary)
        shown = only_premises_id is None or premises.id == only_premises_id
        for weekday in range(7):
            entries = groups.get((premises.id, weekday))
            if not entries:
                continue
            entries.sort(key=lambda e: (e[0], e[1]))
            latest_end = -1
            for n, (start, _rank, end, choice, item) in enumerate(entries):
                if choice == 1:
                    summary.first_choice += 1
                else:
                    summary.second_choice += 1
                if item.wish.allocated_premises_id == premises.id:
                    summary.allocated += 1
                # Sorted by start: it overlaps an earlier one that ends later than it
                # starts, or the next one if that starts before it ends.
                if latest_end > start or (n + 1 < len(entries) and entries[n + 1][0] < end):
                    summary.conflicts += 1
                    in_conflict.add(item.wish.id)
                latest_end = max(latest_end, end)
            if not shown:
                continue
            rows = [BoardRow(item, choice, premises_id=premises.id)
                    for _start, _rank, _end, choice, item in entries]
            for i, row in enumerate(rows):  # sorted by start: only the next few can overlap
                wish = row.ranked.wish
                for other in rows[i + 1:]:
                    if other.ranked.wish.start_minute >= wish.end_minute:
                        break
                    row.conflicts.append(other.ranked)
                    other.conflicts.append(row.ranked)
            for row in rows:
                row.conflicts.sort(key=lambda r: (r.wish.start_minute, r.rank))
            cells.append(BoardCell(premises, weekday, rows))
    return Board(season_round, ranked, cells,
                 hours_per_association(applications, season_round.premises), summaries,
                 len(in_conflict), only_premises_id)


def peak_minutes(wish: SeasonWish, premises_by_id: dict[int, Premises] | None = None) -> int:
    """The wish's minutes per week in its allocated premises' peak time: all of them on a
    weekend the premises counts as peak, else the part within the daily peak hours."""
    premises = (premises_by_id or {}).get(wish.allocated_premises_id) \
        or wish.allocated_premises
    if premises is None:
        return 0
    if wish.weekday >= 5 and premises.is_weekend_peak:
        return wish.minutes
    return max(0, min(wish.end_minute, premises.peak_end_minute)
               - max(wish.start_minute, premises.peak_start_minute))


def hours_per_association(applications: list[SeasonApplication],
                          premises: list[Premises] = ()) -> list[AssociationHours]:
    """Requested and allocated hours per week: the stored figures once published."""
    by_id = {p.id: p for p in premises}
    rows = []
    for application in applications:
        wishes = application.wishes
        allocated = [w for w in wishes if w.allocated_premises_id is not None]
        requested_minutes = application.requested_minutes
        allocated_minutes = application.allocated_minutes
        allocated_peak = application.allocated_peak_minutes
        if requested_minutes is None:
            requested_minutes = sum(w.minutes for w in wishes)
        if allocated_minutes is None:
            allocated_minutes = sum(w.minutes for w in allocated)
        if allocated_peak is None:
            allocated_peak = sum(peak_minutes(w, by_id) for w in allocated)
        rows.append(AssociationHours(application.association, application, requested_minutes,
                                     allocated_minutes, len(wishes), len(allocated),
                                     allocated_peak))
    rows.sort(key=lambda r: r.association.name)
    return rows


# --- allocating ----------------------------------------------------------------------------------

def lock_round(season_round: SeasonRound) -> None:
    """Write what is pending, then re-read the round under a row lock (``FOR UPDATE``), so
    two officers allocating or publishing at once take turns and the second sees what the
    first did. SQLite serialises writing transactions anyway (``BEGIN IMMEDIATE``)."""
    db.session.flush()
    db.session.refresh(season_round, attribute_names=["state"], with_for_update=True)


def _require_open(season_round: SeasonRound) -> None:
    lock_round(season_round)
    if season_round.state != RoundState.OPEN:
        raise SeasonError(_("Omgången är publicerad. Fördelningen kan inte ändras längre."))


def _closed_for_season(season_round: SeasonRound, premises: Premises, wish: SeasonWish
                       ) -> str | None:
    """Why ``premises`` cannot take ``wish`` at all (hours, closed weekday, closed all season)."""
    problem = _hours_problem(premises, wish.weekday, wish.start_minute, wish.end_minute,
                             advice=False)
    if problem:
        return problem
    for blackout in premises.blackouts:
        if (blackout.starts_on <= season_round.season_starts_on
                and blackout.ends_on >= season_round.season_ends_on):
            return _("Lokalen är stängd hela säsongen: %(reason)s.", reason=blackout.reason)
    return None


def _taken(wish: SeasonWish, premises_id: int, others: list[SeasonWish]) -> SeasonWish | None:
    return next((o for o in others if o.id != wish.id and o.allocated_premises_id == premises_id
                 and overlaps(o, wish)), None)


def auto_allocate(season_round: SeasonRound, user: Any) -> dict[str, int]:
    """Propose an allocation by priority: see the module docstring. Allocations made by hand
    are kept; the proposal's earlier choices are made again from scratch."""
    _require_open(season_round)
    ranked = rank(season_round, load_applications(season_round, participants=False),
                  shares=youth_shares(season_round))
    wishes = [r.wish for r in ranked]
    by_id = {p.id: p for p in season_round.premises}
    now = utcnow()
    # What is given, per premises and weekday (not a scan of every wish for every wish).
    given: dict[tuple[int, int], list[SeasonWish]] = defaultdict(list)
    for wish in wishes:
        if not wish.is_manual:
            wish.allocated_premises_id = None
        elif wish.allocated_premises_id is not None:
            given[(wish.allocated_premises_id, wish.weekday)].append(wish)
    counts = {"first": 0, "second": 0, "none": 0, "manual": 0}
    for item in ranked:
        wish = item.wish
        if wish.is_manual:
            counts["manual"] += 1
            continue
        reasons = []
        for choice, premises_id in enumerate(wish.choices, start=1):
            premises = by_id.get(premises_id)
            if premises is None:
                reasons.append(_("Lokalen ingår inte längre i omgången."))
                continue
            closed = _closed_for_season(season_round, premises, wish)
            if closed:
                reasons.append(f"{premises.name}: {closed}")
                continue
            if _taken(wish, premises_id, given[(premises_id, wish.weekday)]) is not None:
                reasons.append(_("%(premises)s: tiden gick till ett önskemål med högre "
                                 "prioritet enligt omgångens regler.", premises=premises.name))
                continue
            wish.allocated_premises_id = premises_id
            given[(premises_id, wish.weekday)].append(wish)
            reasons = [_("Förstahandsval.") if choice == 1 else
                       _("Andrahandsval: förstahandsvalet gick inte att få.")]
            counts["first" if choice == 1 else "second"] += 1
            break
        else:
            counts["none"] += 1
        wish.decision_reason = " ".join(reasons)
        wish.decided_by_id, wish.decided_at = getattr(user, "id", None), now
    db.session.flush()
    audit.record("season_round.auto_allocate", season_round, actor=user, **counts)
    db.session.flush()
    return counts


def _check_jav(user: Any, wish: SeasonWish) -> None:
    from lokapp.bookings.season_permissions import can_allocate_wish

    decision = can_allocate_wish(user, wish)
    if not decision:
        raise SeasonError(decision.reason)


def allocate(wish: SeasonWish, premises_id: int, reason: str, user: Any) -> None:
    """Give ``wish`` one of its choices by hand (kept by later proposals)."""
    season_round = wish.application.round
    _require_open(season_round)
    _check_jav(user, wish)
    reason = (reason or "").strip()
    if not reason:
        raise SeasonError([Problem("reason", _("Skriv varför önskemålet tilldelas."), "reason")])
    premises = next((p for p in season_round.premises if p.id == premises_id), None)
    if premises_id not in wish.choices or premises is None:
        raise SeasonError([Problem("premises", _("Välj en av föreningens önskade lokaler."),
                                   "premises")])
    closed = _closed_for_season(season_round, premises, wish)
    if closed:
        raise SeasonError([Problem("closed", f"{premises.name}: {closed}", "premises")])
    others = list(db.session.scalars(
        select(SeasonWish).join(SeasonApplication)
        .where(SeasonApplication.round_id == season_round.id,
               SeasonWish.allocated_premises_id == premises_id,
               SeasonWish.weekday == wish.weekday, SeasonWish.id != wish.id)))
    holder = _taken(wish, premises_id, others)
    if holder is not None:
        raise SeasonError([Problem("taken", _(
            "%(premises)s är redan tilldelad %(association)s %(start)s–%(end)s den tiden. "
            "Ta tillbaka den tilldelningen först.", premises=premises.name,
            association=holder.application.association.name,
            start=format_clock(holder.start_minute), end=format_clock(holder.end_minute)),
            "premises")])
    wish.allocated_premises_id, wish.is_manual = premises_id, True
    wish.decision_reason, wish.decided_by_id, wish.decided_at = reason, user.id, utcnow()
    audit.record("season_wish.allocate", wish.application, actor=user, wish_id=wish.id,
                 premises_id=premises_id, reason=reason)
    db.session.flush()


def unallocate(wish: SeasonWish, reason: str, user: Any) -> None:
    """Take an allocation back by hand; the reason goes to the association's letter."""
    _require_open(wish.application.round)
    _check_jav(user, wish)
    reason = (reason or "").strip()
    if not reason:
        raise SeasonError([Problem("reason", _(
            "Skriv varför önskemålet inte tilldelas. Skälet står i föreningens beslut."),
            "reason")])
    before = wish.allocated_premises_id
    wish.allocated_premises_id, wish.is_manual = None, True
    wish.decision_reason, wish.decided_by_id, wish.decided_at = reason, user.id, utcnow()
    audit.record("season_wish.unallocate", wish.application, actor=user, wish_id=wish.id,
                 premises_id=before, reason=reason)
    db.session.flush()


# --- publishing ----------------------------------------------------------------------------------

def outcome_of(application: SeasonApplication) -> SeasonOutcome:
    given = [w for w in application.wishes if w.allocated_premises_id is not None]
    if given and len(given) == len(application.wishes):
        return SeasonOutcome.ALLOCATED
    return SeasonOutcome.PARTLY if given else SeasonOutcome.NOT_ALLOCATED


def pending_applications(season_round: SeasonRound) -> list[SeasonApplication]:
    return [a for a in load_applications(season_round)
            if a.case is not None and a.case.state == SeasonCaseState.SUBMITTED]


@dataclass
class PublishResult:
    decided: int
    series: int
    remaining: int


def publish_round(season_round: SeasonRound, user: Any, *, limit: int = PUBLISH_BATCH,
                  now: datetime | None = None) -> PublishResult:
    """Publish the results of up to ``limit`` applications (see the module docstring).

    Call again until ``remaining`` is 0; the round is then *published*. Each call is one
    transaction (the caller commits); what a call did is never done again.
    """
    now = now or utcnow()
    lock_round(season_round)
    if season_round.state == RoundState.PUBLISHED:
        raise SeasonError(_("Resultatet är redan publicerat."))
    if to_day(now) <= season_round.applications_close_on:
        raise SeasonError(_(
            "Ansökningstiden är inte slut. Resultatet kan publiceras från och med %(date)s.",
            date=(season_round.applications_close_on + timedelta(days=1)).isoformat()))
    if season_round.state == RoundState.OPEN:
        season_round.state = RoundState.PUBLISHING
        season_round.published_by_id = user.id
        audit.record("season_round.publish_start", season_round, actor=user)
    applications = load_applications(season_round)
    # Eligibility by the register's rule, as the ranking used it (stored with the decision).
    eligible = {r.application.id: r.is_eligible for r in rank(season_round, applications)}
    pending = [a for a in applications
               if a.case is not None and a.case.state == SeasonCaseState.SUBMITTED]
    created = 0
    for application in pending[:limit]:
        created += _publish_application(season_round, application,
                                        eligible.get(application.id, False), user, now)
    remaining = max(len(pending) - limit, 0)
    if remaining == 0:
        season_round.state = RoundState.PUBLISHED
        season_round.published_at = now
        audit.record("season_round.published", season_round, actor=user)
    db.session.flush()
    return PublishResult(min(len(pending), limit), created, remaining)


def to_day(value: datetime) -> date:
    from lokapp.core.time import to_local

    return to_local(value).date()


def _publish_application(season_round: SeasonRound, application: SeasonApplication,
                         eligible: bool, user: Any, now: datetime) -> int:
    """Book the application's allocations, store its figures, decide its case, issue its
    letter. The youth tariff applies to an eligible association's wish with at least half
    its participants aged 7–25."""
    from lokapp.bookings.season_letters import issue_result_letter

    created = 0
    application.was_eligible = eligible
    for wish in application.wishes:
        if wish.allocated_premises_id is None:
            if not wish.decision_reason:
                wish.decision_reason = _("Önskemålet kunde inte tilldelas.")
            continue
        if wish.series_id is None:
            is_youth = eligible and youth_share(wish) >= 0.5
            series = season_series(season_round, application, wish, is_youth=is_youth, now=now)
            if series is not None:
                wish.series_id = series.id
                created += 1
    application.outcome = outcome_of(application)
    application.requested_minutes = sum(w.minutes for w in application.wishes)
    application.allocated_minutes = sum(w.minutes for w in application.wishes
                                        if w.allocated_premises_id is not None)
    by_id = {p.id: p for p in season_round.premises}
    application.allocated_peak_minutes = sum(peak_minutes(w, by_id) for w in application.wishes
                                             if w.allocated_premises_id is not None)
    db.session.flush()
    apply(application.case, "decide", user)
    issue_result_letter(application, user)
    return created


def season_dates(season_round: SeasonRound, premises: Premises, weekday: int, start: int,
                 end: int, *, now: datetime) -> tuple[list[tuple[date, datetime, datetime]],
                                                       list[tuple[date, str]]]:
    """The season's dates on ``weekday`` that can be booked, and the skipped ones with why:
    closed days (holidays, blackouts), times that do not exist that night, booked already."""
    from lokapp.bookings.services import active_overlapping

    calendar = Calendar(premises)
    day = season_round.season_starts_on
    day += timedelta(days=(weekday - day.weekday()) % 7)
    free, skipped = [], []
    while day <= season_round.season_ends_on:
        problems = [p for p in calendar.date_problems(day, start, end, now=now)
                    if p.code not in IGNORED_DATE_PROBLEMS]
        if problems:
            skipped.append((day, problems[0].message))
        else:
            starts_at, ends_at = interval(day, start, end)
            free.append((day, starts_at, ends_at))
        day += timedelta(weeks=1)
    if free:
        taken = db.session.execute(
            active_overlapping(premises.id, free[0][1], free[-1][2])
            .with_only_columns(BookingOccurrence.starts_at, BookingOccurrence.ends_at)).all()
        kept = []
        for item in free:
            if any(s < item[2] and e > item[1] for s, e in taken):
                skipped.append((item[0], _("Tiden är redan bokad.")))
            else:
                kept.append(item)
        free = kept
    skipped.sort()
    return free, skipped


def season_series(season_round: SeasonRound, application: SeasonApplication, wish: SeasonWish,
                  *, is_youth: bool, now: datetime) -> BookingSeries | None:
    """The allocated wish as a confirmed weekly series for the season (None: no date left)."""
    from lokapp.bookings.services import _in_savepoint, lock_premises, terms_checksum

    premises = wish.allocated_premises or db.session.get(Premises, wish.allocated_premises_id)
    # The premises lock, as for any booking: a booking or blackout committed meanwhile is
    # seen and skipped instead of failing the batch on the exclusion constraint.
    lock_premises(premises)
    free, skipped = season_dates(season_round, premises, wish.weekday, wish.start_minute,
                                 wish.end_minute, now=now)
    if not free:
        wish.decision_reason = ((wish.decision_reason or "") + " " + _(
            "Inget datum under säsongen var ledigt, så ingen bokning gjordes.")).strip()
        return None
    booker_type = BookerType.YOUTH if is_youth else BookerType.ASSOCIATION
    tariff = premises.tariff_for(booker_type)
    series = BookingSeries(
        premises=premises, booked_by_id=application.submitted_by_id,
        association_id=application.association_id, booker_type=booker_type,
        activity=wish.activity, attendees=wish.total_participants or None,
        recurrence=Recurrence.WEEKLY, first_date=free[0][0], last_date=free[-1][0],
        start_minute=wish.start_minute, end_minute=wish.end_minute,
        terms_accepted_at=application.submitted_at, terms_checksum=terms_checksum(premises.terms),
        created_at=now, updated_at=now)
    for _day, starts_at, ends_at in free:
        cost = price(premises, tariff, starts_at, ends_at)
        series.occurrences.append(BookingOccurrence(
            premises_id=premises.id, starts_at=starts_at, ends_at=ends_at,
            state=OccurrenceState.CONFIRMED, price_ore=cost.total_ore,
            peak_minutes=cost.peak_minutes, created_at=now, updated_at=now))
    _in_savepoint(lambda: db.session.add(series))
    audit.record("season_wish.series", series, actor=None, round_id=season_round.id,
                 wish_id=wish.id, association_id=application.association_id,
                 occurrences=len(free), skipped=[d.isoformat() for d, _why in skipped])
    return series


# --- leftover slots ------------------------------------------------------------------------------

Span = tuple[int, int]  # minutes after local midnight, half-open


@dataclass
class Leftover:
    """A weekly slot nobody was allocated, and on which of the season's dates it is free."""
    premises: Premises
    weekday: int
    start_minute: int
    end_minute: int
    free_dates: list[date] = field(default_factory=list)
    # The season's dates on the weekday from today on (the ``free_dates`` are among them).
    dates: list[date] = field(default_factory=list)

    @property
    def minutes(self) -> int:
        return self.end_minute - self.start_minute

    @property
    def weeks(self) -> int:
        return len(self.dates)

    @property
    def taken_dates(self) -> list[date]:
        """The dates the slot is not free (booked, closed or already begun)."""
        free = set(self.free_dates)
        return [d for d in self.dates if d not in free]

    @property
    def first_free(self) -> date | None:
        return self.free_dates[0] if self.free_dates else None


def _merge(spans: list[Span]) -> list[Span]:
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def _intersect(a: list[Span], b: list[Span]) -> list[Span]:
    """The minutes in both (each list merged)."""
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def _subtract(span: Span, taken: list[Span]) -> list[Span]:
    """``span`` without the (merged) ``taken`` minutes."""
    out, cursor = [], span[0]
    for start, end in taken:
        if end <= cursor or start >= span[1]:
            continue
        if start > cursor:
            out.append((cursor, start))
        cursor = max(cursor, end)
    if cursor < span[1]:
        out.append((cursor, span[1]))
    return out


def _booked_by_day(premises_ids: list[int], first_day: date, last_day: date
                   ) -> dict[tuple[int, date], list[Span]]:
    """The active occurrences of the premises on the local days ``first_day``–``last_day``,
    as wall-clock minutes per (premises, day) – one query, whatever the number of slots."""
    from lokapp.bookings.models import ACTIVE_STATES, MAX_OCCURRENCE_LENGTH
    from lokapp.bookings.rules import at
    from lokapp.core.time import to_local

    booked: dict[tuple[int, date], list[Span]] = defaultdict(list)
    if not premises_ids:
        return booked
    window_start, window_end = at(first_day, 0), at(last_day + timedelta(days=1), 0)
    rows = db.session.execute(
        select(BookingOccurrence.premises_id, BookingOccurrence.starts_at,
               BookingOccurrence.ends_at)
        .where(BookingOccurrence.premises_id.in_(premises_ids),
               BookingOccurrence.state.in_(ACTIVE_STATES),
               BookingOccurrence.starts_at < window_end,
               BookingOccurrence.ends_at > window_start,
               BookingOccurrence.starts_at > window_start - MAX_OCCURRENCE_LENGTH)).all()
    for premises_id, starts_at, ends_at in rows:
        start, end = to_local(starts_at), to_local(ends_at)
        day, minute = start.date(), start.hour * 60 + start.minute
        while day <= end.date():  # an occurrence past midnight takes a piece of each day
            until = end.hour * 60 + end.minute if day == end.date() else 1440
            if until > minute:
                booked[(premises_id, day)].append((minute, until))
            day, minute = day + timedelta(days=1), 0
    return {key: _merge(spans) for key, spans in booked.items()}


def _split_by_bookings(span: Span, booked: list[list[Span]], shortest: int
                       ) -> list[tuple[Span, set[int]]]:
    """``span`` cut where the bookings of the dates (``booked[n]``: date n's merged spans)
    begin or end, each piece with the indexes of the dates it is free on. Neighbours free on
    the same dates are joined, and a piece shorter than ``shortest`` is joined to the
    neighbour it shares more free dates with – so one booking in one week does not make a
    whole afternoon look taken, nor do many bookings shred it into crumbs."""
    cuts = {span[0], span[1]}
    for spans in booked:
        for start, end in spans:
            cuts.update(c for c in (start, end) if span[0] < c < span[1])
    edges = sorted(cuts)
    pieces = [((a, b), {n for n, spans in enumerate(booked)
                        if not _intersect([(a, b)], spans)})
              for a, b in pairwise(edges)]

    def join(i: int) -> None:
        (a, _b), free_a = pieces[i]
        (_c, d), free_b = pieces[i + 1]
        pieces[i:i + 2] = [((a, d), free_a & free_b)]

    i = 0
    while i + 1 < len(pieces):
        if pieces[i][1] == pieces[i + 1][1]:
            join(i)
        else:
            i += 1
    while len(pieces) > 1:
        short = next((i for i, ((a, b), _f) in enumerate(pieces) if b - a < shortest), None)
        if short is None:
            break
        before = len(pieces[short][1] & pieces[short - 1][1]) if short > 0 else -1
        after = (len(pieces[short][1] & pieces[short + 1][1]) if short + 1 < len(pieces)
                 else -1)
        join(short if after >= before else short - 1)
    return pieces


def leftover_slots(season_round: SeasonRound, *, now: datetime | None = None
                   ) -> list[Leftover]:
    """Free weekly slots of the round's premises and the dates each is free on.

    The opening hours minus the round's allocations, cut where ordinary bookings begin or
    end (see :func:`_split_by_bookings`), at least the premises' shortest booking long. A
    date is free when the premises is open then and nothing active is booked in the slot
    (ordinary bookings as well as the round's series); only dates from today on count, and
    slots without a free date are left out. Bounded queries: the allocations and the
    occurrences of all the round's premises in the season, one query each.
    """
    now = now or utcnow()
    first_day = max(season_round.season_starts_on, to_day(now))
    if first_day > season_round.season_ends_on:
        return []
    allocated: dict[tuple[int, int], list[Span]] = defaultdict(list)
    rows = db.session.execute(
        select(SeasonWish.allocated_premises_id, SeasonWish.weekday, SeasonWish.start_minute,
               SeasonWish.end_minute)
        .join(SeasonApplication, SeasonApplication.id == SeasonWish.application_id)
        .where(SeasonApplication.round_id == season_round.id,
               SeasonWish.allocated_premises_id.is_not(None))).all()
    for premises_id, weekday, start, end in rows:
        allocated[(premises_id, weekday)].append((start, end))
    booked = _booked_by_day([p.id for p in season_round.premises], first_day,
                            season_round.season_ends_on)
    slots = []
    for premises in season_round.premises:
        calendar = Calendar(premises)
        for hours in premises.opening_hours:
            day = first_day + timedelta(days=(hours.weekday - first_day.weekday()) % 7)
            dates = []
            while day <= season_round.season_ends_on:
                dates.append(day)
                day += timedelta(weeks=1)
            open_dates = [d for d in dates if calendar.closed_reason(d) is None]
            if not open_dates:
                continue
            open_booked = [booked.get((premises.id, d), []) for d in open_dates]
            weekly = _subtract((hours.opens_minute, hours.closes_minute),
                               _merge(allocated.get((premises.id, hours.weekday), [])))
            for piece in weekly:
                if piece[1] - piece[0] < premises.min_minutes:
                    continue
                for (start, end), free_at in _split_by_bookings(piece, open_booked,
                                                                premises.min_minutes):
                    free = [open_dates[n] for n in sorted(free_at)
                            if not [p for p in calendar.date_problems(
                                open_dates[n], start, end, now=now)
                                if p.code not in IGNORED_DATE_PROBLEMS]]
                    if free and end - start >= premises.min_minutes:
                        slots.append(Leftover(premises, hours.weekday, start, end, free,
                                              dates))
    return slots


# --- equal-treatment data ------------------------------------------------------------------------

def hours_csv(season_round: SeasonRound) -> bytes:
    """One row per application: the association, its category and district, the outcome and
    the requested and allocated hours per week (the stored figures once published) – the
    round's part of the equal-treatment report. Text cells cannot become formulas."""
    import csv
    import io

    from lokapp.bookings.reports import _hours, _safe

    applications = load_applications(season_round)
    if applications:  # the districts of every association in one query
        db.session.scalars(select(Association).where(
            Association.id.in_([a.association_id for a in applications]))
            .options(selectinload(Association.districts))).all()
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([_("Omgång"), _("Förening"), _("Organisationsnummer"), _("Kategori"),
                     _("Stadsdel"), _("Ärendenummer"), _("Bidragsberättigad"), _("Önskemål"),
                     _("Tilldelade önskemål"), _("Begärda timmar per vecka"),
                     _("Tilldelade timmar per vecka"), _("Varav högtrafik, timmar per vecka"),
                     _("Andel högtrafik, procent"), _("Andel barn och unga 7–25, procent"),
                     _("Utfall")])
    for row in hours_per_association(applications, season_round.premises):
        association, application = row.association, row.application
        wishes = application.wishes
        total = sum(w.total_participants for w in wishes)
        youth = sum(p.count for w in wishes for p in w.participants
                    if p.age_band in YOUTH_BANDS)
        category = association.category
        writer.writerow([
            _safe(season_round.name), _safe(association.name), association.orgnr or "",
            _safe(category.name_sv) if category is not None else "",
            _safe(", ".join(d.name for d in association.districts)),
            application.case.number if application.case else "",
            "" if application.was_eligible is None else (_("ja") if application.was_eligible
                                                          else _("nej")),
            row.wishes, row.allocated_wishes, _hours(row.requested_minutes),
            _hours(row.allocated_minutes), _hours(row.allocated_peak_minutes),
            "" if row.peak_percent is None else str(row.peak_percent),
            str(round(100 * youth / total)) if total else "",
            str(application.outcome.label) if application.outcome else _("Inte beslutad")])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
