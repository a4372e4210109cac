"""Expected participants of an application, where the programme asks (``asks_participants``).

The association says how many it expects to take part, as counts per age band and gender of
the register (``AgeBand`` / ``Gender``) – never persons. The counts are stored as rows of
``grant_application_participants`` (one per non-zero cell), are required for submit (at least
one participant), are copied with "copy last year's application", and go into the
equal-treatment snapshot at submission (``snapshot["participants"]``, keyed
``"<age band>:<gender>"`` like the member counts). The form and the template macros are
shared with the follow-up report: :mod:`lokapp.grants.forms_participants`,
``templates/_macros/participants.html``.
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from lokapp.associations.models import AgeBand, Gender
from lokapp.core import audit
from lokapp.extensions import db
from lokapp.grants.models import GrantApplication, GrantApplicationParticipants, GrantProgramme


def applies(programme: GrantProgramme) -> bool:
    return bool(programme.asks_participants)


def counts_of(application: GrantApplication) -> dict[tuple[str, str], int]:
    """``{(age band, gender): count}`` of the non-zero cells."""
    return {(str(p.age_band.value), str(p.gender.value)): p.count
            for p in application.participants}


def total_of(application: GrantApplication) -> int:
    return sum(p.count for p in application.participants)


def rows(counts: dict[tuple[str, str], int]) -> list[tuple[AgeBand, list[tuple[Gender, int]]]]:
    """The grid for a read-only table: ``[(band, [(gender, count), …]), …]``."""
    return [(b, [(g, counts.get((b.value, g.value), 0)) for g in Gender]) for b in AgeBand]


def _set(application: GrantApplication, counts: dict[tuple[str, str], int]) -> None:
    application.participants.clear()
    if application.id is not None:
        db.session.flush()  # the old rows go before new ones take their keys
    for (band, gender), count in sorted(counts.items()):
        if count:
            application.participants.append(GrantApplicationParticipants(
                age_band=AgeBand(band), gender=Gender(gender), count=count))


def save_participants(application: GrantApplication, counts: dict[tuple[str, str], int],
                      user: Any) -> int:
    """Store the step "Deltagare" (counts already validated); returns the total."""
    from lokapp.grants.services import GrantError, _editable

    _editable(application)
    if not applies(application.programme):
        raise GrantError(_("Bidragsformen frågar inte efter deltagare."))
    if any(count < 0 for count in counts.values()):
        raise GrantError(_("Antalet deltagare kan inte vara negativt."))
    _set(application, counts)
    db.session.flush()
    total = total_of(application)
    audit.record("grant_application.participants_saved", application, actor=user,
                 participants=total)
    return total


def missing_for_submit(application: GrantApplication) -> list[str]:
    if applies(application.programme) and not total_of(application):
        return [_("Fyll i hur många deltagare ni räknar med, efter ålder och kön.")]
    return []


def copy_previous(programme: GrantProgramme, source: GrantApplication,
                  application: GrantApplication) -> None:
    """Last year's expected participants, as a start (only if the programme still asks)."""
    if applies(programme):
        _set(application, counts_of(source))


def snapshot(application: GrantApplication) -> dict[str, Any]:
    """The participants part of the equal-treatment snapshot (empty if not asked)."""
    if not applies(application.programme):
        return {}
    return {"participants": {f"{band}:{gender}": count
                             for (band, gender), count in sorted(counts_of(application).items())},
            "participants_total": total_of(application)}
