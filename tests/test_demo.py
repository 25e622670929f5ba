"""The demo data: what the foundation seeds, that a second run adds nothing, and the CLI."""

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import aliased

from coop.auth.models import Role, User
from coop.coaching.models import AlumniCaptain, CaptainAssignment, CheckIn, PodMembership
from coop.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, seed
from coop.enrollment.models import Enrollment, Stage
from coop.extensions import db
from coop.programs.models import City, Cohort, CohortStatus, Track
from coop.referrals.models import FollowUp, Placement, Referral, ReferralStage
from coop.sessions.models import Attendance, SessionStatus, VirtualSession


def table_counts() -> dict[str, int]:
    return {
        t.name: db.session.scalar(db.select(db.func.count()).select_from(t))
        for t in db.metadata.sorted_tables
    }


@pytest.mark.parametrize("today", [date(2026, 11, 29), date(2026, 7, 15), date(2027, 1, 10)])
def test_seed_creates_the_foundation(today):
    ctx = seed(today=today)
    db.session.commit()
    assert ctx is not None

    zones = {c.name: c.timezone for c in db.session.scalars(db.select(City))}
    assert zones == {
        "New York": "America/New_York",
        "Los Angeles": "America/Los_Angeles",
        "San Francisco": "America/Los_Angeles",
        "Chicago": "America/Chicago",
    }
    assert db.session.scalar(db.select(db.func.count(Track.id))) == 2

    cohorts = list(db.session.scalars(db.select(Cohort)))
    assert 10 <= len(cohorts) <= 14
    statuses = {c.status for c in cohorts}
    # Whatever the date, there is a cohort at every stage of the lifecycle.
    assert {CohortStatus.COMPLETED, CohortStatus.ACTIVE, CohortStatus.RECRUITING} <= statuses
    for c in cohorts:
        assert c.end_date > c.start_date and 1 <= c.capacity <= 200
        if c.status == CohortStatus.ACTIVE:
            assert c.start_date <= today <= c.end_date
        if c.status == CohortStatus.COMPLETED:
            assert c.end_date < today
        if c.status in (CohortStatus.RECRUITING, CohortStatus.PLANNED):
            assert c.start_date > today
        assert c.video_link.startswith("https://")

    # ~200 people came through the program; other domains' seeds turn some graduates
    # into captains, so count both roles.
    people = db.session.scalar(
        db.select(db.func.count(User.id)).where(User.role.in_([Role.PARTICIPANT, Role.CAPTAIN]))
    )
    assert 200 <= people <= 300

    accounts = {
        u.email: u
        for u in db.session.scalars(
            db.select(User).where(User.email.in_([a[0] for a in DEMO_ACCOUNTS]))
        )
    }
    assert set(accounts) == {a[0] for a in DEMO_ACCOUNTS}
    for email, _name, role, _what in DEMO_ACCOUNTS:
        assert accounts[email].role == role and accounts[email].password_hash
    assert accounts["staff@coop.example"].city_ids is None
    assert {c.name for c in accounts["nyc.staff@coop.example"].cities} == {"New York"}


def test_second_seed_adds_nothing():
    assert seed(participants=20) is not None
    db.session.commit()
    before = table_counts()
    assert seed(participants=20) is None
    db.session.commit()
    assert table_counts() == before


def test_demo_staff_can_sign_in_and_land_on_cohorts(client):
    seed(participants=5)
    db.session.commit()
    response = client.post(
        "/login", data={"email": "staff@coop.example", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302 and response.location == "/cohorts"
    page = client.get("/cohorts").get_data(as_text=True)
    for badge in ("completed", "active", "recruiting"):
        assert f">{badge}</span>" in page


def test_seed_demo_command_runs_twice(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo", "--participants", "10"])
    assert first.exit_code == 0, first.output
    assert "Loaded demo data: 4 cities" in first.output
    assert DEMO_PASSWORD in first.output
    before = table_counts()

    second = runner.invoke(args=["seed-demo", "--participants", "10"])
    assert second.exit_code == 0, second.output
    assert "Demo data already loaded; nothing added." in second.output
    assert table_counts() == before


# -- a bigger program --------------------------------------------------------------------------

MEMBERS = [Stage.ENROLLED, Stage.GRADUATED]
RUNNING = [CohortStatus.ACTIVE, CohortStatus.COMPLETED]


def _count(stmt) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))


def broken_rules(today) -> dict[str, int]:
    """For each rule the app enforces, how many rows of the data break it."""
    e, c, ca, ac, pm = Enrollment, Cohort, CaptainAssignment, AlumniCaptain, PodMembership
    vs, a, ci, f, r = VirtualSession, Attendance, CheckIn, FollowUp, Referral

    def member(cohort_id, user_id, stages=MEMBERS):
        return sa.and_(e.cohort_id == cohort_id, e.user_id == user_id, e.stage.in_(stages))

    enrolled = sa.select(sa.func.count(e.id)).where(e.cohort_id == c.id, e.stage == Stage.ENROLLED)
    source = aliased(Cohort)
    return {
        "seats taken differ from the enrolled": _count(
            sa.select(c.id).where(c.seats_taken != enrolled.scalar_subquery())
        ),
        "cohort over capacity": _count(sa.select(c.id).where(c.seats_taken > c.capacity)),
        "captain enrolled in a cohort they lead": _count(
            sa.select(ca.id).join(
                e, sa.and_(e.cohort_id == ca.cohort_id, e.user_id == ca.captain_id)
            )
        ),
        "captain not a graduate of an earlier cohort": _count(
            sa.select(ca.id)
            .join(ac, ac.user_id == ca.captain_id)
            .join(source, source.id == ac.graduated_from_id)
            .join(c, c.id == ca.cohort_id)
            .outerjoin(e, member(source.id, ca.captain_id, [Stage.GRADUATED]))
            .where(sa.or_(source.end_date >= c.start_date, e.id.is_(None)))
        ),
        "pod member not a member of the cohort": _count(
            sa.select(pm.id)
            .join(ca, ca.id == pm.assignment_id)
            .outerjoin(e, member(pm.cohort_id, pm.participant_id))
            .where(sa.or_(e.id.is_(None), ca.cohort_id != pm.cohort_id))
        ),
        "pod over the captain's maximum": _count(
            sa.select(ca.id)
            .join(pm, pm.assignment_id == ca.id)
            .group_by(ca.id, ca.max_participants)
            .having(sa.func.count(pm.id) > ca.max_participants)
        ),
        "member of a cohort with a team but in no pod": _count(
            sa.select(e.id)
            .where(e.cohort_id.in_(sa.select(ca.cohort_id)), e.stage.in_(MEMBERS))
            .outerjoin(pm, sa.and_(pm.cohort_id == e.cohort_id, pm.participant_id == e.user_id))
            .where(pm.id.is_(None))
        ),
        "attendance of a non-member or for a session not held": _count(
            sa.select(a.id)
            .join(vs, vs.id == a.session_id)
            .outerjoin(e, member(vs.cohort_id, a.participant_id))
            .where(
                sa.or_(e.id.is_(None), vs.local_date >= today, vs.status == SessionStatus.CANCELLED)
            )
        ),
        "check-in not by the pod's captain, or in the future": _count(
            sa.select(ci.id)
            .outerjoin(
                pm, sa.and_(pm.cohort_id == ci.cohort_id, pm.participant_id == ci.participant_id)
            )
            .outerjoin(ca, ca.id == pm.assignment_id)
            .where(
                sa.or_(ca.captain_id.is_(None), ca.captain_id != ci.author_id, ci.held_on > today)
            )
        ),
        "follow-up for someone who did not graduate": _count(
            sa.select(f.id)
            .outerjoin(e, sa.and_(e.id == f.enrollment_id, member(f.cohort_id, f.participant_id)))
            .where(sa.or_(e.id.is_(None), e.stage != Stage.GRADUATED))
        ),
        "graduate without follow-ups": _count(
            sa.select(e.id)
            .where(e.stage == Stage.GRADUATED)
            .outerjoin(f, f.enrollment_id == e.id)
            .where(f.id.is_(None))
        ),
        "referral for a non-member": _count(
            sa.select(r.id)
            .outerjoin(e, member(r.cohort_id, r.participant_id))
            .where(e.id.is_(None))
        ),
        "placement from a referral that was no hire": _count(
            sa.select(Placement.id)
            .join(r, r.id == Placement.referral_id)
            .where(r.stage != ReferralStage.HIRED)
        ),
    }


def test_a_bigger_program_is_consistent():
    """With more participants the seed runs more sections of the same terms, and every
    domain's data still obeys the rules the app enforces."""
    participants = 600
    ctx = seed(participants=participants)
    db.session.commit()
    e = Enrollment

    assert {rule: n for rule, n in broken_rules(ctx.today).items() if n} == {}

    # More sections of the same six terms, e.g. "Data Analytics · April 2026 · B".
    cohorts = db.session.scalars(sa.select(Cohort)).all()
    assert len(cohorts) >= 13 + (participants - 200) // 20
    assert len({x.start_date for x in cohorts if x.status in RUNNING}) == 6
    assert {x.status for x in cohorts} == {*RUNNING, CohortStatus.RECRUITING, CohortStatus.PLANNED}
    assert any(x.name.endswith(" · B") for x in cohorts)
    rosters = dict(
        db.session.execute(
            sa.select(e.cohort_id, sa.func.count(e.id))
            .where(e.stage.in_([*MEMBERS, Stage.WITHDRAWN]))
            .group_by(e.cohort_id)
        ).all()
    )
    for x in cohorts:
        if x.status in RUNNING:
            assert 14 <= rosters[x.id] <= 16, x.name
    # Most people took part in a cohort; a few hundred at most are applicants.
    took_part = _count(
        sa.select(e.user_id).where(e.stage.in_([*MEMBERS, Stage.WITHDRAWN])).distinct()
    )
    assert took_part >= 0.8 * participants
    assert _count(sa.select(e.id).where(e.stage == Stage.APPLIED)) <= 300

    # Captain teams of four (one lead) wherever earlier graduates exist, none elsewhere.
    ca = CaptainAssignment
    first_end = min(x.end_date for x in cohorts if x.status == CohortStatus.COMPLETED)
    leads = sa.func.sum(sa.case((ca.is_lead, 1), else_=0))
    teams = {
        cohort_id: (n, lead)
        for cohort_id, n, lead in db.session.execute(
            sa.select(ca.cohort_id, sa.func.count(ca.id), leads)
            .where(ca.ended_at.is_(None))
            .group_by(ca.cohort_id)
        )
    }
    for x in cohorts:
        if x.status in RUNNING and x.start_date > first_end:
            assert teams.get(x.id) == (4, 1), x.name
        else:
            assert x.id not in teams, x.name

    # Sessions for every running cohort; the rest grows with the program.
    with_sessions = set(db.session.scalars(sa.select(VirtualSession.cohort_id).distinct()))
    assert with_sessions == {x.id for x in cohorts if x.status in RUNNING}
    graduates = _count(sa.select(e.id).where(e.stage == Stage.GRADUATED))
    rows = {
        m.__tablename__: _count(sa.select(m.id))
        for m in (VirtualSession, Attendance, CheckIn, PodMembership, Referral, Placement, FollowUp)
    }
    assert rows["virtual_sessions"] >= 30 * len(with_sessions)
    assert rows["attendance"] >= 10 * rows["virtual_sessions"]
    assert rows["check_ins"] >= 5 * rows["pod_memberships"]
    assert rows["referrals"] >= graduates // 5
    assert rows["placements"] >= graduates // 5
    assert rows["follow_ups"] >= 2 * graduates
