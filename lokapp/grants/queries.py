"""Grant queries; they return ``select(...)`` so views can paginate."""
from __future__ import annotations

from sqlalchemy import func, select

from lokapp.grants.models import GrantProgramme


def active_programmes():
    return select(GrantProgramme).where(GrantProgramme.is_active.is_(True)) \
        .order_by(GrantProgramme.name_sv)


def all_programmes():
    return select(GrantProgramme).order_by(GrantProgramme.is_active.desc(), GrantProgramme.name_sv)


def _officer_queue_states(decided: bool) -> list[str]:
    from lokapp.grants.workflow import DECIDED_STATES, OPEN, State

    # A sent follow-up report waits for the officer: it is listed with the open cases.
    return [s.value for s in DECIDED_STATES if s != State.FOLLOW_UP_SUBMITTED] \
        + [State.WITHDRAWN.value] if decided \
        else [s.value for s in OPEN] + [State.FOLLOW_UP_SUBMITTED.value]


def officer_queue_total(*, decided: bool = False):
    """How many applications :func:`officer_queue` lists (for its pages)."""
    from lokapp.core.cases import Case
    from lokapp.grants.models import GrantApplication

    return select(func.count(GrantApplication.id)) \
        .join(Case, Case.id == GrantApplication.case_id) \
        .where(Case.state.in_(_officer_queue_states(decided)))


def officer_queue(*, decided: bool = False):
    """Grant applications an officer works with: submitted and open (oldest first), or the
    decided and withdrawn ones (latest first). Drafts are never shown. The view shows it a
    page at a time (:func:`officer_queue_total` counts it)."""
    from sqlalchemy.orm import joinedload

    from lokapp.core.cases import Case
    from lokapp.grants.models import GrantApplication

    query = select(GrantApplication).join(Case, Case.id == GrantApplication.case_id) \
        .where(Case.state.in_(_officer_queue_states(decided))) \
        .options(joinedload(GrantApplication.case).joinedload(Case.assigned_officer),
                 joinedload(GrantApplication.programme),
                 joinedload(GrantApplication.association))
    # Ordered by the case alone (its id breaks ties), so the database reads a page in index
    # order (cases (decided_at, id) and (submitted_at, id)) instead of sorting every row.
    order = [Case.decided_at.desc(), Case.id.desc()] if decided \
        else [Case.submitted_at.asc(), Case.id.asc()]
    return query.order_by(*order)


def _decided_states() -> list[str]:
    """A decision stands in every state after it (the follow-up states too)."""
    from lokapp.grants.workflow import DECIDED_STATES

    return [s.value for s in DECIDED_STATES]


def granted_in(programme_id: int, year: int):
    """(association name, granted kronor, decided_at, recovered kronor or None) of the
    programme-year's granted applications, by association name – the public transparency
    list. A recovery (återkrav) is shown beside the grant, which stays as decided."""
    from lokapp.associations.models import Association
    from lokapp.core.cases import Case
    from lokapp.grants.follow_up_models import GrantFollowUp
    from lokapp.grants.models import GrantApplication, Outcome

    return select(Association.name, GrantApplication.granted_sek, Case.decided_at,
                  GrantFollowUp.recovered_sek) \
        .join(Case, Case.id == GrantApplication.case_id) \
        .join(Association, Association.id == GrantApplication.association_id) \
        .outerjoin(GrantFollowUp, GrantFollowUp.application_id == GrantApplication.id) \
        .where(GrantApplication.programme_id == programme_id, GrantApplication.year == year,
               Case.state.in_(_decided_states()),
               GrantApplication.outcome.in_([Outcome.APPROVED, Outcome.PARTIALLY_APPROVED])) \
        .order_by(Association.name, GrantApplication.id)


def handling_times(programme_id: int, year: int):
    """(submitted_at, decided_at) of every decided application of the programme-year."""
    from lokapp.core.cases import Case
    from lokapp.grants.models import GrantApplication

    return select(Case.submitted_at, Case.decided_at) \
        .join(GrantApplication, GrantApplication.case_id == Case.id) \
        .where(GrantApplication.programme_id == programme_id, GrantApplication.year == year,
               Case.state.in_(_decided_states()), Case.submitted_at.is_not(None))


def decided_years(programme_id: int):
    from lokapp.core.cases import Case
    from lokapp.grants.models import GrantApplication

    return select(GrantApplication.year).join(Case, Case.id == GrantApplication.case_id) \
        .where(GrantApplication.programme_id == programme_id,
               Case.state.in_(_decided_states())) \
        .distinct().order_by(GrantApplication.year.desc())
