"""Queries of the register's workflow pages; they return ``select()`` so views can paginate.

(The public directory has its own ``queries.py``.)
"""
from __future__ import annotations

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from lokapp.associations.models import (
    AnnualUpdate,
    Association,
    AssociationDocument,
    AssociationInvitation,
    CompletionRequest,
    DocumentType,
    MemberCount,
    SensitiveChange,
)
from lokapp.associations.workflow import CASE_TYPES, REGISTRATION, WORKFLOWS
from lokapp.auth.models import AssociationMember, User
from lokapp.core.cases import Case, CaseHistory
from lokapp.core.time import utcnow


def open_states() -> set[str]:
    """Every state of the register's case types that is not final (drafts excluded)."""
    return {s.value for workflow in WORKFLOWS.values() for s in workflow.open_states
            if s.value != "draft"}


def register_cases(case_type: str | None = None, only_open: bool = True) -> Select:
    """The officers' list: submitted register cases with their association, oldest first
    among open cases (first come, first served), newest first otherwise."""
    query = (select(Case, Association.name)
             .join(Association, Association.id == Case.association_id)
             .where(Case.case_type.in_([case_type] if case_type else CASE_TYPES),
                    Case.submitted_at.is_not(None))
             .options(joinedload(Case.applicant)))
    if only_open:
        return query.where(Case.state.in_(open_states())).order_by(Case.submitted_at, Case.id)
    return query.order_by(Case.submitted_at.desc(), Case.id.desc())


def count_of(query: Select) -> Select:
    return select(func.count()).select_from(query.order_by(None).subquery())


def history_with_actors(case: Case) -> Select:
    return (select(CaseHistory).where(CaseHistory.case_id == case.id)
            .options(joinedload(CaseHistory.actor))
            .order_by(CaseHistory.occurred_at, CaseHistory.id))


def completion_requests(case: Case) -> Select:
    return (select(CompletionRequest).where(CompletionRequest.case_id == case.id)
            .order_by(CompletionRequest.requested_at.desc(), CompletionRequest.id.desc()))


def memberships(user: User) -> Select:
    """The associations ``user`` represents, by name."""
    return (select(AssociationMember, Association)
            .join(Association, Association.id == AssociationMember.association_id)
            .where(AssociationMember.user_id == user.id)
            .options(selectinload(AssociationMember.roles))
            .order_by(Association.name, Association.id))


def my_registrations(user: User) -> Select:
    """Registrations ``user`` has sent in that are not approved (approved ones are in the
    list of associations), newest first."""
    return (select(Case, Association.name)
            .join(Association, Association.id == Case.association_id)
            .where(Case.case_type == REGISTRATION, Case.applicant_id == user.id,
                   Case.state != "approved")
            .order_by(Case.created_at.desc(), Case.id.desc()))


def invitations_for(user: User) -> Select:
    return (select(AssociationInvitation)
            .where(AssociationInvitation.email == User.normalise_email(user.email),
                   AssociationInvitation.accepted_at.is_(None),
                   AssociationInvitation.revoked_at.is_(None),
                   AssociationInvitation.expires_at > utcnow())
            .options(joinedload(AssociationInvitation.association))
            .order_by(AssociationInvitation.created_at.desc()))


def documents_of(association_id: int, year: int | None = None) -> Select:
    query = (select(AssociationDocument)
             .where(AssociationDocument.association_id == association_id)
             .options(joinedload(AssociationDocument.file)))
    if year is not None:
        query = query.where(or_(AssociationDocument.year == year,
                                AssociationDocument.doc_type == DocumentType.STATUTES))
    return query.order_by(AssociationDocument.year.desc(), AssociationDocument.doc_type,
                          AssociationDocument.uploaded_at.desc())


def document_types_for_year(association_id: int, year: int) -> Select:
    return (select(AssociationDocument.doc_type).distinct()
            .where(AssociationDocument.association_id == association_id,
                   AssociationDocument.year == year))


def has_statutes(association_id: int) -> Select:
    return select(AssociationDocument.id).where(
        AssociationDocument.association_id == association_id,
        AssociationDocument.doc_type == DocumentType.STATUTES).limit(1)


def member_counts(association_id: int) -> Select:
    return (select(MemberCount).where(MemberCount.association_id == association_id)
            .order_by(MemberCount.year.desc()))


def annual_updates(association_id: int) -> Select:
    return (select(AnnualUpdate).where(AnnualUpdate.association_id == association_id)
            .order_by(AnnualUpdate.year.desc()))


def change_for_case(case: Case) -> Select:
    return select(SensitiveChange).where(SensitiveChange.case_id == case.id)


def annual_update_for_case(case: Case) -> Select:
    return select(AnnualUpdate).where(AnnualUpdate.case_id == case.id)
