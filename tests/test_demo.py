"""The demo data: what the foundation seeds, that a second run adds nothing, and the CLI."""

from datetime import date

import pytest

from coop.auth.models import Role, User
from coop.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, seed
from coop.extensions import db
from coop.programs.models import City, Cohort, CohortStatus, Track


def table_counts() -> dict[str, int]:
    return {
        t.name: db.session.scalar(db.select(db.func.count()).select_from(t))
        for t in db.metadata.sorted_tables
    }


@pytest.mark.parametrize("today", [date(2026, 11, 29), date(2026, 7, 15), date(2027, 1, 10)])
def test_seed_creates_the_foundation(today):
    ctx = seed(today=today)
    db.session.commit()
    assert ctx is not None

    zones = {c.name: c.timezone for c in db.session.scalars(db.select(City))}
    assert zones == {
        "New York": "America/New_York",
        "Los Angeles": "America/Los_Angeles",
        "San Francisco": "America/Los_Angeles",
        "Chicago": "America/Chicago",
    }
    assert db.session.scalar(db.select(db.func.count(Track.id))) == 2

    cohorts = list(db.session.scalars(db.select(Cohort)))
    assert 10 <= len(cohorts) <= 14
    statuses = {c.status for c in cohorts}
    # Whatever the date, there is a cohort at every stage of the lifecycle.
    assert {CohortStatus.COMPLETED, CohortStatus.ACTIVE, CohortStatus.RECRUITING} <= statuses
    for c in cohorts:
        assert c.end_date > c.start_date and 1 <= c.capacity <= 200
        if c.status == CohortStatus.ACTIVE:
            assert c.start_date <= today <= c.end_date
        if c.status == CohortStatus.COMPLETED:
            assert c.end_date < today
        if c.status in (CohortStatus.RECRUITING, CohortStatus.PLANNED):
            assert c.start_date > today
        assert c.video_link.startswith("https://")

    # ~200 people came through the program; other domains' seeds turn some graduates
    # into captains, so count both roles.
    people = db.session.scalar(
        db.select(db.func.count(User.id)).where(User.role.in_([Role.PARTICIPANT, Role.CAPTAIN]))
    )
    assert 200 <= people <= 300

    accounts = {
        u.email: u
        for u in db.session.scalars(
            db.select(User).where(User.email.in_([a[0] for a in DEMO_ACCOUNTS]))
        )
    }
    assert set(accounts) == {a[0] for a in DEMO_ACCOUNTS}
    for email, _name, role, _what in DEMO_ACCOUNTS:
        assert accounts[email].role == role and accounts[email].password_hash
    assert accounts["staff@coop.example"].city_ids is None
    assert {c.name for c in accounts["nyc.staff@coop.example"].cities} == {"New York"}


def test_second_seed_adds_nothing():
    assert seed(participants=20) is not None
    db.session.commit()
    before = table_counts()
    assert seed(participants=20) is None
    db.session.commit()
    assert table_counts() == before


def test_demo_staff_can_sign_in_and_land_on_cohorts(client):
    seed(participants=5)
    db.session.commit()
    response = client.post(
        "/login", data={"email": "staff@coop.example", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302 and response.location == "/cohorts"
    page = client.get("/cohorts").get_data(as_text=True)
    for badge in ("completed", "active", "recruiting"):
        assert f">{badge}</span>" in page


def test_seed_demo_command_runs_twice(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo", "--participants", "10"])
    assert first.exit_code == 0, first.output
    assert "Loaded demo data: 4 cities" in first.output
    assert DEMO_PASSWORD in first.output
    before = table_counts()

    second = runner.invoke(args=["seed-demo", "--participants", "10"])
    assert second.exit_code == 0, second.output
    assert "Demo data already loaded; nothing added." in second.output
    assert table_counts() == before
