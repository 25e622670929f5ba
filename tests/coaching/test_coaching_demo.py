"""The demo data's coaching part: graduate captains, teams, balanced pods, check-ins."""

from collections import Counter, defaultdict
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from coop.auth.models import Role, User
from coop.coaching.models import AlumniCaptain, CaptainAssignment, CheckIn, PodMembership
from coop.demo import seed
from coop.enrollment.models import Enrollment, Stage
from coop.extensions import db
from coop.programs.models import City, Cohort, CohortStatus


@pytest.fixture
def demo():
    ctx = seed(today=date.today())
    assert ctx is not None
    if not db.session.scalar(sa.select(sa.func.count(Enrollment.id))):
        pytest.skip("the enrollment demo is not there")
    return ctx


def by_email(email):
    return db.session.scalar(sa.select(User).where(User.email == email))


def test_demo_captain_leads_the_running_new_york_cohort_with_pat_in_their_pod(demo):
    captain, pat = by_email("captain@coop.example"), by_email("participant@coop.example")
    membership = db.session.scalar(
        sa.select(PodMembership).where(PodMembership.participant_id == pat.id)
    )
    assignment = db.session.get(CaptainAssignment, membership.assignment_id)
    cohort = db.session.get(Cohort, assignment.cohort_id)
    assert (assignment.captain_id, assignment.is_lead) == (captain.id, True)
    assert cohort.status == CohortStatus.ACTIVE
    assert db.session.get(City, cohort.city_id).name == "New York"
    appointment = db.session.scalar(
        sa.select(AlumniCaptain).where(AlumniCaptain.user_id == captain.id)
    )
    graduated_from = db.session.get(Cohort, appointment.graduated_from_id)
    assert db.session.get(City, graduated_from.city_id).name == "New York"
    assert graduated_from.end_date < cohort.start_date
    assert captain.role == Role.CAPTAIN


def test_demo_teams_are_graduates_of_earlier_cohorts(demo):
    cohorts = db.session.scalars(
        sa.select(Cohort)
        .where(Cohort.status.in_([CohortStatus.ACTIVE, CohortStatus.COMPLETED]))
        .order_by(Cohort.start_date, Cohort.id)
    ).all()
    teams = defaultdict(list)
    for a in db.session.scalars(sa.select(CaptainAssignment)):
        teams[a.cohort_id].append(a)
    founding = cohorts[0]
    assert founding.id not in teams  # no alumni before the first cohort
    for cohort in cohorts[1:]:
        team = teams[cohort.id]
        assert len(team) == 4, cohort.name
        assert sum(a.is_lead for a in team) == 1
        for a in team:
            appointment = db.session.scalar(
                sa.select(AlumniCaptain).where(AlumniCaptain.user_id == a.captain_id)
            )
            source = db.session.get(Cohort, appointment.graduated_from_id)
            assert source.end_date < cohort.start_date
            assert (
                db.session.scalar(
                    sa.select(Enrollment.stage).where(
                        Enrollment.user_id == a.captain_id, Enrollment.cohort_id == source.id
                    )
                )
                == Stage.GRADUATED
            )
            assert not db.session.scalar(
                sa.select(Enrollment.id).where(
                    Enrollment.user_id == a.captain_id, Enrollment.cohort_id == cohort.id
                )
            )
    # History: some captains stepped down, and they are no longer captains.
    stepped = db.session.scalars(
        sa.select(AlumniCaptain.user_id).where(AlumniCaptain.stepped_down_at.is_not(None))
    ).all()
    for uid in stepped:
        assert db.session.get(User, uid).role == Role.PARTICIPANT


def test_demo_pods_are_balanced_and_hold_everyone(demo):
    for (cohort_id,) in db.session.execute(sa.select(CaptainAssignment.cohort_id).distinct()):
        members = set(
            db.session.scalars(
                sa.select(Enrollment.user_id).where(
                    Enrollment.cohort_id == cohort_id,
                    Enrollment.stage.in_([Stage.ENROLLED, Stage.GRADUATED]),
                )
            )
        )
        rows = db.session.execute(
            sa.select(PodMembership.participant_id, PodMembership.assignment_id).where(
                PodMembership.cohort_id == cohort_id
            )
        ).all()
        assert {p for p, _ in rows} == members
        assert members
        sizes = Counter(a for _, a in rows)
        assert max(sizes.values()) - min(sizes.values()) <= 1
        assert max(sizes.values()) <= 6


def test_demo_has_months_of_check_ins_by_the_pods_captains(demo):
    today = date.today()
    rows = db.session.execute(
        sa.select(CheckIn, PodMembership.assignment_id).join(
            PodMembership,
            sa.and_(
                PodMembership.cohort_id == CheckIn.cohort_id,
                PodMembership.participant_id == CheckIn.participant_id,
            ),
        )
    ).all()
    assert len(rows) > 300
    captain_of = dict(
        db.session.execute(sa.select(CaptainAssignment.id, CaptainAssignment.captain_id)).all()
    )
    for checkin, assignment_id in rows:
        assert checkin.author_id == captain_of[assignment_id]
        assert checkin.held_on <= today
    first = min(c.held_on for c, _ in rows)
    assert today - first > timedelta(days=180)
    # Each running cohort has a flag waiting for staff.
    active = db.session.scalars(
        sa.select(Cohort.id).where(Cohort.status == CohortStatus.ACTIVE)
    ).all()
    open_flags = {c.cohort_id for c, _ in rows if c.needs_attention and c.resolved_at is None}
    assert set(active) <= open_flags
