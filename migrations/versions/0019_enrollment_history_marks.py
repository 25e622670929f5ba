"""what the history says, on the enrollment: was_accepted and withdrew_early

The dashboard's funnel asked every declined, waitlisted and withdrawn enrollment's events
whether it had been accepted and whether it withdrew before a seat (60 ms a render at
100,000 participants on PostgreSQL). The answers are now two columns of the enrollment,
set with each event (``coop.enrollment.history``). The upgrade computes them from the
events.

Revision ID: 0019_enrollment_history_marks
Revises: 0018_tallies_on_sessions
Create Date: 2026-12-08 06:10:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0019_enrollment_history_marks"
down_revision = "0018_tallies_on_sessions"
branch_labels = None
depends_on = None

# The stages as stored (their values), as coop.enrollment.history.marks reads them.
ACCEPTED = (
    "EXISTS (SELECT 1 FROM enrollment_events ev WHERE ev.enrollment_id = enrollments.id "
    "AND ev.to_stage IN ('accepted', 'enrolled'))"
)
EARLY = (
    "EXISTS (SELECT 1 FROM enrollment_events ev WHERE ev.enrollment_id = enrollments.id "
    "AND ev.to_stage = 'withdrawn' AND ev.from_stage IN ('applied', 'accepted', 'waitlisted'))"
)


def upgrade():
    # Plain ALTER TABLE on both databases: a batch copy of the table on SQLite would drop
    # enrollments, which the events and others refer to.
    for name in ("was_accepted", "withdrew_early"):
        op.add_column(
            "enrollments",
            sa.Column(name, sa.Boolean(), server_default=sa.false(), nullable=False),
        )
    op.execute(f"UPDATE enrollments SET was_accepted = {ACCEPTED}, withdrew_early = {EARLY}")


def downgrade():
    # ALTER TABLE ... DROP COLUMN on both databases (SQLite 3.35 and later), as above.
    op.drop_column("enrollments", "withdrew_early")
    op.drop_column("enrollments", "was_accepted")
