"""People: users with a role, staff city scopes, and the participant profile."""

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.core.roles import Role  # stored on every user; still importable from here
from coop.db import enum_column, utcnow
from coop.extensions import db

staff_cities = sa.Table(
    "staff_cities",
    db.Model.metadata,
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("city_id", sa.ForeignKey("cities.id", ondelete="CASCADE"), primary_key=True),
)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-cased; the sign-in and matching key.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120), index=True)  # the people list's order
    role: Mapped[Role] = mapped_column(enum_column(Role), default=Role.PARTICIPANT)
    #: Deactivated users cannot sign in and their sessions end.
    active: Mapped[bool] = mapped_column(default=True)
    #: argon2id hash; None until the person accepts their invitation.
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    #: Part of the session's user id: bumping it ends every session of this user.
    session_version: Mapped[int] = mapped_column(default=1)
    #: Staff only: True for organisation-wide staff, else limited to ``cities``.
    all_cities: Mapped[bool] = mapped_column(default=False)
    #: The person's own IANA zone, if they set one; times are also shown in it.
    timezone: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column()
    #: Data rights (coop.privacy): when the person withdrew their application consent
    #: (they are then left out of every use beyond what the law and the funder require),
    #: and when their personal data was erased (the account is closed for good).
    consent_withdrawn_at: Mapped[datetime | None] = mapped_column()
    erased_at: Mapped[datetime | None] = mapped_column()

    # -- two-step sign-in (coop/auth/mfa.py) -----------------------------------------
    #: The TOTP secret (base32), stored as is; loaded only when a code is checked.
    mfa_totp_secret: Mapped[str | None] = mapped_column(sa.String(64), deferred=True)
    #: When the person confirmed their authenticator app; None: no second factor.
    mfa_enabled_at: Mapped[datetime | None] = mapped_column()
    #: The time step of the last code accepted: a code of that step or older is refused.
    mfa_last_used_step: Mapped[int | None] = mapped_column(sa.BigInteger)

    #: Loaded when first read (only staff limited to some cities have any): loading every
    #: user with their cities cost each request and each list of people a query.
    cities = relationship("City", secondary=staff_cities, lazy="select", order_by="City.name")
    profile = relationship(
        "ParticipantProfile", back_populates="user", uselist=False, lazy="select"
    )

    # -- Flask-Login -------------------------------------------------------------------
    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    @property
    def has_mfa(self) -> bool:
        """Whether signing in asks for a code from an authenticator app."""
        return self.mfa_enabled_at is not None

    # -- roles and scopes --------------------------------------------------------------
    @property
    def is_staff(self) -> bool:
        return self.role == Role.STAFF

    @property
    def is_captain(self) -> bool:
        return self.role == Role.CAPTAIN

    @property
    def is_participant(self) -> bool:
        return self.role == Role.PARTICIPANT

    @property
    def is_partner(self) -> bool:
        return self.role == Role.PARTNER

    @property
    def city_ids(self) -> set[int] | None:
        """City ids this staff member may see; None means every city."""
        if not self.is_staff:
            return set()
        if self.all_cities:
            return None
        return {c.id for c in self.cities}

    def can_see_city(self, city_id: int) -> bool:
        ids = self.city_ids
        return self.is_staff and (ids is None or city_id in ids)

    def scope_to_cities(self, stmt, city_column, *, national: bool = False, through=None):
        """Narrow a select to the cities this user may see: every city for organisation-wide
        staff (``stmt`` comes back as it is), their own cities for other staff, none for
        anyone else. The one place that decides staff city scoping.

        - ``city_column``: the city id of what ``stmt`` selects, e.g. ``Cohort.city_id``.
        - ``national=True`` also keeps rows with no city (national partners, openings).
        - ``through=(column, key)``: the rows reach their city through another table or
          subquery; keeps rows whose ``column`` is among the values of ``key`` whose
          ``city_column`` is in scope, e.g. ``through=(Referral.cohort_id, Cohort.id)``
          with ``city_column=Cohort.city_id``.
        """
        ids = self.city_ids
        if ids is None:
            return stmt
        clause = city_column.in_(ids or [-1])
        if national:
            clause = sa.or_(city_column.is_(None), clause)
        if through is not None:
            column, key = through
            clause = column.in_(sa.select(key).where(clause))
        return stmt.where(clause)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class ParticipantProfile(db.Model):
    """What a participant (and later an alumnus) told us at intake."""

    __tablename__ = "participant_profiles"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    college: Mapped[str | None] = mapped_column(sa.String(160))
    graduation_year: Mapped[int | None] = mapped_column()
    first_generation: Mapped[bool | None] = mapped_column()
    low_income: Mapped[bool | None] = mapped_column()
    #: Underemployment baseline at intake.
    intake_job_title: Mapped[str | None] = mapped_column(sa.String(160))
    intake_salary: Mapped[int | None] = mapped_column()
    #: How they heard about coop (free text or a category).
    referral_source: Mapped[str | None] = mapped_column(sa.String(200))
    #: What the person agreed to show their pod peers.
    share_email: Mapped[bool] = mapped_column(default=False)
    share_phone: Mapped[bool] = mapped_column(default=False)
    # -- domain fields: other domains add profile columns below this line --
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User", back_populates="profile")


class UserSession(db.Model):
    """One signed-in browser: created at sign-in, checked on every request, ended by
    signing out, by the person from their account page, or by a new password or
    deactivation (``coop.auth.user_sessions``). The cookie holds a random token; only its
    SHA-256 is stored here."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: "Firefox on Linux": read from the User-Agent header at sign-in.
    device: Mapped[str] = mapped_column(sa.String(120))
    ip: Mapped[str | None] = mapped_column(sa.String(45))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Updated at most once a minute.
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column()

    def __repr__(self) -> str:
        return f"<UserSession {self.id} user={self.user_id}>"


class RecoveryCode(db.Model):
    """One of the ten codes that stand in for the authenticator app, each good once.

    Only a SHA-256 of the code is stored: the codes are 80 random bits, so a fast hash
    cannot be reversed by guessing.
    """

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    used_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
