"""assessments (versioned templates per track, schedules, responses, reminders) and pulse checks

Revision ID: 0010_assessments
Revises: 0009_outbox
Create Date: 2026-12-07 11:42:05.672026

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0010_assessments"
down_revision = "0009_outbox"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "assessment_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("track_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("current_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("archived", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_assessment_templates_created_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["track_id"], ["tracks.id"], name=op.f("fk_assessment_templates_track_id_tracks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_templates")),
        sa.UniqueConstraint(
            "track_id", "title", name=op.f("uq_assessment_templates_track_id_title")
        ),
    )
    with op.batch_alter_table("assessment_templates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_templates_track_id"), ["track_id"], unique=False
        )

    op.create_table(
        "assessment_template_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_assessment_template_versions_created_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["assessment_templates.id"],
            name=op.f("fk_assessment_template_versions_template_id_assessment_templates"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_template_versions")),
        sa.UniqueConstraint(
            "template_id", "number", name=op.f("uq_assessment_template_versions_template_id_number")
        ),
    )
    with op.batch_alter_table("assessment_template_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_template_versions_template_id"), ["template_id"], unique=False
        )

    op.create_table(
        "assessment_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "scale",
                "yes_no",
                "number",
                "choice",
                "text",
                name="itemkind",
                native_enum=False,
                create_constraint=True,
                length=10,
            ),
            nullable=False,
        ),
        sa.Column("prompt", sa.String(length=300), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["assessment_template_versions.id"],
            name=op.f("fk_assessment_items_version_id_assessment_template_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_items")),
        sa.UniqueConstraint("version_id", "key", name=op.f("uq_assessment_items_version_id_key")),
        sa.UniqueConstraint(
            "version_id", "position", name=op.f("uq_assessment_items_version_id_position")
        ),
    )
    with op.batch_alter_table("assessment_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_items_version_id"), ["version_id"], unique=False
        )

    op.create_table(
        "assessment_schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column(
            "point",
            sa.Enum(
                "intake",
                "midpoint",
                "exit",
                name="point",
                native_enum=False,
                create_constraint=True,
                length=12,
            ),
            nullable=False,
        ),
        sa.Column("week", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "week >= 1 AND week <= 104", name=op.f("ck_assessment_schedules_week_range")
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohorts.id"], name=op.f("fk_assessment_schedules_cohort_id_cohorts")
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["assessment_templates.id"],
            name=op.f("fk_assessment_schedules_template_id_assessment_templates"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_schedules")),
        sa.UniqueConstraint(
            "cohort_id",
            "template_id",
            "point",
            name=op.f("uq_assessment_schedules_cohort_id_template_id_point"),
        ),
    )
    with op.batch_alter_table("assessment_schedules", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_schedules_cohort_id"), ["cohort_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_assessment_schedules_template_id"), ["template_id"], unique=False
        )

    op.create_table(
        "pulse_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("confidence", sa.Integer(), nullable=False),
        sa.Column("workload", sa.Integer(), nullable=False),
        sa.Column("needs_help", sa.Boolean(), nullable=False),
        sa.Column("help_with", sa.String(length=500), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolution_note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "confidence >= 1 AND confidence <= 5", name=op.f("ck_pulse_responses_confidence_range")
        ),
        sa.CheckConstraint(
            "workload >= 1 AND workload <= 5", name=op.f("ck_pulse_responses_workload_range")
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohorts.id"], name=op.f("fk_pulse_responses_cohort_id_cohorts")
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"], ["users.id"], name=op.f("fk_pulse_responses_participant_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"], ["users.id"], name=op.f("fk_pulse_responses_resolved_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pulse_responses")),
        sa.UniqueConstraint(
            "cohort_id",
            "participant_id",
            "period_start",
            name=op.f("uq_pulse_responses_cohort_id_participant_id_period_start"),
        ),
    )
    with op.batch_alter_table("pulse_responses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pulse_responses_cohort_id"), ["cohort_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_pulse_responses_participant_id"), ["participant_id"], unique=False
        )

    op.create_table(
        "pulse_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("every_days", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "every_days >= 7 AND every_days <= 28", name=op.f("ck_pulse_settings_every_days_range")
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohorts.id"], name=op.f("fk_pulse_settings_cohort_id_cohorts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pulse_settings")),
        sa.UniqueConstraint("cohort_id", name=op.f("uq_pulse_settings_cohort_id")),
    )
    op.create_table(
        "assessment_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["users.id"],
            name=op.f("fk_assessment_reminders_participant_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["assessment_schedules.id"],
            name=op.f("fk_assessment_reminders_schedule_id_assessment_schedules"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_reminders")),
        sa.UniqueConstraint(
            "schedule_id",
            "participant_id",
            name=op.f("uq_assessment_reminders_schedule_id_participant_id"),
        ),
    )
    with op.batch_alter_table("assessment_reminders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_reminders_participant_id"), ["participant_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_assessment_reminders_schedule_id"), ["schedule_id"], unique=False
        )

    op.create_table(
        "assessment_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column(
            "point",
            sa.Enum(
                "intake",
                "midpoint",
                "exit",
                name="point",
                native_enum=False,
                create_constraint=True,
                length=12,
            ),
            nullable=False,
        ),
        sa.Column("answered_on", sa.Date(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohorts.id"], name=op.f("fk_assessment_responses_cohort_id_cohorts")
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["users.id"],
            name=op.f("fk_assessment_responses_participant_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["assessment_schedules.id"],
            name=op.f("fk_assessment_responses_schedule_id_assessment_schedules"),
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["assessment_templates.id"],
            name=op.f("fk_assessment_responses_template_id_assessment_templates"),
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["assessment_template_versions.id"],
            name=op.f("fk_assessment_responses_version_id_assessment_template_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_responses")),
        sa.UniqueConstraint(
            "schedule_id",
            "participant_id",
            name=op.f("uq_assessment_responses_schedule_id_participant_id"),
        ),
    )
    with op.batch_alter_table("assessment_responses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_responses_cohort_id"), ["cohort_id"], unique=False
        )
        batch_op.create_index(
            "ix_assessment_responses_pairing",
            ["template_id", "participant_id", "point"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_assessment_responses_participant_id"), ["participant_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_assessment_responses_schedule_id"), ["schedule_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_assessment_responses_version_id"), ["version_id"], unique=False
        )

    op.create_table(
        "assessment_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("item_key", sa.Integer(), nullable=False),
        sa.Column("number", sa.Float(), nullable=True),
        sa.Column("text", sa.String(length=2000), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["assessment_items.id"],
            name=op.f("fk_assessment_answers_item_id_assessment_items"),
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["assessment_responses.id"],
            name=op.f("fk_assessment_answers_response_id_assessment_responses"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_answers")),
        sa.UniqueConstraint(
            "response_id", "item_id", name=op.f("uq_assessment_answers_response_id_item_id")
        ),
    )
    with op.batch_alter_table("assessment_answers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_answers_item_id"), ["item_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_assessment_answers_response_id"), ["response_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("assessment_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_answers_response_id"))
        batch_op.drop_index(batch_op.f("ix_assessment_answers_item_id"))

    op.drop_table("assessment_answers")
    with op.batch_alter_table("assessment_responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_responses_version_id"))
        batch_op.drop_index(batch_op.f("ix_assessment_responses_schedule_id"))
        batch_op.drop_index(batch_op.f("ix_assessment_responses_participant_id"))
        batch_op.drop_index("ix_assessment_responses_pairing")
        batch_op.drop_index(batch_op.f("ix_assessment_responses_cohort_id"))

    op.drop_table("assessment_responses")
    with op.batch_alter_table("assessment_reminders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_reminders_schedule_id"))
        batch_op.drop_index(batch_op.f("ix_assessment_reminders_participant_id"))

    op.drop_table("assessment_reminders")
    op.drop_table("pulse_settings")
    with op.batch_alter_table("pulse_responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pulse_responses_participant_id"))
        batch_op.drop_index(batch_op.f("ix_pulse_responses_cohort_id"))

    op.drop_table("pulse_responses")
    with op.batch_alter_table("assessment_schedules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_schedules_template_id"))
        batch_op.drop_index(batch_op.f("ix_assessment_schedules_cohort_id"))

    op.drop_table("assessment_schedules")
    with op.batch_alter_table("assessment_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_items_version_id"))

    op.drop_table("assessment_items")
    with op.batch_alter_table("assessment_template_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_template_versions_template_id"))

    op.drop_table("assessment_template_versions")
    with op.batch_alter_table("assessment_templates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_templates_track_id"))

    op.drop_table("assessment_templates")
