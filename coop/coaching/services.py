"""Every change to captains, teams, pods, check-ins and reminders.

Services check the domain rule once, flush, write an audit event and never commit; a
broken rule raises ``CoachingError`` and changes nothing.
"""

import hashlib
import json
import zoneinfo
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import url_for

from coop.auth import services as auth_services
from coop.auth.models import Role, User
from coop.coaching import balancing
from coop.coaching.models import (
    DEFAULT_MAX_PARTICIPANTS,
    AlumniCaptain,
    CaptainAssignment,
    Channel,
    CheckIn,
    PodMembership,
    ReminderLog,
    Topic,
)
from coop.coaching.queries import (
    IN_COHORT,
    OPEN_STATUSES,
    POD_OF_ENROLLMENT,
    Reminder,
    can_coach,
)
from coop.core import events
from coop.core.audit import changed_fields, record
from coop.core.errors import DomainError
from coop.db import utcnow
from coop.enrollment.models import Enrollment, Stage
from coop.extensions import db, mail
from coop.programs.models import Cohort, CohortStatus, Partner


class CoachingError(DomainError):
    """A coaching rule was broken; the message is shown to the user."""


# -- alumni captains ----------------------------------------------------------------------


def graduation(user: User, cohort: Cohort) -> Enrollment | None:
    return db.session.scalar(
        db.select(Enrollment).where(
            Enrollment.user_id == user.id,
            Enrollment.cohort_id == cohort.id,
            Enrollment.stage == Stage.GRADUATED,
        )
    )


def appoint_captain(user: User, graduated_from: Cohort, actor) -> AlumniCaptain:
    """Appoint a graduate of ``graduated_from`` as an alumni captain (their role becomes
    captain; they keep their profile)."""
    if user.is_staff:
        raise CoachingError("Staff cannot be appointed as captains.")
    if not user.active:
        raise CoachingError(f"{user.name}'s account is deactivated.")
    if graduation(user, graduated_from) is None:
        raise CoachingError(f"{user.name} did not graduate from {graduated_from.name}.")
    current = db.session.scalar(
        db.select(AlumniCaptain.id).where(
            AlumniCaptain.user_id == user.id, AlumniCaptain.stepped_down_at.is_(None)
        )
    )
    if current is not None:
        raise CoachingError(f"{user.name} is already a captain.")
    still_enrolled = db.session.scalar(
        db.select(Cohort.name)
        .join(Enrollment, Enrollment.cohort_id == Cohort.id)
        .where(Enrollment.user_id == user.id, Enrollment.stage == Stage.ENROLLED)
    )
    if still_enrolled:
        raise CoachingError(
            f"{user.name} is enrolled in {still_enrolled}; appoint them once they graduate."
        )
    appointment = AlumniCaptain(
        user_id=user.id,
        graduated_from_id=graduated_from.id,
        appointed_by_id=getattr(actor, "id", None),
    )
    db.session.add(appointment)
    changed = ["user_id", "graduated_from_id"]
    if user.role != Role.CAPTAIN:
        user.role = Role.CAPTAIN
        changed.append("role")
    db.session.flush()
    record(actor, "captain.appoint", appointment, changed)
    return appointment


def import_alumnus(
    *, email: str, name: str, cohort: Cohort, actor, appoint: bool = False
) -> tuple[User, AlumniCaptain | None]:
    """Record someone as a graduate of ``cohort`` (alumni from before coop was used): an
    account is made if there is none, with a graduated enrollment; optionally appointed."""
    if cohort.status != CohortStatus.COMPLETED:
        raise CoachingError("Alumni can only be recorded for completed cohorts.")
    user = auth_services.find_user(email)
    if user is None:
        try:
            user = auth_services.create_user(
                email=email, name=name, role=Role.PARTICIPANT, actor=actor
            )
        except auth_services.AccountError as exc:
            raise CoachingError(str(exc)) from exc
    elif user.is_staff:
        raise CoachingError(f"{user.email} is a staff account.")
    existing = db.session.scalar(
        db.select(Enrollment).where(
            Enrollment.user_id == user.id, Enrollment.cohort_id == cohort.id
        )
    )
    if existing is not None:
        if existing.stage == Stage.GRADUATED:
            raise CoachingError(f"{user.name} is already a graduate of {cohort.name}.")
        raise CoachingError(
            f"{user.name} already has an enrollment in {cohort.name} ({existing.stage}); "
            "change it on the cohort's roster instead."
        )
    enrollment = Enrollment(cohort_id=cohort.id, user_id=user.id, stage=Stage.GRADUATED)
    db.session.add(enrollment)
    db.session.flush()
    events.cohort_members_changed.send(cohort.id)
    record(actor, "alumnus.import", enrollment, ["cohort_id", "user_id", "stage"])
    appointment = appoint_captain(user, cohort, actor) if appoint else None
    return user, appointment


def appoint_partner_volunteer(
    *, name: str, email: str | None, partner: Partner, contact_id: int, actor
) -> AlumniCaptain:
    """Appoint a partner's employee (one of its contacts) as a volunteer captain: an
    account with the captain role is made from the contact's name and email, or the one
    with that email reused, and invited to set a password. The usual captain rules hold
    from there (pod maximum, never a cohort they are in, one lead)."""
    if not email:
        raise CoachingError(f"{name} has no email address: add one to the contact first.")
    user = auth_services.find_user(email)
    if user is None:
        try:
            user = auth_services.create_user(email=email, name=name, role=Role.CAPTAIN, actor=actor)
        except auth_services.AccountError as exc:
            raise CoachingError(str(exc)) from exc
    elif user.is_staff:
        raise CoachingError(f"{user.email} is a staff account.")
    elif not user.active:
        raise CoachingError(f"{user.name}'s account is deactivated.")
    current = db.session.scalar(
        db.select(AlumniCaptain.id).where(
            AlumniCaptain.user_id == user.id, AlumniCaptain.stepped_down_at.is_(None)
        )
    )
    if current is not None:
        raise CoachingError(f"{user.name} is already a captain.")
    appointment = AlumniCaptain(
        user_id=user.id,
        graduated_from_id=None,
        is_partner_volunteer=True,
        partner_id=partner.id,
        partner_contact_id=contact_id,
        appointed_by_id=getattr(actor, "id", None),
    )
    db.session.add(appointment)
    changed = ["user_id", "is_partner_volunteer", "partner_id", "partner_contact_id"]
    if user.role != Role.CAPTAIN:
        user.role = Role.CAPTAIN
        changed.append("role")
    db.session.flush()
    record(actor, "captain.appoint_volunteer", appointment, changed)
    auth_services.send_invitation(user, actor=actor)
    return appointment


def step_down(appointment: AlumniCaptain, actor, fingerprint: str | None = None) -> None:
    """End an appointment: the captain leaves every team of a cohort still running, their
    pods are redistributed as previewed, and their role goes back to participant. Past
    cohorts keep them on their teams (that is the lineage)."""
    if appointment.stepped_down_at is not None:
        raise CoachingError("This captain has already stepped down.")
    assignments = open_assignments(appointment.user_id)
    previews = [preview_end(a) for a in assignments]
    if fingerprint is not None and fingerprint != plans_fingerprint(previews):
        raise CoachingError("The pods changed since the preview. Check the new preview.")
    for preview in previews:
        _end_assignment(preview, actor)
    appointment.stepped_down_at = utcnow()
    appointment.stepped_down_by_id = getattr(actor, "id", None)
    user = db.session.get(User, appointment.user_id)
    if user.role == Role.CAPTAIN:
        user.role = Role.PARTICIPANT
    db.session.flush()
    record(actor, "captain.step_down", appointment, ["stepped_down_at", "role"])


def open_assignments(captain_id: int) -> list[CaptainAssignment]:
    """The captain's current assignments in cohorts whose teams still change."""
    return list(
        db.session.scalars(
            db.select(CaptainAssignment)
            .join(Cohort, Cohort.id == CaptainAssignment.cohort_id)
            .where(
                CaptainAssignment.captain_id == captain_id,
                CaptainAssignment.ended_at.is_(None),
                Cohort.status.in_(OPEN_STATUSES),
            )
            .order_by(Cohort.start_date, CaptainAssignment.id)
        )
    )


# -- teams --------------------------------------------------------------------------------


def _check_open(cohort: Cohort) -> None:
    if cohort.status not in OPEN_STATUSES:
        raise CoachingError(f"{cohort.name} is {cohort.status}: its team and pods are closed.")


def add_to_team(
    cohort: Cohort,
    captain: User,
    actor,
    *,
    is_lead: bool = False,
    max_participants: int = DEFAULT_MAX_PARTICIPANTS,
) -> CaptainAssignment:
    """Put a current alumni captain on ``cohort``'s team (never a cohort they are or were
    enrolled in). A captain who left the team earlier comes back on the same row."""
    _check_open(cohort)
    appointed = db.session.scalar(
        db.select(AlumniCaptain.id).where(
            AlumniCaptain.user_id == captain.id, AlumniCaptain.stepped_down_at.is_(None)
        )
    )
    if appointed is None or not captain.is_captain:
        raise CoachingError(f"{captain.name} is not a current alumni captain.")
    enrolled = db.session.scalar(
        db.select(Enrollment.stage).where(
            Enrollment.cohort_id == cohort.id, Enrollment.user_id == captain.id
        )
    )
    if enrolled is not None:
        raise CoachingError(
            f"{captain.name} has an enrollment in this cohort ({enrolled}) and cannot be "
            "one of its captains."
        )
    if not 1 <= max_participants <= 50:
        raise CoachingError("A pod takes between 1 and 50 participants.")
    assignment = db.session.scalar(
        db.select(CaptainAssignment).where(
            CaptainAssignment.cohort_id == cohort.id,
            CaptainAssignment.captain_id == captain.id,
        )
    )
    if assignment is not None and assignment.ended_at is None:
        raise CoachingError(f"{captain.name} is on this team already.")
    if is_lead:
        _clear_lead(cohort.id)
    if assignment is None:
        assignment = CaptainAssignment(cohort_id=cohort.id, captain_id=captain.id)
        db.session.add(assignment)
    assignment.ended_at = None
    assignment.is_lead = is_lead
    assignment.max_participants = max_participants
    db.session.flush()
    record(actor, "captain_assignment.create", assignment, ["is_lead", "max_participants"])
    return assignment


def _clear_lead(cohort_id: int, keep: int | None = None) -> None:
    lead = db.session.scalar(
        db.select(CaptainAssignment).where(
            CaptainAssignment.cohort_id == cohort_id,
            CaptainAssignment.is_lead,
            CaptainAssignment.ended_at.is_(None),
        )
    )
    if lead is not None and lead.id != keep:
        lead.is_lead = False
        db.session.flush()


def pod_size(assignment: CaptainAssignment) -> int:
    return db.session.scalar(
        db.select(sa.func.count(PodMembership.id))
        .join(
            Enrollment,
            sa.and_(
                Enrollment.cohort_id == PodMembership.cohort_id,
                Enrollment.user_id == PodMembership.participant_id,
            ),
        )
        .where(PodMembership.assignment_id == assignment.id, Enrollment.stage.in_(IN_COHORT))
    )


def update_assignment(
    assignment: CaptainAssignment, actor, *, is_lead: bool, max_participants: int
) -> None:
    """Change a captain's maximum (never below their pod's size) or make them the lead."""
    if assignment.ended_at is not None:
        raise CoachingError("This captain has left the team.")
    if not 1 <= max_participants <= 50:
        raise CoachingError("A pod takes between 1 and 50 participants.")
    size = pod_size(assignment)
    if max_participants < size:
        raise CoachingError(
            f"Their pod has {size} participants: move some to other pods before lowering "
            f"the maximum to {max_participants}."
        )
    if is_lead and not assignment.is_lead:
        _clear_lead(assignment.cohort_id, keep=assignment.id)
    assignment.is_lead = is_lead
    assignment.max_participants = max_participants
    changed = changed_fields(assignment, ["is_lead", "max_participants"])
    db.session.flush()
    if changed:
        record(actor, "captain_assignment.update", assignment, changed)


# -- pods ---------------------------------------------------------------------------------


@dataclass
class PodState:
    """A cohort's current pods and the people in the cohort who are in none."""

    pods: list[balancing.Pod]
    unassigned: list[int]
    #: participant id -> membership row (current pod or a stale one)
    rows: dict[int, PodMembership]


def pod_state(cohort_id: int) -> PodState:
    current = {
        a.id: a
        for a in db.session.scalars(
            db.select(CaptainAssignment).where(
                CaptainAssignment.cohort_id == cohort_id, CaptainAssignment.ended_at.is_(None)
            )
        )
    }
    people = db.session.execute(
        db.select(Enrollment.user_id, PodMembership)
        .outerjoin(PodMembership, POD_OF_ENROLLMENT)
        .where(Enrollment.cohort_id == cohort_id, Enrollment.stage.in_(IN_COHORT))
    ).all()
    members: dict[int, list[int]] = {key: [] for key in current}
    unassigned, rows = [], {}
    for uid, membership in people:
        if membership is not None:
            rows[uid] = membership
        if membership is not None and membership.assignment_id in current:
            members[membership.assignment_id].append(uid)
        else:
            unassigned.append(uid)
    pods = [
        balancing.Pod(key, current[key].max_participants, tuple(sorted(ids)))
        for key, ids in members.items()
    ]
    return PodState(pods, sorted(unassigned), rows)


def _apply(cohort_id: int, plan: balancing.Plan, state: PodState, drop: list[int]) -> None:
    """Write ``plan``'s placements as membership rows; ``drop`` leave their pod."""
    for person, key in plan.placements.items():
        row = state.rows.get(person)
        if row is None:
            row = PodMembership(cohort_id=cohort_id, participant_id=person, assignment_id=key)
            db.session.add(row)
            state.rows[person] = row
        else:
            row.assignment_id = key
    for person in drop:
        row = state.rows.pop(person, None)
        if row is not None:
            db.session.delete(row)
    db.session.flush()


def balance_pods(cohort: Cohort, actor, full: bool = False) -> balancing.Plan:
    """Place the unassigned (or, with ``full``, everyone) evenly in the team's pods."""
    _check_open(cohort)
    state = pod_state(cohort.id)
    if not state.pods:
        raise CoachingError("This cohort has no captains yet: add its team first.")
    plan = balancing.balance(state.pods, state.unassigned, full=full)
    current_members = {m for p in state.pods for m in p.members}
    drop = [p for p in plan.unplaced if p in current_members or p in state.rows]
    _apply(cohort.id, plan, state, drop)
    record(
        actor,
        "pods.rebalance" if full else "pods.balance",
        cohort,
        ["pod_memberships"] if plan.placements or drop else [],
        reason=f"{len(plan.placements)} placed, {len(plan.unplaced)} without room",
    )
    return plan


def move_participant(cohort: Cohort, participant_id: int, target: CaptainAssignment, actor):
    """Move one participant to ``target``'s pod (which must have room)."""
    _check_open(cohort)
    if target.cohort_id != cohort.id or target.ended_at is not None:
        raise CoachingError("That captain is not on this cohort's team.")
    state = pod_state(cohort.id)
    everyone = set(state.unassigned) | {m for p in state.pods for m in p.members}
    if participant_id not in everyone:
        raise CoachingError("That person is not in this cohort.")
    pod = next(p for p in state.pods if p.key == target.id)
    if participant_id in pod.members:
        return
    if len(pod.members) >= pod.capacity:
        raise CoachingError(
            f"That pod is full ({pod.capacity}). Raise the captain's maximum or choose another pod."
        )
    plan = balancing.Plan(placements={participant_id: target.id})
    _apply(cohort.id, plan, state, [])
    record(actor, "pods.move", state.rows[participant_id], ["assignment_id"])


@dataclass
class EndPreview:
    """Where a leaving captain's pod goes: the plan and who would stay without a pod."""

    assignment: CaptainAssignment
    state: PodState
    plan: balancing.Plan

    @property
    def leaving(self) -> tuple[int, ...]:
        return next((p.members for p in self.state.pods if p.key == self.assignment.id), ())


def preview_end(assignment: CaptainAssignment) -> EndPreview:
    state = pod_state(assignment.cohort_id)
    leaving = next(
        (p for p in state.pods if p.key == assignment.id),
        balancing.Pod(assignment.id, assignment.max_participants),
    )
    plan = balancing.redistribute(leaving, state.pods)
    return EndPreview(assignment, state, plan)


def plans_fingerprint(previews: list[EndPreview]) -> str:
    """A short digest of previews, so a confirmation applies exactly what was shown."""
    data = [
        [p.assignment.id, sorted(p.plan.placements.items()), sorted(p.plan.unplaced)]
        for p in previews
    ]
    return hashlib.sha256(json.dumps(data).encode()).hexdigest()[:16]


def _end_assignment(preview: EndPreview, actor) -> None:
    assignment = preview.assignment
    _apply(assignment.cohort_id, preview.plan, preview.state, preview.plan.unplaced)
    assignment.ended_at = utcnow()
    db.session.flush()
    record(
        actor,
        "captain_assignment.end",
        assignment,
        ["ended_at"],
        reason=f"{len(preview.plan.placements)} moved, {len(preview.plan.unplaced)} without a pod",
    )


def end_assignment(assignment: CaptainAssignment, actor, fingerprint: str | None = None):
    """Take a captain off one cohort's team, redistributing their pod as previewed."""
    if assignment.ended_at is not None:
        raise CoachingError("This captain has already left the team.")
    preview = preview_end(assignment)
    if fingerprint is not None and fingerprint != plans_fingerprint([preview]):
        raise CoachingError("The pods changed since the preview. Check the new preview.")
    _end_assignment(preview, actor)
    return preview


def set_overdue_days(cohort: Cohort, days: int, actor) -> None:
    if not 1 <= days <= 90:
        raise CoachingError("Choose between 1 and 90 days.")
    cohort.checkin_overdue_days = days
    changed = changed_fields(cohort, ["checkin_overdue_days"])
    db.session.flush()
    if changed:
        record(actor, "cohort.update", cohort, changed)


# -- check-ins ----------------------------------------------------------------------------

CHECKIN_FIELDS = [
    "held_on",
    "channel",
    "minutes",
    "topics",
    "notes",
    "next_steps",
    "needs_attention",
    "confidential",
]


def latest_allowed_day(cohort: Cohort, user: User) -> date:
    """Today where the cohort meets, or where the captain is if that is later."""
    now = utcnow()
    days = [now.astimezone(zoneinfo.ZoneInfo(cohort.city.timezone)).date()]
    if user.timezone:
        days.append(now.astimezone(zoneinfo.ZoneInfo(user.timezone)).date())
    return max(days)


#: A captain may meet their pod a little before the first session, not years before.
EARLY_CHECKIN_DAYS = 60


def earliest_allowed_day(cohort: Cohort) -> date:
    """The earliest date a check-in of ``cohort`` can have (a mistyped year is refused)."""
    return cohort.start_date - timedelta(days=EARLY_CHECKIN_DAYS)


def _check_values(cohort: Cohort, author: User, values: dict) -> dict:
    values = dict(values)
    if values["held_on"] > latest_allowed_day(cohort, author):
        raise CoachingError("The date of a check-in cannot be in the future.")
    if values["held_on"] < earliest_allowed_day(cohort):
        raise CoachingError(
            f"That is long before the cohort started ({cohort.start_date:%-d %b %Y}): "
            "check the year."
        )
    if not 1 <= values["minutes"] <= 600:
        raise CoachingError("Minutes must be between 1 and 600.")
    values["channel"] = Channel(values["channel"])
    values["topics"] = [t.value for t in Topic if t.value in set(values.get("topics") or [])]
    values["notes"] = (values.get("notes") or "").strip()
    values["next_steps"] = (values.get("next_steps") or "").strip()
    return values


def log_checkin(cohort: Cohort, participant_id: int, author: User, **values) -> CheckIn:
    """A captain logs a check-in with a participant of their own current pod."""
    if not can_coach(author, cohort.id, participant_id):
        raise CoachingError("You can log check-ins only for participants in your pod.")
    values = _check_values(cohort, author, values)
    checkin = CheckIn(
        cohort_id=cohort.id, participant_id=participant_id, author_id=author.id, **values
    )
    db.session.add(checkin)
    db.session.flush()
    record(author, "checkin.create", checkin, CHECKIN_FIELDS, subject_id=checkin.participant_id)
    return checkin


def update_checkin(checkin: CheckIn, cohort: Cohort, author: User, **values) -> None:
    """The author edits their check-in, within 7 days of logging it."""
    if not checkin.can_edit(author):
        raise CoachingError("Check-ins can be edited by their author for 7 days only.")
    values = _check_values(cohort, author, values)
    for name, value in values.items():
        setattr(checkin, name, value)
    changed = changed_fields(checkin, CHECKIN_FIELDS)
    db.session.flush()
    if changed:
        record(author, "checkin.update", checkin, changed, subject_id=checkin.participant_id)


def resolve_flag(checkin: CheckIn, actor, note: str) -> None:
    """Staff close a check-in's attention flag with a note."""
    if not checkin.needs_attention:
        raise CoachingError("This check-in does not need staff attention.")
    if checkin.resolved_at is not None:
        raise CoachingError("This check-in was resolved already.")
    note = (note or "").strip()
    if not note:
        raise CoachingError("Say how it was resolved.")
    checkin.resolved_at = utcnow()
    checkin.resolved_by_id = actor.id
    checkin.resolution_note = note
    db.session.flush()
    record(actor, "checkin.resolve", checkin, ["resolved_at", "resolution_note"])


# -- reminders ----------------------------------------------------------------------------


def claim_reminder(captain_id: int, day: date, count: int) -> bool:
    """Claim today's reminder for a captain: True if this call made the (captain, day) row.

    ``INSERT … ON CONFLICT DO NOTHING`` on both databases: a concurrent run waits for the
    other's row and then inserts nothing, so at most one reminder goes out per day.
    """
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = ReminderLog.__table__
    stmt = (
        insert(table)
        .values(captain_id=captain_id, day=day, participant_count=count, sent_at=utcnow())
        .on_conflict_do_nothing(index_elements=["captain_id", "day"])
        .returning(table.c.id)
    )
    return db.session.execute(stmt).first() is not None


def reminder_body(reminder: Reminder, day: date) -> str:
    lines = [
        f"Hello {reminder.name},",
        "",
        f"These participants in your pods have had no check-in for a while ({day:%-d %b %Y}):",
        "",
    ]
    for cohort_name, name, last_on in reminder.rows:
        when = f"last check-in {last_on:%-d %b}" if last_on else "no check-in yet"
        lines.append(f"  - {name} ({cohort_name}): {when}")
    try:
        link = url_for("coaching.captain_home", _external=True)
    except RuntimeError:
        link = None
    lines += ["", "Log a check-in from your pods page" + (f": {link}" if link else "."), ""]
    return "\n".join(lines)


def release_reminder(captain_id: int, day: date) -> None:
    """Forget a claimed reminder whose mail failed, so the next run sends it."""
    db.session.execute(
        sa.delete(ReminderLog).where(ReminderLog.captain_id == captain_id, ReminderLog.day == day)
    )


def send_reminder(reminder: Reminder, day: date) -> None:
    """Send now (the claim is committed already); raises when the mail cannot go out."""
    n = len(reminder.rows)
    mail.send_now(
        reminder.email,
        f"{n} participant{'s' if n != 1 else ''} in your pod need a check-in",
        reminder_body(reminder, day),
    )
