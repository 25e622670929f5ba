"""Applications to the program (not to one cohort), with the pre-program survey; staff
accept them and place each accepted applicant in a cohort (``coop.enrollment.placement``)."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.db import enum_column, utcnow
from coop.extensions import db

#: The evenings the survey offers (Monday to Thursday), as ``Cohort.meeting_days`` codes.
EVENINGS = ["mon", "tue", "wed", "thu"]
EVENING_LABELS = {"mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday"}


class ProgramStatus(enum.StrEnum):
    APPLIED = "applied"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    #: Given a seat in a cohort (``cohort_id``, ``enrollment_id``).
    PLACED = "placed"
    #: Waiting for a seat in ``cohort_id`` (an enrollment on its waitlist).
    WAITLISTED = "waitlisted"


class ProgramApplication(db.Model):
    """One person applying to the program for one start term, with their survey answers.

    ``accepted`` applicants wait for placement; placing them creates their enrollment in
    the chosen cohort (a seat, or its waitlist) through the enrollment rules.
    """

    __tablename__ = "program_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: Their region: the city they want to join a cohort in.
    city_id: Mapped[int] = mapped_column(sa.ForeignKey("cities.id"), index=True)
    track_id: Mapped[int] = mapped_column(sa.ForeignKey("tracks.id"), index=True)
    #: Comma-separated codes from ``EVENINGS``: the evenings they can make.
    evenings: Mapped[str] = mapped_column(sa.String(40))
    #: Their own IANA time zone.
    timezone: Mapped[str] = mapped_column(sa.String(64))
    #: The term they want to start, e.g. ``"Spring 2027"``.
    start_term: Mapped[str] = mapped_column(sa.String(20))
    college: Mapped[str | None] = mapped_column(sa.String(160))
    first_generation: Mapped[bool | None] = mapped_column()
    #: What they want from the program (read by the captain fit score).
    goals: Mapped[str | None] = mapped_column(sa.String(500))
    status: Mapped[ProgramStatus] = mapped_column(
        enum_column(ProgramStatus), default=ProgramStatus.APPLIED, index=True
    )
    #: The cohort they were placed (or waitlisted) in.
    cohort_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cohorts.id"), index=True)
    enrollment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("enrollments.id"))
    #: Why they were placed there (the proposal's reason), or why declined.
    reason: Mapped[str | None] = mapped_column(sa.String(500))
    consented_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column()
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    user = relationship("User", foreign_keys=[user_id], lazy="raise")
    city = relationship("City", lazy="raise")
    track = relationship("Track", lazy="raise")
    cohort = relationship("Cohort", lazy="raise")

    __table_args__ = (
        # One application per person and start term.
        sa.UniqueConstraint("user_id", "start_term"),
    )

    @property
    def evening_list(self) -> list[str]:
        return [d for d in self.evenings.split(",") if d]

    @property
    def evening_labels(self) -> list[str]:
        return [EVENING_LABELS[d] for d in self.evening_list if d in EVENING_LABELS]

    def can_manage(self, user) -> bool:
        """Staff of the applicant's city."""
        return user.is_authenticated and user.can_see_city(self.city_id)

    def __repr__(self) -> str:
        return f"<ProgramApplication {self.id} {self.status}>"
