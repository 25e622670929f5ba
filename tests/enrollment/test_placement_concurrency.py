"""Placement under real concurrency (SQLite file or PostgreSQL): staff confirming at the
same time never over-fill a cohort and never place one applicant twice."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
import sqlalchemy as sa

from coop.auth.models import Role
from coop.enrollment.models import Enrollment
from coop.enrollment.program_models import ProgramApplication, ProgramStatus
from coop.extensions import db
from coop.programs.cloning import term_of
from coop.programs.models import Cohort, CohortStatus
from tests.concurrency import separate_app, signed_in_client
from tests.factories import Factory

THREADS = 8


@pytest.fixture
def live(tmp_path, monkeypatch):
    options = {"pool_size": 12, "max_overflow": 0, "pool_timeout": 120}
    with separate_app(tmp_path, monkeypatch, "placement_concurrency", options) as app:
        yield app


def _setup(app, applicants: int, capacity: int):
    with app.app_context():
        f = Factory()
        start = date(2031, 9, 9)
        city, track = f.city(), f.track()
        cohort = f.cohort(
            city=city,
            track=track,
            capacity=capacity,
            status=CohortStatus.RECRUITING,
            start_date=start,
            meeting_days="tue,thu",
        )
        staff = [f.user(Role.STAFF) for _ in range(THREADS)]
        ids = [
            f.program_application(
                city=city, track=track, start_term=term_of(start), evenings="tue,thu"
            ).id
            for _ in range(applicants)
        ]
        db.session.commit()
        result = cohort.id, [s.get_id() for s in staff], ids
        db.session.remove()
        return result


def _run_at_once(jobs):
    barrier = threading.Barrier(len(jobs))

    def run(job):
        barrier.wait()
        return job()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(run, jobs))


def _state(app, cohort_id):
    with app.app_context():
        seats = db.session.scalar(sa.select(Cohort.seats_taken).where(Cohort.id == cohort_id))
        enrolled = db.session.scalar(
            sa.select(sa.func.count(Enrollment.id)).where(Enrollment.cohort_id == cohort_id)
        )
        statuses = db.session.scalars(sa.select(ProgramApplication.status)).all()
        db.session.remove()
    return seats, enrolled, statuses


def test_staff_placing_different_applicants_at_once_never_overfill(live):
    cohort_id, tokens, ids = _setup(live, applicants=THREADS * 2, capacity=5)
    clients = [signed_in_client(live, t) for t in tokens]

    def job(client, pair):
        return lambda: (
            client.post(
                "/program-applications/place",
                data={"choices": [f"{a}:{cohort_id}" for a in pair]},
            ).status_code
        )

    pairs = [ids[i * 2 : i * 2 + 2] for i in range(THREADS)]
    statuses = _run_at_once([job(c, p) for c, p in zip(clients, pairs, strict=True)])
    seats, enrolled, app_statuses = _state(live, cohort_id)
    assert set(statuses) <= {302, 503}, statuses
    assert seats == 5
    placed = app_statuses.count(ProgramStatus.PLACED)
    assert placed == 5
    waiting = app_statuses.count(ProgramStatus.WAITLISTED)
    assert enrolled == placed + waiting  # one enrollment per placed or waitlisted person


def test_staff_confirming_the_same_proposals_at_once_place_each_once(live):
    cohort_id, tokens, ids = _setup(live, applicants=3, capacity=10)
    clients = [signed_in_client(live, t) for t in tokens]
    data = {"choices": [f"{a}:{cohort_id}" for a in ids]}

    def job(client):
        return lambda: client.post("/program-applications/place", data=data).status_code

    statuses = _run_at_once([job(c) for c in clients])
    seats, enrolled, app_statuses = _state(live, cohort_id)
    assert set(statuses) <= {302, 503}, statuses
    assert seats == 3 and enrolled == 3
    assert app_statuses == [ProgramStatus.PLACED] * 3
