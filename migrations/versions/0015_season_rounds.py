"""seasonal allocation rounds for premises

Revision ID: 0015_season_rounds
Revises: 0014_grant_follow_up
Create Date: 2026-11-26 09:15:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = '0015_season_rounds'
down_revision = '0014_grant_follow_up'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
