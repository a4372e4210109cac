"""Helpers for the seasonal allocation tests: a round, an association with a booking manager,
wishes with participants."""
from __future__ import annotations

from datetime import date, timedelta

from lokapp.bookings import seasons
from lokapp.bookings.season_models import RoundState, SeasonRound
from lokapp.core.time import today_local
from lokapp.extensions import db
from tests.bookings.helpers import add_member, build_premises

RULES = ["youth", "last_season", "eligible", "applied_at"]


def make_round(premises, *, name="Hösten 2027", keys=None, previous=None,
               opens: date | None = None, closes: date | None = None,
               starts: date | None = None, ends: date | None = None) -> SeasonRound:
    """A round whose application window is open today (unless dates are given)."""
    today = today_local()
    opens = opens or today - timedelta(days=1)
    closes = closes or today + timedelta(days=5)
    starts = starts or closes + timedelta(days=10)
    ends = ends or starts + timedelta(weeks=8)
    season_round = SeasonRound(
        name=name, season_starts_on=starts, season_ends_on=ends, applications_open_on=opens,
        applications_close_on=closes, rules_text="Barn och unga går först.\n\nSedan förra "
        "säsongens tider.", priority_keys=list(RULES if keys is None else keys),
        previous_round=previous, state=RoundState.OPEN)
    season_round.premises = list(premises)
    db.session.add(season_round)
    db.session.flush()
    return season_round


def close_window(season_round: SeasonRound, *, closes: date, starts: date, ends: date) -> None:
    """Move the round's dates (applications were made while it was open)."""
    season_round.applications_open_on = closes - timedelta(days=30)
    season_round.applications_close_on = closes
    season_round.season_starts_on, season_round.season_ends_on = starts, ends
    db.session.flush()


def manager(make_user, make_association, name=None):
    user = make_user()
    association = make_association(name=name) if name else make_association()
    add_member(user, association, "booking_manager")
    return user, association


def wish(weekday, start, end, premises, alt=None, *, youth=0, adults=10,
         activity="Träning") -> seasons.WishData:
    """A weekly wish ``start``–``end`` (hours, e.g. 18 or 18.5) on ``weekday`` (0 = Monday)."""
    counts = {}
    if youth:
        counts[("13-20", "woman")] = youth
    if adults:
        counts[("26-64", "man")] = adults
    return seasons.WishData(weekday, int(start * 60), int(end * 60), premises.id,
                            alt.id if alt is not None else None, activity, counts)


def apply(season_round, association, user, *wishes):
    return [seasons.save_wish(season_round, association, user, data) for data in wishes]


__all__ = ["build_premises", "make_round", "manager", "wish", "apply", "close_window"]
