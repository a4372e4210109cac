"""Assigning cases to an officer (flushes, never commits).

Jäv: an officer linked to the association in any role may not handle its cases, so such cases
are skipped, never assigned. Cases outside the acting officer's areas or the chosen officer's
areas are skipped too. Each assignment writes an audit event.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from lokapp.auth.models import AssociationMember
from lokapp.casework.registry import case_types_of
from lokapp.core import audit
from lokapp.core.cases import Case
from lokapp.extensions import db

MAX_BULK = 500


@dataclass
class AssignResult:
    assigned: list[Case] = field(default_factory=list)
    unchanged: list[Case] = field(default_factory=list)
    disqualified: list[Case] = field(default_factory=list)
    outside_area: list[Case] = field(default_factory=list)


def assign(case_ids: list[int], officer: Any, actor: Any) -> AssignResult:
    """Assign the numbered cases ``case_ids`` (that ``actor`` may see) to ``officer``."""
    result = AssignResult()
    visible = case_types_of(actor)
    ids = sorted(set(case_ids))[:MAX_BULK]
    if not ids or not visible:
        return result
    cases = db.session.scalars(
        select(Case).where(Case.id.in_(ids), Case.number.is_not(None),
                           Case.case_type.in_(visible))
        .order_by(Case.year, Case.sequence)).all()
    officer_types = set(case_types_of(officer))
    association_ids = {c.association_id for c in cases if c.association_id is not None}
    linked = set(db.session.scalars(
        select(AssociationMember.association_id).where(
            AssociationMember.user_id == officer.id,
            AssociationMember.association_id.in_(association_ids)))) if association_ids else set()
    for case in cases:
        if case.case_type not in officer_types:
            result.outside_area.append(case)
        elif case.association_id in linked:
            result.disqualified.append(case)
        elif case.assigned_officer_id == officer.id:
            result.unchanged.append(case)
        else:
            previous = case.assigned_officer_id
            case.assigned_officer_id = officer.id
            audit.record("case.assigned", case, actor=actor, officer_id=officer.id,
                         previous_officer_id=previous, number=case.number)
            result.assigned.append(case)
    db.session.flush()
    return result
