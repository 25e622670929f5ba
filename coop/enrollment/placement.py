"""Applications to the program and placing accepted applicants in cohorts.

The proposal is a pure, deterministic function of the applicants and the open cohorts
(``propose``): applicants are taken in the order they applied (then by id), and each gets
the best cohort with a seat left, best meaning, in this order:

1. **first choice**: their city and track, in their start term;
2. **nearby**: their track in another city of the same region, a city whose time zone is
   their city's or their own, in their start term;
3. **later term**: their track in their city, in a later term;
4. **later term nearby**: their track in a city of the same region, in a later term;

and inside a tier the earliest term, then the earliest start, then the lowest id. A
cohort is only ever proposed when *every* evening it meets is one the applicant said
they can make (a cohort with no meeting days set is never proposed). So: no cohort is
over its capacity, nobody is proposed a cohort meeting on an evening they cannot make,
and an applicant left without a proposal has no cohort they could attend with a seat
left (the greedy pass is maximal: every eligible cohort of theirs is full).

Confirming takes the seats with the enrollment rule's conditional UPDATE
(``services.take_seats``); a proposal whose seats went meanwhile is not forced in: the
applicant stays accepted and is proposed again (elsewhere) on the next page, or, if no
other cohort fits, joins the proposed cohort's waitlist.
"""

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from coop.auth.models import ParticipantProfile, Role, User
from coop.auth.services import find_user, normalise_email
from coop.core import events
from coop.core.audit import record
from coop.core.errors import DomainError
from coop.core.models import AuditEvent
from coop.core.requestlog import NO_REQUEST, request_id
from coop.db import utcnow
from coop.enrollment import history
from coop.enrollment.models import Enrollment, EnrollmentEvent, Source, Stage
from coop.enrollment.program_models import EVENINGS, ProgramApplication, ProgramStatus
from coop.enrollment.services import _next_waitlist_position, _welcome, take_seats
from coop.extensions import db, mail
from coop.programs.cloning import term_key, term_of
from coop.programs.models import WEEKDAYS, City, Cohort, CohortStatus

#: Cohorts that take placements.
PLACEABLE = (CohortStatus.PLANNED, CohortStatus.RECRUITING)

TIER_LABELS = {
    0: "first choice",
    1: "nearby city",
    2: "later term",
    3: "later term, nearby city",
}


class PlacementError(DomainError):
    """A rule about program applications or placement was broken."""


# -- the pure proposal -------------------------------------------------------------------


@dataclass(frozen=True)
class Applicant:
    id: int
    city_id: int
    track_id: int
    evenings: frozenset[str]
    timezone: str
    start_term: str
    #: Cohorts they may not join (an enrollment there already, or on its team).
    excluded: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Option:
    cohort_id: int
    name: str
    city_id: int
    city_name: str
    zone: str
    track_id: int
    days: frozenset[str]
    term: str
    start: object
    free: int


@dataclass(frozen=True)
class Proposal:
    applicant_id: int
    cohort_id: int | None
    tier: int | None
    reason: str


def can_attend(applicant: Applicant, option: Option) -> bool:
    """Every evening the cohort meets is one the applicant can make."""
    return bool(option.days) and option.days <= applicant.evenings


def _tier(applicant: Applicant, option: Option, zones: dict[int, str]) -> int | None:
    if option.track_id != applicant.track_id or option.cohort_id in applicant.excluded:
        return None
    if not can_attend(applicant, option):
        return None
    here = option.city_id == applicant.city_id
    near = not here and option.zone in {zones.get(applicant.city_id), applicant.timezone}
    if not (here or near):
        return None
    if option.term == applicant.start_term:
        return 0 if here else 1
    if term_key(option.term) > term_key(applicant.start_term):
        return 2 if here else 3
    return None


def _days(days: frozenset[str]) -> str:
    return ", ".join(d.capitalize() for d in WEEKDAYS if d in days)


def _reason(applicant: Applicant, option: Option, tier: int, left: int) -> str:
    seats = f"{left} seat{'' if left == 1 else 's'} left"
    meets = f"meets {_days(option.days)}, evenings they can make"
    if tier == 0:
        why = f"Their city and track in {option.term}"
    elif tier == 1:
        why = (
            f"Nearby: their first choice has no seat on evenings they can make; "
            f"{option.city_name} is in the same time zone ({option.zone})"
        )
    elif tier == 2:
        why = f"Later term: nothing fits in {applicant.start_term}; their city in {option.term}"
    else:
        why = (
            f"Later term nearby: nothing fits in {applicant.start_term}; {option.city_name} "
            f"(same time zone) in {option.term}"
        )
    return f"{why}; {meets}; {seats}."


NO_FIT = (
    "No cohort of their track with a seat left meets only on evenings they can make, in "
    "their city or a city in the same time zone, in their start term or later."
)


NO_FIT_FULL = (
    "No cohort fits with a seat left: the cohorts of their track they could attend (in "
    "their city or a city in the same time zone, in their start term or later) are full."
)


def propose(
    applicants: list[Applicant], options: list[Option], zones: dict[int, str]
) -> list[Proposal]:
    """One proposal per applicant, in the order given; deterministic (see the module)."""
    free = {o.cohort_id: o.free for o in options}
    by_track: dict[int, list[Option]] = defaultdict(list)
    for o in sorted(options, key=lambda o: (term_key(o.term), o.start, o.cohort_id)):
        by_track[o.track_id].append(o)
    out = []
    for a in applicants:
        best = None
        for o in by_track.get(a.track_id, ()):
            if free[o.cohort_id] <= 0:
                continue
            tier = _tier(a, o, zones)
            if tier is not None and (best is None or tier < best[0]):
                best = (tier, o)
                if tier == 0:
                    break
        if best is None:
            full = any(_tier(a, o, zones) is not None for o in by_track.get(a.track_id, ()))
            out.append(Proposal(a.id, None, None, NO_FIT_FULL if full else NO_FIT))
            continue
        tier, o = best
        out.append(Proposal(a.id, o.cohort_id, tier, _reason(a, o, tier, free[o.cohort_id])))
        free[o.cohort_id] -= 1
    return out


# -- reading what the proposal needs -----------------------------------------------------


def _scoped(stmt, user, column):
    return user.scope_to_cities(stmt, column)


def accepted_applications(user) -> list[ProgramApplication]:
    """Accepted applications awaiting placement in ``user``'s cities, oldest first."""
    stmt = (
        sa.select(ProgramApplication)
        .options(
            joinedload(ProgramApplication.user),
            joinedload(ProgramApplication.city),
            joinedload(ProgramApplication.track),
        )
        .where(ProgramApplication.status == ProgramStatus.ACCEPTED)
        .order_by(ProgramApplication.created_at, ProgramApplication.id)
    )
    return list(db.session.scalars(_scoped(stmt, user, ProgramApplication.city_id)).unique())


def open_options(user) -> tuple[list[Option], dict[int, str]]:
    """The cohorts taking placements in ``user``'s cities, and every city's zone."""
    stmt = (
        sa.select(Cohort, City.name, City.timezone)
        .join(City, City.id == Cohort.city_id)
        .where(Cohort.status.in_(PLACEABLE), Cohort.archived.is_(False))
    )
    rows = db.session.execute(_scoped(stmt, user, Cohort.city_id)).all()
    options = [
        Option(
            cohort_id=c.id,
            name=c.name,
            city_id=c.city_id,
            city_name=city_name,
            zone=zone,
            track_id=c.track_id,
            days=frozenset(c.meeting_day_list),
            term=term_of(c.start_date),
            start=c.start_date,
            free=max(c.capacity - c.seats_taken, 0),
        )
        for c, city_name, zone in rows
    ]
    zones = dict(db.session.execute(sa.select(City.id, City.timezone)).all())
    return options, zones


def _exclusions(user_ids: list[int]) -> dict[int, set[int]]:
    """Per person, the cohorts they already have an enrollment in."""
    out: dict[int, set[int]] = defaultdict(set)
    if user_ids:
        for uid, cid in db.session.execute(
            sa.select(Enrollment.user_id, Enrollment.cohort_id).where(
                Enrollment.user_id.in_(user_ids)
            )
        ):
            out[uid].add(cid)
    return out


def as_applicants(apps: list[ProgramApplication]) -> list[Applicant]:
    excluded = _exclusions([a.user_id for a in apps])
    return [
        Applicant(
            id=a.id,
            city_id=a.city_id,
            track_id=a.track_id,
            evenings=frozenset(a.evening_list),
            timezone=a.timezone,
            start_term=a.start_term,
            excluded=frozenset(excluded.get(a.user_id, ())),
        )
        for a in apps
    ]


@dataclass
class ProposalRow:
    application: ProgramApplication
    proposal: Proposal
    option: Option | None

    @property
    def tier_label(self) -> str:
        return TIER_LABELS.get(self.proposal.tier, "")


def proposals_for(user) -> list[ProposalRow]:
    """What the "Place applicants" page shows: every accepted applicant in ``user``'s
    cities with their proposal (three queries, whatever the numbers)."""
    apps = accepted_applications(user)
    options, zones = open_options(user)
    by_id = {o.cohort_id: o for o in options}
    proposals = propose(as_applicants(apps), options, zones)
    return [ProposalRow(a, p, by_id.get(p.cohort_id)) for a, p in zip(apps, proposals, strict=True)]


# -- applying and deciding ---------------------------------------------------------------


@dataclass
class Survey:
    name: str
    email: str
    city_id: int
    track_id: int
    evenings: list[str]
    timezone: str
    start_term: str
    college: str | None = None
    first_generation: bool | None = None
    goals: str | None = None


class DuplicateProgramApplication(PlacementError):
    """The same email applied for the same start term before."""


def apply_to_program(survey: Survey) -> ProgramApplication:
    """Record an application to the program from the public survey form.

    As with a cohort application, the applicant becomes (or is matched by email to) a
    participant without a password. One application per person and start term.
    """
    evenings = [d for d in EVENINGS if d in set(survey.evenings)]
    if not evenings:
        raise PlacementError("Choose at least one evening you can make.", "evenings")
    if db.session.get(City, survey.city_id) is None:
        raise PlacementError("Choose a city.", "city")
    email = normalise_email(survey.email)
    user = find_user(email)
    if user is not None:
        if user.is_staff:
            raise PlacementError("This email address cannot be used for an application.", "email")
        taken = db.session.scalar(
            sa.select(ProgramApplication.id).where(
                ProgramApplication.user_id == user.id,
                ProgramApplication.start_term == survey.start_term,
            )
        )
        if taken is not None:
            raise DuplicateProgramApplication(
                f"You have already applied for {survey.start_term} with this email address.",
                "email",
            )
    else:
        user = User(email=email, name=survey.name.strip(), role=Role.PARTICIPANT)
        db.session.add(user)
    if user.profile is None:
        user.profile = ParticipantProfile()
    for key, value in (("college", survey.college), ("first_generation", survey.first_generation)):
        if getattr(user.profile, key) is None and value is not None:
            setattr(user.profile, key, value)
    now = utcnow()
    app = ProgramApplication(
        user=user,
        city_id=survey.city_id,
        track_id=survey.track_id,
        evenings=",".join(evenings),
        timezone=survey.timezone,
        start_term=survey.start_term,
        college=survey.college,
        first_generation=survey.first_generation,
        goals=survey.goals,
        status=ProgramStatus.APPLIED,
        consented_at=now,
        created_at=now,
    )
    db.session.add(app)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError:
        raise DuplicateProgramApplication(
            f"You have already applied for {survey.start_term} with this email address.",
            "email",
        ) from None
    record(None, "program_application.apply", app, ["city_id", "track_id", "evenings"])
    mail.send(
        user.email,
        "We received your application to coop",
        f"Hello {user.name},\n\nThank you for applying to coop for {survey.start_term}. Our "
        "team reviews every application; once accepted, we place you in a cohort of your "
        "track that meets on evenings you can make, and email you.\n",
    )
    return app


def decide(apps: list[ProgramApplication], decision: str, actor, reason: str | None = None):
    """Accept (for placement) or decline program applications, all or nothing."""
    if decision not in ("accept", "decline"):
        raise PlacementError("Choose accept or decline.")
    if not apps:
        raise PlacementError("Select at least one applicant.")
    reason = (reason or "").strip() or None
    if decision == "decline" and not reason:
        raise PlacementError("Give a reason for declining.", "reason")
    wrong = [a for a in apps if a.status != ProgramStatus.APPLIED]
    if wrong:
        names = ", ".join(f"{a.user.name} ({a.status})" for a in wrong)
        raise PlacementError(f"Nothing was changed: only new applications can be decided: {names}.")
    new = ProgramStatus.ACCEPTED if decision == "accept" else ProgramStatus.DECLINED
    now = utcnow()
    for a in sorted(apps, key=lambda a: a.id):
        _set_status(a, ProgramStatus.APPLIED, new, now, actor, reason=reason)
        if new == ProgramStatus.DECLINED:
            mail.send(
                a.user.email,
                "Your application to coop",
                f"Hello {a.user.name},\n\nThank you for applying to coop. We are not able to "
                "offer you a place this term. You are welcome to apply again.\n",
            )
    return len(apps)


class Conflict(Exception):  # noqa: N818 - a condition
    """Another request changed the same application first; the request is retried."""


def _set_status(app, old, new, now, actor, **values) -> None:
    """Move one application atomically (the UPDATE matches only while it is ``old``)."""
    result = db.session.execute(
        sa.update(ProgramApplication)
        .where(ProgramApplication.id == app.id, ProgramApplication.status == old)
        .values(status=new, decided_at=now, decided_by_id=getattr(actor, "id", None), **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict(f"program application {app.id} changed meanwhile")
    db.session.expire(app, ["status", "decided_at", "decided_by_id", *values])
    record(actor, f"program_application.{new}", app, ["status", *values])


# -- confirming --------------------------------------------------------------------------


@dataclass
class Placed:
    placed: list[str] = field(default_factory=list)
    waitlisted: list[str] = field(default_factory=list)
    reproposed: list[str] = field(default_factory=list)

    def messages(self) -> list[tuple[str, str]]:
        out = []
        if self.placed:
            out.append(("success", f"Placed and emailed: {len(self.placed)} applicants."))
        if self.reproposed:
            out.append(
                (
                    "warning",
                    "Their seats went meanwhile, so they have a new proposal below: "
                    + ", ".join(self.reproposed)
                    + ".",
                )
            )
        if self.waitlisted:
            out.append(
                (
                    "warning",
                    "Their cohort filled meanwhile and nothing else fits, so they are on its "
                    "waitlist: " + ", ".join(self.waitlisted) + ".",
                )
            )
        return out


def _audit_many(actor, action: str, table: str, rows: list[tuple[int, int]], changed, city_id):
    """One audit event per ``(row id, person id)`` in a single INSERT: the same event
    ``core.audit.record`` writes, without a flush per row (placement writes thousands)."""
    if not rows:
        return
    now, rid = utcnow(), request_id()
    db.session.execute(
        sa.insert(AuditEvent),
        [
            {
                "actor_id": getattr(actor, "id", None),
                "action": action,
                "target_type": table,
                "target_id": row_id,
                "changed": sorted(changed),
                "subject_user_id": user_id,
                "city_id": city_id,
                "request_id": None if rid == NO_REQUEST else rid,
                "created_at": now,
            }
            for row_id, user_id in rows
        ],
    )


def _enroll(apps: list, cohort: Cohort, stage: Stage, reasons: dict, actor, now) -> None:
    """Enroll (or waitlist) these accepted applicants in ``cohort`` in a few statements:
    the claim of their applications (one conditional UPDATE: if another request placed
    any of them meanwhile, ``Conflict`` rolls the request back to be retried), then the
    enrollments, their history and the audit events, each one INSERT."""
    if not apps:
        return
    status = ProgramStatus.PLACED if stage == Stage.ENROLLED else ProgramStatus.WAITLISTED
    ids = [a.id for a in apps]
    claimed = db.session.execute(
        sa.update(ProgramApplication)
        .where(ProgramApplication.id.in_(ids), ProgramApplication.status == ProgramStatus.ACCEPTED)
        .values(status=status, decided_at=now, decided_by_id=getattr(actor, "id", None))
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != len(ids):
        raise Conflict("program applications changed meanwhile")
    position = _next_waitlist_position(cohort.id) if stage == Stage.WAITLISTED else None
    values = []
    for i, a in enumerate(apps):
        row = {
            "cohort_id": cohort.id,
            "user_id": a.user_id,
            "stage": stage,
            **history.marks(None, stage),  # its history: the event written below
            "source": Source.APPLICATION,
            "created_at": now,
            "stage_changed_at": now,
            "college": a.college,
            "first_generation": a.first_generation,
            "preferred_city_id": a.city_id,
            "preferred_track_id": a.track_id,
            "consented_at": a.consented_at,
            "decision_reason": reasons[a.id][:500],
            "waitlisted_at": now if position else None,
            "waitlist_position": position + i if position else None,
        }
        values.append(row)
    try:
        with db.session.begin_nested():
            enrollment_ids = db.session.scalars(
                sa.insert(Enrollment).returning(Enrollment.id, sort_by_parameter_order=True),
                values,
            ).all()
    except sa.exc.IntegrityError as exc:  # an enrollment made meanwhile: try again
        raise Conflict("enrollment made meanwhile") from exc
    if stage == Stage.ENROLLED:
        events.cohort_members_changed.send(cohort.id)
    db.session.execute(
        sa.insert(EnrollmentEvent),
        [
            {
                "enrollment_id": eid,
                "from_stage": None,
                "to_stage": stage,
                "actor_id": getattr(actor, "id", None),
                "reason": reasons[a.id][:500],
                "created_at": now,
            }
            for eid, a in zip(enrollment_ids, apps, strict=True)
        ],
    )
    db.session.execute(
        sa.update(ProgramApplication).execution_options(synchronize_session=False),
        [
            {
                "id": a.id,
                "cohort_id": cohort.id,
                "enrollment_id": eid,
                "reason": reasons[a.id][:500],
            }
            for eid, a in zip(enrollment_ids, apps, strict=True)
        ],
    )
    for a in apps:
        db.session.expire(a, ["status", "cohort_id", "enrollment_id", "reason", "decided_at"])
    people = [a.user_id for a in apps]
    _audit_many(
        actor,
        f"program_application.{status}",
        "program_applications",
        list(zip(ids, people, strict=True)),
        ["status", "cohort_id", "enrollment_id", "reason"],
        cohort.city_id,
    )
    _audit_many(
        actor,
        f"enrollment.{stage}",
        "enrollments",
        list(zip(enrollment_ids, people, strict=True)),
        ["stage", "cohort_id"],
        cohort.city_id,
    )


def confirm(choices: list[tuple[int, int]], actor) -> Placed:
    """Place the chosen applicants: ``choices`` are (application id, cohort id) pairs as
    proposed to staff. Seats are taken per cohort with the conditional UPDATE; where the
    seats went meanwhile the applicant is re-proposed (or waitlisted if nothing else
    fits). Every pair is checked again: an application no longer accepted, a cohort
    outside the actor's cities or one the applicant cannot attend refuses the lot."""
    if not choices:
        raise PlacementError("Select at least one proposal.")
    apps = {a.id: a for a in accepted_applications(actor)}
    options, zones = open_options(actor)
    by_id = {o.cohort_id: o for o in options}
    wanted = dict(choices)
    missing = [aid for aid in wanted if aid not in apps]
    if missing:
        raise PlacementError(
            "Nothing was placed: some of those applicants are no longer waiting for placement."
        )
    applicants = {a.id: a for a in as_applicants([apps[aid] for aid in wanted])}
    for aid, cid in wanted.items():
        option = by_id.get(cid)
        if option is None or _tier(applicants[aid], option, zones) is None:
            raise PlacementError(
                f"Nothing was placed: {apps[aid].user.name} cannot be placed in that cohort."
            )
    fresh = {p.applicant_id: p for p in propose(list(applicants.values()), options, zones)}
    cohorts = {
        c.id: c
        for c in db.session.scalars(sa.select(Cohort).where(Cohort.id.in_(set(wanted.values()))))
    }
    by_cohort: dict[int, list[int]] = defaultdict(list)
    for aid in sorted(wanted, key=lambda aid: (apps[aid].created_at, aid)):
        by_cohort[wanted[aid]].append(aid)
    result = Placed()
    now = utcnow()
    welcome = []
    for cid in sorted(by_cohort):
        cohort, group = cohorts[cid], by_cohort[cid]
        serving = events.answer(
            events.cohort_captains, cohort, user_ids=[apps[a].user_id for a in group]
        )
        if serving:
            names = ", ".join(apps[a].user.name for a in group if apps[a].user_id in serving)
            raise PlacementError(f"Nothing was placed: {names} serve on {cohort.name}'s team.")
        # One UPDATE for the whole group when it fits, else seat by seat until full.
        seated = len(group) if take_seats(cohort, len(group)) else 0
        while seated < len(group) and take_seats(cohort):
            seated += 1
        seats, waiting = [], []
        for i, aid in enumerate(group):
            app = apps[aid]
            if i < seated:
                seats.append(app)
            elif _has_other_option(applicants[aid], cid, zones, actor):
                result.reproposed.append(app.user.name)
            else:
                waiting.append(app)
        reasons = {
            aid: fresh[aid].reason if fresh[aid].cohort_id == cid else "Placed by staff."
            for aid in group
        }
        _enroll(seats, cohort, Stage.ENROLLED, reasons, actor, now)
        _enroll(
            waiting,
            cohort,
            Stage.WAITLISTED,
            dict.fromkeys(group, "The cohort filled."),
            actor,
            now,
        )
        result.placed += [a.user.name for a in seats]
        result.waitlisted += [a.user.name for a in waiting]
        welcome += [(a.user, cohort) for a in seats]
    for user, cohort in welcome:  # mail last: every row is written
        _welcome(user, cohort, actor)
    return result


def _has_other_option(applicant: Applicant, full_id: int, zones, actor) -> bool:
    options, _ = open_options(actor)
    return any(
        o.free > 0 and o.cohort_id != full_id and _tier(applicant, o, zones) is not None
        for o in options
    )


def application_counts(user) -> dict[str, int]:
    """How many program applications are in each status, in ``user``'s cities."""
    stmt = sa.select(ProgramApplication.status, sa.func.count()).group_by(ProgramApplication.status)
    rows = db.session.execute(_scoped(stmt, user, ProgramApplication.city_id)).all()
    return {str(s): n for s, n in rows}


def applications_stmt(user, status: ProgramStatus | None):
    stmt = sa.select(ProgramApplication).options(
        joinedload(ProgramApplication.user),
        joinedload(ProgramApplication.city),
        joinedload(ProgramApplication.track),
        joinedload(ProgramApplication.cohort),
    )
    if status is not None:
        stmt = stmt.where(ProgramApplication.status == status)
    stmt = _scoped(stmt, user, ProgramApplication.city_id)
    return stmt.order_by(ProgramApplication.created_at, ProgramApplication.id)


def applications_by_id(user, ids) -> list[ProgramApplication]:
    if not ids:
        return []
    stmt = applications_stmt(user, None).where(ProgramApplication.id.in_(ids))
    return list(db.session.scalars(stmt).unique())
