"""Every enrollment page issues a fixed number of queries, whatever the number of
applicants: the same count for 3 rows as for 30."""

import io

import pytest

from coop.enrollment.models import EnrollmentEvent, Stage
from coop.extensions import db
from coop.programs.models import CohortStatus
from tests.enrollment.conftest import commit_setup


@pytest.fixture
def populated(factory, recruiting, applicant):
    """``populated(n)``: a recruiting cohort with ``n`` people in each stage, all referred
    by alumni, and one applicant with ``n`` history events. Returns a dict of ids."""

    def _make(n):
        city = factory.city()
        old = factory.cohort(city=city, status=CohortStatus.COMPLETED)
        alumni = [applicant(old, Stage.GRADUATED).user for _ in range(n)]
        cohort = recruiting(city=city, capacity=200)
        people = []
        for stage in (Stage.APPLIED, Stage.WAITLISTED, Stage.ENROLLED, Stage.WITHDRAWN):
            for i in range(n):
                people.append(applicant(cohort, stage, referred_by=alumni[i]))
        first = people[0]
        db.session.add_all(
            EnrollmentEvent(
                enrollment_id=first.id,
                from_stage=Stage.APPLIED,
                to_stage=Stage.APPLIED,
                actor_id=alumni[i].id,
                reason="note",
            )
            for i in range(n)
        )
        commit_setup()
        csv_text = "email,name\n" + "".join(
            f"new{n}.{i}@example.org,New Person {i}\n" for i in range(n)
        )
        return {"c": cohort.id, "e": first.id, "w": people[n].id, "csv": csv_text, "n": n}

    return _make


#: Each page and its pinned number of queries (signed in as staff: the user is one of
#: them, the menu's flagged check-ins count another; organisation-wide staff never load
#: their cities), the same for 3 applicants per stage as for 30.
PAGES = {
    "/apply": 3,
    "/apply/{c}": 6,
    "/apply/{c}/thanks": 3,
    # These four and the export record who saw personal data: one INSERT, then the
    # commit expires the signed-in user, whom the response headers read again.
    "/cohorts/{c}/applications": 8,
    "/cohorts/{c}/applications?stage=waitlisted": 8,
    "/cohorts/{c}/applications?stage=all": 8,
    "/cohorts/{c}/applications/{e}": 7,
    "/cohorts/{c}/waitlist": 5,
    "/cohorts/{c}/roster": 6,
    "/cohorts/{c}/roster?stage=enrolled": 6,
    "/cohorts/{c}/roster.csv?columns=email&columns=name&columns=college&columns=salary": 5,
    "/cohorts/{c}/roster/import": 3,
    "/cohorts/{c}/graduate": 4,
    "/cohorts/{c}/alumni-referrals": 5,
    "/alumni-referrals": 7,
}


def _count(client, count_queries, url):
    client.get(url)  # warm-up: first-use caches are not the page's cost
    with count_queries() as q:
        response = client.get(url)
    assert response.status_code == 200, url
    return q.count


@pytest.mark.parametrize(("url", "pinned"), PAGES.items())
def test_page_query_count_does_not_grow(client, login_as, count_queries, populated, url, pinned):
    login_as("staff")
    small = populated(3)
    small_count = _count(client, count_queries, url.format(**small))
    large = populated(30)
    large_count = _count(client, count_queries, url.format(**large))
    assert small_count == large_count, (url, small_count, large_count)
    assert small_count == pinned, (url, small_count)


def test_import_preview_query_count_does_not_grow(client, login_as, count_queries, populated):
    login_as("staff")
    counts = []
    for n in (3, 30):
        world = populated(n)
        with count_queries() as q:
            response = client.post(
                f"/cohorts/{world['c']}/roster/import",
                data={"file": (io.BytesIO(world["csv"].encode()), "roster.csv")},
                content_type="multipart/form-data",
            )
        assert f"Import will enroll <strong>{n}</strong> people" in response.get_data(as_text=True)
        counts.append(q.count)
    assert counts[0] == counts[1]
