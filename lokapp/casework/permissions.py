"""Who may use the officers' queue and to whom cases may be assigned.

- **The queue** (``casework.view_queue``): staff who work as officers in at least one case area
  (register, grants, bookings – each by its domain's own officer rule, see :mod:`.registry`).
- **Assigning** (``casework.assign_to``): to oneself or to an officer who shares at least one
  of one's case areas. Which *cases* may go to that officer (their area, jäv) is decided per
  case by :func:`lokapp.casework.services.assign`.
"""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from lokapp.casework.registry import case_types_of
from lokapp.core.permissions import Decision, permission

_NO_AREA = _l("Du arbetar inte med något handläggningsområde.")
_OTHER_AREA = _l("Välj en handläggare inom ditt område.")


@permission("casework.view_queue")
def can_view_queue(user: Any) -> Decision:
    if case_types_of(user):
        return Decision(True)
    return Decision(False, str(_NO_AREA))


@permission("casework.assign_to")
def can_assign_to(user: Any, officer: Any) -> Decision:
    if getattr(officer, "is_disabled", True) or not set(case_types_of(user)) & set(
            case_types_of(officer)):
        return Decision(False, str(_OTHER_AREA))
    return Decision(True)
