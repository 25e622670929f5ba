"""Who may see whom, and the reads of the person page's own sections. Each function runs
a fixed number of queries whatever the person's history."""

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from coop.auth.models import User
from coop.auth.queries import user_visible_to
from coop.coaching.models import CaptainAssignment, CheckIn, PodMembership
from coop.core.models import AuditEvent
from coop.core.person_sections import PersonView
from coop.enrollment.models import ROSTER_STAGES, Enrollment, EnrollmentEvent
from coop.extensions import db
from coop.programs.models import Cohort
from coop.referrals.models import FollowUp, Placement, Referral
from coop.sessions.models import Attendance, SessionStatus, VirtualSession

#: How many of the newest rows a section shows (the domain's own pages have the rest).
RECENT = 20


def person_or_none(user_id: int) -> User | None:
    return db.session.scalar(
        sa.select(User).options(joinedload(User.profile)).where(User.id == user_id)
    )


def _own_cohort_ids(person_id: int) -> set[int]:
    """Cohorts the person took part in: enrolled (any stage) or as a captain."""
    enrolled = sa.select(Enrollment.cohort_id).where(Enrollment.user_id == person_id)
    captained = sa.select(CaptainAssignment.cohort_id).where(
        CaptainAssignment.captain_id == person_id
    )
    return set(db.session.scalars(sa.union(enrolled, captained)))


def view_for(viewer, person: User) -> PersonView | None:
    """What ``viewer`` may see of ``person``, or None (the page answers 404): the person
    themself; staff who see them (their cities), limited to their cities' cohorts; the
    captain of one of their current pods, limited to those pods' cohorts."""
    if not viewer.is_authenticated:
        return None
    if viewer.id == person.id:
        return PersonView(viewer, person, "self", frozenset(_own_cohort_ids(person.id)))
    if viewer.is_staff:
        if not user_visible_to(person, viewer):
            return None
        stmt = sa.select(Cohort.id).where(Cohort.id.in_(list(_own_cohort_ids(person.id))))
        stmt = viewer.scope_to_cities(stmt, Cohort.city_id)
        return PersonView(viewer, person, "staff", frozenset(db.session.scalars(stmt)))
    if viewer.is_captain:
        coached = set(
            db.session.scalars(
                sa.select(PodMembership.cohort_id)
                .join(CaptainAssignment, CaptainAssignment.id == PodMembership.assignment_id)
                .where(
                    PodMembership.participant_id == person.id,
                    CaptainAssignment.captain_id == viewer.id,
                    CaptainAssignment.ended_at.is_(None),
                )
            )
        )
        return PersonView(viewer, person, "captain", frozenset(coached)) if coached else None
    return None


def enrollments(view: PersonView) -> list[Enrollment]:
    """Their enrollments in the viewer's cohorts, newest first, with the stage history."""
    return list(
        db.session.scalars(
            sa.select(Enrollment)
            .join(Cohort, Cohort.id == Enrollment.cohort_id)
            .options(
                joinedload(Enrollment.cohort).options(
                    joinedload(Cohort.city), joinedload(Cohort.track)
                ),
                selectinload(Enrollment.events)
                .joinedload(EnrollmentEvent.actor)
                .lazyload(User.cities),
            )
            .where(Enrollment.user_id == view.person.id, Enrollment.cohort_id.in_(view.cohort_ids))
            .order_by(Cohort.start_date.desc(), Enrollment.id.desc())
        )
    )


@dataclass
class CohortTeam:
    cohort: Cohort
    #: The captain whose pod holds the person, if any.
    pod_captain: User | None = None
    #: The cohort's current captains, lead first.
    captains: list = field(default_factory=list)


def teams(view: PersonView, cohorts: list[Cohort]) -> list[CohortTeam]:
    """For each cohort: the person's pod captain and the cohort's current captains."""
    ids = [c.id for c in cohorts]
    if not ids:
        return []
    pods = {
        m.cohort_id: m.assignment.captain
        for m in db.session.scalars(
            sa.select(PodMembership)
            .join(CaptainAssignment, CaptainAssignment.id == PodMembership.assignment_id)
            .options(
                joinedload(PodMembership.assignment)
                .joinedload(CaptainAssignment.captain)
                .lazyload(User.cities)
            )
            .where(
                PodMembership.participant_id == view.person.id,
                PodMembership.cohort_id.in_(ids),
                CaptainAssignment.ended_at.is_(None),
            )
        )
    }
    captains = defaultdict(list)
    for a in db.session.scalars(
        sa.select(CaptainAssignment)
        .join(User, User.id == CaptainAssignment.captain_id)
        .options(joinedload(CaptainAssignment.captain).lazyload(User.cities))
        .where(CaptainAssignment.cohort_id.in_(ids), CaptainAssignment.ended_at.is_(None))
        .order_by(CaptainAssignment.is_lead.desc(), User.name, User.id)
    ):
        captains[a.cohort_id].append(a)
    return [CohortTeam(c, pods.get(c.id), captains.get(c.id, [])) for c in cohorts]


@dataclass
class AttendanceRow:
    cohort: Cohort
    #: (session, status or None) in session order
    cells: list = field(default_factory=list)


def cohorts(view: PersonView) -> list[Cohort]:
    """The cohorts the viewer may see the person in, newest first (with city and track)."""
    return list(
        db.session.scalars(
            sa.select(Cohort)
            .options(joinedload(Cohort.city), joinedload(Cohort.track))
            .where(Cohort.id.in_(view.cohort_ids))
            .order_by(Cohort.start_date.desc(), Cohort.id.desc())
        )
    )


def attendance_grid(view: PersonView) -> list[AttendanceRow]:
    """Per cohort the person is (or was) on the roster of: each session (cancelled ones
    left out) with their attendance status, or None when none was taken (three queries)."""
    roster = db.session.scalars(
        sa.select(Cohort)
        .join(Enrollment, Enrollment.cohort_id == Cohort.id)
        .where(
            Enrollment.user_id == view.person.id,
            Enrollment.stage.in_(ROSTER_STAGES),
            Cohort.id.in_(view.cohort_ids),
        )
        .order_by(Cohort.start_date.desc(), Cohort.id.desc())
    ).all()
    ids = [c.id for c in roster]
    if not ids:
        return []
    sessions = db.session.scalars(
        sa.select(VirtualSession)
        .where(VirtualSession.cohort_id.in_(ids), VirtualSession.status != SessionStatus.CANCELLED)
        .order_by(VirtualSession.starts_at, VirtualSession.id)
    ).all()
    marks = dict(
        db.session.execute(
            sa.select(Attendance.session_id, Attendance.status)
            .join(VirtualSession, VirtualSession.id == Attendance.session_id)
            .where(Attendance.participant_id == view.person.id, VirtualSession.cohort_id.in_(ids))
        ).all()
    )
    rows = {c.id: AttendanceRow(c) for c in roster}
    for s in sessions:
        rows[s.cohort_id].cells.append((s, marks.get(s.id)))
    return [r for r in rows.values() if r.cells]


def checkins(view: PersonView) -> list[CheckIn]:
    return list(
        db.session.scalars(
            sa.select(CheckIn)
            .options(
                joinedload(CheckIn.author).lazyload(User.cities),
                joinedload(CheckIn.cohort),
            )
            .where(CheckIn.participant_id == view.person.id, CheckIn.cohort_id.in_(view.cohort_ids))
            .order_by(CheckIn.held_on.desc(), CheckIn.id.desc())
            .limit(RECENT)
        )
    )


def referrals(view: PersonView) -> list[Referral]:
    return list(
        db.session.scalars(
            sa.select(Referral)
            .options(
                joinedload(Referral.partner),
                joinedload(Referral.opening),
                joinedload(Referral.referrer).lazyload(User.cities),
            )
            .where(
                Referral.participant_id == view.person.id,
                Referral.cohort_id.in_(view.cohort_ids),
            )
            .order_by(Referral.created_at.desc(), Referral.id.desc())
            .limit(RECENT)
        )
    )


def placements(view: PersonView) -> list[Placement]:
    """Jobs (with salary): staff and the person only (``Placement.can_see``)."""
    if not view.sees_private:
        return []
    stmt = (
        sa.select(Placement)
        .options(joinedload(Placement.partner))
        .where(Placement.participant_id == view.person.id)
        .order_by(Placement.start_date.desc(), Placement.id.desc())
        .limit(RECENT)
    )
    if view.is_staff:  # a job tied to a cohort of another city stays hidden
        stmt = stmt.where(
            sa.or_(Placement.cohort_id.is_(None), Placement.cohort_id.in_(view.cohort_ids))
        )
    return list(db.session.scalars(stmt))


def follow_ups(view: PersonView) -> list[FollowUp]:
    """Employment follow-ups after graduation: staff only (as on their own pages)."""
    if not view.is_staff:
        return []
    return list(
        db.session.scalars(
            sa.select(FollowUp)
            .options(joinedload(FollowUp.cohort))
            .where(
                FollowUp.participant_id == view.person.id,
                FollowUp.cohort_id.in_(view.cohort_ids),
            )
            .order_by(FollowUp.due_date, FollowUp.id)
            .limit(RECENT)
        )
    )


def audit_events(view: PersonView) -> list[AuditEvent]:
    """The newest events about the person, in the viewer's cities: staff only."""
    if not view.is_staff:
        return []
    stmt = (
        sa.select(AuditEvent)
        .options(joinedload(AuditEvent.actor).lazyload("*"))
        .where(AuditEvent.subject_user_id == view.person.id)
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(RECENT)
    )
    return list(db.session.scalars(view.viewer.scope_to_cities(stmt, AuditEvent.city_id)))
