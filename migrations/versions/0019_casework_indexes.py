"""casework indexes: the officer queues' page order

The queue (``/handlaggning``) lists numbered cases of the officer's case types ordered by
``submitted_at`` (then ``id``), 50 to a page. Without an index in that order the database
joined and sorted every case of those types for each page (benchmarks/casework.py: about
300 ms per page at 50,000 grant applications on SQLite). ``(case_type, submitted_at, id)``
lets an officer with one case type walk the cases in page order and stop after the page;
``(submitted_at, id)`` does the same for officers who see several case types, and for the
grant officers' list of open applications (oldest first); ``(decided_at, id)`` for their list of
decided applications (latest first), which sorted every decided application (about 440 ms a
page at 50,000 on SQLite).

On PostgreSQL the queue's text search (``lower(subject) LIKE '%…%' OR lower(number) LIKE …``)
gets trigram GIN indexes (``pg_trgm``, a trusted extension), so the total and the counts per
state no longer read every case (about 60 ms to 5 ms each at 50,000). They are not in the
models (``lokapp.core.cases.TRIGRAM_INDEXES``); SQLite scans.

Revision ID: 0019_casework_indexes
Revises: 0018_grant_scoring_and_deadlines
Create Date: 2026-11-26 09:20:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0019_casework_indexes'
down_revision = '0018_grant_scoring_and_deadlines'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_type_submitted', ['case_type', 'submitted_at', 'id'],
                              unique=False)
        batch_op.create_index('ix_cases_submitted', ['submitted_at', 'id'], unique=False)
        batch_op.create_index('ix_cases_decided', ['decided_at', 'id'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_cases_subject_trgm ON cases "
                   "USING gin (lower(subject) gin_trgm_ops)")
        op.execute("CREATE INDEX ix_cases_number_trgm ON cases "
                   "USING gin (lower(number) gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_cases_number_trgm")
        op.execute("DROP INDEX IF EXISTS ix_cases_subject_trgm")
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_decided')
        batch_op.drop_index('ix_cases_submitted')
        batch_op.drop_index('ix_cases_type_submitted')
