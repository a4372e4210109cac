"""Every route declares who may use it – proven by walking the URL map.

The test fails on any endpoint without an access declaration (see lokapp/core/access.py), and
checks every non-public endpoint against anonymous and wrong-role requests.
"""
from __future__ import annotations

import pytest
from werkzeug.routing import Rule

from lokapp import create_app
from lokapp.core.access import BUILTIN_PUBLIC_ENDPOINTS, access_of

DUMMY_ARGS = {"int": 999999, "integer": 999999, "default": "okand", "string": "okand", "path": "okand",
              "uuid": "00000000-0000-0000-0000-000000000000"}


def _collect() -> tuple[list[Rule], dict]:
    app = create_app({"LOKAPP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule))
    return rules, app.view_functions


RULES, VIEWS = _collect()


def _url(rule: Rule) -> str:
    values = {}
    for name, converter in rule._converters.items():
        kind = type(converter).__name__.replace("Converter", "").lower()
        values[name] = DUMMY_ARGS.get(kind, "okand")
    path = rule.rule
    for name, value in values.items():
        path = path.replace(f"<{name}>", str(value))
        for prefix in ("int", "string", "path", "uuid", "any", "float"):
            path = path.replace(f"<{prefix}:{name}>", str(value))
    return path


def _methods(rule: Rule) -> list[str]:
    return sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})


def _access(rule: Rule):
    return access_of(VIEWS[rule.endpoint])


def test_every_endpoint_declares_its_access():
    unclassified = [
        f"{rule.endpoint} ({rule.rule})"
        for rule in RULES
        if rule.endpoint not in BUILTIN_PUBLIC_ENDPOINTS and _access(rule) is None
    ]
    assert not unclassified, (
        "These endpoints do not declare who may use them (use a decorator from "
        "lokapp.core.access): " + ", ".join(unclassified)
    )


PROTECTED = [
    pytest.param(rule, method, id=f"{rule.endpoint}-{method}")
    for rule in RULES
    if rule.endpoint not in BUILTIN_PUBLIC_ENDPOINTS
    and _access(rule) is not None
    and _access(rule).kind in {"login", "role", "object"}
    for method in _methods(rule)
]


@pytest.mark.parametrize(("rule", "method"), PROTECTED)
def test_anonymous_is_sent_to_login(client, rule, method):
    response = client.open(_url(rule), method=method)
    assert response.status_code == 302, f"{rule.endpoint}: {response.status_code}"
    assert "/logga-in" in response.headers["Location"]


ROLE_ONLY = [
    pytest.param(rule, method, id=f"{rule.endpoint}-{method}")
    for rule in RULES
    if _access(rule) is not None and _access(rule).kind == "role"
    for method in _methods(rule)
]


@pytest.mark.parametrize(("rule", "method"), ROLE_ONLY)
def test_resident_gets_403_on_staff_endpoints(client, login_as, rule, method):
    login_as("resident")
    response = client.open(_url(rule), method=method)
    assert response.status_code == 403, f"{rule.endpoint}: {response.status_code}"


@pytest.mark.parametrize(("rule", "method"), ROLE_ONLY)
def test_staff_without_the_role_gets_403(client, login_as, rule, method):
    allowed = set(_access(rule).roles)
    other = next((r for r in ("officer", "coordinator", "supervisor", "admin") if r not in allowed),
                 None)
    if other is None:
        pytest.skip("every staff role may use this endpoint")
    login_as(other)
    response = client.open(_url(rule), method=method)
    assert response.status_code == 403, f"{rule.endpoint} as {other}: {response.status_code}"


@pytest.mark.parametrize(
    "rule",
    [pytest.param(r, id=r.endpoint) for r in RULES
     if _access(r) is not None and _access(r).kind == "role" and "GET" in (r.methods or ())],
)
def test_right_role_is_let_in(client, login_as, rule):
    # Staff of the right role with every area: pages may also check the area (e.g. register).
    login_as(_access(rule).roles[0], areas=("register", "grants", "bookings", "events", "dialog"))
    response = client.get(_url(rule))
    # A dummy id may not exist (404); what matters is that the role check lets the user in.
    assert response.status_code in {200, 302, 404}, f"{rule.endpoint}: {response.status_code}"


OBJECT_RULES = [
    pytest.param(rule, method, id=f"{rule.endpoint}-{method}")
    for rule in RULES
    if _access(rule) is not None and _access(rule).kind == "object"
    for method in _methods(rule)
]


@pytest.mark.parametrize(("rule", "method"), OBJECT_RULES)
def test_object_rules_refuse_an_unrelated_user(client, login_as, rule, method):
    """A logged-in user with no link to the (non-existent) object gets 403 or 404, never data."""
    login_as("resident")
    response = client.open(_url(rule), method=method)
    assert response.status_code in {403, 404}, f"{rule.endpoint}: {response.status_code}"


@pytest.mark.parametrize(
    "rule",
    [pytest.param(r, id=r.endpoint) for r in RULES
     if _access(r) is not None and _access(r).kind == "anonymous" and "GET" in (r.methods or ())],
)
def test_anonymous_only_pages_send_logged_in_users_home(client, login_as, rule):
    login_as("resident")
    response = client.get(_url(rule))
    assert response.status_code == 302


@pytest.mark.parametrize(
    "rule",
    [pytest.param(r, id=r.endpoint) for r in RULES
     if (r.endpoint in BUILTIN_PUBLIC_ENDPOINTS or (_access(r) and _access(r).kind == "public"))
     and "GET" in (r.methods or ()) and not r.arguments],
)
def test_public_pages_open_to_anonymous(client, rule):
    if rule.endpoint == "static":
        pytest.skip("static files need a filename")
    response = client.get(_url(rule))
    assert response.status_code == 200, f"{rule.endpoint}: {response.status_code}"
