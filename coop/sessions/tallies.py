"""Attendance tallies: per session, how many members of its cohort attended it
(``VirtualSession.members_attended``).

The outcomes dashboard's attendance rate is attended ÷ (sessions held × members). Counting
"attended" from the attendance rows read every row of the program on every render (about
1 s at 100,000 participants on PostgreSQL); the dashboard now sums the tallies of the
sessions held instead, reading only the sessions table (a separate table of tallies, joined
to the sessions, still cost 0.2 s there). Whether a session is held depends on the clock,
so it is decided when the dashboard is read; a tally only holds what does not depend on
the time.

A tally changes when attendance changes (roll call, a meeting report, matching a report
row: this module's callers in ``coop.sessions.services``) or when someone becomes or
stops being a member of the cohort (enrollment and coaching send
``events.cohort_members_changed``). ``refresh`` recounts, in the caller's transaction:

- it locks the sessions' rows first (``FOR UPDATE`` on PostgreSQL), so of two requests
  changing one session's attendance at once, the second counts after the first
  committed and the stored number includes both;
- it recounts from the rows rather than adding a difference, so a refresh is always
  right whatever happened before it;
- it writes in SQL, leaving ``updated_at`` and ``sequence`` alone: attendance is not a
  change to the session (calendar clients keep their copy).

``stale()`` compares every tally with a fresh count; the test suite runs it after every
test, so a change that forgets its refresh fails there. ``flask sessions recount-attendance``
rebuilds them all (after a restore, or a change made by hand in SQL).
"""

from collections.abc import Iterable

import sqlalchemy as sa

from coop.core import events
from coop.enrollment.models import MEMBER_STAGES, Enrollment
from coop.extensions import db
from coop.sessions.models import ATTENDED, Attendance, VirtualSession


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


def _store(where) -> int:
    """Write the fresh counts of the sessions matching ``where`` where they differ;
    returns how many changed."""
    vs = VirtualSession
    counted = _counts(where).subquery("counted")
    result = db.session.execute(
        sa.update(vs)
        .where(vs.id == counted.c.session_id, vs.members_attended != counted.c.attended)
        .values(members_attended=counted.c.attended, updated_at=vs.updated_at)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


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
    _store(where)


def refresh_all() -> int:
    """Recount every session's tally; returns how many were wrong."""
    return _store(sa.true())


def stale(limit: int = 20) -> list[tuple[int, int, int]]:
    """``(session_id, stored, counted)`` of tallies that differ from a fresh count."""
    vs = VirtualSession
    counted = _counts(sa.true()).subquery("counted")
    return [
        tuple(row)
        for row in db.session.execute(
            sa.select(counted.c.session_id, vs.members_attended, counted.c.attended)
            .join(vs, vs.id == counted.c.session_id)
            .where(vs.members_attended != counted.c.attended)
            .order_by(counted.c.session_id)
            .limit(limit)
        )
    ]


@events.cohort_members_changed.connect
def _members_changed(cohort_id: int, **_) -> None:
    refresh(cohort_ids=[cohort_id])
