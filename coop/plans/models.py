"""Career plans: one per participant, with goals and the steps toward them; the
credentials catalogue per track, and the credentials participants earn."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.core.links import https_check
from coop.db import enum_column, utcnow
from coop.extensions import db


class GoalKind(enum.StrEnum):
    EMPLOYMENT = "employment"
    EDUCATION = "education"
    SKILL = "skill"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class StepOwner(enum.StrEnum):
    PARTICIPANT = "participant"
    CAPTAIN = "captain"
    STAFF = "staff"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class StepStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class CareerPlan(db.Model):
    """A participant's individual career plan, written with their captain. One per
    participant; ``cohort_id`` is the cohort it was written in, whose staff and pod
    captain see and edit it."""

    __tablename__ = "career_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), unique=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    participant = relationship("User", foreign_keys=[participant_id], lazy="raise")
    cohort = relationship("Cohort", lazy="raise")
    goals = relationship("PlanGoal", back_populates="plan", lazy="raise", order_by="PlanGoal.id")


class PlanGoal(db.Model):
    """An employment, education or skill goal with its target date."""

    __tablename__ = "plan_goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("career_plans.id"), index=True)
    kind: Mapped[GoalKind] = mapped_column(enum_column(GoalKind))
    title: Mapped[str] = mapped_column(sa.String(200))
    target_date: Mapped[date | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    plan = relationship("CareerPlan", back_populates="goals", lazy="raise")
    steps = relationship(
        "PlanStep",
        back_populates="goal",
        lazy="raise",
        order_by="(PlanStep.due_date, PlanStep.id)",
    )


class PlanStep(db.Model):
    """A step toward a goal: who owns it, when it is due, and where it stands."""

    __tablename__ = "plan_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The plan (denormalised from the goal, so a plan's open steps are one index away).
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("career_plans.id"))
    goal_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_goals.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    owner: Mapped[StepOwner] = mapped_column(enum_column(StepOwner))
    due_date: Mapped[date] = mapped_column()
    status: Mapped[StepStatus] = mapped_column(enum_column(StepStatus), default=StepStatus.OPEN)
    #: The latest comment (a check-in's, or the person who ticked it).
    comment: Mapped[str | None] = mapped_column(sa.String(500))
    done_at: Mapped[datetime | None] = mapped_column()
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    goal = relationship("PlanGoal", back_populates="steps", lazy="raise")

    __table_args__ = (sa.Index("ix_plan_steps_plan_status_due", "plan_id", "status", "due_date"),)

    @property
    def is_open(self) -> bool:
        return self.status == StepStatus.OPEN

    def is_overdue(self, today: date) -> bool:
        return self.is_open and self.due_date < today


class CredentialType(db.Model):
    """A certification in a track's catalogue (Google Analytics, HubSpot Content
    Marketing, a SQL assessment), with its issuer."""

    __tablename__ = "credential_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    track_id: Mapped[int] = mapped_column(sa.ForeignKey("tracks.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    issuer: Mapped[str] = mapped_column(sa.String(120))
    #: Hidden from the choices of new credentials; never deleted.
    archived: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    track = relationship("Track", lazy="raise")

    __table_args__ = (sa.UniqueConstraint("track_id", "name"),)


class Credential(db.Model):
    """A credential a participant earned, recorded by them or their captain; it counts
    (as a measurable skill gain, and in the WIOA credential rate) once staff verify it."""

    __tablename__ = "credentials"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: The cohort it was recorded in: its staff verify it.
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id"), index=True)
    credential_type_id: Mapped[int] = mapped_column(
        sa.ForeignKey("credential_types.id"), index=True
    )
    earned_on: Mapped[date] = mapped_column()
    #: The issuer's credential ID, or a https link to it (at least one of them).
    credential_ref: Mapped[str | None] = mapped_column(sa.String(120))
    link: Mapped[str | None] = mapped_column(sa.String(500))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    verified_at: Mapped[datetime | None] = mapped_column()
    verified_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    participant = relationship("User", foreign_keys=[participant_id], lazy="raise")
    cohort = relationship("Cohort", lazy="raise")
    credential_type = relationship("CredentialType", lazy="raise")

    __table_args__ = (
        sa.UniqueConstraint("participant_id", "credential_type_id"),
        sa.CheckConstraint(https_check("link"), name="https_link"),
        sa.CheckConstraint("credential_ref IS NOT NULL OR link IS NOT NULL", name="ref_or_link"),
    )

    @property
    def verified(self) -> bool:
        return self.verified_at is not None
