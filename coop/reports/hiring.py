"""Hiring events on the outcomes dashboard: per event, who attended, the referrals that
started there and the hires they led to. One query; small counts show as ``<5``."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from coop.core import clock
from coop.extensions import db
from coop.hiring.models import (
    Attendance,
    HiringEvent,
    HiringEventReferral,
    HiringRegistration,
    RegistrationStatus,
)
from coop.hiring.queries import visible_events
from coop.referrals.models import Referral, ReferralStage
from coop.reports.figures import count_text

#: The most recent events shown.
EVENTS_SHOWN = 10


@dataclass(frozen=True)
class EventOutcome:
    id: int
    title: str
    starts_at: datetime
    timezone: str
    registered: int
    attended: int
    referrals: int
    hires: int

    @property
    def texts(self) -> dict[str, str]:
        return {
            k: count_text(getattr(self, k))
            for k in ("registered", "attended", "referrals", "hires")
        }


def hires_per_event(viewer, limit: int = EVENTS_SHOWN) -> list[EventOutcome]:
    """The latest events that have started, in the viewer's cities (and organisation-wide
    ones), with their registrations, attendance, referrals and hires (referrals logged
    from the event that reached "hired")."""
    r = HiringRegistration
    people = (
        sa.select(
            r.event_id,
            sa.func.count().label("registered"),
            sa.func.sum(sa.case((r.attendance == Attendance.ATTENDED, 1), else_=0)).label(
                "attended"
            ),
        )
        .where(r.status == RegistrationStatus.REGISTERED)
        .group_by(r.event_id)
        .subquery()
    )
    referred = (
        sa.select(
            HiringEventReferral.event_id,
            sa.func.count().label("referrals"),
            sa.func.sum(sa.case((Referral.stage == ReferralStage.HIRED, 1), else_=0)).label(
                "hires"
            ),
        )
        .join(Referral, Referral.id == HiringEventReferral.referral_id)
        .group_by(HiringEventReferral.event_id)
        .subquery()
    )
    stmt = (
        sa.select(
            HiringEvent.id,
            HiringEvent.title,
            HiringEvent.starts_at,
            HiringEvent.timezone,
            sa.func.coalesce(people.c.registered, 0),
            sa.func.coalesce(people.c.attended, 0),
            sa.func.coalesce(referred.c.referrals, 0),
            sa.func.coalesce(referred.c.hires, 0),
        )
        .outerjoin(people, people.c.event_id == HiringEvent.id)
        .outerjoin(referred, referred.c.event_id == HiringEvent.id)
        .where(HiringEvent.starts_at <= clock.now())
        .order_by(HiringEvent.starts_at.desc(), HiringEvent.id.desc())
        .limit(limit)
    )
    return [EventOutcome(*row) for row in db.session.execute(visible_events(viewer, stmt))]
