"""Who may do what with the LÖK.

- Coordinators (samordnare) and administrators write drafts and publish versions.
- Any representative of an association (an ``AssociationMember`` of it, whatever the role) may
  see its signing page and *prepare* a signing; only a firmatecknare (``is_signatory``) may
  *sign* or *withdraw*. Only registered associations sign. City staff may read an
  association's signing page.

The association rules take an :class:`~lokapp.agreement.queries.SigningState` (views load it
once and pass it to the template's ``can(...)``) or an ``Association`` (then it is loaded).
Refusals carry the reason shown on the 403 page.
"""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from lokapp.agreement import queries
from lokapp.agreement.models import AgreementVersion
from lokapp.agreement.queries import SigningState
from lokapp.auth.models import GlobalRole
from lokapp.core.permissions import Decision, permission


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _state(obj: Any) -> SigningState:
    return obj if isinstance(obj, SigningState) else queries.signing_state(obj)


def _refuse(message: Any) -> Decision:
    return Decision(False, str(message))


# --- versions -----------------------------------------------------------------------------------


@permission("agreement.manage")
def can_manage(user: Any) -> bool:
    """Write drafts and publish versions: LÖK coordinators and administrators."""
    return _authenticated(user) and user.has_any_role(GlobalRole.COORDINATOR, GlobalRole.ADMIN)


@permission("agreement.edit_version")
def can_edit_version(user: Any, version: AgreementVersion) -> Decision:
    """Change or delete a version: only drafts."""
    if not can_manage(user):
        return Decision(False)
    if version.is_published:
        return _refuse(_l("En publicerad version kan inte ändras. Skapa en ny version i "
                          "stället."))
    return Decision(True)


@permission("agreement.publish")
def can_publish(user: Any, version: AgreementVersion) -> Decision:
    """Publish a draft. Its effective date must come after every published version's, so the
    versions follow each other in time."""
    decision = can_edit_version(user, version)
    if not decision:
        return decision
    latest = queries.latest_published_version()
    if latest is not None and version.effective_from <= latest.effective_from:
        return _refuse(_l(
            "Den nya versionen måste börja gälla efter %(date)s, då version %(period)s "
            "började gälla. Ändra datumet ”Gäller från”.",
            date=latest.effective_from.isoformat(), period=latest.period_label))
    if not version.body.strip():
        return _refuse(_l("Versionen saknar text."))
    return Decision(True)


# --- an association's signing -------------------------------------------------------------------


@permission("agreement.view_association")
def can_view_association(user: Any, obj: Any) -> bool:
    """See an association's signing page: its representatives and city staff."""
    if not _authenticated(user):
        return False
    if user.is_staff:
        return True
    return _state(obj).member(user) is not None


def _signing_rules(user: Any, state: SigningState) -> Decision:
    """What preparing and signing have in common."""
    if state.member(user) is None:
        return _refuse(_l("Du företräder inte den här föreningen."))
    if not state.is_registered:
        return _refuse(_l("Bara föreningar som är registrerade i föreningsregistret kan "
                          "underteckna LÖK:en."))
    if state.version is None:
        return _refuse(_l("Det finns ingen gällande LÖK att underteckna."))
    if state.signed_current is not None:
        return _refuse(_l("Föreningen har redan undertecknat den gällande LÖK:en."))
    return Decision(True)


@permission("agreement.prepare")
def can_prepare(user: Any, obj: Any) -> Decision:
    """Prepare the signing of the current version: any representative."""
    state = _state(obj)
    decision = _signing_rules(user, state)
    if not decision:
        return decision
    if state.prepared is not None:
        return _refuse(_l("Undertecknandet är redan förberett och väntar på en firmatecknare."))
    return Decision(True)


@permission("agreement.cancel_preparation")
def can_cancel_preparation(user: Any, obj: Any) -> Decision:
    """Cancel a prepared signing: any representative."""
    state = _state(obj)
    if state.member(user) is None:
        return _refuse(_l("Du företräder inte den här föreningen."))
    if state.prepared is None:
        return _refuse(_l("Det finns inget förberett undertecknande att avbryta."))
    return Decision(True)


@permission("agreement.sign")
def can_sign(user: Any, obj: Any) -> Decision:
    """Sign the current version for the association: a firmatecknare."""
    state = _state(obj)
    decision = _signing_rules(user, state)
    if not decision:
        return decision
    if not state.member(user).is_signatory:
        return _refuse(_l("Bara en firmatecknare kan underteckna LÖK:en för föreningen."))
    return Decision(True)


@permission("agreement.withdraw")
def can_withdraw(user: Any, obj: Any) -> Decision:
    """Withdraw the association's signature: a firmatecknare."""
    state = _state(obj)
    member = state.member(user)
    if member is None:
        return _refuse(_l("Du företräder inte den här föreningen."))
    if not member.is_signatory:
        return _refuse(_l("Bara en firmatecknare kan återkalla föreningens underskrift."))
    if not state.signed:
        return _refuse(_l("Föreningen har ingen underskrift att återkalla."))
    return Decision(True)
