"""The season allocation result letter's data, registered with the letters module.

One kind (``season_allocation``) whatever the outcome: one decision line per wish (the wish,
and what it got), the reasons for the wishes not met under Skäl för beslutet (mandatory when
the association got less than it asked for), the round's published priority rules as the
rules applied, and the appeal instructions (laglighetsprövning: the allocation rests on the
city's own rules). Contact details come from the letter frame (the deciding officer).
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from lokapp.bookings.rules import format_clock, weekday_plural
from lokapp.bookings.season_models import SeasonApplication, SeasonOutcome
from lokapp.bookings.season_workflow import SEASON_APPLICATION, SeasonCaseState
from lokapp.extensions import db

DELEGATION = ("kultur-, idrotts- och fritidsnämndens delegationsordning, avsnitt Lokaler, "
              "punkt 2 (fördelning av säsongstider)")


def _application(case: Any) -> SeasonApplication | None:
    return db.session.scalar(select(SeasonApplication).where(
        SeasonApplication.case_id == case.id))


def wish_label(wish: Any) -> str:
    choices = wish.premises.name
    if wish.alt_premises is not None:
        choices = _("%(first)s (i andra hand %(second)s)", first=choices,
                    second=wish.alt_premises.name)
    return (f"{weekday_plural(wish.weekday).capitalize()} {format_clock(wish.start_minute)}–"
            f"{format_clock(wish.end_minute)}, {choices}")


def letter_extras(case: Any) -> dict[str, Any]:
    from lokapp.bookings.seasons import PRIORITY_RULES
    from lokapp.core.time import to_local
    from lokapp.letters.context import long_date

    application = _application(case)
    if application is None or application.outcome is None:
        return {}
    season_round = application.round
    lines, unmet = [], []
    for wish in application.wishes:
        if wish.allocated_premises is not None:
            result = _("Tilldelad (%(premises)s)", premises=wish.allocated_premises.name)
        else:
            result = _("Inte tilldelad")
            unmet.append(f"{wish_label(wish)}: {wish.decision_reason or result}")
        lines.append({"label": wish_label(wish), "old": "", "new": result})
    rules = [f"{n}. {PRIORITY_RULES[key].label}" for n, key in
             enumerate(season_round.priority_keys or [], start=1) if key in PRIORITY_RULES]
    against = application.outcome != SeasonOutcome.ALLOCATED
    reasons = ""
    if against:
        reasons = "\n\n".join([
            _("Tiderna i %(round)s har fördelats efter omgångens publicerade "
              "prioriteringsregler: %(rules)s.", round=season_round.name,
              rules="; ".join(rules) or _("ansökningstid")),
            *unmet])
    decided_on = to_local(case.decided_at).date()
    return {
        "changes": lines,
        "rules": [_("Publicerade regler för säsongsbokningen %(round)s", round=season_round.name),
                  *rules],
        "decision": {"date": long_date(decided_on, "sv"), "iso_date": decided_on.isoformat(),
                     "reasons": reasons,
                     "note": "" if against else _("Föreningen har fått alla tider den sökte.")},
    }


def _case_url(case: Any) -> str:
    from lokapp.auth.services import absolute_url

    application = _application(case)
    return absolute_url("bookings.season_application", round_id=application.round_id,
                        association_id=application.association_id)


def issue_result_letter(application: SeasonApplication, user: Any):
    """Render, store and e-mail the result letter of a decided application (idempotent)."""
    from lokapp.letters.models import LetterKind
    from lokapp.letters.services import issue_letter

    return issue_letter(application.case, LetterKind.SEASON_ALLOCATION, actor=user)


def register() -> None:
    from lokapp.auth.models import StaffArea
    from lokapp.letters.models import LetterKind
    from lokapp.letters.services import register_case_type

    register_case_type(SEASON_APPLICATION, extras=letter_extras, case_url=_case_url,
                       staff_area=StaffArea.BOOKINGS.value,  # officers read and resend
                       kinds_by_state={SeasonCaseState.DECIDED.value:
                                       LetterKind.SEASON_ALLOCATION},
                       appeal="laglighetsprovning", delegation=DELEGATION)
