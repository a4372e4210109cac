"""Who may do what with premises and bookings – the only place these rules live.

People:

- **visitors** see the published catalogue and its availability (no predicate needed);
- **residents** (any logged-in person) book premises open to residents, for themselves;
- **association booking managers**: an ``AssociationMember`` with the role
  *bokningsansvarig* or *administratör* of a *registered* association books for it, on
  premises open to associations, and manages every booking of that association;
- **bookings officers**: staff with the role *officer* and the area *bookings* decide booking
  requests and may cancel any booking (with reasons). An officer who is the booker, or a
  member of the booking association, is disqualified (jäv) from deciding it;
- **administrators** keep the catalogue: premises, hours, blackouts, tariffs.

The *booker side* of a series is the person who booked it and, for an association's booking,
the association's booking managers. Access instructions (keys, door codes) are shown to the
booker side only, and only while the series has a confirmed occurrence.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from lokapp.associations.models import Association, RegisterState
from lokapp.auth.models import (
    AssociationMember,
    AssociationMemberRole,
    AssociationRole,
    GlobalRole,
    StaffArea,
)
from lokapp.bookings.models import (
    BookingOccurrence,
    BookingSeries,
    OccurrenceState,
    Premises,
)
from lokapp.bookings.rules import cancellation_deadline
from lokapp.casework.models import declared_disqualification
from lokapp.core.cases import Case
from lokapp.core.permissions import Decision, permission
from lokapp.core.time import format_local, utcnow
from lokapp.extensions import db

BOOKING_ROLES = (AssociationRole.BOOKING_MANAGER, AssociationRole.ADMINISTRATOR)


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_bookings_officer(user: Any) -> bool:
    return (_authenticated(user) and user.has_role(GlobalRole.OFFICER)
            and user.has_area(StaffArea.BOOKINGS))


def booking_associations_query(user_id: int):
    """``select(Association)``: the registered associations ``user_id`` may book for."""
    return (select(Association)
            .join(AssociationMember, AssociationMember.association_id == Association.id)
            .join(AssociationMemberRole, AssociationMemberRole.member_id == AssociationMember.id)
            .where(AssociationMember.user_id == user_id,
                   AssociationMemberRole.role.in_(BOOKING_ROLES),
                   Association.register_state == RegisterState.REGISTERED)
            .distinct().order_by(Association.name))


def booking_associations(user: Any) -> list[Association]:
    if not _authenticated(user):
        return []
    return list(db.session.scalars(booking_associations_query(user.id)))


def manages_association(user: Any, association_id: int | None) -> bool:
    """Whether ``user`` may book for (and manage the bookings of) the association."""
    if not _authenticated(user) or association_id is None:
        return False
    return db.session.scalar(
        select(AssociationMember.id)
        .join(AssociationMemberRole, AssociationMemberRole.member_id == AssociationMember.id)
        .join(Association, Association.id == AssociationMember.association_id)
        .where(AssociationMember.user_id == user.id,
               AssociationMember.association_id == association_id,
               AssociationMemberRole.role.in_(BOOKING_ROLES),
               Association.register_state == RegisterState.REGISTERED)
        .limit(1)) is not None


def is_booker_side(user: Any, series: BookingSeries) -> bool:
    if not _authenticated(user):
        return False
    if series.association_id is not None:
        return manages_association(user, series.association_id)
    return series.booked_by_id == user.id


# --- the catalogue --------------------------------------------------------------------------

@permission("bookings.manage_premises")
def can_manage_premises(user: Any) -> bool:
    return _authenticated(user) and user.has_role(GlobalRole.ADMIN)


@permission("bookings.book")
def can_book(user: Any, premises: Premises) -> Decision:
    """Request a booking of ``premises`` – for oneself or for an association."""
    if not premises.is_published:
        return Decision(False, _("Lokalen går inte att boka just nu."))
    if not _authenticated(user):
        return Decision(False, _("Logga in för att boka."))
    if premises.bookable_by_residents:
        return Decision(True)
    if premises.bookable_by_associations and booking_associations(user):
        return Decision(True)
    if premises.bookable_by_associations:
        return Decision(False, _(
            "Den här lokalen bokas bara av föreningar. Du behöver vara bokningsansvarig eller "
            "administratör för en registrerad förening för att boka den."))
    return Decision(False, _("Lokalen går inte att boka här."))


# --- bookings -------------------------------------------------------------------------------

@permission("bookings.view_series")
def can_view_series(user: Any, series: BookingSeries) -> Decision:
    if is_bookings_officer(user) or is_booker_side(user, series):
        return Decision(True)
    return Decision(False, _("Bokningen hör inte till dig eller din förening."))


@permission("bookings.see_access_instructions")
def can_see_access_instructions(user: Any, series: BookingSeries) -> bool:
    return is_booker_side(user, series) and any(
        o.state == OccurrenceState.CONFIRMED and o.ends_at > utcnow()
        for o in series.occurrences)


@permission("bookings.cancel")
def can_cancel(user: Any, occurrence: BookingOccurrence, now: datetime | None = None) -> Decision:
    """The booker side cancels an active occurrence up to the premises' deadline."""
    if not is_booker_side(user, occurrence.series):
        return Decision(False, _("Bokningen hör inte till dig eller din förening."))
    if not occurrence.is_active:
        return Decision(False, _("Tiden är redan avbokad eller avslagen."))
    now = now or utcnow()
    deadline = cancellation_deadline(occurrence.premises, occurrence.starts_at)
    if now > deadline:
        return Decision(False, _(
            "Sista dag att avboka var %(deadline)s. Kontakta lokalbokningen om du inte kan "
            "använda tiden.", deadline=format_local(deadline)))
    return Decision(True)


@permission("bookings.cancel_as_officer")
def can_cancel_as_officer(user: Any, occurrence: BookingOccurrence) -> Decision:
    if not is_bookings_officer(user):
        return Decision(False, _("Bara handläggare för lokalbokning kan avboka andras tider."))
    if not occurrence.is_active:
        return Decision(False, _("Tiden är redan avbokad eller avslagen."))
    series = occurrence.series
    case = series.decision_case  # a split-off series answers to the case it began in
    return _not_disqualified(user, applicant_id=series.booked_by_id,
                             association_id=series.association_id,
                             case_id=case.id if case is not None else None)


@permission("bookings.reschedule")
def can_reschedule(user: Any, occurrence: BookingOccurrence) -> Decision:
    """Move an occurrence or change the time of the series from it on: a bookings officer
    while it has not started, the booker side as long as they could cancel it, on premises
    that need no approval."""
    if is_bookings_officer(user) and not is_booker_side(user, occurrence.series):
        if occurrence.is_active and occurrence.starts_at > utcnow():
            return can_cancel_as_officer(user, occurrence)  # jäv, as the service asks
        return Decision(False, _("Tiden har redan börjat eller är inte längre bokad."))
    decision = can_cancel(user, occurrence)
    if not decision:
        return decision
    if occurrence.premises.requires_approval:
        return Decision(False, _("Bokningar av den här lokalen godkänns av en handläggare. "
                                 "Avboka och boka en ny tid, eller kontakta lokalbokningen."))
    return Decision(True)


# --- the booking case -----------------------------------------------------------------------

def _series_of(case: Case) -> BookingSeries | None:
    return db.session.scalar(select(BookingSeries).where(BookingSeries.case_id == case.id))


@permission("bookings.view_queue")
def can_view_queue(user: Any) -> Decision:
    if is_bookings_officer(user):
        return Decision(True)
    return Decision(False, _("Bokningsförfrågningar handläggs av handläggare med området "
                             "lokalbokning."))


@permission("bookings.handle")
def can_handle(user: Any, case: Case) -> Decision:
    """Approve or reject a booking request; not one's own or one's association's (jäv)."""
    if not is_bookings_officer(user):
        return Decision(False, _("Bokningsförfrågningar handläggs av handläggare med området "
                                 "lokalbokning."))
    return _not_disqualified(user, applicant_id=case.applicant_id,
                             association_id=case.association_id, case_id=case.id)


def _not_disqualified(user: Any, *, applicant_id: int | None, association_id: int | None,
                      case_id: int | None) -> Decision:
    """Jäv: the officer is the booker, a member of the booking association, or has declared
    a disqualification in the case. Deciding a request and cancelling as the city both are
    decisions on the booking, so both ask this."""
    if applicant_id == user.id:
        return Decision(False, _("Du har själv gjort bokningen och kan inte besluta om den."))
    if association_id is not None and db.session.scalar(
            select(AssociationMember.id).where(AssociationMember.user_id == user.id,
                                               AssociationMember.association_id
                                               == association_id)) is not None:
        return Decision(False, _("Du är med i föreningen som bokar och är därför jävig. Be en "
                                 "kollega att besluta."))
    if case_id is not None and declared_disqualification(user.id, case_id) is not None:
        return Decision(False, _("Du har anmält jäv i ärendet och kan inte besluta om det."))
    return Decision(True)


@permission("bookings.close")
def can_close(user: Any, case: Case) -> Decision:
    """Close a request whose times the city has all cancelled (a rejection): a bookings
    officer who could decide it, or an administrator whose blackout cancelled them."""
    if _authenticated(user) and user.has_role(GlobalRole.ADMIN):
        return Decision(True)
    return can_handle(user, case)


@permission("bookings.submit")
def can_submit(user: Any, case: Case) -> bool:
    return _authenticated(user) and case.applicant_id == user.id


@permission("bookings.withdraw")
def can_withdraw(user: Any, case: Case) -> Decision:
    series = _series_of(case)
    if series is not None and is_booker_side(user, series):
        return Decision(True)
    return Decision(False, _("Bara den som bokar kan återkalla förfrågan."))


# --- reports --------------------------------------------------------------------------------

@permission("bookings.view_reports")
def can_view_reports(user: Any) -> Decision:
    """The invoicing basis and the utilisation report: bookings officers and administrators."""
    if is_bookings_officer(user) or (_authenticated(user) and user.has_role(GlobalRole.ADMIN)):
        return Decision(True)
    return Decision(False, _("Rapporterna om lokalbokning är till för handläggare med området "
                             "lokalbokning och administratörer."))
