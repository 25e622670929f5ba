"""people's data rights: consent withdrawal and erasure markers on users

Revision ID: 0007_rights
Revises: 0006_audit
Create Date: 2026-12-10 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_rights'
down_revision = '0006_audit'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent_withdrawn_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('erased_at')
        batch_op.drop_column('consent_withdrawn_at')
