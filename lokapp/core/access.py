"""Every route declares who may use it.

Each view function is wrapped by exactly one of the decorators below; the decorator both enforces
the rule and records it on the function, so ``tests/test_access_matrix.py`` can walk
``app.url_map`` and fail on any endpoint nobody classified.

- ``@public``                – anyone, logged in or not.
- ``@anonymous_only``        – pages for people who are not logged in (log in, register); a
  logged-in user is sent to the start page.
- ``@login_required``        – any logged-in, active user (a resident).
- ``@role_required(*roles)`` – logged-in staff holding one of the global roles.
- ``@object_rule("…")``      – logged in, and the view checks a ``can_<verb>`` predicate against
  the object it loads (an association's own data, a case's parties); the text says which.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import abort, redirect, url_for
from flask_login import current_user

from lokapp.extensions import login_manager

ACCESS_ATTR = "lokapp_access"

# Endpoints Flask itself adds.
BUILTIN_PUBLIC_ENDPOINTS = frozenset({"static"})


@dataclass(frozen=True)
class Access:
    kind: str  # "public" | "anonymous" | "login" | "role" | "object"
    roles: tuple[str, ...] = ()
    rule: str = ""


def _mark(view: Callable, access: Access) -> Callable:
    setattr(view, ACCESS_ATTR, access)
    return view


def access_of(view: Callable) -> Access | None:
    return getattr(view, ACCESS_ATTR, None)


def public(view: Callable) -> Callable:
    return _mark(view, Access("public"))


def anonymous_only(view: Callable) -> Callable:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any):
        if current_user.is_authenticated:
            return redirect(url_for("core.home"))
        return view(*args, **kwargs)

    return _mark(wrapper, Access("anonymous"))


def _require_login() -> Any:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


def login_required(view: Callable) -> Callable:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any):
        if (response := _require_login()) is not None:
            return response
        return view(*args, **kwargs)

    return _mark(wrapper, Access("login"))


def role_required(*roles: str) -> Callable[[Callable], Callable]:
    if not roles:
        raise ValueError("role_required needs at least one role")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            if (response := _require_login()) is not None:
                return response
            if not current_user.has_any_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return _mark(wrapper, Access("role", roles=tuple(str(r) for r in roles)))

    return decorator


def object_rule(rule: str) -> Callable[[Callable], Callable]:
    """Logged in, plus a permission check inside the view on the loaded object."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            if (response := _require_login()) is not None:
                return response
            return view(*args, **kwargs)

        return _mark(wrapper, Access("object", rule=rule))

    return decorator
