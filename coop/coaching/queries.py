"""Reads for the coaching pages, each a fixed number of queries whatever the data size.

Lists return plain rows (named tuples and small dataclasses), not ORM objects, so
templates cannot trigger lazy loads.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased, contains_eager, joinedload
from sqlalchemy.sql.functions import FunctionElement

from coop.auth.models import Role, User
from coop.coaching.models import (
    COVERAGE_DAYS,
    AlumniCaptain,
    CaptainAssignment,
    CheckIn,
    PodMembership,
)
from coop.core import events
from coop.enrollment.models import Enrollment, Stage
from coop.extensions import db
from coop.programs.models import City, Cohort, CohortStatus, Partner

#: Stages of people who belong to a cohort (and so to a pod).
IN_COHORT = (Stage.ENROLLED, Stage.GRADUATED)
#: Cohorts whose teams and pods may still change.
OPEN_STATUSES = (CohortStatus.PLANNED, CohortStatus.RECRUITING, CohortStatus.ACTIVE)

#: Join conditions: an enrollment's pod membership, and that pod's current captain.
POD_OF_ENROLLMENT = sa.and_(
    PodMembership.cohort_id == Enrollment.cohort_id,
    PodMembership.participant_id == Enrollment.user_id,
)
CURRENT_ASSIGNMENT_OF_POD = sa.and_(
    CaptainAssignment.id == PodMembership.assignment_id,
    CaptainAssignment.ended_at.is_(None),
)


def is_overdue(last_on: date | None, cohort: Cohort, today: date) -> bool:
    """No check-in for the cohort's ``checkin_overdue_days``: counted from the last
    check-in, or from the cohort's start when there has been none. Only active cohorts
    have overdue participants."""
    if cohort.status != CohortStatus.ACTIVE:
        return False
    reference = last_on or cohort.start_date
    return (today - reference).days >= cohort.checkin_overdue_days


def checkin_stats(cohort_ids=None):
    """Per cohort and participant: last check-in day, number of check-ins, open flags."""
    open_flag = sa.and_(CheckIn.needs_attention, CheckIn.resolved_at.is_(None))
    stmt = db.select(
        CheckIn.cohort_id.label("cohort_id"),
        CheckIn.participant_id.label("participant_id"),
        sa.func.max(CheckIn.held_on).label("last_on"),
        sa.func.count(CheckIn.id).label("checkins"),
        sa.func.count(sa.case((open_flag, CheckIn.id))).label("open_flags"),
    ).group_by(CheckIn.cohort_id, CheckIn.participant_id)
    if cohort_ids is not None:
        stmt = stmt.where(CheckIn.cohort_id.in_(list(cohort_ids) or [-1]))
    return stmt.subquery("checkin_stats")


# -- who may see what ---------------------------------------------------------------------


def pod_captain_id(cohort_id: int, participant_id: int) -> int | None:
    """The captain whose current pod holds this participant in this cohort, if any."""
    return db.session.scalar(
        db.select(CaptainAssignment.captain_id)
        .join(PodMembership, PodMembership.assignment_id == CaptainAssignment.id)
        .where(
            PodMembership.cohort_id == cohort_id,
            PodMembership.participant_id == participant_id,
            CaptainAssignment.ended_at.is_(None),
        )
    )


def can_coach(user, cohort_id: int, participant_id: int) -> bool:
    """A captain coaches the participants of their own current pods, and nobody else."""
    return user.is_captain and pod_captain_id(cohort_id, participant_id) == user.id


def can_read_checkins(user, cohort: Cohort, participant_id: int) -> bool:
    """Staff of the cohort's city, or the captain of the participant's current pod."""
    if user.is_staff:
        return cohort.can_manage(user)
    return can_coach(user, cohort.id, participant_id)


def current_appointment(user_id: int) -> AlumniCaptain | None:
    return db.session.scalar(
        db.select(AlumniCaptain)
        .options(
            joinedload(AlumniCaptain.graduated_from).joinedload(Cohort.city),
            joinedload(AlumniCaptain.partner),
        )
        .where(AlumniCaptain.user_id == user_id, AlumniCaptain.stepped_down_at.is_(None))
    )


# -- the captain's home -------------------------------------------------------------------


@dataclass
class PodRow:
    cohort_id: int
    assignment_id: int
    participant_id: int
    name: str
    email: str
    last_on: date | None
    checkins: int
    open_flags: int
    overdue: bool = False
    attendance: object = None


@dataclass
class CaptainCohort:
    assignment: CaptainAssignment
    cohort: Cohort
    pod: list[PodRow] = field(default_factory=list)
    roster: list = field(default_factory=list)
    attendance_available: bool = False

    @property
    def overdue_count(self) -> int:
        return sum(1 for r in self.pod if r.overdue)


def attendance_for(people: dict[int, list[int]]):
    """The sessions domain's attendance summaries (``{cohort_id: {participant_id:
    summary}}``, two queries for every cohort together); sessions, a layer above, answers
    ``events.attendance_summaries``. Without an answer: ``{}``, no attendance shown."""
    people = {cohort_id: ids for cohort_id, ids in people.items() if ids}
    found = events.answers(events.attendance_summaries, people=people) if people else []
    return found[0] if found else {}


def captain_home(user, today: date) -> tuple[list[CaptainCohort], list[CaptainCohort]]:
    """The captain's current cohorts (teams and pods still running) and past ones."""
    assignments = db.session.scalars(
        db.select(CaptainAssignment)
        .join(Cohort, Cohort.id == CaptainAssignment.cohort_id)
        .options(contains_eager(CaptainAssignment.cohort).joinedload(Cohort.city))
        .where(CaptainAssignment.captain_id == user.id, CaptainAssignment.ended_at.is_(None))
        .order_by(Cohort.start_date.desc(), Cohort.id)
    ).all()
    cohorts = {a.cohort_id: CaptainCohort(a, a.cohort) for a in assignments}
    current = [c for c in cohorts.values() if c.cohort.status in OPEN_STATUSES]
    past = [c for c in cohorts.values() if c.cohort.status not in OPEN_STATUSES]
    if not current:
        return current, past
    by_assignment = {c.assignment.id: c for c in current}
    stats = checkin_stats([c.cohort.id for c in current])
    rows = db.session.execute(
        db.select(
            PodMembership.cohort_id,
            PodMembership.assignment_id,
            User.id,
            User.name,
            User.email,
            stats.c.last_on,
            stats.c.checkins,
            stats.c.open_flags,
        )
        .join(User, User.id == PodMembership.participant_id)
        .join(
            Enrollment,
            sa.and_(
                Enrollment.cohort_id == PodMembership.cohort_id,
                Enrollment.user_id == PodMembership.participant_id,
            ),
        )
        .outerjoin(
            stats,
            sa.and_(
                stats.c.cohort_id == PodMembership.cohort_id,
                stats.c.participant_id == PodMembership.participant_id,
            ),
        )
        .where(
            PodMembership.assignment_id.in_(list(by_assignment)), Enrollment.stage.in_(IN_COHORT)
        )
        .order_by(User.name, User.id)
    ).all()
    for cohort_id, assignment_id, uid, name, email, last_on, n, flags in rows:
        entry = by_assignment[assignment_id]
        entry.pod.append(
            PodRow(
                cohort_id,
                assignment_id,
                uid,
                name,
                email,
                last_on,
                n or 0,
                flags or 0,
                overdue=is_overdue(last_on, entry.cohort, today),
            )
        )
    captain = aliased(User)
    roster = db.session.execute(
        db.select(Enrollment.cohort_id, User.name, captain.name)
        .join(User, User.id == Enrollment.user_id)
        .outerjoin(PodMembership, POD_OF_ENROLLMENT)
        .outerjoin(CaptainAssignment, CURRENT_ASSIGNMENT_OF_POD)
        .outerjoin(captain, captain.id == CaptainAssignment.captain_id)
        .where(Enrollment.cohort_id.in_([c.cohort.id for c in current]))
        .where(Enrollment.stage.in_(IN_COHORT))
        .order_by(User.name, User.id)
    ).all()
    for cohort_id, name, captain_name in roster:
        cohorts[cohort_id].roster.append((name, captain_name))
    summaries = attendance_for({e.cohort.id: [r.participant_id for r in e.pod] for e in current})
    for entry in current:
        entry.attendance_available = True
        summary = summaries.get(entry.cohort.id, {})
        for r in entry.pod:
            r.attendance = summary.get(r.participant_id)
    return current, past


# -- staff: teams and pods ----------------------------------------------------------------


@dataclass
class TeamMember:
    assignment: CaptainAssignment
    graduated_from: str | None
    members: list = field(default_factory=list)
    #: The partner of a partner volunteer.
    volunteer_of: str | None = None

    @property
    def size(self) -> int:
        return len(self.members)


def team(cohort: Cohort) -> tuple[list[TeamMember], list]:
    """The cohort's current captains with their pods, and the enrolled people in no pod."""
    grad_cohort = aliased(Cohort)
    current_appt = sa.and_(
        AlumniCaptain.user_id == CaptainAssignment.captain_id,
        AlumniCaptain.stepped_down_at.is_(None),
    )
    rows = db.session.execute(
        db.select(CaptainAssignment, grad_cohort.name, Partner.name)
        .options(joinedload(CaptainAssignment.captain).lazyload(User.cities))
        .outerjoin(AlumniCaptain, current_appt)
        .outerjoin(grad_cohort, grad_cohort.id == AlumniCaptain.graduated_from_id)
        .outerjoin(Partner, Partner.id == AlumniCaptain.partner_id)
        .where(CaptainAssignment.cohort_id == cohort.id, CaptainAssignment.ended_at.is_(None))
        .order_by(CaptainAssignment.is_lead.desc(), CaptainAssignment.id)
    ).all()
    members = {a.id: TeamMember(a, grad, volunteer_of=partner) for a, grad, partner in rows}
    people = db.session.execute(
        db.select(User.id, User.name, User.email, CaptainAssignment.id)
        .select_from(Enrollment)
        .join(User, User.id == Enrollment.user_id)
        .outerjoin(PodMembership, POD_OF_ENROLLMENT)
        .outerjoin(CaptainAssignment, CURRENT_ASSIGNMENT_OF_POD)
        .where(Enrollment.cohort_id == cohort.id, Enrollment.stage.in_(IN_COHORT))
        .order_by(User.name, User.id)
    ).all()
    unassigned = []
    for uid, name, email, assignment_id in people:
        if assignment_id in members:
            members[assignment_id].members.append((uid, name, email))
        else:
            unassigned.append((uid, name, email))
    return list(members.values()), unassigned


def captain_choices(viewer, cohort: Cohort) -> list[tuple[int, str]]:
    """Current alumni captains staff may add to this cohort's team: graduated in a city the
    viewer sees, not on the team already, never enrolled in this cohort."""
    grad = aliased(Cohort)
    on_team = db.select(CaptainAssignment.captain_id).where(
        CaptainAssignment.cohort_id == cohort.id, CaptainAssignment.ended_at.is_(None)
    )
    enrolled = db.select(Enrollment.user_id).where(Enrollment.cohort_id == cohort.id)
    stmt = (
        db.select(User.id, User.name, grad.name, Partner.name)
        .join(AlumniCaptain, AlumniCaptain.user_id == User.id)
        .outerjoin(grad, grad.id == AlumniCaptain.graduated_from_id)
        .outerjoin(Partner, Partner.id == AlumniCaptain.partner_id)
        .where(
            AlumniCaptain.stepped_down_at.is_(None),
            User.active,
            User.id.not_in(on_team),
            User.id.not_in(enrolled),
        )
        .order_by(User.name, User.id)
    )
    # Partner volunteers count in their partner's city (national partners: everywhere).
    stmt = viewer.scope_to_cities(
        stmt, sa.func.coalesce(grad.city_id, Partner.city_id), national=True
    )
    return [
        (uid, f"{name} (volunteer · {p})" if p and not g else f"{name} (graduated from {g})")
        for uid, name, g, p in db.session.execute(stmt)
    ]


# -- staff: coverage ----------------------------------------------------------------------


@dataclass
class CohortCoverage:
    cohort: Cohort
    enrolled: int = 0
    covered: int = 0
    overdue: int = 0

    @property
    def share(self) -> float | None:
        return self.covered / self.enrolled if self.enrolled else None


@dataclass
class CityCoverage:
    city: City
    cohorts: list[CohortCoverage] = field(default_factory=list)

    @property
    def enrolled(self) -> int:
        return sum(c.enrolled for c in self.cohorts)

    @property
    def covered(self) -> int:
        return sum(c.covered for c in self.cohorts)

    @property
    def overdue(self) -> int:
        return sum(c.overdue for c in self.cohorts)

    @property
    def share(self) -> float | None:
        return self.covered / self.enrolled if self.enrolled else None


@dataclass
class OverdueRow:
    cohort_id: int
    participant_id: int
    name: str
    last_on: date | None
    days: int


@dataclass
class OverdueGroup:
    """One captain's overdue participants (captain None: participants in no pod)."""

    cohort: Cohort
    captain_id: int | None
    captain_name: str | None
    rows: list[OverdueRow] = field(default_factory=list)


def coverage(cohorts: list[Cohort], today: date):
    """Coverage of ``cohorts`` (loaded with their cities): per cohort the enrolled, the
    share with a check-in in the last ``COVERAGE_DAYS`` days and the overdue; and the
    overdue participants grouped by cohort and captain. One query: the counts are
    computed in SQL, and only the overdue people (and a row per cohort) come back."""
    by_id = {c.id: CohortCoverage(c) for c in cohorts}
    ids = list(by_id) or [-1]
    since = today - timedelta(days=COVERAGE_DAYS)
    stats = checkin_stats(ids)
    captain = aliased(User)
    # is_overdue() in SQL: no check-in since the cutoff (counted from the cohort's start
    # when there is none), in active cohorts only (others have no cutoff: NULL, never).
    active = [c for c in cohorts if c.status == CohortStatus.ACTIVE]
    late = sa.literal(0)
    if active:
        cutoff = sa.case(
            {c.id: today - timedelta(days=c.checkin_overdue_days) for c in active},
            value=Enrollment.cohort_id,
            else_=sa.null(),
        )
        start = sa.case({c.id: c.start_date for c in active}, value=Enrollment.cohort_id)
        late = sa.case((sa.func.coalesce(stats.c.last_on, start) <= cutoff, 1), else_=0)
    covered = sa.case((stats.c.last_on >= since, 1), else_=0)
    per_cohort = {"partition_by": Enrollment.cohort_id}
    rows = (
        db.select(
            Enrollment.cohort_id.label("cohort_id"),
            User.id.label("uid"),
            User.name.label("name"),
            CaptainAssignment.captain_id.label("captain_id"),
            captain.name.label("captain_name"),
            stats.c.last_on.label("last_on"),
            late.label("overdue"),
            sa.func.count().over(**per_cohort).label("n_enrolled"),
            sa.func.sum(covered).over(**per_cohort).label("n_covered"),
            sa.func.sum(late).over(**per_cohort).label("n_overdue"),
            sa.func.row_number().over(**per_cohort, order_by=User.id).label("nth"),
        )
        .join(User, User.id == Enrollment.user_id)
        .outerjoin(PodMembership, POD_OF_ENROLLMENT)
        .outerjoin(CaptainAssignment, CURRENT_ASSIGNMENT_OF_POD)
        .outerjoin(captain, captain.id == CaptainAssignment.captain_id)
        .outerjoin(
            stats,
            sa.and_(
                stats.c.cohort_id == Enrollment.cohort_id,
                stats.c.participant_id == Enrollment.user_id,
            ),
        )
        .where(Enrollment.cohort_id.in_(ids), Enrollment.stage == Stage.ENROLLED)
        .subquery("coverage")
    )
    groups: dict[tuple[int, int | None], OverdueGroup] = {}
    for row in db.session.execute(
        db.select(rows)
        .where(sa.or_(rows.c.overdue == 1, rows.c.nth == 1))
        .order_by(rows.c.name, rows.c.uid)
    ):
        entry = by_id[row.cohort_id]
        entry.enrolled = row.n_enrolled
        entry.covered = int(row.n_covered or 0)
        entry.overdue = int(row.n_overdue or 0)
        if row.overdue:
            key = (row.cohort_id, row.captain_id)
            if key not in groups:
                groups[key] = OverdueGroup(entry.cohort, row.captain_id, row.captain_name)
            days = (today - row.last_on).days if row.last_on else None
            groups[key].rows.append(OverdueRow(row.cohort_id, row.uid, row.name, row.last_on, days))
    cities: dict[int, CityCoverage] = {}
    for c in by_id.values():
        cities.setdefault(c.cohort.city_id, CityCoverage(c.cohort.city)).cohorts.append(c)
    ordered = sorted(cities.values(), key=lambda cc: cc.city.name)
    overdue = sorted(
        groups.values(),
        key=lambda g: (
            g.cohort.city.name,
            g.cohort.name,
            g.captain_name is None,
            g.captain_name or "",
            g.captain_id or 0,
        ),
    )
    return ordered, overdue


def flag_queue(viewer, cohort_id: int | None = None):
    """Check-ins that need staff attention and are not resolved yet, oldest first."""
    stmt = (
        db.select(CheckIn)
        .join(Cohort, Cohort.id == CheckIn.cohort_id)
        .options(
            joinedload(CheckIn.cohort).joinedload(Cohort.city),
            joinedload(CheckIn.participant).lazyload(User.cities),
            joinedload(CheckIn.author).lazyload(User.cities),
        )
        .where(CheckIn.needs_attention, CheckIn.resolved_at.is_(None))
        .order_by(CheckIn.held_on, CheckIn.id)
    )
    if cohort_id is not None:
        stmt = stmt.where(CheckIn.cohort_id == cohort_id)
    return viewer.scope_to_cities(stmt, Cohort.city_id)


def flags_waiting(viewer, cap: int | None = None) -> int:
    """How many check-ins wait for staff in ``viewer``'s cities (at most ``cap``): one
    count, which stops at ``cap`` rows."""
    waiting = (
        db.select(CheckIn.id)
        .join(Cohort, Cohort.id == CheckIn.cohort_id)
        .where(CheckIn.needs_attention, CheckIn.resolved_at.is_(None))
    )
    waiting = viewer.scope_to_cities(waiting, Cohort.city_id)
    if cap is not None:
        # In the partial index's order, so the first ``cap`` are read from it (the planner
        # otherwise scanned the check-ins, misjudging how many wait).
        waiting = waiting.order_by(CheckIn.cohort_id).limit(cap)
    counted = sa.select(sa.func.count()).select_from(waiting.subquery("waiting"))
    return db.session.scalar(counted) or 0


def checkin_history(cohort_id: int, participant_id: int):
    return (
        db.select(CheckIn)
        .options(
            joinedload(CheckIn.author).lazyload(User.cities),
            joinedload(CheckIn.resolved_by).lazyload(User.cities),
        )
        .where(CheckIn.cohort_id == cohort_id, CheckIn.participant_id == participant_id)
        .order_by(CheckIn.held_on.desc(), CheckIn.id.desc())
    )


# -- overdue reminders --------------------------------------------------------------------


@dataclass
class Reminder:
    captain_id: int
    email: str
    name: str
    #: (cohort name, participant name, last check-in day or None)
    rows: list = field(default_factory=list)


def overdue_reminders(today: date) -> list[Reminder]:
    """Every active captain with overdue participants in active cohorts, as plain data."""
    cohorts = db.session.scalars(
        db.select(Cohort)
        .options(joinedload(Cohort.city))
        .where(Cohort.status == CohortStatus.ACTIVE, Cohort.archived.is_(False))
    ).all()
    _, groups = coverage(list(cohorts), today)
    ids = {g.captain_id for g in groups if g.captain_id is not None}
    people = {
        u.id: u
        for u in db.session.execute(
            db.select(User.id, User.email, User.name).where(
                User.id.in_(ids or [-1]), User.active, User.role == Role.CAPTAIN
            )
        )
    }
    reminders: dict[int, Reminder] = {}
    for g in groups:
        person = people.get(g.captain_id)
        if person is None:
            continue
        reminder = reminders.setdefault(person.id, Reminder(person.id, person.email, person.name))
        reminder.rows += [(g.cohort.name, r.name, r.last_on) for r in g.rows]
    return sorted(reminders.values(), key=lambda r: r.captain_id)


# -- lineage ------------------------------------------------------------------------------


@dataclass
class ReturningCaptain:
    user_id: int
    name: str
    current: bool
    led: list = field(default_factory=list)  # (cohort name, city name, start, is_lead)


@dataclass
class LineageCohort:
    cohort: Cohort
    graduates: int = 0
    returning: list[ReturningCaptain] = field(default_factory=list)
    team: int = 0
    team_alumni_here: int = 0
    #: (user id, name, partner name) of the partner volunteers on its team.
    volunteers: list = field(default_factory=list)

    @property
    def team_share(self) -> float | None:
        return self.team_alumni_here / self.team if self.team else None


@dataclass
class Lineage:
    city: City
    cohorts: list[LineageCohort] = field(default_factory=list)
    captains: int = 0
    captains_alumni_here: int = 0

    @property
    def graduates(self) -> int:
        return sum(c.graduates for c in self.cohorts)

    @property
    def returning(self) -> int:
        return sum(len(c.returning) for c in self.cohorts)

    @property
    def share(self) -> float | None:
        return self.captains_alumni_here / self.captains if self.captains else None


def lineage(city: City) -> Lineage:
    """How the program grows in ``city``: each cohort -> its graduates who came back as
    captains -> the later cohorts they led; and how many captains are local alumni.
    Four queries."""
    cohorts = db.session.scalars(
        db.select(Cohort).where(Cohort.city_id == city.id).order_by(Cohort.start_date, Cohort.id)
    ).all()
    out = Lineage(city, [LineageCohort(c) for c in cohorts])
    by_id = {c.cohort.id: c for c in out.cohorts}
    for cohort_id, n in db.session.execute(
        db.select(Enrollment.cohort_id, sa.func.count(Enrollment.id))
        .join(Cohort, Cohort.id == Enrollment.cohort_id)
        .where(Cohort.city_id == city.id, Enrollment.stage == Stage.GRADUATED)
        .group_by(Enrollment.cohort_id)
    ):
        by_id[cohort_id].graduates = n

    # Every appointment (current or past) of a captain who either graduated here or served
    # a cohort here, with the city they graduated in.
    grad = aliased(Cohort)
    served_here = (
        db.select(CaptainAssignment.captain_id)
        .join(Cohort, Cohort.id == CaptainAssignment.cohort_id)
        .where(Cohort.city_id == city.id)
    )
    appointments = db.session.execute(
        db.select(
            AlumniCaptain.user_id,
            AlumniCaptain.graduated_from_id,
            grad.city_id,
            AlumniCaptain.stepped_down_at,
            User.name,
        )
        .join(grad, grad.id == AlumniCaptain.graduated_from_id)
        .join(User, User.id == AlumniCaptain.user_id)
        .where(sa.or_(grad.city_id == city.id, AlumniCaptain.user_id.in_(served_here)))
        .order_by(AlumniCaptain.appointed_at, AlumniCaptain.id)
    ).all()
    home_city: dict[int, int] = {}
    returning: dict[tuple[int, int], ReturningCaptain] = {}
    returning_by_user: dict[int, list[ReturningCaptain]] = defaultdict(list)
    for user_id, from_id, from_city, stepped_down, name in appointments:
        home_city.setdefault(user_id, from_city)
        if from_city != city.id:
            continue
        key = (from_id, user_id)
        if key not in returning:
            returning[key] = ReturningCaptain(user_id, name, stepped_down is None)
            returning_by_user[user_id].append(returning[key])
            by_id[from_id].returning.append(returning[key])
        elif stepped_down is None:
            returning[key].current = True

    served = aliased(Cohort)
    volunteer_of = (
        db.select(Partner.name)
        .join(AlumniCaptain, AlumniCaptain.partner_id == Partner.id)
        .where(
            AlumniCaptain.user_id == CaptainAssignment.captain_id,
            AlumniCaptain.is_partner_volunteer,
        )
        .order_by(AlumniCaptain.appointed_at.desc())
        .limit(1)
        .correlate(CaptainAssignment)
        .scalar_subquery()
    )
    assignments = db.session.execute(
        db.select(
            CaptainAssignment.captain_id,
            CaptainAssignment.is_lead,
            served.id,
            served.name,
            served.city_id,
            served.start_date,
            City.name,
            volunteer_of,
            User.name,
        )
        .join(User, User.id == CaptainAssignment.captain_id)
        .join(served, served.id == CaptainAssignment.cohort_id)
        .join(City, City.id == served.city_id)
        .where(
            sa.or_(
                served.city_id == city.id,
                CaptainAssignment.captain_id.in_(list(home_city) or [-1]),
            )
        )
        .order_by(served.start_date, served.id)
    ).all()
    team_members: set[int] = set()
    for row in assignments:
        captain_id, is_lead, cohort_id, name, city_id, start, city_name, partner, person = row
        if city_id == city.id:
            if partner is not None:
                by_id[cohort_id].volunteers.append((captain_id, person, partner))
            by_id[cohort_id].team += 1
            team_members.add(captain_id)
            if home_city.get(captain_id) == city.id:
                by_id[cohort_id].team_alumni_here += 1
        for rc in returning_by_user.get(captain_id, ()):
            rc.led.append((name, city_name, start, is_lead))
    out.captains = len(team_members)
    out.captains_alumni_here = sum(1 for u in team_members if home_city.get(u) == city.id)
    return out


# -- answers to lower layers' questions (coop.core.events) --------------------------------


@events.cohort_captains.connect
def _serving_captains(cohort, *, user_ids, **_) -> set[int]:
    """Which of ``user_ids`` currently serve as captains of ``cohort``."""
    if not user_ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(CaptainAssignment.captain_id).where(
                CaptainAssignment.cohort_id == cohort.id,
                CaptainAssignment.ended_at.is_(None),
                CaptainAssignment.captain_id.in_(user_ids),
            )
        )
    )


@events.people_in_cities.connect
def _captains_in_cities(_sender, **_):
    """(captain, city) for every captain assignment, current or past."""
    return sa.select(CaptainAssignment.captain_id, Cohort.city_id).join(Cohort)


@events.people_in_cities.connect
def _volunteers_in_cities(_sender, **_):
    """(partner volunteer, their partner's city), for volunteers of a local partner."""
    return (
        sa.select(AlumniCaptain.user_id, Partner.city_id)
        .join(Partner, Partner.id == AlumniCaptain.partner_id)
        .where(AlumniCaptain.is_partner_volunteer, Partner.city_id.is_not(None))
    )


class _days_before(FunctionElement):  # noqa: N801 - used like a SQL function
    """``_days_before(day, n)``: the date ``n`` days before ``day`` (a bound date)."""

    type = sa.Date()
    name = "days_before"
    inherit_cache = True


@compiles(_days_before, "sqlite")
def _days_before_sqlite(element, compiler, **kw):
    day, n = (compiler.process(c, **kw) for c in element.clauses)
    return f"date({day}, '-' || ({n}) || ' days')"


@compiles(_days_before, "postgresql")
def _days_before_postgresql(element, compiler, **kw):
    day, n = (compiler.process(c, **kw) for c in element.clauses)
    return f"(CAST({day} AS DATE) - CAST({n} AS INTEGER))"


@events.at_risk_reasons.connect
def _checkin_overdue(_sender, *, cohort_ids, today, **_):
    """``checkin_overdue``: an enrolled participant with no check-in for the cohort's
    ``checkin_overdue_days`` (from the cohort's start when none; see ``is_overdue``)."""
    stats = (
        sa.select(
            CheckIn.cohort_id.label("cohort_id"),
            CheckIn.participant_id.label("participant_id"),
            sa.func.max(CheckIn.held_on).label("last_on"),
        )
        .where(CheckIn.cohort_id.in_(cohort_ids))
        .group_by(CheckIn.cohort_id, CheckIn.participant_id)
        .subquery("last_checkins")
    )
    reference = sa.func.coalesce(stats.c.last_on, Cohort.start_date)
    return (
        sa.select(
            Enrollment.user_id,
            Enrollment.cohort_id,
            sa.literal_column("'checkin_overdue'", sa.String),
            sa.case(
                (stats.c.last_on.is_(None), sa.literal_column("'No check-in yet'", sa.String)),
                else_=sa.literal_column("'Last check-in '", sa.String)
                + sa.cast(stats.c.last_on, sa.String),
            ),
        )
        .join(Cohort, Cohort.id == Enrollment.cohort_id)
        .outerjoin(
            stats,
            sa.and_(
                stats.c.cohort_id == Enrollment.cohort_id,
                stats.c.participant_id == Enrollment.user_id,
            ),
        )
        .where(
            Enrollment.cohort_id.in_(cohort_ids),
            Enrollment.stage == Stage.ENROLLED,
            Cohort.status == CohortStatus.ACTIVE,
            reference <= _days_before(sa.literal(today, sa.Date), Cohort.checkin_overdue_days),
        )
    )


@events.at_risk_reasons.connect
def _open_flags(_sender, *, cohort_ids, **_):
    """``open_flag``: a check-in that needs staff attention, not resolved yet."""
    return (
        sa.select(
            CheckIn.participant_id,
            CheckIn.cohort_id,
            sa.literal_column("'open_flag'", sa.String),
            sa.literal_column("'Flagged on '", sa.String)
            + sa.cast(sa.func.min(CheckIn.held_on), sa.String),
        )
        .where(
            CheckIn.cohort_id.in_(cohort_ids),
            CheckIn.needs_attention.is_(True),
            CheckIn.resolved_at.is_(None),
        )
        .group_by(CheckIn.participant_id, CheckIn.cohort_id)
    )
