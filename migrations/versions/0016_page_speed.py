"""page speed: a partial index on the check-ins waiting for staff

Every staff page counts the flagged check-ins not yet resolved (the menu's badge): without
this index that count read every check-in ever logged (8 ms at 10,000 participants on
PostgreSQL, on every staff page).

Revision ID: 0016_page_speed
Revises: 0015_volunteer_requests
Create Date: 2026-12-07 17:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016_page_speed"
down_revision = "0015_volunteer_requests"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_check_ins_waiting",
        "check_ins",
        ["cohort_id"],
        unique=False,
        postgresql_where=sa.text("needs_attention AND resolved_at IS NULL"),
        sqlite_where=sa.text("needs_attention = 1 AND resolved_at IS NULL"),
    )


def downgrade():
    op.drop_index("ix_check_ins_waiting", table_name="check_ins")
