"""form submissions: one-time tokens of create forms

A double click or a retried request repeats a create form; the token it rendered is saved
with the record the first submission made, and the repeat is sent to that record.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('form_submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('form', sa.String(length=80), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_form_submissions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_form_submissions')),
    sa.UniqueConstraint('user_id', 'form', 'token', name=op.f('uq_form_submissions_user_id_form_token'))
    )


def downgrade():
    op.drop_table('form_submissions')
