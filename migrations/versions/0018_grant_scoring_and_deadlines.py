"""grant scoring criteria and completion deadlines

Revision ID: 0018_grant_scoring_and_deadlines
Revises: 0017_grant_formula_rules
Create Date: 2026-11-26 09:15:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = '0018_grant_scoring_and_deadlines'
down_revision = '0017_grant_formula_rules'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
