"""Staff coverage: share checked in, overdue by captain, the flag queue; per cohort and
across cities, with fixed query counts."""

import re
from datetime import timedelta

import pytest

from coop.auth.models import User
from coop.core import clock
from coop.core.models import AuditEvent
from coop.extensions import db

TODAY = clock.today_in()  # the organisation's date, as the pages and jobs read it


def cohort_with_pods(coach, factory, city=None, name=None, size=4):
    """Active cohort, started 60 days ago, two pods. In each pod: one checked in 3 days
    ago, one 20 days ago (overdue), the rest never (overdue)."""
    cohort = factory.cohort(
        city=city, name=name, start_date=TODAY - timedelta(days=60), capacity=200
    )
    captains = []
    for _ in range(2):
        a = coach.assign(cohort, max_participants=50)
        captain = db.session.get(User, a.captain_id)
        captains.append(captain)
        people = coach.pod(a, coach.enrolled(cohort, size))
        coach.checkin(cohort, people[0], captain, held_on=TODAY - timedelta(days=3))
        coach.checkin(cohort, people[1], captain, held_on=TODAY - timedelta(days=20))
        coach.checkin(cohort, people[1], captain, held_on=TODAY - timedelta(days=40))
    return cohort, captains


def test_cohort_coverage_share_and_overdue_by_captain(client, login_as, coach, factory):
    city = factory.city()
    cohort, (first, second) = cohort_with_pods(coach, factory, city=city)
    (loose,) = coach.enrolled(cohort, 1)  # in no pod, never checked in
    login_as("city_staff", cities=[city])
    html = client.get(f"/coaching/cohorts/{cohort.id}/coverage").get_data(as_text=True)
    text = re.sub(r"\s+", " ", html)
    # 9 enrolled, 2 checked in during the last 14 days.
    assert 'Enrolled</div><div class="fs-4">9</div>' in text.replace("> <", "><")
    assert '<div class="fs-4">22%</div>' in text and "2 of 9 people" in text
    # 3 overdue in each pod, 1 in no pod.
    assert 'Overdue</div><div class="fs-4">7</div>' in text.replace("> <", "><")
    for captain in (first, second):
        assert captain.name in html
    assert "In no pod" in html and loose.name in html
    assert "20 d ago" in html and "never" in html


def test_coverage_across_the_viewers_cities(client, login_as, coach, factory):
    ny, la = factory.city(name="Nueva York"), factory.city(name="Los Angeles Test")
    mine, _ = cohort_with_pods(coach, factory, city=ny, name="NY Active")
    theirs, _ = cohort_with_pods(coach, factory, city=la, name="LA Active")
    login_as("city_staff", cities=[ny])
    html = client.get("/coaching/coverage").get_data(as_text=True)
    assert "Nueva York" in html and "NY Active" in html
    assert "Los Angeles Test" not in html and "LA Active" not in html
    login_as("staff")
    html = client.get("/coaching/coverage").get_data(as_text=True)
    assert "Nueva York" in html and "Los Angeles Test" in html
    assert html.index("Los Angeles Test") < html.index("Nueva York")  # by city name


def test_the_flag_queue_is_scoped_to_the_viewers_cities(client, login_as, coach, factory):
    ny, la = factory.city(), factory.city()
    for city, note in [(ny, "Needs a laptop"), (la, "Visa question")]:
        cohort, _, captain, (p, *_) = coach.setup(1, city=city)
        coach.checkin(cohort, p, captain, needs_attention=True, notes=note)
        coach.checkin(cohort, p, captain, needs_attention=False, notes=f"calm {note}")
    login_as("city_staff", cities=[ny])
    html = client.get("/coaching/coverage").get_data(as_text=True)
    assert "Needs a laptop" in html and "Visa question" not in html
    assert "calm" not in html


def test_staff_set_the_overdue_days_of_a_cohort(client, login_as, coach, factory):
    city = factory.city()
    cohort, _ = cohort_with_pods(coach, factory, city=city)
    staff = login_as("city_staff", cities=[city])
    r = client.post(f"/coaching/cohorts/{cohort.id}/overdue-days", data={"days": "30"})
    assert r.status_code == 302
    db.session.refresh(cohort)
    assert cohort.checkin_overdue_days == 30
    html = client.get(f"/coaching/cohorts/{cohort.id}/coverage").get_data(as_text=True)
    # 20 days ago is no longer overdue; never checked in (60 days) still is.
    assert "20 d ago" not in html
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "cohort.update"))
    assert event.actor_id == staff.id and event.changed == ["checkin_overdue_days"]
    r = client.post(f"/coaching/cohorts/{cohort.id}/overdue-days", data={"days": "0"})
    db.session.refresh(cohort)
    assert cohort.checkin_overdue_days == 30


@pytest.mark.parametrize("page", ["all", "cohort"])
def test_coverage_query_count_is_fixed(client, login_as, coach, factory, count_queries, page):
    counts = []
    for size in (3, 30):
        city = factory.city()
        cohorts = [cohort_with_pods(coach, factory, city=city, size=size)[0] for _ in range(2)]
        for cohort in cohorts:
            captain = db.session.scalar(
                db.select(User).where(User.role == "captain").order_by(User.id.desc())
            )
            people = coach.enrolled(cohort, size)
            for p in people:
                coach.checkin(cohort, p, captain, needs_attention=True)
        login_as("city_staff", cities=[city])
        url = (
            "/coaching/coverage" if page == "all" else f"/coaching/cohorts/{cohorts[0].id}/coverage"
        )
        with count_queries() as q:
            r = client.get(url)
        assert r.status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1]
    # user + cities; cohorts (or the cohort); coverage rows; flag count + flag page;
    # the assessments panel (open pulse requests for help with their count), the menu's
    # flagged check-ins count
    assert counts[0] == 8


def test_coverage_counts_in_sql_and_fetches_only_the_overdue(coach, factory, monkeypatch):
    """The counts come from the database; only the overdue people (and one row per
    cohort) are fetched, however many are enrolled. The boundary: a last check-in
    exactly ``checkin_overdue_days`` ago is overdue, a day later is not."""
    from coop.coaching import queries
    from coop.coaching.models import COVERAGE_DAYS

    cohort = factory.cohort(start_date=TODAY - timedelta(days=60), capacity=200)
    a = coach.assign(cohort, max_participants=50)
    captain = db.session.get(User, a.captain_id)
    people = coach.pod(a, coach.enrolled(cohort, 30))
    days = cohort.checkin_overdue_days
    for p in people[:-2]:
        coach.checkin(cohort, p, captain, held_on=TODAY - timedelta(days=1))
    coach.checkin(cohort, people[-2], captain, held_on=TODAY - timedelta(days=days))
    coach.checkin(cohort, people[-1], captain, held_on=TODAY - timedelta(days=days - 1))
    db.session.flush()
    real = db.session.execute
    fetched = []

    def counting(stmt, *args, **kwargs):
        frozen = real(stmt, *args, **kwargs).freeze()
        fetched.append(len(frozen().all()))
        return frozen()

    monkeypatch.setattr(db.session, "execute", counting)
    (city,), groups = queries.coverage([cohort], TODAY)
    stats = city.cohorts[0]
    assert (stats.enrolled, stats.overdue) == (30, 1)
    assert stats.covered == 28 + (days <= COVERAGE_DAYS) + (days - 1 <= COVERAGE_DAYS)
    assert [r.participant_id for g in groups for r in g.rows] == [people[-2].id]
    assert fetched == [2]  # the overdue person, and the cohort's first row for the counts
