"""grant follow-up reports (redovisning) and recovery (återkrav)

One follow-up row per granted application whose programme asks for a report: due date,
the report (what was done), reminders sent, acceptance and a recovery decision; its actual
cost and income lines, participants by age band and gender (counts, never persons) and
attached files. Also widens the CHECK constraint of ``letters.kind`` and
``letter_templates.kind`` with the letter kind ``grant_recovery`` (the recovery decision).
The case states (follow_up_due …) are plain strings on ``cases`` and need no change.

Revision ID: 0014_grant_follow_up
Revises: 0013_casework_notes_scores
Create Date: 2026-11-26 09:15:00

"""
import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0014_grant_follow_up'
down_revision = '0013_casework_notes_scores'
branch_labels = None
depends_on = None

NEW_KIND = 'grant_recovery'
TABLES = ("letter_templates", "letters")
AGE_BANDS = ('0-6', '7-12', '13-20', '21-25', '26-64', '65+')
GENDERS = ('woman', 'man', 'other', 'unknown')


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


def upgrade():
    op.create_table('grant_follow_ups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('summary', sa.Text(), server_default='', nullable=False),
    sa.Column('saved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('completion_message', sa.Text(), nullable=True),
    sa.Column('reminded_before_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminded_overdue_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_by_id', sa.Integer(), nullable=True),
    sa.Column('recovered_sek', sa.Integer(), nullable=True),
    sa.Column('recovery_reasons', sa.Text(), nullable=True),
    sa.Column('recovery_decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('recovery_decided_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('recovered_sek IS NULL OR recovered_sek > 0', name=op.f('ck_grant_follow_ups_recovered')),
    sa.ForeignKeyConstraint(['accepted_by_id'], ['users.id'], name=op.f('fk_grant_follow_ups_accepted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['application_id'], ['grant_applications.id'], name=op.f('fk_grant_follow_ups_application_id_grant_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recovery_decided_by_id'], ['users.id'], name=op.f('fk_grant_follow_ups_recovery_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_grant_follow_ups_submitted_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_follow_ups')),
    sa.UniqueConstraint('application_id', name=op.f('uq_grant_follow_ups_application_id'))
    )
    with op.batch_alter_table('grant_follow_ups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grant_follow_ups_due_on'), ['due_on'], unique=False)

    op.create_table('grant_follow_up_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('follow_up_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('cost', 'income', name='budgetlinekind', native_enum=False, create_constraint=True, length=10), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('amount_sek', sa.Integer(), nullable=False),
    sa.CheckConstraint('amount_sek >= 0', name=op.f('ck_grant_follow_up_lines_amount')),
    sa.ForeignKeyConstraint(['follow_up_id'], ['grant_follow_ups.id'], name=op.f('fk_grant_follow_up_lines_follow_up_id_grant_follow_ups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_follow_up_lines'))
    )
    with op.batch_alter_table('grant_follow_up_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grant_follow_up_lines_follow_up_id'), ['follow_up_id'], unique=False)

    op.create_table('grant_follow_up_participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('follow_up_id', sa.Integer(), nullable=False),
    sa.Column('age_band', sa.Enum(*AGE_BANDS, name='ageband', native_enum=False, create_constraint=True, length=10), nullable=False),
    sa.Column('gender', sa.Enum(*GENDERS, name='gender', native_enum=False, create_constraint=True, length=10), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.CheckConstraint('count > 0', name=op.f('ck_grant_follow_up_participants_count_positive')),
    sa.ForeignKeyConstraint(['follow_up_id'], ['grant_follow_ups.id'], name=op.f('fk_grant_follow_up_participants_follow_up_id_grant_follow_ups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_follow_up_participants')),
    sa.UniqueConstraint('follow_up_id', 'age_band', 'gender', name=op.f('uq_grant_follow_up_participants_follow_up_id_age_band_gender'))
    )

    op.create_table('grant_follow_up_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('follow_up_id', sa.Integer(), nullable=False),
    sa.Column('stored_file_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['follow_up_id'], ['grant_follow_ups.id'], name=op.f('fk_grant_follow_up_attachments_follow_up_id_grant_follow_ups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stored_file_id'], ['stored_files.id'], name=op.f('fk_grant_follow_up_attachments_stored_file_id_stored_files'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_follow_up_attachments'))
    )
    with op.batch_alter_table('grant_follow_up_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grant_follow_up_attachments_follow_up_id'), ['follow_up_id'], unique=False)

    for table in TABLES:
        kinds = _allowed_kinds(table)
        if NEW_KIND not in kinds:
            _set_kinds(table, kinds + [NEW_KIND])


def downgrade():
    for table in TABLES:
        _set_kinds(table, [k for k in _allowed_kinds(table) if k != NEW_KIND])
    with op.batch_alter_table('grant_follow_up_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grant_follow_up_attachments_follow_up_id'))
    op.drop_table('grant_follow_up_attachments')
    op.drop_table('grant_follow_up_participants')
    with op.batch_alter_table('grant_follow_up_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grant_follow_up_lines_follow_up_id'))
    op.drop_table('grant_follow_up_lines')
    with op.batch_alter_table('grant_follow_ups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grant_follow_ups_due_on'))
    op.drop_table('grant_follow_ups')
