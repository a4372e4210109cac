"""Casework services (they flush, never commit).

Assigning: jäv – an officer linked to the association in any role, or who has declared jäv on
the case – may not handle it, so such cases are skipped, never assigned. Cases outside the
acting officer's areas or the chosen officer's areas are skipped too. Each assignment writes
an audit event.

Notes, messages and declared jäv: :func:`add_note` (internal, for officers only),
:func:`send_message` (to the applicant – for a grant application every member of the
association with an applying role – by e-mail, and in the case file), :func:`reply` (the
association answers; the assigned officer gets an e-mail) and :func:`declare_disqualification`.
Every one writes an audit event; notes never reach a mail, a letter or the applicant.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from lokapp.associations.workflow import REGISTRATION
from lokapp.auth.models import AssociationMember
from lokapp.bookings.models import BookingSeries
from lokapp.bookings.season_workflow import SEASON_APPLICATION
from lokapp.casework.models import (
    CaseDisqualification,
    CaseMessage,
    CaseNote,
    remember_declaration,
)
from lokapp.casework.registry import KINDS, case_types_of
from lokapp.core import audit
from lokapp.core.cases import Case
from lokapp.core.mail import queue_mail
from lokapp.extensions import db
from lokapp.grants.models import GrantApplication
from lokapp.grants.permissions import APPLY_ROLES
from lokapp.grants.workflow import GRANT_APPLICATION

MAX_BULK = 500


@dataclass
class AssignResult:
    assigned: list[Case] = field(default_factory=list)
    unchanged: list[Case] = field(default_factory=list)
    disqualified: list[Case] = field(default_factory=list)
    declared: list[Case] = field(default_factory=list)
    outside_area: list[Case] = field(default_factory=list)


def assign(case_ids: list[int], officer: Any, actor: Any) -> AssignResult:
    """Assign the numbered cases ``case_ids`` (that ``actor`` may see) to ``officer``."""
    result = AssignResult()
    visible = case_types_of(actor)
    ids = sorted(set(case_ids))[:MAX_BULK]
    if not ids or not visible:
        return result
    cases = db.session.scalars(
        select(Case).where(Case.id.in_(ids), Case.number.is_not(None),
                           Case.case_type.in_(visible))
        .order_by(Case.year, Case.sequence)).all()
    officer_types = set(case_types_of(officer))
    association_ids = {c.association_id for c in cases if c.association_id is not None}
    linked = set(db.session.scalars(
        select(AssociationMember.association_id).where(
            AssociationMember.user_id == officer.id,
            AssociationMember.association_id.in_(association_ids)))) if association_ids else set()
    declared = set(db.session.scalars(select(CaseDisqualification.case_id).where(
        CaseDisqualification.user_id == officer.id,
        CaseDisqualification.case_id.in_([c.id for c in cases])))) if cases else set()
    for case in cases:
        if case.case_type not in officer_types:
            result.outside_area.append(case)
        elif case.id in declared:
            result.declared.append(case)
        elif case.association_id in linked or case.applicant_id == officer.id:
            result.disqualified.append(case)
        elif case.assigned_officer_id == officer.id:
            result.unchanged.append(case)
        else:
            previous = case.assigned_officer_id
            case.assigned_officer_id = officer.id
            audit.record("case.assigned", case, actor=actor, officer_id=officer.id,
                         previous_officer_id=previous, number=case.number)
            result.assigned.append(case)
    db.session.flush()
    return result


# --- pages of a case ------------------------------------------------------------------------

# The case types with a message thread, and the applicant's page that shows it (partsinsyn):
# endpoint, URL parameter, and which id fills it ("case": the case's, "grant": the
# application's).
MESSAGE_TYPES: dict[str, tuple[str, str, str]] = {
    GRANT_APPLICATION: ("grants.application", "application_id", "grant"),
    REGISTRATION: ("register.registration", "case_id", "case"),
    SEASON_APPLICATION: ("bookings.season_party_case", "case_id", "case"),
}
_DOMAIN_ROWS = {"grant": (GrantApplication.id, GrantApplication.case_id),
                "series": (BookingSeries.id, BookingSeries.case_id)}


def _domain_id(case: Case, source: str) -> int | None:
    if source == "case":
        return case.id
    column, case_column = _DOMAIN_ROWS[source]
    return db.session.scalar(select(column).where(case_column == case.id))


def officer_page(case: Case) -> tuple[str, dict[str, int]] | None:
    """The endpoint and URL values of the officer's page of ``case`` (see the registry)."""
    kind = KINDS.get(case.case_type)
    value = _domain_id(case, kind.source) if kind else None
    return (kind.endpoint, {kind.param: value}) if value is not None else None


def applicant_page(case: Case) -> tuple[str, dict[str, int]] | None:
    """The endpoint and URL values of the applicant's page with the message thread."""
    if case.case_type not in MESSAGE_TYPES:
        return None
    endpoint, param, source = MESSAGE_TYPES[case.case_type]
    value = _domain_id(case, source)
    return (endpoint, {param: value}) if value is not None else None


def _url(page: tuple[str, dict[str, int]] | None, external: bool) -> str | None:
    from flask import url_for

    from lokapp.auth.services import absolute_url

    if page is None:
        return None
    endpoint, values = page
    return absolute_url(endpoint, **values) if external else url_for(endpoint, **values)


def officer_url(case: Case, *, external: bool = False) -> str | None:
    """The officer's page of ``case``; mail links (``external``) start from
    ``SERVER_BASE_URL``."""
    return _url(officer_page(case), external)


def applicant_url(case: Case, *, external: bool = False) -> str | None:
    """The applicant's page of ``case`` where the message thread is shown."""
    return _url(applicant_page(case), external)


# --- internal notes ---------------------------------------------------------------------------

def add_note(case: Case, author: Any, body: str) -> CaseNote:
    """An internal note by an officer; never shown to the applicant."""
    note = CaseNote(case_id=case.id, author_id=author.id, body=body.strip())
    db.session.add(note)
    db.session.flush()
    # The audit row names the note, not its text: the log is read more widely than the case.
    audit.record("case.note_added", case, actor=author, note_id=note.id, number=case.number)
    return note


# --- declared jäv ---------------------------------------------------------------------------

def declare_disqualification(case: Case, user: Any, reason: str) -> CaseDisqualification:
    """``user`` declares jäv on ``case``: recorded, audited, and unassigned if assigned.

    From then on the permission predicates refuse the officer the case (assign, handle,
    propose, confirm, decide) – see :func:`lokapp.casework.permissions.conflict`."""
    row = CaseDisqualification(case_id=case.id, user_id=user.id, reason=reason.strip())
    db.session.add(row)
    was_assigned = case.assigned_officer_id == user.id
    if was_assigned:
        case.assigned_officer_id = None
    db.session.flush()
    remember_declaration(row)
    audit.record("case.disqualification_declared", case, actor=user, number=case.number,
                 reason=row.reason, unassigned=was_assigned)
    return row


# --- messages to and from the applicant -----------------------------------------------------

def send_message(case: Case, officer: Any, body: str) -> CaseMessage:
    """The officer writes to the applicant: stored in the case file and e-mailed."""
    message = CaseMessage(case_id=case.id, author_id=officer.id, is_from_officer=True,
                          body=body.strip())
    db.session.add(message)
    db.session.flush()
    audit.record("case.message_sent", case, actor=officer, message_id=message.id,
                 number=case.number)
    link = applicant_url(case, external=True)
    for recipient in message_recipients(case):
        queue_mail(to=recipient.email,
                   subject=_("Meddelande om ärende %(number)s", number=case.number),
                   template="mail/case_message",
                   context={"name": recipient.name, "number": case.number,
                            "case_subject": case.subject, "message": message.body,
                            "officer": officer.name, "link": link},
                   related=("cases", case.id))
    return message


# The association's roles that get the officer's messages, per case type (those who may
# answer); other case types write to the applicant only.
RECIPIENT_ROLES: dict[str, frozenset[str]] = {GRANT_APPLICATION: APPLY_ROLES}


def message_recipients(case: Case) -> list[Any]:
    """Who gets an officer's message by e-mail, each person once (by user and by address):
    the applicant, and for an association's grant application every member with an applying
    role (the applicant only while still linked to the association). Disabled accounts get
    nothing. One query."""
    from lokapp.auth.models import AssociationMemberRole, User

    roles = RECIPIENT_ROLES.get(case.case_type)
    applicant = case.applicant
    if roles is None or case.association_id is None:
        people = [applicant] if applicant is not None else []
    else:
        members = list(db.session.execute(
            select(User, AssociationMemberRole.role)
            .join(AssociationMember, AssociationMember.user_id == User.id)
            .outerjoin(AssociationMemberRole,
                       AssociationMemberRole.member_id == AssociationMember.id)
            .where(AssociationMember.association_id == case.association_id)
            .order_by(User.id)))
        linked = {user.id for user, _role in members}
        people = [applicant] if applicant is not None and applicant.id in linked else []
        people += [user for user, role in members
                   if role is not None and str(getattr(role, "value", role)) in roles]
    seen_ids: set[int] = set()
    seen_addresses: set[str] = set()
    recipients = []
    for person in people:
        address = (person.email or "").strip().lower()
        if person.is_disabled or not address or person.id in seen_ids \
                or address in seen_addresses:
            continue
        seen_ids.add(person.id)
        seen_addresses.add(address)
        recipients.append(person)
    return recipients


def reply(case: Case, user: Any, body: str) -> CaseMessage:
    """The association answers in the case file; the assigned officer gets an e-mail."""
    message = CaseMessage(case_id=case.id, author_id=user.id, is_from_officer=False,
                          body=body.strip())
    db.session.add(message)
    db.session.flush()
    audit.record("case.message_replied", case, actor=user, message_id=message.id,
                 number=case.number)
    officer = case.assigned_officer
    if officer is not None and not officer.is_disabled:
        queue_mail(to=officer.email,
                   subject=_("Svar i ärende %(number)s", number=case.number),
                   template="mail/case_reply",
                   context={"name": officer.name, "number": case.number,
                            "case_subject": case.subject, "message": message.body,
                            "author": user.name, "link": officer_url(case, external=True)},
                   related=("cases", case.id))
    return message


# The rule that lets the applicant's side answer a message, per case type.
REPLY_RULES: dict[str, str] = {GRANT_APPLICATION: "grants.reply",
                               REGISTRATION: "casework.reply_as_applicant",
                               SEASON_APPLICATION: "bookings.season_apply_case"}
