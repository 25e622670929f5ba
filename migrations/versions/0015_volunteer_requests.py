"""captain requests to partner volunteers: a request's graduated_from_id may be empty

A partner volunteer captain (alumni_captains.is_partner_volunteer) graduated from no
cohort, so a request to one names none.

Revision ID: 0015_volunteer_requests
Revises: 0014_speed
Create Date: 2026-12-07 13:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015_volunteer_requests"
down_revision = "0014_speed"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("captain_requests", schema=None) as batch_op:
        batch_op.alter_column("graduated_from_id", existing_type=sa.Integer(), nullable=True)


def downgrade():
    # Requests to partner volunteers cannot be kept without a cohort they graduated from.
    op.execute("DELETE FROM captain_requests WHERE graduated_from_id IS NULL")
    with op.batch_alter_table("captain_requests", schema=None) as batch_op:
        batch_op.alter_column("graduated_from_id", existing_type=sa.Integer(), nullable=False)
