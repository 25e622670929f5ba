"""Every change to career plans and credentials: checked, flushed, audited, never
committed (the view's transaction commits)."""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from coop.core import audit, clock
from coop.core.errors import DomainError
from coop.core.links import https_url
from coop.db import utcnow
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
from coop.programs.models import Cohort, Track


class PlanError(DomainError):
    """A refused change to a plan or a credential."""


#: How long a comment on a step may be (the column's length).
COMMENT_MAX = 500


def ensure_plan(cohort: Cohort, participant_id: int, actor) -> CareerPlan:
    """The participant's plan, started in ``cohort`` if they have none yet. One plan per
    participant: a plan written in another cohort is refused."""
    plan = db.session.scalar(
        sa.select(CareerPlan).where(CareerPlan.participant_id == participant_id)
    )
    if plan is None:
        plan = CareerPlan(
            participant_id=participant_id, cohort_id=cohort.id, created_by_id=actor.id
        )
        try:
            with db.session.begin_nested():
                db.session.add(plan)
                db.session.flush()
        except IntegrityError:
            raise PlanError("This participant's plan was just started; open it again.") from None
        audit.record(actor, "plan.start", plan, ["cohort_id"])
    elif plan.cohort_id != cohort.id:
        raise PlanError("This participant's plan belongs to another cohort.")
    return plan


def add_goal(
    cohort: Cohort,
    participant_id: int,
    actor,
    *,
    kind: GoalKind,
    title: str,
    target_date: date | None,
) -> PlanGoal:
    """Add an employment, education or skill goal (starting the plan if need be)."""
    title = (title or "").strip()
    if not title:
        raise PlanError("Say what the goal is.", field="title")
    plan = ensure_plan(cohort, participant_id, actor)
    goal = PlanGoal(plan_id=plan.id, kind=GoalKind(kind), title=title, target_date=target_date)
    db.session.add(goal)
    db.session.flush()
    audit.record(
        actor,
        "plan.goal_add",
        goal,
        ["kind", "title", "target_date"],
        subject_id=participant_id,
        city_id=cohort.city_id,
    )
    return goal


def add_step(
    goal: PlanGoal,
    actor,
    *,
    title: str,
    owner: StepOwner,
    due_date: date,
    participant_id: int,
    city_id: int,
) -> PlanStep:
    """Add a step toward ``goal`` with its owner and due date."""
    title = (title or "").strip()
    if not title:
        raise PlanError("Say what the step is.", field="title")
    if due_date is None:
        raise PlanError("Give the step a due date.", field="due_date")
    step = PlanStep(
        plan_id=goal.plan_id,
        goal_id=goal.id,
        title=title,
        owner=StepOwner(owner),
        due_date=due_date,
        status=StepStatus.OPEN,
        updated_by_id=actor.id,
    )
    db.session.add(step)
    db.session.flush()
    audit.record(
        actor,
        "plan.step_add",
        step,
        ["title", "owner", "due_date"],
        subject_id=participant_id,
        city_id=city_id,
    )
    return step


def update_step(
    step: PlanStep,
    actor,
    *,
    status: StepStatus,
    comment: str | None,
    participant_id: int,
    city_id: int,
    access=None,
) -> PlanStep:
    """Tick (done), drop or reopen a step, with an optional comment. A participant may
    change only the steps they own (``access``, from ``plans.queries.access``)."""
    if access is not None and not access.can_update_step(step):
        raise PlanError("Only your captain or staff can change this step.")
    status = StepStatus(status)
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise PlanError(f"Keep the comment under {COMMENT_MAX} characters.", field="comment")
    changed = []
    if status != step.status:
        step.status = status
        step.done_at = utcnow() if status == StepStatus.DONE else None
        changed.append("status")
    if comment and comment != step.comment:
        step.comment = comment
        changed.append("comment")
    if not changed:
        return step
    step.updated_by_id = actor.id
    db.session.flush()
    audit.record(
        actor, "plan.step_update", step, changed, subject_id=participant_id, city_id=city_id
    )
    return step


def review_steps(steps: list[PlanStep], actor, data, *, participant_id: int, city_id: int) -> int:
    """A check-in's review of the participant's open steps: ``data`` (the submitted form)
    holds ``step-<id>-done`` for a ticked step and ``step-<id>-comment`` for a comment.
    Steps not among ``steps`` (another plan's) are ignored; an over-long comment is cut
    to the column's length (the input says so). Returns how many steps changed."""
    changed = 0
    for step in steps:
        done = data.get(f"step-{step.id}-done") == "y"
        comment = (data.get(f"step-{step.id}-comment") or "").strip()[:COMMENT_MAX]
        if not done and not comment:
            continue
        update_step(
            step,
            actor,
            status=StepStatus.DONE if done else step.status,
            comment=comment,
            participant_id=participant_id,
            city_id=city_id,
        )
        changed += 1
    return changed


# -- credentials ---------------------------------------------------------------------------


def add_credential_type(track: Track, actor, *, name: str, issuer: str) -> CredentialType:
    """Add a certification to a track's catalogue (organisation-wide staff)."""
    name, issuer = (name or "").strip(), (issuer or "").strip()
    if not name:
        raise PlanError("Name the credential.", field="name")
    if not issuer:
        raise PlanError("Name its issuer.", field="issuer")
    exists = db.session.scalar(
        sa.select(CredentialType.id).where(
            CredentialType.track_id == track.id, CredentialType.name == name
        )
    )
    message = "That track's catalogue already has a credential with this name."
    if exists:
        raise PlanError(message, field="name")
    row = CredentialType(track_id=track.id, name=name, issuer=issuer)
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        raise PlanError(message, field="name") from None
    audit.record(actor, "credential_type.add", row, ["name", "issuer", "track_id"])
    return row


def record_credential(
    cohort: Cohort,
    participant_id: int,
    actor,
    *,
    credential_type: CredentialType,
    earned_on: date,
    credential_ref: str | None,
    link: str | None,
) -> Credential:
    """Record a credential the participant earned; it waits for staff to verify it."""
    if credential_type.track_id != cohort.track_id or credential_type.archived:
        raise PlanError("Choose a credential from this track's catalogue.", field="credential_type")
    if earned_on is None:
        raise PlanError("Give the day it was earned.", field="earned_on")
    if earned_on > clock.today_for_cohort(cohort):
        raise PlanError("The day it was earned cannot be in the future.", field="earned_on")
    credential_ref = (credential_ref or "").strip() or None
    try:
        link = https_url(link) if link else None
    except ValueError as exc:
        raise PlanError(str(exc), field="link") from None
    if credential_ref is None and link is None:
        raise PlanError("Give the credential ID or a https:// link to it.", field="credential_ref")
    message = "This credential is already recorded for this participant."
    exists = db.session.scalar(
        sa.select(Credential.id).where(
            Credential.participant_id == participant_id,
            Credential.credential_type_id == credential_type.id,
        )
    )
    if exists:
        raise PlanError(message, field="credential_type")
    row = Credential(
        participant_id=participant_id,
        cohort_id=cohort.id,
        credential_type_id=credential_type.id,
        earned_on=earned_on,
        credential_ref=credential_ref,
        link=link,
        recorded_by_id=actor.id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        raise PlanError(message, field="credential_type") from None
    audit.record(
        actor,
        "credential.record",
        row,
        ["credential_type_id", "earned_on", "credential_ref", "link"],
    )
    return row


def verify_credential(credential: Credential, actor) -> Credential:
    """Staff confirm a credential (it then counts as a measurable skill gain)."""
    if not actor.is_staff:
        raise PlanError("Only staff verify credentials.")
    if credential.verified:
        raise PlanError("This credential is already verified.")
    credential.verified_at = utcnow()
    credential.verified_by_id = actor.id
    db.session.flush()
    audit.record(actor, "credential.verify", credential, ["verified_at"])
    return credential
