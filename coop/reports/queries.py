"""The dashboard's numbers, one SQL query per group of figures.

Each function takes ``scope`` (a ``SELECT cohorts.id`` of the cohorts in view) and
returns ``{cohort_id: row}`` plus the whole selection under ``TOTAL``: the per-cohort
rows and the total come from one statement (``UNION ALL``), so people counted once
in the total even when they appear in two cohorts. ``shown`` (ids, or a select of
them; None: every cohort of the scope) limits the per-cohort rows to the cohorts whose
figures will be read, such as one page of the comparison: the total is still over the
whole scope. The number of queries is fixed whatever the data size; nothing is
computed in Python loops over people.
"""

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from coop.auth.models import ParticipantProfile
from coop.coaching.models import COVERAGE_DAYS, AlumniCaptain, CheckIn
from coop.enrollment.models import (
    MEMBER_STAGES,
    SALARY_BAND_MIDPOINTS,
    Enrollment,
    Stage,
)
from coop.extensions import db
from coop.programs.models import City, Cohort, CohortStatus, Track
from coop.referrals.models import (
    EmploymentStatus,
    FollowUp,
    FollowUpKind,
    Placement,
    Referral,
    ReferralEvent,
    ReferralStage,
)
from coop.reports.sql import dialect_name, ended_by, medians, months_after, utc_param
from coop.sessions.models import LONGEST_MINUTES, SessionStatus, VirtualSession

#: The key of the row that covers every cohort in view.
TOTAL = 0

#: Graduates count as having overcome underemployment with a verified career-track job
#: starting within this many months of their cohort's end.
OUTCOME_MONTHS = 12


def tune_for_reports() -> None:
    """On PostgreSQL, for the rest of this transaction: no JIT compilation (the report
    queries' cost estimates pass its threshold, and compiling took longer than running
    them: 0.7 to 1.1 s each at 50,000 participants) and enough memory for their hash
    joins over the attendance rows not to spill to disk. ``set_config(..., true)`` is
    ``SET LOCAL``: it ends with the transaction, so the connection's next request runs
    with the usual settings."""
    if dialect_name() == "postgresql":
        db.session.execute(
            sa.text("SELECT set_config('jit', 'off', true), set_config('work_mem', '32MB', true)")
        )


def _keyed(stmt) -> dict[int, dict]:
    # Plain tuples zipped with the column names: ``dict(row)`` of a ``RowMapping`` cost
    # about 20 ms for the 10,000 rows of a 600-cohort dashboard.
    result = db.session.execute(stmt)
    names = list(result.keys())
    at = names.index("key")
    return {row[at]: dict(zip(names, row, strict=True)) for row in result}


class _People:
    """The people among the rows where ``condition`` holds: COUNT(DISTINCT person), or,
    where each row is a different person, a plain sum (no sort per group)."""

    def __init__(self, condition, user_col):
        self.condition, self.user_col = condition, user_col

    def distinct(self):
        return sa.func.count(sa.distinct(sa.case((self.condition, self.user_col))))

    def rows(self):
        return sa.func.coalesce(sa.func.sum(sa.case((self.condition, 1), else_=0)), 0)


def _people(condition, user_col) -> _People:
    return _People(condition, user_col)


def _per_cohort_and_total(source, key_col, columns: dict, shown=None, *, one_row_per_person=False):
    """``SELECT key, columns... GROUP BY key UNION ALL SELECT TOTAL, columns...``, the
    per-cohort rows only for the ``shown`` cohorts (None: all).

    ``one_row_per_person``: within a cohort every row of ``source`` is a different person
    (a row per enrollment, unique by cohort and person), so the cohorts' people are summed
    rather than counted distinct: at 100,000 participants the distinct counts' sorts were
    most of the funnel's time. The total still counts each person once."""

    def column(expr, per_cohort: bool):
        if isinstance(expr, _People):
            return expr.rows() if per_cohort and one_row_per_person else expr.distinct()
        return expr

    per = (
        sa.select(
            key_col.label("key"),
            *(column(expr, True).label(name) for name, expr in columns.items()),
        )
        .select_from(source)
        .group_by(key_col)
    )
    if shown is not None:
        per = per.where(key_col.in_(shown))
    total = sa.select(
        sa.literal(TOTAL).label("key"),
        *(column(expr, False).label(name) for name, expr in columns.items()),
    ).select_from(source)
    return sa.union_all(per, total)


# -- the cohorts in view --------------------------------------------------------------------


def cohorts(scope) -> list:
    return db.session.execute(
        sa.select(
            Cohort.id,
            Cohort.name,
            Cohort.start_date,
            Cohort.end_date,
            Cohort.status,
            City.name.label("city"),
            Track.name.label("track"),
        )
        .join(City, City.id == Cohort.city_id)
        .join(Track, Track.id == Cohort.track_id)
        .where(Cohort.id.in_(scope))
        .order_by(Cohort.start_date, City.name, Cohort.name, Cohort.id)
    ).all()


# -- funnel -----------------------------------------------------------------------------------


def funnel(scope, shown=None) -> dict[int, dict]:
    """Applicants, accepted, enrolled, graduated, withdrawn (and referred by an alumnus).

    Stages are cumulative: someone enrolled was accepted. ``withdrawn`` means leaving the
    program after enrolling; an applicant who withdrew before a seat (the history says
    so) is only an applicant.
    """
    e = Enrollment
    one, zero = sa.literal(1), sa.literal(0)
    # What the history adds (accepted once; withdrew before a seat) is stored on the
    # enrollment (``coop.enrollment.history``): reading the events took 60 ms a render
    # at 100,000 participants on PostgreSQL.
    undecided = [Stage.DECLINED, Stage.WAITLISTED, Stage.WITHDRAWN]
    left_program = sa.and_(e.stage == Stage.WITHDRAWN, sa.not_(e.withdrew_early))
    enrolled = sa.or_(e.stage.in_([Stage.ENROLLED, Stage.GRADUATED]), left_program)
    accepted = sa.or_(
        e.stage.in_([Stage.ACCEPTED, Stage.ENROLLED, Stage.GRADUATED]),
        left_program,
        sa.and_(e.stage.in_(undecided), e.was_accepted),
    )
    flags = (
        sa.select(
            e.cohort_id.label("cohort_id"),
            e.user_id.label("user_id"),
            sa.case((accepted, one)).label("accepted"),
            sa.case((enrolled, one)).label("enrolled"),
            sa.case((e.stage == Stage.GRADUATED, one)).label("graduated"),
            sa.case((left_program, one)).label("withdrawn"),
            sa.case((e.referred_by_id.is_not(None), one), else_=zero).label("referred"),
        )
        .where(e.cohort_id.in_(scope))
        .cte("funnel_flags")
    )
    user = flags.c.user_id
    columns = {
        "applicants": _people(sa.true(), user),
        "accepted": _people(flags.c.accepted == 1, user),
        "enrolled": _people(flags.c.enrolled == 1, user),
        "graduated": _people(flags.c.graduated == 1, user),
        "withdrawn": _people(flags.c.withdrawn == 1, user),
        "referred": _people(flags.c.referred == 1, user),
    }
    # One enrollment per cohort and person (``uq_enrollments_cohort_id_user_id``).
    return _keyed(
        _per_cohort_and_total(flags, flags.c.cohort_id, columns, shown, one_row_per_person=True)
    )


# -- engagement -------------------------------------------------------------------------------


def attendance(scope, now: datetime, shown=None) -> dict[int, dict]:
    """Attendance like the sessions pages count it: sessions held (not cancelled, over)
    times the cohort's members (enrolled or graduated) is what could be attended;
    present or late counts as attended, a missing roll call as not. ``people`` are the
    members of cohorts that held at least one session."""
    vs, e = VirtualSession, Enrollment
    # Held: scheduled and over. A session that started more than the longest duration
    # ago is over without the date arithmetic, which, on every one of 170,000 sessions,
    # was half of this query's time at 100,000 participants on PostgreSQL.
    held_clause = sa.and_(
        vs.status == SessionStatus.SCHEDULED,
        sa.or_(
            vs.starts_at <= utc_param(now - timedelta(minutes=LONGEST_MINUTES)),
            sa.and_(
                vs.starts_at <= utc_param(now),
                ended_by(vs.starts_at, vs.duration_minutes, utc_param(now)),
            ),
        ),
    )
    # Each part reads its table once: a shared CTE of the members, materialised and read
    # twice, took longer than the two scans of the enrollments' index.
    is_member = sa.and_(e.cohort_id.in_(scope), e.stage.in_(MEMBER_STAGES))
    member_counts = (
        sa.select(e.cohort_id, sa.func.count().label("n"))
        .where(is_member)
        .group_by(e.cohort_id)
        .cte("member_counts")
    )
    # Sessions held and their tallies (members who attended each: ``coop.sessions.tallies``,
    # kept current by every change to attendance or to a cohort's members), so nothing
    # here reads the attendance rows themselves (2 million at 100,000 participants).
    held = (
        sa.select(
            vs.cohort_id,
            sa.func.count().label("n"),
            sa.cast(sa.func.coalesce(sa.func.sum(vs.members_attended), 0), sa.BigInteger).label(
                "attended"
            ),
        )
        .where(vs.cohort_id.in_(scope), held_clause)
        .group_by(vs.cohort_id)
        .cte("held")
    )
    # People count only in cohorts that held a session: the rate rests on them.
    per = (
        sa.select(
            member_counts.c.cohort_id.label("key"),
            sa.case((held.c.n > 0, member_counts.c.n), else_=0).label("people"),
            (sa.func.coalesce(held.c.n, 0) * member_counts.c.n).label("possible"),
            sa.func.coalesce(held.c.attended, 0).label("attended"),
        )
        .select_from(member_counts)
        .outerjoin(held, held.c.cohort_id == member_counts.c.cohort_id)
        .cte("per_cohort")
    )
    people = (
        sa.select(sa.func.count(sa.distinct(e.user_id)))
        .where(is_member, e.cohort_id.in_(sa.select(held.c.cohort_id)))
        .scalar_subquery()
    )
    total = sa.select(
        sa.literal(TOTAL).label("key"),
        people.label("people"),
        sa.func.sum(per.c.possible).label("possible"),
        sa.func.sum(per.c.attended).label("attended"),
    ).select_from(per)
    rows = sa.select(per)
    if shown is not None:
        rows = rows.where(per.c.key.in_(shown))
    return _keyed(sa.union_all(rows, total))


def checkins(scope, today: date, shown=None) -> dict[int, dict]:
    """Participants enrolled now in active cohorts; of them, who had a check-in in the
    last ``COVERAGE_DAYS`` days, and who has an unresolved attention flag."""
    e, ci = Enrollment, CheckIn
    since = date.fromordinal(today.toordinal() - COVERAGE_DAYS)
    mine = sa.and_(ci.cohort_id == e.cohort_id, ci.participant_id == e.user_id)
    covered = sa.select(ci.id).where(mine, ci.held_on >= since, ci.held_on <= today).exists()
    flagged = sa.select(ci.id).where(mine, ci.needs_attention, ci.resolved_at.is_(None)).exists()
    one = sa.literal(1)
    flags = (
        sa.select(
            e.cohort_id.label("cohort_id"),
            e.user_id.label("user_id"),
            sa.case((covered, one)).label("covered"),
            sa.case((flagged, one)).label("flagged"),
        )
        .join(Cohort, Cohort.id == e.cohort_id)
        .where(
            e.cohort_id.in_(scope),
            e.stage == Stage.ENROLLED,
            Cohort.status == CohortStatus.ACTIVE,
        )
        .cte("checkin_flags")
    )
    user = flags.c.user_id
    return _keyed(
        _per_cohort_and_total(
            flags,
            flags.c.cohort_id,
            {
                "active": _people(sa.true(), user),
                "covered": _people(flags.c.covered == 1, user),
                "flagged": _people(flags.c.flagged == 1, user),
            },
            shown,
            one_row_per_person=True,  # a row per enrollment
        )
    )


# -- outcomes ---------------------------------------------------------------------------------


def _graduates(scope):
    return (
        sa.select(Enrollment.id, Enrollment.cohort_id, Enrollment.user_id, Cohort.end_date)
        .join(Cohort, Cohort.id == Enrollment.cohort_id)
        .where(Enrollment.cohort_id.in_(scope), Enrollment.stage == Stage.GRADUATED)
    )


def placement_outcomes(scope, today: date, shown=None) -> dict[int, dict]:
    """Graduates whose 12 months after exit (their cohort's end) are over, and of them
    those with a verified career-track placement that started within those months."""
    grads = _graduates(scope).subquery("grads")
    deadline = months_after(grads.c.end_date, OUTCOME_MONTHS)
    p = Placement
    # Each person's earliest verified career-track start, read once for everyone: a
    # correlated EXISTS per graduate let SQLite walk the (boolean) career_track index
    # instead of the person's placements, ~30x slower at 600 cohorts.
    first_career = (
        sa.select(p.participant_id, sa.func.min(p.start_date).label("start_date"))
        .where(p.career_track.is_(True), p.verified_at.is_not(None))
        .group_by(p.participant_id)
        .subquery("first_career")
    )
    overcame = first_career.c.start_date <= deadline
    one = sa.literal(1)
    flags = (
        sa.select(
            grads.c.cohort_id,
            grads.c.user_id,
            sa.case((deadline <= today, one)).label("eligible"),
            sa.case((sa.and_(deadline <= today, overcame), one)).label("overcame"),
        )
        .select_from(grads)
        .outerjoin(first_career, first_career.c.participant_id == grads.c.user_id)
        .cte("outcome_flags")
    )
    user = flags.c.user_id
    return _keyed(
        _per_cohort_and_total(
            flags,
            flags.c.cohort_id,
            {
                "eligible": _people(flags.c.eligible == 1, user),
                "overcame": _people(flags.c.overcame == 1, user),
            },
            shown,
            one_row_per_person=True,  # a row per graduate's enrollment
        )
    )


def follow_ups(scope, shown=None) -> dict[int, dict]:
    """Closed follow-ups at the 2nd and 4th quarter after exit: people reached (any
    answer but "could not reach them") and people employed (career-track or other)."""
    f = FollowUp
    rows = (
        sa.select(f.cohort_id, f.participant_id, f.kind, f.status)
        .where(
            f.cohort_id.in_(scope),
            f.closed_at.is_not(None),
            f.kind.in_([FollowUpKind.Q2, FollowUpKind.Q4]),
        )
        .cte("closed_follow_ups")
    )
    user = rows.c.participant_id
    reached = sa.and_(rows.c.status.is_not(None), rows.c.status != EmploymentStatus.UNREACHABLE)
    employed = rows.c.status.in_([EmploymentStatus.CAREER_TRACK, EmploymentStatus.EMPLOYED_OTHER])
    columns = {}
    for kind in (FollowUpKind.Q2, FollowUpKind.Q4):
        is_kind = rows.c.kind == kind
        columns[f"{kind}_reached"] = _people(sa.and_(is_kind, reached), user)
        columns[f"{kind}_employed"] = _people(sa.and_(is_kind, employed), user)
    return _keyed(_per_cohort_and_total(rows, rows.c.cohort_id, columns, shown))


def salaries(scope, shown=None) -> dict[int, dict]:
    """Medians for graduates with a verified placement: the salary of their first
    verified placement, and their intake salary (the profile's, else the midpoint of
    the band they gave when applying), over the same people."""
    grads = _graduates(scope).subquery("grads")
    p = Placement
    # Each graduate's first verified salary (a salary is never NULL: NULL means no
    # verified placement).
    verified = p.verified_at.is_not(None)
    first = None
    if dialect_name() == "postgresql":
        # PostgreSQL: everyone's first verified placement in one pass (DISTINCT ON), then
        # joined: 11 ms against 100 ms for the look-up per graduate at 100,000 people.
        first = (
            sa.select(p.participant_id, p.salary)
            .where(verified)
            .ext(postgresql.distinct_on(p.participant_id))
            .order_by(p.participant_id, p.start_date, p.id)
            .subquery("first_salaries")
        )
        first_salary = first.c.salary
    else:
        # SQLite: looked up through the placements' person index. A join to a window-
        # function subquery left the plan to SQLite's guesses, which on some builds of the
        # same data scanned every first placement for each graduate (0.3-0.5 s at 600
        # cohorts).
        first_salary = (
            sa.select(p.salary)
            .where(p.participant_id == grads.c.user_id, verified)
            .order_by(p.start_date, p.id)
            .limit(1)
            .scalar_subquery()
        )
    band = sa.case(
        *((Enrollment.salary_band == code, mid) for code, mid in SALARY_BAND_MIDPOINTS.items())
    )
    intake = sa.func.coalesce(ParticipantProfile.intake_salary, band)
    per_graduate = (
        sa.select(
            grads.c.cohort_id.label("cohort_id"),
            grads.c.user_id.label("user_id"),
            first_salary.label("placed"),
            intake.label("intake"),
        )
        .select_from(grads)
        .join(Enrollment, Enrollment.id == grads.c.id)
    )
    if first is not None:
        per_graduate = per_graduate.outerjoin(first, first.c.participant_id == grads.c.user_id)
    per_graduate = per_graduate.outerjoin(
        ParticipantProfile, ParticipantProfile.user_id == grads.c.user_id
    ).subquery("graduate_salaries")
    people = sa.select(per_graduate).where(per_graduate.c.placed.is_not(None)).cte("placed_people")
    # The total counts each person once, even if they graduated from two cohorts in view.
    everyone = (
        sa.select(people.c.user_id, sa.func.max(people.c.placed).label("placed"))
        .add_columns(sa.func.max(people.c.intake).label("intake"))
        .group_by(people.c.user_id)
        .subquery("placed_everyone")
    )
    in_view = sa.true() if shown is None else people.c.cohort_id.in_(shown)
    values = sa.union_all(
        sa.select(
            people.c.cohort_id.label("grp"),
            sa.literal("placed").label("measure"),
            people.c.placed.label("v"),
        ).where(in_view),
        sa.select(people.c.cohort_id, sa.literal("intake"), people.c.intake).where(
            in_view, people.c.intake.is_not(None)
        ),
        sa.select(sa.literal(TOTAL), sa.literal("placed"), everyone.c.placed),
        sa.select(sa.literal(TOTAL), sa.literal("intake"), everyone.c.intake).where(
            everyone.c.intake.is_not(None)
        ),
    ).subquery("salary_values")
    out: dict[int, dict] = {}
    for grp, measure, median, n in db.session.execute(medians(values)):
        row = out.setdefault(grp, {"key": grp})
        row[f"{measure}_median"] = float(median) if median is not None else None
        row[f"{measure}_n"] = int(n)
    return out


# -- the network ------------------------------------------------------------------------------


def referrals(scope, shown=None) -> dict[int, dict]:
    """Referrals made for participants of the cohorts in view; those that reached an
    interview (now at interviewing, offer or hired, or passed through interviewing or
    offer on the way to not selected / withdrawn), and hires."""
    r = Referral
    interviewed = r.stage.in_(
        [ReferralStage.INTERVIEWING, ReferralStage.OFFER, ReferralStage.HIRED]
    )
    ev = ReferralEvent
    interviewed = sa.or_(
        interviewed,
        sa.select(ev.id)
        .where(
            ev.referral_id == r.id,
            ev.to_stage.in_([ReferralStage.INTERVIEWING, ReferralStage.OFFER]),
        )
        .exists(),
    )
    one = sa.literal(1)
    flags = (
        sa.select(
            r.cohort_id.label("cohort_id"),
            r.participant_id.label("user_id"),
            r.id.label("referral_id"),
            sa.case((interviewed, one), else_=0).label("interviewed"),
            sa.case((r.stage == ReferralStage.HIRED, one), else_=0).label("hired"),
        )
        .where(r.cohort_id.in_(scope))
        .cte("referral_flags")
    )
    return _keyed(
        _per_cohort_and_total(
            flags,
            flags.c.cohort_id,
            {
                "referrals": sa.func.count(flags.c.referral_id),
                "people": sa.func.count(sa.distinct(flags.c.user_id)),
                "interviewed": sa.func.coalesce(sa.func.sum(flags.c.interviewed), 0),
                "hired": sa.func.coalesce(sa.func.sum(flags.c.hired), 0),
            },
            shown,
        )
    )


def returning_captains(scope, shown=None) -> dict[int, dict]:
    """Graduates of the cohorts in view who were appointed alumni captains (ever)."""
    ac = (
        sa.select(AlumniCaptain.graduated_from_id.label("cohort_id"), AlumniCaptain.user_id)
        .where(AlumniCaptain.graduated_from_id.in_(scope))
        .cte("appointments")
    )
    return _keyed(
        _per_cohort_and_total(
            ac, ac.c.cohort_id, {"captains": sa.func.count(sa.distinct(ac.c.user_id))}, shown
        )
    )
