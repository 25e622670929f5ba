"""The enrollment demo data: every stage, a full cohort with a waitlist, alumni referrals,
the demo accounts where other domains expect them, and seats that match the rosters."""

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from coop.auth.models import User
from coop.demo import seed
from coop.enrollment.models import Enrollment, EnrollmentEvent, Stage
from coop.extensions import db
from coop.programs.models import City, Cohort, CohortStatus


def _by_email(email):
    return db.session.scalar(sa.select(User).where(User.email == email))


def _stages(cohort_ids):
    return set(
        db.session.scalars(
            sa.select(Enrollment.stage).where(Enrollment.cohort_id.in_(cohort_ids)).distinct()
        )
    )


@pytest.mark.parametrize("today", [date(2026, 11, 29), date(2026, 7, 15), date(2027, 1, 10)])
def test_demo_enrollments(today):
    seed(today=today)
    db.session.commit()
    cohorts = db.session.scalars(sa.select(Cohort).join(City)).all()
    by_status = {}
    for c in cohorts:
        by_status.setdefault(c.status, []).append(c)

    # Applications in every stage; graduates in completed cohorts.
    recruiting = [c.id for c in by_status[CohortStatus.RECRUITING]]
    assert {
        Stage.APPLIED,
        Stage.ACCEPTED,
        Stage.WAITLISTED,
        Stage.DECLINED,
        Stage.ENROLLED,
        Stage.WITHDRAWN,
    } <= _stages(recruiting)
    completed = [c.id for c in by_status[CohortStatus.COMPLETED]]
    assert {Stage.GRADUATED, Stage.WITHDRAWN} <= _stages(completed)

    # Seats match the rosters, never above capacity; one full cohort has a waitlist.
    enrolled = dict(
        db.session.execute(
            sa.select(Enrollment.cohort_id, sa.func.count(Enrollment.id))
            .where(Enrollment.stage == Stage.ENROLLED)
            .group_by(Enrollment.cohort_id)
        ).all()
    )
    for c in cohorts:
        assert c.seats_taken == enrolled.get(c.id, 0) <= c.capacity, c.name
    for c in by_status[CohortStatus.ACTIVE] + by_status[CohortStatus.COMPLETED]:
        size = db.session.scalar(
            sa.select(sa.func.count(Enrollment.id)).where(
                Enrollment.cohort_id == c.id,
                Enrollment.stage.in_([Stage.ENROLLED, Stage.GRADUATED, Stage.WITHDRAWN]),
            )
        )
        assert 14 <= size <= 16, c.name
    waitlisted = db.session.execute(
        sa.select(Enrollment.cohort_id, Enrollment.waitlist_position)
        .where(Enrollment.stage == Stage.WAITLISTED)
        .order_by(Enrollment.waitlist_position)
    ).all()
    full = {cid for cid, _ in waitlisted}
    assert len(full) == 1
    [full_id] = full
    full_cohort = db.session.get(Cohort, full_id)
    assert full_cohort.seats_taken == full_cohort.capacity
    assert [p for _, p in waitlisted] == list(range(1, len(waitlisted) + 1))

    # The demo accounts: Pat in the current New York cohort, Carmen a New York graduate.
    pat = _by_email("participant@coop.example")
    pat_cohort = db.session.scalar(
        sa.select(Cohort)
        .options(joinedload(Cohort.city))
        .join(Enrollment, Enrollment.cohort_id == Cohort.id)
        .where(Enrollment.user_id == pat.id, Enrollment.stage == Stage.ENROLLED)
    )
    assert pat_cohort.city.name == "New York"
    assert pat_cohort.status == CohortStatus.ACTIVE
    carmen = _by_email("captain@coop.example")
    grad = db.session.scalar(
        sa.select(Cohort)
        .options(joinedload(Cohort.city))
        .join(Enrollment, Enrollment.cohort_id == Cohort.id)
        .where(Enrollment.user_id == carmen.id, Enrollment.stage == Stage.GRADUATED)
    )
    assert grad.city.name == "New York" and grad.status == CohortStatus.COMPLETED
    assert grad.end_date < pat_cohort.start_date

    # Some applicants were referred by graduates of the same city.
    referred = db.session.execute(
        sa.select(Enrollment.referred_by_id, Cohort.city_id)
        .join(Cohort, Cohort.id == Enrollment.cohort_id)
        .where(Enrollment.referred_by_id.is_not(None))
    ).all()
    assert len(referred) >= 3
    for referrer_id, city_id in referred:
        assert db.session.scalar(
            sa.select(sa.func.count(Enrollment.id))
            .join(Cohort, Cohort.id == Enrollment.cohort_id)
            .where(
                Enrollment.user_id == referrer_id,
                Enrollment.stage == Stage.GRADUATED,
                Cohort.city_id == city_id,
            )
        )

    # Every enrollment's history ends in its stage.
    last = dict(
        db.session.execute(
            sa.select(EnrollmentEvent.enrollment_id, EnrollmentEvent.to_stage).where(
                EnrollmentEvent.id.in_(
                    sa.select(sa.func.max(EnrollmentEvent.id)).group_by(
                        EnrollmentEvent.enrollment_id
                    )
                )
            )
        ).all()
    )
    for eid, stage in db.session.execute(sa.select(Enrollment.id, Enrollment.stage)):
        assert last[eid] == stage


@pytest.mark.parametrize("participants", [5, 300])
def test_demo_works_with_few_or_many_participants(participants):
    seed(participants=participants)
    db.session.commit()
    for c in db.session.scalars(sa.select(Cohort)):
        enrolled = db.session.scalar(
            sa.select(sa.func.count(Enrollment.id)).where(
                Enrollment.cohort_id == c.id, Enrollment.stage == Stage.ENROLLED
            )
        )
        assert c.seats_taken == enrolled <= c.capacity
    people = db.session.scalar(sa.select(sa.func.count(sa.distinct(Enrollment.user_id))))
    if participants > 200:
        # Everyone beyond the rosters applies to a recruiting cohort.
        assert people >= participants
