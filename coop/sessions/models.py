"""Virtual sessions, attendance, calendar feeds, reminder log and meeting-report imports."""

import enum
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.db import enum_column, utcnow
from coop.extensions import db

#: Roll call stays open this long after a session starts.
ROLL_CALL_WINDOW = timedelta(days=7)
#: The join link becomes active this long before a session starts.
JOIN_OPENS_BEFORE = timedelta(minutes=15)
#: A session lasts from 5 to 600 minutes (the form's range and the table's check).
SHORTEST_MINUTES, LONGEST_MINUTES = 5, 600


class SessionStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class AttendanceStatus(enum.StrEnum):
    PRESENT = "present"
    LATE = "late"
    EXCUSED = "excused"
    ABSENT = "absent"


#: Statuses that count as attending a session.
ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)


class AttendanceSource(enum.StrEnum):
    ROLL_CALL = "roll_call"
    IMPORT = "import"


class VirtualSession(db.Model):
    """One meeting of a cohort. Times are UTC; the local date and time in the cohort's
    zone are kept too, so the schedule stays put across daylight-saving changes and a
    regeneration recognises the sessions it already made."""

    __tablename__ = "virtual_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(160))
    agenda: Mapped[str | None] = mapped_column(sa.Text)
    #: Start in UTC.
    starts_at: Mapped[datetime] = mapped_column(index=True)
    duration_minutes: Mapped[int] = mapped_column(default=120)
    #: Start date and time in the cohort's zone, as staff scheduled it.
    local_date: Mapped[date] = mapped_column()
    local_time: Mapped[time] = mapped_column()
    #: Overrides the cohort's video link for this session (https only); None uses the cohort's.
    video_link: Mapped[str | None] = mapped_column(sa.String(500))
    status: Mapped[SessionStatus] = mapped_column(
        enum_column(SessionStatus), default=SessionStatus.SCHEDULED
    )
    cancelled_at: Mapped[datetime | None] = mapped_column()
    #: Bumped on every change, so calendar clients replace their copy (iCalendar SEQUENCE).
    sequence: Mapped[int] = mapped_column(default=0)
    #: How many members of the cohort (enrolled or graduated) attended (present or late):
    #: a derived number the outcomes dashboard sums instead of counting every attendance
    #: row of the program (2 million at 100,000 participants). Kept current by
    #: ``coop.sessions.tallies.refresh`` in the transaction of every change to attendance
    #: or to a cohort's members, written in SQL only (never through this object).
    members_attended: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    cohort = relationship("Cohort", lazy="raise")

    __table_args__ = (
        sa.UniqueConstraint("cohort_id", "local_date", "local_time"),
        sa.CheckConstraint(
            f"duration_minutes >= {SHORTEST_MINUTES} AND duration_minutes <= {LONGEST_MINUTES}",
            name="duration_range",
        ),
    )

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED

    def link(self, cohort) -> str | None:
        """The video link to join: this session's own, else the cohort's."""
        return self.video_link or cohort.video_link

    def has_started(self, now: datetime) -> bool:
        return now >= self.starts_at

    def has_ended(self, now: datetime) -> bool:
        return now >= self.ends_at

    def join_open(self, now: datetime) -> bool:
        """The join link is active from 15 minutes before the start until the end."""
        return not self.is_cancelled and self.starts_at - JOIN_OPENS_BEFORE <= now < self.ends_at

    def roll_call_open(self, now: datetime) -> bool:
        """Attendance is taken from the start and can be edited for 7 days."""
        return not self.is_cancelled and self.starts_at <= now < self.starts_at + ROLL_CALL_WINDOW

    def __repr__(self) -> str:
        return f"<VirtualSession {self.id} {self.starts_at:%Y-%m-%d %H:%M}Z>"


class Attendance(db.Model):
    """One participant at one session: present, late, excused or absent."""

    __tablename__ = "attendance"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("virtual_sessions.id"), index=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    status: Mapped[AttendanceStatus] = mapped_column(enum_column(AttendanceStatus))
    #: Roll call by a person, or a meeting-report import.
    source: Mapped[AttendanceSource] = mapped_column(
        enum_column(AttendanceSource), default=AttendanceSource.ROLL_CALL
    )
    #: Minutes in the meeting, when a meeting report said so.
    minutes: Mapped[int | None] = mapped_column()
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    session = relationship("VirtualSession", lazy="raise")
    participant = relationship("User", foreign_keys=[participant_id], lazy="raise")
    recorded_by = relationship("User", foreign_keys=[recorded_by_id], lazy="raise")

    __table_args__ = (sa.UniqueConstraint("session_id", "participant_id"),)

    @property
    def attended(self) -> bool:
        return self.status in ATTENDED


class CalendarFeed(db.Model):
    """The secret behind a subscribable calendar URL: one per user, or one per cohort.

    The token is kept as is (not hashed) because the page must show the URL again every
    time; it only reveals a schedule, and regenerating it kills the old URL.
    """

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), unique=True)
    cohort_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cohorts.id"), unique=True)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.CheckConstraint("(user_id IS NULL) <> (cohort_id IS NULL)", name="one_owner"),
    )


class SessionReminder(db.Model):
    """A reminder sent (or being sent) to one person about one session. Inserted before
    the mail goes out; the unique pair makes concurrent runs send it once."""

    __tablename__ = "session_reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("virtual_sessions.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.UniqueConstraint("session_id", "user_id"),)


class MeetingReportImport(db.Model):
    """A meeting-service participant report imported into one session's attendance.
    The file's hash makes a second import of the same report change nothing."""

    __tablename__ = "meeting_report_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("virtual_sessions.id"), index=True)
    #: SHA-256 of the uploaded bytes.
    file_sha256: Mapped[str] = mapped_column(sa.String(64))
    filename: Mapped[str] = mapped_column(sa.String(255))
    #: The zone the report's times were read in.
    timezone: Mapped[str] = mapped_column(sa.String(64))
    imported_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: People in the report, rows matched to participants, and participants marked present.
    people: Mapped[int] = mapped_column(default=0)
    matched: Mapped[int] = mapped_column(default=0)
    marked_present: Mapped[int] = mapped_column(default=0)

    session = relationship("VirtualSession", lazy="raise")
    imported_by = relationship("User", lazy="raise")
    rows = relationship(
        "MeetingReportRow",
        lazy="raise",
        order_by="MeetingReportRow.id",
        back_populates="report",
    )

    __table_args__ = (sa.UniqueConstraint("session_id", "file_sha256"),)


class MeetingReportRow(db.Model):
    """A person in an imported report that matched no participant by email; staff match
    them by hand."""

    __tablename__ = "meeting_report_rows"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting_report_imports.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    #: Minutes within the session, all of this person's connections together.
    minutes: Mapped[int] = mapped_column(default=0)
    #: Set when staff match the row by hand.
    participant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    matched_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    matched_at: Mapped[datetime | None] = mapped_column()

    report = relationship("MeetingReportImport", lazy="raise", back_populates="rows")
    participant = relationship("User", foreign_keys=[participant_id], lazy="raise")
