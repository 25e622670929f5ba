"""Reads: whom a viewer may write to, who an audience reaches, what a page shows."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from coop.announcements.models import Announcement, AnnouncementRecipient, Audience
from coop.auth.models import User
from coop.coaching.models import CaptainAssignment, PodMembership
from coop.core.outbox import OutboxMessage, OutboxStatus
from coop.enrollment.models import Enrollment, Stage
from coop.extensions import db
from coop.programs.models import City, Cohort, CohortStatus

#: Cohorts whose participants a city or everyone-announcement reaches.
RUNNING = (CohortStatus.RECRUITING, CohortStatus.ACTIVE)


@dataclass(frozen=True)
class Target:
    """One audience a viewer may write to."""

    audience: Audience
    label: str
    city_id: int | None = None
    cohort_id: int | None = None
    assignment_id: int | None = None

    @property
    def key(self) -> str:
        ref = self.assignment_id or self.cohort_id or self.city_id
        return self.audience.value if ref is None else f"{self.audience.value}:{ref}"


def captain_pods(user) -> list[CaptainAssignment]:
    """The captain's current team entries (each a pod) in running cohorts."""
    return list(
        db.session.scalars(
            sa.select(CaptainAssignment)
            .join(Cohort, Cohort.id == CaptainAssignment.cohort_id)
            .options(joinedload(CaptainAssignment.cohort))
            .where(
                CaptainAssignment.captain_id == user.id,
                CaptainAssignment.ended_at.is_(None),
                Cohort.status.in_(RUNNING),
            )
            .order_by(Cohort.start_date.desc(), Cohort.id)
        )
    )


def targets_for(user) -> list[Target]:
    """Every audience ``user`` may write to: a captain their pods; staff everyone
    (organisation-wide only), the cities they see and those cities' running cohorts."""
    if user.is_captain:
        return [
            Target(
                Audience.POD,
                f"My pod in {a.cohort.name}",
                city_id=a.cohort.city_id,
                cohort_id=a.cohort_id,
                assignment_id=a.id,
            )
            for a in captain_pods(user)
        ]
    if not user.is_staff:
        return []
    targets = []
    if user.city_ids is None:
        targets.append(Target(Audience.EVERYONE, "Everyone (every running cohort)"))
    cities = db.session.scalars(
        user.scope_to_cities(sa.select(City).order_by(City.name), City.id)
    ).all()
    targets += [Target(Audience.CITY, f"City: {c.name}", city_id=c.id) for c in cities]
    cohorts = db.session.scalars(
        user.scope_to_cities(
            sa.select(Cohort).where(Cohort.status.in_(RUNNING)).order_by(Cohort.name),
            Cohort.city_id,
        )
    ).all()
    targets += [
        Target(Audience.COHORT, f"Cohort: {c.name}", city_id=c.city_id, cohort_id=c.id)
        for c in cohorts
    ]
    return targets


def recipient_ids(target: Target) -> list[int]:
    """The active people an audience reaches: enrolled participants (a pod's members)."""
    stmt = (
        sa.select(Enrollment.user_id)
        .join(User, User.id == Enrollment.user_id)
        .join(Cohort, Cohort.id == Enrollment.cohort_id)
        .where(Enrollment.stage == Stage.ENROLLED, User.active.is_(True))
    )
    if target.audience == Audience.POD:
        stmt = stmt.join(
            PodMembership,
            sa.and_(
                PodMembership.participant_id == Enrollment.user_id,
                PodMembership.cohort_id == Enrollment.cohort_id,
            ),
        ).where(PodMembership.assignment_id == target.assignment_id)
    elif target.audience == Audience.COHORT:
        stmt = stmt.where(Enrollment.cohort_id == target.cohort_id)
    else:
        stmt = stmt.where(Cohort.status.in_(RUNNING))
        if target.audience == Audience.CITY:
            stmt = stmt.where(Cohort.city_id == target.city_id)
    return sorted(set(db.session.scalars(stmt.distinct())))


def for_cohort_page(user, cohort: Cohort, now: datetime, limit: int = 10) -> list[Announcement]:
    """Announcements addressed to ``user`` still shown, for this cohort or not tied to
    one, newest first (one query)."""
    return list(
        db.session.scalars(
            sa.select(Announcement)
            .join(AnnouncementRecipient, AnnouncementRecipient.announcement_id == Announcement.id)
            .options(joinedload(Announcement.author))
            .where(
                AnnouncementRecipient.user_id == user.id,
                Announcement.expires_at > now,
                sa.or_(Announcement.cohort_id.is_(None), Announcement.cohort_id == cohort.id),
            )
            .order_by(Announcement.created_at.desc(), Announcement.id.desc())
            .limit(limit)
        )
    )


def visible_stmt(user):
    """The announcements ``user`` may open: a captain their own; staff those of their
    cities (and, organisation-wide, everyone's), newest first."""
    stmt = sa.select(Announcement).options(
        joinedload(Announcement.author), joinedload(Announcement.city)
    )
    if user.is_staff:
        if user.city_ids is not None:
            stmt = stmt.where(
                sa.or_(
                    Announcement.city_id.in_(user.city_ids),
                    Announcement.author_id == user.id,
                )
            )
    else:
        stmt = stmt.where(Announcement.author_id == user.id)
    return stmt.order_by(Announcement.created_at.desc(), Announcement.id.desc())


def status_counts(announcement_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per announcement: how many recipients' mail is queued, sent or failed (in SQL)."""
    if not announcement_ids:
        return {}
    failing = sa.or_(
        OutboxMessage.status == OutboxStatus.DEAD,
        sa.and_(OutboxMessage.status == OutboxStatus.QUEUED, OutboxMessage.attempts > 0),
    )
    shown = sa.case(
        (OutboxMessage.status == OutboxStatus.SENT, "sent"),
        (failing, "failed"),
        else_="queued",
    )
    rows = db.session.execute(
        sa.select(AnnouncementRecipient.announcement_id, shown, sa.func.count())
        .outerjoin(OutboxMessage, OutboxMessage.id == AnnouncementRecipient.outbox_id)
        .where(AnnouncementRecipient.announcement_id.in_(announcement_ids))
        .group_by(AnnouncementRecipient.announcement_id, shown)
    )
    counts: dict[int, dict[str, int]] = {
        i: {"queued": 0, "sent": 0, "failed": 0} for i in announcement_ids
    }
    for announcement_id, status, n in rows:
        counts[announcement_id][status] = n
    return counts


def recipients_stmt(announcement: Announcement):
    return (
        sa.select(AnnouncementRecipient)
        .join(User, User.id == AnnouncementRecipient.user_id)
        .options(joinedload(AnnouncementRecipient.user), joinedload(AnnouncementRecipient.message))
        .where(AnnouncementRecipient.announcement_id == announcement.id)
        .order_by(User.name, User.id)
    )
