"""Payouts of granted amounts: created with the decision, exported to the finance
department (CSV or Excel), marked paid.

- :func:`create_for_decision` runs inside the decision's transaction (called from
  ``services._finalise``): an approved or partially approved monetary grant gets one
  ``GrantPayout`` line with the amount, the association's bankgiro or plusgiro at that moment
  and the case number as reference. A rejection gets no line.
- :func:`blocked_reasons` says why a line may not be paid out now: the association is
  spärrad (``compute_status``) or its bank details are not verified
  (``bank_details_verified_at`` is NULL) or missing, or the grant is being recovered
  (återkrav, the case's recovery state – that block stays). Nothing is stored: the other
  blocks lift by themselves when the cause is gone.
- :func:`export` marks the exportable pending lines ``exported`` (with the export time and an
  audit event) and returns them; already exported lines are included again only when asked
  (``include_exported``), and then they keep their first export time.
- :func:`mark_paid` records who marked a line paid and when.

Services flush, never commit.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload, selectinload

from lokapp.associations.status import compute_statuses
from lokapp.core import audit
from lokapp.core.time import to_local, utcnow
from lokapp.extensions import db
from lokapp.grants.models import GrantApplication, GrantPayout, Outcome, PayoutState


class PayoutError(Exception):
    """A payout action that is not allowed; the message is for the user."""


def create_for_decision(application: GrantApplication, actor: Any) -> GrantPayout | None:
    """The payout line of a just-made decision, or None when nothing is paid out."""
    if application.outcome not in (Outcome.APPROVED, Outcome.PARTIALLY_APPROVED):
        return None
    if not application.programme.is_monetary or not application.granted_sek:
        return None
    association = application.association
    payout = GrantPayout(
        application_id=application.id, association_id=application.association_id,
        programme_id=application.programme_id, amount_sek=application.granted_sek,
        bankgiro=association.bankgiro or None,
        plusgiro=None if association.bankgiro else (association.plusgiro or None),
        reference=application.case.number, state=PayoutState.PENDING)
    db.session.add(payout)
    db.session.flush()
    audit.record("grant_payout.created", payout, actor=actor,
                 application_id=application.id, amount_sek=payout.amount_sek,
                 reference=payout.reference)
    return payout


def payouts_query(*, state: PayoutState | None = None, programme_id: int | None = None,
                  for_update: bool = False) -> Select:
    """The payout lines, oldest first. ``for_update`` locks them until the commit (an export),
    so two simultaneous exports can never both export the same line."""
    query = (select(GrantPayout)
             .options(joinedload(GrantPayout.association), joinedload(GrantPayout.programme),
                      joinedload(GrantPayout.paid_by), selectinload(GrantPayout.application))
             .order_by(GrantPayout.created_at, GrantPayout.id))
    if for_update:
        query = query.with_for_update(of=GrantPayout).execution_options(populate_existing=True)
    if state is not None:
        query = query.where(GrantPayout.state == state)
    if programme_id is not None:
        query = query.where(GrantPayout.programme_id == programme_id)
    return query


def blocked_reasons(payouts: Sequence[GrantPayout]) -> dict[int, list[str]]:
    """``{payout.id: [reason, …]}`` for the lines that may not be paid out now.

    Paid lines are never blocked. The association's status is computed in a batch."""
    open_lines = [p for p in payouts if p.state != PayoutState.PAID]
    associations = {p.association_id: p.association for p in open_lines}
    statuses = compute_statuses(associations.values()) if associations else {}
    reasons: dict[int, list[str]] = {}
    for payout in open_lines:
        association = associations[payout.association_id]
        found = []
        status = statuses.get(association.id)
        if status is not None and status.is_blocked:
            found.append(_("Föreningen är spärrad."))
        if association.bank_details_verified_at is None:
            found.append(_("Föreningens bankuppgifter är inte kontrollerade."))
        if not (payout.bankgiro or payout.plusgiro):
            found.append(_("Bankgiro eller plusgiro saknas."))
        if payout.application.case.state == "recovery":
            found.append(_("Bidraget återkrävs (återkrav). Det ska inte betalas ut."))
        if found:
            reasons[payout.id] = found
    return reasons


def export(payouts: Iterable[GrantPayout], actor: Any, *,
           include_exported: bool = False) -> list[GrantPayout]:
    """Mark the exportable lines exported and return them (in the given order).

    Pending lines that are not blocked are exported; exported lines again only with
    ``include_exported`` (they keep their first export time). Blocked and paid lines never."""
    candidates = [p for p in payouts
                  if p.state == PayoutState.PENDING
                  or (include_exported and p.state == PayoutState.EXPORTED)]
    blocked = blocked_reasons(candidates)
    chosen = [p for p in candidates if p.id not in blocked]
    now = utcnow()
    for payout in chosen:
        if payout.state == PayoutState.PENDING:
            payout.state = PayoutState.EXPORTED
            payout.exported_at = now
    db.session.flush()
    for payout in chosen:
        audit.record("grant_payout.exported", payout, actor=actor, reference=payout.reference,
                     amount_sek=payout.amount_sek, exported_at=payout.exported_at,
                     again=include_exported and payout.exported_at != now)
    return chosen


def mark_paid(payout: GrantPayout, actor: Any) -> None:
    if payout.state == PayoutState.PAID:
        raise PayoutError(_("Utbetalningen är redan markerad som betald."))
    if payout.state != PayoutState.EXPORTED:
        raise PayoutError(_("Bara utbetalningar som har exporterats till ekonomi kan "
                            "markeras som betalda."))
    payout.state = PayoutState.PAID
    payout.paid_at = utcnow()
    payout.paid_by_id = actor.id
    db.session.flush()
    audit.record("grant_payout.paid", payout, actor=actor, reference=payout.reference,
                 amount_sek=payout.amount_sek)


# --- the files for the finance department ---------------------------------------------------

def _headers() -> list[str]:
    return [_("Referens"), _("Förening"), _("Organisationsnummer"), _("Bidrag"),
            _("Belopp (kr)"), _("Bankgiro"), _("Plusgiro"), _("Beslutsdatum")]


def _row(payout: GrantPayout) -> list[Any]:
    decided = payout.application.decided_at
    return [payout.reference, payout.association.name, payout.association.orgnr or "",
            payout.programme.name_sv, payout.amount_sek, payout.bankgiro or "",
            payout.plusgiro or "", to_local(decided).date().isoformat() if decided else ""]


def _defused(value: Any) -> Any:
    """A text cell that a spreadsheet would read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(payouts: Sequence[GrantPayout]) -> bytes:
    """Semicolon-separated UTF-8 with BOM, as Swedish Excel opens it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(_headers())
    for payout in payouts:
        writer.writerow([_defused(v) for v in _row(payout)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(payouts: Sequence[GrantPayout]) -> bytes:
    """An Excel workbook; every text cell is written as a string (never a formula)."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Utbetalningar")[:31]
    sheet.append(_headers())
    for payout in payouts:
        sheet.append(_row(payout))
    for row in sheet.iter_rows(min_row=1):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
