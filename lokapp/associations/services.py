"""The register's use cases: one function each; they flush, never commit.

Every state change goes through the workflow engine (:func:`lokapp.core.workflow.apply`), writes
the audit log and queues mail (:func:`lokapp.core.mail.queue_mail`) in the caller's
transaction, so nothing is mailed about a change that was rolled back.

Registration       :func:`register_association`, :func:`resubmit_registration`,
                   :func:`approve_registration`, :func:`reject_registration`
Completion         :func:`request_completion` (registration and annual update)
Public data        :func:`update_association`
Annual update      :func:`submit_annual_update`, :func:`approve_annual_update`
Documents          :func:`upload_document`
People             :func:`invite`, :func:`check_invitation`, :func:`accept_invitation`,
                   :func:`revoke_invitation`, :func:`change_member`, :func:`remove_member`
Sensitive changes  :func:`request_sensitive_change`, :func:`approve_sensitive_change`,
                   :func:`reject_sensitive_change`, :func:`withdraw_sensitive_change`
Reminders          :func:`send_reminders` (``flask lok remind``)
Officer actions    :func:`act` dispatches an action button to the right function.
Decision letters   :func:`issue_decision_letter` – the hook the letters issue fills in.
"""
from __future__ import annotations

import enum
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.datastructures import FileStorage

from lokapp.associations.models import (
    AgeBand,
    AnnualUpdate,
    AnnualUpdateReminder,
    Association,
    AssociationDocument,
    AssociationInvitation,
    AssociationLanguage,
    BoardMember,
    CompletionRequest,
    District,
    DocumentType,
    Gender,
    LegalForm,
    MemberCount,
    RegisterSettings,
    RegisterState,
    ReminderKind,
    SensitiveChange,
    TargetGroup,
)
from lokapp.associations.numbers import format_bankgiro, format_orgnr, format_plusgiro
from lokapp.associations.workflow import (
    ANNUAL_UPDATE,
    REGISTRATION,
    SENSITIVE_CHANGE,
    AnnualUpdateState,
    ChangeState,
    RegistrationState,
)
from lokapp.auth.models import AssociationMember, AssociationMemberRole, AssociationRole, User
from lokapp.core import audit
from lokapp.core.cases import Case, open_case, submit
from lokapp.core.mail import queue_mail
from lokapp.core.time import STOCKHOLM, to_local, utcnow
from lokapp.core.uploads import UploadError, store_upload
from lokapp.core.workflow import TransitionNotAllowed, apply, can_act
from lokapp.extensions import db

ADMIN = AssociationRole.ADMINISTRATOR.value
INVITATION_LIFETIME = timedelta(days=7)
REMINDER_ROLES = (AssociationRole.ADMINISTRATOR, AssociationRole.CHAIR, AssociationRole.CONTACT)


class RegisterError(Exception):
    """A refused use case; ``str(error)`` is the Swedish message for the user."""


class LastAdministrator(RegisterError):
    pass


class DocumentUploadError(UploadError):
    """An upload refused for one document type of a form with several files."""

    def __init__(self, doc_type: DocumentType, message: Any):
        super().__init__(str(message))
        self.doc_type = doc_type


# --- plain data from the forms --------------------------------------------------------------

@dataclass
class BoardEntry:
    name: str
    role: str
    email: str | None = None


@dataclass
class AssociationData:
    """The data a representative may change directly."""

    name: str
    category_id: int
    district_ids: list[int]
    target_group_ids: list[int]
    languages: list[str]
    description: str
    email: str | None = None
    phone: str | None = None
    website: str | None = None
    street_address: str | None = None
    postal_code: str | None = None
    city: str | None = None
    founded_year: int | None = None
    has_accessible_premises: bool = False
    is_public: bool = False
    board: list[BoardEntry] = field(default_factory=list)


@dataclass
class RegistrationData(AssociationData):
    """Everything a registration holds: the public data, identity, payment, member counts."""

    legal_form: LegalForm = LegalForm.NONPROFIT
    orgnr: str | None = None
    bankgiro: str | None = None
    plusgiro: str | None = None
    counts: dict[tuple[AgeBand, Gender], int] = field(default_factory=dict)


@dataclass
class PaymentData:
    orgnr: str | None
    bankgiro: str | None
    plusgiro: str | None


# --- helpers --------------------------------------------------------------------------------

def absolute_url(endpoint: str, **values: Any) -> str:
    from lokapp.auth.services import absolute_url as _absolute_url

    return _absolute_url(endpoint, **values)


def _association_of(case: Case) -> Association:
    return db.session.get(Association, case.association_id)


def _mail_applicant(case: Case, template: str, subject: str, **context: Any) -> None:
    """Mail the case's applicant (skipped if the account is gone)."""
    applicant = case.applicant
    if applicant is None or applicant.is_disabled:
        return
    association = _association_of(case)
    queue_mail(
        to=applicant.email, subject=subject, template=f"mail/association_{template}",
        context={"name": applicant.name, "association": association.name,
                 "number": case.number, **context},
        related=("cases", case.id),
    )


PUBLIC_COLUMNS = ("name", "category_id", "description", "email", "phone", "website",
                  "street_address", "postal_code", "city", "founded_year",
                  "has_accessible_premises", "is_public")


def _set_columns(association: Association, data: Any, names: Iterable[str]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name in names:
        old, new = getattr(association, name), getattr(data, name)
        if old != new:
            changes[name] = [old, new]
            setattr(association, name, new)
    return changes


def _apply_public_data(association: Association, data: AssociationData) -> dict[str, Any]:
    """Copy the public data onto ``association``; returns ``{field: [old, new]}``."""
    lists = _set_columns(association, data, PUBLIC_COLUMNS)

    old_districts = sorted(d.id for d in association.districts)
    if old_districts != sorted(data.district_ids):
        association.districts = list(db.session.scalars(
            select(District).where(District.id.in_(data.district_ids))))
        lists["districts"] = [old_districts, sorted(data.district_ids)]

    old_groups = sorted(t.id for t in association.target_groups)
    if old_groups != sorted(data.target_group_ids):
        association.target_groups = list(db.session.scalars(
            select(TargetGroup).where(TargetGroup.id.in_(data.target_group_ids))))
        lists["target_groups"] = [old_groups, sorted(data.target_group_ids)]

    old_languages = sorted(lang.code for lang in association.languages)
    new_languages = sorted(set(data.languages))
    if old_languages != new_languages:
        association.languages = [lang for lang in association.languages
                                 if lang.code in new_languages]
        kept = {lang.code for lang in association.languages}
        association.languages.extend(AssociationLanguage(code=code) for code in new_languages
                                     if code not in kept)
        lists["languages"] = [old_languages, new_languages]

    old_board = [(m.name, m.role, m.email) for m in association.board_members]
    new_board = [(b.name, b.role, b.email) for b in data.board]
    if old_board != new_board:
        association.board_members = [BoardMember(name=b.name, role=b.role, email=b.email)
                                     for b in data.board]
        # Names and roles only: the audit log need not repeat the board's email addresses.
        lists["board"] = [[f"{n} ({r})" for n, r, _e in old_board],
                          [f"{n} ({r})" for n, r, _e in new_board]]
    return lists


def _set_counts(association: Association, year: int,
                counts: dict[tuple[AgeBand, Gender], int]) -> None:
    existing = {(c.age_band, c.gender): c for c in db.session.scalars(
        select(MemberCount).where(MemberCount.association_id == association.id,
                                  MemberCount.year == year))}
    for (band, gender), value in counts.items():
        row = existing.get((band, gender))
        if row is None:
            db.session.add(MemberCount(association_id=association.id, year=year,
                                       age_band=band, gender=gender, count=value))
        else:
            row.count = value


def counts_for(association: Association, year: int) -> dict[tuple[str, str], int]:
    return {(c.age_band.value, c.gender.value): c.count for c in db.session.scalars(
        select(MemberCount).where(MemberCount.association_id == association.id,
                                  MemberCount.year == year))}


def _ensure_member(association: Association, user: User, roles: Iterable[str],
                   is_signatory: bool = False) -> AssociationMember:
    """Link ``user`` to ``association`` with (at least) ``roles``."""
    member = db.session.scalar(select(AssociationMember).where(
        AssociationMember.user_id == user.id, AssociationMember.association_id == association.id))
    if member is None:
        member = AssociationMember(user_id=user.id, association_id=association.id,
                                   is_signatory=is_signatory, created_at=utcnow())
        db.session.add(member)
    else:
        member.is_signatory = member.is_signatory or is_signatory
    have = member.role_names
    for role in roles:
        if role not in have:
            member.roles.append(AssociationMemberRole(role=AssociationRole(role)))
    db.session.flush()
    return member


def _answer_completion(case: Case) -> None:
    db.session.execute(
        update(CompletionRequest)
        .where(CompletionRequest.case_id == case.id, CompletionRequest.answered_at.is_(None))
        .values(answered_at=utcnow())
        .execution_options(synchronize_session=False))


def open_completion_request(case: Case) -> CompletionRequest | None:
    return db.session.scalar(
        select(CompletionRequest)
        .where(CompletionRequest.case_id == case.id, CompletionRequest.answered_at.is_(None))
        .order_by(CompletionRequest.requested_at.desc(), CompletionRequest.id.desc()).limit(1))


def issue_decision_letter(case: Case, decision: str) -> None:
    """The decision letter (beslutsbrev) – the applicant's one mail about the decision.

    Every decision in the register calls this once, after the decision is recorded, with
    ``decision`` one of ``registration_approved``, ``registration_rejected``,
    ``annual_update_approved``, ``change_approved``, ``change_rejected``. The letters module
    renders the letter from the case (reasons from the decision's history note), stores it with
    its PDF and queues the decision e-mail with the PDF attached, all in this transaction
    (:func:`lokapp.letters.services.issue_decision`).
    """
    from lokapp.letters.services import issue_decision

    issue_decision(case, decision)


# --- registration ---------------------------------------------------------------------------

def _apply_registration_data(association: Association, data: RegistrationData) -> dict:
    changes = _set_columns(association, data, ("legal_form", "orgnr", "bankgiro", "plusgiro"))
    return {**changes, **_apply_public_data(association, data)}


def _flush_orgnr(data: RegistrationData) -> None:
    """Flush; a concurrent registration with the same number becomes a clear message."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise RegisterError(_(
            "Det finns redan en förening med organisationsnumret %(orgnr)s i registret.",
            orgnr=format_orgnr(data.orgnr) if data.orgnr else "")) from None


def register_association(data: RegistrationData, user: User) -> Case:
    """A resident registers an association: it is ``pending`` and a submitted case is in the
    officers' queue. An association whose earlier registration was rejected applies again
    with the same row (its organisationsnummer is unique)."""
    association = None
    if data.orgnr:
        association = db.session.scalar(select(Association).where(
            Association.orgnr == data.orgnr, Association.register_state == RegisterState.REJECTED))
    if association is None:
        association = Association(created_at=utcnow())
        db.session.add(association)
    association.register_state = RegisterState.PENDING
    _apply_registration_data(association, data)
    _flush_orgnr(data)
    year = to_local(utcnow()).year
    _set_counts(association, year, data.counts)
    case = open_case(REGISTRATION, subject=_("Registrering av %(name)s", name=data.name)[:300],
                     applicant=user, association_id=association.id)
    submit(case, user)
    audit.record("association.registration_submitted", association, actor=user,
                 case_number=case.number)
    _mail_applicant(case, "registration_received",
                    _("Vi har tagit emot registreringen av %(name)s", name=association.name),
                    link=absolute_url("register.registration", case_id=case.id),
                    resubmitted=False)
    return case


def resubmit_registration(case: Case, data: RegistrationData, user: User) -> None:
    """The applicant completes the registration and sends it in again."""
    association = _association_of(case)
    if case.state != RegistrationState.NEEDS_COMPLETION:
        raise TransitionNotAllowed(_("Registreringen kan bara ändras när handläggaren har bett "
                                     "om komplettering."), case=case, action="submit")
    changes = _apply_registration_data(association, data)
    audit.record("association.registration_completed", association, actor=user,
                 changes=changes)
    _flush_orgnr(data)
    _set_counts(association, to_local(case.submitted_at).year, data.counts)
    _answer_completion(case)
    submit(case, user)
    _mail_applicant(case, "registration_received",
                    _("Vi har tagit emot kompletteringen av %(name)s", name=association.name),
                    link=absolute_url("register.registration", case_id=case.id),
                    resubmitted=True)


def approve_registration(case: Case, officer: User, note: str | None = None) -> None:
    apply(case, "approve", officer, note=note)
    association = _association_of(case)
    association.register_state = RegisterState.REGISTERED
    association.registered_at = utcnow()
    if case.applicant is not None:
        _ensure_member(association, case.applicant, [ADMIN])
    audit.record("association.registered", association, actor=officer, case_number=case.number)
    issue_decision_letter(case, "registration_approved")


def reject_registration(case: Case, officer: User, reasons: str) -> None:
    apply(case, "reject", officer, note=reasons)
    association = _association_of(case)
    association.register_state = RegisterState.REJECTED
    audit.record("association.registration_rejected", association, actor=officer,
                 case_number=case.number)
    issue_decision_letter(case, "registration_rejected")


def request_completion(case: Case, officer: User, message: str, deadline: date) -> None:
    """Ask the applicant (registration) or the association (annual update) to complete."""
    apply(case, "request_completion", officer, note=message)
    db.session.add(CompletionRequest(case_id=case.id, message=message, deadline=deadline,
                                     requested_at=utcnow(), requested_by_id=officer.id))
    if case.case_type == REGISTRATION:
        link = absolute_url("register.complete_registration", case_id=case.id)
    else:
        link = absolute_url("register.annual_update", association_id=case.association_id)
    _mail_applicant(case, "completion_requested",
                    _("Komplettera ärende %(number)s", number=case.number),
                    message=message, deadline=deadline.isoformat(), link=link,
                    kind=case.case_type)
    db.session.flush()


# --- public data and documents --------------------------------------------------------------

def update_association(association: Association, data: AssociationData, user: User) -> bool:
    """Change the public data directly; returns whether anything changed (audited)."""
    changes = _apply_public_data(association, data)
    if changes:
        audit.record("association.update", association, actor=user, changes=changes)
    db.session.flush()
    return bool(changes)


def upload_document(association: Association, doc_type: DocumentType, year: int,
                    upload: FileStorage, user: User) -> AssociationDocument:
    stored = store_upload(upload, user=user)
    document = AssociationDocument(association_id=association.id, year=year, doc_type=doc_type,
                                   file_id=stored.id, uploaded_at=utcnow(),
                                   uploaded_by_id=user.id)
    db.session.add(document)
    db.session.flush()
    audit.record("association.document_uploaded", association, actor=user,
                 document_id=document.id, doc_type=doc_type.value, year=year,
                 sha256=stored.sha256)
    return document


# --- annual update --------------------------------------------------------------------------

def annual_update_for(association: Association, year: int) -> AnnualUpdate | None:
    return db.session.scalar(select(AnnualUpdate).where(
        AnnualUpdate.association_id == association.id, AnnualUpdate.year == year))


def submit_annual_update(association: Association, year: int,
                         counts: dict[tuple[AgeBand, Gender], int],
                         files: dict[DocumentType, FileStorage], user: User) -> Case:
    """Confirm the data, record the year's member counts and documents, submit the case.

    Raises :class:`DocumentUploadError` for a refused file, :class:`RegisterError` when the
    year's update is already submitted.
    """
    update_row = annual_update_for(association, year)
    if update_row is None:
        case = open_case(ANNUAL_UPDATE, subject=_("Årlig uppdatering %(year)d för %(name)s",
                                                  year=year, name=association.name)[:300],
                         applicant=user, association_id=association.id)
        update_row = AnnualUpdate(association_id=association.id, year=year, case_id=case.id)
        db.session.add(update_row)
    else:
        case = update_row.case
        if case.state not in (AnnualUpdateState.DRAFT, AnnualUpdateState.NEEDS_COMPLETION):
            raise RegisterError(_("Den årliga uppdateringen för %(year)d är redan inskickad.",
                                  year=year))
        case.applicant = user
    for doc_type, upload in files.items():
        try:
            upload_document(association, doc_type, year, upload, user)
        except UploadError as error:
            raise DocumentUploadError(doc_type, str(error)) from None
    _set_counts(association, year, counts)
    update_row.confirmed_at = utcnow()
    _answer_completion(case)
    submit(case, user)
    audit.record("association.annual_update_submitted", association, actor=user, year=year,
                 case_number=case.number)
    _mail_applicant(case, "annual_update_received",
                    _("Vi har tagit emot den årliga uppdateringen för %(name)s",
                      name=association.name),
                    year=year, link=absolute_url("register.overview",
                                                 association_id=association.id))
    return case


def approve_annual_update(case: Case, officer: User, note: str | None = None) -> None:
    apply(case, "approve", officer, note=note)
    update_row = db.session.scalar(select(AnnualUpdate).where(AnnualUpdate.case_id == case.id))
    update_row.approved_at = utcnow()
    association = _association_of(case)
    audit.record("association.annual_update_approved", association, actor=officer,
                 year=update_row.year, case_number=case.number)
    issue_decision_letter(case, "annual_update_approved")


# --- people ---------------------------------------------------------------------------------

def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def invite(association: Association, email: str, roles: Iterable[str], is_signatory: bool,
           inviter: User) -> AssociationInvitation:
    """Invite ``email`` to represent the association; earlier open invitations to the same
    address are revoked, so only the newest link works."""
    email = User.normalise_email(email)
    already = db.session.scalar(
        select(AssociationMember.id).join(User, User.id == AssociationMember.user_id)
        .where(AssociationMember.association_id == association.id,
               User.email == email))
    if already is not None:
        raise RegisterError(_("%(email)s företräder redan föreningen. Ändra personens roller i "
                              "listan i stället.", email=email))
    now = utcnow()
    db.session.execute(
        update(AssociationInvitation)
        .where(AssociationInvitation.association_id == association.id,
               AssociationInvitation.email == email,
               AssociationInvitation.accepted_at.is_(None),
               AssociationInvitation.revoked_at.is_(None))
        .values(revoked_at=now).execution_options(synchronize_session="fetch"))
    raw = secrets.token_urlsafe(32)
    roles = sorted(set(roles))
    invitation = AssociationInvitation(
        association_id=association.id, email=email, roles=roles, is_signatory=is_signatory,
        token_hash=_hash_token(raw), invited_by_id=inviter.id, created_at=now,
        expires_at=now + INVITATION_LIFETIME)
    db.session.add(invitation)
    db.session.flush()
    audit.record("association.invitation_sent", association, actor=inviter,
                 invitation_id=invitation.id, email=email, roles=roles,
                 is_signatory=is_signatory)
    queue_mail(
        to=email, subject=_("Inbjudan att företräda %(name)s", name=association.name),
        template="mail/association_invitation",
        context={"association": association.name, "inviter": inviter.name,
                 "roles": [str(AssociationRole(r).label) for r in roles],
                 "is_signatory": is_signatory,
                 "link": absolute_url("register.invitation", token=raw),
                 "days": INVITATION_LIFETIME.days},
        related=("associations", association.id),
    )
    return invitation


class InvitationState(enum.Enum):
    VALID = "valid"
    EXPIRED = "expired"
    USED = "used"
    REVOKED = "revoked"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class InvitationCheck:
    state: InvitationState
    invitation: AssociationInvitation | None = None

    @property
    def is_valid(self) -> bool:
        return self.state is InvitationState.VALID


def check_invitation(raw: str) -> InvitationCheck:
    """Look an invitation link up without changing anything."""
    if not raw or len(raw) > 100:
        return InvitationCheck(InvitationState.UNKNOWN)
    invitation = db.session.scalar(select(AssociationInvitation).where(
        AssociationInvitation.token_hash == _hash_token(raw)))
    if invitation is None:
        return InvitationCheck(InvitationState.UNKNOWN)
    if invitation.accepted_at is not None:
        return InvitationCheck(InvitationState.USED, invitation)
    if invitation.revoked_at is not None:
        return InvitationCheck(InvitationState.REVOKED, invitation)
    if invitation.expires_at <= utcnow():
        return InvitationCheck(InvitationState.EXPIRED, invitation)
    return InvitationCheck(InvitationState.VALID, invitation)


def accept_invitation(invitation: AssociationInvitation, user: User) -> AssociationMember:
    """The invited person accepts; the link works once, for the invited address only."""
    if User.normalise_email(user.email) != invitation.email:
        raise RegisterError(_(
            "Inbjudan gäller en annan e-postadress än den du är inloggad med. Logga ut och "
            "logga in med kontot för %(email)s, eller be föreningens administratör skicka en "
            "ny inbjudan till din adress.", email=invitation.email))
    now = utcnow()
    result = db.session.execute(
        update(AssociationInvitation)
        .where(AssociationInvitation.id == invitation.id,
               AssociationInvitation.accepted_at.is_(None),
               AssociationInvitation.revoked_at.is_(None),
               AssociationInvitation.expires_at > now)
        .values(accepted_at=now, accepted_by_id=user.id)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise RegisterError(_("Inbjudan har redan använts eller gäller inte längre."))
    set_committed_value(invitation, "accepted_at", now)
    association = invitation.association
    member = _ensure_member(association, user, invitation.roles, invitation.is_signatory)
    audit.record("association.invitation_accepted", association, actor=user,
                 invitation_id=invitation.id, member_id=member.id,
                 roles=list(invitation.roles))
    return member


def revoke_invitation(invitation: AssociationInvitation, actor: User) -> None:
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        return
    invitation.revoked_at = utcnow()
    audit.record("association.invitation_revoked", invitation.association, actor=actor,
                 invitation_id=invitation.id, email=invitation.email)
    db.session.flush()


def _lock_association(association_id: int) -> None:
    """Serialise changes to an association's people (PostgreSQL row lock; on SQLite the
    write transaction is already serialised), so two administrators cannot remove each
    other at the same moment and leave none."""
    db.session.execute(select(Association.id).where(Association.id == association_id)
                       .with_for_update())


def _administrator_count(association_id: int) -> int:
    return len(db.session.scalars(
        select(AssociationMemberRole.member_id)
        .join(AssociationMember, AssociationMember.id == AssociationMemberRole.member_id)
        .where(AssociationMember.association_id == association_id,
               AssociationMemberRole.role == AssociationRole.ADMINISTRATOR)).all())


def _last_admin_message() -> str:
    return _("Föreningen måste ha minst en administratör. Bjud först in en annan person som "
             "administratör, eller ge någon annan administratörsrollen, och försök sedan igen.")


def change_member(member: AssociationMember, roles: Iterable[str], is_signatory: bool,
                  actor: User) -> None:
    """Set ``member``'s roles and firmatecknare flag; the last administrator stays one."""
    _lock_association(member.association_id)
    roles = set(roles)
    before = sorted(member.role_names)
    if ADMIN in before and ADMIN not in roles and \
            _administrator_count(member.association_id) <= 1:
        raise LastAdministrator(_last_admin_message())
    for role in list(member.roles):
        if role.role.value not in roles:
            member.roles.remove(role)
    have = member.role_names
    for role in sorted(roles - have):
        member.roles.append(AssociationMemberRole(role=AssociationRole(role)))
    signatory_before = member.is_signatory
    member.is_signatory = is_signatory
    if before != sorted(roles) or signatory_before != is_signatory:
        audit.record("association.member_changed", object_type="associations",
                     object_id=member.association_id, actor=actor, member_id=member.id,
                     user_id=member.user_id, roles=[before, sorted(roles)],
                     is_signatory=[signatory_before, is_signatory])
    db.session.flush()


def remove_member(member: AssociationMember, actor: User) -> None:
    _lock_association(member.association_id)
    if ADMIN in member.role_names and _administrator_count(member.association_id) <= 1:
        raise LastAdministrator(_last_admin_message())
    audit.record("association.member_removed", object_type="associations",
                 object_id=member.association_id, actor=actor, member_id=member.id,
                 user_id=member.user_id, roles=sorted(member.role_names))
    db.session.delete(member)
    db.session.flush()


# --- organisationsnummer and payment details ------------------------------------------------

def open_sensitive_change(association: Association) -> SensitiveChange | None:
    return db.session.scalar(
        select(SensitiveChange).join(Case, Case.id == SensitiveChange.case_id)
        .where(SensitiveChange.association_id == association.id,
               Case.state == ChangeState.SUBMITTED))


def _display(name: str, value: str | None) -> str:
    if not value:
        return "–"
    return {"orgnr": format_orgnr, "bankgiro": format_bankgiro,
            "plusgiro": format_plusgiro}[name](value)


def change_lines(change: SensitiveChange) -> list[dict[str, str]]:
    """The changed fields as ``{label, old, new}`` for mail and pages."""
    labels = {"orgnr": _("Organisationsnummer"), "bankgiro": _("Bankgiro"),
              "plusgiro": _("Plusgiro")}
    return [{"label": labels[name], "old": _display(name, getattr(change, f"old_{name}")),
             "new": _display(name, getattr(change, f"new_{name}"))}
            for name in change.changed_fields()]


def request_sensitive_change(association: Association, data: PaymentData,
                             user: User) -> Case | None:
    """Ask for new organisationsnummer or payment details; ``None`` when nothing differs.

    Nothing changes on the association until an officer approves.
    """
    if open_sensitive_change(association) is not None:
        raise RegisterError(_("Det finns redan en ändring som väntar på att en handläggare ska "
                              "godkänna den. Vänta tills den är klar, eller återkalla den "
                              "först."))
    change = SensitiveChange(
        association_id=association.id,
        old_orgnr=association.orgnr, new_orgnr=data.orgnr,
        old_bankgiro=association.bankgiro, new_bankgiro=data.bankgiro,
        old_plusgiro=association.plusgiro, new_plusgiro=data.plusgiro,
        requested_at=utcnow())
    if not change.changed_fields():
        return None
    case = open_case(SENSITIVE_CHANGE,
                     subject=_("Ändrade betalningsuppgifter för %(name)s",
                               name=association.name)[:300],
                     applicant=user, association_id=association.id)
    change.case_id = case.id
    db.session.add(change)
    db.session.flush()
    submit(case, user)
    audit.record("association.sensitive_change_requested", association, actor=user,
                 case_number=case.number, fields=change.changed_fields())
    _mail_applicant(case, "change_received",
                    _("Vi har tagit emot ändringen för %(name)s", name=association.name),
                    lines=change_lines(change),
                    link=absolute_url("register.payment", association_id=association.id))
    return case


def _change_of(case: Case) -> SensitiveChange:
    return db.session.scalar(select(SensitiveChange).where(SensitiveChange.case_id == case.id))


def approve_sensitive_change(case: Case, officer: User, note: str | None = None) -> None:
    apply(case, "approve", officer, note=note)
    change = _change_of(case)
    association = _association_of(case)
    fields = change.changed_fields()
    for name in fields:
        setattr(association, name, getattr(change, f"new_{name}"))
    if "bankgiro" in fields or "plusgiro" in fields:
        association.bank_details_verified_at = utcnow()
    change.applied_at = utcnow()
    audit.record("association.sensitive_change_applied", association, actor=officer,
                 case_number=case.number,
                 changes={name: [getattr(change, f"old_{name}"), getattr(change, f"new_{name}")]
                          for name in fields})
    db.session.flush()
    issue_decision_letter(case, "change_approved")


def reject_sensitive_change(case: Case, officer: User, reasons: str) -> None:
    apply(case, "reject", officer, note=reasons)
    change = _change_of(case)
    association = _association_of(case)
    audit.record("association.sensitive_change_rejected", association, actor=officer,
                 case_number=case.number, fields=change.changed_fields())
    issue_decision_letter(case, "change_rejected")


def withdraw_sensitive_change(case: Case, user: User) -> None:
    apply(case, "withdraw", user)
    audit.record("association.sensitive_change_withdrawn", _association_of(case), actor=user,
                 case_number=case.number)


# --- the officer's action buttons -----------------------------------------------------------

_HANDLERS = {
    (REGISTRATION, "approve"): approve_registration,
    (REGISTRATION, "reject"): reject_registration,
    (ANNUAL_UPDATE, "approve"): approve_annual_update,
    (SENSITIVE_CHANGE, "approve"): approve_sensitive_change,
    (SENSITIVE_CHANGE, "reject"): reject_sensitive_change,
    (SENSITIVE_CHANGE, "withdraw"): lambda case, user, note: withdraw_sensitive_change(case, user),
}


def act(case: Case, action: str, user: User, note: str | None = None) -> None:
    """Run the use case behind an action button.

    Submitting and asking for completion have forms of their own; any other action the
    table does not offer is refused with the engine's reason.
    """
    handler = _HANDLERS.get((case.case_type, action))
    if handler is None:
        decision = can_act(user, case, action)
        raise TransitionNotAllowed(decision.reason if not decision else _(
            "Den åtgärden görs i ett eget formulär på ärendets sida."), case=case, action=action)
    if action == "reject":
        handler(case, user, note or "")
    else:
        handler(case, user, note)


# --- reminders ------------------------------------------------------------------------------

@dataclass
class ReminderReport:
    kind: ReminderKind | None
    year: int
    due_date: date
    sent: list[tuple[int, str]] = field(default_factory=list)  # (association id, name)


def reminder_kind(today: date, settings: RegisterSettings) -> ReminderKind | None:
    """Which reminder is due on ``today``: before the due date, overdue, or spärrad."""
    due = settings.due_date(today.year)
    if due - timedelta(days=settings.reminder_days_before) <= today <= due:
        return ReminderKind.BEFORE
    if due < today <= due + timedelta(days=settings.grace_period_days):
        return ReminderKind.OVERDUE
    if today > due + timedelta(days=settings.grace_period_days):
        return ReminderKind.BLOCKED
    return None


def _claim_reminder(association_id: int, year: int, kind: ReminderKind) -> bool:
    """Insert the reminder's row unless it exists; True if this call inserted it."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    inserted = db.session.execute(
        insert(AnnualUpdateReminder)
        .values(association_id=association_id, year=year, kind=kind, sent_at=utcnow())
        .on_conflict_do_nothing()
        .returning(AnnualUpdateReminder.association_id)).scalar()
    return inserted is not None


def _reminder_recipients(association_ids: list[int]) -> dict[int, list[str]]:
    rows = db.session.execute(
        select(AssociationMember.association_id, User.email)
        .join(User, User.id == AssociationMember.user_id)
        .join(AssociationMemberRole, AssociationMemberRole.member_id == AssociationMember.id)
        .where(AssociationMember.association_id.in_(association_ids),
               AssociationMemberRole.role.in_(REMINDER_ROLES),
               User.is_disabled.is_(False))
        .distinct())
    result: dict[int, list[str]] = {}
    for association_id, email in rows:
        result.setdefault(association_id, [])
        if email not in result[association_id]:
            result[association_id].append(email)
    for emails in result.values():
        emails.sort()
    return result


def send_reminders(today: date) -> ReminderReport:
    """Remind registered associations whose annual update for ``today.year`` is not in.

    Idempotent: each (association, year, kind) is sent at most once – the row in
    ``annual_update_reminders`` is inserted in the same transaction as the mail is queued,
    and an existing row means the reminder was sent. Associations registered this year are
    not asked (their registration holds this year's data).
    """
    settings = db.session.scalar(select(RegisterSettings).order_by(RegisterSettings.id))
    year = today.year
    report = ReminderReport(reminder_kind(today, settings), year, settings.due_date(year))
    if report.kind is None:
        return report
    start_of_year = datetime(year, 1, 1, tzinfo=STOCKHOLM)
    submitted = (select(AnnualUpdate.association_id)
                 .join(Case, Case.id == AnnualUpdate.case_id)
                 .where(AnnualUpdate.year == year, Case.submitted_at.is_not(None)))
    reminded = select(AnnualUpdateReminder.association_id).where(
        AnnualUpdateReminder.year == year, AnnualUpdateReminder.kind == report.kind)
    associations = db.session.scalars(
        select(Association)
        .where(Association.register_state == RegisterState.REGISTERED,
               Association.registered_at < start_of_year,
               Association.id.not_in(submitted), Association.id.not_in(reminded))
        .order_by(Association.id)).all()
    recipients = _reminder_recipients([a.id for a in associations])
    blocked_from = report.due_date + timedelta(days=settings.grace_period_days + 1)
    for association in associations:
        to = recipients.get(association.id) or ([association.email] if association.email else [])
        if not to or not _claim_reminder(association.id, year, report.kind):
            continue
        queue_mail(
            to=to, subject=_reminder_subject(report.kind, year, association.name),
            template="mail/association_reminder",
            context={"association": association.name, "kind": report.kind.value, "year": year,
                     "due_date": report.due_date.isoformat(),
                     "blocked_from": blocked_from.isoformat(),
                     "link": absolute_url("register.annual_update",
                                          association_id=association.id)},
            related=("associations", association.id))
        audit.record("association.reminder_sent", association, actor=None, year=year,
                     kind=report.kind.value)
        report.sent.append((association.id, association.name))
    db.session.flush()
    return report


def _reminder_subject(kind: ReminderKind, year: int, name: str) -> str:
    if kind is ReminderKind.BEFORE:
        return _("Påminnelse: årlig uppdatering %(year)d för %(name)s", year=year, name=name)
    if kind is ReminderKind.OVERDUE:
        return _("Årlig uppdatering %(year)d för %(name)s är försenad", year=year, name=name)
    return _("%(name)s är spärrad – årlig uppdatering %(year)d saknas", year=year, name=name)


# --- queries the pages share ----------------------------------------------------------------

def members_of(association: Association) -> list[AssociationMember]:
    return list(db.session.scalars(
        select(AssociationMember).where(AssociationMember.association_id == association.id)
        .options(selectinload(AssociationMember.user), selectinload(AssociationMember.roles))
        .join(User, User.id == AssociationMember.user_id).order_by(User.name, User.id)))


def open_invitations(association: Association) -> list[AssociationInvitation]:
    return list(db.session.scalars(
        select(AssociationInvitation).where(
            AssociationInvitation.association_id == association.id,
            AssociationInvitation.accepted_at.is_(None),
            AssociationInvitation.revoked_at.is_(None),
            AssociationInvitation.expires_at > utcnow())
        .order_by(AssociationInvitation.created_at.desc())))

