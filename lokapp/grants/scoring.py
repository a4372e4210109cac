"""Scoring applications against the programme's criteria (bedömningskriterier).

Administrators give a programme its criteria: a name, what is assessed, the highest score
(1–10) and a weight (1–10). An officer who may handle the case scores each criterion from 0
to its highest score, with an optional comment; every officer has their own row per
application and criterion (``GrantScore``), so two officers' assessments can be compared.
The weighted total is Σ score × weight out of Σ max × weight. Scores are equal-treatment
data: they are frozen once the case is decided (or withdrawn) and exported per programme as
CSV for staff (:func:`scores_csv`).

Services flush, never commit.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import datetime
from io import StringIO
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, exists, func, or_, select
from sqlalchemy.orm import selectinload

from lokapp.auth.models import User
from lokapp.core import audit
from lokapp.core.cases import Case
from lokapp.core.time import format_local, utcnow
from lokapp.extensions import db
from lokapp.grants.models import (
    MAX_SCORE_LIMIT,
    SCORE_COMMENT_MAX,
    WEIGHT_LIMIT,
    GrantApplication,
    GrantCriterion,
    GrantProgramme,
    GrantScore,
)
from lokapp.grants.permissions import SCORING_STATES
from lokapp.grants.services import GrantError

# --- criteria (administrators) ------------------------------------------------------------------

def add_criterion(programme: GrantProgramme, *, name_sv: str, name_en: str,
                  description_sv: str, max_score: int, weight: int,
                  actor: Any) -> GrantCriterion:
    if not 1 <= max_score <= MAX_SCORE_LIMIT:
        raise GrantError(_("Högsta poäng ska vara mellan 1 och %(max)d.", max=MAX_SCORE_LIMIT))
    if not 1 <= weight <= WEIGHT_LIMIT:
        raise GrantError(_("Vikten ska vara mellan 1 och %(max)d.", max=WEIGHT_LIMIT))
    position = max((c.position for c in programme.criteria), default=-1) + 1
    criterion = GrantCriterion(name_sv=name_sv.strip(), name_en=(name_en or "").strip(),
                               description_sv=(description_sv or "").strip(),
                               max_score=max_score, weight=weight, position=position,
                               is_active=True)
    programme.criteria.append(criterion)
    db.session.flush()
    audit.record("grant_programme.criterion_added", programme, actor=actor,
                 criterion_id=criterion.id, name=criterion.name_sv, max_score=max_score,
                 weight=weight)
    return criterion


def remove_criterion(criterion: GrantCriterion, actor: Any) -> bool:
    """Remove a criterion; one that already has scores is retired instead (its scores stay
    in the cases and the export). Returns True if it was deleted, False if retired."""
    programme = criterion.programme
    scored = db.session.scalar(select(exists().where(GrantScore.criterion_id == criterion.id)))
    audit.record("grant_programme.criterion_retired" if scored
                 else "grant_programme.criterion_removed", programme, actor=actor,
                 criterion_id=criterion.id, name=criterion.name_sv)
    if scored:
        criterion.is_active = False
    else:
        programme.criteria.remove(criterion)
    db.session.flush()
    return not scored


# --- scores (officers) ----------------------------------------------------------------------------

def is_open_for_scoring(application: GrantApplication) -> bool:
    return str(application.case.state) in SCORING_STATES


def criteria_for(application: GrantApplication) -> list[GrantCriterion]:
    """The active criteria of the programme, and retired ones this application was scored
    on (one query)."""
    scored = select(GrantScore.criterion_id).where(
        GrantScore.application_id == application.id)
    return list(db.session.scalars(
        select(GrantCriterion)
        .where(GrantCriterion.programme_id == application.programme_id,
               or_(GrantCriterion.is_active.is_(True), GrantCriterion.id.in_(scored)))
        .order_by(GrantCriterion.position, GrantCriterion.id)))


def scores_of(application: GrantApplication) -> list[GrantScore]:
    return list(db.session.scalars(
        select(GrantScore).where(GrantScore.application_id == application.id)
        .options(selectinload(GrantScore.officer))
        .order_by(GrantScore.officer_id, GrantScore.criterion_id)))


@dataclass
class ScoreInput:
    score: int | None  # None: not scored (an earlier score is removed)
    comment: str = ""


def save_scores(application: GrantApplication, officer: Any,
                entries: dict[int, ScoreInput]) -> int:
    """Store ``officer``'s scores of the application, one entry per criterion id; returns
    how many criteria are scored. Refused after the decision: the case row is re-read under
    a row lock, so a decision another officer has just made is seen."""
    db.session.flush()
    db.session.refresh(application.case, with_for_update=True)
    if not is_open_for_scoring(application):
        raise GrantError(_("Poängen kan inte ändras efter beslutet."))
    criteria = {c.id: c for c in criteria_for(application)}
    existing = {s.criterion_id: s for s in db.session.scalars(
        select(GrantScore).where(GrantScore.application_id == application.id,
                                 GrantScore.officer_id == officer.id))}
    changes: dict[str, Any] = {}
    for criterion_id, entry in entries.items():
        criterion = criteria.get(criterion_id)
        if criterion is None or not criterion.is_active:
            continue
        comment = (entry.comment or "").strip()[:SCORE_COMMENT_MAX]
        old = existing.get(criterion_id)
        if entry.score is None:
            if old is not None:
                db.session.execute(delete(GrantScore).where(GrantScore.id == old.id))
                changes[str(criterion_id)] = [old.score, None]
            continue
        if not 0 <= entry.score <= criterion.max_score:
            raise GrantError(_("Poängen för %(name)s ska vara mellan 0 och %(max)d.",
                               name=criterion.name_sv, max=criterion.max_score))
        if old is None:
            db.session.add(GrantScore(application_id=application.id, criterion_id=criterion_id,
                                      officer_id=officer.id, score=entry.score,
                                      comment=comment, scored_at=utcnow()))
            changes[str(criterion_id)] = [None, entry.score]
        elif old.score != entry.score or old.comment != comment:
            changes[str(criterion_id)] = [old.score, entry.score]
            old.score, old.comment, old.scored_at = entry.score, comment, utcnow()
    db.session.flush()
    if changes:
        audit.record("grant_application.scored", application, actor=officer, changes=changes)
    return db.session.scalar(select(func.count(GrantScore.id)).where(
        GrantScore.application_id == application.id,
        GrantScore.officer_id == officer.id)) or 0


@dataclass
class ScoreSheet:
    """One officer's assessment of one application."""

    officer_id: int | None
    officer_name: str
    scores: dict[int, GrantScore] = field(default_factory=dict)
    total: int = 0
    max_total: int = 0
    scored: int = 0

    @property
    def percent(self) -> int | None:
        return round(100 * self.total / self.max_total) if self.max_total else None


def weighted_max(criteria: list[GrantCriterion]) -> int:
    return sum(c.max_score * c.weight for c in criteria)


def sheets(criteria: list[GrantCriterion], scores: list[GrantScore]) -> list[ScoreSheet]:
    """The officers' sheets, by officer name; the weighted total counts scored criteria and
    is out of all the criteria shown."""
    weights = {c.id: c.weight for c in criteria}
    by_officer: dict[int | None, ScoreSheet] = {}
    for score in scores:
        sheet = by_officer.get(score.officer_id)
        if sheet is None:
            name = score.officer.name if score.officer is not None else _("Borttagen användare")
            sheet = by_officer[score.officer_id] = ScoreSheet(
                score.officer_id, name, max_total=weighted_max(criteria))
        sheet.scores[score.criterion_id] = score
        sheet.total += score.score * weights.get(score.criterion_id, 0)
        sheet.scored += 1
    return sorted(by_officer.values(), key=lambda s: (s.officer_name, s.officer_id or 0))


# --- the staff export ------------------------------------------------------------------------------

CSV_HEADER = ("ärendenummer", "förening", "år", "status", "beslut", "sökt_belopp",
              "beviljat_belopp", "handläggare", "kriterium", "högsta_poäng", "vikt", "poäng",
              "viktad_poäng", "kommentar", "bedömd")


def _cell(value: Any) -> str:
    """A CSV cell that a spreadsheet never reads as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def programmes_with_criteria():
    """The programmes that have (or had) scoring criteria, for the export links."""
    return (select(GrantProgramme)
            .where(GrantProgramme.id.in_(select(GrantCriterion.programme_id)))
            .order_by(GrantProgramme.name_sv, GrantProgramme.id))


def score_rows(programme: GrantProgramme, viewer: Any):
    """Every score of the programme's applications with its case, in one query – except the
    cases ``viewer`` may not read scores of (``grants.read_scores``: an association they are
    linked to, a case they declared jäv on)."""
    from lokapp.associations.models import Association
    from lokapp.auth.models import AssociationMember
    from lokapp.casework.models import CaseDisqualification

    return db.session.execute(
        select(Case.number, Case.state, Association.name.label("association"),
               GrantApplication.year, GrantApplication.outcome, GrantApplication.requested_sek,
               GrantApplication.granted_sek, User.name.label("officer"),
               GrantCriterion.name_sv.label("criterion"), GrantCriterion.max_score,
               GrantCriterion.weight, GrantScore.score, GrantScore.comment,
               GrantScore.scored_at)
        .select_from(GrantScore)
        .join(GrantApplication, GrantApplication.id == GrantScore.application_id)
        .join(Case, Case.id == GrantApplication.case_id)
        .join(Association, Association.id == GrantApplication.association_id)
        .join(GrantCriterion, GrantCriterion.id == GrantScore.criterion_id)
        .outerjoin(User, User.id == GrantScore.officer_id)
        .where(GrantApplication.programme_id == programme.id,
               GrantApplication.association_id.not_in(
                   select(AssociationMember.association_id)
                   .where(AssociationMember.user_id == viewer.id)),
               Case.id.not_in(select(CaseDisqualification.case_id)
                              .where(CaseDisqualification.user_id == viewer.id)))
        .order_by(Case.year, Case.sequence, User.name, GrantCriterion.position,
                  GrantCriterion.id)).all()


def scores_csv(programme: GrantProgramme, viewer: Any) -> str:
    """Semicolon-separated, UTF-8 with BOM (Excel opens it with å, ä, ö); the scores
    ``viewer`` may read."""
    out = StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in score_rows(programme, viewer):
        scored_at: datetime | None = row.scored_at
        writer.writerow([_cell(v) for v in (
            row.number, row.association, row.year, row.state,
            row.outcome.value if row.outcome else "", row.requested_sek, row.granted_sek,
            row.officer or "", row.criterion, row.max_score, row.weight, row.score,
            row.score * row.weight, row.comment, format_local(scored_at))])
    return "\ufeff" + out.getvalue()
