"""booking decision letters, blackout cancellations and report indexes

Revision ID: 0016_booking_letters_and_indexes
Revises: 0015_season_rounds
Create Date: 2026-11-26 09:15:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = '0016_booking_letters_and_indexes'
down_revision = '0015_season_rounds'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
