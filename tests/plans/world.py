"""A small program for the plans, support, at-risk and WIOA tests: two cities, a cohort
in each, captains with pods, participants, and staff for one city."""

from dataclasses import dataclass
from datetime import timedelta

from coop.auth.models import Role, User
from coop.core import clock
from coop.extensions import db
from coop.plans.models import (
    CareerPlan,
    Credential,
    CredentialType,
    GoalKind,
    PlanGoal,
    PlanStep,
    StepOwner,
    StepStatus,
)
from coop.programs.models import Cohort
from tests.sessions.builders import Builder


@dataclass
class World:
    cohort: Cohort
    captain: User
    pat: User  # in the captain's pod
    pia: User  # in the captain's pod
    other_captain: User
    olga: User  # same cohort, the other captain's pod
    far_cohort: Cohort
    far_captain: User
    fay: User  # another city
    staff: User  # staff of the first city only
    far_staff: User  # staff of the other city only


def make_world(factory) -> World:
    build = Builder(factory)
    today = clock.today_in()
    city = factory.city()
    cohort = factory.cohort(city=city, start_date=today - timedelta(days=40))
    pat, pia, olga = build.participants(cohort, 3)
    captain, _ = build.captain(cohort, pod=[pat, pia], is_lead=True)
    other_captain, _ = build.captain(cohort, pod=[olga])
    far_city = factory.city()
    far_cohort = factory.cohort(city=far_city, start_date=today - timedelta(days=40))
    (fay,) = build.participants(far_cohort, 1)
    far_captain, _ = build.captain(far_cohort, pod=[fay])
    staff = factory.user(Role.STAFF, cities=[city], all_cities=False)
    far_staff = factory.user(Role.STAFF, cities=[far_city], all_cities=False)
    return World(
        cohort,
        captain,
        pat,
        pia,
        other_captain,
        olga,
        far_cohort,
        far_captain,
        fay,
        staff,
        far_staff,
    )


def plan(person: User, cohort: Cohort, steps=(), kind=GoalKind.EMPLOYMENT) -> CareerPlan:
    """A plan with one goal and ``steps``: (title, owner, due, status) tuples."""
    row = CareerPlan(participant_id=person.id, cohort_id=cohort.id)
    db.session.add(row)
    db.session.flush()
    goal = PlanGoal(plan_id=row.id, kind=kind, title="A career-track job")
    db.session.add(goal)
    db.session.flush()
    for title, owner, due, status in steps:
        db.session.add(
            PlanStep(
                plan_id=row.id,
                goal_id=goal.id,
                title=title,
                owner=StepOwner(owner),
                due_date=due,
                status=StepStatus(status),
            )
        )
    db.session.flush()
    return row


def credential_type(track_id: int, name="Google Analytics", issuer="Google") -> CredentialType:
    row = CredentialType(track_id=track_id, name=name, issuer=issuer)
    db.session.add(row)
    db.session.flush()
    return row


def credential(person, cohort, ctype, earned_on, verified=True) -> Credential:
    row = Credential(
        participant_id=person.id,
        cohort_id=cohort.id,
        credential_type_id=ctype.id,
        earned_on=earned_on,
        credential_ref="ABC-1",
        verified_at=clock.now() if verified else None,
    )
    db.session.add(row)
    db.session.flush()
    return row


def steps(plan_row: CareerPlan) -> list[PlanStep]:
    return list(
        db.session.scalars(
            db.select(PlanStep).where(PlanStep.plan_id == plan_row.id).order_by(PlanStep.id)
        )
    )
