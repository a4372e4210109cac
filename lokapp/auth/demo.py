"""Demo data for development: ``flask lok demo``.

Each domain adds its own step with :func:`demo_step`; :func:`run_demo` runs the steps in order.
Every step is idempotent – it creates what is missing, puts back what differs from the demo
state and leaves the rest alone – and returns lines describing what it did.

    from lokapp.auth.demo import demo_step

    @demo_step(order=20)
    def load_demo_associations() -> list[str]:
        ...

A step module must be imported for its step to register; import it from the domain's ``cli.py``.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lokapp.auth.models import GlobalRole, StaffArea, User
from lokapp.auth.passwords import hash_password, verify_password
from lokapp.auth.services import set_areas, set_roles
from lokapp.core import audit
from lokapp.core.time import utcnow
from lokapp.extensions import db

DEMO_PASSWORD = "demo-lokapp-2026"

_STEPS: list[tuple[int, str, Callable[[], list[str]]]] = []


def demo_step(order: int) -> Callable[[Callable[[], list[str]]], Callable[[], list[str]]]:
    def decorator(fn: Callable[[], list[str]]) -> Callable[[], list[str]]:
        name = f"{fn.__module__}.{fn.__qualname__}"
        if not any(existing == name for _o, existing, _f in _STEPS):
            _STEPS.append((order, name, fn))
            _STEPS.sort(key=lambda step: (step[0], step[1]))
        return fn

    return decorator


def run_demo() -> list[str]:
    """Run every registered step in order (flushes; the caller commits)."""
    lines: list[str] = []
    for _order, _name, step in _STEPS:
        lines.extend(step())
    return lines


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    roles: tuple[GlobalRole, ...] = ()
    areas: tuple[StaffArea, ...] = ()
    delegation_limit_sek: int | None = None
    title: str | None = None


DEMO_USERS = (
    DemoUser("admin@demo.lokapp.se", "Alva Administratör", (GlobalRole.ADMIN,),
             title="Systemförvaltare"),
    DemoUser("handlaggare@demo.lokapp.se", "Hugo Handläggare", (GlobalRole.OFFICER,),
             (StaffArea.REGISTER, StaffArea.GRANTS, StaffArea.BOOKINGS), 50_000,
             title="Handläggare"),
    DemoUser("chef@demo.lokapp.se", "Cecilia Chef", (GlobalRole.SUPERVISOR, GlobalRole.OFFICER),
             tuple(StaffArea), 500_000, title="Enhetschef"),
    DemoUser("samordnare@demo.lokapp.se", "Sam Samordnare", (GlobalRole.COORDINATOR,),
             title="LÖK-samordnare"),
    DemoUser("forening@demo.lokapp.se", "Fatima Föreningsdotter"),
    DemoUser("invanare@demo.lokapp.se", "Ivar Invånare"),
)


def _state(user: User) -> tuple:
    return (user.name, user.title, sorted(user.role_names), sorted(user.area_names),
            user.delegation_limit_sek, user.is_disabled, user.is_verified)


def _wanted(spec: DemoUser) -> tuple:
    return (spec.name, spec.title, sorted(r.value for r in spec.roles),
            sorted(a.value for a in spec.areas), spec.delegation_limit_sek, False, True)


@demo_step(order=10)
def load_demo_users() -> list[str]:
    """One verified account per role, all with the password ``demo-lokapp-2026``."""
    lines = []
    for spec in DEMO_USERS:
        user = db.session.scalar(User.select_by_email(spec.email))
        if user is None:
            user = User(email=spec.email, name=spec.name, created_at=utcnow(),
                        password_hash=hash_password(DEMO_PASSWORD))
            db.session.add(user)
            created = True
        else:
            created = False
            if _state(user) == _wanted(spec) and verify_password(user.password_hash,
                                                                 DEMO_PASSWORD):
                lines.append(f"oförändrad: {spec.email}")
                continue
        user.name = spec.name
        user.title = spec.title
        user.delegation_limit_sek = spec.delegation_limit_sek
        user.is_disabled = False
        if user.email_verified_at is None:
            user.email_verified_at = utcnow()
        if not verify_password(user.password_hash, DEMO_PASSWORD):
            user.password_hash = hash_password(DEMO_PASSWORD)
            user.session_version = (user.session_version or 1) + 1
        set_roles(user, spec.roles)
        set_areas(user, spec.areas)
        db.session.flush()
        audit.record("admin.demo_user", user, created=created)
        lines.append(f"{'skapad' if created else 'återställd'}: {spec.email}")
    return lines
