"""The demo data gains sessions (past and future, one cancelled) and attendance."""

from datetime import UTC, date, datetime, time

import pytest
import sqlalchemy as sa

from coop.auth.models import User
from coop.demo import seed
from coop.extensions import db
from coop.programs.models import City, Cohort, CohortStatus
from coop.sessions.models import Attendance, SessionStatus, VirtualSession
from coop.sessions.queries import attendance_summary, members


@pytest.mark.parametrize("today", [date(2026, 11, 29), date(2027, 3, 16)])
def test_demo_sessions_and_attendance(today):
    ctx = seed(today=today)
    db.session.commit()
    assert ctx is not None
    cohorts = list(
        db.session.scalars(
            sa.select(Cohort).where(
                Cohort.status.in_([CohortStatus.ACTIVE, CohortStatus.COMPLETED])
            )
        )
    )
    with_sessions = set(db.session.scalars(sa.select(VirtualSession.cohort_id).distinct()))
    assert {c.id for c in cohorts} == with_sessions
    cancelled = list(
        db.session.scalars(
            sa.select(VirtualSession).where(VirtualSession.status == SessionStatus.CANCELLED)
        )
    )
    assert len(cancelled) == 1 and cancelled[0].local_date > today
    assert db.session.scalar(sa.select(sa.func.count(Attendance.id))) > 100
    # Sessions keep their local time (18:30) whatever the season.
    assert set(db.session.scalars(sa.select(VirtualSession.local_time).distinct())) == {
        cohorts[0].meeting_time
    }
    # Nothing recorded for sessions still to come.
    future_rows = db.session.scalar(
        sa.select(sa.func.count(Attendance.id))
        .join(VirtualSession, VirtualSession.id == Attendance.session_id)
        .where(VirtualSession.local_date >= today)
    )
    assert future_rows == 0

    pat = db.session.scalar(sa.select(User).where(User.email == "participant@coop.example"))
    pat_cohort = db.session.scalar(sa.select(Cohort).where(Cohort.id == cancelled[0].cohort_id))
    zone = db.session.get(City, pat_cohort.city_id).timezone
    assert pat.timezone and pat.timezone != zone
    people = members(pat_cohort.id)
    assert pat.id in {p.id for p in people}
    # Noon UTC: every US session of the day before is over, none of today's has begun.
    now = datetime.combine(today, time(12), tzinfo=UTC)
    summary = attendance_summary(pat_cohort.id, [p.id for p in people], now=now)
    assert sum(s.absent_streak_flag for s in summary.values()) >= 1
    assert not summary[pat.id].absent_streak_flag
