"""Demo career plans, credentials and support referrals (issue 15).

Every enrolled participant of an active cohort who is in a pod gets a plan with an
employment and a skill goal and a few steps (some overdue: always some in the demo
captain's pod, so the captain's home and the at-risk list show them); graduates earned
credentials (most verified), so the WIOA credential rate and the dashboard show figures;
some people were referred to community partners for support.
"""

from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa

from coop.auth.models import User
from coop.coaching.models import CaptainAssignment, PodMembership
from coop.demo.base import bulk_insert
from coop.enrollment.models import Enrollment, Stage
from coop.extensions import db
from coop.plans.models import (
    CareerPlan,
    Credential,
    CredentialType,
    GoalKind,
    PlanGoal,
    PlanStep,
    StepOwner,
    StepStatus,
)
from coop.programs.models import Cohort, CohortStatus, Partner, PartnerKind
from coop.support.models import Need, SupportReferral, SupportStatus

CATALOGUE = {
    "digital-marketing": [
        ("Google Analytics Certification", "Google"),
        ("Google Ads Search Certification", "Google"),
        ("HubSpot Content Marketing", "HubSpot Academy"),
        ("Meta Certified Digital Marketing Associate", "Meta"),
    ],
    "data-analytics": [
        ("Google Data Analytics Certificate", "Google"),
        ("SQL assessment", "coop"),
        ("Tableau Desktop Specialist", "Tableau"),
        ("Microsoft Power BI Data Analyst", "Microsoft"),
    ],
}

GOALS = [
    (GoalKind.EMPLOYMENT, "A career-track role in {track}"),
    (GoalKind.SKILL, "Earn a {track} certification"),
]

STEPS = {
    GoalKind.EMPLOYMENT: [
        ("Update the CV with the cohort project", StepOwner.PARTICIPANT),
        ("Three informational interviews with alumni", StepOwner.PARTICIPANT),
        ("Introduce to two partner recruiters", StepOwner.CAPTAIN),
    ],
    GoalKind.SKILL: [
        ("Finish the certification's practice test", StepOwner.PARTICIPANT),
        ("Book the exam (voucher from staff)", StepOwner.STAFF),
    ],
}


def _track_key(slug: str) -> str:
    return "data-analytics" if "data" in slug else "digital-marketing"


def seed(ctx) -> None:
    rng = ctx.rng
    now = datetime.combine(ctx.today, time(12, 0), tzinfo=UTC)
    staff = ctx.accounts.get("staff@coop.example")
    captain = ctx.accounts.get("captain@coop.example") or db.session.scalar(
        sa.select(User).where(User.email == "captain@coop.example")
    )
    if staff is None:
        return
    types = _seed_catalogue(ctx)
    _seed_plans(ctx, rng, now, staff, captain)
    _seed_credentials(ctx, rng, now, staff, types)
    _seed_support(ctx, rng, now, staff)


def _seed_catalogue(ctx) -> dict[int, list[int]]:
    """The catalogue per track; returns {track id: [credential type ids]}."""
    rows = []
    for track in ctx.tracks.values():
        for name, issuer in CATALOGUE[_track_key(track.slug)]:
            rows.append({"track_id": track.id, "name": name, "issuer": issuer})
    if rows:
        db.session.execute(bulk_insert(CredentialType), rows)
    out: dict[int, list[int]] = {}
    for tid, track_id in db.session.execute(
        sa.select(CredentialType.id, CredentialType.track_id).order_by(CredentialType.id)
    ):
        out.setdefault(track_id, []).append(tid)
    return out


def _seed_plans(ctx, rng, now, staff, captain) -> None:
    members = db.session.execute(
        sa.select(
            PodMembership.participant_id,
            PodMembership.cohort_id,
            CaptainAssignment.captain_id,
            Cohort.start_date,
            Cohort.end_date,
            Cohort.track_id,
        )
        .join(CaptainAssignment, CaptainAssignment.id == PodMembership.assignment_id)
        .join(Cohort, Cohort.id == PodMembership.cohort_id)
        .join(
            Enrollment,
            sa.and_(
                Enrollment.cohort_id == PodMembership.cohort_id,
                Enrollment.user_id == PodMembership.participant_id,
            ),
        )
        .where(
            Cohort.status == CohortStatus.ACTIVE,
            Enrollment.stage == Stage.ENROLLED,
            CaptainAssignment.ended_at.is_(None),
        )
        .order_by(PodMembership.id)
    ).all()
    seen: set[int] = set()
    plans = []
    info = {}
    for pid, cohort_id, captain_id, start, end, track_id in members:
        if pid in seen:
            continue
        seen.add(pid)
        plans.append(
            {
                "participant_id": pid,
                "cohort_id": cohort_id,
                "created_by_id": captain_id,
                "created_at": now,
                "updated_at": now,
            }
        )
        info[pid] = (captain_id, start, end, track_id)
    if not plans:
        return
    for i in range(0, len(plans), 5000):
        db.session.execute(bulk_insert(CareerPlan), plans[i : i + 5000])
    plan_ids = dict(db.session.execute(sa.select(CareerPlan.participant_id, CareerPlan.id)).all())
    track_names = {t.id: t.name.lower() for t in ctx.tracks.values()}
    goals = []
    for pid, plan_id in plan_ids.items():
        _captain, _start, end, track_id = info[pid]
        for kind, title in GOALS:
            goals.append(
                {
                    "plan_id": plan_id,
                    "kind": kind,
                    "title": title.format(track=track_names.get(track_id, "the track")),
                    "target_date": end + timedelta(days=90 if kind == GoalKind.EMPLOYMENT else 0),
                    "created_at": now,
                }
            )
    for i in range(0, len(goals), 5000):
        db.session.execute(bulk_insert(PlanGoal), goals[i : i + 5000])
    by_plan = {v: k for k, v in plan_ids.items()}
    steps = []
    forced_overdue = 0
    for goal_id, plan_id, kind in db.session.execute(
        sa.select(PlanGoal.id, PlanGoal.plan_id, PlanGoal.kind).order_by(PlanGoal.id)
    ):
        pid = by_plan[plan_id]
        captain_id, start, end, _track = info[pid]
        mine = captain is not None and captain_id == captain.id
        for n, (title, owner) in enumerate(STEPS[GoalKind(kind)]):
            due = start + timedelta(days=21 + 14 * n + (7 if kind == GoalKind.SKILL else 0))
            status = StepStatus.OPEN
            if due < ctx.today:
                status = StepStatus.DONE if rng.random() < 0.7 else StepStatus.OPEN
            # The demo captain's pod always shows overdue steps: the first open one due
            # in the past stays open, and a week-old one is due for two of them.
            if mine and n == 0 and kind == GoalKind.EMPLOYMENT and forced_overdue < 2:
                due = min(due, ctx.today - timedelta(days=7))
                status = StepStatus.OPEN
                forced_overdue += 1
            steps.append(
                {
                    "plan_id": plan_id,
                    "goal_id": goal_id,
                    "title": title,
                    "owner": owner,
                    "due_date": due,
                    "status": status,
                    "comment": None,
                    "done_at": now if status == StepStatus.DONE else None,
                    "updated_by_id": captain_id,
                    "created_at": now,
                    "updated_at": now,
                }
            )
    for i in range(0, len(steps), 5000):
        db.session.execute(bulk_insert(PlanStep), steps[i : i + 5000])


def _seed_credentials(ctx, rng, now, staff, types) -> None:
    """Graduates earned credentials (most verified); some enrolled people recorded one
    that waits for staff."""
    people = db.session.execute(
        sa.select(Enrollment.user_id, Enrollment.cohort_id, Enrollment.stage, Cohort)
        .join(Cohort, Cohort.id == Enrollment.cohort_id)
        .where(Enrollment.stage.in_([Stage.GRADUATED, Stage.ENROLLED]))
        .order_by(Enrollment.id)
    ).all()
    rows = []
    seen: set[tuple[int, int]] = set()
    for user_id, cohort_id, stage, cohort in people:
        choices = types.get(cohort.track_id) or []
        if not choices:
            continue
        graduated = stage == Stage.GRADUATED
        if rng.random() > (0.55 if graduated else 0.15):
            continue
        type_id = rng.choice(choices)
        if (user_id, type_id) in seen:
            continue
        seen.add((user_id, type_id))
        if graduated:
            earned = cohort.end_date - timedelta(days=rng.randint(-300, 40))
        else:
            earned = cohort.start_date + timedelta(days=rng.randint(7, 40))
        earned = min(earned, ctx.today)
        verified = graduated and rng.random() < 0.8
        rows.append(
            {
                "participant_id": user_id,
                "cohort_id": cohort_id,
                "credential_type_id": type_id,
                "earned_on": earned,
                "credential_ref": f"CERT-{rng.randrange(10**7, 10**8)}",
                "link": None,
                "recorded_by_id": user_id,
                "created_at": now,
                "verified_at": now if verified else None,
                "verified_by_id": staff.id if verified else None,
            }
        )
    for i in range(0, len(rows), 5000):
        db.session.execute(bulk_insert(Credential), rows[i : i + 5000])


def _seed_support(ctx, rng, now, staff) -> None:
    partners = db.session.execute(
        sa.select(Partner.id, Partner.city_id).where(Partner.kind == PartnerKind.COMMUNITY)
    ).all()
    if not partners:
        return
    people = db.session.execute(
        sa.select(Enrollment.user_id, Enrollment.cohort_id, Cohort.city_id, Cohort.start_date)
        .join(Cohort, Cohort.id == Enrollment.cohort_id)
        .where(Enrollment.stage.in_([Stage.GRADUATED, Stage.ENROLLED]))
        .order_by(Enrollment.id)
    ).all()
    needs = list(Need)
    rows = []
    for user_id, cohort_id, city_id, start in people:
        if rng.random() > 0.25:
            continue
        local = [p for p, c in partners if c in (None, city_id)] or [p for p, _ in partners]
        requested = min(start + timedelta(days=rng.randint(3, 60)), ctx.today)
        status = rng.choice(
            [SupportStatus.REQUESTED, SupportStatus.REFERRED]
            + [SupportStatus.RECEIVED] * 3
            + [SupportStatus.NOT_RECEIVED]
        )
        referred = min(requested + timedelta(days=rng.randint(1, 7)), ctx.today)
        closed = min(referred + timedelta(days=rng.randint(3, 30)), ctx.today)
        rows.append(
            {
                "participant_id": user_id,
                "cohort_id": cohort_id,
                "need": rng.choice(needs),
                "partner_id": rng.choice(local),
                "status": status,
                "requested_on": requested,
                "referred_on": None if status == SupportStatus.REQUESTED else referred,
                "closed_on": closed
                if status in (SupportStatus.RECEIVED, SupportStatus.NOT_RECEIVED)
                else None,
                "created_by_id": staff.id,
                "created_at": now,
                "updated_at": now,
            }
        )
    for i in range(0, len(rows), 5000):
        db.session.execute(bulk_insert(SupportReferral), rows[i : i + 5000])
