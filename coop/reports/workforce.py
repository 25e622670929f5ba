"""The workNet side of the reports: the WIOA primary indicators of performance per
program year (with city, track and cohort breakdowns), and the credentials and
support-service counts shown on the outcomes dashboard.

Every figure is computed in SQL, a fixed number of queries whatever the size, and shown
through ``reports.figures`` so groups under 5 are withheld exactly as on the dashboard.
"""

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from coop.core import events
from coop.enrollment.models import Enrollment, Stage
from coop.extensions import db
from coop.plans.models import Credential, CredentialType
from coop.programs.models import City, Cohort, Track
from coop.referrals.models import EmploymentStatus, FollowUp, FollowUpKind, Placement
from coop.reports.figures import Figure, count, money, rate
from coop.reports.filters import cohort_scope
from coop.reports.sql import medians, months_after
from coop.support.models import Need, SupportStatus
from coop.support.queries import counts as support_counts

# -- SQL: the first day of the n-th calendar quarter after a date's quarter ---------------


class quarter_start(FunctionElement):  # noqa: N801 - used like a SQL function
    """``quarter_start(day, n)``: the first day of the ``n``-th quarter after the quarter
    holding ``day`` (n = 0: that quarter's first day). Mar 31 → n=2: Jul 1."""

    type = sa.Date()
    name = "quarter_start"
    inherit_cache = True


@compiles(quarter_start, "sqlite")
def _quarter_start_sqlite(element, compiler, **kw):
    day, n = (compiler.process(c, **kw) for c in element.clauses)
    # Back to the quarter's first month, then n quarters on (from day 1: never overflows).
    return (
        f"date({day}, 'start of month', "
        f"'-' || ((CAST(strftime('%m', {day}) AS INTEGER) - 1) % 3) || ' months', "
        f"'+' || (3 * ({n})) || ' months')"
    )


@compiles(quarter_start, "postgresql")
def _quarter_start_postgresql(element, compiler, **kw):
    day, n = (compiler.process(c, **kw) for c in element.clauses)
    return (
        f"CAST(date_trunc('quarter', {day}) + make_interval(months => CAST(3 * ({n}) AS INTEGER))"
        " AS DATE)"
    )


def quarter_start_py(day: date, n: int) -> date:
    """Python's ``quarter_start`` (for the page's wording and the tests)."""
    index = day.year * 4 + (day.month - 1) // 3 + n
    year, q = divmod(index, 4)
    return date(year, q * 3 + 1, 1)


# -- program years -------------------------------------------------------------------------


def program_year_of(day: date) -> int:
    """WIOA program years run 1 July to 30 June; PY2026 starts on 1 July 2026."""
    return day.year if day.month >= 7 else day.year - 1


def program_year_bounds(year: int) -> tuple[date, date]:
    return date(year, 7, 1), date(year + 1, 6, 30)


# -- the definitions shown on the page and in the CSV ---------------------------------------

EMPLOYED = (EmploymentStatus.CAREER_TRACK, EmploymentStatus.EMPLOYED_OTHER)

DEFINITIONS = {
    "emp_q2": (
        "Employment rate, 2nd quarter after exit",
        "Exiters employed at any time in the 2nd calendar quarter after the quarter they "
        "exited: a verified placement held in that quarter, or the 2nd-quarter follow-up "
        "found them employed (career-track or not).",
        "exiters whose 2nd quarter after exit has ended",
    ),
    "emp_q4": (
        "Employment rate, 4th quarter after exit",
        "As above, in the 4th calendar quarter after the quarter of exit.",
        "exiters whose 4th quarter after exit has ended",
    ),
    "earn_q2": (
        "Median earnings, 2nd quarter after exit",
        "The median quarterly earnings (annual salary ÷ 4 of the best-paid verified "
        "placement held in that quarter) of exiters employed through a placement then.",
        "exiters with a verified placement in their 2nd quarter after exit",
    ),
    "cred": (
        "Credential attainment rate",
        "Exiters who earned a staff-verified credential between the start of their "
        "cohort and one year after exit.",
        "exiters whose year after exit has ended",
    ),
    "msg": (
        "Measurable skill gains",
        "Participants with at least one measurable skill gain (a verified credential, or "
        "an assessment gain above the threshold) between their cohort's start and the end "
        "of the program year.",
        "participants enrolled in or graduated from the program year's cohorts",
    ),
    "employers": (
        "Effectiveness in serving employers",
        "The share of employer partners who hired more than once: two or more placements "
        "of the group's participants.",
        "employer partners who hired at least one of the group's participants",
    ),
}

UNITS = {
    "emp_q2": "exiters",
    "emp_q4": "exiters",
    "earn_q2": "employed exiters",
    "cred": "exiters",
    "msg": "participants",
    "employers": "employers",
}


@dataclass
class Group:
    key: str
    level: str  # all, city, track, cohort
    label: str
    exiters: int = 0
    figures: dict[str, Figure] = field(default_factory=dict)


@dataclass
class WioaReport:
    year: int
    start: date
    end: date
    today: date
    groups: list[Group]

    def level(self, name: str) -> list[Group]:
        return [g for g in self.groups if g.level == name]


# -- the queries ---------------------------------------------------------------------------


def _levels(sub):
    """``sub`` (with cohort_id, city_id and track_id columns) once per level of the
    report, with a ``grp`` key: 'all', 'city:3', 'track:2', 'cohort:12'."""
    cols = [c for c in sub.c if c.key != "grp"]

    def keyed(prefix, column):
        return sa.literal_column(f"'{prefix}:'", sa.String) + sa.cast(column, sa.String)

    return sa.union_all(
        sa.select(sa.literal_column("'all'", sa.String).label("grp"), *cols),
        sa.select(keyed("city", sub.c.city_id).label("grp"), *cols),
        sa.select(keyed("track", sub.c.track_id).label("grp"), *cols),
        sa.select(keyed("cohort", sub.c.cohort_id).label("grp"), *cols),
    ).subquery("by_level")


def _held_between(start, end_excl):
    """SQL: a verified placement of the person held at some time in [start, end_excl)."""
    return sa.and_(
        Placement.verified_at.is_not(None),
        Placement.start_date < end_excl,
        sa.or_(Placement.end_date.is_(None), Placement.end_date >= start),
    )


def build(user, year: int, today: date) -> WioaReport:
    """The report for program ``year`` over the cohorts the viewer may see: five queries."""
    start, end = program_year_bounds(year)
    scope = user.scope_to_cities(
        sa.select(Cohort.id).where(Cohort.end_date >= start, Cohort.end_date <= end),
        Cohort.city_id,
    )
    meta = db.session.execute(
        sa.select(Cohort.id, Cohort.name, City.id, City.name, Track.id, Track.name)
        .join(City, City.id == Cohort.city_id)
        .join(Track, Track.id == Cohort.track_id)
        .where(Cohort.id.in_(scope))
        .order_by(Cohort.end_date, Cohort.name, Cohort.id)
    ).all()
    groups: dict[str, Group] = {"all": Group("all", "all", "All cohorts")}
    for cid, cname, city_id, city, track_id, track in meta:
        groups.setdefault(f"city:{city_id}", Group(f"city:{city_id}", "city", city))
        groups.setdefault(f"track:{track_id}", Group(f"track:{track_id}", "track", track))
        groups[f"cohort:{cid}"] = Group(f"cohort:{cid}", "cohort", f"{cname} ({city})")

    exiters = _exiter_rows(scope, today).subquery("exiters")
    lv = _levels(exiters)
    one = sa.literal(1)
    totals = db.session.execute(
        sa.select(
            lv.c.grp,
            sa.func.count(),
            sa.func.sum(lv.c.q2_measured),
            sa.func.sum(sa.case((lv.c.q2_measured == 1, lv.c.q2_employed), else_=0)),
            sa.func.sum(lv.c.q4_measured),
            sa.func.sum(sa.case((lv.c.q4_measured == 1, lv.c.q4_employed), else_=0)),
            sa.func.sum(lv.c.cred_measured),
            sa.func.sum(sa.case((lv.c.cred_measured == 1, lv.c.cred_attained), else_=0)),
        ).group_by(lv.c.grp)
    ).all()
    earnings_values = (
        sa.select(
            lv.c.grp.label("grp"),
            sa.literal_column("'q2'", sa.String).label("measure"),
            lv.c.q2_salary.label("v"),
        )
        .where(lv.c.q2_measured == 1, lv.c.q2_salary.is_not(None))
        .subquery("earnings")
    )
    earnings = {
        grp: (float(median) / 4, n)
        for grp, _m, median, n in db.session.execute(medians(earnings_values))
    }
    gains = _gain_rows(scope, end).subquery("gains")
    lg = _levels(gains)
    msg = {
        grp: (n, gained)
        for grp, n, gained in db.session.execute(
            sa.select(lg.c.grp, sa.func.count(), sa.func.sum(lg.c.gained)).group_by(lg.c.grp)
        )
    }
    hires = _hire_rows(scope).subquery("hires")
    lh = _levels(hires)
    per_partner = (
        sa.select(lh.c.grp, lh.c.partner_id, sa.func.count().label("n"))
        .group_by(lh.c.grp, lh.c.partner_id)
        .subquery("per_partner")
    )
    employers = {
        grp: (n, repeat)
        for grp, n, repeat in db.session.execute(
            sa.select(
                per_partner.c.grp,
                sa.func.count(),
                sa.func.sum(sa.case((per_partner.c.n >= 2, one), else_=0)),
            ).group_by(per_partner.c.grp)
        )
    }

    by_grp = {row[0]: row for row in totals}
    for key, g in groups.items():
        _grp, n, q2m, q2e, q4m, q4e, cm, ca = by_grp.get(key, (key, 0, 0, 0, 0, 0, 0, 0))
        g.exiters = n or 0
        med, med_n = earnings.get(key, (None, 0))
        msg_n, msg_g = msg.get(key, (0, 0))
        emp_n, emp_r = employers.get(key, (0, 0))
        g.figures = {
            "emp_q2": _rate("emp_q2", q2e, q2m),
            "emp_q4": _rate("emp_q4", q4e, q4m),
            "earn_q2": money("earn_q2", DEFINITIONS["earn_q2"][0], med, med_n, UNITS["earn_q2"]),
            "cred": _rate("cred", ca, cm),
            "msg": _rate("msg", msg_g, msg_n),
            "employers": _rate("employers", emp_r, emp_n),
        }
    return WioaReport(year, start, end, today, list(groups.values()))


def _rate(key, num, den) -> Figure:
    label, note, _base = DEFINITIONS[key]
    return rate(key, label, int(num or 0), int(den or 0), UNITS[key], note=note)


def _exiter_rows(scope, today: date):
    """One row per exiter (a graduate; exit = their cohort's end date) with 0/1 flags."""
    e, c = Enrollment, Cohort
    exit_day = c.end_date
    q2s, q2e = quarter_start(exit_day, 2), quarter_start(exit_day, 3)
    q4s, q4e = quarter_start(exit_day, 4), quarter_start(exit_day, 5)
    year_after = months_after(exit_day, 12)
    one, zero = sa.literal(1), sa.literal(0)

    def flag(condition):
        return sa.case((condition, one), else_=zero)

    def employed(qs, qe, kind):
        placed = (
            sa.select(Placement.id)
            .where(Placement.participant_id == e.user_id, _held_between(qs, qe))
            .exists()
        )
        followed = (
            sa.select(FollowUp.id)
            .where(
                FollowUp.enrollment_id == e.id,
                FollowUp.kind == kind,
                FollowUp.closed_at.is_not(None),
                FollowUp.status.in_(EMPLOYED),
            )
            .exists()
        )
        return sa.or_(placed, followed)

    q2_salary = (
        sa.select(sa.func.max(Placement.salary))
        .where(Placement.participant_id == e.user_id, _held_between(q2s, q2e))
        .scalar_subquery()
    )
    attained = (
        sa.select(Credential.id)
        .where(
            Credential.participant_id == e.user_id,
            Credential.verified_at.is_not(None),
            Credential.earned_on >= c.start_date,
            Credential.earned_on <= year_after,
        )
        .exists()
    )
    return (
        sa.select(
            e.cohort_id.label("cohort_id"),
            c.city_id.label("city_id"),
            c.track_id.label("track_id"),
            flag(q2e <= today).label("q2_measured"),
            flag(employed(q2s, q2e, FollowUpKind.Q2)).label("q2_employed"),
            flag(q4e <= today).label("q4_measured"),
            flag(employed(q4s, q4e, FollowUpKind.Q4)).label("q4_employed"),
            q2_salary.label("q2_salary"),
            flag(year_after < today).label("cred_measured"),
            flag(attained).label("cred_attained"),
        )
        .join(c, c.id == e.cohort_id)
        .where(e.cohort_id.in_(scope), e.stage == Stage.GRADUATED)
    )


def skill_gain_union(scope):
    """Every domain's answer to ``events.skill_gains`` for ``scope``, unioned (a
    subquery of participant id, cohort id, gained_on, kind), or None."""
    found = events.answers(events.skill_gains, cohort_ids=scope)
    if not found:
        return None
    names = ("participant_id", "cohort_id", "gained_on", "kind")
    named = []
    for answer in found:  # one select each, its columns named here
        columns = zip(answer.selected_columns, names, strict=True)
        named.append(answer.with_only_columns(*(c.label(n) for c, n in columns)))
    return sa.union_all(*named).subquery("skill_gains")


def _gain_rows(scope, year_end: date):
    """One row per participant (enrolled or graduated) of the year's cohorts, with a
    0/1 ``gained`` flag from the union of skill-gain answers."""
    e, c = Enrollment, Cohort
    union = skill_gain_union(scope)
    if union is None:
        gained = sa.literal(0)
    else:
        pid, cid, day, _kind = union.c
        gained = sa.case(
            (
                sa.select(pid)
                .where(pid == e.user_id, cid == e.cohort_id, day >= c.start_date, day <= year_end)
                .exists(),
                sa.literal(1),
            ),
            else_=sa.literal(0),
        )
    return (
        sa.select(
            e.cohort_id.label("cohort_id"),
            c.city_id.label("city_id"),
            c.track_id.label("track_id"),
            gained.label("gained"),
        )
        .join(c, c.id == e.cohort_id)
        .where(e.cohort_id.in_(scope), e.stage.in_([Stage.ENROLLED, Stage.GRADUATED]))
    )


def _hire_rows(scope):
    """One row per placement with an employer partner, of the year's cohorts."""
    return (
        sa.select(
            Placement.cohort_id.label("cohort_id"),
            Cohort.city_id.label("city_id"),
            Cohort.track_id.label("track_id"),
            Placement.partner_id.label("partner_id"),
        )
        .join(Cohort, Cohort.id == Placement.cohort_id)
        .where(Placement.cohort_id.in_(scope), Placement.partner_id.is_not(None))
    )


def csv_rows(report: WioaReport) -> tuple[list[str], list[list]]:
    header = ["program_year", "level", "group", "exiters"]
    for key in DEFINITIONS:
        header += [key, f"{key}_base"]
    rows = []
    for g in report.groups:
        row = [f"PY{report.year}", g.level, g.label, count("n", "", g.exiters, None, "").text]
        for key in DEFINITIONS:
            f = g.figures[key]
            row += [f.export_value, f.base_text]
        rows.append(row)
    rows.append([])
    rows.append(["definition", "figure", "what it counts", "denominator"])
    for label, note, base in DEFINITIONS.values():
        rows.append(["definition", label, note, base])
    return header, rows


# -- the outcomes dashboard: credentials and support services ------------------------------


@dataclass
class DashboardPart:
    credentials: list[Figure]
    by_type: list[tuple[str, Figure]]
    support: list[tuple[str, list[Figure]]]
    outcomes: list[SupportStatus]


def dashboard_part(filters, user) -> DashboardPart:
    """Credentials (recorded, verified, by credential) and support referrals by need and
    outcome for the dashboard's cohorts (``filters``, as the viewer may see them): three
    queries, small groups withheld."""
    scope = cohort_scope(filters, user)
    c = Credential
    recorded, verified = db.session.execute(
        sa.select(
            sa.func.count(sa.distinct(c.participant_id)),
            sa.func.count(sa.distinct(sa.case((c.verified_at.is_not(None), c.participant_id)))),
        ).where(c.cohort_id.in_(scope))
    ).one()
    credentials = [
        count("cred_recorded", "People with a credential recorded", recorded, None, "people"),
        count("cred_verified", "People with a verified credential", verified, None, "people"),
    ]
    by_type = [
        (f"{name} ({issuer})", count(f"cred_{tid}", name, n, None, "people"))
        for tid, name, issuer, n in db.session.execute(
            sa.select(
                CredentialType.id,
                CredentialType.name,
                CredentialType.issuer,
                sa.func.count(sa.distinct(c.participant_id)),
            )
            .join(c, c.credential_type_id == CredentialType.id)
            .where(c.cohort_id.in_(scope), c.verified_at.is_not(None))
            .group_by(CredentialType.id, CredentialType.name, CredentialType.issuer)
            .order_by(CredentialType.name)
        )
    ]
    cells = {(need, status): n for need, status, n in support_counts(scope)}
    outcomes = list(SupportStatus)
    support = [
        (
            need.label,
            [
                count(f"support_{need}_{s}", s.label, cells.get((need, s), 0), None, "people")
                for s in outcomes
            ],
        )
        for need in Need
    ]
    return DashboardPart(credentials, by_type, support, outcomes)
