"""The same pairings file confirmed by several staff at once (a double click, two
tabs): every participant ends in one pod, within the maximum, and no request fails."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from coop.auth.models import Role
from coop.coaching.models import CaptainAssignment, PodMembership
from coop.enrollment.models import Stage
from coop.extensions import db
from tests.concurrency import separate_app, signed_in_client
from tests.factories import Factory

THREADS = 6


@pytest.fixture
def live(tmp_path, monkeypatch):
    options = {"pool_size": 10, "max_overflow": 0, "pool_timeout": 120}
    with separate_app(tmp_path, monkeypatch, "pairings_concurrency", options) as app:
        yield app


def test_concurrent_imports_of_one_file_pair_each_person_once(live):
    with live.app_context():
        f = Factory()
        cohort = f.cohort()
        captains = [f.user(Role.CAPTAIN) for _ in range(2)]
        for c in captains:
            db.session.add(
                CaptainAssignment(cohort_id=cohort.id, captain_id=c.id, max_participants=3)
            )
        people = [f.user() for _ in range(5)]
        for p in people:
            f.enrollment(cohort=cohort, user=p, stage=Stage.ENROLLED)
        staff = [f.user(Role.STAFF) for _ in range(THREADS)]
        lines = ["participant_email,captain_email"] + [
            f"{p.email},{captains[i % 2].email}" for i, p in enumerate(people)
        ]
        content = "\n".join(lines) + "\n"
        db.session.commit()
        cohort_id, tokens = cohort.id, [s.get_id() for s in staff]
        db.session.remove()
    clients = [signed_in_client(live, t) for t in tokens]
    barrier = threading.Barrier(THREADS)

    def run(client):
        barrier.wait()
        return client.post(
            f"/cohorts/{cohort_id}/pairings/import/confirm", data={"content": content}
        ).status_code

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        statuses = list(pool.map(run, clients))
    with live.app_context():
        rows = db.session.execute(
            sa.select(PodMembership.participant_id, PodMembership.assignment_id)
        ).all()
        db.session.remove()
    assert set(statuses) <= {302, 503}, statuses
    assert 302 in statuses
    assert len(rows) == 5 and len({p for p, _ in rows}) == 5
    sizes = [sum(1 for _, a in rows if a == key) for key in {a for _, a in rows}]
    assert sorted(sizes) == [2, 3]
