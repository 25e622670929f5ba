"""Pods by fit on a cohort: the page with reasons, accepting, staleness refusal,
permissions and a fixed number of queries."""

import pytest
import sqlalchemy as sa

from coop.coaching.models import PodMembership
from coop.extensions import db
from tests.enrollment.conftest import commit_setup


@pytest.fixture
def cohort_with_team(coach, factory):
    cohort = factory.cohort()
    a = coach.assign(cohort, is_lead=True, max_participants=3)
    b = coach.assign(cohort, max_participants=3)
    people = coach.enrolled(cohort, 4)
    return cohort, a, b, people


def _members():
    return dict(
        db.session.execute(
            sa.select(PodMembership.participant_id, PodMembership.assignment_id)
        ).all()
    )


def test_the_page_shows_suggestions_with_reasons_and_accepting_applies_them(
    client, login_as, cohort_with_team
):
    cohort, a, b, people = cohort_with_team
    login_as("staff")
    page = client.get(f"/cohorts/{cohort.id}/pods/fit")
    assert page.status_code == 200
    assert "4 join a pod" in page.text and "same city" in page.text
    fingerprint = page.text.split('name="fingerprint" type="hidden" value="')[1].split('"')[0]
    reply = client.post(
        f"/cohorts/{cohort.id}/pods/fit", data={"fingerprint": fingerprint, "even": "1"}
    )
    assert reply.status_code == 302
    got = _members()
    assert len(got) == 4
    assert sorted(list(got.values()).count(k) for k in (a.id, b.id)) == [2, 2]


def test_stale_suggestions_are_refused_and_nothing_changes(
    client, login_as, coach, cohort_with_team
):
    cohort, a, _, people = cohort_with_team
    login_as("staff")
    page = client.get(f"/cohorts/{cohort.id}/pods/fit")
    fingerprint = page.text.split('name="fingerprint" type="hidden" value="')[1].split('"')[0]
    coach.pod(a, people[:1])  # someone moved people meanwhile
    commit_setup()
    before = _members()
    reply = client.post(
        f"/cohorts/{cohort.id}/pods/fit",
        data={"fingerprint": fingerprint, "even": "1"},
        follow_redirects=True,
    )
    assert "The pods changed since you looked" in reply.text
    assert _members() == before


def test_other_cities_and_roles_get_404(client, login_as, factory, cohort_with_team):
    cohort = cohort_with_team[0]
    login_as("city_staff", cities=[factory.city()])
    assert client.get(f"/cohorts/{cohort.id}/pods/fit").status_code == 404
    assert (
        client.post(f"/cohorts/{cohort.id}/pods/fit", data={"fingerprint": "x" * 32}).status_code
        == 404
    )
    for role in ("captain", "participant"):
        login_as(role)
        assert client.get(f"/cohorts/{cohort.id}/pods/fit").status_code == 404
    assert _members() == {}


def test_fixed_number_of_queries(client, login_as, coach, factory, count_queries):
    counts = []
    for n in (2, 12):
        cohort = factory.cohort()
        coach.assign(cohort, is_lead=True)
        coach.assign(cohort)
        coach.enrolled(cohort, n)
        login_as("staff")
        with count_queries() as q:
            assert client.get(f"/cohorts/{cohort.id}/pods/fit").status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1]
