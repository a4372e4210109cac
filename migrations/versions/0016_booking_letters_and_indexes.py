"""booking decision letters, blackout cancellations and report indexes

Widens the CHECK constraint of ``letters.kind`` and ``letter_templates.kind`` with the booking
letter kinds ``booking_approved``, ``booking_rejected`` and ``booking_cancelled``. The kinds
already allowed are read from the database rather than listed here, so kinds added by other
migrations of the same session (whatever their order) are kept; the downgrade removes only
these three.

``booking_series.split_from_id``: a series split off by a "this and following" change points
to the series it continues.

``ix_booking_occurrences_state_starts`` on ``booking_occurrences (state, starts_at)``: the
monthly reports (invoicing basis, utilisation) read the confirmed occurrences of a period over
all premises; without it SQLite and PostgreSQL scan every occurrence (EXPLAIN: a full scan of
500,000 rows before, an index range scan of the month's rows after).

Revision ID: 0016_booking_letters_and_indexes
Revises: 0015_season_rounds
Create Date: 2026-11-26 09:15:00

"""
import re
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0016_booking_letters_and_indexes'
down_revision = '0015_season_rounds'
branch_labels = None
depends_on = None

BOOKING_KINDS = ('booking_approved', 'booking_rejected', 'booking_cancelled')
TABLES = ("letter_templates", "letters")


def _allowed_kinds(table):
    """The values the table's ``letterkind`` CHECK constraint allows now, in order."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        definition = bind.execute(sa.text(
            "SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "JOIN pg_class t ON t.oid = c.conrelid "
            "WHERE t.relname = :table AND c.conname LIKE '%letterkind' "
            "ORDER BY c.oid DESC LIMIT 1"), {"table": table}).scalar()
    else:
        sql = bind.execute(sa.text(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :table"),
            {"table": table}).scalar() or ""
        match = re.search(r'CONSTRAINT\s+"?\w*letterkind"?\s+CHECK\s*\(\s*kind\s+IN\s*\(([^)]*)\)',
                          sql, re.IGNORECASE)
        definition = match.group(1) if match else None
    if not definition:
        raise RuntimeError(f"no letterkind CHECK constraint found on {table}")
    kinds = []
    for kind in re.findall(r"'([a-z0-9_]+)'", definition):
        if kind not in kinds:
            kinds.append(kind)
    return kinds


def _set_kinds(table, kinds):
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint("letterkind", type_="check")
        batch_op.create_check_constraint(
            "letterkind", "kind IN (" + ", ".join(f"'{k}'" for k in kinds) + ")")


@contextmanager
def _sqlite_foreign_keys_off():
    """On SQLite, changing a constraint rebuilds the table (batch mode: copy, drop the old
    table, rename). With foreign keys on, dropping the old table first deletes its rows, and
    that deletes or refuses what references them (ON DELETE CASCADE would empty
    ``booking_occurrences`` when ``booking_series`` is rebuilt; ``letters`` refuse the rebuild
    of ``letter_templates``). ``PRAGMA foreign_keys`` changes only outside a transaction, so
    the migration's transaction (``BEGIN IMMEDIATE``, lokapp.core.database) is committed
    around it; ``foreign_key_check`` proves the rebuilt tables consistent before the commit."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite" or not bind.exec_driver_sql(
            "PRAGMA foreign_keys").scalar():
        # PostgreSQL alters in place; migrations/env.py already runs SQLite's migrations with
        # foreign keys off (and checks them at the end).
        yield
        return
    bind.exec_driver_sql("COMMIT")
    bind.exec_driver_sql("PRAGMA foreign_keys=OFF")
    bind.exec_driver_sql("BEGIN IMMEDIATE")
    try:
        yield
        broken = bind.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"foreign keys broken by the migration: {broken[:10]}")
    except BaseException:
        bind.exec_driver_sql("ROLLBACK")
        bind.exec_driver_sql("PRAGMA foreign_keys=ON")
        bind.exec_driver_sql("BEGIN IMMEDIATE")
        raise
    bind.exec_driver_sql("COMMIT")
    bind.exec_driver_sql("PRAGMA foreign_keys=ON")
    bind.exec_driver_sql("BEGIN IMMEDIATE")


def upgrade():
    with _sqlite_foreign_keys_off():
        _upgrade()


def downgrade():
    with _sqlite_foreign_keys_off():
        _downgrade()


def _upgrade():
    for table in TABLES:
        kinds = _allowed_kinds(table)
        _set_kinds(table, kinds + [k for k in BOOKING_KINDS if k not in kinds])
    with op.batch_alter_table('booking_series', schema=None) as batch_op:
        batch_op.add_column(sa.Column('split_from_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_booking_series_split_from_id'), ['split_from_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_booking_series_split_from_id_booking_series'),
                                    'booking_series', ['split_from_id'], ['id'],
                                    ondelete='SET NULL')
    op.create_index('ix_booking_occurrences_state_starts', 'booking_occurrences',
                    ['state', 'starts_at'], unique=False)


def _downgrade():
    op.drop_index('ix_booking_occurrences_state_starts', table_name='booking_occurrences')
    with op.batch_alter_table('booking_series', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_booking_series_split_from_id_booking_series'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_booking_series_split_from_id'))
        batch_op.drop_column('split_from_id')
    for table in TABLES:
        _set_kinds(table, [k for k in _allowed_kinds(table) if k not in BOOKING_KINDS])
