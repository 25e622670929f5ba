"""Two purge runs at the same moment erase each person once, on SQLite (a file) and
PostgreSQL (a database of our own, dropped afterwards)."""

import threading
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
import time_machine

from coop import create_app
from coop.auth.models import Role, User
from coop.core.models import AuditEvent
from coop.enrollment.models import Enrollment, Stage
from coop.extensions import db as _db
from coop.privacy.cli import purge
from coop.programs.models import City, Cohort, CohortStatus, Track
from tests.concurrency import throwaway_database

PEOPLE = 10


@pytest.fixture
def db():
    """Real transactions here: no rolled-back test session."""
    yield None


@pytest.fixture
def database_url(tmp_path):
    with throwaway_database(tmp_path, "purge") as url:
        yield url


def seed(session):
    cohort = Cohort(
        city=City(name="Purge City", slug="purge-city", timezone="America/New_York"),
        track=Track(name="Purge Track", slug="purge-track"),
        name="Purge",
        start_date=datetime(2026, 1, 1).date(),
        end_date=datetime(2026, 5, 1).date(),
        status=CohortStatus.RECRUITING,
    )
    session.add(cohort)
    for n in range(PEOPLE):
        person = User(email=f"p{n}@example.org", name=f"Person {n}", role=Role.PARTICIPANT)
        session.add(person)
        session.flush()
        session.add(Enrollment(cohort_id=cohort.id, user_id=person.id, stage=Stage.DECLINED))
    session.commit()


def test_concurrent_purges_erase_each_person_once(database_url):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
    saved = _db.session
    _db.session = _db._make_scoped_session({})
    try:
        with (
            time_machine.travel(datetime(2026, 1, 2, tzinfo=UTC), tick=False),
            app.app_context(),
        ):
            _db.create_all()
            seed(_db.session)
            _db.session.remove()
        barrier = threading.Barrier(2)
        results, errors = [], []

        def worker():
            try:
                with app.app_context():
                    barrier.wait()
                    results.append(purge())
                    _db.session.remove()
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)

        with time_machine.travel(datetime(2029, 1, 2, tzinfo=UTC), tick=False):
            threads = [threading.Thread(target=worker) for _ in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
        assert errors == []
        assert sum(erased for _, erased in results) == PEOPLE
        with app.app_context():
            erased = _db.session.scalar(
                sa.select(sa.func.count(User.id)).where(User.erased_at.is_not(None))
            )
            audits = _db.session.scalar(
                sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "privacy.erase")
            )
            assert (erased, audits) == (PEOPLE, PEOPLE)
            _db.session.remove()
            _db.drop_all()
            _db.engine.dispose()
    finally:
        _db.session = saved
