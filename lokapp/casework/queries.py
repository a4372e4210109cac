"""The queue's queries: one filtered ``select`` of plain rows, its count and its counts per
type and state. Every page costs the same few queries whatever the number of cases."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from lokapp.associations.models import Association
from lokapp.auth.models import GlobalRole, User, UserArea, UserRole
from lokapp.bookings.models import BookingSeries
from lokapp.casework.models import CaseDisqualification, CaseMessage, CaseNote
from lokapp.core.cases import Case, parse_number
from lokapp.core.completions import CompletionRequest, open_deadlines
from lokapp.core.time import today_local
from lokapp.core.workflow import workflow_for
from lokapp.grants.models import GrantApplication, GrantProgramme

ASSIGNED_ANY, ASSIGNED_ME, ASSIGNED_NONE = "alla", "mig", "ingen"
STATE_OPEN, STATE_ALL = "oppna", "alla"
SORT_NEWEST, SORT_OLDEST, SORT_NUMBER, SORT_DEADLINE = "nyast", "aldst", "nummer", "frist"
DEADLINE_ANY, DEADLINE_PASSED, DEADLINE_WEEK, DEADLINE_SET = "alla", "passerad", "vecka", "finns"
DEADLINE_SOON_DAYS = 7
# A completion deadline counts while the case waits for the applicant.
WAITING_STATE = "needs_completion"
SEARCH_MAX_LENGTH = 100


@dataclass(frozen=True)
class Filters:
    case_type: str | None = None
    state: str = STATE_OPEN
    assigned: str = ASSIGNED_ANY
    text: str = ""
    sort: str = SORT_NEWEST
    programme_id: int | None = None  # grant applications of one programme
    deadline: str = DEADLINE_ANY  # the open completion deadline: passed, within 7 days, set
    today: date | None = None  # the Stockholm day the deadline filter compares with
    unanswered: bool = False  # only cases with an unanswered message from the applicant


def _scope(case_types: tuple[str, ...]):
    return and_(Case.number.is_not(None), Case.case_type.in_(case_types))


def _open_condition(case_types: tuple[str, ...]):
    """Cases not yet in a final state of their own workflow."""
    return or_(*[and_(Case.case_type == t,
                      Case.state.not_in(sorted(workflow_for(t).final_states)))
                 for t in case_types])


def _conditions(filters: Filters, case_types: tuple[str, ...], user_id: int, *,
                with_type_state: bool = True) -> list:
    conditions = [_scope(case_types)]
    if filters.assigned == ASSIGNED_ME:
        conditions.append(Case.assigned_officer_id == user_id)
    elif filters.assigned == ASSIGNED_NONE:
        conditions.append(Case.assigned_officer_id.is_(None))
    text = filters.text.strip()
    if text:
        number = parse_number(text)
        if number is not None:
            conditions.append(and_(Case.year == number[0], Case.sequence == number[1]))
        else:
            needle = f"%{_escape_like(text.lower())}%"
            conditions.append(or_(func.lower(Case.subject).like(needle, escape="\\"),
                                  func.lower(Case.number).like(needle, escape="\\")))
    if filters.deadline in (DEADLINE_PASSED, DEADLINE_WEEK, DEADLINE_SET):
        conditions.append(_deadline_condition(filters))
    if filters.unanswered:
        conditions.append(Case.id.in_(unanswered_cases()))
    if with_type_state:
        if filters.case_type:
            conditions.append(Case.case_type == filters.case_type)
        if filters.programme_id is not None:
            conditions.append(Case.id.in_(select(GrantApplication.case_id).where(
                GrantApplication.programme_id == filters.programme_id)))
        if filters.state == STATE_OPEN:
            conditions.append(_open_condition(case_types))
        elif filters.state != STATE_ALL:
            conditions.append(Case.state == filters.state)
    return conditions


def _deadline_condition(filters: Filters):
    """Waiting for the applicant with an open completion request whose deadline has passed
    (before today), falls within the next 7 days (today included), or exists at all."""
    today = filters.today or today_local()
    requests = select(CompletionRequest.case_id).where(CompletionRequest.answered_at.is_(None))
    if filters.deadline == DEADLINE_PASSED:
        requests = requests.where(CompletionRequest.deadline < today)
    elif filters.deadline == DEADLINE_WEEK:
        requests = requests.where(
            CompletionRequest.deadline >= today,
            CompletionRequest.deadline <= today + timedelta(days=DEADLINE_SOON_DAYS))
    return and_(Case.state == WAITING_STATE, Case.id.in_(requests))


def unanswered_cases() -> Select:
    """Ids of the cases with an unanswered message from the applicant: a reply newer than
    every officer message of the case (ties by id). One uncorrelated subquery over the
    messages (index ``(case_id, created_at)``), whatever the number of cases listed."""
    reply, answer = aliased(CaseMessage), aliased(CaseMessage)
    answered = select(answer.id).where(
        answer.case_id == reply.case_id, answer.is_from_officer.is_(True),
        or_(answer.created_at > reply.created_at,
            and_(answer.created_at == reply.created_at, answer.id > reply.id)))
    return select(reply.case_id).where(reply.is_from_officer.is_(False), ~answered.exists())


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def queue(filters: Filters, case_types: tuple[str, ...], user_id: int) -> Select:
    """Plain rows: the case, its association's name, the assignee's name, the open
    completion deadline (while the case waits for the applicant), whether the applicant's
    last message is unanswered, and the ids the domains' case pages are keyed by."""
    officer = aliased(User)
    deadlines = open_deadlines()
    order = {
        SORT_NEWEST: [Case.submitted_at.desc(), Case.id.desc()],
        SORT_OLDEST: [Case.submitted_at.asc(), Case.id.asc()],
        SORT_NUMBER: [Case.year.desc(), Case.sequence.desc()],
        # The nearest deadline first; cases without one after, oldest first.
        SORT_DEADLINE: [deadlines.c.deadline.is_(None), deadlines.c.deadline.asc(),
                        Case.submitted_at.asc(), Case.id.asc()],
    }[filters.sort]
    return (
        select(Case.id.label("case_id"), Case.number, Case.case_type, Case.subject, Case.state,
               Case.submitted_at, Case.association_id, Case.assigned_officer_id,
               Association.name.label("association_name"),
               officer.name.label("officer_name"),
               GrantApplication.id.label("grant_id"), BookingSeries.id.label("series_id"),
               deadlines.c.deadline.label("deadline"),
               Case.id.in_(unanswered_cases()).label("unanswered"))
        .outerjoin(deadlines, and_(deadlines.c.case_id == Case.id,
                                   Case.state == WAITING_STATE))
        .outerjoin(Association, Association.id == Case.association_id)
        .outerjoin(officer, officer.id == Case.assigned_officer_id)
        .outerjoin(GrantApplication, GrantApplication.case_id == Case.id)
        .outerjoin(BookingSeries, BookingSeries.case_id == Case.id)
        .where(*_conditions(filters, case_types, user_id))
        .order_by(*order)
    )


def total(filters: Filters, case_types: tuple[str, ...], user_id: int) -> Select:
    return select(func.count(Case.id)).where(*_conditions(filters, case_types, user_id))


def total_from_counts(filters: Filters, counts) -> int | None:
    """The list's total summed from :func:`counts` rows (``case_type, state, n``), which are
    taken under the same assignment, search and deadline filters – so the page needs one
    count over the cases, not two (each reads every matching case). None with a programme
    filter, which the counts do not group by: then :func:`total` counts."""
    if filters.programme_id is not None:
        return None
    total = 0
    for case_type, state, n in counts:
        if filters.case_type and case_type != filters.case_type:
            continue
        if filters.state == STATE_OPEN:
            if state in workflow_for(case_type).final_states:
                continue
        elif filters.state != STATE_ALL and state != filters.state:
            continue
        total += n
    return total


def counts(filters: Filters, case_types: tuple[str, ...], user_id: int) -> Select:
    """``(case_type, state, n)`` within the assignment and search filters."""
    return (select(Case.case_type, Case.state, func.count(Case.id))
            .where(*_conditions(filters, case_types, user_id, with_type_state=False))
            .group_by(Case.case_type, Case.state)
            .order_by(Case.case_type, Case.state))


def officers(areas: set[str]) -> Select:
    """Active officers and supervisors with at least one of ``areas`` (for the assign list)."""
    return (select(User)
            .where(User.is_disabled.is_(False),
                   User.id.in_(select(UserRole.user_id).where(UserRole.role.in_(
                       [GlobalRole.OFFICER, GlobalRole.SUPERVISOR]))),
                   User.id.in_(select(UserArea.user_id).where(UserArea.area.in_(areas))))
            .order_by(User.name, User.id))


def programmes() -> Select:
    """The grant programmes, for the programme filter."""
    return select(GrantProgramme).order_by(GrantProgramme.name_sv, GrantProgramme.id)


# --- notes, messages and declared jäv of one case (one query each, authors joined) ----------

def notes_of(case_id: int) -> Select:
    """The case's internal notes, newest first, with their authors."""
    return (select(CaseNote).where(CaseNote.case_id == case_id)
            .options(joinedload(CaseNote.author))
            .order_by(CaseNote.created_at.desc(), CaseNote.id.desc()))


def messages_of(case_id: int) -> Select:
    """The case's messages, oldest first (a conversation reads downwards), with authors."""
    return (select(CaseMessage).where(CaseMessage.case_id == case_id)
            .options(joinedload(CaseMessage.author))
            .order_by(CaseMessage.created_at, CaseMessage.id))


def disqualifications_of(case_id: int) -> Select:
    """The jäv declared on the case, oldest first, with the officers."""
    return (select(CaseDisqualification).where(CaseDisqualification.case_id == case_id)
            .options(joinedload(CaseDisqualification.user))
            .order_by(CaseDisqualification.declared_at, CaseDisqualification.id))
