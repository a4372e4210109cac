"""Database engine set-up that differs between SQLite and PostgreSQL.

On SQLite every transaction starts with ``BEGIN IMMEDIATE``: writers are serialised by the
database itself, so a check-then-insert (a case number, a booking slot) cannot interleave with
another writer's. This is SQLAlchemy's documented pysqlite recipe (the driver's own implicit
transactions are switched off). WAL keeps readers unblocked and a busy timeout makes writers
queue instead of failing. PostgreSQL needs none of this: it uses row locks and constraints.
"""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine


def configure_engine(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # pragma: no cover - trivial
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):  # pragma: no cover - trivial
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def is_postgresql(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic ``include_name`` hook: leave alone what migrations create outside the models.

    A domain lists such objects – a SQLite FTS5 table and its shadow tables, a PostgreSQL
    index or generated column (as ``table.column``) – in ``db.metadata.info["unmanaged"]``.
    Autogenerate (migrations/env.py) must not emit drops for them, and
    tests/test_migrations.py must not report them.
    """
    from lokapp.extensions import db

    unmanaged = db.metadata.info.get("unmanaged", ())
    if type_ == "column":
        return f"{parent_names.get('table_name')}.{name}" not in unmanaged
    return name not in unmanaged
