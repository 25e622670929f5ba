"""One referral per person and opening, even when two people refer at the same moment."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from coop.auth.models import Role
from coop.enrollment.models import Stage
from coop.extensions import db
from coop.referrals import services
from coop.referrals.models import Opening, Referral, ReferralEvent
from tests.concurrency import separate_app, signed_in_client
from tests.factories import Factory


def test_lost_race_answers_with_the_winners_referral(world, rf, monkeypatch):
    """The other request committed between our look and our insert: the unique constraint
    refuses ours and we answer with theirs (deterministic stand-in for the race)."""
    first = rf.referral(world.pat_enrollment, world.captain, opening=world.opening)
    real = services._existing
    calls = []

    def not_yet(participant_id, opening_id):
        calls.append(1)
        return None if len(calls) == 1 else real(participant_id, opening_id)

    monkeypatch.setattr(services, "_existing", not_yet)
    referral, created = services.refer(rf.staff(), world.pat_enrollment, opening=world.opening)
    assert (referral.id, created) == (first.id, False)
    assert db.session.scalar(sa.select(sa.func.count(Referral.id))) == 1
    # The session is still usable after the refused insert.
    assert db.session.scalar(sa.select(sa.func.count(ReferralEvent.id))) == 1


@pytest.fixture
def live(tmp_path, monkeypatch):
    with separate_app(tmp_path, monkeypatch, "referrals_concurrency") as app:
        yield app


def test_two_referrers_at_once_make_one_referral(live):
    """Two staff members refer the same person to the same opening at the same moment,
    through the page: one referral, and both are shown it."""
    with live.app_context():
        f = Factory()
        cohort = f.cohort()
        enrollment = f.enrollment(cohort=cohort, stage=Stage.ENROLLED)
        staff = [f.user(Role.STAFF) for _ in range(2)]
        opening = Opening(
            partner_id=f.partner(city=cohort.city).id,
            title="Race job",
            city_id=cohort.city_id,
            posted_by_id=staff[0].id,
        )
        db.session.add(opening)
        db.session.commit()
        form = {"participant_id": str(enrollment.user_id), "opening_id": str(opening.id)}
        clients = [signed_in_client(live, s.get_id()) for s in staff]
        db.session.remove()

    barrier = threading.Barrier(len(clients))

    def refer(client):
        barrier.wait()
        return client.post("/referrals/new", data=form)

    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        responses = list(pool.map(refer, clients))

    assert [r.status_code for r in responses] == [302, 302]
    # Both land on the same referral (the second is told it existed already).
    assert len({r.location for r in responses}) == 1
    assert responses[0].location.startswith("/referrals/")
    with live.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Referral.id))) == 1
        assert db.session.scalar(sa.select(sa.func.count(ReferralEvent.id))) == 1
        db.session.remove()
