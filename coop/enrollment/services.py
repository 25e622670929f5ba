"""Every change to enrollments: applying, deciding, waitlisting, withdrawing, graduating.
(Importing a roster file, which enrolls through these, is ``coop.enrollment.roster``.)

These functions are the only way an enrollment's stage changes; other domains call
them (``withdraw``, ``graduate``). They check the rule once, flush, record an
``EnrollmentEvent`` and an audit event, and never commit.

Two rules hold under concurrency, on SQLite and PostgreSQL alike:

- Seats are taken with one conditional ``UPDATE cohorts SET seats_taken = seats_taken + n
  WHERE id = :id AND seats_taken + n <= capacity``; the row count says whether it worked.
  (``SELECT … FOR UPDATE`` is silently ignored on SQLite.)
- A stage moves with ``UPDATE enrollments SET stage = :new WHERE id = :id AND stage =
  :old``; when another request moved it first, ``Conflict`` is raised and the request
  is rolled back (and retried by the view).
"""

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import attributes

from coop.auth.models import ParticipantProfile, Role, User
from coop.auth.services import find_user, normalise_email, send_invitation
from coop.core import events
from coop.core.audit import record
from coop.core.errors import DomainError
from coop.db import utcnow
from coop.enrollment import history
from coop.enrollment import status as application_status
from coop.enrollment.models import (
    MEMBER_STAGES,
    SALARY_BAND_MIDPOINTS,
    TRANSITIONS,
    Enrollment,
    EnrollmentEvent,
    HeardVia,
    Source,
    Stage,
)
from coop.extensions import db, mail
from coop.programs.models import City, Cohort, CohortStatus
from coop.programs.services import change_status


class EnrollmentError(DomainError):
    """A rule about enrollments was broken; the message is shown and nothing is written."""


class StageError(EnrollmentError):
    """An impossible stage change (graduating an applicant, enrolling a declined one)."""


class DuplicateApplication(EnrollmentError):
    """The same email applied to the same cohort before."""


class Conflict(Exception):  # noqa: N818 - a condition, not a bug
    """Another request changed the same rows first: roll back and try the request again."""


#: Cohorts in these statuses take decisions and seats.
OPEN_COHORT = (CohortStatus.PLANNED, CohortStatus.RECRUITING, CohortStatus.ACTIVE)


# -- seats -------------------------------------------------------------------------------


def take_seats(cohort: Cohort, n: int = 1) -> bool:
    """Take ``n`` seats in one conditional UPDATE; False (and nothing taken) if they do not
    all fit. Safe under concurrency on both databases: the WHERE is evaluated against the
    row as it is when the update runs, after any concurrent update has committed."""
    result = db.session.execute(
        sa.update(Cohort)
        .where(Cohort.id == cohort.id, Cohort.seats_taken + n <= Cohort.capacity)
        .values(seats_taken=Cohort.seats_taken + n)
        .execution_options(synchronize_session=False)
    )
    _refresh_seats(cohort)
    return result.rowcount == 1


def release_seats(cohort: Cohort, n: int = 1) -> None:
    """Give ``n`` seats back (a withdrawal, a graduation); never below zero."""
    db.session.execute(
        sa.update(Cohort)
        .where(Cohort.id == cohort.id)
        .values(
            seats_taken=sa.case(
                (Cohort.seats_taken >= n, Cohort.seats_taken - n), else_=sa.literal(0)
            )
        )
        .execution_options(synchronize_session=False)
    )
    _refresh_seats(cohort)


def _refresh_seats(cohort: Cohort) -> None:
    db.session.expire(cohort, ["seats_taken", "updated_at"])


def free_seats(cohort: Cohort) -> int:
    return max(cohort.capacity - cohort.seats_taken, 0)


# -- stage changes -----------------------------------------------------------------------


def _stage_error(enrollment: Enrollment, name: str, new: Stage) -> StageError:
    allowed = sorted(TRANSITIONS[enrollment.stage], key=list(Stage).index)
    if not allowed:
        return StageError(f"{name} is {enrollment.stage}; that is final and cannot change.")
    return StageError(
        f"{name} is {enrollment.stage}, so they cannot be {new}; they can only be "
        + " or ".join(str(s) for s in allowed)
        + "."
    )


def _serving_captains(cohort: Cohort, user_ids: list[int]) -> set[int]:
    """Which of ``user_ids`` currently serve as captains of ``cohort`` (coaching answers)."""
    return events.answer(events.cohort_captains, cohort, user_ids=user_ids)


def _move(
    enrollment: Enrollment,
    new: Stage,
    actor,
    reason: str | None = None,
    *,
    name: str = "This person",
    now: datetime | None = None,
) -> EnrollmentEvent:
    """Move one enrollment to ``new`` if the stage machine allows it, atomically.

    The UPDATE only matches while the stage is still the one we read, so two requests
    deciding the same applicant cannot both succeed; the loser raises ``Conflict``.
    """
    old = enrollment.stage
    if not enrollment.can_become(new):
        raise _stage_error(enrollment, name, new)
    now = now or utcnow()
    values = {"stage": new, "stage_changed_at": now}
    if reason is not None:
        values["decision_reason"] = reason
    if new == Stage.WAITLISTED:
        values["waitlisted_at"] = now
        values["waitlist_position"] = _next_waitlist_position(enrollment.cohort_id)
    elif old == Stage.WAITLISTED:
        values["waitlisted_at"] = None
        values["waitlist_position"] = None
    # What this event adds to the history's answers, written with it (the audit lists
    # the fields the move decided, not these).
    marked = {**values, **history.marks(old, new)}
    result = db.session.execute(
        sa.update(Enrollment)
        .where(Enrollment.id == enrollment.id, Enrollment.stage == old)
        .values(**marked)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict(f"enrollment {enrollment.id} changed meanwhile")
    for key, value in marked.items():
        attributes.set_committed_value(enrollment, key, value)
    event = EnrollmentEvent(
        enrollment_id=enrollment.id,
        from_stage=old,
        to_stage=new,
        actor_id=getattr(actor, "id", None),
        reason=reason,
        created_at=now,
    )
    db.session.add(event)
    record(actor, f"enrollment.{new}", ("enrollments", enrollment.id), values.keys(), reason)
    if (old in MEMBER_STAGES) != (new in MEMBER_STAGES):
        events.cohort_members_changed.send(enrollment.cohort_id)
    return event


def _next_waitlist_position(cohort_id: int) -> int:
    top = db.session.scalar(
        sa.select(sa.func.max(Enrollment.waitlist_position)).where(
            Enrollment.cohort_id == cohort_id, Enrollment.stage == Stage.WAITLISTED
        )
    )
    return (top or 0) + 1


def _load_people(enrollments) -> dict[int, User]:
    """The users of these enrollments, in one query (relationships are lazy="raise")."""
    ids = {e.user_id for e in enrollments}
    if not ids:
        return {}
    users = db.session.scalars(sa.select(User).where(User.id.in_(ids))).all()
    return {u.id: u for u in users}


def _cohort_place(cohort: Cohort) -> str:
    city = db.session.get(City, cohort.city_id)
    return f"{cohort.name} ({city.name})" if city else cohort.name


def _require_open(cohort: Cohort) -> None:
    if cohort.status not in OPEN_COHORT:
        raise EnrollmentError(f"This cohort is {cohort.status}; it takes no new participants.")


# -- applying ----------------------------------------------------------------------------


def match_alumnus(text: str | None) -> User | None:
    """The alumnus an applicant named, by email or by exact full name (case-insensitive).

    An alumnus is someone who graduated from a cohort. An ambiguous name links nobody
    (staff still see what was written).
    """
    text = (text or "").strip()
    if not text:
        return None
    if "@" in text:
        condition = User.email == normalise_email(text)
    else:
        condition = sa.func.lower(User.name) == text.lower()
    graduated = (
        sa.select(Enrollment.id)
        .where(Enrollment.user_id == User.id, Enrollment.stage == Stage.GRADUATED)
        .exists()
    )
    found = db.session.scalars(sa.select(User).where(condition, graduated).limit(2)).all()
    return found[0] if len(found) == 1 else None


@dataclass
class Application:
    """The answers on the public application form."""

    name: str
    email: str
    college: str
    graduation_year: int
    first_generation: bool
    low_income: bool
    job_title: str
    salary_band: str
    heard_via: HeardVia
    phone: str | None = None
    preferred_city_id: int | None = None
    preferred_track_id: int | None = None
    referrer_text: str | None = None
    referral_partner_id: int | None = None
    heard_other: str | None = None


def _fill_profile(user: User, app: Application) -> None:
    """Fill the blanks of the person's profile from their answers.

    Only blanks: the form is public, so an application never overwrites what an existing
    account says (and an alumnus keeps the intake baseline of their first cohort).
    """
    profile = user.profile
    if profile is None:
        profile = ParticipantProfile()
        user.profile = profile
    answers = {
        "phone": app.phone,
        "college": app.college,
        "graduation_year": app.graduation_year,
        "first_generation": app.first_generation,
        "low_income": app.low_income,
        "intake_job_title": app.job_title,
        "intake_salary": SALARY_BAND_MIDPOINTS.get(app.salary_band),
        "referral_source": str(app.heard_via),
    }
    for key, value in answers.items():
        if getattr(profile, key) is None and value is not None:
            setattr(profile, key, value)


def apply(cohort: Cohort, app: Application) -> Enrollment:
    """Record an application to a recruiting cohort from the public form.

    The applicant becomes (or is matched by lower-cased email to) a participant user
    without a password: they cannot sign in until they are enrolled and invited. The same
    email applying twice to one cohort raises ``DuplicateApplication``; two identical
    applications at the same moment make one row (the unique constraints decide, and the
    loser's retry finds the first).
    """
    if cohort.status != CohortStatus.RECRUITING or cohort.archived:
        raise EnrollmentError("This cohort is not taking applications.")
    email = normalise_email(app.email)
    user = find_user(email)
    if user is not None:
        if user.is_staff:
            raise EnrollmentError("This email address cannot be used for an application.", "email")
        existing = db.session.scalar(
            sa.select(Enrollment.id).where(
                Enrollment.cohort_id == cohort.id, Enrollment.user_id == user.id
            )
        )
        if existing is not None:
            raise DuplicateApplication(
                "You have already applied to this cohort with this email address. "
                "We will be in touch; there is no need to apply again.",
                "email",
            )
    referred_by = None
    if app.heard_via == HeardVia.ALUMNUS:
        referred_by = match_alumnus(app.referrer_text)
        if referred_by is not None and referred_by.email == email:
            referred_by = None  # nobody refers themselves
    if user is None:
        user = User(email=email, name=app.name.strip(), role=Role.PARTICIPANT)
        db.session.add(user)
    _fill_profile(user, app)
    now = utcnow()
    enrollment = Enrollment(
        cohort_id=cohort.id,
        user=user,
        stage=Stage.APPLIED,
        source=Source.APPLICATION,
        created_at=now,
        stage_changed_at=now,
        phone=app.phone,
        college=app.college,
        graduation_year=app.graduation_year,
        first_generation=app.first_generation,
        low_income=app.low_income,
        job_title=app.job_title,
        salary_band=app.salary_band,
        preferred_city_id=app.preferred_city_id,
        preferred_track_id=app.preferred_track_id,
        heard_via=app.heard_via,
        referrer_text=app.referrer_text if app.heard_via == HeardVia.ALUMNUS else None,
        referred_by_id=referred_by.id if referred_by else None,
        referral_partner_id=app.referral_partner_id if app.heard_via == HeardVia.PARTNER else None,
        heard_other=app.heard_other if app.heard_via == HeardVia.OTHER else None,
        consented_at=now,
    )
    db.session.add(enrollment)
    try:
        db.session.flush()
    except sa.exc.IntegrityError as exc:
        # The same person applying twice at once: the other request won; ours is retried
        # and then finds theirs.
        raise Conflict("duplicate application") from exc
    db.session.add(
        EnrollmentEvent(
            enrollment_id=enrollment.id, from_stage=None, to_stage=Stage.APPLIED, created_at=now
        )
    )
    record(None, "enrollment.apply", enrollment, ["stage", "user_id", "cohort_id"])
    mail.send(
        user.email,
        f"We received your application to {_cohort_place(cohort)}",
        f"Hello {user.name},\n\nThank you for applying to {_cohort_place(cohort)}. Our team "
        "reviews every application and will email you with a decision. Follow your "
        f"application here:\n\n{application_status.status_url(enrollment)}\n",
    )
    return enrollment


def remind_applicant(cohort: Cohort, email: str) -> None:
    """An address that already applied to ``cohort`` applied again.

    The public form answers as for a first application, so that nobody can learn from it
    whether some address has applied; the address's owner gets this reminder instead.
    Nothing is written but the mail.
    """
    place = _cohort_place(cohort)
    mail.send(
        normalise_email(email),
        f"You have already applied to {place}",
        f"Hello,\n\nWe received an application to {place} from this address, and we already "
        "had one: there is no need to apply again. Our team reviews every application and "
        "will email you with a decision.\n\nIf you did not apply again yourself, you can "
        "ignore this email.\n",
    )


# -- decisions ---------------------------------------------------------------------------


class Decision:
    ACCEPT = "accept"
    WAITLIST = "waitlist"
    DECLINE = "decline"
    ALL = (ACCEPT, WAITLIST, DECLINE)


#: The stage each decision moves to, and the stages it may start from.
DECISION_TARGETS = {
    Decision.ACCEPT: (Stage.ACCEPTED, (Stage.APPLIED, Stage.ACCEPTED, Stage.WAITLISTED)),
    Decision.WAITLIST: (Stage.WAITLISTED, (Stage.APPLIED, Stage.ACCEPTED)),
    Decision.DECLINE: (Stage.DECLINED, (Stage.APPLIED, Stage.ACCEPTED, Stage.WAITLISTED)),
}


@dataclass
class Outcome:
    """What a decision did, by name, for the message shown to staff."""

    enrolled: list[str] = field(default_factory=list)
    waitlisted: list[str] = field(default_factory=list)
    still_waitlisted: list[str] = field(default_factory=list)
    declined: list[str] = field(default_factory=list)

    #: True when accepting ran out of seats.
    full: bool = False

    def messages(self) -> list[tuple[str, str]]:
        out = []
        if self.enrolled:
            out.append(("success", f"Enrolled and emailed: {', '.join(self.enrolled)}."))
        if self.waitlisted:
            out.append(
                (
                    "warning",
                    "The cohort is full, so these applicants were waitlisted: "
                    f"{', '.join(self.waitlisted)}.",
                )
                if self.full
                else ("success", f"Waitlisted: {', '.join(self.waitlisted)}.")
            )
        if self.still_waitlisted:
            out.append(
                (
                    "warning",
                    f"The cohort is full; still waitlisted: {', '.join(self.still_waitlisted)}.",
                )
            )
        if self.declined:
            out.append(("success", f"Declined: {', '.join(self.declined)}."))
        return out


def decide(cohort: Cohort, enrollments: list[Enrollment], decision: str, actor, reason=None):
    """Accept, waitlist or decline one or many applicants of ``cohort`` at once.

    Accepting enrolls while seats remain (one conditional UPDATE per seat) and waitlists
    the rest. If any selected applicant cannot make the change, nothing changes and the
    message names them. Declining needs a reason.
    """
    if decision not in Decision.ALL:
        raise EnrollmentError("Choose accept, waitlist or decline.")
    reason = (reason or "").strip() or None
    if decision == Decision.DECLINE and not reason:
        raise EnrollmentError("Give a reason for declining.", "reason")
    if not enrollments:
        raise EnrollmentError("Select at least one applicant.")
    if decision != Decision.DECLINE:
        _require_open(cohort)
    people = _load_people(enrollments)
    target, starts = DECISION_TARGETS[decision]
    wrong = [e for e in enrollments if e.cohort_id != cohort.id]
    if wrong:
        raise EnrollmentError("Those applicants belong to another cohort.")
    refused = [e for e in enrollments if e.stage not in starts]
    if refused:
        names = ", ".join(f"{people[e.user_id].name} ({e.stage})" for e in refused)
        raise StageError(
            f"Nothing was changed: cannot {decision} {names}." + _only_from(decision, starts)
        )

    if decision != Decision.DECLINE:
        serving = _serving_captains(cohort, [e.user_id for e in enrollments])
        if serving:
            names = ", ".join(sorted(people[uid].name for uid in serving))
            raise EnrollmentError(
                f"Nothing was changed: {names} serve on this cohort's captain team, and a "
                "captain cannot also be a participant of the cohort they coach."
            )

    outcome = Outcome()
    newly_enrolled = []
    for e in sorted(enrollments, key=lambda e: e.id):
        name = people[e.user_id].name
        if decision == Decision.DECLINE:
            _move(e, Stage.DECLINED, actor, reason, name=name)
            outcome.declined.append(name)
            _notify_declined(people[e.user_id], cohort)
        elif decision == Decision.WAITLIST:
            _move(e, Stage.WAITLISTED, actor, reason, name=name)
            outcome.waitlisted.append(name)
            _notify_waitlisted(people[e.user_id], cohort)
        elif take_seats(cohort):
            if e.stage != Stage.ACCEPTED:
                _move(e, Stage.ACCEPTED, actor, reason, name=name)
            _move(e, Stage.ENROLLED, actor, None, name=name)
            outcome.enrolled.append(name)
            newly_enrolled.append(e)
        elif e.stage == Stage.WAITLISTED:
            outcome.still_waitlisted.append(name)
        else:
            _move(e, Stage.WAITLISTED, actor, "The cohort is full.", name=name)
            outcome.waitlisted.append(name)
            outcome.full = True
            _notify_waitlisted(people[e.user_id], cohort)
    # Mail last: every row is written, so a retried request does not send twice.
    for e in newly_enrolled:
        _welcome(people[e.user_id], cohort, actor)
    return outcome


PAST = {Decision.ACCEPT: "accepted", Decision.WAITLIST: "waitlisted", Decision.DECLINE: "declined"}


def _only_from(decision: str, starts) -> str:
    stages = " or ".join(str(s) for s in starts)
    return f" Only applicants who are {stages} can be {PAST[decision]}."


def _welcome(user: User, cohort: Cohort, actor) -> None:
    """Tell a newly enrolled person; invite them to set a password if they have none."""
    place = _cohort_place(cohort)
    if user.password_hash:
        body = (
            f"Hello {user.name},\n\nYou have a seat in {place}. Sign in to see your cohort:"
            f"\n\n{url_for('auth.login', _external=True)}\n"
        )
    elif send_invitation(
        user,
        actor=actor,
        subject=f"You are enrolled in {place}",
        intro=f"You have a seat in {place}. Set your password to see your cohort page",
    ):
        return  # one email: the seat and the link to set a password together
    else:
        body = f"Hello {user.name},\n\nYou have a seat in {place}.\n"
    mail.send(user.email, f"You are enrolled in {place}", body)


def _notify_waitlisted(user: User, cohort: Cohort) -> None:
    place = _cohort_place(cohort)
    mail.send(
        user.email,
        f"You are on the waitlist for {place}",
        f"Hello {user.name},\n\n{place} is full for now, and you are on its waitlist. If a "
        "seat opens we will enroll you and email you straight away.\n",
    )


def _notify_declined(user: User, cohort: Cohort) -> None:
    place = _cohort_place(cohort)
    mail.send(
        user.email,
        f"Your application to {place}",
        f"Hello {user.name},\n\nThank you for applying to {place}. We are not able to offer "
        "you a place in this cohort. You are welcome to apply to a future cohort.\n",
    )


# -- withdrawal and the waitlist ---------------------------------------------------------


def withdraw(enrollment: Enrollment, actor, reason: str) -> Enrollment | None:
    """Withdraw someone (an enrolled participant, or an applicant still waiting).

    A withdrawn participant's seat is released; if the cohort promotes automatically,
    the first person on the waitlist takes it, is enrolled and emailed. Returns the
    promoted enrollment, if any.
    """
    reason = (reason or "").strip()
    if not reason:
        raise EnrollmentError("Give a reason for the withdrawal.", "reason")
    cohort = db.session.get(Cohort, enrollment.cohort_id)
    user = db.session.get(User, enrollment.user_id)
    held_seat = enrollment.stage == Stage.ENROLLED
    _move(enrollment, Stage.WITHDRAWN, actor, reason, name=user.name)
    if not held_seat:
        return None
    release_seats(cohort)
    if cohort.auto_promote and cohort.status in OPEN_COHORT:
        return promote_next(cohort, actor=None, reason="A seat opened: promoted automatically.")
    return None


def waitlist_order():
    return (
        Enrollment.waitlist_position.asc().nulls_last(),
        Enrollment.waitlisted_at,
        Enrollment.id,
    )


def promote_next(cohort: Cohort, actor, reason: str = "Promoted from the waitlist."):
    """Enroll the first person on the waitlist if a seat is free; returns them or None."""
    _require_open(cohort)
    first = db.session.scalar(
        sa.select(Enrollment)
        .where(Enrollment.cohort_id == cohort.id, Enrollment.stage == Stage.WAITLISTED)
        .order_by(*waitlist_order())
        .limit(1)
    )
    if first is None or not take_seats(cohort):
        return None
    user = db.session.get(User, first.user_id)
    _move(first, Stage.ENROLLED, actor, reason, name=user.name)
    _welcome(user, cohort, actor)
    return first


def move_on_waitlist(cohort: Cohort, enrollment: Enrollment, direction: str, actor) -> None:
    """Move someone ``up``, ``down`` or to the ``top`` of the waitlist; positions are
    renumbered 1, 2, 3… in the new order."""
    if enrollment.cohort_id != cohort.id or enrollment.stage != Stage.WAITLISTED:
        raise EnrollmentError("That person is not on this cohort's waitlist.")
    line = list(
        db.session.scalars(
            sa.select(Enrollment)
            .where(Enrollment.cohort_id == cohort.id, Enrollment.stage == Stage.WAITLISTED)
            .order_by(*waitlist_order())
        )
    )
    i = next(n for n, e in enumerate(line) if e.id == enrollment.id)
    if direction == "up" and i > 0:
        line[i - 1], line[i] = line[i], line[i - 1]
    elif direction == "down" and i < len(line) - 1:
        line[i + 1], line[i] = line[i], line[i + 1]
    elif direction == "top":
        line.insert(0, line.pop(i))
    elif direction not in ("up", "down", "top"):
        raise EnrollmentError("Move up, down or to the top.")
    changed = False
    for position, e in enumerate(line, start=1):
        if e.waitlist_position != position:
            e.waitlist_position = position
            changed = True
    if changed:
        db.session.flush()
        record(actor, "enrollment.waitlist_reorder", cohort, ["waitlist_position"])


def set_auto_promote(cohort: Cohort, on: bool, actor) -> None:
    if cohort.auto_promote == on:
        return
    cohort.auto_promote = on
    db.session.flush()
    record(actor, "cohort.auto_promote", cohort, ["auto_promote"])


# -- graduation --------------------------------------------------------------------------


def graduate(cohort: Cohort, actor, exclude_ids=()) -> list[Enrollment]:
    """Complete the cohort: graduate every enrolled participant except ``exclude_ids`` in
    one step, release their seats, announce ``events.cohort_graduated`` and mark an active
    cohort completed. Excluded people stay enrolled (staff may withdraw them).

    Enrollment owns completing a cohort that has participants: programs refuses to mark
    one completed while anyone is enrolled, unless it is this function asking."""
    if cohort.status not in (CohortStatus.ACTIVE, CohortStatus.COMPLETED):
        raise EnrollmentError(
            f"This cohort is {cohort.status}; only an active cohort can be completed."
        )
    exclude = set(exclude_ids)
    enrolled = db.session.scalars(
        sa.select(Enrollment)
        .where(Enrollment.cohort_id == cohort.id, Enrollment.stage == Stage.ENROLLED)
        .order_by(Enrollment.id)
    ).all()
    chosen = [e for e in enrolled if e.id not in exclude]
    people = _load_people(chosen)
    now = utcnow()
    for e in chosen:
        _move(e, Stage.GRADUATED, actor, None, name=people[e.user_id].name, now=now)
    if chosen:
        release_seats(cohort, len(chosen))
        # Referrals follows graduates up 6 and 12 months (and 2 and 4 quarters) after exit.
        events.cohort_graduated.send(cohort, enrollments=chosen, actor=actor)
    if cohort.status == CohortStatus.ACTIVE:
        change_status(cohort, CohortStatus.COMPLETED, actor=actor, graduating=True)
    return chosen
