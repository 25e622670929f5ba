"""Concurrent opt-ins never go over capacity (SQLite and PostgreSQL)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from coop.extensions import db
from coop.hiring.models import HiringEvent, HiringRegistration, RegistrationStatus
from tests.concurrency import separate_app, signed_in_client
from tests.factories import Factory
from tests.hiring.conftest import Hiring

THREADS = 12
CAPACITY = 4


@pytest.fixture
def live(tmp_path, monkeypatch):
    options = {"pool_size": 20, "max_overflow": 0, "pool_timeout": 120}
    with separate_app(tmp_path, monkeypatch, "hiring_concurrency", options) as app:
        yield app


def _run_at_once(jobs):
    barrier = threading.Barrier(len(jobs))

    def run(job):
        barrier.wait()
        return job()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(run, jobs))


def test_concurrent_opt_ins_fill_exactly_the_capacity(live):
    with live.app_context():
        f = Factory()
        h = Hiring(f)
        city = f.city()
        event = h.event(city, capacity=CAPACITY)
        tokens = [h.member(city).get_id() for _ in range(THREADS)]
        db.session.commit()
        event_id = event.id
        db.session.remove()
    clients = [signed_in_client(live, t) for t in tokens]

    def job(client):
        return lambda: client.post(f"/events/{event_id}/opt-in").status_code

    statuses = _run_at_once([job(c) for c in clients])
    with live.app_context():
        rows = db.session.execute(
            sa.select(HiringRegistration.status, sa.func.count())
            .where(HiringRegistration.event_id == event_id)
            .group_by(HiringRegistration.status)
        ).all()
        seats = db.session.scalar(
            sa.select(HiringEvent.seats_taken).where(HiringEvent.id == event_id)
        )
        db.session.remove()
    assert set(statuses) <= {302, 503}, statuses
    counts = dict(rows)
    assert counts.get(RegistrationStatus.REGISTERED) == CAPACITY
    assert seats == CAPACITY
    done = statuses.count(302)
    assert counts.get(RegistrationStatus.WAITLISTED, 0) == done - CAPACITY


def test_one_person_opting_in_twice_at_once_gets_one_row(live):
    with live.app_context():
        f = Factory()
        h = Hiring(f)
        city = f.city()
        event = h.event(city, capacity=CAPACITY)
        token = h.member(city).get_id()
        db.session.commit()
        event_id = event.id
        db.session.remove()
    clients = [signed_in_client(live, token) for _ in range(6)]
    statuses = _run_at_once(
        [lambda c=c: c.post(f"/events/{event_id}/opt-in").status_code for c in clients]
    )
    with live.app_context():
        n = db.session.scalar(
            sa.select(sa.func.count()).where(HiringRegistration.event_id == event_id)
        )
        seats = db.session.scalar(
            sa.select(HiringEvent.seats_taken).where(HiringEvent.id == event_id)
        )
        db.session.remove()
    assert set(statuses) <= {302, 503}
    assert n == 1 and seats == 1


def test_concurrent_withdrawals_promote_distinct_people(live):
    with live.app_context():
        f = Factory()
        h = Hiring(f)
        city = f.city()
        event = h.event(city, capacity=3)
        seated = [h.member(city) for _ in range(3)]
        waiting = [h.member(city) for _ in range(4)]
        for person in seated:
            h.registration(event, person)
        for person in waiting:
            h.registration(event, person, RegistrationStatus.WAITLISTED)
        db.session.commit()
        event_id, tokens = event.id, [p.get_id() for p in seated]
        db.session.remove()
    clients = [signed_in_client(live, t) for t in tokens]
    statuses = _run_at_once(
        [lambda c=c: c.post(f"/events/{event_id}/withdraw").status_code for c in clients]
    )
    with live.app_context():
        counts = dict(
            db.session.execute(
                sa.select(HiringRegistration.status, sa.func.count())
                .where(HiringRegistration.event_id == event_id)
                .group_by(HiringRegistration.status)
            ).all()
        )
        seats = db.session.scalar(
            sa.select(HiringEvent.seats_taken).where(HiringEvent.id == event_id)
        )
        db.session.remove()
    assert set(statuses) <= {302, 503}
    withdrawn = statuses.count(302)
    assert counts.get(RegistrationStatus.WITHDRAWN, 0) == withdrawn
    assert counts.get(RegistrationStatus.REGISTERED) == seats == 3
    assert counts.get(RegistrationStatus.WAITLISTED, 0) == 4 - withdrawn
