"""Who may do what in a seasonal allocation round – the only place these rules live.

- **visitors** see the rounds, their dates and published priority rules, and the leftover
  slots once the results are published (no predicate needed);
- **administrators** open and edit rounds (:func:`can_manage_rounds`, the same people who keep
  the premises catalogue);
- **association booking managers** (bokningsansvarig or administratör of a registered
  association) apply for their association, and edit the application while the window is
  open; nobody else sees it (:func:`can_view_application`, :func:`can_edit_application`);
- **bookings officers** (officer, area bookings) see every application, allocate and publish
  (:func:`can_allocate`). An officer who is a member of an applying association is
  disqualified (jäv) from allocating that association's wishes by hand
  (:func:`can_allocate_wish`; the allocation view says so at those rows). The proposal and
  publishing apply the round's published rules to every application alike and stay open to
  them.

Kept apart from :mod:`lokapp.bookings.permissions` only to keep the round's files together;
the predicates build on the same rules (:func:`~lokapp.bookings.permissions.manages_association`,
:func:`~lokapp.bookings.permissions.is_bookings_officer`).
"""
from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _

from lokapp.auth.models import GlobalRole
from lokapp.bookings.permissions import is_bookings_officer, manages_association
from lokapp.bookings.season_models import RoundState, SeasonApplication, SeasonRound
from lokapp.core.permissions import Decision, permission
from lokapp.core.time import today_local


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def window_is_open(season_round: SeasonRound, today: date | None = None) -> bool:
    today = today or today_local()
    return (season_round.state == RoundState.OPEN
            and season_round.applications_open_on <= today <= season_round.applications_close_on)


@permission("bookings.manage_rounds")
def can_manage_rounds(user: Any) -> Decision:
    if _authenticated(user) and user.has_role(GlobalRole.ADMIN):
        return Decision(True)
    return Decision(False, _("Säsongsbokningens omgångar sköts av administratörer."))


@permission("bookings.allocate_season")
def can_allocate(user: Any, season_round: SeasonRound | None = None) -> Decision:
    if is_bookings_officer(user):
        return Decision(True)
    return Decision(False, _("Fördelningen görs av handläggare med området lokalbokning."))


def is_member(user: Any, association_id: int) -> bool:
    from sqlalchemy import select

    from lokapp.auth.models import AssociationMember
    from lokapp.extensions import db

    return db.session.scalar(select(AssociationMember.id).where(
        AssociationMember.user_id == user.id,
        AssociationMember.association_id == association_id).limit(1)) is not None


@permission("bookings.season_allocate_wish")
def can_allocate_wish(user: Any, wish: Any) -> Decision:
    """Allocate or take back one wish by hand: a bookings officer, not for their own
    association (jäv)."""
    decision = can_allocate(user)
    if not decision:
        return decision
    if is_member(user, wish.application.association_id):
        return Decision(False, _("Du är med i föreningen och är därför jävig. Be en kollega "
                                 "att fördela den här tiden."))
    return Decision(True)


@permission("bookings.season_view_application")
def can_view_application(user: Any, application: SeasonApplication) -> Decision:
    if is_bookings_officer(user) or manages_association(user, application.association_id):
        return Decision(True)
    return Decision(False, _("Ansökan hör inte till en förening där du är bokningsansvarig."))


@permission("bookings.season_apply")
def can_apply(user: Any, season_round: SeasonRound, association_id: int,
              today: date | None = None) -> Decision:
    """Create or change the association's application: its booking managers, in the window."""
    if not manages_association(user, association_id):
        return Decision(False, _(
            "Du kan bara ansöka för föreningar där du är bokningsansvarig eller administratör "
            "och som är registrerade."))
    if not window_is_open(season_round, today):
        return Decision(False, _(
            "Ansökningstiden är %(start)s–%(end)s. Ansökan kan inte ändras utanför den.",
            start=season_round.applications_open_on.isoformat(),
            end=season_round.applications_close_on.isoformat()))
    return Decision(True)


@permission("bookings.season_apply_case")
def can_apply_case(user: Any, case: Any) -> Decision:
    """The workflow's submit and withdraw: a booking manager of the case's association."""
    if manages_association(user, case.association_id):
        return Decision(True)
    return Decision(False, _("Bara föreningens bokningsansvariga kan skicka in eller "
                             "återkalla ansökan."))


@permission("bookings.season_decide")
def can_decide(user: Any, case: Any) -> Decision:
    return can_allocate(user)
