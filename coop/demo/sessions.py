"""Demo sessions: the schedule of every active and completed cohort from its meeting
pattern, attendance for the sessions already held, one cancelled session, and a demo
participant whose own zone differs from their cohort's (so both times show).

Runs after the enrollment and coaching seeds and finds what it needs with queries.
Sessions and attendance are bulk-inserted; deterministic through ``ctx.rng``.
"""

from collections import defaultdict
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from coop.auth.models import User
from coop.coaching.models import CaptainAssignment, PodMembership
from coop.db import utcnow
from coop.demo.base import insert_rows
from coop.enrollment.models import Enrollment
from coop.extensions import db
from coop.programs.models import WEEKDAYS, Cohort, CohortStatus
from coop.sessions.models import (
    Attendance,
    AttendanceSource,
    AttendanceStatus,
    SessionStatus,
    VirtualSession,
)
from coop.sessions.queries import MEMBER_STAGES
from coop.sessions.services import local_to_utc

DURATION = 120
TOPICS = [
    "Welcome and goals",
    "Telling your story",
    "Resume foundations",
    "LinkedIn that works",
    "Networking without the awkward",
    "Informational interviews",
    "Track skills I",
    "Track skills II",
    "Capstone project kick-off",
    "Interview preparation",
    "Mock interviews",
    "Salary and offers",
    "Thriving at work",
    "Capstone showcase",
    "Your job-search plan",
    "Celebration",
]
AGENDAS = [
    "Check-in round; the week's theme; breakout rooms with your pod; next steps.",
    "Guest alumnus talk; Q&A; pod breakouts; assignment for next week.",
]
PAT = "participant@coop.example"
CAPTAIN = "captain@coop.example"


def seed(ctx) -> None:
    cohorts = list(
        db.session.scalars(
            sa.select(Cohort)
            .options(joinedload(Cohort.city))
            .where(Cohort.status.in_([CohortStatus.ACTIVE, CohortStatus.COMPLETED]))
            .order_by(Cohort.start_date, Cohort.id)
        )
    )
    if not cohorts:
        return
    now = utcnow()
    rows = []
    for cohort in cohorts:
        rows += _schedule(cohort, now)
    insert_rows(VirtualSession, rows)

    sessions: dict[int, list[tuple[int, datetime, datetime]]] = defaultdict(list)
    for sid, cohort_id, starts_at, local_date in db.session.execute(
        sa.select(
            VirtualSession.id,
            VirtualSession.cohort_id,
            VirtualSession.starts_at,
            VirtualSession.local_date,
        )
        .where(VirtualSession.cohort_id.in_([c.id for c in cohorts]))
        .order_by(VirtualSession.cohort_id, VirtualSession.starts_at)
    ):
        sessions[cohort_id].append((sid, starts_at, local_date))

    members: dict[int, list[int]] = defaultdict(list)
    for cohort_id, user_id in db.session.execute(
        sa.select(Enrollment.cohort_id, Enrollment.user_id)
        .where(
            Enrollment.cohort_id.in_([c.id for c in cohorts]),
            Enrollment.stage.in_(MEMBER_STAGES),
        )
        .order_by(Enrollment.cohort_id, Enrollment.user_id)
    ):
        members[cohort_id].append(user_id)

    pat = db.session.scalar(sa.select(User).where(User.email == PAT))
    pat_cohort = _pat_cohort(pat, cohorts, members)
    if pat is not None and pat_cohort is not None:
        # Pat lives on the other coast: the portal then shows both times.
        zone = pat_cohort.city.timezone
        pat.timezone = (
            "America/Los_Angeles" if zone != "America/Los_Angeles" else "America/New_York"
        )

    cancelled_id = None
    flagged = None
    if pat_cohort is not None:
        upcoming = [s for s in sessions[pat_cohort.id] if s[2] > ctx.today]
        if len(upcoming) >= 2:
            cancelled_id = upcoming[1][0]  # the one after next: the next stays joinable
        flagged = _flagged_participant(pat_cohort, pat, members)
    if cancelled_id is not None:
        db.session.execute(
            sa.update(VirtualSession)
            .where(VirtualSession.id == cancelled_id)
            .values(status=SessionStatus.CANCELLED, cancelled_at=now, sequence=1)
        )

    staff = ctx.accounts.get("staff@coop.example")
    attendance = []
    for cohort in cohorts:
        held = [s for s in sessions[cohort.id] if s[2] < ctx.today and s[0] != cancelled_id]
        if cohort.status == CohortStatus.ACTIVE and held:
            # The latest session awaits its captains' roll call.
            awaiting, held = held[-1], held[:-1]
        else:
            awaiting = None
        reliability = {u: ctx.rng.uniform(0.6, 0.98) for u in members[cohort.id]}
        for sid, starts_at, _ in held:
            for user_id in members[cohort.id]:
                status = _status(ctx.rng, reliability[user_id])
                attendance.append(_row(sid, user_id, status, starts_at, staff))
        if flagged is not None and cohort.id == pat_cohort.id:
            # Three absences in a row (the last one already noted by staff): the flag shows.
            latest = [*held[-2:], *([awaiting] if awaiting else [])]
            marked = {(sid, flagged) for sid, _, _ in latest}
            attendance = [
                r for r in attendance if (r["session_id"], r["participant_id"]) not in marked
            ]
            for sid, starts_at, _ in latest:
                attendance.append(_row(sid, flagged, AttendanceStatus.ABSENT, starts_at, staff))
    if attendance:
        insert_rows(Attendance, attendance)


def _schedule(cohort: Cohort, now: datetime) -> list[dict]:
    """The cohort's sessions on its meeting days between its start and end dates."""
    days = {WEEKDAYS.index(d) for d in cohort.meeting_day_list} or {1, 3}
    at = cohort.meeting_time or time(18, 30)
    zone = cohort.city.timezone
    out = []
    day = cohort.start_date
    last_week = None
    while day <= cohort.end_date:
        if day.weekday() in days:
            week = (day - cohort.start_date).days // 7
            topic = TOPICS[min(week, len(TOPICS) - 1)]
            lab = week == last_week
            last_week = week
            out.append(
                {
                    "cohort_id": cohort.id,
                    "title": f"Week {week + 1}: {topic}" + (" (lab)" if lab else ""),
                    "agenda": AGENDAS[int(lab)],
                    "starts_at": local_to_utc(day, at, zone),
                    "duration_minutes": DURATION,
                    "local_date": day,
                    "local_time": at,
                    "video_link": None,
                    "status": SessionStatus.SCHEDULED,
                    "sequence": 0,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        day += timedelta(days=1)
    return out


def _pat_cohort(pat, cohorts, members):
    if pat is None:
        return None
    mine = [c for c in cohorts if pat.id in members[c.id]]
    active = [c for c in mine if c.status == CohortStatus.ACTIVE]
    return (active or mine or [None])[-1]


def _flagged_participant(cohort, pat, members) -> int | None:
    """Someone in the demo captain's pod (else anyone but Pat) who missed the last three."""
    pod = list(
        db.session.scalars(
            sa.select(PodMembership.participant_id)
            .join(CaptainAssignment, CaptainAssignment.id == PodMembership.assignment_id)
            .join(User, User.id == CaptainAssignment.captain_id)
            .where(PodMembership.cohort_id == cohort.id, User.email == CAPTAIN)
            .order_by(PodMembership.participant_id)
        )
    )
    pat_id = getattr(pat, "id", None)
    candidates = [u for u in pod if u != pat_id and u in members[cohort.id]]
    candidates += [u for u in members[cohort.id] if u != pat_id and u not in candidates]
    return candidates[0] if candidates else None


def _status(rng, reliability: float) -> AttendanceStatus:
    roll = rng.random()
    if roll < reliability * 0.85:
        return AttendanceStatus.PRESENT
    if roll < reliability:
        return AttendanceStatus.LATE
    return AttendanceStatus.EXCUSED if rng.random() < 0.3 else AttendanceStatus.ABSENT


def _row(session_id, user_id, status, starts_at, staff) -> dict:
    return {
        "session_id": session_id,
        "participant_id": user_id,
        "status": status,
        "source": AttendanceSource.ROLL_CALL,
        "recorded_by_id": getattr(staff, "id", None),
        "recorded_at": starts_at + timedelta(minutes=30),
    }
