"""Every dashboard figure against the hand-computed data set (tests/reports/conftest.py),
on whichever database the suite runs on (SQLite, or PostgreSQL with
COOP_TEST_DATABASE_URL)."""

from datetime import date

import pytest
import sqlalchemy as sa

from coop.auth.models import Role
from coop.extensions import db
from coop.reports.dashboard import Page, build
from coop.reports.filters import Filters
from coop.reports.sql import medians, months_after
from tests.reports.conftest import NOW

#: (value, base) of every figure for the whole data set.
TOTAL = {
    "applicants": (33, 33),
    "accepted": (26, 33),
    "enrolled": (25, 33),
    "graduated": (16, 25),
    "withdrawn": (3, 25),
    "completion_rate": (16 / 19, 19),
    "attendance_rate": (15 / 20, 14),
    "checkin_coverage": (3 / 6, 6),
    "flagged": (2, 6),
    "overcame_12m": (6 / 13, 13),
    "employed_q2": (6 / 9, 9),
    "employed_q4": (4 / 5, 5),
    "median_intake": (30500, 8),
    "median_placement": (55000, 9),
    "referrals": (9, 8),
    "interviews": (5, 9),
    "hires": (2, 9),
    "hire_rate": (2 / 9, 9),
    "captains": (3, 16),
    "referred_by_alumni": (3, 33),
}

#: (value, base) per cohort for the comparison table's columns.
PER_COHORT = {
    "A1": {
        "applicants": (14, 14),
        "enrolled": (10, 14),
        "graduated": (8, 10),
        "completion_rate": (8 / 10, 10),
        "attendance_rate": (7 / 8, 8),
        "overcame_12m": (4 / 8, 8),
        "employed_q2": (2 / 4, 4),
        "employed_q4": (4 / 5, 5),
        "median_intake": (31000, 6),
        "median_placement": (55000, 6),
        "referrals": (7, 6),
        "hires": (2, 7),
        "captains": (2, 8),
    },
    "A2": {
        "applicants": (9, 9),
        "enrolled": (6, 9),
        "graduated": (0, 6),
        "completion_rate": (None, 0),
        "attendance_rate": (8 / 12, 6),
        "overcame_12m": (None, 0),
        "employed_q2": (None, 0),
        "employed_q4": (None, 0),
        "median_intake": (None, 0),
        "median_placement": (None, 0),
        "referrals": (2, 2),
        "hires": (0, 2),
        "captains": (0, 0),
    },
    "B1": {
        "applicants": (7, 7),
        "enrolled": (6, 7),
        "graduated": (5, 6),
        "completion_rate": (5 / 6, 6),
        "attendance_rate": (None, 0),
        "overcame_12m": (2 / 5, 5),
        "employed_q2": (4 / 5, 5),
        "employed_q4": (None, 0),
        "median_intake": (31000, 1),
        "median_placement": (52500, 2),
        "referrals": (0, 0),
        "hires": (0, 0),
        "captains": (1, 5),
    },
    "B2": {
        "applicants": (4, 4),
        "enrolled": (3, 4),
        "graduated": (3, 3),
        "completion_rate": (3 / 3, 3),
        "attendance_rate": (None, 0),
        "overcame_12m": (None, 0),
        "employed_q2": (None, 0),
        "employed_q4": (None, 0),
        "median_intake": (29000, 1),
        "median_placement": (57000, 1),
        "referrals": (0, 0),
        "hires": (0, 0),
        "captains": (0, 3),
    },
}


def staff(factory, **kw):
    return factory.user(Role.STAFF, **kw)


def values(figures) -> dict:
    return {
        f.key: (pytest.approx(f.value) if isinstance(f.value, float) else f.value, f.base)
        for f in figures
    }


def expected(table: dict) -> dict:
    return {
        k: (pytest.approx(v) if isinstance(v, float) else v, base) for k, (v, base) in table.items()
    }


def test_every_total_matches_the_hand_computed_values(outcome_data, factory):
    dash = build(Filters(), staff(factory), now=NOW)
    got = values(f for s in dash.sections for f in s.figures)
    assert got == expected(TOTAL)


def test_every_cohort_row_matches_the_hand_computed_values(outcome_data, factory):
    dash = build(Filters(), staff(factory), now=NOW)
    by_name = {r.name: r for r in dash.cohorts}
    assert list(by_name) == ["Cohort A1", "Cohort B1", "Cohort B2", "Cohort A2"]  # by start
    for key, table in PER_COHORT.items():
        row = by_name[f"Cohort {key}"]
        got = {k: (f.value, f.base) for k, f in row.figures.items() if k in table}
        assert values(row.figures[k] for k in table) == expected(table), key
        assert got.keys() == table.keys()


@pytest.mark.parametrize(
    ("page", "shown"),
    [
        (Page("start", True, 1, 2), ["A2", "B2"]),  # the latest first
        (Page("start", True, 2, 2), ["B1", "A1"]),
        (Page("cohort", False, 2, 3), ["B2"]),
        (Page("start", True, 3, 2), []),  # past the end
    ],
)
def test_a_page_of_the_comparison_gets_the_same_figures_and_totals(
    outcome_data, factory, page, shown
):
    """Sorted by an identity column, only the page's cohorts get figures, and they and
    the totals are those of the whole comparison; reading another row's figures fails
    rather than showing zeros."""
    user = staff(factory)
    whole = build(Filters(), user, now=NOW)
    paged = build(Filters(), user, now=NOW, page=page)
    assert values(f for s in paged.sections for f in s.figures) == expected(TOTAL)
    assert [r.name for r in paged.cohorts] == [r.name for r in whole.cohorts]
    every = {r.name: r for r in whole.cohorts}
    for row in paged.cohorts:
        key = row.name.removeprefix("Cohort ")
        if key in shown:
            assert values(row.figures.values()) == values(every[row.name].figures.values())
        else:
            with pytest.raises(LookupError):
                row.figures  # noqa: B018


def test_sorted_by_a_figure_every_cohort_gets_figures(outcome_data, factory):
    dash = build(Filters(), staff(factory), now=NOW, page=Page("applicants", True, 1, 1))
    order = [r.name for r in dash.sorted_cohorts("applicants", True)]
    assert order == ["Cohort A1", "Cohort A2", "Cohort B1", "Cohort B2"]


def test_small_groups_show_as_under_five_and_rates_on_them_are_withheld(outcome_data, factory):
    dash = build(Filters(), staff(factory), now=NOW)
    shown = {f.key: f.text for s in dash.sections for f in s.figures}
    assert shown["applicants"] == "33"
    assert shown["completion_rate"] == "84%"
    assert shown["attendance_rate"] == "75%"
    assert shown["overcame_12m"] == "46%"
    assert shown["median_placement"] == "$55,000"
    assert shown["median_intake"] == "$30,500"
    assert shown["flagged"] == "<5"  # 2 people
    assert shown["hires"] == "<5"
    assert shown["captains"] == "<5"
    assert shown["employed_q4"] == "80%"  # 5 people: shown
    assert dash.figure("employed_q4").based_on == "based on 5 graduates reached"
    rows = {r.name: r.figures for r in dash.cohorts}
    assert rows["Cohort B2"]["graduated"].text == "<5"
    assert rows["Cohort B2"]["completion_rate"].text == "—"  # 3 of 3: withheld
    assert rows["Cohort B2"]["completion_rate"].based_on == "based on <5 who finished or left"
    assert rows["Cohort B2"]["completion_rate"].export_value == "withheld"
    assert rows["Cohort B1"]["median_placement"].text == "—"  # 2 salaries: withheld
    assert rows["Cohort A1"]["employed_q2"].withheld  # 4 people reached
    assert rows["Cohort A2"]["graduated"].text == "0"  # zero identifies nobody
    assert rows["Cohort A2"]["overcame_12m"].empty
    assert rows["Cohort A2"]["overcame_12m"].export_value == ""


def test_city_staff_figures_cover_only_their_cities(outcome_data, factory):
    alpha = outcome_data.cities["alpha"]
    dash = build(Filters(), staff(factory, cities=[alpha], all_cities=False), now=NOW)
    assert [r.name for r in dash.cohorts] == ["Cohort A1", "Cohort A2"]
    got = values(f for s in dash.sections for f in s.figures)
    assert got["applicants"] == (23, 23)
    assert got["graduated"] == (8, 16)
    assert got["overcame_12m"] == (pytest.approx(4 / 8), 8)
    assert got["referrals"] == (9, 8)
    assert got["captains"] == (2, 8)
    assert got["median_placement"] == (55000, 6)
    # A filter cannot widen the scope: asking for the other city's cohort finds nothing.
    other = outcome_data.cohorts["B1"]
    dash = build(
        Filters(cohort_id=other.id), staff(factory, cities=[alpha], all_cities=False), now=NOW
    )
    assert dash.cohorts == []
    assert dash.figure("applicants").value == 0


@pytest.mark.parametrize(
    ("filters", "cohorts", "applicants"),
    [
        (lambda d: Filters(city_id=d.cities["beta"].id), ["B1", "B2"], 11),
        (lambda d: Filters(track_id=d.tracks["da"].id), ["B2", "A2"], 13),
        (lambda d: Filters(cohort_id=d.cohorts["B1"].id), ["B1"], 7),
        # h5 applied to A2 and graduated from B1: one person.
        (lambda d: Filters(start_from=date(2025, 1, 1)), ["B1", "B2", "A2"], 19),
        (lambda d: Filters(start_to=date(2024, 12, 31)), ["A1"], 14),
        (
            lambda d: Filters(start_from=date(2025, 1, 10), start_to=date(2025, 9, 1)),
            ["B1", "B2"],
            11,
        ),
        (
            lambda d: Filters(city_id=d.cities["alpha"].id, track_id=d.tracks["dm"].id),
            ["A1"],
            14,
        ),
    ],
)
def test_filters_select_cohorts(outcome_data, factory, filters, cohorts, applicants):
    dash = build(filters(outcome_data), staff(factory), now=NOW)
    assert [r.name for r in dash.cohorts] == [f"Cohort {c}" for c in cohorts]
    assert dash.figure("applicants").value == applicants


def test_empty_selection_has_zero_counts_and_no_rates(factory):
    dash = build(Filters(), staff(factory), now=NOW)
    assert dash.cohorts == []
    assert dash.figure("applicants").text == "0"
    assert dash.figure("completion_rate").text == "—"
    assert dash.figure("completion_rate").based_on == "based on 0 who finished or left"
    assert dash.figure("median_placement").text == "—"


@pytest.mark.parametrize(
    ("day", "months", "expected_day"),
    [
        (date(2024, 12, 20), 12, date(2025, 12, 20)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 8, 31), 6, date(2025, 2, 28)),
        (date(2023, 8, 31), 6, date(2024, 2, 29)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 3, 15), 0, date(2024, 3, 15)),
    ],
)
def test_months_after_matches_the_referrals_rule_in_sql(day, months, expected_day):
    from coop.referrals.models import add_months

    got = db.session.scalar(sa.select(months_after(sa.literal(day, sa.Date()), months)))
    if isinstance(got, str):  # SQLite returns the text of a bare expression
        got = date.fromisoformat(got)
    assert got == expected_day == add_months(day, months)


@pytest.mark.parametrize(
    ("numbers", "median"),
    [([7], 7), ([1, 9], 5), ([5, 1, 3], 3), ([4, 1, 3, 2], 2.5), ([10, 10, 20, 30, 40], 20)],
)
def test_medians_in_sql(numbers, median):
    rows = sa.union_all(
        *(
            sa.select(
                sa.literal(1).label("grp"),
                sa.literal("m").label("measure"),
                sa.literal(n).label("v"),
            )
            for n in numbers
        )
    ).subquery()
    (grp, measure, got, n) = db.session.execute(medians(rows)).one()
    assert float(got) == median
    assert n == len(numbers)


def test_a_session_counts_as_held_once_it_is_over_however_long(factory):
    """Held means over: a 600-minute session (the longest) that started 599 minutes ago
    is still running; one that started 600 minutes ago, and a short one just over,
    are held."""
    from datetime import UTC, datetime, timedelta

    from coop.programs.models import Cohort
    from coop.reports import queries
    from coop.sessions.models import LONGEST_MINUTES, VirtualSession

    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    cohort = factory.cohort()
    factory.enrollment(cohort=cohort)
    for i, (started_ago, minutes) in enumerate(
        [(LONGEST_MINUTES, LONGEST_MINUTES), (LONGEST_MINUTES - 1, LONGEST_MINUTES), (31, 30)]
    ):
        starts = now - timedelta(minutes=started_ago)
        db.session.add(
            VirtualSession(
                cohort_id=cohort.id,
                title=f"Session {i}",
                starts_at=starts,
                local_date=starts.date(),
                local_time=starts.time(),
                duration_minutes=minutes,
            )
        )
    db.session.flush()

    figures = queries.attendance(sa.select(Cohort.id).where(Cohort.id == cohort.id), now)

    assert figures[queries.TOTAL]["possible"] == 2  # two sessions held, one member
    assert figures[cohort.id]["people"] == 1
