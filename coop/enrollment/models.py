"""Enrollment: a person's path through one cohort, from application to graduation."""

import enum
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.db import enum_column, utcnow
from coop.extensions import db


class Stage(enum.StrEnum):
    APPLIED = "applied"
    ACCEPTED = "accepted"
    WAITLISTED = "waitlisted"
    DECLINED = "declined"
    ENROLLED = "enrolled"
    GRADUATED = "graduated"
    WITHDRAWN = "withdrawn"


#: The stages of a cohort's members: those counted on its roster and in its attendance.
MEMBER_STAGES = (Stage.ENROLLED, Stage.GRADUATED)

#: The stage machine: every allowed change; anything else is refused.
#: ``accepted`` is the staff decision, ``enrolled`` the seat: accepting takes a seat and
#: enrolls at once (or waitlists when the cohort is full).
TRANSITIONS: dict[Stage, frozenset[Stage]] = {
    Stage.APPLIED: frozenset({Stage.ACCEPTED, Stage.WAITLISTED, Stage.DECLINED, Stage.WITHDRAWN}),
    Stage.ACCEPTED: frozenset({Stage.ENROLLED, Stage.WAITLISTED, Stage.DECLINED, Stage.WITHDRAWN}),
    Stage.WAITLISTED: frozenset({Stage.ACCEPTED, Stage.ENROLLED, Stage.DECLINED, Stage.WITHDRAWN}),
    Stage.DECLINED: frozenset(),
    Stage.ENROLLED: frozenset({Stage.GRADUATED, Stage.WITHDRAWN}),
    Stage.GRADUATED: frozenset(),
    Stage.WITHDRAWN: frozenset(),
}

#: Stages of someone still waiting for a decision (the review queue's "open" filter).
OPEN_STAGES = (Stage.APPLIED, Stage.ACCEPTED, Stage.WAITLISTED)
#: Stages of someone on the roster: they took part in the cohort.
ROSTER_STAGES = (Stage.ENROLLED, Stage.GRADUATED, Stage.WITHDRAWN)


class HeardVia(enum.StrEnum):
    ALUMNUS = "alumnus"
    PARTNER = "partner"
    OTHER = "other"


class Source(enum.StrEnum):
    """How the enrollment came to be."""

    APPLICATION = "application"
    IMPORT = "import"


class SalaryBand(NamedTuple):
    """An annual salary band on the application."""

    code: str
    label: str
    #: Stored on the profile as the intake salary when the person gave only the band.
    midpoint: int
    #: Salaries (whole dollars a year) below this fall in the band; None: no upper limit.
    below: int | None


#: The bands, lowest first: the only place they are written down.
SALARY_BANDS: list[SalaryBand] = [
    SalaryBand("none", "No income / not working", 0, 1),
    SalaryBand("under-25k", "Under $25,000", 20000, 25000),
    SalaryBand("25-35k", "$25,000 – $34,999", 30000, 35000),
    SalaryBand("35-45k", "$35,000 – $44,999", 40000, 45000),
    SalaryBand("45-55k", "$45,000 – $54,999", 50000, 55000),
    SalaryBand("55-65k", "$55,000 – $64,999", 60000, 65000),
    SalaryBand("65k-plus", "$65,000 or more", 70000, None),
]
SALARY_BAND_LABELS = {band.code: band.label for band in SALARY_BANDS}
SALARY_BAND_MIDPOINTS = {band.code: band.midpoint for band in SALARY_BANDS}


def salary_band_for(salary: int | None) -> str | None:
    """The band a yearly salary falls in (for imports and demo data)."""
    if salary is None:
        return None
    return next(b.code for b in SALARY_BANDS if b.below is None or salary < b.below)


class Enrollment(db.Model):
    """One participant x one cohort, with the stage they have reached.

    An application is an enrollment in stage ``applied``; its answers are kept here as
    given (the profile holds the person's current facts). Stages change only through
    ``coop.enrollment.services``.
    """

    __tablename__ = "enrollments"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    stage: Mapped[Stage] = mapped_column(enum_column(Stage), default=Stage.APPLIED, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    stage_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # What the history says, kept with every event written (``coop.enrollment.history``):
    # ever moved to accepted or enrolled; withdrew before a seat.
    was_accepted: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    withdrew_early: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    source: Mapped[Source] = mapped_column(
        enum_column(Source), default=Source.APPLICATION, server_default="application"
    )
    #: The reason given with the last decision (decline, waitlist, withdrawal).
    decision_reason: Mapped[str | None] = mapped_column(sa.String(500))
    #: When the person joined the waitlist (None unless waitlisted).
    waitlisted_at: Mapped[datetime | None] = mapped_column()
    #: Place on the waitlist, 1 first; staff may reorder. None unless waitlisted.
    waitlist_position: Mapped[int | None] = mapped_column()

    # -- the application's answers, as given --
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    college: Mapped[str | None] = mapped_column(sa.String(160))
    graduation_year: Mapped[int | None] = mapped_column()
    first_generation: Mapped[bool | None] = mapped_column()
    low_income: Mapped[bool | None] = mapped_column()
    #: Underemployment baseline when applying.
    job_title: Mapped[str | None] = mapped_column(sa.String(160))
    #: A code from ``SALARY_BANDS``.
    salary_band: Mapped[str | None] = mapped_column(sa.String(20))
    preferred_city_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cities.id"))
    preferred_track_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tracks.id"))
    heard_via: Mapped[HeardVia | None] = mapped_column(enum_column(HeardVia))
    #: What the applicant wrote about the alumnus who referred them (name or email).
    referrer_text: Mapped[str | None] = mapped_column(sa.String(254))
    #: The alumnus (a user) that text matched, if any: a recruitment referral.
    referred_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    referral_partner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("partners.id"))
    heard_other: Mapped[str | None] = mapped_column(sa.String(200))
    #: When the applicant agreed to the privacy notice.
    consented_at: Mapped[datetime | None] = mapped_column()

    cohort = relationship("Cohort", lazy="raise")
    user = relationship("User", foreign_keys=[user_id], lazy="raise")
    referred_by = relationship("User", foreign_keys=[referred_by_id], lazy="raise")
    referral_partner = relationship("Partner", lazy="raise")
    preferred_city = relationship("City", lazy="raise")
    preferred_track = relationship("Track", lazy="raise")
    events = relationship(
        "EnrollmentEvent",
        back_populates="enrollment",
        lazy="raise",
        order_by="EnrollmentEvent.id",
    )

    __table_args__ = (
        sa.UniqueConstraint("cohort_id", "user_id"),
        sa.Index("ix_enrollments_cohort_stage", "cohort_id", "stage"),
    )

    def can_become(self, new: Stage) -> bool:
        return new in TRANSITIONS[self.stage]

    @property
    def salary_band_label(self) -> str:
        return SALARY_BAND_LABELS.get(self.salary_band or "", "")

    def __repr__(self) -> str:
        return f"<Enrollment {self.id} {self.stage}>"


class EnrollmentEvent(db.Model):
    """One stage change: who moved the enrollment from where to where, when and why."""

    __tablename__ = "enrollment_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrollments.id"), index=True)
    #: None for the event that created the enrollment.
    from_stage: Mapped[Stage | None] = mapped_column(enum_column(Stage, name="from_stage"))
    to_stage: Mapped[Stage] = mapped_column(enum_column(Stage, name="to_stage"))
    #: None for the system (public form, auto-promotion, imports by the CLI).
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    enrollment = relationship("Enrollment", back_populates="events", lazy="raise")
    actor = relationship("User", lazy="raise")

    # The dashboard's funnel asks whether an enrollment ever reached a stage.
    __table_args__ = (
        sa.Index("ix_enrollment_events_enrollment_to_stage", "enrollment_id", "to_stage"),
    )
