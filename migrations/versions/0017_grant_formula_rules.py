"""grant formula rules (aktivitetsstöd, lokalbidrag)

Revision ID: 0017_grant_formula_rules
Revises: 0016_booking_letters_and_indexes
Create Date: 2026-11-26 09:15:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = '0017_grant_formula_rules'
down_revision = '0016_booking_letters_and_indexes'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
