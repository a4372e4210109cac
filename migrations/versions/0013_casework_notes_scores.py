"""case notes, jäv declarations, grant scoring criteria and completion deadlines

Revision ID: 0013_casework_notes_scores
Revises: 0012_grant_payouts
Create Date: 2026-11-26 09:15:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = '0013_casework_notes_scores'
down_revision = '0012_grant_payouts'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
