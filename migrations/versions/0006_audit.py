"""audit trail of personal data: subject, city and request id; append-only on PostgreSQL

Adds to audit_events the person whose data an event is about, the city it belongs to and
the request id. On PostgreSQL a trigger refuses UPDATE, DELETE and TRUNCATE on the table;
``flask audit purge`` deletes old rows with ``SET LOCAL coop.audit_purge = 'on'``, and an
erasure clears events' ``reason`` text (only that column) with ``coop.audit_erase``.

Revision ID: 0006_audit
Revises: 0005_sessions
Create Date: 2026-12-03 20:00:00.000000

"""

from alembic import op
import sqlalchemy as sa

# The same statements as coop.core.models runs after create_all (copied: a migration
# keeps what it did even when the models change later).
APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('coop.audit_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND current_setting('coop.audit_erase', true) = 'on'
       AND (to_jsonb(NEW) - 'reason') = (to_jsonb(OLD) - 'reason') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION USING
        MESSAGE = 'audit_events is append-only: ' || TG_OP || ' refused',
        ERRCODE = 'insufficient_privilege';
END
$$
"""
APPEND_ONLY_TRIGGERS = (
    "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
    "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()",
    "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()",
)


# revision identifiers, used by Alembic.
revision = "0006_audit"
down_revision = "0005_sessions"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject_user_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("city_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("request_id", sa.String(length=64), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_audit_events_subject_user_id"), ["subject_user_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_audit_events_city_id"), ["city_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_audit_events_subject_user_id_users"),
            "users",
            ["subject_user_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_audit_events_city_id_cities"), "cities", ["city_id"], ["id"]
        )
    if op.get_bind().dialect.name == "postgresql":
        for statement in (APPEND_ONLY_FUNCTION, *APPEND_ONLY_TRIGGERS):
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")
        op.execute("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS audit_events_append_only()")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_audit_events_city_id_cities"), type_="foreignkey")
        batch_op.drop_constraint(
            batch_op.f("fk_audit_events_subject_user_id_users"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_audit_events_city_id"))
        batch_op.drop_index(batch_op.f("ix_audit_events_subject_user_id"))
        batch_op.drop_column("request_id")
        batch_op.drop_column("city_id")
        batch_op.drop_column("subject_user_id")
