"""Captain teams and pods."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.db import utcnow
from coop.extensions import db


class CaptainAssignment(db.Model):
    """A captain serving on one cohort's team."""

    __tablename__ = "captain_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id"), index=True)
    captain_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    is_lead: Mapped[bool] = mapped_column(default=False)
    #: Most participants this captain takes in this cohort's pods.
    max_participants: Mapped[int] = mapped_column(default=6)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Set when the captain steps down; the row is kept for history.
    ended_at: Mapped[datetime | None] = mapped_column()

    cohort = relationship("Cohort", lazy="raise")
    captain = relationship("User", lazy="raise")

    __table_args__ = (sa.UniqueConstraint("cohort_id", "captain_id"),)

    @property
    def is_current(self) -> bool:
        return self.ended_at is None


class PodMembership(db.Model):
    """An enrolled participant in one captain's pod; one pod per participant and cohort."""

    __tablename__ = "pod_memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id"), index=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("captain_assignments.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    assignment = relationship("CaptainAssignment", lazy="raise")
    participant = relationship("User", lazy="raise")

    __table_args__ = (sa.UniqueConstraint("cohort_id", "participant_id"),)
