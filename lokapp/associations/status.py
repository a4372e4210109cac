"""An association's status, computed by one rule: :func:`compute_status`.

The states, in the order the rule decides them:

avregistrerad      the association has been deregistered (``register_state = deregistered``).
inte registrerad   the registration is pending or was rejected.
spärrad            registered, but the annual update for this year has not been submitted and
                   the due date plus ``RegisterSettings.grace_period_days`` has passed (on the
                   last day of the grace period it is not yet spärrad).
bidragsberättigad  registered and nothing is missing: the current LÖK is signed, the annual
                   update for the year is approved, the statutes (stadgar, any year) and the
                   year's documents (årsmötesprotokoll, verksamhetsberättelse, ekonomisk
                   berättelse, revisionsberättelse) are uploaded.
registrerad        registered, not spärrad, but something is missing.

"The year" of the annual update: the calendar year of ``on``. An association registered (its
registration approved) in a year needs no annual update for that year – the registration holds
that year's data. Until the due date (30 April by default) the previous year's approved update
still counts, so associations do not lose their eligibility on 1 January; the documents then
count for that previous year. An update that has been submitted but not yet approved does not
make the association eligible, but it does keep it from being spärrad – waiting for an officer
is not the association's fault.

``missing`` lists exactly what stands between a registered association and eligibility, one
Swedish sentence each ("LÖK:en är inte undertecknad", "Årlig uppdatering för 2026 är inte
godkänd", "Stadgar saknas", "Revisionsberättelse för 2026 saknas").

:func:`compute_statuses` is the batch form for lists: the same rule for many associations in
a bounded number of queries (settings, annual updates, documents, signatures).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lokapp.associations.models import (
    AnnualUpdate,
    Association,
    AssociationDocument,
    DocumentType,
    RegisterSettings,
    RegisterState,
)
from lokapp.core.cases import Case
from lokapp.core.time import to_local, today_local
from lokapp.core.types import RichStrEnum
from lokapp.extensions import db

# The documents needed every year, in the order they are listed as missing.
YEARLY_DOCUMENTS = (DocumentType.ANNUAL_MEETING_MINUTES, DocumentType.ACTIVITY_REPORT,
                    DocumentType.FINANCIAL_REPORT, DocumentType.AUDIT_REPORT)


class StatusState(RichStrEnum):
    NOT_REGISTERED = "not_registered", _l("Inte registrerad"), "neutral"
    REGISTERED = "registered", _l("Registrerad"), "info"
    ELIGIBLE = "eligible", _l("Bidragsberättigad"), "success"
    BLOCKED = "blocked", _l("Spärrad"), "danger"
    DEREGISTERED = "deregistered", _l("Avregistrerad"), "neutral"


@dataclass(frozen=True)
class Status:
    state: StatusState
    missing: tuple[str, ...]
    on: date
    # The annual update the association is asked for next, and its due date.
    update_year: int
    update_due: date
    # The first day the association is spärrad if that update has not been submitted.
    blocked_from: date

    @property
    def label(self) -> Any:
        return self.state.label

    @property
    def tone(self) -> str:
        return self.state.tone

    @property
    def is_eligible(self) -> bool:
        return self.state is StatusState.ELIGIBLE

    @property
    def is_blocked(self) -> bool:
        return self.state is StatusState.BLOCKED


@dataclass
class _Facts:
    """What the rule needs to know about one association, loaded in bulk."""

    approved_years: set[int] = field(default_factory=set)
    submitted_years: set[int] = field(default_factory=set)
    documents: set[tuple[str, int]] = field(default_factory=set)
    has_statutes: bool = False
    has_signed: bool = False


@dataclass(frozen=True)
class _Rules:
    due_month: int
    due_day: int
    grace_days: int

    def due_date(self, year: int) -> date:
        return date(year, self.due_month, self.due_day)


def _rules() -> _Rules:
    settings = db.session.scalar(select(RegisterSettings).order_by(RegisterSettings.id))
    if settings is None:  # pragma: no cover - migration 0003 seeds the row
        return _Rules(4, 30, 60)
    return _Rules(settings.annual_update_due_month, settings.annual_update_due_day,
                  settings.grace_period_days)


# --- the rule -------------------------------------------------------------------------------

def _evaluate(association: Association, facts: _Facts, on: date, rules: _Rules) -> Status:
    year = on.year
    due = rules.due_date(year)
    registered_year = (to_local(association.registered_at).year
                       if association.registered_at is not None else None)

    def update_ok(y: int) -> bool:
        return y in facts.approved_years or registered_year == y

    next_year = year + 1 if update_ok(year) else year
    next_due = rules.due_date(next_year)
    blocked_from = next_due + timedelta(days=rules.grace_days + 1)

    def status(state: StatusState, missing: Iterable[str] = ()) -> Status:
        return Status(state, tuple(missing), on, next_year, next_due, blocked_from)

    if association.register_state == RegisterState.DEREGISTERED:
        return status(StatusState.DEREGISTERED)
    if association.register_state == RegisterState.PENDING:
        return status(StatusState.NOT_REGISTERED, [_("Registreringen är inte godkänd ännu")])
    if association.register_state != RegisterState.REGISTERED:
        return status(StatusState.NOT_REGISTERED, [_("Registreringen har fått avslag")])

    if update_ok(year):
        covered: int | None = year
    elif on <= due and update_ok(year - 1):
        covered = year - 1
    else:
        covered = None

    missing = []
    if not facts.has_signed:
        missing.append(_("LÖK:en är inte undertecknad"))
    if covered is None:
        missing.append(_("Årlig uppdatering för %(year)d är inte godkänd", year=year))
    if not facts.has_statutes:
        missing.append(_("Stadgar saknas"))
    documents_year = covered or year
    for doc_type in YEARLY_DOCUMENTS:
        if (doc_type.value, documents_year) not in facts.documents:
            missing.append(_("%(document)s för %(year)d saknas", document=doc_type.label,
                             year=documents_year))

    overdue = not update_ok(year) and year not in facts.submitted_years
    if overdue and on > due + timedelta(days=rules.grace_days):
        return status(StatusState.BLOCKED, missing)
    return status(StatusState.ELIGIBLE if not missing else StatusState.REGISTERED, missing)


# --- loading the facts ----------------------------------------------------------------------

def signed_current(association_ids: Iterable[int], on: date) -> set[int]:
    """The associations among ``association_ids`` that have signed the LÖK in force on ``on``.

    Asks the agreement module (``lokapp.agreement.queries``): in one query through
    ``signed_current_select(today)`` when it offers it, else ``has_signed_current`` per
    association. Without the agreement module nobody has signed.
    """
    ids = list(association_ids)
    if not ids:
        return set()
    try:
        from lokapp.agreement import queries as agreement
    except ImportError:  # pragma: no cover - the agreement module is part of lokapp
        return set()
    batch = getattr(agreement, "signed_current_select", None)
    if batch is not None:
        query = batch(on)
        column = query.selected_columns[0]
        return set(db.session.scalars(query.where(column.in_(ids))))
    return {association_id for association_id in ids
            if agreement.has_signed_current(association_id)}


def _load_facts(associations: list[Association], on: date) -> dict[int, _Facts]:
    ids = [a.id for a in associations]
    facts = {association_id: _Facts() for association_id in ids}
    if not ids:
        return facts
    years = (on.year - 1, on.year)
    updates = db.session.execute(
        select(AnnualUpdate.association_id, AnnualUpdate.year, AnnualUpdate.approved_at,
               Case.submitted_at)
        .join(Case, Case.id == AnnualUpdate.case_id)
        .where(AnnualUpdate.association_id.in_(ids), AnnualUpdate.year.in_(years)))
    for association_id, year, approved_at, submitted_at in updates:
        if approved_at is not None:
            facts[association_id].approved_years.add(year)
        if submitted_at is not None:
            facts[association_id].submitted_years.add(year)
    documents = db.session.execute(
        select(AssociationDocument.association_id, AssociationDocument.doc_type,
               AssociationDocument.year)
        .where(AssociationDocument.association_id.in_(ids),
               (AssociationDocument.doc_type == DocumentType.STATUTES)
               | AssociationDocument.year.in_(years))
        .distinct())
    for association_id, doc_type, year in documents:
        if doc_type == DocumentType.STATUTES:
            facts[association_id].has_statutes = True
        facts[association_id].documents.add((str(doc_type), year))
    for association_id in signed_current((a.id for a in associations
                                          if a.register_state == RegisterState.REGISTERED), on):
        facts[association_id].has_signed = True
    return facts


# --- public API -----------------------------------------------------------------------------

def compute_status(association: Association, on: date | None = None) -> Status:
    """The association's status on ``on`` (today in Stockholm by default)."""
    on = on or today_local()
    return _evaluate(association, _load_facts([association], on)[association.id], on, _rules())


def compute_statuses(associations: Iterable[Association],
                     on: date | None = None) -> dict[int, Status]:
    """``{association.id: Status}`` for a list, in a bounded number of queries."""
    on = on or today_local()
    associations = list(associations)
    facts = _load_facts(associations, on)
    rules = _rules()
    return {a.id: _evaluate(a, facts[a.id], on, rules) for a in associations}
