"""The talent pool's tables: career profiles and their résumés, partner contacts'
shortlists, introduction requests (answered by the person), and "I'm interested"
requests on openings (turned into referrals by staff or the captain)."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from coop.core.links import https_check
from coop.db import enum_column, utcnow
from coop.extensions import db

#: The largest résumé accepted, in bytes.
RESUME_MAX_BYTES = 2 * 1024 * 1024


class ProfileStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"

    @property
    def label(self) -> str:
        return {
            "draft": "draft",
            "submitted": "waiting for review",
            "approved": "approved",
            "returned": "returned for changes",
        }[self.value]


class CareerProfile(db.Model):
    """What a participant or alumnus shows employers. Partner contacts see it only when it
    is approved by staff and visible (``reaches_partners``)."""

    __tablename__ = "career_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), unique=True)
    #: Their latest enrolled or graduated cohort: the track and term filters use it.
    cohort_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cohorts.id"), index=True)
    headline: Mapped[str] = mapped_column(sa.String(160), default="")
    summary: Mapped[str | None] = mapped_column(sa.Text)
    #: Skills from the track's vocabulary and free tags, one list.
    skills: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: Comma-separated job titles, as typed.
    target_roles: Mapped[str | None] = mapped_column(sa.String(300))
    city_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cities.id"), index=True)
    remote: Mapped[bool] = mapped_column(default=False)
    relocate: Mapped[bool] = mapped_column(default=False)
    available_from: Mapped[date | None] = mapped_column()
    linkedin_url: Mapped[str | None] = mapped_column(sa.String(500))
    portfolio_url: Mapped[str | None] = mapped_column(sa.String(500))
    status: Mapped[ProfileStatus] = mapped_column(
        enum_column(ProfileStatus), default=ProfileStatus.DRAFT, index=True
    )
    #: Why staff returned it (shown to the person).
    return_reason: Mapped[str | None] = mapped_column(sa.String(500))
    #: The person's own switch: off hides the profile from partners at once.
    visible: Mapped[bool] = mapped_column(default=True)
    #: What the full-text search reads (headline, summary, skills, target roles), kept by
    #: ``coop.talent.search.index``.
    search_text: Mapped[str] = mapped_column(sa.Text, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    user = relationship("User", foreign_keys=[user_id], lazy="raise")
    cohort = relationship("Cohort", lazy="raise")
    city = relationship("City", lazy="raise")
    resume = relationship("Resume", uselist=False, lazy="raise", back_populates="profile")

    __table_args__ = (
        sa.CheckConstraint(https_check("linkedin_url"), name="https_linkedin"),
        sa.CheckConstraint(https_check("portfolio_url"), name="https_portfolio"),
    )

    @property
    def reaches_partners(self) -> bool:
        return self.status == ProfileStatus.APPROVED and self.visible

    @classmethod
    def reaches_partners_clause(cls):
        return sa.and_(cls.status == ProfileStatus.APPROVED, cls.visible.is_(True))

    @property
    def can_submit(self) -> bool:
        return self.status in (ProfileStatus.DRAFT, ProfileStatus.RETURNED) and bool(
            self.headline.strip()
        )

    @property
    def target_role_list(self) -> list[str]:
        return [r.strip() for r in (self.target_roles or "").split(",") if r.strip()]


class Resume(db.Model):
    """The profile's résumé PDF, in the database so every app server sees it."""

    __tablename__ = "career_resumes"

    profile_id: Mapped[int] = mapped_column(sa.ForeignKey("career_profiles.id"), primary_key=True)
    filename: Mapped[str] = mapped_column(sa.String(120))
    size: Mapped[int] = mapped_column()
    data: Mapped[bytes] = deferred(mapped_column(sa.LargeBinary))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    profile = relationship("CareerProfile", back_populates="resume", lazy="raise")

    __table_args__ = (sa.CheckConstraint(f"size <= {RESUME_MAX_BYTES}", name="size"),)


class ShortlistEntry(db.Model):
    """A partner contact's favourite: one profile on their shortlist."""

    __tablename__ = "talent_shortlist"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(sa.ForeignKey("partner_contacts.id"), index=True)
    profile_id: Mapped[int] = mapped_column(sa.ForeignKey("career_profiles.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    profile = relationship("CareerProfile", lazy="raise")

    __table_args__ = (sa.UniqueConstraint("contact_id", "profile_id"),)


class IntroductionStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class Introduction(db.Model):
    """A partner contact asks to be introduced to a person (optionally for one of their
    organisation's openings); the person accepts or declines."""

    __tablename__ = "introductions"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(sa.ForeignKey("partners.id"), index=True)
    contact_id: Mapped[int] = mapped_column(sa.ForeignKey("partner_contacts.id"), index=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    opening_id: Mapped[int | None] = mapped_column(sa.ForeignKey("openings.id"), index=True)
    message: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[IntroductionStatus] = mapped_column(
        enum_column(IntroductionStatus), default=IntroductionStatus.PENDING, index=True
    )
    answered_at: Mapped[datetime | None] = mapped_column()
    #: The referral an acceptance created.
    referral_id: Mapped[int | None] = mapped_column(sa.ForeignKey("referrals.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    partner = relationship("Partner", lazy="raise")
    contact = relationship("PartnerContact", lazy="raise")
    participant = relationship("User", lazy="raise")
    opening = relationship("Opening", lazy="raise")

    # One request per organisation, person and opening (a NULL opening is checked by the
    # service: one open request without an opening).
    __table_args__ = (sa.UniqueConstraint("partner_id", "participant_id", "opening_id"),)

    @property
    def is_pending(self) -> bool:
        return self.status == IntroductionStatus.PENDING

    @property
    def shows_label(self) -> str:
        """What the partner reads: a decline is only "not available"."""
        return {
            "pending": "waiting for an answer",
            "accepted": "accepted",
            "declined": "not available",
        }[self.status.value]


class InterestStatus(enum.StrEnum):
    PENDING = "pending"
    REFERRED = "referred"
    DECLINED = "declined"


class InterestRequest(db.Model):
    """A participant's "I'm interested" on an opening: a request to their captain and
    staff to refer them."""

    __tablename__ = "interest_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    opening_id: Mapped[int] = mapped_column(sa.ForeignKey("openings.id"), index=True)
    #: Their cohort when they asked: its staff and captains answer.
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id"), index=True)
    status: Mapped[InterestStatus] = mapped_column(
        enum_column(InterestStatus), default=InterestStatus.PENDING, index=True
    )
    #: Why it was declined (shown to the participant).
    reason: Mapped[str | None] = mapped_column(sa.String(500))
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column()
    referral_id: Mapped[int | None] = mapped_column(sa.ForeignKey("referrals.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    participant = relationship("User", foreign_keys=[participant_id], lazy="raise")
    opening = relationship("Opening", lazy="raise")
    cohort = relationship("Cohort", lazy="raise")

    __table_args__ = (sa.UniqueConstraint("participant_id", "opening_id"),)


# -- the search index outside the models (coop.talent.search) --------------------------------

FTS_TABLE = "career_profiles_fts"
#: SQLite's FTS5 keeps its index in shadow tables named after the virtual one.
FTS_TABLES = (
    FTS_TABLE,
    *(f"{FTS_TABLE}_{s}" for s in ("data", "idx", "content", "docsize", "config")),
)
PG_INDEX = "ix_career_profiles_search"

CREATE_FTS = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(search_text, tokenize='unicode61')"
)
DROP_FTS = f"DROP TABLE IF EXISTS {FTS_TABLE}"
CREATE_PG_INDEX = (
    f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON career_profiles "
    "USING gin (to_tsvector('simple', search_text))"
)

sa.event.listen(
    CareerProfile.__table__, "after_create", sa.DDL(CREATE_FTS).execute_if(dialect="sqlite")
)
sa.event.listen(
    CareerProfile.__table__, "before_drop", sa.DDL(DROP_FTS).execute_if(dialect="sqlite")
)
sa.event.listen(
    CareerProfile.__table__,
    "after_create",
    sa.DDL(CREATE_PG_INDEX).execute_if(dialect="postgresql"),
)
