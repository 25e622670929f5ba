"""Reads for the retention policy: each person's last activity, and who is due."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from coop.auth.models import Role, User
from coop.coaching.models import CheckIn
from coop.core.models import AuditEvent
from coop.enrollment.models import Enrollment, EnrollmentEvent, Stage
from coop.extensions import db
from coop.referrals.models import FollowUp, Placement, Referral
from coop.sessions.models import Attendance

#: Stages that mean the person took a seat in a cohort.
SEATED = (Stage.ENROLLED, Stage.GRADUATED)


def years_before(moment: datetime, years: int) -> datetime:
    """The same instant ``years`` earlier (29 February becomes the 28th)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def last_activity():
    """A subquery of ``(user_id, last)``: the newest moment anything happened to or by
    each person (account made, sign-in, application or stage change, attendance,
    check-in, referral, job, follow-up, anything they did that was audited)."""
    parts = [
        sa.select(User.id.label("user_id"), User.created_at.label("at")),
        sa.select(User.id, User.last_login_at).where(User.last_login_at.is_not(None)),
        sa.select(Enrollment.user_id, Enrollment.stage_changed_at),
        sa.select(Enrollment.user_id, Enrollment.created_at),
        sa.select(Attendance.participant_id, Attendance.recorded_at),
        sa.select(CheckIn.participant_id, CheckIn.created_at),
        sa.select(CheckIn.author_id, CheckIn.updated_at),
        sa.select(Referral.participant_id, Referral.stage_changed_at),
        sa.select(Referral.referrer_id, Referral.created_at),
        sa.select(Placement.participant_id, Placement.created_at),
        sa.select(FollowUp.participant_id, FollowUp.closed_at).where(
            FollowUp.closed_at.is_not(None)
        ),
        sa.select(AuditEvent.actor_id, AuditEvent.created_at).where(
            AuditEvent.actor_id.is_not(None)
        ),
    ]
    union = sa.union_all(*parts).subquery("activity")
    return (
        sa.select(union.c.user_id, sa.func.max(union.c.at).label("last"))
        .group_by(union.c.user_id)
        .subquery("last_activity")
    )


@dataclass(frozen=True)
class Due:
    user_id: int
    role: str
    last_activity: datetime
    rule: str  # "applicant" or "inactive"


def due_for_erasure(now: datetime, applicant_years: int, inactive_years: int) -> list[Due]:
    """People the retention policy erases now, oldest activity first: applicants never
    seated in a cohort with no activity for ``applicant_years``, and anyone else (not
    staff) with none for ``inactive_years``. Erased people are skipped."""
    last = last_activity()
    ever_seated = sa.or_(
        sa.select(Enrollment.id)
        .where(Enrollment.user_id == User.id, Enrollment.stage.in_(SEATED))
        .exists(),
        sa.select(EnrollmentEvent.id)
        .join(Enrollment, Enrollment.id == EnrollmentEvent.enrollment_id)
        .where(Enrollment.user_id == User.id, EnrollmentEvent.to_stage.in_(SEATED))
        .exists(),
    )
    applicant_cutoff = years_before(now, applicant_years)
    inactive_cutoff = years_before(now, inactive_years)
    is_applicant = sa.and_(User.role == Role.PARTICIPANT, ~ever_seated)
    rows = db.session.execute(
        sa.select(User.id, User.role, last.c.last, is_applicant.label("applicant"))
        .join(last, last.c.user_id == User.id)
        .where(
            User.erased_at.is_(None),
            User.role != Role.STAFF,
            sa.or_(
                sa.and_(is_applicant, last.c.last < applicant_cutoff),
                last.c.last < inactive_cutoff,
            ),
        )
        .order_by(last.c.last, User.id)
    ).all()
    return [
        Due(uid, str(role), at, "applicant" if applicant else "inactive")
        for uid, role, at, applicant in rows
    ]
