"""The grants' use cases: one function each; they flush, never commit.

Programmes   :func:`save_programme`, :func:`add_question`, :func:`remove_question`,
             :func:`set_budget`
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from lokapp.associations.models import Category
from lokapp.core import audit
from lokapp.extensions import db
from lokapp.grants.models import (
    AppealRoute,
    Eligibility,
    GrantBudget,
    GrantProgramme,
    GrantQuestion,
    QuestionKind,
    WindowKind,
)


class GrantError(Exception):
    """A refused use case; ``str(error)`` is the Swedish message for the user."""


# --- programmes ---------------------------------------------------------------------------------

@dataclass
class ProgrammeData:
    key: str
    name_sv: str
    name_en: str
    description_sv: str
    description_en: str
    rules_sv: str
    eligibility: Eligibility
    category_ids: list[int]
    window_kind: WindowKind
    opens_on: date | None
    closes_on: date | None
    is_monetary: bool
    max_amount_sek: int | None
    has_budget_table: bool
    required_attachments: list[str]
    delegation_limit_sek: int | None
    appeal_route: AppealRoute
    follow_up_required: bool
    follow_up_days: int | None
    handling_days: int
    is_active: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


_COLUMNS = ("key", "name_sv", "name_en", "description_sv", "description_en", "rules_sv",
            "eligibility", "window_kind", "opens_on", "closes_on", "is_monetary",
            "max_amount_sek", "has_budget_table", "required_attachments",
            "delegation_limit_sek", "appeal_route", "follow_up_required", "follow_up_days",
            "handling_days", "is_active")


def save_programme(programme: GrantProgramme | None, data: ProgrammeData,
                   actor: Any) -> GrantProgramme:
    """Create (``programme`` None) or change a programme."""
    taken = db.session.scalar(select(GrantProgramme.id).where(
        GrantProgramme.key == data.key,
        GrantProgramme.id != (programme.id if programme is not None else -1)))
    if taken is not None:
        raise GrantError(_("Det finns redan en bidragsform med kortnamnet %(key)s.",
                           key=data.key))
    created = programme is None
    if created:
        programme = GrantProgramme()
        db.session.add(programme)
    if data.window_kind == WindowKind.ROLLING:
        data.opens_on = data.closes_on = None
    if not data.is_monetary:
        data.max_amount_sek, data.has_budget_table = None, False
    if not data.follow_up_required:
        data.follow_up_days = None
    changes = {}
    for name in _COLUMNS:
        old, new = getattr(programme, name), getattr(data, name)
        if old != new:
            changes[name] = [str(old) if old is not None else None,
                             str(new) if new is not None else None]
            setattr(programme, name, new)
    programme.categories = list(db.session.scalars(
        select(Category).where(Category.id.in_(data.category_ids)))) if data.category_ids else []
    db.session.flush()
    audit.record("grant_programme.created" if created else "grant_programme.changed", programme,
                 actor=actor, changes=changes)
    return programme


def add_question(programme: GrantProgramme, *, kind: QuestionKind, label_sv: str,
                 label_en: str, help_sv: str, is_required: bool, choices: list[str],
                 actor: Any) -> GrantQuestion:
    position = max((q.position for q in programme.questions), default=-1) + 1
    question = GrantQuestion(kind=kind, label_sv=label_sv, label_en=label_en or "",
                             help_sv=help_sv or "", is_required=is_required,
                             choices=choices if kind == QuestionKind.CHOICE else [],
                             position=position)
    programme.questions.append(question)
    db.session.flush()
    audit.record("grant_programme.question_added", programme, actor=actor,
                 question_id=question.id, label=label_sv)
    return question


def remove_question(question: GrantQuestion, actor: Any) -> None:
    """Remove a question; answers already given stay in the applications (by id)."""
    programme = question.programme
    audit.record("grant_programme.question_removed", programme, actor=actor,
                 question_id=question.id, label=question.label_sv)
    programme.questions.remove(question)
    db.session.flush()


def set_budget(programme: GrantProgramme, year: int, amount_sek: int, actor: Any) -> GrantBudget:
    """Set the year's pot; it cannot be lower than what decisions have already granted."""
    budget = db.session.scalar(select(GrantBudget).where(
        GrantBudget.programme_id == programme.id, GrantBudget.year == year)
        .with_for_update())
    if budget is None:
        budget = GrantBudget(programme_id=programme.id, year=year, amount_sek=amount_sek,
                             committed_sek=0)
        db.session.add(budget)
    else:
        if amount_sek < budget.committed_sek:
            raise GrantError(_(
                "Budgeten kan inte vara lägre än det som redan är beviljat för %(year)d "
                "(%(committed)s kronor).", year=year,
                committed=f"{budget.committed_sek:,}".replace(",", "\u00a0")))
        budget.amount_sek = amount_sek
    db.session.flush()
    audit.record("grant_programme.budget_set", programme, actor=actor, year=year,
                 amount_sek=amount_sek)
    return budget
