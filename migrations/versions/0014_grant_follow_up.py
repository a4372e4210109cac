"""grant follow-up reports, recovery and formula rules

Revision ID: 0014_grant_follow_up
Revises: 0013_casework_notes_scores
Create Date: 2026-11-26 09:15:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = '0014_grant_follow_up'
down_revision = '0013_casework_notes_scores'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
