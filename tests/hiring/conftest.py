"""Hiring factories: events (starting some hours from now), people who may opt in."""

from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest

from coop.auth.models import Role
from coop.db import utcnow
from coop.enrollment.models import Stage
from coop.extensions import db
from coop.hiring.models import EventKind, HiringEvent, HiringRegistration, RegistrationStatus


class Hiring:
    def __init__(self, factory):
        self.f = factory

    def event(self, city=None, capacity=10, hours_from_now=48, partners=(), **kw):
        """An event in ``city`` (None: organisation-wide) starting ``hours_from_now``."""
        zone = kw.pop("timezone", city.timezone if city else "America/New_York")
        starts = (utcnow() + timedelta(hours=hours_from_now)).replace(microsecond=0)
        local = starts.astimezone(ZoneInfo(zone))
        event = HiringEvent(
            title=kw.pop("title", "Spring job fair"),
            kind=kw.pop("kind", EventKind.JOB_FAIR),
            city_id=city.id if city else None,
            timezone=zone,
            local_date=local.date(),
            local_time=local.time(),
            starts_at=starts.astimezone(UTC),
            duration_minutes=kw.pop("duration_minutes", 120),
            online_link=kw.pop("online_link", "https://meet.example.org/fair"),
            place=kw.pop("place", None),
            capacity=capacity,
            partners=list(partners),
            **kw,
        )
        db.session.add(event)
        db.session.flush()
        return event

    def member(self, city=None, stage=Stage.ENROLLED, **kw):
        """A participant enrolled in (or graduated from) a cohort of ``city``."""
        cohort = self.f.cohort(city=city or self.f.city())
        user = self.f.user(Role.PARTICIPANT, **kw)
        self.f.enrollment(cohort=cohort, user=user, stage=stage)
        return user

    def registration(self, event, user, status=RegistrationStatus.REGISTERED):
        row = HiringRegistration(event_id=event.id, user_id=user.id, status=status)
        db.session.add(row)
        if status == RegistrationStatus.REGISTERED:
            event.seats_taken += 1
        db.session.flush()
        return row


@pytest.fixture
def hiring(factory):
    return Hiring(factory)
