"""register workflow: annual updates, completion requests, change requests, reminders, invitations

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 06:52:58.368529

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('annual_update_reminders',
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('kind', sa.Enum('before', 'overdue', 'blocked', name='reminderkind', native_enum=False, create_constraint=True, length=10), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['association_id'], ['associations.id'], name=op.f('fk_annual_update_reminders_association_id_associations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('association_id', 'year', 'kind', name=op.f('pk_annual_update_reminders'))
    )
    op.create_table('association_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('roles', sa.JSON(), nullable=False),
    sa.Column('is_signatory', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['accepted_by_id'], ['users.id'], name=op.f('fk_association_invitations_accepted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['association_id'], ['associations.id'], name=op.f('fk_association_invitations_association_id_associations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_association_invitations_invited_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_association_invitations')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_association_invitations_token_hash'))
    )
    with op.batch_alter_table('association_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_association_invitations_association_id'), ['association_id'], unique=False)

    op.create_table('annual_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['association_id'], ['associations.id'], name=op.f('fk_annual_updates_association_id_associations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_annual_updates_case_id_cases'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_annual_updates')),
    sa.UniqueConstraint('association_id', 'year', name=op.f('uq_annual_updates_association_id_year')),
    sa.UniqueConstraint('case_id', name=op.f('uq_annual_updates_case_id'))
    )
    with op.batch_alter_table('annual_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_annual_updates_association_id'), ['association_id'], unique=False)

    op.create_table('association_change_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('old_orgnr', sa.String(length=10), nullable=True),
    sa.Column('new_orgnr', sa.String(length=10), nullable=True),
    sa.Column('old_bankgiro', sa.String(length=9), nullable=True),
    sa.Column('new_bankgiro', sa.String(length=9), nullable=True),
    sa.Column('old_plusgiro', sa.String(length=10), nullable=True),
    sa.Column('new_plusgiro', sa.String(length=10), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('applied_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['association_id'], ['associations.id'], name=op.f('fk_association_change_requests_association_id_associations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_association_change_requests_case_id_cases'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_association_change_requests')),
    sa.UniqueConstraint('case_id', name=op.f('uq_association_change_requests_case_id'))
    )
    with op.batch_alter_table('association_change_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_association_change_requests_association_id'), ['association_id'], unique=False)

    op.create_table('register_completion_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_register_completion_requests_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_register_completion_requests_requested_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_register_completion_requests'))
    )
    with op.batch_alter_table('register_completion_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_register_completion_requests_case_id'), ['case_id'], unique=False)




def downgrade():

    with op.batch_alter_table('register_completion_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_register_completion_requests_case_id'))

    op.drop_table('register_completion_requests')
    with op.batch_alter_table('association_change_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_association_change_requests_association_id'))

    op.drop_table('association_change_requests')
    with op.batch_alter_table('annual_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_annual_updates_association_id'))

    op.drop_table('annual_updates')
    with op.batch_alter_table('association_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_association_invitations_association_id'))

    op.drop_table('association_invitations')
    op.drop_table('annual_update_reminders')

