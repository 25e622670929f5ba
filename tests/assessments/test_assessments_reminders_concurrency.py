"""Two reminder runs at the same moment still send one email per person and assessment,
on SQLite (a file) and PostgreSQL (a database of our own, dropped afterwards)."""

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from coop import create_app
from coop.assessments import services
from coop.assessments.cli import send_reminders
from coop.assessments.models import AssessmentReminder, Point
from coop.auth.models import Role, User
from coop.core import clock
from coop.enrollment.models import Enrollment, Stage
from coop.extensions import db as _db
from coop.extensions import mail
from coop.programs.models import City, Cohort, CohortStatus, Track
from tests.concurrency import throwaway_database

PEOPLE = 12


@pytest.fixture
def db():
    """Real transactions here: no rolled-back test session."""
    mail.outbox.clear()
    yield None
    mail.outbox.clear()


@pytest.fixture
def database_url(tmp_path):
    with throwaway_database(tmp_path, "assessreminders") as url:
        yield url


def seed(session):
    city = City(name="Race City", slug="race-city", timezone="America/New_York")
    track = Track(name="Race Track", slug="race-track")
    start = clock.today_in(city.timezone)
    cohort = Cohort(
        city=city,
        track=track,
        name="Race",
        start_date=start,
        end_date=start + timedelta(weeks=16),
        status=CohortStatus.ACTIVE,
    )
    staff = User(email="staff@example.org", name="Staff", role=Role.STAFF, all_cities=True)
    session.add_all([cohort, staff])
    session.flush()
    template = services.create_template(track, "Intake", "", "scale: Ready?", staff)
    services.schedule(cohort, template, Point.INTAKE, 1, staff)
    for n in range(PEOPLE):
        person = User(email=f"p{n}@example.org", name=f"Person {n}", role=Role.PARTICIPANT)
        session.add(person)
        session.flush()
        session.add(Enrollment(cohort_id=cohort.id, user_id=person.id, stage=Stage.ENROLLED))
    session.commit()


def test_concurrent_runs_send_one_reminder_per_person(database_url):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
    saved = _db.session
    _db.session = _db._make_scoped_session({})
    try:
        with app.app_context():
            _db.create_all()
            seed(_db.session)
            _db.session.remove()
        barrier = threading.Barrier(2)
        results, errors = [], []

        def worker():
            try:
                with app.app_context():
                    barrier.wait()
                    results.append(send_reminders())
                    _db.session.remove()
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert errors == []
        assert sum(sent for sent, _ in results) == PEOPLE
        recipients = sorted(m.to[0] for m in mail.outbox)
        assert recipients == sorted(f"p{n}@example.org" for n in range(PEOPLE))
        with app.app_context():
            count = _db.session.scalar(sa.select(sa.func.count(AssessmentReminder.id)))
            assert count == PEOPLE
            _db.session.remove()
            _db.drop_all()
            _db.engine.dispose()
    finally:
        _db.session = saved
