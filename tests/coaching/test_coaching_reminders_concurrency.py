"""Two reminder runs at the same moment still send one email per captain and day, on
SQLite (a file) and PostgreSQL (a database of our own, dropped afterwards)."""

import threading
from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa

from coop import create_app
from coop.auth.models import Role, User
from coop.coaching.cli import remind_overdue
from coop.coaching.models import CaptainAssignment, PodMembership, ReminderLog
from coop.enrollment.models import Enrollment, Stage
from coop.extensions import db as _db
from coop.extensions import mail
from coop.programs.models import City, Cohort, CohortStatus, Track
from tests.concurrency import throwaway_database

CAPTAINS = 12


@pytest.fixture
def db():
    """Real transactions here: no rolled-back test session."""
    mail.outbox.clear()
    yield None
    mail.outbox.clear()


@pytest.fixture
def database_url(tmp_path):
    with throwaway_database(tmp_path, "reminders") as url:
        yield url


def seed(session):
    city = City(name="Race City", slug="race-city", timezone="America/New_York")
    track = Track(name="Race Track", slug="race-track")
    start = date.today() - timedelta(days=40)
    cohort = Cohort(
        city=city,
        track=track,
        name="Race",
        start_date=start,
        end_date=start + timedelta(weeks=16),
        status=CohortStatus.ACTIVE,
        meeting_time=time(18, 30),
    )
    session.add(cohort)
    session.flush()
    for n in range(CAPTAINS):
        captain = User(email=f"c{n}@example.org", name=f"Captain {n}", role=Role.CAPTAIN)
        person = User(email=f"p{n}@example.org", name=f"Person {n}", role=Role.PARTICIPANT)
        session.add_all([captain, person])
        session.flush()
        a = CaptainAssignment(cohort_id=cohort.id, captain_id=captain.id)
        session.add_all(
            [a, Enrollment(cohort_id=cohort.id, user_id=person.id, stage=Stage.ENROLLED)]
        )
        session.flush()
        session.add(
            PodMembership(cohort_id=cohort.id, participant_id=person.id, assignment_id=a.id)
        )
    session.commit()


def test_concurrent_runs_send_one_reminder_per_captain(database_url):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
    saved = _db.session
    # The suite's fixture swaps in a rolled-back session; this test needs real ones.
    _db.session = _db._make_scoped_session({})
    try:
        with app.app_context():
            _db.create_all()
            seed(_db.session)
            _db.session.remove()
        day = date.today()
        barrier = threading.Barrier(2)
        results, errors = [], []

        def worker():
            try:
                with app.app_context():
                    barrier.wait()
                    results.append(remind_overdue(day))
                    _db.session.remove()
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert errors == []
        assert sum(sent for sent, _ in results) == CAPTAINS
        assert sum(skipped for _, skipped in results) == CAPTAINS
        recipients = sorted(m.to[0] for m in mail.outbox)
        assert recipients == sorted(f"c{n}@example.org" for n in range(CAPTAINS))
        with app.app_context():
            assert _db.session.scalar(sa.select(sa.func.count(ReminderLog.id))) == CAPTAINS
            _db.session.remove()
            _db.drop_all()
            _db.engine.dispose()
    finally:
        _db.session = saved
