"""Browser tests: a live lokapp server driven by Debian's Chromium through Playwright.

Every test here is marked ``browser`` and runs against its own app instance (CSRF on, real
forms) on its own database: a temporary SQLite file, or ``<TEST_DATABASE_URL database>_browser``
on PostgreSQL, created and dropped here. Queued mail is read straight from the outbox table
(:meth:`LiveServer.mail_to`); nothing is sent.

Accessibility is checked twice, so it cannot be forgotten:

- a WSGI recorder keeps every HTML document the server sends during a test (pages reached by
  links, redirects, form posts, error pages – with or without JavaScript), and the autouse
  fixture ``_axe_every_page`` runs axe-core (WCAG 2.0/2.1 A and AA) on each of them when the
  test ends, failing the test with every violation;
- :func:`assert_accessible` checks the live page at a given moment (after focus moved, an
  error summary shown ...).

Without ``/usr/bin/chromium`` the tests are skipped – except when ``CI`` is set: CI must run them.
"""
from __future__ import annotations

import hashlib
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DEFAULT_TIMEOUT_MS = 10_000
HERE = Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    """Everything in tests/browser is a browser test, whether or not the module says so."""
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


# --- The live server ------------------------------------------------------------------------


@dataclass
class ServedDocument:
    method: str
    path: str
    status: int
    html: str


class _DocumentRecorder:
    """WSGI middleware keeping every HTML response, so each page a test reaches gets checked."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app
        self.documents: list[ServedDocument] = []
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        seen: dict = {}

        def _start_response(status, headers, exc_info=None):
            seen["status"] = int(status.split()[0])
            seen["type"] = next((v for k, v in headers if k.lower() == "content-type"), "")
            return start_response(status, headers, exc_info)

        result = self.wsgi_app(environ, _start_response)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        # Only what the browser shows as a page: not the HTML 404 behind a missing favicon.
        shown = environ.get("HTTP_SEC_FETCH_DEST", "document") in ("document", "iframe")
        if shown and seen.get("type", "").startswith("text/html"):
            path = environ.get("PATH_INFO", "/")
            if environ.get("QUERY_STRING"):
                path += "?" + environ["QUERY_STRING"]
            with self._lock:
                self.documents.append(ServedDocument(environ["REQUEST_METHOD"], path,
                                                     seen["status"], body.decode("utf-8")))
        return [body]

    def take(self) -> list[ServedDocument]:
        with self._lock:
            documents, self.documents = self.documents, []
        return documents


@dataclass
class LiveServer:
    url: str
    app: object
    recorder: _DocumentRecorder
    mail_dir: Path

    def mail_to(self, address: str) -> list:
        """Messages queued for ``address`` (oldest first), read from the outbox table."""
        from lokapp.core.mail import OutboxMessage
        from lokapp.extensions import db

        with self.app.app_context():
            rows = db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)).all()
            found = [m for m in rows if address.lower() in (r.lower() for r in m.recipients)]
            for message in found:
                db.session.expunge(message)
            return found

    def link_in_last_mail(self, address: str, route: str) -> str:
        """The path of the last ``/<route>/<token>`` link mailed to ``address``."""
        messages = self.mail_to(address)
        assert messages, f"no mail queued for {address}"
        match = re.search(rf"https?://[^\s/]+(/{route}/[A-Za-z0-9_\-]+)", messages[-1].body_text)
        assert match, f"no /{route}/<token> link in:\n{messages[-1].body_text}"
        return match.group(1)


@pytest.fixture(scope="package")
def _browser_database_url(tmp_path_factory):
    """SQLite: a file of its own. PostgreSQL: ``<name>_browser`` next to the test database."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path_factory.mktemp('browser-db') / 'browser.sqlite'}"
        return
    import psycopg

    url = make_url(base)
    name = f"{url.database}_browser"
    server = {"host": url.host or "127.0.0.1", "port": url.port or 5432,
              "user": url.username, "password": url.password, "dbname": "postgres"}

    def _admin(sql: str) -> None:
        with psycopg.connect(**server, autocommit=True) as conn:
            conn.execute(sql)

    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # left over from a killed run
    _admin(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(drivername="postgresql+psycopg", database=name).render_as_string(
            hide_password=False)
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="package")
def live_server(_browser_database_url, tmp_path_factory):
    import logging

    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from lokapp import create_app
    from lokapp.extensions import db

    instance = tmp_path_factory.mktemp("browser-instance")
    app = create_app({
        "LOKAPP_ENV": "testing",
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": _browser_database_url,
        "WTF_CSRF_ENABLED": True,
        "MAIL_TRANSPORT": "file",
        "MAIL_DIR": str(instance / "mail"),
        "UPLOAD_DIR": str(instance / "uploads"),  # not the checkout's instance/ folder
        "MAIL_SEND_AFTER_REQUEST": False,
        "RATELIMIT_ENABLED": True,
        "PASSWORD_HASH_FAST": True,
    })
    with app.app_context():
        upgrade()
    recorder = _DocumentRecorder(app.wsgi_app)
    app.wsgi_app = recorder
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["SERVER_BASE_URL"] = url  # links in mail point at this server
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    thread = threading.Thread(target=server.serve_forever, name="lokapp-live-server",
                              daemon=True)
    thread.start()
    try:
        yield LiveServer(url=url, app=app, recorder=recorder, mail_dir=instance / "mail")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="package")
def base_url(live_server) -> str:
    return live_server.url


# --- The browser ----------------------------------------------------------------------------


@pytest.fixture(scope="package")
def browser():
    if not os.path.exists(CHROMIUM):
        message = f"Debian chromium saknas: apt-get install chromium ({CHROMIUM} finns inte)"
        if os.environ.get("CI"):
            pytest.fail(message + " – CI måste köra webbläsartesterna.", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Package scope, not session: Playwright's sync API keeps an event loop that other tests
    # (asyncio-based mail servers) must not meet.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_page(browser, base_url):
    """``new_page(**context_options)`` – a page in a fresh context (sv-SE, Europe/Stockholm).

    ``java_script_enabled=False`` gives a page without JavaScript; ``viewport=...`` a size.
    """
    contexts = []

    def factory(**options):
        settings = {"locale": "sv-SE", "timezone_id": "Europe/Stockholm", "base_url": base_url,
                    **options}
        context = browser.new_context(**settings)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.lokapp_javascript = settings.get("java_script_enabled", True)
        return page

    yield factory
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


# --- axe-core -------------------------------------------------------------------------------


class AxeChecker:
    """Runs axe-core in a JavaScript-enabled page of its own, on live pages or served HTML.

    Served HTML is shown at its own URL (the navigation is answered from memory, the style sheet
    comes from the live server), so pages reached without JavaScript are checked just the same.
    A document already checked (ignoring tokens, addresses and numbers) is not checked twice.
    """

    def __init__(self, browser, base_url: str):
        from axe_playwright_python.sync_playwright import Axe

        self.axe = Axe()
        self.base_url = base_url
        self.context = browser.new_context(locale="sv-SE", timezone_id="Europe/Stockholm")
        self.context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        self.page = self.context.new_page()
        self.page.route("**/*", self._serve)
        self._html: str | None = None
        self._checked: dict[str, list[str]] = {}

    def _serve(self, route):
        if route.request.is_navigation_request() and self._html is not None:
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=self._html)
        else:
            route.continue_()

    def violations_of_page(self, page) -> list[str]:
        if getattr(page, "lokapp_javascript", True):
            return self._run(page)
        return self.violations_of_html(page.url, page.content())

    def violations_of_html(self, url: str, html: str) -> list[str]:
        key = hashlib.sha256(_normalised(html).encode()).hexdigest()
        if key not in self._checked:
            self._html = html
            try:
                self.page.goto(url, wait_until="load")
                self._checked[key] = self._run(self.page)
            finally:
                self._html = None
        return self._checked[key]

    def _run(self, page) -> list[str]:
        results = self.axe.run(page, options={
            "runOnly": {"type": "tag", "values": AXE_TAGS},
            "resultTypes": ["violations"],
        })
        return [
            f"{v['id']} ({v['impact']}): {v['help']} – "
            + "; ".join(", ".join(_flat(node["target"])) for node in v["nodes"])
            + f" <{v['helpUrl']}>"
            for v in results.response["violations"]
        ]

    def close(self) -> None:
        self.context.close()


def _flat(targets) -> list[str]:
    return [" >> ".join(t) if isinstance(t, list) else str(t) for t in targets]


# What may differ between two renderings of the same page without changing its accessibility:
# CSRF tokens, link tokens, e-mail addresses and numbers (ids, dates, times).
_VOLATILE = [
    (re.compile(r'(name="csrf_token"[^>]*value=")[^"]*"'), r'\1…"'),
    (re.compile(r"(/(?:verifiera|aterstall-losenord)/)[A-Za-z0-9_\-]+"), r"\1…"),
    (re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+"), "e@post"),
    (re.compile(r"\d+"), "0"),
]


def _normalised(html: str) -> str:
    for pattern, replacement in _VOLATILE:
        html = pattern.sub(replacement, html)
    return html


@pytest.fixture(scope="package")
def axe_checker(browser, base_url):
    checker = AxeChecker(browser, base_url)
    yield checker
    checker.close()


@pytest.fixture
def assert_accessible(axe_checker):
    """``assert_accessible(page)`` – axe-core on the page as it is now (WCAG 2.0/2.1 A, AA)."""

    def check(page) -> None:
        violations = axe_checker.violations_of_page(page)
        assert not violations, (
            f"axe-core found {len(violations)} WCAG violation(s) on {page.url}:\n  "
            + "\n  ".join(violations)
        )

    return check


@pytest.fixture(autouse=True)
def _axe_every_page(request, browser, live_server, axe_checker):
    """Check every HTML document the server sent during the test; fail on any violation or 5xx."""
    from lokapp.extensions import limiter

    live_server.recorder.take()  # nothing from earlier tests
    limiter.reset()  # rate limits are per test, as in the rest of the suite
    yield
    documents = live_server.recorder.take()
    if getattr(request.node, "lokapp_call_failed", False):
        return  # the test's own failure is the news; do not bury it under follow-up errors
    problems = []
    for doc in documents:
        where = f"{doc.method} {doc.path} ({doc.status})"
        if doc.status >= 500:
            problems.append(f"{where}: server error")
            continue
        if 300 <= doc.status < 400:
            continue  # a redirect's body is never shown
        for violation in axe_checker.violations_of_html(live_server.url + doc.path, doc.html):
            problems.append(f"{where}: {violation}")
    assert not problems, "pages reached in this test fail axe-core (WCAG 2.1 AA):\n  " + \
        "\n  ".join(problems)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.lokapp_call_failed = report.failed
    return report
