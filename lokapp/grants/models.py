"""Grant programmes, their yearly budget pots, and applications (see the package docstring)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lokapp.associations.models import AgeBand, Gender
from lokapp.core.time import utcnow
from lokapp.core.types import RichStrEnum, UTCDateTime, enum_type
from lokapp.extensions import db

NAME_MAX = 120
KEY_MAX = 40
LINE_MAX = 200
# Larger amounts are typing mistakes, not grants (the city's whole grant budget is smaller).
ABSURD_AMOUNT_SEK = 100_000_000
# Scoring criteria: a scale of 1 … MAX_SCORE_LIMIT points, weights 1 … WEIGHT_LIMIT.
MAX_SCORE_LIMIT = 10
WEIGHT_LIMIT = 10
CRITERION_DESCRIPTION_MAX = 1000
SCORE_COMMENT_MAX = 2000


class Eligibility(RichStrEnum):
    REGISTERED = "registered", _l("Registrerade föreningar")
    ELIGIBLE = "eligible", _l("Bidragsberättigade föreningar")


class WindowKind(RichStrEnum):
    DATES = "dates", _l("Ansökningsperiod med datum")
    ROLLING = "rolling", _l("Löpande under året")


class AppealRoute(RichStrEnum):
    LAGLIGHETSPROVNING = "laglighetsprovning", _l("Laglighetsprövning (kommunallagen)")
    FORVALTNINGSBESVAR = "forvaltningsbesvar", _l("Förvaltningsbesvär (förvaltningslagen)")


class QuestionKind(RichStrEnum):
    SHORT_TEXT = "short_text", _l("Kort text")
    LONG_TEXT = "long_text", _l("Lång text")
    NUMBER = "number", _l("Tal")
    AMOUNT = "amount", _l("Belopp i kronor")
    DATE = "date", _l("Datum")
    CHOICE = "choice", _l("Val från lista")
    YES_NO = "yes_no", _l("Ja eller nej")
    FILE = "file", _l("Fil")


class BudgetLineKind(RichStrEnum):
    COST = "cost", _l("Kostnad")
    INCOME = "income", _l("Intäkt")


class FormulaKind(RichStrEnum):
    """How the requested amount follows from data (see :mod:`lokapp.grants.formulas`)."""

    NONE = "none", _l("Ingen formel – föreningen anger beloppet")
    ACTIVITY = "activity", _l("Aktivitetsstöd – per deltagartillfälle")
    RENT = "rent", _l("Lokalbidrag – andel av hyran")


class Outcome(RichStrEnum):
    APPROVED = "approved", _l("Beviljad"), "success"
    PARTIALLY_APPROVED = "partially_approved", _l("Delvis beviljad"), "warning"
    REJECTED = "rejected", _l("Avslagen"), "danger"


programme_categories = Table(
    "grant_programme_categories", db.Model.metadata,
    Column("programme_id", ForeignKey("grant_programmes.id", ondelete="CASCADE"),
           primary_key=True),
    Column("category_id", ForeignKey("association_categories.id", ondelete="CASCADE"),
           primary_key=True),
)


class GrantProgramme(db.Model):
    """A bidragsform, managed by administrators."""

    __tablename__ = "grant_programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(KEY_MAX), unique=True)
    name_sv: Mapped[str] = mapped_column(String(NAME_MAX))
    name_en: Mapped[str] = mapped_column(String(NAME_MAX), default="")
    description_sv: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    rules_sv: Mapped[str] = mapped_column(Text, default="")
    eligibility: Mapped[Eligibility] = mapped_column(enum_type(Eligibility),
                                                     default=Eligibility.ELIGIBLE)
    window_kind: Mapped[WindowKind] = mapped_column(enum_type(WindowKind),
                                                    default=WindowKind.ROLLING)
    opens_on: Mapped[date | None] = mapped_column(Date)
    closes_on: Mapped[date | None] = mapped_column(Date)
    # False for a help request: nothing is requested or granted, an officer answers.
    is_monetary: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    max_amount_sek: Mapped[int | None] = mapped_column(Integer)
    has_budget_table: Mapped[bool] = mapped_column(Boolean, default=False,
                                                   server_default=false())
    required_attachments: Mapped[list[str]] = mapped_column(JSON, default=list)
    delegation_limit_sek: Mapped[int | None] = mapped_column(Integer)
    appeal_route: Mapped[AppealRoute] = mapped_column(
        enum_type(AppealRoute), default=AppealRoute.LAGLIGHETSPROVNING)
    follow_up_required: Mapped[bool] = mapped_column(Boolean, default=False,
                                                     server_default=false())
    follow_up_days: Mapped[int | None] = mapped_column(Integer)
    handling_days: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # The formula rule, if any (parameters only for their kind; see lokapp.grants.formulas).
    formula_kind: Mapped[FormulaKind] = mapped_column(
        enum_type(FormulaKind), default=FormulaKind.NONE, server_default="none")
    formula_rate_sek: Mapped[int | None] = mapped_column(Integer)
    formula_occasion_sek: Mapped[int | None] = mapped_column(Integer)
    formula_age_min: Mapped[int | None] = mapped_column(Integer)
    formula_age_max: Mapped[int | None] = mapped_column(Integer)
    formula_min_group: Mapped[int | None] = mapped_column(Integer)
    formula_share_percent: Mapped[int | None] = mapped_column(Integer)
    # The application asks for the expected participants by age band and gender (the step
    # "Deltagare"; see lokapp.grants.participants).
    asks_participants: Mapped[bool] = mapped_column(Boolean, default=False,
                                                    server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    categories: Mapped[list[Any]] = relationship(
        "Category", secondary=programme_categories, lazy="selectin",
        order_by="Category.sort_order")
    questions: Mapped[list[GrantQuestion]] = relationship(
        back_populates="programme", cascade="all, delete-orphan",
        order_by="GrantQuestion.position, GrantQuestion.id")
    budgets: Mapped[list[GrantBudget]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="GrantBudget.year")
    # All criteria, also retired ones that keep their scores (see ``active_criteria``).
    criteria: Mapped[list[GrantCriterion]] = relationship(
        back_populates="programme", cascade="all, delete-orphan",
        order_by="GrantCriterion.position, GrantCriterion.id")

    __table_args__ = (
        CheckConstraint("max_amount_sek IS NULL OR max_amount_sek > 0", name="max_amount"),
        CheckConstraint("delegation_limit_sek IS NULL OR delegation_limit_sek >= 0",
                        name="delegation_limit"),
        CheckConstraint("window_kind = 'rolling' OR (opens_on IS NOT NULL AND closes_on IS NOT "
                        "NULL AND opens_on <= closes_on)", name="window_dates"),
        CheckConstraint("follow_up_days IS NULL OR follow_up_days > 0", name="follow_up_days"),
        CheckConstraint("formula_share_percent IS NULL OR formula_share_percent BETWEEN 1 "
                        "AND 100", name="formula_share"),
        CheckConstraint("formula_age_min IS NULL OR formula_age_max IS NULL OR "
                        "formula_age_min <= formula_age_max", name="formula_ages"),
    )

    def __repr__(self) -> str:
        return f"<GrantProgramme {self.key}>"

    @property
    def name(self) -> str:
        return self.name_en if _english() and self.name_en else self.name_sv

    @property
    def description(self) -> str:
        return self.description_en if _english() and self.description_en \
            else self.description_sv

    @property
    def active_criteria(self) -> list[GrantCriterion]:
        return [c for c in self.criteria if c.is_active]

    def is_open_on(self, day: date) -> bool:
        if not self.is_active:
            return False
        if self.window_kind == WindowKind.ROLLING:
            return True
        return self.opens_on is not None and self.closes_on is not None \
            and self.opens_on <= day <= self.closes_on


def _english() -> bool:
    try:
        return str(get_locale()).startswith("en")
    except Exception:  # pragma: no cover - outside a request
        return False


class GrantQuestion(db.Model):
    """One typed question of a programme's application form."""

    __tablename__ = "grant_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("grant_programmes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[QuestionKind] = mapped_column(enum_type(QuestionKind))
    label_sv: Mapped[str] = mapped_column(String(LINE_MAX))
    label_en: Mapped[str] = mapped_column(String(LINE_MAX), default="")
    help_sv: Mapped[str] = mapped_column(String(500), default="")
    is_required: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # For choice questions: the options, one string each.
    choices: Mapped[list[str]] = mapped_column(JSON, default=list)

    programme: Mapped[GrantProgramme] = relationship(back_populates="questions")

    @property
    def label(self) -> str:
        return self.label_en if _english() and self.label_en else self.label_sv


class GrantCriterion(db.Model):
    """A bedömningskriterium: officers score each application against it from 0 to
    ``max_score``; the weighted total is the sum of score × ``weight``. A criterion that has
    scores is retired (``is_active`` false) instead of deleted, so the scores stay."""

    __tablename__ = "grant_criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("grant_programmes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name_sv: Mapped[str] = mapped_column(String(LINE_MAX))
    name_en: Mapped[str] = mapped_column(String(LINE_MAX), default="")
    description_sv: Mapped[str] = mapped_column(String(CRITERION_DESCRIPTION_MAX), default="")
    max_score: Mapped[int] = mapped_column(Integer)
    weight: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    programme: Mapped[GrantProgramme] = relationship(back_populates="criteria")

    __table_args__ = (
        CheckConstraint(f"max_score >= 1 AND max_score <= {MAX_SCORE_LIMIT}", name="max_score"),
        CheckConstraint(f"weight >= 1 AND weight <= {WEIGHT_LIMIT}", name="weight"),
    )

    @property
    def name(self) -> str:
        return self.name_en if _english() and self.name_en else self.name_sv


class GrantScore(db.Model):
    """One officer's score of one application against one criterion (0 … max_score), with
    an optional comment. Part of the equal-treatment data; frozen once the case is decided."""

    __tablename__ = "grant_scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("grant_applications.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(
        ForeignKey("grant_criteria.id", ondelete="RESTRICT"), index=True)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    criterion: Mapped[GrantCriterion] = relationship()
    officer: Mapped[Any] = relationship("User")

    __table_args__ = (
        UniqueConstraint("application_id", "criterion_id", "officer_id"),
        CheckConstraint("score >= 0", name="score"),
    )


class GrantBudget(db.Model):
    """A programme's pot for one year; ``committed_sek`` is the sum of final grants."""

    __tablename__ = "grant_budgets"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("grant_programmes.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    amount_sek: Mapped[int] = mapped_column(Integer)
    committed_sek: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    programme: Mapped[GrantProgramme] = relationship(back_populates="budgets")

    __table_args__ = (
        UniqueConstraint("programme_id", "year"),
        CheckConstraint("amount_sek >= 0", name="amount"),
        # The database's last word on over-commitment.
        CheckConstraint("committed_sek >= 0 AND committed_sek <= amount_sek",
                        name="not_overcommitted"),
    )

    @property
    def remaining_sek(self) -> int:
        return self.amount_sek - self.committed_sek


def _proposed_outcome_type():
    """The Outcome enum under its own CHECK constraint name (two on one table)."""
    column_type = enum_type(Outcome)
    column_type.name = "proposed_outcome"
    return column_type


class GrantApplication(db.Model):
    """An application; the case carries number, state, parties and timestamps."""

    __tablename__ = "grant_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"),
                                         unique=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("grant_programmes.id", ondelete="RESTRICT"), index=True)
    association_id: Mapped[int] = mapped_column(
        ForeignKey("associations.id", ondelete="RESTRICT"), index=True)
    # The budget year the grant is charged to (the Stockholm year the draft was started).
    year: Mapped[int] = mapped_column(Integer)
    # Answers to the programme's questions: {"<question id>": value as text}.
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    own_contribution_sek: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    requested_sek: Mapped[int | None] = mapped_column(Integer)
    copied_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("grant_applications.id", ondelete="SET NULL"))
    # The equal-treatment snapshot of the association at submission.
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Formula programmes: the period the occasions belong to (aktivitetsstöd) and the
    # calculation as last saved or submitted, with the parameters it used.
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    formula_result: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    # A proposal above the proposer's delegation, waiting for a second officer.
    proposed_outcome: Mapped[Outcome | None] = mapped_column(_proposed_outcome_type())
    proposed_sek: Mapped[int | None] = mapped_column(Integer)
    proposed_reasons: Mapped[str | None] = mapped_column(Text)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                  ondelete="SET NULL"))
    proposed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # The decision.
    outcome: Mapped[Outcome | None] = mapped_column(enum_type(Outcome))
    granted_sek: Mapped[int | None] = mapped_column(Integer)
    reasons: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                 ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    case: Mapped[Any] = relationship("Case", lazy="joined")
    programme: Mapped[GrantProgramme] = relationship(lazy="joined")
    association: Mapped[Any] = relationship("Association")
    budget_lines: Mapped[list[GrantBudgetLine]] = relationship(
        back_populates="application", cascade="all, delete-orphan",
        order_by="GrantBudgetLine.position, GrantBudgetLine.id")
    attachments: Mapped[list[GrantAttachment]] = relationship(
        back_populates="application", cascade="all, delete-orphan",
        order_by="GrantAttachment.id")
    occasions: Mapped[list[GrantOccasion]] = relationship(
        back_populates="application", cascade="all, delete-orphan",
        order_by="GrantOccasion.position, GrantOccasion.id")
    rented_premises: Mapped[list[GrantRentedPremises]] = relationship(
        back_populates="application", cascade="all, delete-orphan",
        order_by="GrantRentedPremises.position, GrantRentedPremises.id")
    participants: Mapped[list[GrantApplicationParticipants]] = relationship(
        back_populates="application", cascade="all, delete-orphan",
        order_by="GrantApplicationParticipants.age_band, GrantApplicationParticipants.gender")
    decided_by: Mapped[Any] = relationship("User", foreign_keys=[decided_by_id])
    proposed_by: Mapped[Any] = relationship("User", foreign_keys=[proposed_by_id])

    __table_args__ = (
        Index("ix_grant_applications_programme_year", "programme_id", "year"),
        CheckConstraint("requested_sek IS NULL OR requested_sek >= 0", name="requested"),
        CheckConstraint("granted_sek IS NULL OR granted_sek >= 0", name="granted"),
        CheckConstraint("own_contribution_sek >= 0", name="own_contribution"),
    )

    def __repr__(self) -> str:
        return f"<GrantApplication {self.id} case={self.case_id}>"

    def costs_sek(self) -> int:
        return sum(line.amount_sek for line in self.budget_lines
                   if line.kind == BudgetLineKind.COST)

    def income_sek(self) -> int:
        return sum(line.amount_sek for line in self.budget_lines
                   if line.kind == BudgetLineKind.INCOME)


class GrantBudgetLine(db.Model):
    """One cost or income line of an application's budget table."""

    __tablename__ = "grant_budget_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("grant_applications.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[BudgetLineKind] = mapped_column(enum_type(BudgetLineKind, length=10))
    description: Mapped[str] = mapped_column(String(LINE_MAX))
    amount_sek: Mapped[int] = mapped_column(Integer)

    application: Mapped[GrantApplication] = relationship(back_populates="budget_lines")

    __table_args__ = (CheckConstraint("amount_sek >= 0", name="amount"),)


class GrantAttachment(db.Model):
    """A file attached to an application: for a required attachment (``label``) or for a
    file question (``question_id``)."""

    __tablename__ = "grant_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("grant_applications.id", ondelete="CASCADE"), index=True)
    stored_file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id",
                                                           ondelete="RESTRICT"))
    label: Mapped[str] = mapped_column(String(LINE_MAX))
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("grant_questions.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    application: Mapped[GrantApplication] = relationship(back_populates="attachments")
    stored_file: Mapped[Any] = relationship("StoredFile", lazy="joined")


class GrantOccasion(db.Model):
    """One sammankomst reported for aktivitetsstöd: the structured participant-occasions
    (whether it counts is computed by :func:`lokapp.grants.formulas.compute_activity`)."""

    __tablename__ = "grant_occasions"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("grant_applications.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    occurred_on: Mapped[date] = mapped_column(Date)
    activity: Mapped[str] = mapped_column(String(LINE_MAX))
    # Participants within the programme's age range, and leaders.
    participants: Mapped[int] = mapped_column(Integer)
    leaders: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    application: Mapped[GrantApplication] = relationship(back_populates="occasions")

    __table_args__ = (CheckConstraint("participants >= 0 AND leaders >= 0", name="counts"),)


class GrantRentedPremises(db.Model):
    """Premises the association rents, with its yearly rent (lokalbidrag)."""

    __tablename__ = "grant_rented_premises"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("grant_applications.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(LINE_MAX))
    address: Mapped[str] = mapped_column(String(LINE_MAX))
    yearly_rent_sek: Mapped[int] = mapped_column(Integer)
    # Rented from the city: no lokalbidrag (the city's own premises are subsidised already).
    is_municipal: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    application: Mapped[GrantApplication] = relationship(back_populates="rented_premises")

    __table_args__ = (CheckConstraint("yearly_rent_sek >= 0", name="rent"),)


class GrantApplicationParticipants(db.Model):
    """How many the application expects to take part, in one age band and gender (the
    register's bands and genders) – counts, never persons. Only for programmes that ask
    (``asks_participants``); a row per non-zero cell."""

    __tablename__ = "grant_application_participants"

    application_id: Mapped[int] = mapped_column(
        ForeignKey("grant_applications.id", ondelete="CASCADE"), primary_key=True)
    age_band: Mapped[AgeBand] = mapped_column(enum_type(AgeBand, length=10), primary_key=True)
    gender: Mapped[Gender] = mapped_column(enum_type(Gender, length=10), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)

    application: Mapped[GrantApplication] = relationship(back_populates="participants")

    __table_args__ = (CheckConstraint("count > 0", name="count_positive"),)


class PayoutState(RichStrEnum):
    PENDING = "pending", _l("Väntar på export"), "info"
    EXPORTED = "exported", _l("Exporterad till ekonomi"), "warning"
    PAID = "paid", _l("Utbetald"), "success"


class GrantPayout(db.Model):
    """The payout of a granted amount, created with the decision (one line per application).

    The association's bankgiro or plusgiro is copied at the time of the decision; the
    reference is the case number. Whether the line may be exported is computed when it is
    listed or exported (see ``lokapp.grants.payouts.blocked_reasons``), never stored."""

    __tablename__ = "grant_payouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("grant_applications.id", ondelete="RESTRICT"), unique=True)
    association_id: Mapped[int] = mapped_column(
        ForeignKey("associations.id", ondelete="RESTRICT"), index=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("grant_programmes.id", ondelete="RESTRICT"), index=True)
    amount_sek: Mapped[int] = mapped_column(Integer)
    bankgiro: Mapped[str | None] = mapped_column(String(9))
    plusgiro: Mapped[str | None] = mapped_column(String(10))
    reference: Mapped[str] = mapped_column(String(40))
    state: Mapped[PayoutState] = mapped_column(enum_type(PayoutState),
                                               default=PayoutState.PENDING, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    exported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                              ondelete="SET NULL"))

    application: Mapped[GrantApplication] = relationship()
    association: Mapped[Any] = relationship("Association")
    programme: Mapped[GrantProgramme] = relationship()
    paid_by: Mapped[Any] = relationship("User")

    __table_args__ = (
        CheckConstraint("amount_sek > 0", name="amount"),
        CheckConstraint("state <> 'paid' OR paid_at IS NOT NULL", name="paid_at"),
    )

    def __repr__(self) -> str:
        return f"<GrantPayout {self.reference} {self.state}>"
