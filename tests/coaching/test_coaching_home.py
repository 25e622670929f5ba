"""The captain's home: their cohorts, their pod with last check-ins, attendance, flags."""

from dataclasses import dataclass
from datetime import timedelta

import pytest

from coop.auth.models import User
from coop.core import clock
from coop.extensions import db
from coop.programs.models import CohortStatus
from coop.sessions import queries as session_queries

TODAY = clock.today_in()  # the organisation's date, as the pages and jobs read it


def test_captain_sees_their_pod_and_only_names_of_the_rest(client, login_as, coach, factory):
    cohort = factory.cohort(name="Data Fall")
    mine = coach.assign(cohort, is_lead=True, max_participants=5)
    other = coach.assign(cohort)
    pod = coach.pod(mine, coach.enrolled(cohort, 2))
    (stranger,) = coach.pod(other, coach.enrolled(cohort, 1))
    coach.checkin(
        cohort, pod[0], db.session.get(User, mine.captain_id), held_on=TODAY - timedelta(days=3)
    )
    captain = db.session.get(User, mine.captain_id)
    login_as(captain)
    html = client.get("/coaching/").get_data(as_text=True)
    assert "Data Fall" in html and "Lead captain" in html
    assert "Your pod: 2 of 5 places." in html
    for p in pod:
        assert p.email in html
        assert f"/coaching/cohorts/{cohort.id}/participants/{p.id}/checkins/new" in html
    assert (TODAY - timedelta(days=3)).strftime("%-d %b %Y") in html
    # Another pod's participant: a name on the roster, never a profile or a link.
    assert stranger.name in html
    assert stranger.email not in html
    assert f"/participants/{stranger.id}" not in html


def test_overdue_after_fourteen_days_or_the_cohorts_setting(client, login_as, coach, factory):
    cohort = factory.cohort(start_date=TODAY - timedelta(days=60))
    a = coach.assign(cohort)
    captain = db.session.get(User, a.captain_id)
    recent, late, never = coach.pod(a, coach.enrolled(cohort, 3))
    coach.checkin(cohort, recent, captain, held_on=TODAY - timedelta(days=13))
    coach.checkin(cohort, late, captain, held_on=TODAY - timedelta(days=14))
    login_as(captain)
    html = client.get("/coaching/").get_data(as_text=True)
    assert "2 overdue" in html
    cohort.checkin_overdue_days = 21
    db.session.commit()
    html = client.get("/coaching/").get_data(as_text=True)
    assert "1 overdue" in html  # only the one never checked in (60 days since the start)


def test_nobody_is_overdue_before_the_window_or_outside_active_cohorts(
    client, login_as, coach, factory
):
    new = factory.cohort(start_date=TODAY - timedelta(days=5))
    a = coach.assign(new)
    coach.pod(a, coach.enrolled(new, 2))
    upcoming = factory.cohort(status=CohortStatus.RECRUITING, start_date=TODAY - timedelta(days=40))
    b = coach.assign(upcoming, captain=db.session.get(User, a.captain_id))
    coach.pod(b, coach.enrolled(upcoming, 2))
    login_as(db.session.get(User, a.captain_id))
    html = client.get("/coaching/").get_data(as_text=True)
    assert "overdue" not in html.lower().replace("overdue after", "")


def test_captain_without_a_team_sees_what_to_expect(client, login_as, coach):
    login_as(coach.captain())
    html = client.get("/coaching/").get_data(as_text=True)
    assert "You are not on a cohort&#39;s team yet" in html


def test_past_cohorts_are_listed_apart(client, login_as, coach, factory):
    done = factory.cohort(status=CohortStatus.COMPLETED, name="Old Spring")
    a = coach.assign(done)
    login_as(db.session.get(User, a.captain_id))
    html = client.get("/coaching/").get_data(as_text=True)
    assert "Past cohorts" in html and "Old Spring" in html


def test_attendance_is_a_dash_until_a_session_is_held(client, login_as, coach):
    cohort, _, captain, _ = coach.setup(2)
    login_as(captain)
    html = client.get("/coaching/").get_data(as_text=True)
    assert html.count("<td>—</td>") == 2


@dataclass
class Summary:
    rate: float | None
    held: int
    attended: int
    absent_streak_flag: bool


@pytest.fixture
def fake_attendance(monkeypatch):
    """Stand-in for the sessions domain's ``attendance_summaries`` (one query in all)."""
    calls = []

    def attendance_summaries(people):
        calls.extend((cohort_id, sorted(ids)) for cohort_id, ids in people.items())
        db.session.execute(db.text("SELECT 1"))
        return {
            cohort_id: {pid: Summary(0.75, 8, 6, pid % 2 == 0) for pid in ids}
            for cohort_id, ids in people.items()
        }

    monkeypatch.setattr(session_queries, "attendance_summaries", attendance_summaries)
    return calls


def test_attendance_rate_and_absence_flag_when_sessions_exist(
    client, login_as, coach, fake_attendance
):
    cohort, _, captain, people = coach.setup(2)
    login_as(captain)
    html = client.get("/coaching/").get_data(as_text=True)
    assert html.count("75% <span") == 2
    assert "(6/8)" in html
    assert "Missing sessions" in html
    assert fake_attendance == [(cohort.id, sorted(p.id for p in people))]


def build_home(coach, factory, pod_size, roster_extra):
    cohort = factory.cohort(capacity=200)
    a = coach.assign(cohort, max_participants=pod_size, is_lead=True)
    captain = db.session.get(User, a.captain_id)
    people = coach.pod(a, coach.enrolled(cohort, pod_size))
    other = coach.assign(cohort, max_participants=50)
    coach.pod(other, coach.enrolled(cohort, roster_extra))
    for i, p in enumerate(people):
        coach.checkin(
            cohort, p, captain, held_on=TODAY - timedelta(days=i), needs_attention=i % 3 == 0
        )
    # A second cohort, so the count covers more than one.
    second = factory.cohort()
    b = coach.assign(second, captain=captain)
    coach.pod(b, coach.enrolled(second, pod_size))
    return captain


@pytest.mark.parametrize("with_sessions", ["fake", "real"])
def test_captain_home_query_count_is_fixed(
    client, login_as, coach, factory, count_queries, with_sessions, request
):
    if with_sessions == "fake":
        request.getfixturevalue("fake_attendance")
    counts = []
    for pod_size, extra in [(3, 2), (30, 40)]:
        login_as(build_home(coach, factory, pod_size, extra))
        with count_queries() as q:
            r = client.get("/coaching/")
        assert r.status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1]
    if with_sessions != "real":
        # user, assignments, pods, roster, (+ attendance for every cohort),
        # the assessments panel (pods' requests for help, pulse response rates), the
        # captain-requests panel, overdue plan steps (the plans panel), the talent pool's
        # "I'm interested" panel, the next session (the sessions panel)
        assert counts[0] == (11 if with_sessions else 10)


def test_captain_home_query_count_does_not_grow_with_the_cohorts_served(
    client, login_as, coach, factory, count_queries
):
    """With real attendance figures: a captain on one team or on three (with sessions
    held in each) costs the same number of queries."""
    from tests.sessions.builders import Builder

    build = Builder(factory)
    counts = []
    for served in (1, 3):
        captain = None
        for _ in range(served):
            cohort = factory.cohort(start_date=TODAY - timedelta(days=30))
            a = coach.assign(cohort, captain=captain)
            captain = db.session.get(User, a.captain_id)
            (person,) = coach.pod(a, coach.enrolled(cohort, 1))
            session = build.session(cohort, hours_from_now=-30)
            build.attendance(session, person, "present")
        login_as(captain)
        with count_queries() as q:
            html = client.get("/coaching/").get_data(as_text=True)
        assert html.count("100%") >= served
        counts.append(q.count)
    assert counts[0] == counts[1]
