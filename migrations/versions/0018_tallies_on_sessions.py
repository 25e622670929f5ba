"""attendance tallies move onto the sessions: virtual_sessions.members_attended

The dashboard summed ``attendance_tallies`` joined to the sessions held; at 100,000
participants on PostgreSQL the join was most of that query's time (0.23 s of 0.3 s). The
tally is now a column of the session itself, so the sum reads one table. The upgrade copies
nothing: it counts from the attendance rows, as 0017 did.

Revision ID: 0018_tallies_on_sessions
Revises: 0017_attendance_tallies
Create Date: 2026-12-08 02:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0018_tallies_on_sessions"
down_revision = "0017_attendance_tallies"
branch_labels = None
depends_on = None

# Members are enrolled or graduated; present or late counts as attended.
COUNT = (
    "SELECT count(e.id) FROM attendance a "
    "JOIN enrollments e ON e.user_id = a.participant_id "
    "AND e.stage IN ('enrolled', 'graduated') "
    "WHERE a.session_id = virtual_sessions.id AND e.cohort_id = virtual_sessions.cohort_id "
    "AND a.status IN ('present', 'late')"
)


def upgrade():
    with op.batch_alter_table("virtual_sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("members_attended", sa.Integer(), server_default="0", nullable=False)
        )
    op.execute(f"UPDATE virtual_sessions SET members_attended = ({COUNT})")
    op.drop_table("attendance_tallies")


def downgrade():
    op.create_table(
        "attendance_tallies",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("attended", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["virtual_sessions.id"],
            name=op.f("fk_attendance_tallies_session_id_virtual_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_attendance_tallies")),
    )
    op.execute(
        "INSERT INTO attendance_tallies (session_id, attended) "
        "SELECT id, members_attended FROM virtual_sessions"
    )
    with op.batch_alter_table("virtual_sessions", schema=None) as batch_op:
        batch_op.drop_column("members_attended")
