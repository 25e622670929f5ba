"""Reads for career plans and credentials, each a fixed number of queries; who may see
and change a plan; and the plans domain's answers to ``coop.core.events`` questions
(overdue plan steps for the at-risk list, verified credentials as skill gains)."""

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from coop.auth.models import User
from coop.coaching.models import CaptainAssignment, PodMembership
from coop.core import events
from coop.enrollment.models import Enrollment, Stage
from coop.extensions import db
from coop.plans.models import (
    CareerPlan,
    Credential,
    CredentialType,
    PlanGoal,
    PlanStep,
    StepOwner,
    StepStatus,
)
from coop.programs.models import Cohort

#: Stages of people who have a plan in a cohort.
IN_COHORT = (Stage.ENROLLED, Stage.GRADUATED)


# -- who may see what ---------------------------------------------------------------------


@dataclass(frozen=True)
class Access:
    """What the viewer may do with one participant's plan in one cohort."""

    role: str  # "own", "captain" or "staff"

    @property
    def can_edit(self) -> bool:
        """Write goals and steps: the pod's captain and staff."""
        return self.role in ("captain", "staff")

    @property
    def can_verify(self) -> bool:
        return self.role == "staff"

    def can_update_step(self, step: PlanStep) -> bool:
        """The participant ticks their own steps; captain and staff any step."""
        return self.can_edit or step.owner == StepOwner.PARTICIPANT

    @property
    def can_record_credential(self) -> bool:
        """A participant or their captain records a credential (staff verify it)."""
        return self.role in ("own", "captain", "staff")


def pod_clause(captain_id: int, cohort_col, participant_col):
    """SQL: the participant is in the captain's current pod of that cohort."""
    return (
        sa.select(PodMembership.id)
        .join(CaptainAssignment, CaptainAssignment.id == PodMembership.assignment_id)
        .where(
            PodMembership.cohort_id == cohort_col,
            PodMembership.participant_id == participant_col,
            CaptainAssignment.captain_id == captain_id,
            CaptainAssignment.ended_at.is_(None),
        )
        .exists()
    )


def access(user, cohort: Cohort, participant_id: int) -> Access | None:
    """The viewer's access to a participant's plan in ``cohort`` (None: none at all).
    The participant must belong to the cohort (enrolled or graduated)."""
    if not user.is_authenticated:
        return None
    if user.is_staff:
        role = "staff" if cohort.can_manage(user) else None
    elif user.id == participant_id:
        role = "own"
    elif user.is_captain:
        in_pod = db.session.scalar(sa.select(pod_clause(user.id, cohort.id, participant_id)))
        role = "captain" if in_pod else None
    else:
        role = None
    if role is None:
        return None
    member = db.session.scalar(
        sa.select(Enrollment.id).where(
            Enrollment.cohort_id == cohort.id,
            Enrollment.user_id == participant_id,
            Enrollment.stage.in_(IN_COHORT),
        )
    )
    return Access(role) if member else None


# -- the plan page ------------------------------------------------------------------------


def plan_for(participant_id: int) -> CareerPlan | None:
    """The participant's plan with its goals and their steps (three queries)."""
    return db.session.scalar(
        sa.select(CareerPlan)
        .options(selectinload(CareerPlan.goals).selectinload(PlanGoal.steps))
        .where(CareerPlan.participant_id == participant_id)
    )


def step_or_none(step_id: int) -> PlanStep | None:
    return db.session.scalar(
        sa.select(PlanStep)
        .options(joinedload(PlanStep.goal).joinedload(PlanGoal.plan))
        .where(PlanStep.id == step_id)
    )


def open_steps(participant_id: int, cohort_id: int) -> list[PlanStep]:
    """The open steps of the participant's plan in that cohort, soonest due first."""
    return list(
        db.session.scalars(
            sa.select(PlanStep)
            .join(CareerPlan, CareerPlan.id == PlanStep.plan_id)
            .options(joinedload(PlanStep.goal))
            .where(
                CareerPlan.participant_id == participant_id,
                CareerPlan.cohort_id == cohort_id,
                PlanStep.status == StepStatus.OPEN,
            )
            .order_by(PlanStep.due_date, PlanStep.id)
        )
    )


def credential_types(track_id: int) -> list[CredentialType]:
    return list(
        db.session.scalars(
            sa.select(CredentialType)
            .where(CredentialType.track_id == track_id, CredentialType.archived.is_(False))
            .order_by(CredentialType.name)
        )
    )


def credentials_of(participant_id: int) -> list[Credential]:
    return list(
        db.session.scalars(
            sa.select(Credential)
            .options(joinedload(Credential.credential_type))
            .where(Credential.participant_id == participant_id)
            .order_by(Credential.earned_on.desc(), Credential.id)
        )
    )


def verified_credentials_of(participant_id: int) -> list[Credential]:
    """The person's verified credentials with their catalogue entry, newest first (one
    query): what a career profile shows, partners included."""
    return list(
        db.session.scalars(
            sa.select(Credential)
            .options(joinedload(Credential.credential_type))
            .where(Credential.participant_id == participant_id, Credential.verified_at.is_not(None))
            .order_by(Credential.earned_on.desc(), Credential.id)
        )
    )


def verified_holders(credential_type_id: int) -> sa.Select:
    """A select of the ids of people holding a verified credential of that type (for
    other domains' filters: the talent search)."""
    return sa.select(Credential.participant_id).where(
        Credential.credential_type_id == credential_type_id, Credential.verified_at.is_not(None)
    )


def credential_choices() -> list[tuple[int, str]]:
    """``(id, "Name · Issuer")`` of every credential type in the catalogue, archived ones
    included (people still hold them), by name (one query)."""
    rows = db.session.execute(
        sa.select(CredentialType.id, CredentialType.name, CredentialType.issuer).order_by(
            CredentialType.name, CredentialType.issuer, CredentialType.id
        )
    )
    return [(i, f"{name} · {issuer}") for i, name, issuer in rows]


def credential_or_none(credential_id: int) -> Credential | None:
    return db.session.scalar(
        sa.select(Credential)
        .options(
            joinedload(Credential.credential_type),
            joinedload(Credential.participant),
            joinedload(Credential.cohort).joinedload(Cohort.city),
        )
        .where(Credential.id == credential_id)
    )


def unverified_credentials(user):
    """Credentials waiting for staff of the viewer's cities, oldest first (a select to
    paginate)."""
    stmt = (
        sa.select(Credential)
        .join(Cohort, Cohort.id == Credential.cohort_id)
        .options(
            joinedload(Credential.credential_type),
            joinedload(Credential.participant),
            joinedload(Credential.cohort).joinedload(Cohort.city),
        )
        .where(Credential.verified_at.is_(None))
        .order_by(Credential.created_at, Credential.id)
    )
    return user.scope_to_cities(stmt, Cohort.city_id)


def catalogue():
    """Every credential type with its track, by track and name."""
    return list(
        db.session.scalars(
            sa.select(CredentialType)
            .options(joinedload(CredentialType.track))
            .order_by(CredentialType.track_id, CredentialType.name)
        )
    )


# -- the person page (coop.core.person_sections) ------------------------------------------


def person_plan(participant_id: int, cohort_ids) -> CareerPlan | None:
    """The participant's plan, if it was written in one of ``cohort_ids`` (the cohorts
    whose records the viewer may see), with its cohort and city, goals and steps (three queries)."""
    return db.session.scalar(
        sa.select(CareerPlan)
        .options(
            joinedload(CareerPlan.cohort).joinedload(Cohort.city),
            selectinload(CareerPlan.goals).selectinload(PlanGoal.steps),
        )
        .where(
            CareerPlan.participant_id == participant_id,
            CareerPlan.cohort_id.in_(list(cohort_ids) or [-1]),
        )
    )


def person_credentials(participant_id: int, cohort_ids) -> list[Credential]:
    """The participant's credentials recorded in ``cohort_ids``, verified or not, newest
    first, with their catalogue entry (one query)."""
    return list(
        db.session.scalars(
            sa.select(Credential)
            .options(joinedload(Credential.credential_type))
            .where(
                Credential.participant_id == participant_id,
                Credential.cohort_id.in_(list(cohort_ids) or [-1]),
            )
            .order_by(Credential.earned_on.desc(), Credential.id)
        )
    )


# -- lists for staff and captains ----------------------------------------------------------


def plans_list(user):
    """Plans the viewer may see (staff: their cities; captains: their current pods),
    with participant and cohort, by name (a select to paginate)."""
    stmt = (
        sa.select(CareerPlan)
        .join(User, User.id == CareerPlan.participant_id)
        .join(Cohort, Cohort.id == CareerPlan.cohort_id)
        .options(joinedload(CareerPlan.participant), joinedload(CareerPlan.cohort))
        .order_by(User.name, CareerPlan.id)
    )
    if user.is_staff:
        return user.scope_to_cities(stmt, Cohort.city_id)
    return stmt.where(pod_clause(user.id, CareerPlan.cohort_id, CareerPlan.participant_id))


def step_counts(plan_ids: list[int], today: date) -> dict[int, tuple[int, int]]:
    """``{plan id: (open steps, overdue steps)}``, one query."""
    is_open = PlanStep.status == StepStatus.OPEN
    rows = db.session.execute(
        sa.select(
            PlanStep.plan_id,
            sa.func.count(sa.case((is_open, PlanStep.id))),
            sa.func.count(sa.case((sa.and_(is_open, PlanStep.due_date < today), PlanStep.id))),
        )
        .where(PlanStep.plan_id.in_(plan_ids or [-1]))
        .group_by(PlanStep.plan_id)
    ).all()
    return {pid: (o, d) for pid, o, d in rows}


def overdue_steps_for_captain(captain_id: int, today: date):
    """Overdue open steps of the participants in the captain's current pods: rows of
    (cohort id, participant id, name, step title, due date), one query."""
    return db.session.execute(
        sa.select(
            CareerPlan.cohort_id,
            CareerPlan.participant_id,
            User.name,
            PlanStep.title,
            PlanStep.due_date,
        )
        .join(CareerPlan, CareerPlan.id == PlanStep.plan_id)
        .join(User, User.id == CareerPlan.participant_id)
        .where(
            PlanStep.status == StepStatus.OPEN,
            PlanStep.due_date < today,
            pod_clause(captain_id, CareerPlan.cohort_id, CareerPlan.participant_id),
        )
        .order_by(PlanStep.due_date, User.name, PlanStep.id)
        .limit(50)
    ).all()


# -- answers to lower layers' questions (coop.core.events) --------------------------------


@events.at_risk_reasons.connect
def _plan_overdue(_sender, *, cohort_ids, today, thresholds, **_):
    """``plan_overdue``: at least ``plan_overdue_steps`` open steps due more than
    ``plan_overdue_days`` days ago."""
    before = today - timedelta(days=int(thresholds.get("plan_overdue_days", 0)))
    at_least = int(thresholds.get("plan_overdue_steps", 1))
    n = sa.func.count(PlanStep.id)
    return (
        sa.select(
            CareerPlan.participant_id,
            CareerPlan.cohort_id,
            sa.literal_column("'plan_overdue'", sa.String),
            sa.cast(n, sa.String) + sa.literal_column("' overdue plan step(s)'", sa.String),
        )
        .join(PlanStep, PlanStep.plan_id == CareerPlan.id)
        .where(
            CareerPlan.cohort_id.in_(cohort_ids),
            PlanStep.status == StepStatus.OPEN,
            PlanStep.due_date < before,
        )
        .group_by(CareerPlan.participant_id, CareerPlan.cohort_id)
        .having(n >= at_least)
    )


@events.skill_gains.connect
def _verified_credentials(_sender, *, cohort_ids, **_):
    """A verified credential is a measurable skill gain, on the day it was earned."""
    return sa.select(
        Credential.participant_id,
        Credential.cohort_id,
        Credential.earned_on,
        sa.literal_column("'credential'", sa.String),
    ).where(Credential.cohort_id.in_(cohort_ids), Credential.verified_at.is_not(None))
