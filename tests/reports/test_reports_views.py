"""The dashboard page and its CSV exports: who may see them, what they show, filters,
sorting, exports and a fixed number of queries."""

import csv
import io
from datetime import date, timedelta

import pytest

from coop.auth.models import Role
from coop.enrollment.models import Stage
from coop.extensions import db
from coop.programs.models import CohortStatus
from coop.referrals.models import EmploymentStatus, FollowUpKind, ReferralStage
from coop.reports.exports import TABLES
from coop.sessions.models import AttendanceStatus
from tests.reports.conftest import Builder, at

DASHBOARD = "/reports/outcomes"


def read_csv(response) -> list[list[str]]:
    text = response.data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


# -- permissions --------------------------------------------------------------------------


ROUTES = [DASHBOARD] + [f"/reports/outcomes/{t}.csv" for t in TABLES]


@pytest.mark.parametrize("url", ROUTES)
def test_anonymous_is_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("url", ROUTES)
@pytest.mark.parametrize("role", ["captain", "participant"])
def test_captains_and_participants_get_404(client, login_as, url, role):
    login_as(role)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", ROUTES)
@pytest.mark.parametrize("role", ["staff", "city_staff"])
def test_staff_and_city_staff_get_the_page(client, login_as, url, role):
    login_as(role)
    response = client.get(url)
    assert response.status_code == 200
    if url.endswith(".csv"):
        assert response.mimetype == "text/csv"
        assert "attachment" in response.headers["Content-Disposition"]


def test_unknown_table_is_404(client, login_as):
    login_as("staff")
    assert client.get("/reports/outcomes/secrets.csv").status_code == 404


def test_nav_shows_outcomes_to_staff_only(client, login_as, factory):
    login_as("staff")
    assert b'href="/reports/outcomes"' in client.get(DASHBOARD).data
    login_as("captain")
    page = client.get("/account").data
    assert b'href="/reports/outcomes"' not in page


# -- what the page shows ------------------------------------------------------------------


def test_dashboard_shows_every_section_with_figures_and_bases(client, login_as, outcome_data):
    login_as("staff")
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for heading in ("Funnel", "Engagement", "Outcomes", "The network", "Cohort by cohort"):
        assert f">{heading}</h2>" in page
    assert "Outcomes by cohort over time" in page
    # Figures that do not depend on today's date.
    assert '<tr data-figure="applicants">' in page
    assert "based on 33 people who applied" in page
    assert "84%" in page  # completion 16 of 19
    assert "based on 19 who finished or left" in page
    assert "$55,000" in page and "$30,500" in page
    assert "based on 9 placed graduates" in page
    # Small groups.
    assert "&lt;5" in page
    # Every cohort is in the comparison table.
    for key in ("A1", "A2", "B1", "B2"):
        assert f'data-cohort="{outcome_data.cohorts[key].id}"' in page
    # Each chart has a title for screen readers; no inline style anywhere.
    # Three charts, each drawn once (the cohort chart is no longer drawn twice).
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 3
    assert '<title id="chart-funnel-title">' in page
    assert "style=" not in page
    assert "<script>" not in page


def test_city_staff_see_only_their_cities(client, login_as, outcome_data):
    login_as("city_staff", cities=[outcome_data.cities["alpha"]])
    page = client.get(DASHBOARD).get_data(as_text=True)
    assert f'data-cohort="{outcome_data.cohorts["A1"].id}"' in page
    assert f'data-cohort="{outcome_data.cohorts["B1"].id}"' not in page
    assert "Cohort B1" not in page  # not even in the cohort filter
    assert ">Beta</option>" not in page
    assert "based on 23 people who applied" in page


@pytest.mark.parametrize("param", ["city", "cohort"])
def test_city_staff_asking_for_another_city_get_404(client, login_as, outcome_data, param):
    login_as("city_staff", cities=[outcome_data.cities["alpha"]])
    other = outcome_data.cities["beta"] if param == "city" else outcome_data.cohorts["B1"]
    assert client.get(f"{DASHBOARD}?{param}={other.id}").status_code == 404
    assert client.get(f"/reports/outcomes/cohorts.csv?{param}={other.id}").status_code == 404


@pytest.mark.parametrize("query", ["city=999999", "track=999999", "cohort=abc", "cohort=-1"])
def test_unknown_ids_are_404(client, login_as, outcome_data, query):
    login_as("staff")
    assert client.get(f"{DASHBOARD}?{query}").status_code == 404


def test_filters_narrow_the_page(client, login_as, outcome_data):
    login_as("staff")
    beta = outcome_data.cities["beta"].id
    page = client.get(f"{DASHBOARD}?city={beta}").get_data(as_text=True)
    assert f'data-cohort="{outcome_data.cohorts["B1"].id}"' in page
    assert f'data-cohort="{outcome_data.cohorts["A1"].id}"' not in page
    assert "based on 11 people who applied" in page
    assert "(filtered)" in page
    # The filters carry over to the export and sort links.
    assert f"/reports/outcomes/funnel.csv?city={beta}" in page
    assert f"sort=applicants&amp;dir=desc&amp;city={beta}" in page


def test_a_date_range_the_wrong_way_round_is_refused(client, login_as, outcome_data):
    login_as("staff")
    response = client.get(f"{DASHBOARD}?start_from=2026-01-01&start_to=2025-01-01")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "The end of the range must not be before its start." in page
    assert "data-figure" not in page
    response = client.get("/reports/outcomes/funnel.csv?start_from=not-a-date")
    assert response.status_code == 400


def test_sorting_the_cohort_table(client, login_as, outcome_data):
    login_as("staff")
    ids = {k: str(c.id) for k, c in outcome_data.cohorts.items()}

    def order(query):
        page = client.get(f"{DASHBOARD}?{query}").get_data(as_text=True)
        found = [(page.index(f'data-cohort="{i}"'), k) for k, i in ids.items()]
        return [k for _, k in sorted(found)]

    assert order("") == ["A2", "B2", "B1", "A1"]  # the most recent first
    assert order("sort=start&dir=asc") == ["A1", "B1", "B2", "A2"]
    assert order("sort=applicants&dir=desc") == ["A1", "A2", "B1", "B2"]
    # B2's 4 applicants show as <5, so B2 sorts last either way (its place would tell).
    assert order("sort=applicants&dir=asc") == ["B1", "A2", "A1", "B2"]
    assert order("sort=cohort&dir=desc") == ["B2", "B1", "A2", "A1"]
    # Withheld and empty values go last either way: B2's 3-of-3 completion is hidden.
    assert order("sort=completion_rate&dir=desc") == ["B1", "A1", "B2", "A2"]
    assert order("sort=completion_rate&dir=asc") == ["A1", "B1", "B2", "A2"]
    assert order("sort=nonsense") == ["A2", "B2", "B1", "A1"]
    page = client.get(f"{DASHBOARD}?sort=applicants&dir=desc").get_data(as_text=True)
    assert 'aria-sort="descending"' in page


# -- exports ------------------------------------------------------------------------------


def test_section_csv_has_values_and_bases(client, login_as, outcome_data):
    login_as("staff")
    rows = read_csv(client.get("/reports/outcomes/funnel.csv"))
    assert rows[0] == ["figure", "value", "based on", "of", "definition"]
    by_label = {r[0]: r for r in rows[1:]}
    assert by_label["Applicants"][1:4] == ["33", "33", "people who applied"]
    assert by_label["Completion rate"][1:4] == ["84%", "19", "who finished or left"]
    rows = read_csv(client.get("/reports/outcomes/network.csv"))
    by_label = {r[0]: r for r in rows[1:]}
    assert by_label["Hires"][1] == "<5"
    assert by_label["Referrals made"][1:3] == ["9", "8"]


def test_cohort_csv_follows_filters_and_sort_and_hides_small_groups(client, login_as, outcome_data):
    login_as("staff")
    beta = outcome_data.cities["beta"].id
    response = client.get(f"/reports/outcomes/cohorts.csv?city={beta}&sort=cohort&dir=desc")
    assert "filtered" in response.headers["Content-Disposition"]
    rows = read_csv(response)
    header = rows[0]
    assert header[:6] == ["cohort", "city", "track", "start date", "end date", "status"]
    assert [r[0] for r in rows[1:]] == ["Cohort B2", "Cohort B1"]
    b2 = dict(zip(header, rows[1], strict=True))
    assert b2["Graduated"] == "<5"
    assert b2["Completion rate"] == "withheld"
    assert b2["Completion rate: based on"] == "<5"
    assert b2["start date"] == "2025-09-01"
    b1 = dict(zip(header, rows[2], strict=True))
    assert b1["Overcame underemployment within 12 months: based on"] == "5"
    assert b1["Applicants"] == "7"


def test_csv_cells_are_neutralised(client, login_as, factory):
    login_as("staff")
    cohort = factory.cohort(name='=HYPERLINK("http://evil")')
    factory.enrollment(cohort=cohort, stage=Stage.ENROLLED)
    rows = read_csv(client.get("/reports/outcomes/cohorts.csv"))
    assert rows[1][0] == '\'=HYPERLINK("http://evil")'


# -- queries ------------------------------------------------------------------------------


def add_cohort_with_people(factory, city, n: int, start: date):
    """A completed cohort with ``n`` graduates, each with attendance, a check-in, a
    placement, a referral and a follow-up, to grow every table the dashboard reads."""
    b = Builder(factory)
    cohort = factory.cohort(
        city=city,
        start_date=start,
        end_date=start + timedelta(weeks=16),
        name=f"Big {start}",
        status=CohortStatus.COMPLETED,
    )
    key = f"big-{cohort.id}"
    b.data.cohorts[key] = cohort
    session = b.session(key, at(start + timedelta(days=1)))
    for i in range(n):
        person = f"{key}-{i}"
        b.enroll(person, key, Stage.GRADUATED, path=(Stage.APPLIED, Stage.ENROLLED), intake=30000)
        b.attend(session, person, AttendanceStatus.PRESENT)
        b.checkin(key, person, start + timedelta(days=3), flag=i % 2 == 0)
        b.placement(person, start + timedelta(weeks=20), 50000 + i * 1000)
        b.referral(person, key, ReferralStage.HIRED, (ReferralStage.REFERRED, ReferralStage.HIRED))
        b.follow_up(person, key, FollowUpKind.Q2, EmploymentStatus.CAREER_TRACK)
        if i == 0:
            b.appoint(person, key)
    return cohort


def test_query_count_is_fixed_whatever_the_data_size(client, login_as, factory, count_queries):
    login_as("staff")
    city = factory.city()
    add_cohort_with_people(factory, city, 3, date(2024, 1, 8))
    db.session.commit()
    with count_queries() as small:
        assert client.get(DASHBOARD).status_code == 200
    for k in range(3):
        add_cohort_with_people(factory, city, 10, date(2024, 3, 4) + timedelta(weeks=k))
    db.session.commit()
    with count_queries() as large:
        assert client.get(DASHBOARD).status_code == 200
    # 13, + the menu's flagged check-ins count, + the hiring events section (coop.reports.hiring), + credentials, credentials by
    # type, support by need and outcome (coop.reports.workforce); on PostgreSQL one more:
    # the dashboard turns JIT off for its transaction.
    expected = 19 if db.engine.dialect.name == "postgresql" else 18
    assert small.count == large.count == expected, "\n".join(large.statements)


def test_export_query_count_is_fixed(client, login_as, factory, count_queries):
    login_as("staff")
    city = factory.city()
    add_cohort_with_people(factory, city, 3, date(2024, 1, 8))
    db.session.commit()
    with count_queries() as small:
        client.get("/reports/outcomes/cohorts.csv")
    for k in range(2):
        add_cohort_with_people(factory, city, 12, date(2024, 3, 4) + timedelta(weeks=k))
    db.session.commit()
    with count_queries() as large:
        client.get("/reports/outcomes/cohorts.csv")
    assert small.count == large.count


def test_role_check_happens_before_any_report_query(client, login_as, count_queries):
    login_as(Role.CAPTAIN.value)
    with count_queries() as q:
        assert client.get(DASHBOARD).status_code == 404
    assert not any("enrollments" in s for s in q.statements)


def test_the_dashboard_turns_jit_off_for_its_own_transaction(client, login_as, count_queries):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("JIT compilation is PostgreSQL's")
    login_as("staff")
    with count_queries() as q:
        assert client.get(DASHBOARD).status_code == 200
    assert any("set_config('jit', 'off', true)" in s for s in q.statements)
    # SET LOCAL: the next transaction on the connection has the server's setting again.
    with count_queries() as q:
        assert client.get("/cohorts").status_code == 200
    assert not any("set_config" in s for s in q.statements)


@pytest.mark.parametrize("param", ["city", "track", "cohort"])
def test_an_id_too_long_for_the_database_is_404(client, login_as, outcome_data, param):
    login_as("staff")
    assert client.get(f"{DASHBOARD}?{param}={'9' * 30}").status_code == 404
