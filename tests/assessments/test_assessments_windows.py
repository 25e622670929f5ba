"""Due windows follow the cohort's start date in its city: an assessment of week 1 opens
at midnight in Los Angeles, is due at the end of that week there, and is taken for two
more weeks. Checked at fixed instants around those midnights."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from coop.assessments.models import AssessmentSchedule, Point
from coop.core import clock

LA = "America/Los_Angeles"
START = date(2027, 1, 4)  # a Monday


def at(text):
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    "instant, state",
    [
        ("2027-01-04T07:30:00", "upcoming"),  # 23:30 on 3 January in Los Angeles
        ("2027-01-04T08:00:00", "open"),  # midnight there
        ("2027-01-11T07:59:00", "open"),  # 23:59 on the 10th: the last day of week 1
        ("2027-01-11T08:00:00", "late"),
        ("2027-01-25T07:59:00", "late"),  # the 24th, the last of the two grace weeks
        ("2027-01-25T08:00:00", "closed"),
    ],
)
def test_the_window_in_the_cohorts_zone(client, login_as, factory, assess, instant, state):
    with time_machine.travel(at(instant), tick=False):
        city = factory.city(timezone=LA)
        cohort = factory.cohort(city=city, start_date=START, end_date=date(2027, 4, 25))
        template = assess.template(cohort.track)
        row = assess.schedule(cohort, template, Point.INTAKE, 1)
        pat = factory.user("participant")
        factory.enrollment(cohort=cohort, user=pat)
        row_id, cohort_id = row.id, cohort.id
        assert row.state(START, clock.today_for_cohort(cohort)) == state
        login_as(pat)
        home = client.get("/my-cohort").get_data(as_text=True)
        page = client.get(f"/assessments/my/{cohort_id}/{row_id}")
        if state == "upcoming":
            assert "Skills check" not in home and page.status_code == 404
        elif state == "closed":
            assert "Skills check" not in home
            assert page.status_code == 302
        else:
            assert "Skills check" in home and page.status_code == 200
            assert ("late" in home) == (state == "late")


def test_weeks_later_in_the_cohort():
    row = AssessmentSchedule(point=Point.EXIT, week=16)
    assert row.opens_on(START) == date(2027, 4, 19)
    assert row.due_on(START) == date(2027, 4, 25)
    assert row.closes_on(START) == date(2027, 5, 9)
