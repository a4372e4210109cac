"""grant scoring criteria and completion deadlines

Scoring criteria per programme (grant_criteria) and the officers' scores per application,
criterion and officer (grant_scores). The completion requests (register_completion_requests,
now shared by every case type) get the times the applicant was reminded and the assigned
officer told that the deadline passed, and an index on the deadline for the daily reminders.

Revision ID: 0018_grant_scoring_and_deadlines
Revises: 0017_grant_formula_rules
Create Date: 2026-11-26 09:15:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0018_grant_scoring_and_deadlines'
down_revision = '0017_grant_formula_rules'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('grant_criteria',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name_sv', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('description_sv', sa.String(length=1000), nullable=False),
    sa.Column('max_score', sa.Integer(), nullable=False),
    sa.Column('weight', sa.Integer(), server_default='1', nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.CheckConstraint('max_score >= 1 AND max_score <= 10', name=op.f('ck_grant_criteria_max_score')),
    sa.CheckConstraint('weight >= 1 AND weight <= 10', name=op.f('ck_grant_criteria_weight')),
    sa.ForeignKeyConstraint(['programme_id'], ['grant_programmes.id'], name=op.f('fk_grant_criteria_programme_id_grant_programmes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_criteria'))
    )
    with op.batch_alter_table('grant_criteria', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grant_criteria_programme_id'), ['programme_id'], unique=False)

    op.create_table('grant_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=True),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('scored_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('score >= 0', name=op.f('ck_grant_scores_score')),
    sa.ForeignKeyConstraint(['application_id'], ['grant_applications.id'], name=op.f('fk_grant_scores_application_id_grant_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['criterion_id'], ['grant_criteria.id'], name=op.f('fk_grant_scores_criterion_id_grant_criteria'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['officer_id'], ['users.id'], name=op.f('fk_grant_scores_officer_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_scores')),
    sa.UniqueConstraint('application_id', 'criterion_id', 'officer_id', name=op.f('uq_grant_scores_application_id_criterion_id_officer_id'))
    )
    with op.batch_alter_table('grant_scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grant_scores_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_grant_scores_criterion_id'), ['criterion_id'], unique=False)

    with op.batch_alter_table('register_completion_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('overdue_notified_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_register_completion_requests_deadline'), ['deadline'], unique=False)


def downgrade():
    with op.batch_alter_table('register_completion_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_register_completion_requests_deadline'))
        batch_op.drop_column('overdue_notified_at')
        batch_op.drop_column('reminded_at')

    with op.batch_alter_table('grant_scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grant_scores_criterion_id'))
        batch_op.drop_index(batch_op.f('ix_grant_scores_application_id'))
    op.drop_table('grant_scores')

    with op.batch_alter_table('grant_criteria', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grant_criteria_programme_id'))
    op.drop_table('grant_criteria')
