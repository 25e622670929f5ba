"""The at-risk list in SQL: every domain's answer to ``events.at_risk_reasons`` is one
select; they are unioned and run together, so the list costs the same few queries
whatever the size of the program."""

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
    return sa.union_all(*(_named(a, i) for i, a in enumerate(found))).subquery("reasons")


def _named(answer, _i: int):
    """An answer (one select) with its four columns named: domains need not label them."""
    names = ("participant_id", "cohort_id", "code", "detail")
    columns = zip(answer.selected_columns, names, strict=True)
    return answer.with_only_columns(*(col.label(name) for col, name in columns))


def _scoped(user, reasons):
    """The reasons of enrolled participants (a captain: of their own pods only)."""
    pid, cid, code, detail = reasons.c
    stmt = (
        sa.select(
            pid.label("participant_id"),
            cid.label("cohort_id"),
            code.label("code"),
            detail.label("detail"),
        )
        .select_from(reasons)
        .join(
            Enrollment,
            sa.and_(
                Enrollment.cohort_id == cid,
                Enrollment.user_id == pid,
                Enrollment.stage == Stage.ENROLLED,
            ),
        )
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
    return stmt.subquery("scoped_reasons")


def at_risk(user, today: date, per_page: int | None = None):
    """A page of people at risk, each with their reasons: three queries (the count, the
    page of people, their reasons with cohort and city), whatever the size."""
    reasons = reasons_select(user, today)
    if reasons is None:
        return None, []
    scoped = _scoped(user, reasons)
    page = paginate(
        sa.select(User)
        .where(User.id.in_(sa.select(scoped.c.participant_id)))
        .order_by(User.name, User.id),
        per_page=per_page,
    )
    people = {u.id: u for u in page.items}
    if not people:
        return page, []
    found = db.session.execute(
        sa.select(scoped, Cohort.name, City.name)
        .join(Cohort, Cohort.id == scoped.c.cohort_id)
        .join(City, City.id == Cohort.city_id)
        .where(scoped.c.participant_id.in_(list(people)))
    ).all()
    rows: dict[tuple[int, int], AtRisk] = {}
    for p, c, code, detail, cohort, city in found:
        entry = rows.get((p, c))
        if entry is None:
            entry = rows[(p, c)] = AtRisk(p, c, people[p].name, cohort, city)
        entry.reasons.append((code, REASONS.get(code, code), detail))
    order = list(REASONS)
    for entry in rows.values():
        entry.reasons.sort(
            key=lambda x: (order.index(x[0]) if x[0] in order else len(order), x[2] or "")
        )
    rank = {uid: i for i, uid in enumerate(people)}
    return page, sorted(rows.values(), key=lambda r: (rank[r.participant_id], r.cohort_id))
