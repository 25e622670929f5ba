"""Hiring events, who attends them (partners and people), and the referrals they start.

An event's kind is data, not code: a new kind of fair is a new event, never new columns.
"""

import enum
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.core.links import https_check
from coop.db import enum_column, utcnow
from coop.extensions import db


class EventKind(enum.StrEnum):
    JOB_FAIR = "job_fair"
    INFO_SESSION = "info_session"
    MOCK_INTERVIEW = "mock_interview"
    NETWORKING = "networking"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class RegistrationStatus(enum.StrEnum):
    REGISTERED = "registered"
    WAITLISTED = "waitlisted"
    WITHDRAWN = "withdrawn"


class Attendance(enum.StrEnum):
    ATTENDED = "attended"
    NO_SHOW = "no_show"

    @property
    def label(self) -> str:
        return "Attended" if self is Attendance.ATTENDED else "No-show"


#: The partners attending an event.
hiring_event_partners = sa.Table(
    "hiring_event_partners",
    db.metadata,
    sa.Column("event_id", sa.ForeignKey("hiring_events.id"), primary_key=True),
    sa.Column("partner_id", sa.ForeignKey("partners.id"), primary_key=True, index=True),
)


class HiringEvent(db.Model):
    """A job fair, info session or mock interview. The start is stored in UTC; the date
    and time staff entered and their zone are kept, so the event is shown in its own
    zone (and the viewer's beside it)."""

    __tablename__ = "hiring_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(160))
    kind: Mapped[EventKind] = mapped_column(enum_column(EventKind))
    #: The city it belongs to (its staff run it); None for an organisation-wide event.
    city_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cities.id"), index=True)
    #: The IANA zone the event was scheduled in.
    timezone: Mapped[str] = mapped_column(sa.String(64))
    local_date: Mapped[date] = mapped_column()
    local_time: Mapped[time] = mapped_column()
    #: Start in UTC.
    starts_at: Mapped[datetime] = mapped_column(index=True)
    duration_minutes: Mapped[int] = mapped_column(default=120)
    #: Where to join online (https only), or the place; at least one of them.
    online_link: Mapped[str | None] = mapped_column(sa.String(500))
    place: Mapped[str | None] = mapped_column(sa.String(300))
    description: Mapped[str | None] = mapped_column(sa.Text)
    capacity: Mapped[int] = mapped_column()
    #: Registered people; changes only by one conditional UPDATE (``services``).
    seats_taken: Mapped[int] = mapped_column(default=0, server_default="0")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    city = relationship("City", lazy="raise")
    partners = relationship(
        "Partner", secondary=hiring_event_partners, lazy="raise", order_by="Partner.name"
    )

    __table_args__ = (
        sa.CheckConstraint("capacity >= 1 AND capacity <= 10000", name="capacity_range"),
        sa.CheckConstraint(
            "seats_taken >= 0 AND seats_taken <= capacity", name="seats_within_capacity"
        ),
        sa.CheckConstraint(
            "duration_minutes >= 5 AND duration_minutes <= 1440", name="duration_range"
        ),
        sa.CheckConstraint("online_link IS NOT NULL OR place IS NOT NULL", name="located"),
        sa.CheckConstraint(https_check("online_link"), name="https_online_link"),
    )

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def free_seats(self) -> int:
        return max(self.capacity - self.seats_taken, 0)

    @property
    def is_full(self) -> bool:
        return self.seats_taken >= self.capacity

    def has_started(self, now: datetime) -> bool:
        return now >= self.starts_at

    def can_manage(self, user) -> bool:
        """Staff of its city; an organisation-wide event needs organisation-wide staff."""
        if not user.is_authenticated or not user.is_staff:
            return False
        if self.city_id is None:
            return user.city_ids is None
        return user.can_see_city(self.city_id)


class HiringRegistration(db.Model):
    """One person opting in to one event: registered (holding a seat), waitlisted, or
    withdrawn. Opting in again after withdrawing reuses the row. The waitlist is served
    in the order people joined it (``queued_at``)."""

    __tablename__ = "hiring_registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("hiring_events.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    status: Mapped[RegistrationStatus] = mapped_column(enum_column(RegistrationStatus))
    #: When they (last) opted in: the waitlist's order.
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When a waitlisted person got a seat.
    promoted_at: Mapped[datetime | None] = mapped_column()
    withdrawn_at: Mapped[datetime | None] = mapped_column()
    #: Recorded by staff after the event (registered people only).
    attendance: Mapped[Attendance | None] = mapped_column(enum_column(Attendance))
    attendance_recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    attendance_recorded_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    event = relationship("HiringEvent", lazy="raise")
    user = relationship("User", foreign_keys=[user_id], lazy="raise")

    __table_args__ = (
        sa.UniqueConstraint("event_id", "user_id"),
        sa.Index("ix_hiring_registrations_event_status_queued", "event_id", "status", "queued_at"),
    )


class HiringEventReferral(db.Model):
    """A referral that started at an event (logged from the event's page); the
    referrals tables do not change."""

    __tablename__ = "hiring_event_referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("hiring_events.id"), index=True)
    referral_id: Mapped[int] = mapped_column(sa.ForeignKey("referrals.id"), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    event = relationship("HiringEvent", lazy="raise")
    referral = relationship("Referral", lazy="raise")
