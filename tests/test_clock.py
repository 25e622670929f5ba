"""One "today": a cohort's dates live in its city's zone, what a person reads is in theirs
(``coop.core.clock``). 2027-01-01T07:30Z is 02:30 on New Year's Day in New York and still
23:30 on 31 December in Los Angeles."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from coop.auth.models import Role
from coop.core import clock
from coop.db import utcnow
from coop.enrollment.models import Stage
from coop.extensions import db
from coop.programs.models import CohortStatus
from coop.referrals.models import FollowUp, FollowUpKind, Opening
from tests.timetravel import instant

NEW_YEAR = datetime(2027, 1, 1, 7, 30, tzinfo=UTC)
EVE, DAY = date(2026, 12, 31), date(2027, 1, 1)
LA, NY = "America/Los_Angeles", "America/New_York"


@pytest.fixture
def new_year():
    with time_machine.travel(NEW_YEAR, tick=False):
        yield


def test_the_clock_is_aware_utc_and_db_utcnow_is_the_same_clock(new_year):
    assert clock.now() == utcnow() == NEW_YEAR
    assert clock.now().tzinfo is UTC


def test_a_person_in_los_angeles_still_sees_new_years_eve_while_new_york_has_new_years_day(
    new_year, factory
):
    angeleno = factory.user(Role.PARTICIPANT, timezone=LA)
    no_zone = factory.user(Role.PARTICIPANT)
    ny_cohort = factory.cohort(city=factory.city(timezone=NY), start_date=date(2026, 11, 2))
    la_cohort = factory.cohort(city=factory.city(timezone=LA), start_date=date(2026, 11, 2))

    assert clock.today_for(angeleno) == EVE
    assert clock.today_for(no_zone) == DAY  # the organisation's zone: New York
    assert clock.today_for_cohort(ny_cohort) == DAY
    assert clock.today_for_cohort(la_cohort) == EVE
    assert clock.today_in() == DAY


def test_the_organisations_zone_comes_from_coop_timezone(new_year, app):
    app.config["COOP_TIMEZONE"] = LA
    try:
        assert clock.today_in() == EVE
    finally:
        del app.config["COOP_TIMEZONE"]
    assert clock.today_in() == DAY


def _opening(factory, zone, closes_on):
    city = factory.city(timezone=zone)
    opening = Opening(
        partner_id=factory.partner(city=city).id,
        title=f"Analyst in {zone}",
        city_id=city.id,
        url="https://jobs.example.org/1",
        posted_by_id=factory.user(Role.STAFF).id,
        closes_on=closes_on,
    )
    db.session.add(opening)
    db.session.flush()
    return opening


def test_an_opening_closing_on_new_years_eve_stays_on_the_board_until_midnight_in_its_city(
    client, login_as, factory
):
    with time_machine.travel(NEW_YEAR, tick=False):
        la = _opening(factory, LA, EVE)
        ny = _opening(factory, NY, EVE)
        login_as("participant", timezone=NY)
        page = client.get("/openings").get_data(as_text=True)
        assert "Analyst in America/Los_Angeles" in page
        assert "Analyst in America/New_York" not in page
        assert (la.status, ny.status) == ("open", "expired")
        assert client.get(f"/openings/{la.id}").status_code == 200

    # 08:00 UTC is midnight in Los Angeles: the opening leaves the board.
    with time_machine.travel(NEW_YEAR + timedelta(minutes=30), tick=False):
        db.session.expire_all()
        page = client.get("/openings").get_data(as_text=True)
        assert "Analyst in America/Los_Angeles" not in page
        assert la.status == "expired"


def _follow_up(factory, zone, due):
    cohort = factory.cohort(
        city=factory.city(timezone=zone),
        status=CohortStatus.COMPLETED,
        start_date=date(2026, 1, 5),
        name=f"Cohort in {zone}",
    )
    enrollment = factory.enrollment(cohort=cohort, stage=Stage.GRADUATED)
    follow_up = FollowUp(
        enrollment_id=enrollment.id,
        participant_id=enrollment.user_id,
        cohort_id=cohort.id,
        kind=FollowUpKind.SIX_MONTHS,
        due_date=due,
    )
    db.session.add(follow_up)
    db.session.flush()
    return follow_up


def test_a_follow_up_due_on_new_years_eve_is_overdue_only_where_the_year_has_turned(
    new_year, client, login_as, factory
):
    la = _follow_up(factory, LA, EVE)
    ny = _follow_up(factory, NY, EVE)
    login_as("staff", timezone=LA)  # the reader's zone does not move a cohort's due date
    overdue = client.get("/follow-ups?when=overdue").get_data(as_text=True)
    due = client.get("/follow-ups?when=due").get_data(as_text=True)
    assert (
        "Cohort in America/New_York" in overdue and "Cohort in America/Los_Angeles" not in overdue
    )
    assert "Cohort in America/Los_Angeles" in due and "Cohort in America/New_York" not in due
    assert (la.state(), ny.state()) == ("due", "overdue")


def test_a_new_outreach_is_dated_today_in_the_readers_zone(new_year, client, login_as):
    login_as("staff", timezone=LA)
    page = client.get("/outreach/new").get_data(as_text=True)
    assert 'value="2026-12-31"' in page
    login_as("staff", timezone=NY)
    page = client.get("/outreach/new").get_data(as_text=True)
    assert 'value="2027-01-01"' in page


def test_coop_test_now_moves_the_clock_of_every_worker():
    at = instant()
    if at is None:
        pytest.skip("COOP_TEST_NOW is not set")
    # The session travelled there when it started and the clock has ticked since.
    assert at <= clock.now() < at + timedelta(hours=2)
