"""Demo coaching: graduates of earlier cohorts appointed as captains, a team of about four
for every active and completed cohort (the cohorts of the first term predate any alumni),
pods balanced by the real rules, and months of check-ins.

Runs after the enrollment demo and finds what it needs with queries. Everything is
bulk-inserted, and choosing teams costs a pass over the eligible alumni per cohort, so a
program of 600 cohorts (``make bench``) seeds in seconds. Deterministic through
``ctx.rng``.
"""

from collections import defaultdict
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from coop.auth.models import Role, User
from coop.coaching import balancing
from coop.coaching.models import (
    AlumniCaptain,
    CaptainAssignment,
    Channel,
    CheckIn,
    PodMembership,
    Topic,
)
from coop.demo.base import bulk_insert, insert_rows
from coop.enrollment.models import Enrollment, Stage
from coop.extensions import db
from coop.programs.models import Cohort, CohortStatus

TEAM_SIZE = 4
#: Most teams one demo captain joins.
MAX_TEAMS = 2
NOTES = [
    "Went through the resume line by line; the summary now leads with the capstone project.",
    "Practised the 'tell me about yourself' answer twice; much more confident the second time.",
    "Talked through three openings from the referral board and picked two to apply to.",
    "Reviewed the LinkedIn headline and added the certification.",
    "Checked in after a rough week at work; agreed on a lighter plan for the next few days.",
    "Mock interview for an analyst role; strong on SQL, needs shorter stories.",
    "Mapped out who to ask for informational interviews at two partner companies.",
    "Worked through the dashboard assignment that was blocking them.",
]
NEXT_STEPS = [
    "Send the updated resume by Friday.",
    "Apply to the two openings and tell me when it is done.",
    "Reach out to one alumnus this week.",
    "Finish the module before Thursday's session.",
    "Book a mock interview with me next week.",
    "",
]
FLAG_NOTES = [
    "Might have to drop out: their evening shift changed. Can staff look at options?",
    "Laptop broke and they cannot join sessions; asked about the loaner programme.",
    "Mentioned housing trouble; I said staff could point them to resources.",
]
RESOLUTIONS = [
    "Called them; a loaner laptop is on its way.",
    "Connected them with the community partner's housing advisor.",
    "Agreed a lighter schedule with the facilitator; they are staying.",
]


def _at(day, hour=23) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


def seed(ctx) -> None:
    rng = ctx.rng
    now = _at(ctx.today, 12)
    cohorts = db.session.scalars(
        sa.select(Cohort)
        .options(joinedload(Cohort.city))
        .where(Cohort.status.in_([CohortStatus.ACTIVE, CohortStatus.COMPLETED]))
        .order_by(Cohort.start_date, Cohort.id)
    ).all()
    graduations = db.session.execute(
        sa.select(Enrollment.user_id, Enrollment.cohort_id)
        .join(User, User.id == Enrollment.user_id)
        .where(Enrollment.stage == Stage.GRADUATED, User.active, User.role != Role.STAFF)
        .order_by(Enrollment.user_id)
    ).all()
    if not cohorts or not graduations:
        return
    still_enrolled = set(
        db.session.scalars(sa.select(Enrollment.user_id).where(Enrollment.stage == Stage.ENROLLED))
    )
    by_id = {c.id: c for c in cohorts}
    graduated_from = {u: c for u, c in graduations if c in by_id and u not in still_enrolled}
    members_of: dict[int, list[int]] = defaultdict(list)
    for cohort_id, user_id in db.session.execute(
        sa.select(Enrollment.cohort_id, Enrollment.user_id)
        .where(
            Enrollment.cohort_id.in_(list(by_id)),
            Enrollment.stage.in_([Stage.ENROLLED, Stage.GRADUATED]),
        )
        .order_by(Enrollment.user_id)
    ):
        members_of[cohort_id].append(user_id)

    captain = ctx.accounts.get("captain@coop.example") or db.session.scalar(
        sa.select(User).where(User.email == "captain@coop.example")
    )
    pat = ctx.accounts.get("participant@coop.example") or db.session.scalar(
        sa.select(User).where(User.email == "participant@coop.example")
    )
    pat_cohort = None
    if pat is not None:
        pat_cohort = next(
            (c for c in cohorts if c.status == CohortStatus.ACTIVE and pat.id in members_of[c.id]),
            None,
        )

    # -- teams: graduates of cohorts that ended before this one started -------------------
    teams: dict[int, list[tuple[int, bool]]] = {}
    load: dict[int, int] = defaultdict(int)
    first_team: dict[int, Cohort] = {}
    # Graduates with the end date and city of the cohort they come from, in id order.
    alumni = [(u, by_id[c].end_date, by_id[c].city_id) for u, c in graduated_from.items()]
    captain_id = getattr(captain, "id", None)
    for cohort in cohorts:
        start, here = cohort.start_date, cohort.city_id
        eligible = [(u, city) for u, end, city in alumni if end < start and load[u] < MAX_TEAMS]
        if not eligible:
            continue  # the first term: no alumni yet
        team: list[int] = []
        if cohort is pat_cohort and captain is not None and captain.id in graduated_from:
            team.append(captain.id)
        local = [u for u, city in eligible if city == here]
        away = [u for u, city in eligible if city != here]
        for pool in (local, away):
            skip = {*team, captain_id}
            pool = [u for u in pool if u not in skip]
            rng.shuffle(pool)
            pool.sort(key=load.__getitem__)  # spread the work; stable keeps the shuffle
            team += pool[: TEAM_SIZE - len(team)]
        teams[cohort.id] = [(u, i == 0) for i, u in enumerate(team)]
        for u in team:
            load[u] += 1
            first_team.setdefault(u, cohort)

    if not teams:
        return

    # -- appointments and roles ---------------------------------------------------------
    staff = ctx.accounts.get("staff@coop.example")
    appointed = sorted(first_team)
    # A few captains whose only team is long over have stepped down (history is kept).
    stepped_down = {
        u
        for u in appointed
        if load[u] == 1
        and first_team[u].status == CohortStatus.COMPLETED
        and u != getattr(captain, "id", None)
        and rng.random() < 0.25
    }
    db.session.execute(
        bulk_insert(AlumniCaptain),
        [
            dict(
                user_id=u,
                graduated_from_id=graduated_from[u],
                appointed_at=_at(first_team[u].start_date - timedelta(weeks=3), 16),
                appointed_by_id=getattr(staff, "id", None),
                stepped_down_at=_at(first_team[u].end_date + timedelta(weeks=2), 16)
                if u in stepped_down
                else None,
                stepped_down_by_id=getattr(staff, "id", None) if u in stepped_down else None,
            )
            for u in appointed
        ],
    )
    current = [u for u in appointed if u not in stepped_down]
    db.session.execute(sa.update(User).where(User.id.in_(current)).values(role=Role.CAPTAIN))

    assignment_rows = [
        dict(
            cohort_id=cohort_id,
            captain_id=u,
            is_lead=lead,
            max_participants=6,
            created_at=min(_at(by_id[cohort_id].start_date - timedelta(weeks=2), 16), now),
        )
        for cohort_id, team in teams.items()
        for u, lead in team
    ]
    assignment_ids = db.session.scalars(
        bulk_insert(CaptainAssignment).returning(
            CaptainAssignment.id, sort_by_parameter_order=True
        ),
        assignment_rows,
    ).all()
    assignments: dict[int, list[tuple[int, int]]] = defaultdict(list)  # cohort -> (id, captain)
    for row, aid in zip(assignment_rows, assignment_ids, strict=True):
        assignments[row["cohort_id"]].append((aid, row["captain_id"]))

    # -- pods, balanced by the real rules -----------------------------------------------
    pod_rows = []
    pods: dict[int, list[tuple[int, int]]] = defaultdict(list)  # cohort -> (participant, captain)
    for cohort_id, team in assignments.items():
        people = members_of[cohort_id]
        first = [balancing.Pod(aid, 6) for aid, _ in team]
        if pat is not None and cohort_id == getattr(pat_cohort, "id", None):
            first[0] = balancing.Pod(team[0][0], 6, (pat.id,))  # Pat is in the lead's pod
        plan = balancing.balance(first, people)
        captain_of = dict(team)
        for aid, members in plan.pods.items():
            for pid in members:
                pod_rows.append(
                    dict(
                        cohort_id=cohort_id,
                        participant_id=pid,
                        assignment_id=aid,
                        created_at=min(
                            _at(by_id[cohort_id].start_date - timedelta(days=3), 16), now
                        ),
                    )
                )
                pods[cohort_id].append((pid, captain_of[aid]))
    if pod_rows:
        insert_rows(PodMembership, pod_rows)

    # -- months of check-ins ------------------------------------------------------------
    checkins = []
    topics = [t.value for t in Topic]
    channels = [Channel.VIDEO, Channel.VIDEO, Channel.PHONE, Channel.TEXT, Channel.IN_PERSON]
    for cohort_id, members in pods.items():
        cohort = by_id[cohort_id]
        until = min(cohort.end_date, ctx.today)
        for pid, author in members:
            day = cohort.start_date + timedelta(days=rng.randint(2, 9))
            # Some participants in running cohorts have gone quiet: overdue today.
            quiet = cohort.status == CohortStatus.ACTIVE and pid != getattr(pat, "id", None)
            stop = (
                until - timedelta(days=rng.randint(16, 30))
                if quiet and rng.random() < 0.2
                else until
            )
            while day <= stop:
                flagged = rng.random() < 0.04
                resolved = flagged and (ctx.today - day).days > 10
                created = min(_at(day, rng.randint(22, 23)), now)
                checkins.append(
                    dict(
                        cohort_id=cohort_id,
                        participant_id=pid,
                        author_id=author,
                        held_on=day,
                        channel=rng.choice(channels),
                        minutes=rng.choice([15, 20, 30, 30, 45, 60]),
                        topics=sorted(rng.sample(topics, rng.randint(1, 3)), key=topics.index),
                        notes=rng.choice(FLAG_NOTES if flagged else NOTES),
                        next_steps=rng.choice(NEXT_STEPS),
                        needs_attention=flagged,
                        confidential=flagged and rng.random() < 0.5 or rng.random() < 0.05,
                        created_at=created,
                        updated_at=created,
                        resolved_at=min(created + timedelta(days=2), now) if resolved else None,
                        resolved_by_id=getattr(staff, "id", None) if resolved else None,
                        resolution_note=rng.choice(RESOLUTIONS) if resolved else None,
                    )
                )
                day += timedelta(days=rng.randint(6, 15))
    # Every running cohort has something waiting for staff: its latest check-in with
    # someone other than Pat asks for attention.
    running: dict[int, list[dict]] = {c: [] for c in pods if by_id[c].status == CohortStatus.ACTIVE}
    for r in checkins:
        if r["cohort_id"] in running and r["participant_id"] != getattr(pat, "id", None):
            running[r["cohort_id"]].append(r)
    for cohort_id, rows in running.items():
        if rows:
            latest = max(rows, key=lambda r: (r["held_on"], r["participant_id"]))
            latest.update(
                needs_attention=True,
                notes=FLAG_NOTES[cohort_id % len(FLAG_NOTES)],
                resolved_at=None,
                resolved_by_id=None,
                resolution_note=None,
            )
    if checkins:
        insert_rows(CheckIn, checkins)
    db.session.flush()
