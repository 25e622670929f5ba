"""The at-risk list in SQL: every domain's answer to ``events.at_risk_reasons`` is one
select; they are unioned and run together, so the list costs the same few queries
whatever the size of the program."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import current_app

from coop.auth.models import User
from coop.coaching.models import CaptainAssignment, PodMembership
from coop.core import events
from coop.core.pagination import paginate
from coop.enrollment.models import Enrollment, Stage
from coop.extensions import db
from coop.programs.models import City, Cohort, CohortStatus

#: The reasons, in the order the page lists them, with what they are called.
REASONS = {
    "absences": "Absences in a row",
    "checkin_overdue": "Check-in overdue",
    "open_flag": "Open flag",
    "pulse_help": "Asked for help",
    "plan_overdue": "Overdue plan steps",
    "assessment_drop": "Assessment drop",
}


@dataclass
class AtRisk:
    participant_id: int
    cohort_id: int
    name: str
    cohort: str
    city: str
    reasons: list[tuple[str, str, str]] = field(default_factory=list)  # code, label, detail


def thresholds() -> dict:
    return dict(current_app.config.get("AT_RISK_THRESHOLDS") or {})


def cohorts_in_scope(user):
    """Active cohorts the viewer follows: staff their cities', captains those they serve."""
    stmt = sa.select(Cohort.id).where(
        Cohort.status == CohortStatus.ACTIVE, Cohort.archived.is_(False)
    )
    if user.is_staff:
        return user.scope_to_cities(stmt, Cohort.city_id)
    return stmt.where(
        Cohort.id.in_(
            sa.select(CaptainAssignment.cohort_id).where(
                CaptainAssignment.captain_id == user.id, CaptainAssignment.ended_at.is_(None)
            )
        )
    )


def reasons_select(user, today: date):
    """The union of every domain's answer, as a subquery of (participant id, cohort id,
    code, detail), or None when no domain answers."""
    found = events.answers(
        events.at_risk_reasons,
        cohort_ids=cohorts_in_scope(user),
        today=today,
        thresholds=thresholds(),
    )
    if not found:
        return None
    return sa.union_all(*found).subquery("reasons")


def _people(user, reasons):
    """Who is at risk: enrolled participants (a captain: of their own pods)."""
    pid, cid, _code, _detail = reasons.c
    stmt = (
        sa.select(
            pid.label("participant_id"), cid.label("cohort_id"), User.name, Cohort.name, City.name
        )
        .select_from(reasons)
        .join(User, User.id == pid)
        .join(Cohort, Cohort.id == cid)
        .join(City, City.id == Cohort.city_id)
        .join(
            Enrollment,
            sa.and_(
                Enrollment.cohort_id == cid,
                Enrollment.user_id == pid,
                Enrollment.stage == Stage.ENROLLED,
            ),
        )
        .distinct()
    )
    if not user.is_staff:
        stmt = stmt.where(
            sa.select(PodMembership.id)
            .join(CaptainAssignment, CaptainAssignment.id == PodMembership.assignment_id)
            .where(
                PodMembership.cohort_id == cid,
                PodMembership.participant_id == pid,
                CaptainAssignment.captain_id == user.id,
                CaptainAssignment.ended_at.is_(None),
            )
            .exists()
        )
    return stmt.order_by(User.name, pid, cid)


def at_risk(user, today: date, per_page: int | None = None):
    """A page of people at risk, each with their reasons: three queries (the count, the
    page, their reasons), whatever the size."""
    reasons = reasons_select(user, today)
    if reasons is None:
        return None, []
    page = paginate(_people(user, reasons), per_page=per_page)
    rows = [AtRisk(p, c, name, cohort, city) for p, c, name, cohort, city in page.items]
    if not rows:
        return page, rows
    pid, cid, code, detail = reasons.c
    found = db.session.execute(
        sa.select(pid, cid, code, detail).where(pid.in_([r.participant_id for r in rows]))
    ).all()
    by_key = defaultdict(list)
    for p, c, code_, detail_ in found:
        by_key[(p, c)].append((code_, REASONS.get(code_, code_), detail_))
    order = list(REASONS)
    for r in rows:
        r.reasons = sorted(
            by_key[(r.participant_id, r.cohort_id)],
            key=lambda x: (order.index(x[0]) if x[0] in order else len(order), x[2] or ""),
        )
    return page, rows
