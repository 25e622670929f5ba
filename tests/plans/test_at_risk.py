"""The at-risk list: each reason its domain answers, the scope (staff: their cities;
captains: their pods), the program's thresholds, and a fixed number of queries."""

import itertools
import re
from datetime import timedelta

import pytest

from coop.coaching.models import CheckIn
from coop.core import clock
from coop.extensions import db
from coop.programs.models import CohortStatus
from tests.plans.world import make_world, plan
from tests.sessions.builders import Builder

PAGE = "/at-risk/"


def checkin(cohort, person, author, days_ago, **kw):
    row = CheckIn(
        cohort_id=cohort.id,
        participant_id=person.id,
        author_id=author.id,
        held_on=clock.today_in() - timedelta(days=days_ago),
        channel="video",
        minutes=30,
        topics=[],
        **kw,
    )
    db.session.add(row)
    db.session.flush()
    return row


_HOURS = itertools.count(1)


def absent_three_times(build, cohort, person, last="absent"):
    """Four past sessions of the cohort (each call its own hour, so two people's never
    collide): present, absent, absent, ``last``."""
    hour = next(_HOURS)
    for n, status in enumerate(["present", "absent", "absent", last]):
        s = build.session(cohort, hours_from_now=-24 * (10 - n) - hour)
        build.attendance(s, person, status)


def reasons(html: str, person) -> list[str]:
    """The reason codes listed for ``person`` on the page."""
    row = re.search(rf'data-at-risk="{person.id}">(.*?)</tr>', html, re.S)
    return re.findall(r'data-reason="([a-z_]+)"', row.group(1)) if row else []


@pytest.fixture
def risky(world, factory):
    """Pat: three absences in a row and an open flag; Pia: an overdue plan step and an
    overdue check-in; Olga (other pod): overdue check-in; Fay (other city): open flag."""
    build = Builder(factory)
    today = clock.today_in()
    for person in (world.pat, world.olga, world.fay):
        checkin(person_cohort(world, person), person, captain_of(world, person), 2)
    checkin(world.cohort, world.pat, world.captain, 1, needs_attention=True)
    checkin(world.far_cohort, world.fay, world.far_captain, 1, needs_attention=True)
    checkin(world.cohort, world.pia, world.captain, 30)
    absent_three_times(build, world.cohort, world.pat)
    plan(world.pia, world.cohort, [("Late step", "participant", today - timedelta(days=2), "open")])
    plan(world.pat, world.cohort, [("Done step", "participant", today - timedelta(days=2), "done")])
    olga_last = db.session.scalar(db.select(CheckIn).where(CheckIn.participant_id == world.olga.id))
    olga_last.held_on = today - timedelta(days=20)
    db.session.flush()
    return world


def person_cohort(world, person):
    return world.far_cohort if person is world.fay else world.cohort


def captain_of(world, person):
    if person is world.fay:
        return world.far_captain
    return world.other_captain if person is world.olga else world.captain


def test_captain_sees_their_pod_at_risk_with_reasons(client, login_as, risky):
    w = risky
    login_as(w.captain)
    html = client.get(PAGE).get_data(as_text=True)
    assert reasons(html, w.pat) == ["absences", "open_flag"]
    assert reasons(html, w.pia) == ["checkin_overdue", "plan_overdue"]
    assert "1 overdue plan step(s)" in html
    assert w.olga.name not in html and w.fay.name not in html


def test_staff_see_their_cities(client, login_as, risky):
    w = risky
    login_as(w.staff)
    html = client.get(PAGE).get_data(as_text=True)
    assert reasons(html, w.olga) == ["checkin_overdue"]
    assert reasons(html, w.pat) == ["absences", "open_flag"]
    assert w.fay.name not in html
    login_as(w.far_staff)
    html = client.get(PAGE).get_data(as_text=True)
    assert reasons(html, w.fay) == ["open_flag"] and w.pat.name not in html


def test_participants_and_anonymous_are_refused(client, login_as, risky):
    assert client.get(PAGE).status_code == 302
    login_as(risky.pat)
    assert client.get(PAGE).status_code == 404


def test_an_attended_session_ends_the_run_and_excused_is_not_absent(
    client, login_as, world, factory
):
    build = Builder(factory)
    absent_three_times(build, world.cohort, world.pat, last="present")
    absent_three_times(build, world.cohort, world.pia, last="excused")
    checkin(world.cohort, world.pat, world.captain, 1)
    checkin(world.cohort, world.pia, world.captain, 1)
    login_as(world.captain)
    html = client.get(PAGE).get_data(as_text=True)
    assert reasons(html, world.pat) == [] and reasons(html, world.pia) == []
    assert "Nobody is at risk right now." in html


def test_thresholds_are_the_programs(client, login_as, app, risky):
    w = risky
    login_as(w.captain)
    before = dict(app.config["AT_RISK_THRESHOLDS"])
    app.config["AT_RISK_THRESHOLDS"] = {**before, "absences": 4, "plan_overdue_days": 5}
    try:
        html = client.get(PAGE).get_data(as_text=True)
    finally:
        app.config["AT_RISK_THRESHOLDS"] = before
    assert reasons(html, w.pat) == ["open_flag"]  # only three in a row
    assert reasons(html, w.pia) == ["checkin_overdue"]  # two days late is within five


def test_only_active_cohorts_and_enrolled_people(client, login_as, risky):
    w = risky
    w.cohort.status = CohortStatus.COMPLETED
    db.session.flush()
    login_as(w.captain)
    assert "Nobody is at risk right now." in client.get(PAGE).get_data(as_text=True)


def test_query_count_is_fixed_whatever_the_size(client, login_as, factory, count_queries):
    counts = []
    for n in (1, 8):
        w = make_world(factory)
        build = Builder(factory)
        people = build.participants(w.cohort, n)
        for p in people:
            checkin(w.cohort, p, w.captain, 1, needs_attention=True)
            plan(
                p, w.cohort, [("Late", "participant", clock.today_in() - timedelta(days=3), "open")]
            )
        login_as(w.staff)
        client.get(PAGE)
        with count_queries() as q:
            html = client.get(PAGE).get_data(as_text=True)
        assert html.count("data-at-risk=") >= n
        counts.append(q.count)
    # the session's user and their cities (loaded when read: this staff member is limited
    # to a city), then: people count, a page of people, their reasons; the menu badge
    # (flagged check-ins)
    assert counts[0] == counts[1] == 6, counts
