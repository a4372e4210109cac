"""Which case types the queue shows, whose area they belong to and where each case's page is.

One row per case type::

    registration / annual_update / sensitive_change  → area register → register.officer_case
    grant_application                                → area grants   → grants.officer_case
    booking                                          → area bookings → bookings.series
    season_application                               → area bookings → bookings.season_case

An officer covers an area when the domain's own officer predicate says so (the same rule the
domain's pages check), so the queue never links to a page that would answer 403.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import url_for

from lokapp.associations.permissions import is_register_officer
from lokapp.associations.workflow import ANNUAL_UPDATE, REGISTRATION, SENSITIVE_CHANGE
from lokapp.auth.models import StaffArea
from lokapp.bookings.permissions import is_bookings_officer
from lokapp.bookings.season_workflow import SEASON_APPLICATION
from lokapp.bookings.workflow import BOOKING
from lokapp.grants.permissions import is_grant_officer
from lokapp.grants.workflow import GRANT_APPLICATION


@dataclass(frozen=True)
class CaseKind:
    case_type: str
    area: StaffArea
    endpoint: str
    # The URL parameter name and which id of the queue row fills it ("case", "grant", "series").
    param: str
    source: str


KINDS: dict[str, CaseKind] = {k.case_type: k for k in (
    CaseKind(REGISTRATION, StaffArea.REGISTER, "register.officer_case", "case_id", "case"),
    CaseKind(ANNUAL_UPDATE, StaffArea.REGISTER, "register.officer_case", "case_id", "case"),
    CaseKind(SENSITIVE_CHANGE, StaffArea.REGISTER, "register.officer_case", "case_id", "case"),
    CaseKind(GRANT_APPLICATION, StaffArea.GRANTS, "grants.officer_case", "application_id",
             "grant"),
    CaseKind(BOOKING, StaffArea.BOOKINGS, "bookings.series", "series_id", "series"),
    CaseKind(SEASON_APPLICATION, StaffArea.BOOKINGS, "bookings.season_case", "case_id",
             "case"),
)}

AREA_RULES: dict[StaffArea, Callable[[Any], bool]] = {
    StaffArea.REGISTER: is_register_officer,
    StaffArea.GRANTS: is_grant_officer,
    StaffArea.BOOKINGS: is_bookings_officer,
}


def areas_of(user: Any) -> set[StaffArea]:
    """The case areas ``user`` works in as an officer."""
    return {area for area, rule in AREA_RULES.items() if rule(user)}


def case_types_of(user: Any) -> tuple[str, ...]:
    """The case types ``user`` may see in the queue, in the registry's order."""
    areas = areas_of(user)
    return tuple(t for t, kind in KINDS.items() if kind.area in areas)


def case_url(row: Any) -> str | None:
    """The domain's case page for a queue row (``case_id``, ``grant_id``, ``series_id``)."""
    kind = KINDS.get(row.case_type)
    if kind is None:
        return None
    value = {"case": row.case_id, "grant": row.grant_id, "series": row.series_id}[kind.source]
    if value is None:
        return None
    return url_for(kind.endpoint, **{kind.param: value})
