"""One referral per person and opening, even when two people refer at the same moment."""

import os
import threading

import pytest
import sqlalchemy as sa

from coop import create_app
from coop.auth.models import Role, User
from coop.enrollment.models import Enrollment, Stage
from coop.extensions import db
from coop.programs.models import City, Cohort, Partner, PartnerKind, Track
from coop.referrals import services
from coop.referrals.models import Opening, Referral, ReferralEvent


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


@pytest.mark.skipif(
    not os.environ.get("COOP_TEST_DATABASE_URL"),
    reason="real concurrent writers need PostgreSQL (SQLite serialises them)",
)
def test_two_referrers_at_once_make_one_referral(monkeypatch):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=os.environ["COOP_TEST_DATABASE_URL"])
    # Real sessions (one per app context) instead of the test's rolled-back one.
    monkeypatch.setattr(db, "session", db._make_scoped_session({}))
    made: dict[str, list[int]] = {}
    with app.app_context():
        db.create_all()
        city = City(name="Race City", slug="race-city", timezone="America/New_York")
        track = Track(name="Race Track", slug="race-track")
        partner = Partner(name="Race Employer", kind=PartnerKind.EMPLOYER, city=city)
        from datetime import date, timedelta

        cohort = Cohort(
            city=city,
            track=track,
            name="Race cohort",
            start_date=date.today() - timedelta(days=30),
            end_date=date.today() + timedelta(days=60),
        )
        people = [
            User(email=f"race{n}@example.org", name=f"Race {n}", role=role)
            for n, role in enumerate([Role.PARTICIPANT, Role.STAFF, Role.STAFF])
        ]
        db.session.add_all([city, track, partner, cohort, *people])
        db.session.flush()
        enrollment = Enrollment(cohort=cohort, user=people[0], stage=Stage.ENROLLED)
        opening = Opening(
            partner_id=partner.id, title="Race job", city_id=city.id, posted_by_id=people[1].id
        )
        db.session.add_all([enrollment, opening])
        db.session.commit()
        ids = {
            "enrollment": enrollment.id,
            "opening": opening.id,
            "staff": [people[1].id, people[2].id],
        }
        made = {
            "users": [p.id for p in people],
            "city": [city.id],
            "track": [track.id],
            "partner": [partner.id],
            "cohort": [cohort.id],
        }

    barrier = threading.Barrier(2)
    results, errors = [], []

    def refer(staff_id):
        try:
            with app.app_context():
                actor = db.session.get(User, staff_id)
                enrollment = db.session.get(Enrollment, ids["enrollment"])
                opening = db.session.get(Opening, ids["opening"])
                barrier.wait()
                referral, created = services.refer(actor, enrollment, opening=opening)
                db.session.commit()
                results.append((referral.id, created))
                db.session.remove()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=refer, args=(sid,)) for sid in ids["staff"]]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    try:
        assert errors == []
        assert len({rid for rid, _ in results}) == 1
        assert sorted(created for _, created in results) == [False, True]
        with app.app_context():
            count = db.session.scalar(
                sa.select(sa.func.count(Referral.id)).where(Referral.opening_id == ids["opening"])
            )
            assert count == 1
    finally:
        with app.app_context():
            from coop.core.models import AuditEvent

            referral_ids = sa.select(Referral.id).where(Referral.opening_id == ids["opening"])
            db.session.execute(
                sa.delete(ReferralEvent).where(ReferralEvent.referral_id.in_(referral_ids))
            )
            db.session.execute(sa.delete(AuditEvent).where(AuditEvent.actor_id.in_(made["users"])))
            db.session.execute(sa.delete(Referral).where(Referral.opening_id == ids["opening"]))
            db.session.execute(sa.delete(Opening).where(Opening.id == ids["opening"]))
            db.session.execute(sa.delete(Enrollment).where(Enrollment.id == ids["enrollment"]))
            db.session.execute(sa.delete(Cohort).where(Cohort.id.in_(made["cohort"])))
            db.session.execute(sa.delete(Partner).where(Partner.id.in_(made["partner"])))
            db.session.execute(sa.delete(User).where(User.id.in_(made["users"])))
            db.session.execute(sa.delete(City).where(City.id.in_(made["city"])))
            db.session.execute(sa.delete(Track).where(Track.id.in_(made["track"])))
            db.session.commit()
            db.session.remove()
            db.engine.dispose()
