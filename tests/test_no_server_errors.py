"""Bad input gets a clear message, never a 500 – proven by crawling the whole URL map.

The demo (``flask lok demo``) is loaded once for this module into committed tables, so every URL
parameter can be filled with the id of a real object (an application in each state, a case of
each type, premises, bookings, a season round, letters ...). Then:

* every GET rule is opened by every role (anonymous, resident, representative, officer,
  supervisor, admin, coordinator), and each page that answers 200 is opened again with hostile
  query strings (negative and non-numeric pages, NUL bytes, very long values, impossible dates
  and times) – built from the names the code reads and the page's own GET forms;
* every POST rule is sent hostile form data (empty, 5 000 characters, control characters, ``-1``,
  ``12 500,50``, huge numbers, impossible dates, invalid choices, the wrong file type) by roles
  that may use it, and once by one that may not. Field names come from the forms that post to
  the URL on the crawled pages, the route's own page, and every lokapp form class.

A 500 (an exception, with TESTING on) or a traceback in a page fails the endpoint's test. The
module empties every table afterwards and puts the reference data back as it was, so the rest
of the suite sees no demo rows.
"""
from __future__ import annotations

import io
import re
import traceback
from datetime import date
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

import pytest
from sqlalchemy import select
from werkzeug.routing import Rule

from lokapp import create_app
from lokapp.core.access import BUILTIN_PUBLIC_ENDPOINTS, access_of
from lokapp.extensions import db as _db
from lokapp.extensions import limiter

DUMMY = {"int": 999999, "default": "okand"}
ROLES = ("anonymous", "resident", "representative", "officer", "supervisor", "admin",
         "coordinator")
EMAILS = {
    "resident": "invanare@demo.lokapp.se",
    "representative": "forening@demo.lokapp.se",
    "officer": "handlaggare@demo.lokapp.se",
    "supervisor": "chef@demo.lokapp.se",
    "admin": "admin@demo.lokapp.se",
    "coordinator": "samordnare@demo.lokapp.se",
}
ROLE_USERS = {"officer": "officer", "supervisor": "supervisor", "admin": "admin",
              "coordinator": "coordinator"}
MAX_COMBOS = 40  # real-id combinations tried per rule (by the roles in WIDE_ROLES)
WIDE_ROLES = {"representative", "supervisor"}  # the others try the first two
# Hostile query strings by these roles (the resident sees what anonymous does, the officer a
# subset of the supervisor's pages).
HOSTILE_ROLES = {"anonymous", "representative", "supervisor", "admin", "coordinator"}


def _collect() -> tuple[list[Rule], dict]:
    app = create_app({"LOKAPP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule))
    return [r for r in rules if r.endpoint != "static"], app.view_functions


RULES, VIEWS = _collect()
GET_RULES = [r for r in RULES if "GET" in (r.methods or ())]
POST_RULES = [r for r in RULES if "POST" in (r.methods or ())]


def _query_names() -> set[str]:
    """Every query-string name the views read (``request.args.get("sida")`` ...)."""
    from pathlib import Path

    import lokapp

    names = {"page", "per_page", "sida", "status", "bidrag", "lokal", "datum", "tid", "q", "sok",
             "fran", "till", "ar", "manad", "vecka", "typ", "visa", "next", "sortera"}
    for path in Path(lokapp.__file__).parent.rglob("*.py"):
        names |= set(re.findall(r"request\.args(?:\.get(?:list)?\(|\[)\"(\w+)\"",
                                path.read_text(encoding="utf-8")))
    return names


QUERY_NAMES = sorted(_query_names())


def _form_class_fields() -> set[str]:
    """The field names of every lokapp form class (FieldList entries as ``name-0``)."""
    import importlib
    import pkgutil

    from flask_wtf import FlaskForm
    from wtforms.fields import FieldList, FormField

    import lokapp

    for module in pkgutil.walk_packages(lokapp.__path__, "lokapp."):
        if module.name.endswith(("forms", "views")):
            importlib.import_module(module.name)
    names: set[str] = set()
    seen: set[type] = set()
    stack = [FlaskForm]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                stack.append(sub)
    for cls in seen:
        for attr in dir(cls):
            value = getattr(cls, attr, None)
            field_class = getattr(value, "field_class", None)
            if field_class is None:
                continue
            if attr in {"csrf_token", "submit"}:
                continue
            names.add(attr)
            if issubclass(field_class, (FieldList, FormField)):
                names.update({f"{attr}-0", f"{attr}-1", f"{attr}-0-amount",
                              f"{attr}-0-label", f"{attr}-0-value"})
    return names


FORM_FIELDS = sorted(_form_class_fields())


class _FormParser(HTMLParser):
    """Collects the fields of every form on a page: action, method, names and file inputs."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._current: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._current = {"action": attrs.get("action") or "", "method":
                             (attrs.get("method") or "get").lower(), "fields": {},
                             "files": set()}
            self.forms.append(self._current)
        elif tag in {"input", "select", "textarea", "button"} and self._current is not None:
            name = attrs.get("name")
            if not name or name == "csrf_token":
                return
            if attrs.get("type") == "file":
                self._current["files"].add(name)
            else:
                self._current["fields"].setdefault(name, attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def _forms_of(html: str) -> list[dict]:
    parser = _FormParser()
    try:
        parser.feed(html)
    except Exception:  # noqa: BLE001 – a malformed page is not this test's subject
        return []
    return parser.forms


# --- the demo data, loaded once -----------------------------------------------------------------

class Crawl:
    """What the module knows: users, candidate URL values, forms seen on pages."""

    def __init__(self, app):
        self.app = app
        self.user_ids: dict[str, int] = {}
        self.singles: dict[str, list] = {}
        self.combos: list[dict] = []
        self.forms_by_path: dict[str, dict] = {}  # action path → {"fields", "files"}
        self.answered: dict[str, set[int]] = {}  # endpoint → status codes seen on plain GETs

    def client(self, role: str):
        client = self.app.test_client()
        if role == "anonymous":
            return client
        from lokapp.auth.models import User

        with self.app.app_context():
            user = _db.session.get(User, self.user_ids[role])
            ident = user.get_id()
            _db.session.remove()
        with client.session_transaction() as session:
            session["_user_id"] = ident
            session["_fresh"] = True
        return client

    def values_for(self, rule: Rule) -> list[dict]:
        names = set(rule.arguments)
        if not names:
            return [{}]
        if len(names) == 1 and self.singles.get(next(iter(names))):
            (name,) = names
            return [{name: value} for value in self.singles[name]][:MAX_COMBOS]
        found: list[dict] = []
        for combo in self.combos:
            if names <= combo.keys():
                candidate = {k: combo[k] for k in names}
                if candidate not in found:
                    found.append(candidate)
        if not found:
            found.append({n: (self.singles.get(n) or [_dummy(rule, n)])[0] for n in names})
        return found[:MAX_COMBOS]


def _dummy(rule: Rule, name: str):
    converter = type(rule._converters[name]).__name__
    return DUMMY["int"] if converter == "IntegerConverter" else DUMMY["default"]


def _distinct(rows, key) -> list:
    seen, out = set(), []
    for row in rows:
        k = key(row)
        if k not in seen:
            seen.add(k)
            out.append(row)
    return out


def _load_values(crawl: Crawl) -> None:
    from lokapp.agreement.models import AgreementVersion
    from lokapp.associations.models import (
        Association,
        AssociationDocument,
        AssociationInvitation,
    )
    from lokapp.auth.models import AssociationMember, User
    from lokapp.bookings.models import (
        Blackout,
        BookingOccurrence,
        BookingSeries,
        Premises,
        PremisesPhoto,
    )
    from lokapp.bookings.season_models import SeasonApplication, SeasonRound, SeasonWish
    from lokapp.core.cases import Case
    from lokapp.grants.follow_up_models import GrantFollowUp, GrantFollowUpAttachment
    from lokapp.grants.models import (
        GrantApplication,
        GrantAttachment,
        GrantCriterion,
        GrantPayout,
        GrantProgramme,
        GrantQuestion,
    )
    from lokapp.letters.kinds import KINDS
    from lokapp.letters.models import Letter, LetterBatch

    s = _db.session
    for role, email in EMAILS.items():
        crawl.user_ids[role] = s.scalar(User.select_by_email(email)).id

    def all_(model, order=None):
        return s.scalars(select(model).order_by(order if order is not None else model.id)).all()

    applications = all_(GrantApplication)
    cases = all_(Case)
    crawl.singles = {
        "application_id": [a.id for a in _distinct(
            applications, lambda a: (a.case.state, a.programme_id))],
        "case_id": [c.id for c in _distinct(cases, lambda c: (c.case_type, c.state))],
        "association_id": [a.id for a in _distinct(all_(Association), lambda a: a.register_state)],
        "premises_id": [p.id for p in all_(Premises)][:3],
        "series_id": [x.id for x in _distinct(all_(BookingSeries), lambda x: x.booker_type)],
        "occurrence_id": [x.id for x in _distinct(all_(BookingOccurrence), lambda x: x.state)],
        "round_id": [x.id for x in all_(SeasonRound)],
        "letter_id": [x.id for x in all_(Letter)][:4],
        "batch_id": [x.id for x in all_(LetterBatch)][:2] or [DUMMY["int"]],
        "programme_id": [x.id for x in all_(GrantProgramme)],
        "key": [x.key for x in all_(GrantProgramme)] + ["okand"],
        "payout_id": [x.id for x in _distinct(all_(GrantPayout), lambda x: x.state)],
        "version_id": [x.id for x in all_(AgreementVersion)],
        "user_id": [crawl.user_ids["officer"]],
        "kind": [str(k) for k in KINDS] + ["okand"],
        "year": [date.today().year, date.today().year - 1, 1],
        "token": ["okand", "x" * 300],
        "action": ["okand"],
        "filename": ["okand"],
    }
    combos: list[dict] = []
    combos += [{"premises_id": b.premises_id, "blackout_id": b.id} for b in all_(Blackout)]
    combos += [{"premises_id": p.premises_id, "photo_id": p.id} for p in all_(PremisesPhoto)]
    combos += [{"programme_id": q.programme_id, "question_id": q.id}
               for q in all_(GrantQuestion)][:2]
    combos += [{"programme_id": c.programme_id, "criterion_id": c.id}
               for c in all_(GrantCriterion)][:2]
    combos += [{"application_id": a.application_id, "attachment_id": a.id}
               for a in all_(GrantAttachment)][:3]
    for attachment in all_(GrantFollowUpAttachment)[:3]:
        follow_up = s.get(GrantFollowUp, attachment.follow_up_id)
        combos.append({"application_id": follow_up.application_id,
                       "attachment_id": attachment.id})
    combos += [{"association_id": d.association_id, "document_id": d.id}
               for d in all_(AssociationDocument)][:3]
    combos += [{"association_id": i.association_id, "invitation_id": i.id}
               for i in all_(AssociationInvitation)][:2]
    combos += [{"association_id": m.association_id, "member_id": m.id}
               for m in all_(AssociationMember)][:3]
    for wish in all_(SeasonWish)[:4]:
        application = s.get(SeasonApplication, wish.application_id)
        combos.append({"round_id": application.round_id, "wish_id": wish.id,
                       "association_id": application.association_id})
    combos += [{"round_id": a.round_id, "association_id": a.association_id}
               for a in all_(SeasonApplication)][:3]
    representative = crawl.user_ids["representative"]
    own = [m.association_id for m in all_(AssociationMember) if m.user_id == representative]
    for round_id in crawl.singles["round_id"]:
        combos += [{"round_id": round_id, "association_id": a} for a in own[:2]]
    # Case actions: every transition out of each case's state, on that case.
    from lokapp.core.workflow import workflow_for

    app_of = {a.case_id: a.id for a in applications}
    series_of = {x.case_id: x.id for x in all_(BookingSeries) if x.case_id}
    for case in cases:
        try:
            transitions = workflow_for(case).transitions_from(case.state)
        except Exception:  # noqa: BLE001 – a case type without a workflow has no actions
            continue
        for transition in transitions:
            combo = {"case_id": case.id, "action": transition.action}
            if case.id in app_of:
                combo["application_id"] = app_of[case.id]
            if case.id in series_of:
                combo["series_id"] = series_of[case.id]
            combos.append(combo)
    combos += [{"kind": k, "version": 1} for k in crawl.singles["kind"][:2]]
    combos += [{"key": k, "year": y} for k in crawl.singles["key"][:3]
               for y in crawl.singles["year"][:2]]
    crawl.combos = combos
    # The representative's own objects first: they open more pages than anyone else's.
    crawl.singles["association_id"] = own + [a for a in crawl.singles["association_id"]
                                             if a not in own]


@pytest.fixture(scope="module")
def crawl(app, tmp_path_factory):
    from lokapp.auth.demo import DEMO_PASSWORD, run_demo
    from lokapp.auth.passwords import hash_password

    reference = [t for t in _db.metadata.sorted_tables if t.info.get("reference_data")]
    with pytest.MonkeyPatch.context() as mp, app.app_context():
        with _db.engine.connect() as conn:
            snapshot = {t: [dict(r._mapping) for r in conn.execute(select(t))] for t in reference}
        hashed = hash_password(DEMO_PASSWORD)
        for module in ("lokapp.auth.demo", "lokapp.associations.demo"):
            mp.setattr(f"{module}.hash_password", lambda _password: hashed)
        mp.setitem(app.config, "UPLOAD_DIR", str(tmp_path_factory.mktemp("crawler-uploads")))
        mp.setattr(limiter, "enabled", False)  # login and sign-up forms: their rules, not 429s
        try:
            with app.test_request_context("/", environ_base={"REMOTE_ADDR": ""}):
                run_demo()
                _db.session.commit()
                crawl = Crawl(app)
                _load_values(crawl)
                _db.session.commit()
            _db.session.remove()
            limiter.reset()
            yield crawl
        finally:
            _db.session.remove()
            with _db.engine.begin() as conn:
                for table in reversed(_db.metadata.sorted_tables):
                    conn.execute(table.delete())
                for table in reference:
                    if snapshot[table]:
                        conn.execute(table.insert(), snapshot[table])
            limiter.reset()


# --- requests ---------------------------------------------------------------------------------

def _url(rule: Rule, values: dict) -> str:
    path = rule.rule
    for name, value in values.items():
        path = re.sub(rf"<(?:\w+:)?{name}>", str(value), path)
    return path


def _request(client, method: str, url: str, failures: list, label: str, **kwargs):
    try:
        response = client.open(url, method=method, **kwargs)
    except Exception as exc:  # noqa: BLE001 – with TESTING on, a 500 surfaces as the exception
        frames = traceback.extract_tb(exc.__traceback__)
        where = next((f"{f.filename.split('/lokapp/')[-1]}:{f.lineno}" for f in reversed(frames)
                      if "/lokapp/" in f.filename and "/.venv/" not in f.filename), "?")
        failures.append(f"{label} {method} {url[:200]}: {type(exc).__name__}: "
                        f"{str(exc)[:200]} (at {where})")
        return None
    if response.status_code >= 500:
        failures.append(f"{label} {method} {url[:200]}: {response.status_code}")
    elif (response.status_code == 200 and response.mimetype == "text/html"
          and "Traceback (most recent call last)" in response.get_data(as_text=True)):
        failures.append(f"{label} {method} {url[:200]}: traceback in the page")
    return response


def _hostile_queries(names: list[str]) -> list[str]:
    def q(value: str, extra: dict | None = None) -> str:
        params = {n: value for n in names}
        params.update(extra or {})
        return urlencode(params)

    return [
        "page=-1&sida=-1&per_page=-1&ar=-1&vecka=-1&manad=-1",
        q("abc"),
        q("x\x00\x01\x1b"),
        q("x" * 3000),
        q("99999999999999999999"),
        q("2026-02-30", {"tid": "25:99", "fran": "25:99", "till": "24:61", "vecka": "2026-W99",
                         "manad": "2026-13", "datum": "2026-13-45"}),
        "status=x&bidrag=abc&lokal=%00&sida=0&page=0&q=%25%27%22%3C",
        "sida=abc&sida=2&lokal=1&lokal=x&status=&status=x",
    ]


@pytest.mark.parametrize("rule", [pytest.param(r, id=r.endpoint) for r in GET_RULES])
def test_get_never_answers_500(crawl, rule):
    failures: list[str] = []
    combos = crawl.values_for(rule)
    for role in ROLES:
        client = crawl.client(role)
        for values in combos if role in WIDE_ROLES else combos[:2]:
            url = _url(rule, values)
            response = _request(client, "GET", url, failures, role)
            if response is not None:
                crawl.answered.setdefault(rule.endpoint, set()).add(response.status_code)
            if response is None or response.status_code != 200:
                continue
            html = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
            names = set(QUERY_NAMES)
            for form in _forms_of(html):
                action = urlsplit(form["action"]).path or url
                if form["method"] == "get":
                    names |= set(form["fields"])
                else:
                    seen = crawl.forms_by_path.setdefault(action, {"fields": {}, "files": set()})
                    seen["fields"].update(form["fields"])
                    seen["files"] |= form["files"]
            if values is not combos[0] or role not in HOSTILE_ROLES:
                continue  # hostile queries once per role and rule
            for query in _hostile_queries(sorted(names)):
                _request(client, "GET", f"{url}?{query}", failures, f"{role} (hostile)")
    assert not failures, "\n".join(failures)


def test_the_crawl_opened_the_pages_of_real_objects(crawl):
    """The crawl proves little if its ids were wrong: nearly every GET page answered 200 to
    someone. The few that cannot: secret-token pages (a dummy token) and files the demo has
    none of."""
    never = sorted(e for e in (r.endpoint for r in GET_RULES)
                   if 200 not in crawl.answered.get(e, set()))
    print("GET endpoints no role opened:", never)
    assert len(never) <= len(GET_RULES) // 8, never


# --- POST -------------------------------------------------------------------------------------

def _allowed_roles(rule: Rule) -> tuple[list[str], str | None]:
    """Roles that may use the rule (at most two) and one that may not (or None)."""
    access = access_of(VIEWS[rule.endpoint]) if rule.endpoint not in BUILTIN_PUBLIC_ENDPOINTS \
        else None
    kind = access.kind if access else "public"
    if kind == "role":
        allowed = [r for r in ("officer", "supervisor", "admin", "coordinator")
                   if r in access.roles or (r == "supervisor" and "officer" in access.roles)]
        return allowed[:2] or ["admin"], "resident"
    if kind == "anonymous":
        return ["anonymous"], "resident"
    if kind == "public":
        return ["anonymous", "representative"], None
    # login / object rules: the association's representative and the staff who handle cases.
    return ["representative", "supervisor"], "resident" if kind == "object" else "anonymous"


HOSTILE_VALUES = [
    ("long", "x" * 5000),
    ("control", "a\x00b\x01c\x1b[31m\r\n\x7f"),
    ("negative", "-1"),
    ("swedish-number", "12 500,50"),
    ("huge", "99999999999999999999"),
    ("bad-date", "2026-13-45"),
    ("bad-time", "25:99"),
    ("invalid-choice", "__ogiltig__"),
]


def _payloads(fields: dict, files: set[str]):
    yield "empty", {}
    if fields or files:
        yield "as-shown", dict(fields)
    for label, value in HOSTILE_VALUES:
        data: dict = {name: value for name in fields}
        for name in files:
            data[name] = (io.BytesIO(b"MZ\x90\x00 not a pdf" + value.encode()[:100]), "x.exe")
        yield label, data
    if files:
        yield "fake-pdf", {**dict(fields), **{
            name: (io.BytesIO(b"%PDF-1.4 garbage"), "bilaga.pdf") for name in files}}
        yield "empty-file", {**dict(fields), **{
            name: (io.BytesIO(b""), "tom.pdf") for name in files}}


@pytest.mark.parametrize("rule", [pytest.param(r, id=r.endpoint) for r in POST_RULES])
def test_post_never_answers_500(crawl, rule):
    failures: list[str] = []
    allowed, refused = _allowed_roles(rule)
    combos = crawl.values_for(rule)
    # Case actions: every transition the demo's cases offer; other rules: two objects.
    for values in combos if "action" in rule.arguments else combos[:2]:
        url = _url(rule, values)
        seen = crawl.forms_by_path.get(url)
        if seen is None and "GET" in (rule.methods or ()):
            page = _request(crawl.client(allowed[0]), "GET", url, failures, allowed[0])
            if page is not None and page.mimetype == "text/html":
                for form in _forms_of(page.get_data(as_text=True)):
                    if form["method"] == "post" and (urlsplit(form["action"]).path or url) == url:
                        seen = seen or {"fields": {}, "files": set()}
                        seen["fields"].update(form["fields"])
                        seen["files"] |= form["files"]
        if seen is None:  # a POST-only URL no crawled page posts to: every form's field names
            seen = {"fields": {name: "" for name in FORM_FIELDS}, "files": set()}
        # Views also read a few names straight from request.form (``bidrag`` ...).
        seen = {"fields": {**{name: "" for name in QUERY_NAMES}, **seen["fields"]},
                "files": seen["files"]}
        for role in allowed:
            client = crawl.client(role)
            for label, data in _payloads(seen["fields"], seen["files"]):
                _request(client, "POST", url, failures, f"{role} ({label})", data=data,
                         content_type="multipart/form-data")
        if refused:
            _request(crawl.client(refused), "POST", url, failures, f"{refused} (refused)",
                     data={name: "x" for name in seen["fields"]})
    assert not failures, "\n".join(failures)

