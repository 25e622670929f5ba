"""Reads for sessions and attendance, with their eager loading and a fixed number of
queries whatever the cohort size."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, raiseload, selectinload

from coop.auth.models import User
from coop.coaching.models import CaptainAssignment, PodMembership
from coop.core import events
from coop.db import utcnow
from coop.enrollment.models import Enrollment, Stage
from coop.extensions import db
from coop.programs.models import Cohort
from coop.sessions.models import (
    ATTENDED,
    Attendance,
    AttendanceStatus,
    SessionStatus,
    VirtualSession,
)

#: Enrollment stages that make someone a member of a cohort (graduates stay members of
#: their past cohorts).
MEMBER_STAGES = (Stage.ENROLLED, Stage.GRADUATED)

#: Consecutive absences (in the latest sessions held) that flag a participant.
ABSENT_STREAK = 3


@dataclass(frozen=True)
class Summary:
    """A participant's attendance in one cohort."""

    #: Sessions held so far (not cancelled, already over).
    held: int
    #: Of those, sessions the participant attended (present or late).
    attended: int
    #: Absent in each of the latest three sessions held.
    absent_streak_flag: bool

    @property
    def rate(self) -> float | None:
        return self.attended / self.held if self.held else None


# -- loading --------------------------------------------------------------------------


def session_or_404(session_id: int) -> VirtualSession:
    """The session with its cohort and the cohort's city, track and sponsor."""
    stmt = (
        db.select(VirtualSession)
        .options(
            joinedload(VirtualSession.cohort).options(
                joinedload(Cohort.city), joinedload(Cohort.track), joinedload(Cohort.sponsor)
            )
        )
        .where(VirtualSession.id == session_id)
    )
    session = db.session.scalar(stmt)
    if session is None:
        from flask import abort

        abort(404)
    return session


def cohort_sessions(cohort_id: int) -> list[VirtualSession]:
    return list(
        db.session.scalars(
            db.select(VirtualSession)
            .where(VirtualSession.cohort_id == cohort_id)
            .order_by(VirtualSession.starts_at, VirtualSession.id)
        )
    )


def current_assignment(user_id: int, cohort_id: int) -> CaptainAssignment | None:
    """The captain's current assignment to the cohort, if any."""
    return db.session.scalar(
        db.select(CaptainAssignment).where(
            CaptainAssignment.captain_id == user_id,
            CaptainAssignment.cohort_id == cohort_id,
            CaptainAssignment.ended_at.is_(None),
        )
    )


def members_stmt(cohort_id: int):
    """The select of the cohort's participants (enrolled or graduated) by name."""
    return (
        db.select(User)
        .join(Enrollment, Enrollment.user_id == User.id)
        .options(raiseload(User.cities))
        .where(Enrollment.cohort_id == cohort_id, Enrollment.stage.in_(MEMBER_STAGES))
        .order_by(User.name, User.id)
    )


def sessions_so_far(cohort_id: int, now: datetime) -> list[VirtualSession]:
    """The cohort's sessions that have started, cancelled ones left out, in order."""
    return list(
        db.session.scalars(
            db.select(VirtualSession)
            .where(
                VirtualSession.cohort_id == cohort_id,
                VirtualSession.status != SessionStatus.CANCELLED,
                VirtualSession.starts_at <= now,
            )
            .order_by(VirtualSession.starts_at, VirtualSession.id)
        )
    )


def attendance_grid(session_ids: list[int], participant_ids: list[int]) -> dict:
    """``{(participant id, session id): status}`` for these people and sessions: one query."""
    if not session_ids or not participant_ids:
        return {}
    rows = db.session.execute(
        db.select(Attendance.participant_id, Attendance.session_id, Attendance.status).where(
            Attendance.session_id.in_(session_ids),
            Attendance.participant_id.in_(participant_ids),
        )
    )
    return {(pid, sid): status for pid, sid, status in rows}


def members(
    cohort_id: int, pod_of_captain: int | None = None, with_profiles: bool = False
) -> list[User]:
    """The cohort's participants (enrolled or graduated) by name. With
    ``pod_of_captain``, only those in that captain's current pods."""
    stmt = (
        db.select(User)
        .join(Enrollment, Enrollment.user_id == User.id)
        # Staff cities mean nothing for participants: never load them.
        .options(raiseload(User.cities))
        .where(Enrollment.cohort_id == cohort_id, Enrollment.stage.in_(MEMBER_STAGES))
        .order_by(User.name, User.id)
    )
    if with_profiles:
        stmt = stmt.options(selectinload(User.profile))
    if pod_of_captain is not None:
        stmt = stmt.where(
            db.select(PodMembership.id)
            .join(CaptainAssignment, CaptainAssignment.id == PodMembership.assignment_id)
            .where(
                PodMembership.participant_id == User.id,
                PodMembership.cohort_id == cohort_id,
                CaptainAssignment.captain_id == pod_of_captain,
                CaptainAssignment.ended_at.is_(None),
            )
            .exists()
        )
    return list(db.session.scalars(stmt))


def member_ids(cohort_id: int) -> list[int]:
    return list(
        db.session.scalars(
            db.select(Enrollment.user_id).where(
                Enrollment.cohort_id == cohort_id, Enrollment.stage.in_(MEMBER_STAGES)
            )
        )
    )


def is_member(user_id: int, cohort_id: int) -> bool:
    return (
        db.session.scalar(
            db.select(Enrollment.id).where(
                Enrollment.user_id == user_id,
                Enrollment.cohort_id == cohort_id,
                Enrollment.stage.in_(MEMBER_STAGES),
            )
        )
        is not None
    )


def attendance_by_participant(session_id: int, participant_ids: Iterable[int]) -> dict:
    """``{participant_id: Attendance}`` for one session."""
    ids = list(participant_ids)
    if not ids:
        return {}
    rows = db.session.scalars(
        db.select(Attendance).where(
            Attendance.session_id == session_id, Attendance.participant_id.in_(ids)
        )
    )
    return {a.participant_id: a for a in rows}


def session_counts(session_ids: Iterable[int]) -> dict[int, Counter]:
    """``{session_id: Counter(status -> n)}`` in one grouped query."""
    ids = list(session_ids)
    out: dict[int, Counter] = {i: Counter() for i in ids}
    if not ids:
        return out
    stmt = (
        db.select(Attendance.session_id, Attendance.status, sa.func.count())
        .where(Attendance.session_id.in_(ids))
        .group_by(Attendance.session_id, Attendance.status)
    )
    for session_id, status, n in db.session.execute(stmt):
        out[session_id][AttendanceStatus(status)] = n
    return out


# -- attendance figures ----------------------------------------------------------------


def held_session_ids(cohort_id: int, now: datetime | None = None) -> list[int]:
    """Ids of the cohort's sessions held so far (not cancelled and over), oldest first."""
    return held_sessions([cohort_id], now)[cohort_id]


def held_sessions(cohort_ids: Iterable[int], now: datetime | None = None) -> dict[int, list]:
    """``{cohort_id: ids of its sessions held so far}``, oldest first, in one query."""
    now = now or utcnow()
    out: dict[int, list[int]] = {cid: [] for cid in cohort_ids}
    rows = db.session.execute(
        db.select(
            VirtualSession.id,
            VirtualSession.cohort_id,
            VirtualSession.starts_at,
            VirtualSession.duration_minutes,
        )
        .where(
            VirtualSession.cohort_id.in_(list(out) or [-1]),
            VirtualSession.status == SessionStatus.SCHEDULED,
            VirtualSession.starts_at <= now,
        )
        .order_by(VirtualSession.starts_at, VirtualSession.id)
    ).all()
    # The end is start + duration: compared here rather than with dialect-specific
    # interval arithmetic; a cohort has a few dozen sessions.
    for r in rows:
        if r.starts_at + timedelta(minutes=r.duration_minutes) <= now:
            out[r.cohort_id].append(r.id)
    return out


def attendance_summary(
    cohort_id: int, participant_ids: list[int], now: datetime | None = None
) -> dict[int, Summary]:
    """Each participant's attendance in the cohort, in two queries whatever the numbers.

    Rate = (present + late) / sessions held. A missing roll-call row counts as not
    attended; the absence streak counts only recorded absences.
    """
    return attendance_summaries({cohort_id: participant_ids}, now)[cohort_id]


def attendance_summaries(
    people: dict[int, list[int]], now: datetime | None = None
) -> dict[int, dict[int, Summary]]:
    """``attendance_summary`` for several cohorts at once (``{cohort_id: participant
    ids}``), in two queries whatever the number of cohorts and people."""
    people = {cid: list(dict.fromkeys(ids)) for cid, ids in people.items()}
    held = held_sessions(people, now)
    latest = {
        cid: ids[-ABSENT_STREAK:] if len(ids) >= ABSENT_STREAK else [] for cid, ids in held.items()
    }
    sessions = [sid for cid, ids in people.items() if ids for sid in held[cid]]
    participants = {pid for cid, ids in people.items() if held[cid] for pid in ids}
    found: dict[tuple[int, int], tuple[int, int]] = {}
    if sessions and participants:
        attended = sa.func.sum(sa.case((Attendance.status.in_(ATTENDED), 1), else_=0))
        latest_ids = [sid for ids in latest.values() for sid in ids]
        absent_latest = sa.func.sum(
            sa.case(
                (
                    sa.and_(
                        Attendance.status == AttendanceStatus.ABSENT,
                        Attendance.session_id.in_(latest_ids or [-1]),
                    ),
                    1,
                ),
                else_=0,
            )
        )
        stmt = (
            db.select(VirtualSession.cohort_id, Attendance.participant_id, attended, absent_latest)
            .join(VirtualSession, VirtualSession.id == Attendance.session_id)
            .where(Attendance.session_id.in_(sessions), Attendance.participant_id.in_(participants))
            .group_by(VirtualSession.cohort_id, Attendance.participant_id)
        )
        found = {
            (cid, pid): (int(a or 0), int(b or 0)) for cid, pid, a, b in db.session.execute(stmt)
        }
    out: dict[int, dict[int, Summary]] = {}
    for cid, ids in people.items():
        out[cid] = {}
        for pid in ids:
            n_attended, n_absent_latest = found.get((cid, pid), (0, 0))
            out[cid][pid] = Summary(
                held=len(held[cid]),
                attended=n_attended,
                absent_streak_flag=bool(latest[cid]) and n_absent_latest == ABSENT_STREAK,
            )
    return out


def cohort_rate(summaries: dict[int, Summary]) -> float | None:
    """The cohort's attendance rate: all attended sessions over all sessions held."""
    held = sum(s.held for s in summaries.values())
    return sum(s.attended for s in summaries.values()) / held if held else None


# -- answers to lower layers' questions (coop.core.events) --------------------------------


@events.attendance_summaries.connect
def _attendance_for_coaching(_sender, *, people, **_):
    return attendance_summaries(people)


@events.at_risk_reasons.connect
def _consecutive_absences(_sender, *, cohort_ids, thresholds, **_):
    """``absences``: absent from each of the participant's last ``absences`` sessions
    with attendance taken (excused is not absent; a later session attended ends it)."""
    n = max(int(thresholds.get("absences", 3)), 1)
    ranked = (
        sa.select(
            Attendance.participant_id.label("participant_id"),
            VirtualSession.cohort_id.label("cohort_id"),
            Attendance.status.label("status"),
            sa.func.row_number()
            .over(
                partition_by=(VirtualSession.cohort_id, Attendance.participant_id),
                order_by=(VirtualSession.starts_at.desc(), VirtualSession.id.desc()),
            )
            .label("rn"),
        )
        .join(VirtualSession, VirtualSession.id == Attendance.session_id)
        .where(
            VirtualSession.cohort_id.in_(cohort_ids),
            VirtualSession.status == SessionStatus.SCHEDULED,
            VirtualSession.starts_at <= utcnow(),
        )
        .subquery("ranked_attendance")
    )
    absent = sa.func.count(sa.case((ranked.c.status == AttendanceStatus.ABSENT, 1)))
    return (
        sa.select(
            ranked.c.participant_id,
            ranked.c.cohort_id,
            sa.literal_column("'absences'", sa.String),
            sa.literal_column(f"'Absent from the last {n} sessions'", sa.String),
        )
        .where(ranked.c.rn <= n)
        .group_by(ranked.c.participant_id, ranked.c.cohort_id)
        .having(absent == n)
    )


def next_session_of(cohort_ids: Iterable[int], now: datetime) -> VirtualSession | None:
    """The session happening now or next across these cohorts (cancelled ones skipped),
    with its cohort and city: one query."""
    ids = list(cohort_ids)
    if not ids:
        return None
    candidates = db.session.scalars(
        db.select(VirtualSession)
        .options(joinedload(VirtualSession.cohort).joinedload(Cohort.city))
        .where(
            VirtualSession.cohort_id.in_(ids),
            VirtualSession.status != SessionStatus.CANCELLED,
            # No session lasts a day: anything that started earlier has ended.
            VirtualSession.starts_at > now - timedelta(hours=24),
        )
        .order_by(VirtualSession.starts_at, VirtualSession.id)
        .limit(10)
    )
    return next((s for s in candidates if s.ends_at > now), None)
