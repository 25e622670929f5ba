"""What staff launch: cities, tracks, partners and cohorts."""

import enum
import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.core import clock
from coop.db import enum_column, utcnow
from coop.extensions import db


def can_edit_catalog(user) -> bool:
    """Only organisation-wide staff create and edit cities and tracks."""
    return bool(user.is_authenticated and user.is_staff and user.city_ids is None)


def today_in_city(city_id: int | None) -> date:
    """Today in the city with this id (the organisation's for None or an unknown id)."""
    zone = None
    if city_id is not None:
        zone = db.session.scalar(sa.select(City.timezone).where(City.id == city_id))
    return clock.today_in(zone)


class City(db.Model):
    __tablename__ = "cities"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    #: IANA zone name, e.g. ``America/Chicago``; cohort times are in this zone.
    timezone: Mapped[str] = mapped_column(sa.String(64))
    archived: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def can_manage(self, user) -> bool:
        """Staff who may see this city see it and launch cohorts in it."""
        return user.is_authenticated and user.can_see_city(self.id)

    def can_edit(self, user) -> bool:
        """Changing a city (its name, zone) affects everyone: organisation-wide staff only."""
        return can_edit_catalog(user)

    def __repr__(self) -> str:
        return f"<City {self.slug}>"


class Track(db.Model):
    __tablename__ = "tracks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    description: Mapped[str | None] = mapped_column(sa.Text)

    def can_edit(self, user) -> bool:
        return can_edit_catalog(user)

    def __repr__(self) -> str:
        return f"<Track {self.slug}>"


class PartnerKind(enum.StrEnum):
    EMPLOYER = "employer"
    COMMUNITY = "community"
    SPONSOR = "sponsor"


class Partner(db.Model):
    """An employer, community organisation or sponsor."""

    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    kind: Mapped[PartnerKind] = mapped_column(enum_column(PartnerKind))
    #: Home city, if the partner is local.
    city_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cities.id"), index=True)
    website: Mapped[str | None] = mapped_column(sa.String(255))
    # -- domain fields: other domains add partner columns below this line --
    #: coop.talent: openings its contacts post wait for staff approval before the board.
    openings_need_approval: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    archived: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    city = relationship("City", lazy="raise")


class CohortStatus(enum.StrEnum):
    PLANNED = "planned"
    RECRUITING = "recruiting"
    ACTIVE = "active"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


#: Allowed status changes; anything else is refused.
COHORT_TRANSITIONS: dict[CohortStatus, set[CohortStatus]] = {
    CohortStatus.PLANNED: {CohortStatus.RECRUITING, CohortStatus.CANCELLED},
    CohortStatus.RECRUITING: {CohortStatus.ACTIVE, CohortStatus.CANCELLED},
    CohortStatus.ACTIVE: {CohortStatus.COMPLETED, CohortStatus.CANCELLED},
    CohortStatus.COMPLETED: set(),
    CohortStatus.CANCELLED: set(),
}

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

#: Statuses from which a cohort may be archived (hidden from lists, never deleted).
ARCHIVABLE = {CohortStatus.COMPLETED, CohortStatus.CANCELLED}


class Cohort(db.Model):
    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(sa.ForeignKey("cities.id"), index=True)
    track_id: Mapped[int] = mapped_column(sa.ForeignKey("tracks.id"), index=True)
    sponsor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("partners.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    start_date: Mapped[date] = mapped_column(index=True)  # lists filter and sort by it
    end_date: Mapped[date] = mapped_column()
    #: Seats; enrolled participants never exceed it.
    capacity: Mapped[int] = mapped_column(default=16)
    status: Mapped[CohortStatus] = mapped_column(
        enum_column(CohortStatus), default=CohortStatus.PLANNED, index=True
    )
    #: Comma-separated weekday codes from ``WEEKDAYS``, e.g. ``"tue,thu"``.
    meeting_days: Mapped[str] = mapped_column(sa.String(40), default="")
    #: Local start time in the city's zone.
    meeting_time: Mapped[time | None] = mapped_column()
    #: Default video link for sessions (https only).
    video_link: Mapped[str | None] = mapped_column(sa.String(500))
    # -- domain settings: other domains add their per-cohort settings below this line --
    #: Enrollment: seats held by enrolled participants; changed only by one conditional
    #: UPDATE (``… WHERE seats_taken < capacity``), so it never exceeds ``capacity``.
    seats_taken: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Enrollment: when an enrolled participant withdraws, enroll the first waitlisted.
    auto_promote: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    #: Coaching: a participant with no check-in for this many days is overdue.
    checkin_overdue_days: Mapped[int] = mapped_column(default=14, server_default="14")
    #: Hidden from lists; never deleted.
    archived: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    city = relationship("City", lazy="raise")
    track = relationship("Track", lazy="raise")
    sponsor = relationship("Partner", lazy="raise")

    __table_args__ = (
        sa.UniqueConstraint("city_id", "name"),
        sa.CheckConstraint("capacity >= 1 AND capacity <= 200", name="capacity_range"),
        sa.CheckConstraint("end_date > start_date", name="dates_order"),
    )

    @property
    def meeting_day_list(self) -> list[str]:
        return [d for d in self.meeting_days.split(",") if d]

    @property
    def next_statuses(self) -> list[CohortStatus]:
        """The statuses this cohort may move to next, in lifecycle order."""
        allowed = COHORT_TRANSITIONS[self.status]
        return [s for s in CohortStatus if s in allowed]

    @property
    def can_archive(self) -> bool:
        return not self.archived and self.status in ARCHIVABLE

    def can_change_status(self, new: CohortStatus) -> bool:
        return new == self.status or new in COHORT_TRANSITIONS[self.status]

    def next_meeting(self, now: datetime | None = None) -> datetime | None:
        """The next meeting's start (UTC), from the weekly days and local time in the
        city's zone, within the cohort's dates; None when there is none left.
        Needs ``city`` loaded."""
        if not self.meeting_time or not self.meeting_day_list:
            return None
        zone = zoneinfo.ZoneInfo(self.city.timezone)
        now = (now or utcnow()).astimezone(zone)
        days = {WEEKDAYS.index(d) for d in self.meeting_day_list}
        day = max(now.date(), self.start_date)
        while day <= self.end_date:
            if day.weekday() in days:
                start = datetime.combine(day, self.meeting_time, tzinfo=zone)
                if start >= now:
                    return start.astimezone(UTC)
            day += timedelta(days=1)
        return None

    def can_manage(self, user) -> bool:
        """Staff who may see this cohort's city manage it."""
        return user.is_authenticated and user.can_see_city(self.city_id)

    def __repr__(self) -> str:
        return f"<Cohort {self.id} {self.name!r}>"
