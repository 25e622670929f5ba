"""The outcomes dashboard: the figures for a selection of cohorts, in sections, and
the cohort-by-cohort comparison.

``build(filters, user)`` runs a fixed number of queries (one per group of figures)
and turns their numbers into ``Figure``s; nothing here touches the database per
cohort or per person.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from coop.db import utcnow
from coop.reports import queries
from coop.reports.figures import Figure, Kind, count, money, rate
from coop.reports.filters import Filters, cohort_scope
from coop.reports.queries import OUTCOME_MONTHS, TOTAL


@dataclass
class Section:
    key: str
    title: str
    figures: list[Figure]

    def __getitem__(self, key: str) -> Figure:
        for f in self.figures:
            if f.key == key:
                return f
        raise KeyError(key)


@dataclass
class CohortRow:
    """One cohort of the comparison. Its figures are built when first read: the page
    shows one page of rows, so most rows of a large program are only sorted by date."""

    id: int
    name: str
    city: str
    track: str
    start_date: date
    end_date: date
    status: str
    make_figures: Callable[[], dict[str, Figure]] | None = field(default=None, repr=False)
    _figures: dict[str, Figure] | None = field(default=None, repr=False)

    @property
    def figures(self) -> dict[str, Figure]:
        if self._figures is None:
            if self.make_figures is None:
                raise LookupError(f"cohort {self.id}'s figures were not computed (not shown)")
            self._figures = self.make_figures()
        return self._figures


@dataclass
class Column:
    """A column of the cohort comparison table (and its CSV)."""

    key: str
    label: str
    short: str


#: The comparison table's figure columns, in order.
COHORT_COLUMNS = [
    Column("applicants", "Applicants", "Applied"),
    Column("enrolled", "Enrolled", "Enrolled"),
    Column("graduated", "Graduated", "Graduated"),
    Column("completion_rate", "Completion rate", "Completion"),
    Column("attendance_rate", "Attendance rate", "Attendance"),
    Column("overcame_12m", "Overcame underemployment within 12 months", "Overcame (12 mo)"),
    Column("employed_q2", "Employed in 2nd quarter after exit", "Employed Q2"),
    Column("employed_q4", "Employed in 4th quarter after exit", "Employed Q4"),
    Column("median_intake", "Median intake salary", "Intake salary"),
    Column("median_placement", "Median salary at placement", "Placement salary"),
    Column("referrals", "Referrals made", "Referrals"),
    Column("hires", "Hires", "Hires"),
    Column("captains", "Alumni who returned as captains", "Captains"),
]
#: The comparison's identity columns, by which it sorts without reading any figure.
IDENTITY = {
    "cohort": lambda r: r.name.lower(),
    "city": lambda r: r.city.lower(),
    "track": lambda r: r.track.lower(),
    "start": lambda r: r.start_date,
}
#: Sort keys of the comparison table: the identity columns and every figure column.
SORT_KEYS = list(IDENTITY) + [c.key for c in COHORT_COLUMNS]


@dataclass(frozen=True)
class Page:
    """The page of the comparison that will be read: the rows in ``sort`` order, page
    ``number`` of ``per_page``."""

    sort: str
    descending: bool
    number: int
    per_page: int


@dataclass
class Dashboard:
    filters: Filters
    today: date
    sections: list[Section]
    cohorts: list[CohortRow]

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def figure(self, key: str) -> Figure:
        for s in self.sections:
            for f in s.figures:
                if f.key == key:
                    return f
        raise KeyError(key)

    def sorted_cohorts(self, key: str, descending: bool) -> list[CohortRow]:
        """The comparison rows sorted by a column. Withheld and empty values sort last
        either way, so sorting never reveals a hidden value's order."""
        if key not in SORT_KEYS:
            key, descending = "start", False
        if key in IDENTITY:
            return sorted(self.cohorts, key=IDENTITY[key], reverse=descending)
        shown = [r for r in self.cohorts if r.figures[key].chart_value is not None]
        hidden = [r for r in self.cohorts if r.figures[key].chart_value is None]
        shown.sort(key=lambda r: (r.figures[key].chart_value, r.start_date), reverse=descending)
        return shown + hidden


# -- figures from query rows ------------------------------------------------------------------

NOTES = {
    "applicants": "Everyone who applied to the cohorts in view.",
    "accepted": "Applicants offered a place (including those enrolled since).",
    "enrolled": "Applicants who took a seat (including those who graduated or left).",
    "graduated": "Enrolled participants who graduated.",
    "withdrawn": "Enrolled participants who left before graduating.",
    "completion_rate": "Graduated ÷ (graduated + withdrawn): of those who finished or left.",
    "attendance_rate": "Sessions attended (present or late) ÷ sessions held, for the "
    "cohorts' participants; a missing roll call counts as not attended.",
    "checkin_coverage": "Participants enrolled in active cohorts with a check-in in the "
    "last 14 days.",
    "flagged": "Participants enrolled in active cohorts with a check-in flagged for staff "
    "attention and not resolved yet.",
    "overcame_12m": "Graduates with a verified career-track placement that started within "
    f"{OUTCOME_MONTHS} months of their cohort's end, among graduates whose "
    f"{OUTCOME_MONTHS} months are over.",
    "employed_q2": "Employed (career-track or not) at the follow-up in the 2nd quarter "
    "after exit, among graduates reached.",
    "employed_q4": "Employed (career-track or not) at the follow-up in the 4th quarter "
    "after exit, among graduates reached.",
    "median_intake": "Intake salary of the graduates with a verified placement (the "
    "salary band's midpoint when no salary was given).",
    "median_placement": "Salary of each graduate's first verified placement.",
    "referrals": "Referrals to employers made for participants of the cohorts in view.",
    "interviews": "Referrals that reached an interview.",
    "hires": "Referrals that ended in a hire.",
    "hire_rate": "Hires ÷ referrals made.",
    "captains": "Graduates of the cohorts in view appointed as alumni captains.",
    "referred_by_alumni": "Applicants whose application names an alumnus who referred them.",
}

LABELS = {
    "applicants": "Applicants",
    "accepted": "Accepted",
    "enrolled": "Enrolled",
    "graduated": "Graduated",
    "withdrawn": "Withdrawn",
    "completion_rate": "Completion rate",
    "attendance_rate": "Attendance rate",
    "checkin_coverage": "Check-in coverage (last 14 days)",
    "flagged": "Participants flagged",
    "overcame_12m": "Overcame underemployment within 12 months",
    "employed_q2": "Employed in the 2nd quarter after exit",
    "employed_q4": "Employed in the 4th quarter after exit",
    "median_intake": "Median intake salary",
    "median_placement": "Median salary at placement",
    "referrals": "Referrals made",
    "interviews": "Interviews",
    "hires": "Hires",
    "hire_rate": "Hire rate",
    "captains": "Alumni who returned as captains",
    "referred_by_alumni": "Applicants referred by alumni",
}

KINDS = {
    "completion_rate": Kind.RATE,
    "attendance_rate": Kind.RATE,
    "checkin_coverage": Kind.RATE,
    "overcame_12m": Kind.RATE,
    "employed_q2": Kind.RATE,
    "employed_q4": Kind.RATE,
    "hire_rate": Kind.RATE,
    "median_intake": Kind.MONEY,
    "median_placement": Kind.MONEY,
}


def _c(key, n, base, unit) -> Figure:
    return count(key, LABELS[key], n, base, unit, NOTES[key])


def _r(key, num, den, unit, base=None) -> Figure:
    return rate(key, LABELS[key], num, den, unit, base=base, note=NOTES[key])


def _m(key, amount, base, unit) -> Figure:
    return money(key, LABELS[key], amount, base, unit, NOTES[key])


def funnel_figures(row: dict | None) -> list[Figure]:
    row = row or {}
    applicants, enrolled = row.get("applicants", 0), row.get("enrolled", 0)
    graduated, withdrawn = row.get("graduated", 0), row.get("withdrawn", 0)
    return [
        _c("applicants", applicants, applicants, "people who applied"),
        _c("accepted", row.get("accepted"), applicants, "applicants"),
        _c("enrolled", enrolled, applicants, "applicants"),
        _c("graduated", graduated, enrolled, "enrolled"),
        _c("withdrawn", withdrawn, enrolled, "enrolled"),
        _r("completion_rate", graduated, graduated + withdrawn, "who finished or left"),
    ]


def engagement_figures(att: dict | None, chk: dict | None) -> list[Figure]:
    att, chk = att or {}, chk or {}
    active = chk.get("active", 0)
    unit = "participants in active cohorts"
    return [
        _r(
            "attendance_rate",
            int(att.get("attended") or 0),
            int(att.get("possible") or 0),
            "participants",
            base=int(att.get("people") or 0),
        ),
        _r("checkin_coverage", chk.get("covered", 0), active, unit),
        _c("flagged", chk.get("flagged", 0), active, unit),
    ]


def outcome_figures(outcomes: dict | None, fups: dict | None, pay: dict | None) -> list[Figure]:
    o, f, p = outcomes or {}, fups or {}, pay or {}
    unit = f"graduates {OUTCOME_MONTHS}+ months after exit"
    out = [_r("overcame_12m", o.get("overcame", 0), o.get("eligible", 0), unit)]
    for kind in ("q2", "q4"):
        reached = f.get(f"{kind}_reached", 0)
        out.append(
            _r(f"employed_{kind}", f.get(f"{kind}_employed", 0), reached, "graduates reached")
        )
    out.append(
        _m("median_intake", p.get("intake_median"), p.get("intake_n", 0), "placed graduates")
    )
    out.append(
        _m("median_placement", p.get("placed_median"), p.get("placed_n", 0), "placed graduates")
    )
    return out


def network_figures(refs: dict | None, caps: dict | None, fun: dict | None) -> list[Figure]:
    r, fun = refs or {}, fun or {}
    made = r.get("referrals", 0)
    return [
        _c("referrals", made, r.get("people", 0), "people referred"),
        _c("interviews", r.get("interviewed", 0), made, "referrals"),
        _c("hires", r.get("hired", 0), made, "referrals"),
        _r("hire_rate", r.get("hired", 0), made, "referrals"),
        _c("captains", (caps or {}).get("captains", 0), fun.get("graduated", 0), "graduates"),
        _c("referred_by_alumni", fun.get("referred", 0), fun.get("applicants", 0), "applicants"),
    ]


# -- building the dashboard -------------------------------------------------------------------


def build(
    filters: Filters, user, now: datetime | None = None, page: Page | None = None
) -> Dashboard:
    """Every figure for the cohorts ``filters`` select among those ``user`` may see.

    ``page``: the comparison rows whose figures will be read. Sorted by an identity
    column, only that page's cohorts get per-cohort figures (the others raise
    ``LookupError`` if read): at 6,000 cohorts, turning every cohort's figures into
    Python objects cost more than the queries. Sorted by a figure, or with no ``page``
    (the CSV), every cohort gets them. The totals are over every cohort either way."""
    now = now or utcnow()
    today = now.date()
    queries.tune_for_reports()
    scope = cohort_scope(filters, user)
    cohort_rows = queries.cohorts(scope)
    rows = [
        CohortRow(
            id=c.id,
            name=c.name,
            city=c.city,
            track=c.track,
            start_date=c.start_date,
            end_date=c.end_date,
            status=str(c.status),
        )
        for c in cohort_rows
    ]
    dashboard = Dashboard(filters=filters, today=today, sections=[], cohorts=rows)
    shown = None
    if page is not None and page.sort in IDENTITY:
        start = (max(page.number, 1) - 1) * page.per_page
        ordered = dashboard.sorted_cohorts(page.sort, page.descending)
        shown = [r.id for r in ordered[start : start + page.per_page]]
    fun = queries.funnel(scope, shown)
    att = queries.attendance(scope, now, shown)
    chk = queries.checkins(scope, today, shown)
    outc = queries.placement_outcomes(scope, today, shown)
    fups = queries.follow_ups(scope, shown)
    pay = queries.salaries(scope, shown)
    refs = queries.referrals(scope, shown)
    caps = queries.returning_captains(scope, shown)

    def figures_for(key: int) -> list[Section]:
        return [
            Section("funnel", "Funnel", funnel_figures(fun.get(key))),
            Section("engagement", "Engagement", engagement_figures(att.get(key), chk.get(key))),
            Section(
                "outcomes",
                "Outcomes",
                outcome_figures(outc.get(key), fups.get(key), pay.get(key)),
            ),
            Section(
                "network",
                "The network",
                network_figures(refs.get(key), caps.get(key), fun.get(key)),
            ),
        ]

    def figures_of(key: int) -> Callable[[], dict[str, Figure]]:
        return lambda: {f.key: f for s in figures_for(key) for f in s.figures}

    computed = None if shown is None else set(shown)
    for row in rows:
        if computed is None or row.id in computed:
            row.make_figures = figures_of(row.id)
    dashboard.sections = figures_for(TOTAL)
    return dashboard
