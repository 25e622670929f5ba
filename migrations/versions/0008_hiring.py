"""hiring events (partners attending, registrations with a waitlist, referrals started
at an event) and partner volunteers as captains

Revision ID: 0008_hiring
Revises: 0007_rights
Create Date: 2026-12-07 11:44:50.724259

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0008_hiring"
down_revision = "0007_rights"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "hiring_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=160), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "job_fair",
                "info_session",
                "mock_interview",
                "networking",
                "other",
                name="eventkind",
                native_enum=False,
                create_constraint=True,
                length=18,
            ),
            nullable=False,
        ),
        sa.Column("city_id", sa.Integer(), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("local_time", sa.Time(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("online_link", sa.String(length=500), nullable=True),
        sa.Column("place", sa.String(length=300), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("seats_taken", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "online_link IS NULL OR online_link LIKE 'https://%'",
            name=op.f("ck_hiring_events_https_online_link"),
        ),
        sa.CheckConstraint(
            "capacity >= 1 AND capacity <= 10000", name=op.f("ck_hiring_events_capacity_range")
        ),
        sa.CheckConstraint(
            "duration_minutes >= 5 AND duration_minutes <= 1440",
            name=op.f("ck_hiring_events_duration_range"),
        ),
        sa.CheckConstraint(
            "online_link IS NOT NULL OR place IS NOT NULL", name=op.f("ck_hiring_events_located")
        ),
        sa.CheckConstraint(
            "seats_taken >= 0 AND seats_taken <= capacity",
            name=op.f("ck_hiring_events_seats_within_capacity"),
        ),
        sa.ForeignKeyConstraint(
            ["city_id"], ["cities.id"], name=op.f("fk_hiring_events_city_id_cities")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_hiring_events_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hiring_events")),
    )
    with op.batch_alter_table("hiring_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hiring_events_city_id"), ["city_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_hiring_events_starts_at"), ["starts_at"], unique=False)

    op.create_table(
        "hiring_event_partners",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["hiring_events.id"],
            name=op.f("fk_hiring_event_partners_event_id_hiring_events"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_hiring_event_partners_partner_id_partners"),
        ),
        sa.PrimaryKeyConstraint("event_id", "partner_id", name=op.f("pk_hiring_event_partners")),
    )
    with op.batch_alter_table("hiring_event_partners", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_hiring_event_partners_partner_id"), ["partner_id"], unique=False
        )

    op.create_table(
        "hiring_registrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "registered",
                "waitlisted",
                "withdrawn",
                name="registrationstatus",
                native_enum=False,
                create_constraint=True,
                length=14,
            ),
            nullable=False,
        ),
        sa.Column("queued_at", sa.DateTime(), nullable=False),
        sa.Column("promoted_at", sa.DateTime(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.Column(
            "attendance",
            sa.Enum(
                "attended",
                "no_show",
                name="attendance",
                native_enum=False,
                create_constraint=True,
                length=12,
            ),
            nullable=True,
        ),
        sa.Column("attendance_recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("attendance_recorded_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attendance_recorded_by_id"],
            ["users.id"],
            name=op.f("fk_hiring_registrations_attendance_recorded_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["hiring_events.id"],
            name=op.f("fk_hiring_registrations_event_id_hiring_events"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_hiring_registrations_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hiring_registrations")),
        sa.UniqueConstraint(
            "event_id", "user_id", name=op.f("uq_hiring_registrations_event_id_user_id")
        ),
    )
    with op.batch_alter_table("hiring_registrations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_hiring_registrations_event_id"), ["event_id"], unique=False
        )
        batch_op.create_index(
            "ix_hiring_registrations_event_status_queued",
            ["event_id", "status", "queued_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_hiring_registrations_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "hiring_event_referrals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_hiring_event_referrals_created_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["hiring_events.id"],
            name=op.f("fk_hiring_event_referrals_event_id_hiring_events"),
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name=op.f("fk_hiring_event_referrals_referral_id_referrals"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hiring_event_referrals")),
        sa.UniqueConstraint("referral_id", name=op.f("uq_hiring_event_referrals_referral_id")),
    )
    with op.batch_alter_table("hiring_event_referrals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_hiring_event_referrals_event_id"), ["event_id"], unique=False
        )

    with op.batch_alter_table("alumni_captains", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "is_partner_volunteer", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
        batch_op.add_column(sa.Column("partner_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("partner_contact_id", sa.Integer(), nullable=True))
        batch_op.alter_column("graduated_from_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_index(
            batch_op.f("ix_alumni_captains_partner_contact_id"),
            ["partner_contact_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_alumni_captains_partner_id"), ["partner_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_alumni_captains_partner_contact_id_partner_contacts"),
            "partner_contacts",
            ["partner_contact_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_alumni_captains_partner_id_partners"), "partners", ["partner_id"], ["id"]
        )
        batch_op.create_check_constraint(
            op.f("ck_alumni_captains_graduate_or_volunteer"),
            "(is_partner_volunteer AND partner_id IS NOT NULL AND graduated_from_id IS NULL)"
            " OR (NOT is_partner_volunteer AND graduated_from_id IS NOT NULL)",
        )


def downgrade():
    # Before this revision every captain was a graduate: partner volunteers' appointments
    # cannot be kept (their team assignments stay, as rows of users).
    op.execute("DELETE FROM alumni_captains WHERE is_partner_volunteer")
    with op.batch_alter_table("alumni_captains", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_alumni_captains_graduate_or_volunteer"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_alumni_captains_partner_id_partners"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_alumni_captains_partner_contact_id_partner_contacts"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_alumni_captains_partner_id"))
        batch_op.drop_index(batch_op.f("ix_alumni_captains_partner_contact_id"))
        batch_op.alter_column("graduated_from_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("partner_contact_id")
        batch_op.drop_column("partner_id")
        batch_op.drop_column("is_partner_volunteer")

    with op.batch_alter_table("hiring_event_referrals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hiring_event_referrals_event_id"))

    op.drop_table("hiring_event_referrals")
    with op.batch_alter_table("hiring_registrations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hiring_registrations_user_id"))
        batch_op.drop_index("ix_hiring_registrations_event_status_queued")
        batch_op.drop_index(batch_op.f("ix_hiring_registrations_event_id"))

    op.drop_table("hiring_registrations")
    with op.batch_alter_table("hiring_event_partners", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hiring_event_partners_partner_id"))

    op.drop_table("hiring_event_partners")
    with op.batch_alter_table("hiring_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hiring_events_starts_at"))
        batch_op.drop_index(batch_op.f("ix_hiring_events_city_id"))

    op.drop_table("hiring_events")
