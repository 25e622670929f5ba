"""Alumni captains, captain teams, pods and check-ins."""

import enum
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.db import enum_column, utcnow
from coop.extensions import db

#: Captains edit their own check-ins for this long after logging them.
EDIT_WINDOW = timedelta(days=7)
#: Coverage: the share of participants with a check-in within this many days.
COVERAGE_DAYS = 14
#: A captain's pod size when staff do not say otherwise.
DEFAULT_MAX_PARTICIPANTS = 6


class AlumniCaptain(db.Model):
    """One appointment of a graduate as an alumni captain.

    A person may be appointed, step down and be appointed again: every appointment is a
    row, so the history stays. At most one is current (``stepped_down_at`` is NULL) per
    person. ``graduated_from`` makes lineage a query: cohort -> its graduates who came
    back as captains -> the cohorts they served.
    """

    __tablename__ = "alumni_captains"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: The cohort this captain graduated from (or was imported as an alumnus of); None
    #: for a partner volunteer.
    graduated_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cohorts.id"), index=True)
    appointed_at: Mapped[datetime] = mapped_column(default=utcnow)
    appointed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    stepped_down_at: Mapped[datetime | None] = mapped_column()
    stepped_down_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    #: A partner's employee lent as a volunteer coach rather than a graduate: the partner
    #: and the contact they were appointed from (by table name: referrals is a higher layer).
    is_partner_volunteer: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    partner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("partners.id"), index=True)
    partner_contact_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("partner_contacts.id"), index=True
    )

    user = relationship("User", foreign_keys=[user_id], lazy="raise")
    graduated_from = relationship("Cohort", lazy="raise")
    partner = relationship("Partner", lazy="raise")

    __table_args__ = (
        # A graduate names their cohort; a partner volunteer names their partner.
        sa.CheckConstraint(
            "(is_partner_volunteer AND partner_id IS NOT NULL AND graduated_from_id IS NULL)"
            " OR (NOT is_partner_volunteer AND graduated_from_id IS NOT NULL)",
            name="graduate_or_volunteer",
        ),
        # One current appointment per person.
        sa.Index(
            "uq_alumni_captains_current_user",
            "user_id",
            unique=True,
            sqlite_where=sa.text("stepped_down_at IS NULL"),
            postgresql_where=sa.text("stepped_down_at IS NULL"),
        ),
    )

    @property
    def is_current(self) -> bool:
        return self.stepped_down_at is None

    @property
    def origin(self) -> str:
        """ "Volunteer · Acme Corp" or "Graduated from Spring 2025" (partner or cohort
        loaded)."""
        if self.is_partner_volunteer:
            return f"Volunteer · {self.partner.name}"
        return f"Graduated from {self.graduated_from.name}"


class CaptainAssignment(db.Model):
    """A captain serving on one cohort's team."""

    __tablename__ = "captain_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id"), index=True)
    captain_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    is_lead: Mapped[bool] = mapped_column(default=False)
    #: Most participants this captain takes in this cohort's pods.
    max_participants: Mapped[int] = mapped_column(default=DEFAULT_MAX_PARTICIPANTS)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Set when the captain steps down; the row is kept for history.
    ended_at: Mapped[datetime | None] = mapped_column()

    cohort = relationship("Cohort", lazy="raise")
    captain = relationship("User", lazy="raise")

    __table_args__ = (
        sa.UniqueConstraint("cohort_id", "captain_id"),
        sa.CheckConstraint(
            "max_participants >= 1 AND max_participants <= 50", name="max_participants_range"
        ),
        # One current lead per cohort.
        sa.Index(
            "uq_captain_assignments_current_lead",
            "cohort_id",
            unique=True,
            sqlite_where=sa.text("is_lead AND ended_at IS NULL"),
            postgresql_where=sa.text("is_lead AND ended_at IS NULL"),
        ),
    )

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


class Channel(enum.StrEnum):
    VIDEO = "video"
    PHONE = "phone"
    TEXT = "text"
    IN_PERSON = "in_person"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Topic(enum.StrEnum):
    JOB_SEARCH = "job_search"
    RESUME = "resume"
    INTERVIEW_PREP = "interview_prep"
    NETWORKING = "networking"
    SKILLS = "skills"
    WELLBEING = "wellbeing"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class CheckIn(db.Model):
    """A captain's conversation with a participant of their pod.

    ``confidential`` notes are read only by staff and the author. A check-in that
    ``needs_attention`` waits in the staff queue until staff resolve it with a note.
    """

    __tablename__ = "check_ins"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id"), index=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: The captain who logged it (the only one who may edit it).
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: The day the conversation happened (never in the future).
    held_on: Mapped[date] = mapped_column()
    channel: Mapped[Channel] = mapped_column(enum_column(Channel))
    minutes: Mapped[int] = mapped_column()
    #: ``Topic`` values.
    topics: Mapped[list] = mapped_column(sa.JSON, default=list)
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    next_steps: Mapped[str] = mapped_column(sa.Text, default="")
    needs_attention: Mapped[bool] = mapped_column(default=False)
    confidential: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    #: Staff resolution of the attention flag.
    resolved_at: Mapped[datetime | None] = mapped_column()
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    resolution_note: Mapped[str | None] = mapped_column(sa.Text)

    cohort = relationship("Cohort", lazy="raise")
    participant = relationship("User", foreign_keys=[participant_id], lazy="raise")
    author = relationship("User", foreign_keys=[author_id], lazy="raise")
    resolved_by = relationship("User", foreign_keys=[resolved_by_id], lazy="raise")

    __table_args__ = (
        sa.CheckConstraint("minutes >= 1 AND minutes <= 600", name="minutes_range"),
        sa.Index("ix_check_ins_cohort_participant_held", "cohort_id", "participant_id", "held_on"),
        # The flags waiting for staff (the menu's badge on every staff page, the queue):
        # a few hundred rows among every check-in ever logged.
        sa.Index(
            "ix_check_ins_waiting",
            "cohort_id",
            postgresql_where=sa.text("needs_attention AND resolved_at IS NULL"),
            sqlite_where=sa.text("needs_attention = 1 AND resolved_at IS NULL"),
        ),
    )

    @property
    def is_open_flag(self) -> bool:
        return self.needs_attention and self.resolved_at is None

    @property
    def topic_labels(self) -> list[str]:
        return [Topic(t).label for t in self.topics or [] if t in Topic._value2member_map_]

    def editable_until(self) -> datetime:
        return self.created_at + EDIT_WINDOW

    def can_edit(self, user, now: datetime | None = None) -> bool:
        """The author, for 7 days after logging it (pod membership is checked by the view)."""
        return (
            user.is_authenticated
            and user.id == self.author_id
            and (now or utcnow()) < self.editable_until()
        )

    def can_read_notes(self, user) -> bool:
        """Confidential notes: staff and the author only."""
        return not self.confidential or user.is_staff or user.id == self.author_id


class ReminderLog(db.Model):
    """One overdue reminder sent to a captain on one day.

    The unique (captain, day) row is claimed before the mail goes out, so a second run the
    same day (even a concurrent one) sends nothing more.
    """

    __tablename__ = "coaching_reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    captain_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    day: Mapped[date] = mapped_column()
    #: How many overdue participants the reminder listed.
    participant_count: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.UniqueConstraint("captain_id", "day"),)
