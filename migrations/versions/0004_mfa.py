"""two-step sign-in: a TOTP secret on users, and recovery codes

Revision ID: 0004_mfa
Revises: 0003
Create Date: 2026-12-10 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_mfa'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mfa_totp_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('mfa_enabled_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('mfa_last_used_step', sa.BigInteger(), nullable=True))

    op.create_table('recovery_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recovery_codes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes'))
    )
    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_codes_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_codes_user_id'))

    op.drop_table('recovery_codes')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('mfa_last_used_step')
        batch_op.drop_column('mfa_enabled_at')
        batch_op.drop_column('mfa_totp_secret')
