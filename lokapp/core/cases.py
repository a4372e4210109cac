"""Cases (ärenden), their history and their registration numbers (diarienummer).

Every request from a citizen or an association is a :class:`Case`. The domain object behind it
(a registration, a grant application, a booking request …) lives in its own table and points
here with a ``case_id``; the case carries what all of them share: the number, the type, the
state, the parties, the assigned officer and the timestamps the equal-treatment report needs.

Vocabulary
    draft         A case being written. It is private to the applicant and has **no number**.
    submit        The draft becomes an *inkommen handling*: ``submitted_at`` is set and the case
                  gets its number ``LOK YYYY/NNNNN`` (:func:`assign_number`).
    number        One series per calendar year – the local (Europe/Stockholm) year of the
                  submit – starting at 1. Numbers are never repeated and never skipped, also
                  under concurrent submits and rollbacks: the counter row
                  (``case_number_counters``) is incremented inside the submitting transaction,
                  so a rollback returns the number and concurrent submits queue on its row lock
                  (PostgreSQL) or on the database write lock (SQLite, ``BEGIN IMMEDIATE``).
    state         A string; each case type declares its states as a ``RichStrEnum`` and its
                  transitions in its own ``workflow.py`` (see :mod:`lokapp.core.workflow`).
                  Only :func:`lokapp.core.workflow.apply` changes the state.
    history       One :class:`CaseHistory` row for every state change (and one for the
                  creation), written by the workflow engine in the same transaction.

A domain table links to its case one-to-one and reaches the shared fields through it::

    class GrantApplication(db.Model):
        case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
        case: Mapped[Case] = relationship()

Public API (services flush, never commit)::

    case = open_case("grant_application", subject=..., applicant=user, association_id=7)
    submit(case, user)                 # the case type's submit transition: number + history
    assign_number(case)                # for submit services that do their own bookkeeping
    db.session.scalars(history_for(case))
    db.session.scalar(by_number("LOK 2026/00042"))
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lokapp.core.time import to_local, utcnow
from lokapp.core.types import UTCDateTime
from lokapp.extensions import db

if TYPE_CHECKING:  # pragma: no cover
    from lokapp.auth.models import User
    from lokapp.core.types import RichStrEnum
    from lokapp.core.workflow import Workflow

NUMBER_PREFIX = "LOK"
NUMBER_PATTERN = re.compile(r"^LOK (\d{4})/(\d{5,})$")
_TYPED_NUMBER = re.compile(r"^(?:LOK)?(\d{4})/(\d{1,9})$")
SUBJECT_MAX_LENGTH = 300


def format_number(year: int, sequence: int) -> str:
    """``LOK 2026/00042`` – five digits, more only if a year ever exceeds 99 999 cases."""
    return f"{NUMBER_PREFIX} {year:04d}/{sequence:05d}"


def parse_number(text: str) -> tuple[int, int] | None:
    """``(year, sequence)`` of a number as people type it – ``LOK 2026/00042``,
    ``lok2026/42`` or ``2026/42`` – or None if it is not one."""
    match = _TYPED_NUMBER.match(re.sub(r"\s+", "", (text or "").upper()))
    if not match:
        return None
    year, sequence = int(match.group(1)), int(match.group(2))
    return (year, sequence) if sequence > 0 else None


class Case(db.Model):
    """An ärende. ``number``, ``year`` and ``sequence`` are empty until the submit."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(20), unique=True)
    year: Mapped[int | None] = mapped_column(Integer)
    sequence: Mapped[int | None] = mapped_column(Integer)
    case_type: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(SUBJECT_MAX_LENGTH))
    state: Mapped[str] = mapped_column(String(40))
    association_id: Mapped[int | None] = mapped_column(
        ForeignKey("associations.id", ondelete="RESTRICT"), index=True
    )
    applicant_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    assigned_officer_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    applicant: Mapped[User | None] = relationship(foreign_keys=[applicant_id])
    assigned_officer: Mapped[User | None] = relationship(foreign_keys=[assigned_officer_id])
    history: Mapped[list[CaseHistory]] = relationship(
        back_populates="case", cascade="all, delete-orphan", passive_deletes=True,
        order_by=lambda: [CaseHistory.occurred_at, CaseHistory.id],
    )

    __table_args__ = (
        UniqueConstraint("year", "sequence"),
        # A number comes with its year and sequence, or not at all.
        CheckConstraint(
            "(number IS NULL AND year IS NULL AND sequence IS NULL) OR "
            "(number IS NOT NULL AND year IS NOT NULL AND sequence IS NOT NULL AND sequence > 0)",
            name="number_parts",
        ),
        # The officers' queue: by type and state, by assignee and state, newest submits first.
        Index("ix_cases_type_state", "case_type", "state"),
        Index("ix_cases_assignee_state", "assigned_officer_id", "state"),
        Index("ix_cases_state_submitted", "state", "submitted_at"),
        # The queue's page order (newest or oldest first) for one case type and for several,
        # so a page is read in order instead of sorting every case (0019_casework_indexes).
        Index("ix_cases_type_submitted", "case_type", "submitted_at", "id"),
        Index("ix_cases_submitted", "submitted_at", "id"),
        # The grant officers' list of decided applications, latest first.
        Index("ix_cases_decided", "decided_at", "id"),
    )

    def __repr__(self) -> str:
        return f"<Case {self.id} {self.number or 'utkast'} {self.case_type}:{self.state}>"

    @property
    def is_draft(self) -> bool:
        return self.number is None

    @property
    def workflow(self) -> Workflow:
        from lokapp.core.workflow import workflow_for

        return workflow_for(self.case_type)

    @property
    def state_enum(self) -> RichStrEnum:
        """The state as its enum member (label and badge tone for templates)."""
        return self.workflow.state(self.state)

    def available_actions(self, user: Any) -> list:
        """The transitions ``user`` may apply now – the buttons to render."""
        from lokapp.core.workflow import available

        return available(self, user)


# PostgreSQL only (migration 0019): trigram indexes (pg_trgm) for the officer queue's
# "contains" search on lower(subject) and lower(number), so its counts do not read every case;
# SQLite has no such index and scans. Alembic must neither drop nor report them.
TRIGRAM_INDEXES = frozenset({"ix_cases_subject_trgm", "ix_cases_number_trgm"})
db.metadata.info.setdefault("unmanaged", set()).update(TRIGRAM_INDEXES)


class CaseHistory(db.Model):
    """One row per state change: who moved the case from which state to which, and why."""

    __tablename__ = "case_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    from_state: Mapped[str | None] = mapped_column(String(40))
    to_state: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(60))
    note: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case] = relationship(back_populates="history")
    actor: Mapped[User | None] = relationship()

    __table_args__ = (Index("ix_case_history_case_occurred", "case_id", "occurred_at"),)

    def __repr__(self) -> str:
        return f"<CaseHistory {self.case_id} {self.action}: {self.from_state}->{self.to_state}>"


class CaseNumberCounter(db.Model):
    """The last number handed out per year. Only :func:`next_sequence` touches it."""

    __tablename__ = "case_number_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


# --- numbering ------------------------------------------------------------------------------

def next_sequence(year: int) -> int:
    """Reserve the next number of ``year`` inside the current transaction.

    The counter row is created if missing (``ON CONFLICT DO NOTHING``: two first-of-the-year
    submits cannot both create it), then incremented with ``UPDATE … RETURNING``. On
    PostgreSQL the UPDATE takes the row lock, so a concurrent submit waits for this
    transaction to commit or roll back and then sees its result; on SQLite the whole write
    transaction is serialised by ``BEGIN IMMEDIATE``. A rollback undoes the increment, so no
    number is lost.
    """
    session = db.session
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        insert = postgresql.insert(CaseNumberCounter)
    elif dialect == "sqlite":
        insert = sqlite.insert(CaseNumberCounter)
    else:  # pragma: no cover - lokapp supports SQLite and PostgreSQL only
        raise RuntimeError(f"case numbering is not implemented for {dialect}")
    session.execute(insert.values(year=year, last_value=0).on_conflict_do_nothing())
    value = session.execute(
        update(CaseNumberCounter)
        .where(CaseNumberCounter.year == year)
        .values(last_value=CaseNumberCounter.last_value + 1)
        .returning(CaseNumberCounter.last_value)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    return value


def assign_number(case: Case) -> str:
    """Give a submitted case its number (idempotent: a case keeps its first number).

    The year is the Stockholm calendar year of ``case.submitted_at`` (set to now if empty):
    2026-12-31T23:30Z is already 2027 in Stockholm.
    """
    if case.number is not None:
        return case.number
    if case.submitted_at is None:
        case.submitted_at = utcnow()
    year = to_local(case.submitted_at).year
    sequence = next_sequence(year)
    case.year, case.sequence, case.number = year, sequence, format_number(year, sequence)
    db.session.flush()
    return case.number


# --- services -------------------------------------------------------------------------------

def open_case(case_type: str, *, subject: str, applicant: Any = None,
              association_id: int | None = None, actor: Any = None) -> Case:
    """Create a draft of ``case_type`` in its workflow's initial state (no number yet).

    Writes the first history row (``create``: no state → initial state) and an audit event.
    """
    from lokapp.core import audit
    from lokapp.core.workflow import workflow_for

    workflow = workflow_for(case_type)
    actor = actor if actor is not None else applicant
    now = utcnow()
    if not subject or len(subject) > SUBJECT_MAX_LENGTH:
        raise ValueError(f"a case subject needs 1..{SUBJECT_MAX_LENGTH} characters")
    case = Case(case_type=case_type, subject=subject,
                state=str(workflow.initial), applicant=applicant,
                association_id=association_id, created_at=now, updated_at=now)
    db.session.add(case)
    case.history.append(CaseHistory(occurred_at=now, actor_id=getattr(actor, "id", None),
                                    from_state=None, to_state=case.state, action="create"))
    db.session.flush()
    audit.record("case.create", case, actor=actor, case_type=case_type, to_state=case.state)
    db.session.flush()
    return case


def submit(case: Case, user: Any, note: str | None = None) -> CaseHistory:
    """Apply the case type's submit transition (the one marked ``is_submit``) from the
    current state: sets ``submitted_at`` and the number on the first submit."""
    from lokapp.core.workflow import apply

    return apply(case, case.workflow.submit_action(case.state), user, note=note)


# --- queries (return select() so views can paginate) ---------------------------------------

def by_number(number: str):
    """The case with this number (forgiving about spacing and letter case)."""
    parts = parse_number(number)
    if parts is None:
        return select(Case).where(False)
    return select(Case).where(Case.year == parts[0], Case.sequence == parts[1])


def history_for(case: Case):
    """The case's history, oldest first."""
    return (select(CaseHistory).where(CaseHistory.case_id == case.id)
            .order_by(CaseHistory.occurred_at, CaseHistory.id))
