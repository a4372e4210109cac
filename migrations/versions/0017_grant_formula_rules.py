"""grant formula rules (aktivitetsstöd, lokalbidrag)

A programme may compute the requested amount from data: ``formula_kind`` with its parameters
on ``grant_programmes``; an application's period and last calculation on
``grant_applications``; the reported occasions (``grant_occasions``, the structured
participant-occasions) and rented premises (``grant_rented_premises``).

Revision ID: 0017_grant_formula_rules
Revises: 0016_booking_letters_and_indexes
Create Date: 2026-11-26 09:15:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0017_grant_formula_rules'
down_revision = '0016_booking_letters_and_indexes'
branch_labels = None
depends_on = None

FORMULA_KINDS = ('none', 'activity', 'rent')


def upgrade():
    with op.batch_alter_table('grant_programmes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('formula_kind', sa.String(length=40),
                                      server_default='none', nullable=False))
        batch_op.add_column(sa.Column('formula_rate_sek', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('formula_occasion_sek', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('formula_age_min', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('formula_age_max', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('formula_min_group', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('formula_share_percent', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_grant_programmes_formulakind'),
            "formula_kind IN (" + ", ".join(f"'{k}'" for k in FORMULA_KINDS) + ")")
        batch_op.create_check_constraint(
            op.f('ck_grant_programmes_formula_share'),
            'formula_share_percent IS NULL OR formula_share_percent BETWEEN 1 AND 100')
        batch_op.create_check_constraint(
            op.f('ck_grant_programmes_formula_ages'),
            'formula_age_min IS NULL OR formula_age_max IS NULL OR '
            'formula_age_min <= formula_age_max')

    with op.batch_alter_table('grant_applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('period_start', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('period_end', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('formula_result', sa.JSON(), nullable=True))

    op.create_table('grant_occasions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('activity', sa.String(length=200), nullable=False),
    sa.Column('participants', sa.Integer(), nullable=False),
    sa.Column('leaders', sa.Integer(), server_default='0', nullable=False),
    sa.CheckConstraint('participants >= 0 AND leaders >= 0', name=op.f('ck_grant_occasions_counts')),
    sa.ForeignKeyConstraint(['application_id'], ['grant_applications.id'], name=op.f('fk_grant_occasions_application_id_grant_applications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_occasions'))
    )
    with op.batch_alter_table('grant_occasions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grant_occasions_application_id'), ['application_id'], unique=False)

    op.create_table('grant_rented_premises',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('yearly_rent_sek', sa.Integer(), nullable=False),
    sa.Column('is_municipal', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.CheckConstraint('yearly_rent_sek >= 0', name=op.f('ck_grant_rented_premises_rent')),
    sa.ForeignKeyConstraint(['application_id'], ['grant_applications.id'], name=op.f('fk_grant_rented_premises_application_id_grant_applications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_rented_premises'))
    )
    with op.batch_alter_table('grant_rented_premises', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grant_rented_premises_application_id'), ['application_id'], unique=False)


def downgrade():
    with op.batch_alter_table('grant_rented_premises', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grant_rented_premises_application_id'))
    op.drop_table('grant_rented_premises')
    with op.batch_alter_table('grant_occasions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grant_occasions_application_id'))
    op.drop_table('grant_occasions')

    with op.batch_alter_table('grant_applications', schema=None) as batch_op:
        batch_op.drop_column('formula_result')
        batch_op.drop_column('period_end')
        batch_op.drop_column('period_start')

    with op.batch_alter_table('grant_programmes', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_grant_programmes_formula_ages'), type_='check')
        batch_op.drop_constraint(op.f('ck_grant_programmes_formula_share'), type_='check')
        batch_op.drop_constraint(op.f('ck_grant_programmes_formulakind'), type_='check')
        batch_op.drop_column('formula_share_percent')
        batch_op.drop_column('formula_min_group')
        batch_op.drop_column('formula_age_max')
        batch_op.drop_column('formula_age_min')
        batch_op.drop_column('formula_occasion_sek')
        batch_op.drop_column('formula_rate_sek')
        batch_op.drop_column('formula_kind')
