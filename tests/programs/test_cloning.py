"""A new term from a cohort, or from every cohort of a term in one city."""

from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa

from coop.core.models import AuditEvent
from coop.extensions import db
from coop.programs import cloning
from coop.programs.models import Cohort, CohortStatus


def _fall_start(year: int) -> date:
    return date(year, 9, 8)


@pytest.fixture
def fall(factory):
    city = factory.city()
    sponsor = factory.partner()
    start = _fall_start(2031)
    cohort = factory.cohort(
        city=city,
        name="Fall 2031 Digital Marketing",
        start_date=start,
        status=CohortStatus.COMPLETED,
        capacity=20,
        meeting_days="mon,wed",
        meeting_time=time(19, 0),
        video_link="https://meet.example.org/dm",
        sponsor=sponsor,
        auto_promote=False,
        checkin_overdue_days=10,
    )
    return cohort


def test_terms_move_on():
    assert cloning.term_of(date(2026, 10, 1)) == "Fall 2026"
    assert cloning.next_term("Fall 2026") == "Spring 2027"
    assert cloning.next_term("Spring 2027") == "Fall 2027"
    assert cloning.upcoming_terms(date(2027, 2, 1)) == ["Spring 2027", "Fall 2027", "Spring 2028"]
    with pytest.raises(ValueError):
        cloning.next_term("Summer 2027")


def test_the_form_suggests_the_next_term(client, login_as, fall):
    login_as("staff")
    page = client.get(f"/cohorts/{fall.id}/clone")
    assert page.status_code == 200
    assert 'value="Spring 2032 Digital Marketing"' in page.text
    assert (fall.start_date + timedelta(weeks=26)).isoformat() in page.text
    assert "auto-promote" not in page.text  # the waitlist setting shown as it is


def test_cloning_copies_the_settings_and_offers_the_schedule(client, login_as, fall):
    login_as("staff")
    start = fall.start_date + timedelta(weeks=26)
    reply = client.post(
        f"/cohorts/{fall.id}/clone",
        data={
            "name": "Spring 2032 DM (evenings)",
            "start_date": start.isoformat(),
            "end_date": (start + timedelta(weeks=16)).isoformat(),
        },
    )
    clone = db.session.scalar(sa.select(Cohort).where(Cohort.name == "Spring 2032 DM (evenings)"))
    assert reply.status_code == 302
    assert reply.location.endswith(f"/cohorts/{clone.id}/sessions/generate")
    for name in (
        "city_id",
        "track_id",
        "sponsor_id",
        "capacity",
        "meeting_days",
        "meeting_time",
        "video_link",
        "auto_promote",
        "checkin_overdue_days",
    ):
        assert getattr(clone, name) == getattr(fall, name), name
    assert clone.status == CohortStatus.PLANNED and clone.seats_taken == 0
    assert clone.start_date == start
    assert db.session.scalar(sa.select(AuditEvent.id).where(AuditEvent.action == "cohort.clone"))


def test_a_taken_name_is_refused_and_nothing_written(client, login_as, factory, fall):
    factory.cohort(city=fall.city, name="Spring 2032 Digital Marketing")
    login_as("staff")
    before = db.session.scalar(sa.select(sa.func.count(Cohort.id)))
    page = client.post(
        f"/cohorts/{fall.id}/clone",
        data={
            "name": "Spring 2032 Digital Marketing",
            "start_date": "2032-03-01",
            "end_date": "2032-06-01",
        },
    )
    assert page.status_code == 200 and "already has a cohort called" in page.text
    assert db.session.scalar(sa.select(sa.func.count(Cohort.id))) == before
    page = client.post(
        f"/cohorts/{fall.id}/clone",
        data={"name": "Other", "start_date": "2032-06-01", "end_date": "2032-03-01"},
    )
    assert "end date must be after" in page.text
    assert db.session.scalar(sa.select(sa.func.count(Cohort.id))) == before


def test_a_whole_term_in_one_step_with_a_preview(client, login_as, factory, fall):
    factory.cohort(
        city=fall.city,
        name="Fall 2031 Data Analytics",
        start_date=_fall_start(2031) + timedelta(days=1),
    )
    factory.cohort(city=fall.city, name="Spring 2031 Data", start_date=date(2031, 2, 3))
    login_as("staff")
    page = client.get(f"/terms/clone?city={fall.city_id}&term=Fall+2031")
    assert page.status_code == 200
    assert (
        "Spring 2032 Digital Marketing" in page.text and "Spring 2032 Data Analytics" in page.text
    )
    assert "Clone 2 cohorts" in page.text
    before = db.session.scalar(sa.select(sa.func.count(Cohort.id)))
    reply = client.post("/terms/clone", data={"city": str(fall.city_id), "term": "Fall 2031"})
    assert reply.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Cohort.id))) == before + 2


def test_a_whole_term_is_all_or_nothing(client, login_as, factory, fall):
    factory.cohort(city=fall.city, name="Fall 2031 Data", start_date=_fall_start(2031))
    factory.cohort(
        city=fall.city, name="Spring 2032 Data", start_date=date(2032, 2, 3)
    )  # in the way
    login_as("staff")
    page = client.get(f"/terms/clone?city={fall.city_id}&term=Fall+2031")
    assert "already has a cohort called Spring 2032 Data" in page.text
    assert "Clone 2 cohorts" not in page.text
    before = db.session.scalar(sa.select(sa.func.count(Cohort.id)))
    reply = client.post(
        "/terms/clone", data={"city": str(fall.city_id), "term": "Fall 2031"}, follow_redirects=True
    )
    assert "Nothing was cloned" in reply.text
    assert db.session.scalar(sa.select(sa.func.count(Cohort.id))) == before


def test_another_citys_cohort_or_term_is_404_and_nothing_written(client, login_as, factory, fall):
    login_as("city_staff", cities=[factory.city()])
    before = db.session.scalar(sa.select(sa.func.count(Cohort.id)))
    assert client.get(f"/cohorts/{fall.id}/clone").status_code == 404
    assert (
        client.post(
            f"/cohorts/{fall.id}/clone",
            data={"name": "X", "start_date": "2032-03-01", "end_date": "2032-06-01"},
        ).status_code
        == 404
    )
    reply = client.post("/terms/clone", data={"city": str(fall.city_id), "term": "Fall 2031"})
    assert reply.status_code == 404
    assert client.post("/terms/clone", data={"city": "x", "term": "Fall 2031"}).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(Cohort.id))) == before


@pytest.mark.parametrize("role", ["captain", "participant"])
def test_other_roles_get_404(client, login_as, fall, role):
    login_as(role)
    assert client.get(f"/cohorts/{fall.id}/clone").status_code == 404
    assert client.get("/terms/clone").status_code == 404


def test_a_bad_term_is_refused(client, login_as, fall):
    login_as("staff")
    reply = client.post(
        "/terms/clone", data={"city": str(fall.city_id), "term": "Summer"}, follow_redirects=True
    )
    assert reply.status_code == 200 and "Choose a term" in reply.text
