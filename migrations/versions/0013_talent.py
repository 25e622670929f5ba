"""talent pool: the partner role, partner contacts' accounts, career profiles and
résumés with their full-text search, shortlists, introductions, "I'm interested"
requests, and partners' openings that wait for staff approval

Revision ID: 0013_talent
Revises: 0012_plans
Create Date: 2026-12-07 11:47:31.929049

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0013_talent"
down_revision = "0012_plans"
branch_labels = None
depends_on = None


ROLES_BEFORE = "'staff', 'captain', 'participant'"
ROLES_AFTER = "'staff', 'captain', 'participant', 'partner'"

#: The search index outside the models (coop.talent.models, coop.talent.search).
FTS_TABLE = "career_profiles_fts"
CREATE_FTS = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(search_text, tokenize='unicode61')"
)
PG_INDEX = "ix_career_profiles_search"
CREATE_PG_INDEX = (
    f"CREATE INDEX {PG_INDEX} ON career_profiles USING gin (to_tsvector('simple', search_text))"
)


def _roles(before: str, after: str) -> None:
    """Widen (or narrow back) the users.role CHECK constraint.

    PostgreSQL drops and adds it. SQLite cannot alter a constraint, and rebuilding the
    users table (every other table points at it) would trip the foreign keys; SQLite's
    documented way to change a CHECK constraint is to edit the table's SQL in
    sqlite_schema, which is safe here because rows valid before stay valid after.
    """
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        old = f"CHECK (role IN ({before}))"
        new = f"CHECK (role IN ({after}))"
        sql = bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'users'"
        ).scalar()
        if old not in sql:
            raise RuntimeError("users.role: the CHECK constraint is not the expected one")
        version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
        bind.exec_driver_sql("PRAGMA writable_schema = ON")
        bind.exec_driver_sql(
            "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'users'",
            (sql.replace(old, new),),
        )
        bind.exec_driver_sql(f"PRAGMA schema_version = {version + 1}")
        bind.exec_driver_sql("PRAGMA writable_schema = OFF")
    else:
        op.drop_constraint(op.f("ck_users_role"), "users", type_="check")
        op.create_check_constraint(op.f("ck_users_role"), "users", f"role IN ({after})")


def upgrade():
    _roles(ROLES_BEFORE, ROLES_AFTER)
    with op.batch_alter_table('partner_contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_partner_contacts_user_id'), ['user_id'])
        batch_op.create_foreign_key(batch_op.f('fk_partner_contacts_user_id_users'), 'users', ['user_id'], ['id'])

    op.create_table('career_profiles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=True),
    sa.Column('headline', sa.String(length=160), nullable=False),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('skills', sa.JSON(), nullable=False),
    sa.Column('target_roles', sa.String(length=300), nullable=True),
    sa.Column('city_id', sa.Integer(), nullable=True),
    sa.Column('remote', sa.Boolean(), nullable=False),
    sa.Column('relocate', sa.Boolean(), nullable=False),
    sa.Column('available_from', sa.Date(), nullable=True),
    sa.Column('linkedin_url', sa.String(length=500), nullable=True),
    sa.Column('portfolio_url', sa.String(length=500), nullable=True),
    sa.Column('status', sa.Enum('draft', 'submitted', 'approved', 'returned', name='profilestatus', native_enum=False, create_constraint=True, length=13), nullable=False),
    sa.Column('return_reason', sa.String(length=500), nullable=True),
    sa.Column('visible', sa.Boolean(), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("linkedin_url IS NULL OR linkedin_url LIKE 'https://%'", name=op.f('ck_career_profiles_https_linkedin')),
    sa.CheckConstraint("portfolio_url IS NULL OR portfolio_url LIKE 'https://%'", name=op.f('ck_career_profiles_https_portfolio')),
    sa.ForeignKeyConstraint(['city_id'], ['cities.id'], name=op.f('fk_career_profiles_city_id_cities')),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_career_profiles_cohort_id_cohorts')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_career_profiles_reviewed_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_career_profiles_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_career_profiles')),
    sa.UniqueConstraint('user_id', name=op.f('uq_career_profiles_user_id'))
    )
    with op.batch_alter_table('career_profiles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_career_profiles_city_id'), ['city_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_career_profiles_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_career_profiles_status'), ['status'], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        op.execute(CREATE_FTS)
    elif op.get_bind().dialect.name == "postgresql":
        op.execute(CREATE_PG_INDEX)

    op.create_table('career_resumes',
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=120), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('size <= 2097152', name=op.f('ck_career_resumes_size')),
    sa.ForeignKeyConstraint(['profile_id'], ['career_profiles.id'], name=op.f('fk_career_resumes_profile_id_career_profiles')),
    sa.PrimaryKeyConstraint('profile_id', name=op.f('pk_career_resumes'))
    )
    op.create_table('interest_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('opening_id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'referred', 'declined', name='intereststatus', native_enum=False, create_constraint=True, length=12), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('referral_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_interest_requests_cohort_id_cohorts')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_interest_requests_decided_by_id_users')),
    sa.ForeignKeyConstraint(['opening_id'], ['openings.id'], name=op.f('fk_interest_requests_opening_id_openings')),
    sa.ForeignKeyConstraint(['participant_id'], ['users.id'], name=op.f('fk_interest_requests_participant_id_users')),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_interest_requests_referral_id_referrals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interest_requests')),
    sa.UniqueConstraint('participant_id', 'opening_id', name=op.f('uq_interest_requests_participant_id_opening_id')),
    sa.UniqueConstraint('referral_id', name=op.f('uq_interest_requests_referral_id'))
    )
    with op.batch_alter_table('interest_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interest_requests_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_interest_requests_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_interest_requests_opening_id'), ['opening_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_interest_requests_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_interest_requests_status'), ['status'], unique=False)

    op.create_table('introductions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('opening_id', sa.Integer(), nullable=True),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('status', sa.Enum('pending', 'accepted', 'declined', name='introductionstatus', native_enum=False, create_constraint=True, length=12), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('referral_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['partner_contacts.id'], name=op.f('fk_introductions_contact_id_partner_contacts')),
    sa.ForeignKeyConstraint(['opening_id'], ['openings.id'], name=op.f('fk_introductions_opening_id_openings')),
    sa.ForeignKeyConstraint(['participant_id'], ['users.id'], name=op.f('fk_introductions_participant_id_users')),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_introductions_partner_id_partners')),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_introductions_referral_id_referrals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_introductions')),
    sa.UniqueConstraint('partner_id', 'participant_id', 'opening_id', name=op.f('uq_introductions_partner_id_participant_id_opening_id')),
    sa.UniqueConstraint('referral_id', name=op.f('uq_introductions_referral_id'))
    )
    with op.batch_alter_table('introductions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_introductions_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_introductions_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_introductions_opening_id'), ['opening_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_introductions_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_introductions_partner_id'), ['partner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_introductions_status'), ['status'], unique=False)

    op.create_table('talent_shortlist',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['partner_contacts.id'], name=op.f('fk_talent_shortlist_contact_id_partner_contacts')),
    sa.ForeignKeyConstraint(['profile_id'], ['career_profiles.id'], name=op.f('fk_talent_shortlist_profile_id_career_profiles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_talent_shortlist')),
    sa.UniqueConstraint('contact_id', 'profile_id', name=op.f('uq_talent_shortlist_contact_id_profile_id'))
    )
    with op.batch_alter_table('talent_shortlist', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_talent_shortlist_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_talent_shortlist_profile_id'), ['profile_id'], unique=False)

    with op.batch_alter_table('openings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('awaiting_approval', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.add_column(sa.Column('openings_need_approval', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.drop_column('openings_need_approval')

    with op.batch_alter_table('partner_contacts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_partner_contacts_user_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_partner_contacts_user_id'), type_='unique')
        batch_op.drop_column('user_id')

    with op.batch_alter_table('openings', schema=None) as batch_op:
        batch_op.drop_column('awaiting_approval')

    with op.batch_alter_table('talent_shortlist', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_talent_shortlist_profile_id'))
        batch_op.drop_index(batch_op.f('ix_talent_shortlist_contact_id'))

    op.drop_table('talent_shortlist')
    with op.batch_alter_table('introductions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_introductions_status'))
        batch_op.drop_index(batch_op.f('ix_introductions_partner_id'))
        batch_op.drop_index(batch_op.f('ix_introductions_participant_id'))
        batch_op.drop_index(batch_op.f('ix_introductions_opening_id'))
        batch_op.drop_index(batch_op.f('ix_introductions_created_at'))
        batch_op.drop_index(batch_op.f('ix_introductions_contact_id'))

    op.drop_table('introductions')
    with op.batch_alter_table('interest_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interest_requests_status'))
        batch_op.drop_index(batch_op.f('ix_interest_requests_participant_id'))
        batch_op.drop_index(batch_op.f('ix_interest_requests_opening_id'))
        batch_op.drop_index(batch_op.f('ix_interest_requests_created_at'))
        batch_op.drop_index(batch_op.f('ix_interest_requests_cohort_id'))

    op.drop_table('interest_requests')
    op.drop_table('career_resumes')
    with op.batch_alter_table('career_profiles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_career_profiles_status'))
        batch_op.drop_index(batch_op.f('ix_career_profiles_cohort_id'))
        batch_op.drop_index(batch_op.f('ix_career_profiles_city_id'))

    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"DROP TABLE {FTS_TABLE}")
    op.drop_table('career_profiles')
    # Partner accounts cannot stay under the narrower constraint: they are deactivated
    # and given back the participant role (no hard deletes).
    op.execute("UPDATE users SET role = 'participant', active = false WHERE role = 'partner'")
    _roles(ROLES_AFTER, ROLES_BEFORE)
