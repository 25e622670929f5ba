"""Demo announcements: one from staff to the demo participant's cohort, one from the demo
captain to their pod, each with its recipients and their (already sent) mail."""

from datetime import timedelta

import sqlalchemy as sa

from coop.announcements.models import Announcement, AnnouncementRecipient, Audience
from coop.coaching.models import CaptainAssignment, PodMembership
from coop.core import clock
from coop.core.outbox import OutboxMessage, OutboxStatus
from coop.demo.base import SeedContext
from coop.enrollment.models import Enrollment, Stage
from coop.extensions import db
from coop.programs.models import Cohort


def _announce(author, audience, cohort, people, title, body, *, assignment=None, age_hours=0):
    now = clock.now() - timedelta(hours=age_hours)
    announcement = Announcement(
        author_id=author.id,
        audience=audience,
        city_id=cohort.city_id,
        cohort_id=cohort.id,
        assignment_id=assignment.id if assignment else None,
        title=title,
        body=body,
        created_at=now,
        expires_at=now + timedelta(days=14),
    )
    db.session.add(announcement)
    db.session.flush()
    for user_id, email in people:
        message = OutboxMessage(
            to=[email],
            subject=title,
            body=None,
            status=OutboxStatus.SENT,
            attempts=1,
            next_attempt_at=now,
            created_at=now,
            sent_at=now,
        )
        db.session.add(message)
        db.session.flush()
        db.session.add(
            AnnouncementRecipient(
                announcement_id=announcement.id, user_id=user_id, outbox_id=message.id
            )
        )


def seed(ctx: SeedContext) -> None:
    pat = ctx.accounts["participant@coop.example"]
    staff = ctx.accounts["staff@coop.example"]
    captain = ctx.accounts["captain@coop.example"]
    cohort = db.session.scalar(
        sa.select(Cohort)
        .join(Enrollment, Enrollment.cohort_id == Cohort.id)
        .where(Enrollment.user_id == pat.id, Enrollment.stage == Stage.ENROLLED)
    )
    if cohort is None:
        return
    users = db.metadata.tables["users"]
    enrolled = db.session.execute(
        sa.select(users.c.id, users.c.email)
        .join(Enrollment, Enrollment.user_id == users.c.id)
        .where(Enrollment.cohort_id == cohort.id, Enrollment.stage == Stage.ENROLLED)
    ).all()
    _announce(
        staff,
        Audience.COHORT,
        cohort,
        enrolled,
        "Mock interview week",
        "Next week every session ends with mock interviews. Bring a printed resume.",
        age_hours=30,
    )
    assignment = db.session.scalar(
        sa.select(CaptainAssignment).where(
            CaptainAssignment.captain_id == captain.id,
            CaptainAssignment.cohort_id == cohort.id,
            CaptainAssignment.ended_at.is_(None),
        )
    )
    if assignment is None:
        return
    pod = db.session.execute(
        sa.select(users.c.id, users.c.email)
        .join(PodMembership, PodMembership.participant_id == users.c.id)
        .where(PodMembership.assignment_id == assignment.id)
    ).all()
    if pod:
        _announce(
            captain,
            Audience.POD,
            cohort,
            pod,
            "Pod call moved to Thursday",
            "Our pod call moves to Thursday at 7 pm this week. Same link as always.",
            assignment=assignment,
            age_hours=3,
        )
