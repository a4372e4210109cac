"""What the benchmarks share: the app and its fresh database, timing and counting requests,
the command line and the table printed at the end.

A benchmark script puts the repository on ``sys.path`` and imports from here::

    ROOT = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(ROOT))
    from benchmarks import _harness as h  # noqa: E402

Everything from ``lokapp`` is imported inside the functions, so that a script's ``--help``
and the smoke tests (``tests/test_benchmarks.py``) do not build an app they do not need.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

# Transaction control is not counted as a statement (SQLite's BEGIN IMMEDIATE …), as the tests'
# ``count_queries`` fixture does not count it either.
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")

CONFIG = {"RATELIMIT_ENABLED": False, "MAIL_SEND_AFTER_REQUEST": False,
          "SERVER_BASE_URL": "http://localhost", "WTF_CSRF_ENABLED": False}

NOISE = "(timings on a busy machine are noisy)"


# --- the app and its database ---------------------------------------------------------------

def create_app_for(url: str, **config):
    """The app on the database at ``url``, without rate limits, CSRF or mail after responses."""
    from lokapp import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, **CONFIG, **config})


def recreate_schema() -> None:
    """Drop every table of the current app's database and run the migrations (inside an app
    context)."""
    from flask_migrate import upgrade
    from sqlalchemy import MetaData

    from lokapp.extensions import db

    meta = MetaData()
    meta.reflect(bind=db.engine)
    meta.drop_all(bind=db.engine)
    upgrade()


def analyze() -> None:
    """Fresh planner statistics after bulk inserts (SQLite and PostgreSQL alike)."""
    from lokapp.extensions import db

    with db.engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
        connection.commit()


def pick(rng, weighted) -> str:
    """A value from ``[(value, share), …]`` by its share (one ``rng.random()`` a pick)."""
    roll, total = rng.random(), 0.0
    for value, share in weighted:
        total += share
        if roll < total:
            return value
    return weighted[0][0]


def bulk_insert(table, rows: list[dict], chunk: int = 5000) -> None:
    """Insert ``rows`` into ``table`` through SQLAlchemy Core, ``chunk`` rows a statement."""
    from sqlalchemy import insert

    from lokapp.extensions import db

    for start in range(0, len(rows), chunk):
        db.session.execute(insert(table), rows[start:start + chunk])


def reset_sequences(tables) -> None:
    """On PostgreSQL, move the id sequences of ``tables`` past the ids inserted by hand."""
    from sqlalchemy import text

    from lokapp.extensions import db

    if db.engine.dialect.name != "postgresql":
        return
    for table in tables:
        db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                f"(SELECT max(id) FROM {table}))"))


def database_name(app) -> str:
    """``sqlite 3.45.1`` or ``postgresql 16.4``: the dialect and the server's version."""
    from lokapp.extensions import db

    with app.app_context():
        dialect = db.engine.dialect.name
        version = db.session.execute(db.text(
            "select sqlite_version()" if dialect == "sqlite" else "show server_version"
        )).scalar()
    return f"{dialect} {str(version).split()[0]}"


def dispose(app) -> None:
    """Close the app's connections (before the next size empties the database)."""
    from lokapp.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def login_id(app, user_id: int) -> str:
    """What Flask-Login keeps in the session for the user with ``user_id``."""
    from sqlalchemy import select

    from lokapp.auth.models import User
    from lokapp.extensions import db

    with app.app_context():
        return db.session.scalar(select(User).where(User.id == user_id)).get_id()


def log_in(app, client, user_id: int) -> None:
    """Log the user with ``user_id`` in on the test ``client``."""
    switch_user(client, login_id(app, user_id))


def switch_user(client, login_id: str) -> None:
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = login_id, True


# --- timing ---------------------------------------------------------------------------------

def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(share * len(ordered)) - 1)]


@dataclass
class Sample:
    """The measurements of one kind of request: ms and statements, one entry a request."""
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    sql: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)

    def summary(self) -> dict:
        """p50/p95/max wall-clock ms, CPU and SQL p50/p95, statements ``(min, max)``."""
        result = {"p50": statistics.median(self.wall), "p95": percentile(self.wall, 0.95),
                  "max": max(self.wall), "cpu50": statistics.median(self.cpu),
                  "cpu95": percentile(self.cpu, 0.95),
                  "queries": (min(self.queries), max(self.queries))}
        if self.sql:
            result.update(sql50=statistics.median(self.sql), sql95=percentile(self.sql, 0.95))
        return result


class Meter:
    """Times calls and counts their SQL statements (a SQLAlchemy ``before_cursor_execute``
    event on the app's engine), while used as a context manager.

    Per call: wall-clock ms, this process's CPU ms (on a busy machine wall-clock time includes
    waiting for a CPU, CPU time does not; for SQLite it includes the database's work), the
    statements and – with ``sql_time`` – the wall-clock ms spent inside them (for PostgreSQL
    that is where the server's work shows)."""

    def __init__(self, app, *, sql_time: bool = False):
        from lokapp.extensions import db

        with app.app_context():
            self.engine = db.engine
        self.sql_time = sql_time
        self.statements = 0
        self.sql_seconds = 0.0

    def _before(self, _conn, _cursor, statement, _params, context, _many):
        if self.sql_time:
            context._bench_started = time.perf_counter()
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            self.statements += 1

    def _after(self, _conn, _cursor, _statement, _params, context, _many):
        self.sql_seconds += time.perf_counter() - context._bench_started

    def __enter__(self) -> Meter:
        from sqlalchemy import event

        event.listen(self.engine, "before_cursor_execute", self._before)
        if self.sql_time:
            event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *_exc) -> None:
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self._before)
        if self.sql_time:
            event.remove(self.engine, "after_cursor_execute", self._after)

    def call(self, sample: Sample, request: Callable):
        """``request()``, measured into ``sample``; returns what it returns."""
        self.statements, self.sql_seconds = 0, 0.0
        started, cpu_started = time.perf_counter(), time.process_time()
        result = request()
        sample.cpu.append((time.process_time() - cpu_started) * 1000)
        sample.wall.append((time.perf_counter() - started) * 1000)
        if self.sql_time:
            sample.sql.append(self.sql_seconds * 1000)
        sample.queries.append(self.statements)
        return result


# --- command line and output ----------------------------------------------------------------

def parser(doc: str, *, sizes: str, sizes_help: str, requests: int,
           requests_help: str) -> argparse.ArgumentParser:
    """The options every database benchmark has: ``--database-url``, ``--sizes``,
    ``--requests``; ``sizes_help`` and ``requests_help`` may use ``%(default)s``."""
    result = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    result.add_argument("--database-url", help="PostgreSQL URL (the database is emptied!); "
                        "default: a SQLite file in a temporary directory")
    result.add_argument("--sizes", default=sizes, help=sizes_help)
    result.add_argument("--requests", type=int, default=requests, help=requests_help)
    return result


def databases(args, prefix: str) -> Iterator[tuple[int, str]]:
    """``(size, database URL)`` for every ``--sizes``: the ``--database-url`` or a SQLite file
    in a temporary directory (also the app's instance path), removed at the end."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        os.environ.setdefault("LOKAPP_INSTANCE_PATH", tmp)
        for size in (int(s) for s in args.sizes.split(",")):
            yield size, args.database_url or f"sqlite:///{Path(tmp) / f'bench-{size}.sqlite'}"


def seeded_apps(args, prefix: str, build: Callable) -> Iterator[tuple]:
    """``(size, app, seeded, seconds)`` for every ``--sizes``: ``build(url, size)`` gives the
    app, what was seeded and how long seeding took, which goes to stderr; the app's
    connections are closed when the next size is asked for."""
    for size, url in databases(args, prefix):
        app, seeded, seconds = build(url, size)
        print(f"seeded {size:,} applications in {seconds:.1f} s: {seeded.counts}",
              file=sys.stderr, flush=True)
        yield size, app, seeded, seconds
        dispose(app)


def load_average() -> float:
    return os.getloadavg()[0]


def load_note(before: float) -> str:
    return f"load average {before:.1f} → {load_average():.1f} {NOISE}"


def query_range(queries: tuple[int, int]) -> str:
    low, high = queries
    return f"{low}–{high}" if low != high else str(low)


def print_table(header: str, lines: list[str]) -> None:
    print(header)
    print("-" * len(header))
    for line in lines:
        print(line)
