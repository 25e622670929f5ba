"""Reads for the participant's cohort page, with a fixed number of queries."""

from dataclasses import dataclass

from sqlalchemy.orm import joinedload, raiseload

from coop.auth.models import User
from coop.coaching.models import CaptainAssignment, PodMembership
from coop.enrollment.models import Enrollment, Stage
from coop.extensions import db
from coop.programs.models import Cohort, CohortStatus
from coop.sessions.models import Attendance, VirtualSession
from coop.sessions.queries import MEMBER_STAGES


def member_cohorts(user_id: int) -> list[Cohort]:
    """The cohorts the user is enrolled in or graduated from, the current one first:
    enrolled in an active cohort, then other enrolled ones, then past ones (newest
    first). Cohorts come with their city and track."""
    rows = db.session.execute(
        db.select(Enrollment.stage, Cohort)
        .join(Cohort, Cohort.id == Enrollment.cohort_id)
        .options(joinedload(Cohort.city), joinedload(Cohort.track))
        .where(Enrollment.user_id == user_id, Enrollment.stage.in_(MEMBER_STAGES))
    ).all()

    def rank(row):
        stage, cohort = row
        return (
            stage != Stage.ENROLLED,
            cohort.status != CohortStatus.ACTIVE,
            -cohort.start_date.toordinal(),
            -cohort.id,
        )

    return [cohort for _, cohort in sorted(rows, key=rank)]


def captains(cohort_id: int) -> list[CaptainAssignment]:
    """The cohort's current captains (lead first), with their profiles."""
    return list(
        db.session.scalars(
            db.select(CaptainAssignment)
            .join(User, User.id == CaptainAssignment.captain_id)
            .options(
                joinedload(CaptainAssignment.captain).options(
                    joinedload(User.profile), raiseload(User.cities)
                )
            )
            .where(CaptainAssignment.cohort_id == cohort_id, CaptainAssignment.ended_at.is_(None))
            .order_by(CaptainAssignment.is_lead.desc(), User.name, User.id)
        )
    )


@dataclass
class Pods:
    """Pod memberships of a cohort's members, as ``{participant_id: assignment_id}``."""

    assignment_of: dict[int, int]

    def peers_of(self, user_id: int, people: list[User]) -> list[User]:
        mine = self.assignment_of.get(user_id)
        if mine is None:
            return []
        return [p for p in people if p.id != user_id and self.assignment_of.get(p.id) == mine]


def pod_peers(cohort_id: int, user_id: int) -> tuple[int | None, list[User]]:
    """The user's pod (its captain assignment id) and their pod peers who are members
    of the cohort, with profiles, by name."""
    mine = (
        db.select(PodMembership.assignment_id)
        .where(PodMembership.cohort_id == cohort_id, PodMembership.participant_id == user_id)
        .scalar_subquery()
    )
    rows = db.session.execute(
        db.select(PodMembership.assignment_id, User)
        .join(User, User.id == PodMembership.participant_id)
        .join(
            Enrollment,
            (Enrollment.user_id == User.id) & (Enrollment.cohort_id == cohort_id),
        )
        .options(joinedload(User.profile), raiseload(User.cities))
        .where(
            PodMembership.cohort_id == cohort_id,
            PodMembership.assignment_id == mine,
            Enrollment.stage.in_(MEMBER_STAGES),
        )
        .order_by(User.name, User.id)
    ).all()
    assignment_id = rows[0][0] if rows else None
    return assignment_id, [u for _, u in rows if u.id != user_id]


def pods(cohort_id: int) -> Pods:
    rows = db.session.execute(
        db.select(PodMembership.participant_id, PodMembership.assignment_id).where(
            PodMembership.cohort_id == cohort_id
        )
    ).all()
    return Pods(assignment_of=dict(rows))


def own_attendance(cohort_id: int, user_id: int) -> dict[int, Attendance]:
    """``{session_id: Attendance}`` of the user in the cohort's sessions."""
    rows = db.session.scalars(
        db.select(Attendance)
        .join(VirtualSession, VirtualSession.id == Attendance.session_id)
        .where(VirtualSession.cohort_id == cohort_id, Attendance.participant_id == user_id)
    )
    return {a.session_id: a for a in rows}
