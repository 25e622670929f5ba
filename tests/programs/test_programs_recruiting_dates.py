"""A cohort that has ended cannot open for recruiting (it would show on /apply); "today"
is the date in the cohort's city."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from coop.extensions import db
from coop.programs import services
from coop.programs.models import Cohort, CohortStatus

# 15:00 UTC on 10 November 2026: the 10th in every US city.
NOW = datetime(2026, 11, 10, 15, 0, tzinfo=UTC)
ENDED = dict(start_date=date(2026, 6, 1), end_date=date(2026, 9, 30))


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_an_ended_cohort_cannot_start_recruiting(clock, login_as, client, factory, counts):
    cohort = factory.cohort(name="Summer 2026", status=CohortStatus.PLANNED, **ENDED)
    login_as("staff")
    before = counts()
    response = client.post(f"/cohorts/{cohort.id}/status", data={"status": "recruiting"})
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "This cohort ended on September 30, 2026: a cohort in the past cannot recruit." in page
    assert db.session.get(Cohort, cohort.id).status == CohortStatus.PLANNED
    assert counts() == before
    assert "Summer 2026" not in client.get("/apply").get_data(as_text=True)


def test_the_edit_form_refuses_recruiting_for_an_ended_cohort(
    clock, login_as, client, factory, cohort_data, counts
):
    city, track = factory.city(), factory.track()
    cohort = factory.cohort(city=city, track=track, status=CohortStatus.PLANNED, **ENDED)
    login_as("staff")
    before = counts()
    data = cohort_data(
        city,
        track,
        name=cohort.name,
        start_date="2026-06-01",
        end_date="2026-09-30",
        status="recruiting",
    )
    response = client.post(f"/cohorts/{cohort.id}/edit", data=data)
    assert response.status_code == 200
    assert "a cohort in the past cannot recruit" in response.get_data(as_text=True)
    assert counts() == before


def test_a_recruiting_cohorts_end_cannot_move_into_the_past(
    clock, login_as, client, factory, cohort_data, counts
):
    city, track = factory.city(), factory.track()
    cohort = factory.cohort(
        city=city,
        track=track,
        status=CohortStatus.RECRUITING,
        start_date=date(2027, 1, 11),
        end_date=date(2027, 4, 30),
    )
    login_as("staff")
    before = counts()
    data = cohort_data(
        city,
        track,
        name=cohort.name,
        start_date="2026-06-01",
        end_date="2026-09-30",
        status="recruiting",
    )
    response = client.post(f"/cohorts/{cohort.id}/edit", data=data)
    assert response.status_code == 200
    assert "a cohort in the past cannot recruit" in response.get_data(as_text=True)
    assert counts() == before


@pytest.mark.parametrize(
    ("zone", "allowed"),
    # 03:00 UTC on 10 November: still the 9th in Los Angeles, already the 10th in London.
    [("America/Los_Angeles", True), ("Europe/London", False)],
)
def test_today_is_the_date_in_the_cohorts_city(factory, zone, allowed):
    staff = factory.user("staff")
    city = factory.city(timezone=zone)
    cohort = factory.cohort(
        city=city,
        status=CohortStatus.PLANNED,
        start_date=date(2026, 8, 3),
        end_date=date(2026, 11, 9),
    )
    with time_machine.travel(datetime(2026, 11, 10, 3, 0, tzinfo=UTC), tick=False):
        if allowed:
            services.change_status(cohort, CohortStatus.RECRUITING, actor=staff)
            assert cohort.status == CohortStatus.RECRUITING
        else:
            with pytest.raises(services.ProgramError, match="cannot recruit"):
                services.change_status(cohort, CohortStatus.RECRUITING, actor=staff)
            assert cohort.status == CohortStatus.PLANNED


def test_a_cohort_ending_later_still_opens_for_recruiting(clock, login_as, client, factory):
    cohort = factory.cohort(
        status=CohortStatus.PLANNED, start_date=date(2027, 1, 11), end_date=date(2027, 4, 30)
    )
    login_as("staff")
    client.post(f"/cohorts/{cohort.id}/status", data={"status": "recruiting"})
    assert db.session.get(Cohort, cohort.id).status == CohortStatus.RECRUITING


def test_a_cohort_that_ends_while_recruiting_leaves_apply_the_next_day_in_its_city(client, factory):
    """Marked recruiting while it ran, it drops off /apply once its end date has passed
    in its own city (not the server's), and its form answers as closed."""
    la = factory.city(name="Los Angeles", timezone="America/Los_Angeles")
    cohort = factory.cohort(
        city=la,
        name="Ending Fall",
        status=CohortStatus.RECRUITING,
        start_date=date(2026, 9, 1),
        end_date=date(2026, 12, 31),
    )
    db.session.commit()
    # 07:30 UTC on 1 January: still 31 December in Los Angeles.
    with time_machine.travel(datetime(2027, 1, 1, 7, 30, tzinfo=UTC), tick=False):
        assert "Ending Fall" in client.get("/apply").get_data(as_text=True)
        assert client.get(f"/apply/{cohort.id}").status_code == 200
    with time_machine.travel(datetime(2027, 1, 1, 8, 30, tzinfo=UTC), tick=False):
        assert "Ending Fall" not in client.get("/apply").get_data(as_text=True)
        assert client.get(f"/apply/{cohort.id}").status_code != 200
