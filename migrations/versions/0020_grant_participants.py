"""grant participants: programmes may ask for the expected participants of an application

``grant_programmes.asks_participants`` switches on the application step "Deltagare";
``grant_application_participants`` holds the expected participants as counts per age band
and gender (the register's bands and genders), one row per non-zero cell – never persons.

Revision ID: 0020_grant_participants
Revises: 0019_casework_indexes
Create Date: 2026-11-26 09:45:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0020_grant_participants'
down_revision = '0019_casework_indexes'
branch_labels = None
depends_on = None

AGE_BANDS = ('0-6', '7-12', '13-20', '21-25', '26-64', '65+')
GENDERS = ('woman', 'man', 'other', 'unknown')


def upgrade():
    with op.batch_alter_table('grant_programmes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('asks_participants', sa.Boolean(),
                                      server_default=sa.false(), nullable=False))

    op.create_table('grant_application_participants',
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('age_band', sa.Enum(*AGE_BANDS, name='ageband', native_enum=False, create_constraint=True, length=10), nullable=False),
    sa.Column('gender', sa.Enum(*GENDERS, name='gender', native_enum=False, create_constraint=True, length=10), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.CheckConstraint('count > 0', name=op.f('ck_grant_application_participants_count_positive')),
    sa.ForeignKeyConstraint(['application_id'], ['grant_applications.id'], name=op.f('fk_grant_application_participants_application_id_grant_applications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('application_id', 'age_band', 'gender', name=op.f('pk_grant_application_participants'))
    )


def downgrade():
    op.drop_table('grant_application_participants')
    with op.batch_alter_table('grant_programmes', schema=None) as batch_op:
        batch_op.drop_column('asks_participants')
