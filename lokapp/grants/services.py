"""The grants' use cases: one function each; they flush, never commit.

Programmes    :func:`save_programme`, :func:`add_question`, :func:`remove_question`,
              :func:`set_budget`
Applications  :func:`start_application` (optionally copying last year's), :func:`save_answers`,
              :func:`save_budget`, :func:`attach`, :func:`missing_for_submit`,
              :func:`submit_application` (eligibility, snapshot, number, receipt),
              :func:`withdraw_application`
Decisions     :func:`assign_to_me`, :func:`request_completion`, :func:`decide` (or propose
              above the officer's delegation), :func:`confirm_proposal`,
              :func:`return_proposal`; the pot is locked while it is taken from

``compute_status`` is looked up through this module, so tests can stand in for the register.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from lokapp.associations.models import Association, Category, MemberCount
from lokapp.associations.status import compute_status
from lokapp.core import audit
from lokapp.core.cases import open_case, submit
from lokapp.core.completions import (
    CompletionRequest,
    answer_open_requests,
    deadline_error,
    record_request,
)
from lokapp.core.mail import queue_mail
from lokapp.core.time import to_local, today_local, utcnow
from lokapp.core.uploads import store_upload
from lokapp.core.workflow import apply
from lokapp.extensions import db
from lokapp.grants import formulas, participants
from lokapp.grants.models import (
    AppealRoute,
    BudgetLineKind,
    Eligibility,
    FormulaKind,
    GrantApplication,
    GrantAttachment,
    GrantBudget,
    GrantBudgetLine,
    GrantProgramme,
    GrantQuestion,
    Outcome,
    QuestionKind,
    WindowKind,
)
from lokapp.grants.workflow import GRANT_APPLICATION, State


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
    # The formula rule (lokapp.grants.formulas); parameters of other kinds are cleared.
    formula_kind: FormulaKind = FormulaKind.NONE
    formula_rate_sek: int | None = None
    formula_occasion_sek: int | None = None
    formula_age_min: int | None = None
    formula_age_max: int | None = None
    formula_min_group: int | None = None
    formula_share_percent: int | None = None
    # The application asks for the expected participants (lokapp.grants.participants).
    asks_participants: bool = False


_COLUMNS = ("key", "name_sv", "name_en", "description_sv", "description_en", "rules_sv",
            "eligibility", "window_kind", "opens_on", "closes_on", "is_monetary",
            "max_amount_sek", "has_budget_table", "required_attachments",
            "delegation_limit_sek", "appeal_route", "follow_up_required", "follow_up_days",
            "handling_days", "is_active", "asks_participants", *formulas.PROGRAMME_COLUMNS)


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
    formulas.normalise_programme(data)
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


# --- applications ---------------------------------------------------------------------------------


@dataclass
class BudgetLineData:
    kind: BudgetLineKind
    description: str
    amount_sek: int


def previous_application(programme: GrantProgramme, association: Association
                         ) -> GrantApplication | None:
    """The association's latest submitted application to the programme (to copy from)."""
    from lokapp.core.cases import Case

    return db.session.scalar(
        select(GrantApplication).join(Case, Case.id == GrantApplication.case_id)
        .where(GrantApplication.programme_id == programme.id,
               GrantApplication.association_id == association.id,
               Case.submitted_at.is_not(None))
        .order_by(Case.submitted_at.desc(), GrantApplication.id.desc()).limit(1))


def start_application(programme: GrantProgramme, association: Association, user: Any, *,
                      copy_previous: bool = False) -> GrantApplication:
    """A private draft (no number yet); with ``copy_previous`` the answers and budget of the
    association's latest application to the programme are copied (never its files: last
    year's attachments are last year's)."""
    if not programme.is_active:
        raise GrantError(_("Bidragsformen går inte att söka."))
    case = open_case(GRANT_APPLICATION,
                     subject=f"{programme.name_sv} – {association.name}"[:300],
                     applicant=user, association_id=association.id)
    application = GrantApplication(case_id=case.id, programme_id=programme.id,
                                   association_id=association.id,
                                   year=today_local().year, answers={})
    if copy_previous:
        source = previous_application(programme, association)
        if source is None:
            raise GrantError(_("Föreningen har ingen tidigare ansökan att kopiera."))
        valid_ids = {str(q.id) for q in programme.questions
                     if q.kind != QuestionKind.FILE}
        application.answers = {k: v for k, v in (source.answers or {}).items()
                               if k in valid_ids}
        application.own_contribution_sek = source.own_contribution_sek
        application.requested_sek = source.requested_sek
        application.copied_from_id = source.id
        for line in source.budget_lines:
            application.budget_lines.append(GrantBudgetLine(
                position=line.position, kind=line.kind, description=line.description,
                amount_sek=line.amount_sek))
        formulas.copy_previous(programme, source, application)
        participants.copy_previous(programme, source, application)
    db.session.add(application)
    db.session.flush()
    audit.record("grant_application.started", application, actor=user,
                 programme=programme.key, copied_from=application.copied_from_id)
    return application


def _editable(application: GrantApplication) -> None:
    """Refuse a change unless the application is a draft or asked to complete. The case row
    is re-read under a row lock, so a submission by another representative in another
    request is seen (nothing changes after submission)."""
    db.session.flush()
    db.session.refresh(application.case, with_for_update=True)
    if application.case.state not in (State.DRAFT, State.NEEDS_COMPLETION):
        raise GrantError(_("Ansökan är inskickad och kan inte ändras nu."))


def save_answers(application: GrantApplication, answers: dict[int, str | None],
                 user: Any) -> None:
    """Store the answers of the question step (text as typed, already validated)."""
    _editable(application)
    stored = dict(application.answers or {})
    for question_id, value in answers.items():
        if value is None or value == "":
            stored.pop(str(question_id), None)
        else:
            stored[str(question_id)] = value
    application.answers = stored
    db.session.flush()


def save_budget(application: GrantApplication, *, lines: list[BudgetLineData],
                own_contribution_sek: int, requested_sek: int | None, user: Any) -> int | None:
    """Store the budget step. With a budget table the requested amount follows from it:
    costs − income − own contribution; otherwise it is what the association typed."""
    _editable(application)
    programme = application.programme
    if not programme.is_monetary:
        application.requested_sek = None
        db.session.flush()
        return None
    if programme.has_budget_table:
        application.budget_lines.clear()
        db.session.flush()
        for position, line in enumerate(lines):
            application.budget_lines.append(GrantBudgetLine(
                position=position, kind=line.kind, description=line.description,
                amount_sek=line.amount_sek))
        application.own_contribution_sek = own_contribution_sek
        costs = sum(x.amount_sek for x in lines if x.kind == BudgetLineKind.COST)
        income = sum(x.amount_sek for x in lines if x.kind == BudgetLineKind.INCOME)
        requested = costs - income - own_contribution_sek
        if requested < 0:
            raise GrantError(_("Intäkterna och den egna insatsen är större än kostnaderna, så "
                               "det finns inget att söka. Kontrollera budgeten."))
        application.requested_sek = requested
    else:
        application.requested_sek = requested_sek
    db.session.flush()
    return application.requested_sek


def attach(application: GrantApplication, upload: Any, *, label: str, user: Any,
           question_id: int | None = None) -> GrantAttachment:
    """Store an uploaded file for a required attachment or a file question (replacing the
    earlier file for the same thing)."""
    _editable(application)
    stored = store_upload(upload, user=user)
    for old in list(application.attachments):
        if (question_id is not None and old.question_id == question_id) or \
                (question_id is None and old.question_id is None and old.label == label):
            application.attachments.remove(old)
    attachment = GrantAttachment(stored_file_id=stored.id, label=label[:200],
                                 question_id=question_id, uploaded_at=utcnow())
    application.attachments.append(attachment)
    db.session.flush()
    return attachment


def missing_for_submit(application: GrantApplication, on: date | None = None) -> list[str]:
    """Everything that stands between the application and a submit, one sentence each."""
    on = on or today_local()
    programme = application.programme
    association = db.session.get(Association, application.association_id)
    missing: list[str] = []
    if not programme.is_open_on(on):
        if programme.closes_on is not None and on > programme.closes_on:
            missing.append(_("Ansökningstiden gick ut %(date)s.",
                             date=programme.closes_on.isoformat()))
        elif programme.opens_on is not None and on < programme.opens_on:
            missing.append(_("Det går att söka från och med %(date)s.",
                             date=programme.opens_on.isoformat()))
        else:
            missing.append(_("Bidragsformen går inte att söka just nu."))
    status = compute_status(association, on)
    from lokapp.associations.status import StatusState

    if programme.eligibility == Eligibility.ELIGIBLE:
        if not status.is_eligible:
            missing.append(_("Föreningen måste vara bidragsberättigad i föreningsregistret. "
                             "Det här saknas:") if status.missing else
                           _("Föreningen är inte bidragsberättigad (%(status)s).",
                             status=status.label))
            missing.extend(status.missing)
    elif status.state not in (StatusState.REGISTERED, StatusState.ELIGIBLE):
        missing.append(_("Föreningen måste vara registrerad och inte spärrad "
                         "(nu: %(status)s).", status=status.label))
    if programme.categories and association.category_id not in \
            {c.id for c in programme.categories}:
        missing.append(_("Bidraget är bara för föreningar i kategorierna %(names)s.",
                         names=", ".join(c.name_sv for c in programme.categories)))
    answers = application.answers or {}
    files = {a.question_id for a in application.attachments if a.question_id is not None}
    for question in programme.questions:
        if not question.is_required:
            continue
        answered = question.id in files if question.kind == QuestionKind.FILE \
            else str(question.id) in answers
        if not answered:
            missing.append(_("Frågan ”%(label)s” är inte besvarad.", label=question.label_sv))
    labels = {a.label for a in application.attachments if a.question_id is None}
    for required in programme.required_attachments or []:
        if required not in labels:
            missing.append(_("Bilagan ”%(label)s” saknas.", label=required))
    missing.extend(formulas.missing_for_submit(application))
    missing.extend(participants.missing_for_submit(application))
    if programme.is_monetary and not formulas.applies(programme):
        if not application.requested_sek:
            missing.append(_("Fyll i hur mycket föreningen söker.") if not
                           programme.has_budget_table else
                           _("Fyll i budgeten så att det framgår hur mycket föreningen söker."))
        elif programme.max_amount_sek and application.requested_sek > programme.max_amount_sek:
            missing.append(_("Föreningen söker %(amount)s kronor, men högsta belopp är "
                             "%(max)s kronor.", amount=_sek(application.requested_sek),
                             max=_sek(programme.max_amount_sek)))
    return missing


def _sek(amount: int) -> str:
    return f"{amount:,}".replace(",", "\u00a0")


def snapshot_of(association: Association, year: int) -> dict[str, Any]:
    """The equal-treatment facts about the association, as they are now."""
    counts = db.session.execute(
        select(MemberCount.year, MemberCount.age_band, MemberCount.gender, MemberCount.count)
        .where(MemberCount.association_id == association.id,
               MemberCount.year.in_((year - 1, year)))).all()
    latest = max((row.year for row in counts), default=None)
    return {
        "category": association.category.key if association.category else None,
        "districts": sorted(d.key for d in association.districts),
        "target_groups": sorted(t.key for t in association.target_groups),
        "member_counts_year": latest,
        "member_counts": {f"{row.age_band}:{row.gender}": row.count
                          for row in counts if row.year == latest},
        "registered_at": association.registered_at.isoformat()
        if association.registered_at else None,
    }


def submit_application(application: GrantApplication, user: Any) -> None:
    """Check, snapshot, submit (number + history) and mail a receipt."""
    # Lock the case first, then read the application's rows after the lock: what a colleague
    # of the association saved meanwhile is what is checked, computed and snapshotted.
    _editable(application)
    db.session.expire(application)
    formulas.refresh(application)  # the amount follows the rule in force at submission
    missing = missing_for_submit(application)
    if missing:
        raise IncompleteApplication(missing)
    case = application.case
    resubmitted = case.number is not None
    association = db.session.get(Association, application.association_id)
    if not resubmitted:
        application.snapshot = snapshot_of(association, to_local(utcnow()).year)
    # The expected participants as submitted (again after a completion: they may change).
    if participants.applies(application.programme):
        application.snapshot = {**(application.snapshot or {}),
                                **participants.snapshot(application)}
    submit(case, user)
    if resubmitted:
        answer_open_requests(case)
    audit.record("grant_application.submitted", application, actor=user, number=case.number,
                 requested_sek=application.requested_sek)
    if case.applicant is not None and not case.applicant.is_disabled:
        from lokapp.auth.services import absolute_url

        queue_mail(to=case.applicant.email,
                   subject=_("Vi har tagit emot ansökan %(number)s", number=case.number),
                   template="mail/grant_received",
                   context={"name": case.applicant.name, "association": association.name,
                            "programme": application.programme.name_sv,
                            "number": case.number, "resubmitted": resubmitted,
                            "requested": _sek(application.requested_sek)
                            if application.requested_sek is not None else None,
                            "handling_days": application.programme.handling_days,
                            "link": absolute_url("grants.application",
                                                 application_id=application.id)},
                   related=("cases", case.id))


def withdraw_application(application: GrantApplication, user: Any) -> None:
    apply(application.case, "withdraw", user)
    audit.record("grant_application.withdrawn", application, actor=user)


class IncompleteApplication(GrantError):
    """Submit refused; ``missing`` lists what is missing, one Swedish sentence each."""

    def __init__(self, missing: list[str]):
        super().__init__(_("Ansökan kan inte skickas in ännu."))
        self.missing = missing


# --- decisions --------------------------------------------------------------------------------------

REASONS_MAX = 4000


def assign_to_me(application: GrantApplication, user: Any) -> None:
    """The officer takes the submitted case (refused for a disqualified officer: jäv)."""
    apply(application.case, "assign", user)
    application.case.assigned_officer_id = user.id
    db.session.flush()


def request_completion(application: GrantApplication, user: Any, *, message: str,
                       deadline: date) -> CompletionRequest:
    """Ask the applicant to complete the application by ``deadline`` (after today, at most
    90 days ahead); they change the application and submit it again. The request is stored
    (the queue shows its deadline, ``flask lok remind-deadlines`` reminds before it)."""
    error = deadline_error(deadline)
    if error:
        raise GrantError(error)
    message = message.strip()
    note = _("%(message)s\n\nSvara senast %(date)s.", message=message,
             date=deadline.isoformat())
    apply(application.case, "request_completion", user, note=note)
    request = record_request(application.case, user, message, deadline)
    audit.record("grant_application.completion_requested", application, actor=user,
                 deadline=deadline.isoformat())
    case = application.case
    if case.applicant is not None and not case.applicant.is_disabled:
        from lokapp.auth.services import absolute_url

        queue_mail(to=case.applicant.email,
                   subject=_("Komplettera ansökan %(number)s senast %(date)s",
                             number=case.number, date=deadline.isoformat()),
                   template="mail/grant_completion",
                   context={"name": case.applicant.name, "number": case.number,
                            "programme": application.programme.name_sv,
                            "message": message, "deadline": deadline.isoformat(),
                            "link": absolute_url("grants.application",
                                                 application_id=application.id)},
                   related=("cases", case.id))
    return request


def _checked_decision(application: GrantApplication, outcome: Outcome, amount_sek: int | None,
                      reasons: str) -> int:
    """The granted amount of a valid decision; GrantError with the reason otherwise."""
    reasons = (reasons or "").strip()
    if outcome in (Outcome.PARTIALLY_APPROVED, Outcome.REJECTED) and not reasons:
        raise GrantError(_("Skriv skälen för beslutet. Ett beslut som inte ger allt som "
                           "föreningen söker måste motiveras."))
    if len(reasons) > REASONS_MAX:
        raise GrantError(_("Skälen får vara högst %(max)d tecken.", max=REASONS_MAX))
    if not application.programme.is_monetary or outcome == Outcome.REJECTED:
        return 0
    requested = application.requested_sek or 0
    if outcome == Outcome.APPROVED:
        return requested
    if amount_sek is None or amount_sek <= 0:
        raise GrantError(_("Fyll i det belopp som beviljas."))
    if amount_sek >= requested:
        raise GrantError(_("Vid delvis bifall ska beloppet vara lägre än det sökta "
                           "(%(requested)s kronor). Välj bifall om allt beviljas.",
                           requested=_sek(requested)))
    return amount_sek


def _commit_budget(application: GrantApplication, amount: int) -> None:
    """Take ``amount`` from the programme-year's pot, holding its row lock until commit
    (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite serialises writers with BEGIN IMMEDIATE),
    so concurrent decisions can never grant more than the pot."""
    if amount <= 0:
        return
    budget = db.session.scalar(select(GrantBudget).where(
        GrantBudget.programme_id == application.programme_id,
        GrantBudget.year == application.year).with_for_update()
        .execution_options(populate_existing=True))
    if budget is None:
        raise GrantError(_("Det finns ingen budget för %(programme)s %(year)d. Be en "
                           "administratör lägga in årets budget.",
                           programme=application.programme.name_sv, year=application.year))
    if amount > budget.amount_sek - budget.committed_sek:
        raise GrantError(_("Budgeten räcker inte: %(left)s kronor finns kvar för %(year)d, "
                           "beslutet gäller %(amount)s kronor.",
                           left=_sek(budget.amount_sek - budget.committed_sek),
                           year=application.year, amount=_sek(amount)))
    budget.committed_sek += amount
    db.session.flush()


def _finalise(application: GrantApplication, action: str, user: Any, outcome: Outcome,
              amount: int, reasons: str) -> None:
    apply(application.case, action, user, note=reasons.strip() or None)
    _commit_budget(application, amount)
    application.outcome = outcome
    application.granted_sek = amount if application.programme.is_monetary else None
    application.reasons = reasons.strip() or None
    application.decided_by_id = user.id
    application.decided_at = application.case.decided_at
    db.session.flush()
    audit.record("grant_application.decided", application, actor=user, outcome=outcome.value,
                 granted_sek=application.granted_sek,
                 proposed_by=application.proposed_by_id)
    # The payout line belongs to the decision: same transaction.
    from lokapp.grants.follow_up import start_follow_up
    from lokapp.grants.payouts import create_for_decision

    create_for_decision(application, user)
    # A granted decision on a programme that asks for a report: the report becomes due.
    start_follow_up(application)


def decide(application: GrantApplication, user: Any, *, outcome: Outcome | str,
           amount_sek: int | None, reasons: str) -> str:
    """Decide, or – above the officer's delegation – propose; returns the new state.

    Approve grants what was requested; approve in part grants ``amount_sek`` (less than
    requested); reject grants nothing. Reasons are mandatory for partial and reject."""
    from lokapp.grants.permissions import decision_amount, delegation_of

    outcome = Outcome(outcome)
    amount = _checked_decision(application, outcome, amount_sek, reasons)
    if decision_amount(application, outcome, amount) > delegation_of(user, application):
        apply(application.case, "propose", user, note=(reasons or "").strip() or None)
        application.proposed_outcome = outcome
        application.proposed_sek = amount
        application.proposed_reasons = (reasons or "").strip() or None
        application.proposed_by_id = user.id
        application.proposed_at = utcnow()
        db.session.flush()
        audit.record("grant_application.proposed", application, actor=user,
                     outcome=outcome.value, amount_sek=amount)
        return State.PROPOSED.value
    _finalise(application, "decide", user, outcome, amount, reasons or "")
    return State.DECIDED.value


def confirm_proposal(application: GrantApplication, user: Any) -> None:
    """A second officer (never the proposer, with a high enough delegation) confirms."""
    outcome = application.proposed_outcome
    if outcome is None:
        raise GrantError(_("Det finns inget förslag att fastställa."))
    _finalise(application, "confirm", user, Outcome(outcome), application.proposed_sek or 0,
              application.proposed_reasons or "")


def return_proposal(application: GrantApplication, user: Any, note: str) -> None:
    """The second officer sends the proposal back to the handling officer."""
    apply(application.case, "return_proposal", user, note=note)
    application.proposed_outcome = application.proposed_sek = None
    application.proposed_reasons = application.proposed_by_id = application.proposed_at = None
    db.session.flush()


def after_decision(application: GrantApplication, user: Any) -> None:
    """After the decision is committed: the decision letter (PDF and e-mail through the
    letters module) in its own transaction. A letter that fails is logged and does not undo
    the decision; the letters' batch (``cases_without_letter``) issues it later."""
    import logging

    from lokapp.letters.models import LetterKind
    from lokapp.letters.services import issue_letter

    try:
        issue_letter(application.case, LetterKind.GRANT_DECISION, actor=user)
        db.session.commit()
    except Exception:  # noqa: BLE001 - the decision stands; the letter can be issued again
        db.session.rollback()
        logging.getLogger(__name__).exception(
            "Decision letter for grant application %s failed", application.id)
