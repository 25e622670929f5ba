"""Referral tracking: partner contacts and outreach, openings, the employment referral
pipeline, placements (jobs), and follow-ups after a graduate exits the program."""

import calendar
import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.core import clock
from coop.core.links import https_check
from coop.db import enum_column, utcnow
from coop.extensions import db
from coop.programs.models import City, Cohort, today_in_city

# Dates without a time of day roll over in a city's zone (see ``coop.core.clock``): an
# opening's closing date in the opening's city (the organisation's zone for a remote-only
# opening), a follow-up's due date and a placement's dates in the cohort's city.


def _loaded(obj, name: str):
    """``obj.name`` if the relationship is loaded (they are ``lazy="raise"``), else None."""
    value = sa.inspect(obj).attrs[name].loaded_value
    return None if value is sa.orm.base.NO_VALUE else value


def _cohort_today(obj) -> date:
    """Today in the city of ``obj.cohort`` (loaded, or looked up by ``obj.cohort_id``)."""
    cohort = _loaded(obj, "cohort")
    city = _loaded(cohort, "city") if cohort is not None else None
    if city is not None:
        return clock.today_for_city(city)
    zone = db.session.scalar(
        sa.select(City.timezone)
        .join(Cohort, Cohort.city_id == City.id)
        .where(Cohort.id == obj.cohort_id)
    )
    return clock.today_in(zone)


def cohort_zone_sql(cohort_id_column):
    """SQL: the zone name of the city of the cohort ``cohort_id_column`` points at."""
    return (
        sa.select(City.timezone)
        .join(Cohort, Cohort.city_id == City.id)
        .where(Cohort.id == cohort_id_column)
        .scalar_subquery()
    )


# -- partner contacts and outreach ---------------------------------------------------------


class PartnerContact(db.Model):
    """A person we deal with at a partner organisation."""

    __tablename__ = "partner_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(sa.ForeignKey("partners.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    #: Their job title or role with us, e.g. "Campus recruiter".
    title: Mapped[str | None] = mapped_column(sa.String(120))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    #: No longer our contact; kept for the history.
    archived: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Their own account (role partner), once staff invited them to sign in (coop.talent).
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), unique=True)

    partner = relationship("Partner", lazy="raise")
    user = relationship("User", lazy="raise")


class Outreach(db.Model):
    """One piece of community outreach: who met which organisation, what happened."""

    __tablename__ = "outreach"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(sa.ForeignKey("partners.id"), index=True)
    #: The staff member or captain who did the outreach (and logged it).
    logged_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    occurred_on: Mapped[date] = mapped_column(index=True)
    #: Whom we met on their side, as free text ("Jane Doe, HR lead").
    contact_name: Mapped[str | None] = mapped_column(sa.String(160))
    #: What happened.
    summary: Mapped[str] = mapped_column(sa.Text)
    follow_up_on: Mapped[date | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    partner = relationship("Partner", lazy="raise")
    logged_by = relationship("User", lazy="raise")

    def can_edit(self, user) -> bool:
        """The person who logged it edits it; staff edit what they can see (checked by
        the caller's scope)."""
        return user.is_authenticated and (user.is_staff or user.id == self.logged_by_id)


# -- openings --------------------------------------------------------------------------------


class Opening(db.Model):
    """A job opening at a partner, posted on the board for participants and alumni."""

    __tablename__ = "openings"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(sa.ForeignKey("partners.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(160))
    #: Where the job is; None for a remote-only job.
    city_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cities.id"), index=True)
    remote: Mapped[bool] = mapped_column(default=False)
    #: The posting (https only).
    url: Mapped[str | None] = mapped_column(sa.String(500))
    #: The track it fits, if any.
    track_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tracks.id"), index=True)
    description: Mapped[str | None] = mapped_column(sa.Text)
    #: Last day to apply; the opening leaves the board the day after.
    closes_on: Mapped[date | None] = mapped_column(index=True)
    #: Set when closed by hand; the row stays for the records.
    closed_at: Mapped[datetime | None] = mapped_column()
    posted_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: Posted by a partner contact whose organisation wants staff to approve it first
    #: (coop.talent): off the board until staff approve it.
    awaiting_approval: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    partner = relationship("Partner", lazy="raise")
    city = relationship("City", lazy="raise")
    track = relationship("Track", lazy="raise")
    posted_by = relationship("User", lazy="raise")

    __table_args__ = (
        sa.CheckConstraint("city_id IS NOT NULL OR remote", name="located"),
        sa.CheckConstraint(https_check("url"), name="https_url"),
    )

    def today(self) -> date:
        """Today where the opening is: its city's date (the organisation's if remote-only)."""
        city = _loaded(self, "city")
        return clock.today_for_city(city) if city is not None else today_in_city(self.city_id)

    def is_open(self, on: date | None = None) -> bool:
        """On the board: not closed by hand and its closing date (in its city) not past."""
        if self.closed_at is not None or self.awaiting_approval:
            return False
        return self.closes_on is None or self.closes_on >= (on or self.today())

    @property
    def status(self) -> str:
        if self.closed_at is not None:
            return "closed"
        if self.awaiting_approval:
            return "awaiting approval"
        if self.closes_on is not None and self.closes_on < self.today():
            return "expired"
        return "open"

    @classmethod
    def open_clause(cls, on: date | None = None):
        """SQL: the opening is on the board (not closed by hand, not past its date).

        Without ``on``, each opening's closing date is compared with today in its city.
        """
        zone = sa.select(City.timezone).where(City.id == cls.city_id).scalar_subquery()
        current = (
            (cls.closes_on >= on)
            if on is not None
            else clock.per_zone(zone, lambda day: cls.closes_on >= day)
        )
        return sa.and_(
            cls.closed_at.is_(None),
            cls.awaiting_approval.is_(False),
            sa.or_(cls.closes_on.is_(None), current),
        )


# -- the referral pipeline -------------------------------------------------------------------


class ReferralKind(enum.StrEnum):
    EMPLOYMENT = "employment"


class ReferralStage(enum.StrEnum):
    REFERRED = "referred"
    APPLIED = "applied"
    INTERVIEWING = "interviewing"
    OFFER = "offer"
    HIRED = "hired"
    NOT_SELECTED = "not_selected"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


#: The way forward, in order; a referral may skip ahead but never go back.
PIPELINE = [
    ReferralStage.REFERRED,
    ReferralStage.APPLIED,
    ReferralStage.INTERVIEWING,
    ReferralStage.OFFER,
    ReferralStage.HIRED,
]
#: Stages that end a referral; nothing moves out of them.
CLOSED_STAGES = {ReferralStage.HIRED, ReferralStage.NOT_SELECTED, ReferralStage.WITHDRAWN}
#: The stages a participant records on their own referral; staff record the rest.
PARTICIPANT_STAGES = {ReferralStage.APPLIED, ReferralStage.INTERVIEWING}


def transition_error(current: ReferralStage, new: ReferralStage) -> str | None:
    """Why a referral at ``current`` cannot move to ``new``, or None when it can.

    Forward along referred -> applied -> interviewing -> offer -> hired (skipping ahead is
    fine: people often tell us late), or to not selected / withdrawn from any open stage.
    Closed referrals stay closed and nothing goes back.
    """
    if new == current:
        return f"This referral is already at “{current.label}”."
    if current in CLOSED_STAGES:
        return f"This referral is closed ({current.label}); it cannot move to “{new.label}”."
    if new in PIPELINE and PIPELINE.index(new) < PIPELINE.index(current):
        return f"A referral at “{current.label}” cannot go back to “{new.label}”."
    return None


class Referral(db.Model):
    """Someone (captain, alumnus, staff) refers a participant to an opening or employer."""

    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ReferralKind] = mapped_column(
        enum_column(ReferralKind), default=ReferralKind.EMPLOYMENT
    )
    referrer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: The participant's cohort when referred: staff of its city see the referral.
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id"), index=True)
    #: The opening, if any; the employer is always set (the opening's partner).
    opening_id: Mapped[int | None] = mapped_column(sa.ForeignKey("openings.id"), index=True)
    partner_id: Mapped[int] = mapped_column(sa.ForeignKey("partners.id"), index=True)
    stage: Mapped[ReferralStage] = mapped_column(
        enum_column(ReferralStage), default=ReferralStage.REFERRED, index=True
    )
    #: The referrer's note: seen by staff, the participant and its author only.
    note: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    stage_changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    referrer = relationship("User", foreign_keys=[referrer_id], lazy="raise")
    participant = relationship("User", foreign_keys=[participant_id], lazy="raise")
    cohort = relationship("Cohort", lazy="raise")
    opening = relationship("Opening", lazy="raise")
    partner = relationship("Partner", lazy="raise")
    events = relationship(
        "ReferralEvent",
        back_populates="referral",
        lazy="raise",
        order_by="ReferralEvent.id",
    )

    # One referral per person and opening (NULL openings never collide).
    __table_args__ = (
        sa.UniqueConstraint("participant_id", "opening_id"),
        # The referrals list's order: its first page without sorting every referral.
        sa.Index("ix_referrals_stage_changed_at_id", "stage_changed_at", "id"),
    )

    @property
    def is_closed(self) -> bool:
        return self.stage in CLOSED_STAGES

    def can_see_private(self, user) -> bool:
        """Notes and salaries: staff and the participant themself."""
        return user.is_staff or user.id == self.participant_id

    def can_see_note(self, user) -> bool:
        """The referral note: staff, the participant, and whoever wrote it."""
        return self.can_see_private(user) or user.id == self.referrer_id

    def stage_choices_for(self, user) -> list[ReferralStage]:
        """The stages ``user`` may move this referral to now (they can see it)."""
        if user.is_staff:
            allowed = list(ReferralStage)
        elif user.id == self.participant_id:
            allowed = [s for s in PIPELINE if s in PARTICIPANT_STAGES]
        else:
            return []
        return [s for s in allowed if transition_error(self.stage, s) is None]


class ReferralEvent(db.Model):
    """One step of a referral's history: who moved it from where to where, when."""

    __tablename__ = "referral_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(sa.ForeignKey("referrals.id"), index=True)
    #: None for the referral's creation.
    from_stage: Mapped[ReferralStage | None] = mapped_column(
        enum_column(ReferralStage, name="referral_event_from")
    )
    to_stage: Mapped[ReferralStage] = mapped_column(
        enum_column(ReferralStage, name="referral_event_to")
    )
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Seen by staff, the participant and its author only.
    note: Mapped[str | None] = mapped_column(sa.Text)

    referral = relationship("Referral", back_populates="events", lazy="raise")
    actor = relationship("User", lazy="raise")


# -- placements ------------------------------------------------------------------------------


class PlacementSource(enum.StrEnum):
    STAFF = "staff"
    REFERRAL = "referral"
    SELF_REPORTED = "self_reported"

    @property
    def label(self) -> str:
        return {"staff": "recorded by staff", "referral": "from a referral"}.get(
            self.value, "reported by the participant"
        )


class Placement(db.Model):
    """A job a participant or graduate holds (or held)."""

    __tablename__ = "placements"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: The participant's cohort when recorded: staff of its city see the placement.
    cohort_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cohorts.id"), index=True)
    #: The employer when it is a partner; ``employer_name`` is always filled.
    partner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("partners.id"), index=True)
    employer_name: Mapped[str] = mapped_column(sa.String(160))
    title: Mapped[str] = mapped_column(sa.String(160))
    start_date: Mapped[date] = mapped_column()
    #: The day they left, if they did.
    end_date: Mapped[date | None] = mapped_column()
    #: Annual salary in whole US dollars: seen by staff and the participant only.
    salary: Mapped[int] = mapped_column()
    full_time: Mapped[bool] = mapped_column(default=True)
    #: Needs a degree and pays a commensurate salary.
    career_track: Mapped[bool] = mapped_column(default=False, index=True)
    source: Mapped[PlacementSource] = mapped_column(
        enum_column(PlacementSource), default=PlacementSource.STAFF
    )
    #: The hired referral this placement came from, if any (one placement per referral).
    referral_id: Mapped[int | None] = mapped_column(sa.ForeignKey("referrals.id"), unique=True)
    reported_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    verified_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    verified_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    participant = relationship("User", foreign_keys=[participant_id], lazy="raise")
    cohort = relationship("Cohort", lazy="raise")
    partner = relationship("Partner", lazy="raise")
    referral = relationship("Referral", lazy="raise")
    verified_by = relationship("User", foreign_keys=[verified_by_id], lazy="raise")

    __table_args__ = (
        sa.CheckConstraint("salary >= 0", name="salary_positive"),
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates_order"),
    )

    @property
    def verified(self) -> bool:
        return self.verified_at is not None

    def is_current(self, on: date | None = None) -> bool:
        """Held on ``on`` (default: today in the cohort's city)."""
        on = on or _cohort_today(self)
        return self.start_date <= on and (self.end_date is None or self.end_date >= on)

    @property
    def overcomes_underemployment(self) -> bool:
        """A verified career-track job the person holds now."""
        return self.verified and self.career_track and self.is_current()

    def can_see(self, user) -> bool:
        """Placements (and their salary): staff and the participant themself only."""
        return user.is_staff or user.id == self.participant_id

    def can_edit(self, user) -> bool:
        """Staff edit; the participant edits what they reported until staff verify it."""
        if user.is_staff:
            return True
        return user.id == self.participant_id and not self.verified


def overcame_underemployment_clause(user_id_column, on: date | None = None):
    """SQL: the user holds a verified career-track placement on ``on`` (default: today in
    the placement's cohort's city).

    Combine with a graduated enrollment for "a graduate who overcame underemployment".
    """

    def held(day):
        return sa.and_(
            Placement.start_date <= day,
            sa.or_(Placement.end_date.is_(None), Placement.end_date >= day),
        )

    return (
        sa.select(Placement.id)
        .where(
            Placement.participant_id == user_id_column,
            Placement.career_track.is_(True),
            Placement.verified_at.is_not(None),
            held(on)
            if on is not None
            else clock.per_zone(cohort_zone_sql(Placement.cohort_id), held),
        )
        .exists()
    )


# -- follow-ups after exit -------------------------------------------------------------------


class FollowUpKind(enum.StrEnum):
    SIX_MONTHS = "6m"
    TWELVE_MONTHS = "12m"
    Q2 = "q2"
    Q4 = "q4"

    @property
    def label(self) -> str:
        return {
            "6m": "6 months after exit",
            "12m": "12 months after exit",
            "q2": "2nd quarter after exit",
            "q4": "4th quarter after exit",
        }[self.value]


class EmploymentStatus(enum.StrEnum):
    """What a follow-up found."""

    CAREER_TRACK = "career_track"
    EMPLOYED_OTHER = "employed_other"
    UNEMPLOYED = "unemployed"
    IN_EDUCATION = "in_education"
    UNREACHABLE = "unreachable"

    @property
    def label(self) -> str:
        return {
            "career_track": "Employed in a career-track job",
            "employed_other": "Employed, not career-track",
            "unemployed": "Not employed",
            "in_education": "In education or training",
            "unreachable": "Could not reach them",
        }[self.value]


def add_months(start: date, months: int) -> date:
    """The same day ``months`` later, or that month's last day when it is shorter
    (Aug 31 + 6 months = Feb 28, or Feb 29 in a leap year)."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def quarter_end_after(exit_date: date, quarters: int) -> date:
    """The last day of the ``quarters``-th calendar quarter after the quarter of exit.

    This is how the public workforce programs (WIOA) measure employment "in the second
    quarter after exit" and "in the fourth quarter after exit": the quarter of exit is
    not counted, so an exit on Mar 31 (Q1) has its 2nd quarter after exit in Jul-Sep
    (due Sep 30) and its 4th in the next Jan-Mar (due Mar 31); an exit on Apr 1 (Q2)
    has them in Oct-Dec (Dec 31) and the next Apr-Jun (Jun 30). The follow-up falls due
    when that quarter ends.
    """
    index = exit_date.year * 4 + (exit_date.month - 1) // 3 + quarters
    year, quarter = divmod(index, 4)
    month = quarter * 3 + 3
    return date(year, month, calendar.monthrange(year, month)[1])


def follow_up_due(kind: FollowUpKind, exit_date: date) -> date:
    """When a follow-up of ``kind`` falls due for someone who exited on ``exit_date``
    (their cohort's end date)."""
    if kind == FollowUpKind.SIX_MONTHS:
        return add_months(exit_date, 6)
    if kind == FollowUpKind.TWELVE_MONTHS:
        return add_months(exit_date, 12)
    if kind == FollowUpKind.Q2:
        return quarter_end_after(exit_date, 2)
    return quarter_end_after(exit_date, 4)


class FollowUp(db.Model):
    """A task: ask a graduate about their employment at a set time after exit."""

    __tablename__ = "follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrollments.id"))
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: The cohort they exited: staff of its city do the follow-up.
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id"), index=True)
    kind: Mapped[FollowUpKind] = mapped_column(enum_column(FollowUpKind))
    due_date: Mapped[date] = mapped_column(index=True)
    #: What the follow-up found; set when it is closed.
    status: Mapped[EmploymentStatus | None] = mapped_column(enum_column(EmploymentStatus))
    note: Mapped[str | None] = mapped_column(sa.Text)
    closed_at: Mapped[datetime | None] = mapped_column()
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    enrollment = relationship("Enrollment", lazy="raise")
    participant = relationship("User", foreign_keys=[participant_id], lazy="raise")
    cohort = relationship("Cohort", lazy="raise")
    closed_by = relationship("User", foreign_keys=[closed_by_id], lazy="raise")

    __table_args__ = (
        sa.UniqueConstraint("enrollment_id", "kind"),
        sa.Index("ix_follow_ups_open_due", "closed_at", "due_date"),
    )

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def state(self, on: date | None = None) -> str:
        """``closed``, ``overdue`` (past its date), ``due`` (within ``DUE_SOON_DAYS``) or
        ``upcoming``; ``on`` defaults to today in the cohort's city."""
        on = on or _cohort_today(self)
        if self.is_closed:
            return "closed"
        if self.due_date < on:
            return "overdue"
        if (self.due_date - on).days <= DUE_SOON_DAYS:
            return "due"
        return "upcoming"


#: A follow-up counts as "due" this many days before its date: a quarter's notice, since
#: the quarterly measures ask about employment during the quarter that ends on that date.
DUE_SOON_DAYS = 90
