"""seasonal allocation rounds for premises

Rounds (with their premises and ranking rules), the associations' applications and their
weekly wishes with participants by age band and gender. Also widens the CHECK constraint of
``letters.kind`` and ``letter_templates.kind`` with the letter kind ``season_allocation``
(the allocation result letter).

Revision ID: 0015_season_rounds
Revises: 0014_grant_follow_up
Create Date: 2026-11-26 09:15:00

"""
import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0015_season_rounds'
down_revision = '0014_grant_follow_up'
branch_labels = None
depends_on = None


SEASON_KIND = 'season_allocation'
TABLES = ("letter_templates", "letters")

AGE_BANDS = ('0-6', '7-12', '13-20', '21-25', '26-64', '65+')
GENDERS = ('woman', 'man', 'other', 'unknown')


def _allowed_kinds(table):
    """The values the table's ``letterkind`` CHECK constraint allows now, in order (the
    neighbouring migrations add their kinds the same way, so their order does not matter)."""
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
    op.create_table('season_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('season_starts_on', sa.Date(), nullable=False),
    sa.Column('season_ends_on', sa.Date(), nullable=False),
    sa.Column('applications_open_on', sa.Date(), nullable=False),
    sa.Column('applications_close_on', sa.Date(), nullable=False),
    sa.Column('rules_text', sa.Text(), server_default='', nullable=False),
    sa.Column('priority_keys', sa.JSON(), nullable=False),
    sa.Column('previous_round_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.Enum('open', 'publishing', 'published', name='roundstate', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('season_starts_on <= season_ends_on', name=op.f('ck_season_rounds_season')),
    sa.CheckConstraint('applications_open_on <= applications_close_on', name=op.f('ck_season_rounds_window')),
    sa.CheckConstraint('applications_close_on < season_starts_on', name=op.f('ck_season_rounds_window_before')),
    sa.ForeignKeyConstraint(['previous_round_id'], ['season_rounds.id'], name=op.f('fk_season_rounds_previous_round_id_season_rounds'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_season_rounds_published_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_season_rounds'))
    )
    op.create_table('season_round_premises',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('premises_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['premises_id'], ['premises.id'], name=op.f('fk_season_round_premises_premises_id_premises'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['round_id'], ['season_rounds.id'], name=op.f('fk_season_round_premises_round_id_season_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('round_id', 'premises_id', name=op.f('pk_season_round_premises'))
    )
    with op.batch_alter_table('season_round_premises', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_season_round_premises_premises_id'), ['premises_id'], unique=False)

    op.create_table('season_applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.Enum('allocated', 'partly', 'not_allocated', name='seasonoutcome', native_enum=False, create_constraint=True, length=40), nullable=True),
    sa.Column('requested_minutes', sa.Integer(), nullable=True),
    sa.Column('allocated_minutes', sa.Integer(), nullable=True),
    sa.Column('allocated_peak_minutes', sa.Integer(), nullable=True),
    sa.Column('was_eligible', sa.Boolean(), nullable=True),
    sa.CheckConstraint('requested_minutes IS NULL OR requested_minutes >= 0', name=op.f('ck_season_applications_requested_positive')),
    sa.CheckConstraint('allocated_minutes IS NULL OR allocated_minutes >= 0', name=op.f('ck_season_applications_allocated_positive')),
    sa.ForeignKeyConstraint(['association_id'], ['associations.id'], name=op.f('fk_season_applications_association_id_associations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_season_applications_case_id_cases'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['round_id'], ['season_rounds.id'], name=op.f('fk_season_applications_round_id_season_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_season_applications_submitted_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_season_applications')),
    sa.UniqueConstraint('case_id', name=op.f('uq_season_applications_case_id')),
    sa.UniqueConstraint('round_id', 'association_id', name=op.f('uq_season_applications_round_id_association_id'))
    )
    with op.batch_alter_table('season_applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_season_applications_association_id'), ['association_id'], unique=False)

    op.create_table('season_wishes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('start_minute', sa.Integer(), nullable=False),
    sa.Column('end_minute', sa.Integer(), nullable=False),
    sa.Column('premises_id', sa.Integer(), nullable=False),
    sa.Column('alt_premises_id', sa.Integer(), nullable=True),
    sa.Column('activity', sa.String(length=200), nullable=False),
    sa.Column('allocated_premises_id', sa.Integer(), nullable=True),
    sa.Column('is_manual', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('series_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('weekday BETWEEN 0 AND 6', name=op.f('ck_season_wishes_weekday_range')),
    sa.CheckConstraint('start_minute >= 0 AND start_minute < end_minute AND end_minute <= 1440', name=op.f('ck_season_wishes_minutes')),
    sa.CheckConstraint('alt_premises_id IS NULL OR alt_premises_id <> premises_id', name=op.f('ck_season_wishes_two_choices')),
    sa.ForeignKeyConstraint(['allocated_premises_id'], ['premises.id'], name=op.f('fk_season_wishes_allocated_premises_id_premises'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['alt_premises_id'], ['premises.id'], name=op.f('fk_season_wishes_alt_premises_id_premises'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['application_id'], ['season_applications.id'], name=op.f('fk_season_wishes_application_id_season_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_season_wishes_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['premises_id'], ['premises.id'], name=op.f('fk_season_wishes_premises_id_premises'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['series_id'], ['booking_series.id'], name=op.f('fk_season_wishes_series_id_booking_series'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_season_wishes')),
    sa.UniqueConstraint('series_id', name=op.f('uq_season_wishes_series_id'))
    )
    with op.batch_alter_table('season_wishes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_season_wishes_application_id'), ['application_id'], unique=False)
        batch_op.create_index('ix_season_wishes_premises_weekday', ['premises_id', 'weekday'], unique=False)

    op.create_table('season_wish_participants',
    sa.Column('wish_id', sa.Integer(), nullable=False),
    sa.Column('age_band', sa.Enum(*AGE_BANDS, name='ageband', native_enum=False, create_constraint=True, length=10), nullable=False),
    sa.Column('gender', sa.Enum(*GENDERS, name='gender', native_enum=False, create_constraint=True, length=10), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.CheckConstraint('count >= 0', name=op.f('ck_season_wish_participants_count_positive')),
    sa.ForeignKeyConstraint(['wish_id'], ['season_wishes.id'], name=op.f('fk_season_wish_participants_wish_id_season_wishes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('wish_id', 'age_band', 'gender', name=op.f('pk_season_wish_participants'))
    )
    for table in TABLES:
        kinds = _allowed_kinds(table)
        if SEASON_KIND not in kinds:
            _set_kinds(table, kinds + [SEASON_KIND])


def downgrade():
    for table in TABLES:
        _set_kinds(table, [k for k in _allowed_kinds(table) if k != SEASON_KIND])
    op.drop_table('season_wish_participants')
    with op.batch_alter_table('season_wishes', schema=None) as batch_op:
        batch_op.drop_index('ix_season_wishes_premises_weekday')
        batch_op.drop_index(batch_op.f('ix_season_wishes_application_id'))
    op.drop_table('season_wishes')
    with op.batch_alter_table('season_applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_season_applications_association_id'))
    op.drop_table('season_applications')
    with op.batch_alter_table('season_round_premises', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_season_round_premises_premises_id'))
    op.drop_table('season_round_premises')
    op.drop_table('season_rounds')
