"""Every coaching page issues the same number of queries for small and large data."""

from datetime import date, timedelta

import pytest

from coop.auth.models import User
from coop.extensions import db


def world(coach, factory, n):
    """A cohort with two pods of ``n``, ``n`` unassigned, ``n`` check-ins for one person,
    ``n`` graduates and captains."""
    city = factory.city()
    cohort = factory.cohort(city=city, capacity=200, start_date=date.today() - timedelta(days=60))
    lead = coach.assign(cohort, is_lead=True, max_participants=50)
    other = coach.assign(cohort, max_participants=50)
    captain = db.session.get(User, lead.captain_id)
    pod = coach.pod(lead, coach.enrolled(cohort, n))
    coach.pod(other, coach.enrolled(cohort, n))
    coach.enrolled(cohort, n)
    for i in range(n):
        coach.checkin(
            cohort, pod[0], captain, held_on=date.today() - timedelta(days=i), needs_attention=True
        )
        coach.graduate(city=city)
        coach.captain(city=city)
    # The captain served earlier cohorts too.
    for _ in range(min(n, 5)):
        coach.assign(coach.past_cohort(city=city), captain=captain)
    db.session.commit()
    return city, cohort, lead, captain, pod[0]


PAGES = {
    "team": lambda w: f"/coaching/cohorts/{w[1].id}/team",
    "remove": lambda w: f"/coaching/cohorts/{w[1].id}/team/{w[2].id}/remove",
    "step_down": lambda w: f"/coaching/captains/{w[3].id}/step-down",
    "captain_detail": lambda w: f"/coaching/captains/{w[3].id}",
    "captains": lambda w: "/coaching/captains",
    "graduates": lambda w: "/coaching/graduates",
    "import": lambda w: "/coaching/alumni/import",
    "history": lambda w: f"/coaching/cohorts/{w[1].id}/participants/{w[4].id}",
    "checkin_detail": lambda w: f"/coaching/checkins/{_first_checkin(w)}",
}

CAPTAIN_PAGES = {
    "history_as_captain": lambda w: f"/coaching/cohorts/{w[1].id}/participants/{w[4].id}",
    "log_form": lambda w: f"/coaching/cohorts/{w[1].id}/participants/{w[4].id}/checkins/new",
}


def _first_checkin(w):
    from coop.coaching.models import CheckIn

    return db.session.scalar(db.select(CheckIn.id).where(CheckIn.participant_id == w[4].id))


@pytest.mark.parametrize("page", sorted(PAGES) + sorted(CAPTAIN_PAGES))
def test_query_count_does_not_grow(client, login_as, coach, factory, count_queries, page):
    counts = []
    for n in (3, 30):
        w = world(coach, factory, n)
        if page in CAPTAIN_PAGES:
            login_as(w[3])
            url = CAPTAIN_PAGES[page](w)
        else:
            login_as("city_staff", cities=[w[0]])
            url = PAGES[page](w)
        with count_queries() as q:
            r = client.get(url)
        assert r.status_code == 200, page
        counts.append(q.count)
    assert counts[0] == counts[1], (page, counts)
