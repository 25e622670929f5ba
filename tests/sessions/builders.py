"""Builders for session tests (used by tests/sessions and tests/portal): cohorts in a
zone, enrolled participants, captains with pods, sessions and attendance."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from coop.auth.models import Role
from coop.coaching.models import CaptainAssignment, PodMembership
from coop.db import utcnow
from coop.enrollment.models import Stage
from coop.extensions import db
from coop.sessions import tallies
from coop.sessions.models import Attendance, AttendanceStatus, SessionStatus, VirtualSession


class Builder:
    def __init__(self, factory):
        self.factory = factory

    def cohort(self, zone="America/New_York", **kw):
        city = kw.pop("city", None) or self.factory.city(timezone=zone)
        return self.factory.cohort(city=city, **kw)

    def participants(self, cohort, n, stage=Stage.ENROLLED, **kw):
        people = []
        for _ in range(n):
            user = self.factory.user(Role.PARTICIPANT, **kw)
            self.factory.enrollment(cohort=cohort, user=user, stage=stage)
            people.append(user)
        return people

    def captain(self, cohort, pod=(), is_lead=False, user=None, **kw):
        """A captain on the cohort's team with ``pod`` in their pod; returns
        (user, assignment)."""
        user = user or self.factory.user(Role.CAPTAIN, **kw)
        assignment = CaptainAssignment(cohort_id=cohort.id, captain_id=user.id, is_lead=is_lead)
        db.session.add(assignment)
        db.session.flush()
        for p in pod:
            db.session.add(
                PodMembership(cohort_id=cohort.id, participant_id=p.id, assignment_id=assignment.id)
            )
        db.session.flush()
        return user, assignment

    def session(
        self,
        cohort,
        starts_at=None,
        *,
        hours_from_now=None,
        duration=120,
        status=SessionStatus.SCHEDULED,
        title=None,
        **kw,
    ):
        """A session starting at ``starts_at`` (aware) or ``hours_from_now``; local date
        and time are derived in the cohort's zone."""
        if starts_at is None:
            now = utcnow().replace(second=0, microsecond=0)
            starts_at = now + timedelta(hours=hours_from_now if hours_from_now is not None else 24)
        zone = ZoneInfo(cohort.city.timezone)
        local = starts_at.astimezone(zone)
        session = VirtualSession(
            cohort_id=cohort.id,
            title=title or f"Session {local:%Y-%m-%d %H:%M}",
            starts_at=starts_at.astimezone(UTC),
            local_date=local.date(),
            local_time=time(local.hour, local.minute, local.second),
            duration_minutes=duration,
            status=status,
            **kw,
        )
        db.session.add(session)
        db.session.flush()
        return session

    def local_session(self, cohort, y, m, d, hh=18, mm=30, **kw):
        """A session at a wall-clock time in the cohort's zone."""
        zone = ZoneInfo(cohort.city.timezone)
        return self.session(cohort, datetime(y, m, d, hh, mm, tzinfo=zone), **kw)

    def attendance(self, session, participant, status, by=None):
        row = Attendance(
            session_id=session.id,
            participant_id=participant.id,
            status=AttendanceStatus(status),
            recorded_by_id=getattr(by, "id", None),
        )
        db.session.add(row)
        db.session.flush()
        tallies.refresh(session_ids=[session.id])  # as the services that record attendance do
        return row
