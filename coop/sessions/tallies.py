"""Attendance tallies: per session, how many members of its cohort attended it.

The outcomes dashboard's attendance rate is attended ÷ (sessions held × members). Counting
"attended" from the attendance rows read every row of the program on every render (about
1 s at 100,000 participants on PostgreSQL); the dashboard now sums ``AttendanceTally``
over the sessions held instead. Whether a session is held still depends on the clock, so
it is decided when the dashboard is read, from the sessions table; a tally only holds
what does not depend on the time.

A tally changes when attendance changes (roll call, a meeting report, matching a report
row: this module's callers in ``coop.sessions.services``) or when someone becomes or
stops being a member of the cohort (enrollment and coaching send
``events.cohort_members_changed``). ``refresh`` recounts, in the caller's transaction:

- it locks the sessions' rows first (``FOR UPDATE`` on PostgreSQL), so of two requests
  changing one session's attendance at once, the second counts after the first
  committed and the stored number includes both;
- it recounts from the rows rather than adding a difference, so a refresh is always
  right whatever happened before it.

``stale()`` compares every tally with a fresh count; the test suite runs it after every
test, so a change that forgets its refresh fails there. ``flask sessions recount-attendance``
rebuilds them all (after a restore, or a change made by hand in SQL).
"""

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from coop.core import events
from coop.enrollment.models import MEMBER_STAGES, Enrollment
from coop.extensions import db
from coop.sessions.models import ATTENDED, Attendance, AttendanceTally, VirtualSession


def _counts(where) -> sa.Select:
    """``(session_id, attended)`` for the sessions matching ``where``, 0 included."""
    vs, a, e = VirtualSession, Attendance, Enrollment
    return (
        sa.select(vs.id.label("session_id"), sa.func.count(e.id).label("attended"))
        .select_from(vs)
        .outerjoin(a, sa.and_(a.session_id == vs.id, a.status.in_(list(ATTENDED))))
        .outerjoin(
            e,
            sa.and_(
                e.cohort_id == vs.cohort_id,
                e.user_id == a.participant_id,
                e.stage.in_(MEMBER_STAGES),
            ),
        )
        .where(where)
        .group_by(vs.id)
    )


def _upsert(where) -> None:
    insert = (postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite).insert
    stmt = insert(AttendanceTally).from_select(["session_id", "attended"], _counts(where))
    stmt = stmt.on_conflict_do_update(
        index_elements=["session_id"], set_={"attended": stmt.excluded.attended}
    )
    db.session.execute(stmt)


def refresh(*, session_ids: Iterable[int] = (), cohort_ids: Iterable[int] = ()) -> None:
    """Recount the tallies of these sessions and of every session of these cohorts."""
    session_ids, cohort_ids = sorted(set(session_ids)), sorted(set(cohort_ids))
    if not session_ids and not cohort_ids:
        return
    where = sa.or_(
        VirtualSession.id.in_(session_ids or [-1]),
        VirtualSession.cohort_id.in_(cohort_ids or [-1]),
    )
    # Serialise recounts of the same sessions (see the module's docstring).
    db.session.execute(
        sa.select(VirtualSession.id).where(where).order_by(VirtualSession.id).with_for_update()
    ).all()
    _upsert(where)


def refresh_all() -> int:
    """Recount every session's tally; returns how many sessions there are."""
    _upsert(sa.true())
    return db.session.scalar(sa.select(sa.func.count()).select_from(AttendanceTally)) or 0


def stale(limit: int = 20) -> list[tuple[int, int, int]]:
    """``(session_id, stored, counted)`` of tallies that differ from a fresh count."""
    counted = _counts(sa.true()).subquery("counted")
    stored = sa.func.coalesce(AttendanceTally.attended, 0)
    return [
        tuple(row)
        for row in db.session.execute(
            sa.select(counted.c.session_id, stored, counted.c.attended)
            .select_from(counted)
            .outerjoin(AttendanceTally, AttendanceTally.session_id == counted.c.session_id)
            .where(stored != counted.c.attended)
            .order_by(counted.c.session_id)
            .limit(limit)
        )
    ]


@events.cohort_members_changed.connect
def _members_changed(cohort_id: int, **_) -> None:
    refresh(cohort_ids=[cohort_id])
