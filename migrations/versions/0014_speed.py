"""speed: indexes for the lists' sorts and the dashboard's funnel

The people list sorts by users.name, the cohort lists filter and sort by
cohorts.start_date, the referrals list by referrals.stage_changed_at (then id), and the
dashboard's funnel looks up an enrollment's events by stage: without these indexes each
sorted or scanned the whole table.

Revision ID: 0014_speed
Revises: 0013_talent
Create Date: 2026-12-07 12:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "0014_speed"
down_revision = "0013_talent"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_users_name', 'users', ['name'], unique=False)
    op.create_index('ix_cohorts_start_date', 'cohorts', ['start_date'], unique=False)
    op.create_index(
        'ix_referrals_stage_changed_at_id', 'referrals', ['stage_changed_at', 'id'], unique=False
    )
    op.create_index(
        'ix_enrollment_events_enrollment_to_stage',
        'enrollment_events',
        ['enrollment_id', 'to_stage'],
        unique=False,
    )


def downgrade():
    op.drop_index('ix_enrollment_events_enrollment_to_stage', table_name='enrollment_events')
    op.drop_index('ix_referrals_stage_changed_at_id', table_name='referrals')
    op.drop_index('ix_cohorts_start_date', table_name='cohorts')
    op.drop_index('ix_users_name', table_name='users')
