"""attendance tallies: per session, how many members of its cohort attended it

The outcomes dashboard sums these instead of counting every attendance row of the program
(about 1 s at 100,000 participants on PostgreSQL). The upgrade counts them from the rows
already there; from then on the sessions services keep them current
(``coop.sessions.tallies``).

Revision ID: 0017_attendance_tallies
Revises: 0016_page_speed
Create Date: 2026-12-07 23:55:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017_attendance_tallies"
down_revision = "0016_page_speed"
branch_labels = None
depends_on = None


def upgrade():
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
    # Members are enrolled or graduated; present or late counts as attended.
    op.execute(
        "INSERT INTO attendance_tallies (session_id, attended) "
        "SELECT vs.id, count(e.id) FROM virtual_sessions vs "
        "LEFT JOIN attendance a ON a.session_id = vs.id AND a.status IN ('present', 'late') "
        "LEFT JOIN enrollments e ON e.cohort_id = vs.cohort_id "
        "AND e.user_id = a.participant_id AND e.stage IN ('enrolled', 'graduated') "
        "GROUP BY vs.id"
    )


def downgrade():
    op.drop_table("attendance_tallies")
