"""The grant decision letter's data, registered with the letters module.

:func:`register` tells the letters module (``register_case_type``) the case type's extra
letter data, its page and which kind a decided case's letter is. A grant application's
decision is one kind
(``grant_decision``) whatever the outcome; this module supplies the outcome and amounts (as
the letter's decision lines), the reasons (under Skäl för beslutet when the grant is partial
or rejected) and the programme's appeal variant (laglighetsprövning or förvaltningsbesvär).

The decision letter stays the case's letter through the follow-up states (follow_up_due …
closed); there the decider is the one who decided the grant, not the system step that made
the report due. In the recovery state the letter is the recovery decision (``grant_recovery``,
återkrav): the granted and recovered amounts, the officer's reasons, the same appeal variant.
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from lokapp.extensions import db
from lokapp.grants import formulas
from lokapp.grants.models import GrantApplication, Outcome
from lokapp.grants.workflow import DECIDED_STATES, GRANT_APPLICATION, State


def _sek(amount: int | None) -> str:
    return _("%(amount)s kronor", amount=f"{amount or 0:,}".replace(",", "\u00a0"))


def letter_extras(case: Any) -> dict[str, Any]:
    from lokapp.core.time import to_local
    from lokapp.letters.context import long_date

    application = db.session.scalar(select(GrantApplication).where(
        GrantApplication.case_id == case.id))
    if application is None or application.outcome is None:
        return {}
    if case.state == State.RECOVERY.value:
        return _recovery_extras(application)
    outcome = Outcome(application.outcome)
    lines = [{"label": _("Beslut"), "old": "", "new": str(outcome.label)}]
    if application.programme.is_monetary:
        lines.append({"label": _("Sökt belopp"), "old": "",
                      "new": _sek(application.requested_sek)})
        calculation = formulas.result_for(application)  # aktivitetsstöd, lokalbidrag
        if calculation is not None:
            lines.append({"label": _("Beräkning"), "old": "", "new": calculation.explanation()})
        lines.append({"label": _("Beviljat belopp"), "old": "",
                      "new": _sek(application.granted_sek)})
    reasons = (application.reasons or "").strip()
    against = outcome in (Outcome.PARTIALLY_APPROVED, Outcome.REJECTED)
    decided_on = to_local(case.decided_at).date()
    extras = {
        "changes": lines,
        "appeal": application.programme.appeal_route.value,
        "decision": {"date": long_date(decided_on, "sv"), "iso_date": decided_on.isoformat(),
                     "reasons": reasons if against else "",
                     "note": "" if against else reasons},
    }
    follow_up = getattr(application, "follow_up", None)
    if follow_up is not None:
        lines.append({"label": _("Redovisning"), "old": "",
                      "new": _("senast %(date)s i lokapp", date=follow_up.due_on.isoformat())})
    if case.state != State.DECIDED.value and application.decided_by is not None:
        decider = application.decided_by
        extras["decided_by"] = {"name": decider.name, "title": decider.title or ""}
    return extras


def _recovery_extras(application: GrantApplication) -> dict[str, Any]:
    from lokapp.core.time import to_local
    from lokapp.letters.context import long_date

    follow_up = application.follow_up
    decided_on = to_local(follow_up.recovery_decided_at).date()
    return {
        "changes": [
            {"label": _("Beviljat belopp"), "old": "", "new": _sek(application.granted_sek)},
            {"label": _("Belopp som ska betalas tillbaka"), "old": "",
             "new": _sek(follow_up.recovered_sek)}],
        "appeal": application.programme.appeal_route.value,
        "decision": {"date": long_date(decided_on, "sv"), "iso_date": decided_on.isoformat(),
                     "reasons": (follow_up.recovery_reasons or "").strip(), "note": ""},
    }


def _case_url(case: Any) -> str:
    from lokapp.auth.services import absolute_url

    application_id = db.session.scalar(select(GrantApplication.id).where(
        GrantApplication.case_id == case.id))
    return absolute_url("grants.application", application_id=application_id)


def register() -> None:
    from lokapp.auth.models import StaffArea
    from lokapp.letters.models import LetterKind
    from lokapp.letters.services import register_case_type

    # Grant officers read and resend the letters (letters.view_case, /brev/<id>).
    register_case_type(GRANT_APPLICATION, extras=letter_extras, case_url=_case_url,
                       staff_area=StaffArea.GRANTS.value,
                       kinds_by_state={
                           **{s.value: LetterKind.GRANT_DECISION for s in DECIDED_STATES
                              if s != State.RECOVERY},
                           State.RECOVERY.value: LetterKind.GRANT_RECOVERY})
