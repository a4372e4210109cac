"""directory search on PostgreSQL: a stored tsvector column instead of the expression index

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 08:40:00

Ranking (``ts_rank``) needs the vector of every match; with only an expression index
PostgreSQL rebuilt it from the text for each row (90 ms for a two-letter prefix over 10,000
associations). A generated, stored column keeps it: PostgreSQL computes it on every insert and
update of the two search columns. The column is not in the models (SQLite has no such type; the
ORM never writes it) – it is listed in ``db.metadata.info["unmanaged"]`` by
lokapp/associations/search.py. Nothing changes on SQLite.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

VECTOR = ("setweight(to_tsvector('simple'::regconfig, search_name), 'A') || "
          "setweight(to_tsvector('simple'::regconfig, search_description), 'B')")


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_associations_search")
    op.execute(f"ALTER TABLE associations ADD COLUMN search_vector tsvector "
               f"GENERATED ALWAYS AS ({VECTOR}) STORED")
    op.execute("CREATE INDEX ix_associations_search_vector ON associations "
               "USING gin (search_vector)")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_associations_search_vector")
    op.execute("ALTER TABLE associations DROP COLUMN IF EXISTS search_vector")
    op.execute(f"CREATE INDEX ix_associations_search ON associations USING gin (({VECTOR}))")
