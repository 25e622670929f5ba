"""terms at scale: program applications (with the pre-program survey) and captain requests

Revision ID: 0011_terms
Revises: 0010_assessments
Create Date: 2026-12-07 11:41:19.725503

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0011_terms"
down_revision = "0010_assessments"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('captain_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('graduated_from_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('open', 'accepted', 'declined', 'expired', 'withdrawn', name='requeststatus', native_enum=False, create_constraint=True, length=13), nullable=False),
    sa.Column('message', sa.String(length=1000), nullable=True),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('decline_reason', sa.Enum('no_time', 'schedule', 'other_cohort', 'not_now', 'other', name='declinereason', native_enum=False, create_constraint=True, length=16), nullable=True),
    sa.Column('decline_note', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_captain_requests_cohort_id_cohorts')),
    sa.ForeignKeyConstraint(['graduated_from_id'], ['cohorts.id'], name=op.f('fk_captain_requests_graduated_from_id_cohorts')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_captain_requests_requested_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_captain_requests_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_captain_requests'))
    )
    with op.batch_alter_table('captain_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_captain_requests_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_captain_requests_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_captain_requests_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_captain_requests_open', ['cohort_id', 'user_id'], unique=True, sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))

    op.create_table('program_applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('city_id', sa.Integer(), nullable=False),
    sa.Column('track_id', sa.Integer(), nullable=False),
    sa.Column('evenings', sa.String(length=40), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('start_term', sa.String(length=20), nullable=False),
    sa.Column('college', sa.String(length=160), nullable=True),
    sa.Column('first_generation', sa.Boolean(), nullable=True),
    sa.Column('goals', sa.String(length=500), nullable=True),
    sa.Column('status', sa.Enum('applied', 'accepted', 'declined', 'placed', 'waitlisted', name='programstatus', native_enum=False, create_constraint=True, length=14), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=True),
    sa.Column('enrollment_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('consented_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['city_id'], ['cities.id'], name=op.f('fk_program_applications_city_id_cities')),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_program_applications_cohort_id_cohorts')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_program_applications_decided_by_id_users')),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollments.id'], name=op.f('fk_program_applications_enrollment_id_enrollments')),
    sa.ForeignKeyConstraint(['track_id'], ['tracks.id'], name=op.f('fk_program_applications_track_id_tracks')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_program_applications_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_program_applications')),
    sa.UniqueConstraint('user_id', 'start_term', name=op.f('uq_program_applications_user_id_start_term'))
    )
    with op.batch_alter_table('program_applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_program_applications_city_id'), ['city_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_program_applications_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_program_applications_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_program_applications_track_id'), ['track_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_program_applications_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('program_applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_program_applications_user_id'))
        batch_op.drop_index(batch_op.f('ix_program_applications_track_id'))
        batch_op.drop_index(batch_op.f('ix_program_applications_status'))
        batch_op.drop_index(batch_op.f('ix_program_applications_cohort_id'))
        batch_op.drop_index(batch_op.f('ix_program_applications_city_id'))

    op.drop_table('program_applications')
    with op.batch_alter_table('captain_requests', schema=None) as batch_op:
        batch_op.drop_index('uq_captain_requests_open', sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))
        batch_op.drop_index(batch_op.f('ix_captain_requests_user_id'))
        batch_op.drop_index(batch_op.f('ix_captain_requests_status'))
        batch_op.drop_index(batch_op.f('ix_captain_requests_cohort_id'))

    op.drop_table('captain_requests')
