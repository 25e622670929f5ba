"""Assessment templates (versioned, per track), their schedule in a cohort, participants'
responses, reminders; and pulse checks.

A template's items belong to a version. Once a version has responses it is never changed
again: editing the template makes the next version, and each response keeps the version it
answered. An item keeps its ``key`` from version to version while its kind and prompt stay
the same, so intake and exit answers pair up by key even across versions.
"""

import enum
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.db import enum_column, utcnow
from coop.extensions import db

#: Answers are still taken this many days after an assessment's due week ends.
GRACE_DAYS = 14
#: Pulse checks come every this many days unless a cohort says otherwise.
DEFAULT_PULSE_DAYS = 14
PULSE_DAYS_RANGE = (7, 28)


class ItemKind(enum.StrEnum):
    SCALE = "scale"
    YES_NO = "yes_no"
    NUMBER = "number"
    CHOICE = "choice"
    TEXT = "text"

    @property
    def label(self) -> str:
        return {
            "scale": "1–5 scale",
            "yes_no": "Yes / no",
            "number": "Number",
            "choice": "Choice",
            "text": "Text",
        }[self.value]

    @property
    def numeric(self) -> bool:
        """Whose answers have a number that changes from intake to exit."""
        return self in (ItemKind.SCALE, ItemKind.NUMBER)


class Point(enum.StrEnum):
    INTAKE = "intake"
    MIDPOINT = "midpoint"
    EXIT = "exit"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class AssessmentTemplate(db.Model):
    """An assessment staff wrote for one track; its content is in its versions."""

    __tablename__ = "assessment_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    track_id: Mapped[int] = mapped_column(sa.ForeignKey("tracks.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(120))
    #: The number of the newest version (the one new responses answer).
    current_version: Mapped[int] = mapped_column(default=1, server_default="1")
    archived: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    track = relationship("Track", lazy="raise")

    __table_args__ = (sa.UniqueConstraint("track_id", "title"),)


class TemplateVersion(db.Model):
    __tablename__ = "assessment_template_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(sa.ForeignKey("assessment_templates.id"), index=True)
    number: Mapped[int] = mapped_column()
    description: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    template = relationship("AssessmentTemplate", lazy="raise")
    items = relationship(
        "TemplateItem", lazy="raise", order_by="TemplateItem.position", viewonly=True
    )

    __table_args__ = (sa.UniqueConstraint("template_id", "number"),)


class TemplateItem(db.Model):
    """One question of a template version, in ``position`` order."""

    __tablename__ = "assessment_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("assessment_template_versions.id"), index=True
    )
    position: Mapped[int] = mapped_column()
    #: The same question across the template's versions (see the module's docstring).
    key: Mapped[int] = mapped_column()
    kind: Mapped[ItemKind] = mapped_column(enum_column(ItemKind))
    prompt: Mapped[str] = mapped_column(sa.String(300))
    #: The options of a choice item.
    options: Mapped[list] = mapped_column(sa.JSON, default=list)

    __table_args__ = (
        sa.UniqueConstraint("version_id", "position"),
        sa.UniqueConstraint("version_id", "key"),
    )


class AssessmentSchedule(db.Model):
    """A template given in a cohort at intake, midpoint or exit, in one week of the cohort
    (week 1 starts on the cohort's start date, in its city)."""

    __tablename__ = "assessment_schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id"), index=True)
    template_id: Mapped[int] = mapped_column(sa.ForeignKey("assessment_templates.id"), index=True)
    point: Mapped[Point] = mapped_column(enum_column(Point))
    week: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    cohort = relationship("Cohort", lazy="raise")
    template = relationship("AssessmentTemplate", lazy="raise")

    __table_args__ = (
        sa.UniqueConstraint("cohort_id", "template_id", "point"),
        sa.CheckConstraint("week >= 1 AND week <= 104", name="week_range"),
    )

    def opens_on(self, start_date: date) -> date:
        return start_date + timedelta(weeks=self.week - 1)

    def due_on(self, start_date: date) -> date:
        return self.opens_on(start_date) + timedelta(days=6)

    def closes_on(self, start_date: date) -> date:
        return self.due_on(start_date) + timedelta(days=GRACE_DAYS)

    def state(self, start_date: date, today: date) -> str:
        """``upcoming``, ``open``, ``late`` (past due, still taken) or ``closed``."""
        if today < self.opens_on(start_date):
            return "upcoming"
        if today <= self.due_on(start_date):
            return "open"
        if today <= self.closes_on(start_date):
            return "late"
        return "closed"


class AssessmentResponse(db.Model):
    """One person's answers to one scheduled assessment: one per person and schedule."""

    __tablename__ = "assessment_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(sa.ForeignKey("assessment_schedules.id"), index=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("assessment_template_versions.id"), index=True
    )
    #: Copied from the schedule, for the results' pairing.
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id"), index=True)
    template_id: Mapped[int] = mapped_column(sa.ForeignKey("assessment_templates.id"))
    point: Mapped[Point] = mapped_column(enum_column(Point))
    #: The day in the cohort's city.
    answered_on: Mapped[date] = mapped_column()
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("schedule_id", "participant_id"),
        sa.Index("ix_assessment_responses_pairing", "template_id", "participant_id", "point"),
    )


class AssessmentAnswer(db.Model):
    __tablename__ = "assessment_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(sa.ForeignKey("assessment_responses.id"), index=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("assessment_items.id"), index=True)
    #: The item's key (see TemplateItem.key).
    item_key: Mapped[int] = mapped_column()
    #: Scale 1-5, yes 1 / no 0, or the number.
    number: Mapped[float | None] = mapped_column(sa.Float)
    #: A choice's option or the text.
    text: Mapped[str | None] = mapped_column(sa.String(2000))

    __table_args__ = (sa.UniqueConstraint("response_id", "item_id"),)


class AssessmentReminder(db.Model):
    """A reminder sent (or being sent) to one person about one scheduled assessment;
    claimed before the mail goes out, so concurrent runs send it once."""

    __tablename__ = "assessment_reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(sa.ForeignKey("assessment_schedules.id"), index=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.UniqueConstraint("schedule_id", "participant_id"),)


# -- pulse checks -----------------------------------------------------------------------


class PulseSetting(db.Model):
    """How often a cohort's pulse checks come (absent: every ``DEFAULT_PULSE_DAYS``)."""

    __tablename__ = "pulse_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id"), unique=True)
    every_days: Mapped[int] = mapped_column(default=DEFAULT_PULSE_DAYS)

    __table_args__ = (
        sa.CheckConstraint("every_days >= 7 AND every_days <= 28", name="every_days_range"),
    )


def pulse_period(start_date: date, today: date, every_days: int) -> date | None:
    """The first day of the pulse period ``today`` falls in (None before the start)."""
    if today < start_date:
        return None
    return start_date + timedelta(days=((today - start_date).days // every_days) * every_days)


class PulseResponse(db.Model):
    """A participant's quick answers for one pulse period; one per person and period. A
    "yes, I need help" waits for their captain or staff until resolved with a note."""

    __tablename__ = "pulse_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id"), index=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    period_start: Mapped[date] = mapped_column()
    confidence: Mapped[int] = mapped_column()
    workload: Mapped[int] = mapped_column()
    needs_help: Mapped[bool] = mapped_column(default=False)
    help_with: Mapped[str] = mapped_column(sa.String(500), default="")
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column()
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    resolution_note: Mapped[str | None] = mapped_column(sa.Text)

    cohort = relationship("Cohort", lazy="raise")
    participant = relationship("User", foreign_keys=[participant_id], lazy="raise")
    resolved_by = relationship("User", foreign_keys=[resolved_by_id], lazy="raise")

    __table_args__ = (
        sa.UniqueConstraint("cohort_id", "participant_id", "period_start"),
        sa.CheckConstraint("confidence >= 1 AND confidence <= 5", name="confidence_range"),
        sa.CheckConstraint("workload >= 1 AND workload <= 5", name="workload_range"),
    )

    @property
    def is_open_flag(self) -> bool:
        return self.needs_help and self.resolved_at is None
