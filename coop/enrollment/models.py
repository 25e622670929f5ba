"""Enrollment: a person's path through one cohort."""

import enum
from datetime import datetime

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


class Enrollment(db.Model):
    """One participant x one cohort, with the stage they have reached."""

    __tablename__ = "enrollments"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    stage: Mapped[Stage] = mapped_column(enum_column(Stage), default=Stage.APPLIED, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    stage_changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    cohort = relationship("Cohort", lazy="raise")
    user = relationship("User", lazy="raise")

    __table_args__ = (sa.UniqueConstraint("cohort_id", "user_id"),)
