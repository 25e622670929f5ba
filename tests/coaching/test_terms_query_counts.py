"""The terms-at-scale pages issue a fixed number of queries whatever the data size."""

from datetime import date, timedelta

import pytest

from coop.coaching import requests
from coop.enrollment.program_models import ProgramStatus
from coop.programs.models import CohortStatus


def _grow(factory, coach, city, track, n):
    start = date(2031, 9, 9)
    first = None
    for i in range(n):
        cohort = factory.cohort(
            city=city,
            track=track,
            name=f"Fall 2031 {i} {start}",
            status=CohortStatus.RECRUITING,
            start_date=start + timedelta(days=i),
        )
        first = first or cohort
        factory.program_application(city=city, track=track, status=ProgramStatus.APPLIED)
        a = coach.assign(cohort)
        coach.pod(a, coach.enrolled(cohort, 2))
    return first


PAGES = {
    "clone term": lambda c, city: f"/terms/clone?city={city.id}&term=Fall+2031",
    "clone cohort": lambda c, city: f"/cohorts/{c.id}/clone",
    "applications": lambda c, city: "/program-applications?status=applied",
    "pairings": lambda c, city: f"/cohorts/{c.id}/pairings/import",
    "export": lambda c, city: f"/cohorts/{c.id}/pairings.csv",
}


@pytest.mark.parametrize("page", sorted(PAGES))
def test_staff_pages(client, login_as, factory, coach, count_queries, page):
    counts = []
    for n in (2, 9):
        city, track = factory.city(), factory.track()
        cohort = _grow(factory, coach, city, track, n)
        login_as("staff")
        url = PAGES[page](cohort, city)
        with count_queries() as q:
            assert client.get(url).status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1], counts


def test_the_graduates_page(client, login_as, app, factory, coach, count_queries):
    counts = []
    for n in (1, 5):
        grad = coach.graduate()
        for _ in range(n):
            cohort = factory.cohort(status=CohortStatus.PLANNED, start_date=date(2031, 9, 9))
            with app.test_request_context():
                requests.ask(cohort, grad, None)
        login_as(grad)
        with count_queries() as q:
            assert client.get("/my-captain-requests").status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1], counts
