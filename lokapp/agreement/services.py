"""Use cases of the LÖK: write and publish versions; prepare, sign and withdraw signatures.

Each function changes state, writes the audit event, queues its mail and flushes – the caller
commits. The signing rules are the predicates in :mod:`lokapp.agreement.permissions`; the
services check them again, so a rule holds whoever calls (a view, the demo data, a script), and
refuse with :class:`AgreementError` carrying the Swedish reason.

For the demo data and other callers::

    sign(association, user, version, *, signed_at=None, ip=None, notify=True)
        -> AgreementSignature
"""
from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update

from lokapp.agreement import permissions, queries
from lokapp.agreement.models import (
    AgreementSignature,
    AgreementVersion,
    SignatureState,
    checksum_of,
    normalise_body,
)
from lokapp.associations.models import Association, RegisterState
from lokapp.auth.models import AssociationMember, User
from lokapp.auth.services import absolute_url
from lokapp.core import audit
from lokapp.core.audit import client_address
from lokapp.core.mail import queue_mail
from lokapp.core.permissions import Decision
from lokapp.core.time import format_local, utcnow
from lokapp.extensions import db

log = logging.getLogger(__name__)


class AgreementError(Exception):
    """A use case was refused; ``str(error)`` is the reason, in Swedish, for the user."""


def _ensure(decision: Decision | bool, fallback: str = "") -> None:
    if not decision:
        raise AgreementError(getattr(decision, "reason", "") or fallback
                             or _("Det går inte att göra just nu."))


# --- versions -----------------------------------------------------------------------------------


def create_draft(*, title: str, period_label: str, body: str, effective_from: date,
                 adopted_by: str | None, user: User) -> AgreementVersion:
    """A new draft version (visible only to coordinators until it is published)."""
    _ensure(permissions.can_manage(user))
    body = normalise_body(body)
    version = AgreementVersion(
        title=title, period_label=period_label, body=body, checksum=checksum_of(body),
        effective_from=effective_from, adopted_by=adopted_by or None,
        created_at=utcnow(), created_by_id=user.id, updated_at=utcnow(),
    )
    db.session.add(version)
    db.session.flush()
    audit.record("agreement.version_create", version, actor=user, period=period_label,
                 checksum=version.checksum)
    return version


def update_draft(version: AgreementVersion, *, title: str, period_label: str, body: str,
                 effective_from: date, adopted_by: str | None, user: User) -> bool:
    """Change a draft; returns whether anything changed."""
    _ensure(permissions.can_edit_version(user, version))
    body = normalise_body(body)
    version.title = title
    version.period_label = period_label
    version.body = body
    version.checksum = checksum_of(body)
    version.effective_from = effective_from
    version.adopted_by = adopted_by or None
    event = audit.record_update("agreement.version_update", version, actor=user)
    db.session.flush()
    return event is not None


def delete_draft(version: AgreementVersion, user: User) -> None:
    """Throw a draft away (a published version is never deleted)."""
    _ensure(permissions.can_edit_version(user, version))
    audit.record("agreement.version_delete", version, actor=user, period=version.period_label,
                 title=version.title)
    db.session.delete(version)
    db.session.flush()


def publish(version: AgreementVersion, user: User, *, today: date | None = None) -> int:
    """Publish a draft. If it is in force already, the signatories of earlier versions are
    asked to sign it now; otherwise that happens on its first day (``flask lok
    agreement-notify``). Returns the number of associations asked."""
    _ensure(permissions.can_publish(user, version))
    version.published_at = utcnow()
    version.published_by_id = user.id
    version.checksum = checksum_of(version.body)
    db.session.flush()
    audit.record("agreement.publish", version, actor=user, period=version.period_label,
                 effective_from=version.effective_from.isoformat(), checksum=version.checksum)
    return request_resigning(today=today)


def request_resigning(*, today: date | None = None) -> int:
    """Ask every association that signed an earlier version to sign the current one.

    Runs once per version: the version is claimed with a conditional update, so two workers
    (or a publish and the daily command) never send twice. Registered associations whose
    latest standing signature is of an earlier version get one mail each. Returns how many.
    """
    version = queries.current_version(today)
    if version is None or version.resign_requested_at is not None:
        return 0
    claimed = db.session.execute(
        update(AgreementVersion)
        .where(AgreementVersion.id == version.id, AgreementVersion.resign_requested_at.is_(None))
        .values(resign_requested_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(version)
    if claimed != 1:
        return 0
    signed_earlier = (select(AgreementSignature.association_id)
                      .where(AgreementSignature.state == SignatureState.SIGNED,
                             AgreementSignature.version_id != version.id))
    signed_this = (select(AgreementSignature.association_id)
                   .where(AgreementSignature.state == SignatureState.SIGNED,
                          AgreementSignature.version_id == version.id))
    associations = db.session.scalars(
        select(Association)
        .where(Association.id.in_(signed_earlier), Association.id.not_in(signed_this),
               Association.register_state == RegisterState.REGISTERED)
        .order_by(Association.id)
    ).all()
    recipients = _contact_addresses([a.id for a in associations])
    asked = 0
    for association in associations:
        to = sorted({*recipients.get(association.id, ()),
                     *([association.email] if association.email else [])})
        if not to:
            log.warning("association %s signed the LÖK but has no address to ask",
                        association.id)
            continue
        queue_mail(
            to=to,
            subject=_("Ny version av LÖK:en – %(association)s behöver underteckna igen",
                      association=association.name),
            template="mail/agreement_new_version",
            context={**_version_context(version), "association_name": association.name,
                     "link": absolute_url("agreement.association",
                                          association_id=association.id),
                     "text_link": absolute_url("agreement.current")},
            related=("associations", association.id),
        )
        asked += 1
    audit.record("agreement.resign_requested", version, associations=asked)
    return asked


def _contact_addresses(association_ids: list[int]) -> dict[int, list[str]]:
    """Firmatecknare addresses per association (active accounts), in one query."""
    if not association_ids:
        return {}
    rows = db.session.execute(
        select(AssociationMember.association_id, User.email)
        .join(User, AssociationMember.user_id == User.id)
        .where(AssociationMember.association_id.in_(association_ids),
               AssociationMember.is_signatory.is_(True), User.is_disabled.is_(False))
    ).all()
    result: dict[int, list[str]] = {}
    for association_id, email in rows:
        result.setdefault(association_id, []).append(email)
    return result


def _version_context(version: AgreementVersion) -> dict[str, Any]:
    return {"version_title": version.title, "period": version.period_label,
            "effective_from": version.effective_from.isoformat(),
            "checksum": version.checksum}


# --- signing ------------------------------------------------------------------------------------


def _check_version(state: queries.SigningState, version: AgreementVersion | None) -> None:
    if version is not None and state.version is not None and version.id != state.version.id:
        raise AgreementError(_("LÖK:en har fått en ny version sedan du öppnade sidan. Läs den "
                               "gällande versionen och försök igen."))


def prepare(association: Association, user: User,
            version: AgreementVersion | None = None) -> AgreementSignature:
    """A representative prepares the signing of the current version; the association's
    firmatecknare are told by mail that it waits for them."""
    state = queries.signing_state(association)
    _ensure(permissions.can_prepare(user, state))
    _check_version(state, version)
    now = utcnow()
    signature = AgreementSignature(
        association_id=association.id, version_id=state.version.id,
        state=SignatureState.PREPARED, created_at=now,
        prepared_at=now, prepared_by_id=user.id, prepared_by_name=user.name,
    )
    db.session.add(signature)
    db.session.flush()
    audit.record("agreement.prepare", signature, actor=user, association_id=association.id,
                 version_id=state.version.id)
    signers = [m.user.email for m in state.signatories if m.user_id != user.id]
    if signers:
        queue_mail(
            to=signers,
            subject=_("LÖK:en väntar på din underskrift – %(association)s",
                      association=association.name),
            template="mail/agreement_prepared",
            context={**_version_context(state.version), "association_name": association.name,
                     "prepared_by": user.name,
                     "link": absolute_url("agreement.association",
                                          association_id=association.id)},
            related=("associations", association.id),
        )
    return signature


def cancel_preparation(association: Association, user: User) -> AgreementSignature:
    state = queries.signing_state(association)
    _ensure(permissions.can_cancel_preparation(user, state))
    signature = state.prepared
    signature.state = SignatureState.CANCELLED
    signature.cancelled_at = utcnow()
    signature.cancelled_by_id = user.id
    signature.cancelled_by_name = user.name
    db.session.flush()
    audit.record("agreement.cancel_preparation", signature, actor=user,
                 association_id=association.id, version_id=signature.version_id)
    return signature


def sign(association: Association, user: User, version: AgreementVersion, *,
         signed_at: datetime | None = None, ip: str | None = None,
         notify: bool = True) -> AgreementSignature:
    """``user``, a firmatecknare of ``association``, signs ``version`` (the current one).

    Records who, when (``signed_at``, default now, UTC), from which address (``ip``, default
    the request's client address) and the checksum of the text signed. A prepared signing
    becomes the signature. With ``notify`` the signer gets a receipt by mail.
    """
    state = queries.signing_state(association)
    _ensure(permissions.can_sign(user, state))
    _check_version(state, version)
    version = state.version
    signature = state.prepared or AgreementSignature(
        association_id=association.id, version_id=version.id, created_at=utcnow())
    signature.state = SignatureState.SIGNED
    signature.signed_at = signed_at or utcnow()
    signature.signed_by_id = user.id
    signature.signed_by_name = user.name
    signature.signed_from_ip = ip if ip is not None else client_address()
    signature.signed_checksum = checksum_of(version.body)
    db.session.add(signature)
    db.session.flush()
    audit.record("agreement.sign", signature, actor=user, association_id=association.id,
                 version_id=version.id, checksum=signature.signed_checksum,
                 ip=signature.signed_from_ip)
    if notify:
        queue_mail(
            to=user.email,
            subject=_("Kvitto: %(association)s har undertecknat LÖK:en",
                      association=association.name),
            template="mail/agreement_signed",
            context={**_version_context(version), "name": user.name,
                     "association_name": association.name,
                     "signed_at": format_local(signature.signed_at),
                     "ip": signature.signed_from_ip, "signed_checksum": signature.signed_checksum,
                     "link": absolute_url("agreement.association",
                                          association_id=association.id),
                     "text_link": absolute_url("agreement.version", version_id=version.id)},
            related=("agreement_signatures", signature.id),
        )
    return signature


def withdraw(association: Association, user: User,
             reason: str | None = None) -> list[AgreementSignature]:
    """A firmatecknare withdraws the association's signature: every standing signature
    becomes withdrawn (kept in the history) and an open preparation is cancelled."""
    state = queries.signing_state(association)
    _ensure(permissions.can_withdraw(user, state))
    now = utcnow()
    reason = (reason or "").strip() or None
    for signature in state.signed:
        signature.state = SignatureState.WITHDRAWN
        signature.withdrawn_at = now
        signature.withdrawn_by_id = user.id
        signature.withdrawn_by_name = user.name
        signature.withdrawal_reason = reason
    if state.prepared is not None:
        state.prepared.state = SignatureState.CANCELLED
        state.prepared.cancelled_at = now
        state.prepared.cancelled_by_id = user.id
        state.prepared.cancelled_by_name = user.name
    db.session.flush()
    for signature in state.signed:
        audit.record("agreement.withdraw", signature, actor=user, association_id=association.id,
                     version_id=signature.version_id, reason=reason)
    to = sorted({user.email, *(m.user.email for m in state.signatories),
                 *([association.email] if association.email else [])})
    queue_mail(
        to=to,
        subject=_("%(association)s har återkallat sin underskrift av LÖK:en",
                  association=association.name),
        template="mail/agreement_withdrawn",
        context={"association_name": association.name, "withdrawn_by": user.name,
                 "withdrawn_at": format_local(now), "reason": reason,
                 "link": absolute_url("agreement.association", association_id=association.id)},
        related=("associations", association.id),
    )
    return state.signed

