"""The demo data has everything the referral pages show."""

import sqlalchemy as sa

from coop.auth.models import User
from coop.demo import seed
from coop.extensions import db
from coop.referrals.models import (
    FollowUp,
    Opening,
    Outreach,
    PartnerContact,
    Placement,
    Referral,
    ReferralEvent,
    ReferralStage,
)
from coop.referrals.queries import when_clause


def test_demo_seed_covers_every_case(app):
    ctx = seed()  # the default size: every cohort has people
    assert ctx is not None
    count = lambda stmt: db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))  # noqa: E731

    assert count(sa.select(PartnerContact.id)) >= 6
    assert count(sa.select(Outreach.id).where(Outreach.follow_up_on.is_not(None))) >= 1
    assert count(sa.select(Opening.id).where(Opening.open_clause())) >= 5
    assert count(sa.select(Opening.id).where(Opening.closed_at.is_not(None))) >= 1
    assert (
        count(sa.select(Opening.id).where(Opening.closed_at.is_(None), ~Opening.open_clause())) >= 1
    )

    stages = set(db.session.scalars(sa.select(Referral.stage).distinct()))
    assert stages == set(ReferralStage)
    # Every referral's history starts at "referred" and ends at its stage.
    for referral in db.session.scalars(sa.select(Referral)):
        events = db.session.scalars(
            sa.select(ReferralEvent)
            .where(ReferralEvent.referral_id == referral.id)
            .order_by(ReferralEvent.id)
        ).all()
        assert events[0].from_stage is None and events[0].to_stage == ReferralStage.REFERRED
        assert events[-1].to_stage == referral.stage
        assert all(e.actor_id for e in events)

    pat = db.session.scalar(sa.select(User).where(User.email == "participant@coop.example"))
    assert count(sa.select(Referral.id).where(Referral.participant_id == pat.id)) >= 1

    hired = count(sa.select(Referral.id).where(Referral.stage == ReferralStage.HIRED))
    assert count(sa.select(Placement.id).where(Placement.referral_id.is_not(None))) == hired
    for career in (True, False):
        assert count(sa.select(Placement.id).where(Placement.career_track.is_(career))) >= 1
    assert count(sa.select(Placement.id).where(Placement.verified_at.is_(None))) >= 1

    for when in ("overdue", "due", "closed"):
        assert count(sa.select(FollowUp.id).where(when_clause(when))) >= 1, when
