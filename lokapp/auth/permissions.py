"""Who may do what with accounts.

Administrators manage staff accounts. Two rules protect an administrator from locking themselves
(and possibly everybody) out: nobody can take away their own administrator role or disable their
own account – another administrator has to do it.
"""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from lokapp.auth.models import GlobalRole
from lokapp.core.permissions import Decision, permission


def _is_admin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(GlobalRole.ADMIN)


@permission("auth.manage_staff")
def can_manage_staff(user: Any) -> bool:
    """See the staff list, create staff accounts and send invitations."""
    return _is_admin(user)


@permission("auth.revoke_admin")
def can_revoke_admin(user: Any, target: Any) -> Decision:
    """Take the administrator role away from ``target``."""
    if not _is_admin(user):
        return Decision(False)
    if target.id == user.id:
        return Decision(False, str(_l(
            "Du kan inte ta bort din egen administratörsroll. Be en annan administratör "
            "göra det.")))
    return Decision(True)


@permission("auth.disable_user")
def can_disable_user(user: Any, target: Any) -> Decision:
    """Disable ``target``'s account (it can no longer log in)."""
    if not _is_admin(user):
        return Decision(False)
    if target.id == user.id:
        return Decision(False, str(_l(
            "Du kan inte stänga av ditt eget konto. Be en annan administratör göra det.")))
    return Decision(True)
