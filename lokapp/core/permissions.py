"""Permission predicates: ``can_<verb>(user, obj)`` functions, one place per domain.

Each domain's ``permissions.py`` registers its predicates with :func:`permission`; views call
:func:`require` and templates call the same predicate through ``can('domain.verb', obj)``, so a
hidden button and the server check cannot drift apart. A predicate returns ``True``/``False`` or
a :class:`Decision` carrying the reason shown on the 403 page.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import abort

_REGISTRY: dict[str, Callable[..., Any]] = {}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


def permission(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorator(fn: Callable[..., Any]) -> Callable[..., Any]:
        if name in _REGISTRY and _REGISTRY[name] is not fn:
            raise ValueError(f"permission {name!r} registered twice")
        _REGISTRY[name] = fn
        return fn

    return decorator


def check(name: str, user: Any, obj: Any = None) -> Decision:
    try:
        predicate = _REGISTRY[name]
    except KeyError:
        raise LookupError(f"unknown permission {name!r}") from None
    result = predicate(user, obj) if obj is not None else predicate(user)
    if isinstance(result, Decision):
        return result
    return Decision(bool(result))


def can(name: str, user: Any, obj: Any = None) -> bool:
    return check(name, user, obj).allowed


def require(result: bool | Decision) -> None:
    """Abort with 403 (and the reason, if any) unless ``result`` allows."""
    if isinstance(result, Decision):
        if not result.allowed:
            abort(403, description=result.reason or None)
    elif not result:
        abort(403)


def registered() -> dict[str, Callable[..., Any]]:
    return dict(_REGISTRY)
