"""An announcement and the people it was addressed to."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.db import enum_column, utcnow
from coop.extensions import db


class Audience(enum.StrEnum):
    EVERYONE = "everyone"
    CITY = "city"
    COHORT = "cohort"
    POD = "pod"


class Announcement(db.Model):
    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    audience: Mapped[Audience] = mapped_column(enum_column(Audience))
    #: The city it was written to (a city's, a cohort's or a pod's); None for everyone.
    city_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cities.id"), index=True)
    #: The cohort (of a cohort or a pod announcement).
    cohort_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cohorts.id"), index=True)
    #: The captain's team entry whose pod it was written to.
    assignment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("captain_assignments.id"))
    title: Mapped[str] = mapped_column(sa.String(120))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: Shown on cohort pages until then.
    expires_at: Mapped[datetime] = mapped_column()

    author = relationship("User", lazy="raise")
    city = relationship("City", lazy="raise")
    cohort = relationship("Cohort", lazy="raise")

    def is_shown(self, now: datetime) -> bool:
        return now < self.expires_at

    def can_view(self, user) -> bool:
        """The author; staff who see its city (organisation-wide staff for everyone)."""
        if not user.is_authenticated:
            return False
        if user.id == self.author_id:
            return True
        if not user.is_staff:
            return False
        return user.city_ids is None if self.city_id is None else user.can_see_city(self.city_id)

    @property
    def audience_label(self) -> str:
        return {
            Audience.EVERYONE: "Everyone",
            Audience.CITY: "City",
            Audience.COHORT: "Cohort",
            Audience.POD: "Pod",
        }[self.audience]


class AnnouncementRecipient(db.Model):
    """One person an announcement was addressed to, and the mail that told them."""

    __tablename__ = "announcement_recipients"

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(sa.ForeignKey("announcements.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    outbox_id: Mapped[int | None] = mapped_column(sa.ForeignKey("outbox.id"))

    announcement = relationship("Announcement", lazy="raise")
    user = relationship("User", lazy="raise")
    message = relationship("OutboxMessage", lazy="raise")

    __table_args__ = (sa.UniqueConstraint("announcement_id", "user_id"),)
