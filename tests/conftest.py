"""Shared fixtures.

The suite runs on SQLite by default and on PostgreSQL when ``TEST_DATABASE_URL`` is set. The
schema is built by the real migrations (``flask db upgrade``), so every test run also proves
them. ``db`` gives each test a transaction that is rolled back afterwards; ``committing_db`` is
for tests that need real commits (threads, several connections) and empties the tables after.
"""
from __future__ import annotations

import contextvars
import os
import uuid
from contextlib import contextmanager

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import event
from sqlalchemy.orm import scoped_session, sessionmaker

from lokapp import create_app
from lokapp.extensions import db as _db
from lokapp.extensions import limiter

pytest_plugins = ["tests.factories", "tests.mailserver"]


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


def pytest_report_header(config):
    url = os.environ.get("TEST_DATABASE_URL")
    return f"lokapp database: {'PostgreSQL (' + url + ')' if url else 'SQLite (temporary file)'}"


class IsolatedClient(FlaskClient):
    """Each request runs in a fresh context, as in production: its own app context, ``g``,
    session scope and Flask-Login user – even when the test body holds an app context."""

    def open(self, *args, **kwargs):
        # Read a streamed body (stream_with_context) while its request context is active, as a
        # WSGI server does; unbuffered, it would be read later, outside the isolated context.
        kwargs.setdefault("buffered", True)
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    app = create_app({
        "LOKAPP_ENV": "testing",
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": _database_url(tmp_path_factory),
        "WTF_CSRF_ENABLED": False,
        "MAIL_TRANSPORT": "file",
        "MAIL_DIR": str(instance / "mail"),
        "MAIL_SEND_AFTER_REQUEST": False,
        "SERVER_BASE_URL": "http://localhost",
        "RATELIMIT_ENABLED": True,
        "PASSWORD_HASH_FAST": True,
    })
    app.test_client_class = IsolatedClient
    with app.app_context():
        _drop_everything()
        upgrade()
    yield app
    with app.app_context():
        _db.session.remove()
        _drop_everything()
        _db.engine.dispose()


def _drop_everything() -> None:
    """Drop all tables, including alembic_version, so each run starts from the migrations."""
    from sqlalchemy import MetaData

    meta = MetaData()
    meta.reflect(bind=_db.engine)
    meta.drop_all(bind=_db.engine)


@pytest.fixture
def db(app):
    """A per-test transaction that is rolled back afterwards (views' commits become savepoints).

    The test body and each test-client request get their own session, all bound to the one
    connection; re-query (or ``db.session.expire_all()``) to see what a request changed.
    """
    with app.app_context():
        connection = _db.engine.connect()
        outer = connection.begin()
        original = _db.session
        factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
        _db.session = scoped_session(factory, scopefunc=original.registry.scopefunc)
        try:
            yield _db
        finally:
            _db.session.remove()
            _db.session = original
            if outer.is_active:
                outer.rollback()
            connection.close()
    limiter.reset()


@pytest.fixture
def committing_db(app):
    """Real commits, for threaded tests; every table is emptied afterwards, except the
    reference data the migrations seed (tables marked ``info={"reference_data": True}``)."""
    with app.app_context():
        try:
            yield _db
        finally:
            _db.session.remove()
            with _db.engine.begin() as conn:
                for table in reversed(_db.metadata.sorted_tables):
                    if not table.info.get("reference_data"):
                        conn.execute(table.delete())
    limiter.reset()


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def is_postgresql(app) -> bool:
    with app.app_context():
        return _db.engine.dialect.name == "postgresql"


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    def __repr__(self) -> str:
        return f"<{self.count} queries>\n" + "\n".join(self.statements)


@pytest.fixture
def count_queries(app):
    """``with count_queries() as q: ...; assert q.count <= N`` – guards against N+1 pages."""

    @contextmanager
    def counter():
        q = QueryCounter()

        def _before(conn, cursor, statement, parameters, context, executemany):
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK",
                                                          "BEGIN", "COMMIT")):
                q.statements.append(statement)

        engine = _db.engine
        event.listen(engine, "before_cursor_execute", _before)
        try:
            yield q
        finally:
            event.remove(engine, "before_cursor_execute", _before)

    return counter


@pytest.fixture
def unique() -> str:
    return uuid.uuid4().hex[:8]
