"""Every change to referral tracking. Services check the rule once, flush, write the audit
event and never commit; the request (or CLI command) commits once."""

from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from coop.core import events
from coop.core.audit import changed_fields, record
from coop.core.errors import DomainError
from coop.core.links import https_url
from coop.db import utcnow
from coop.enrollment.models import Enrollment, Stage
from coop.extensions import db
from coop.programs.models import Cohort, Partner
from coop.referrals.models import (
    PARTICIPANT_STAGES,
    FollowUp,
    FollowUpKind,
    Opening,
    Outreach,
    PartnerContact,
    Placement,
    PlacementSource,
    Referral,
    ReferralEvent,
    ReferralKind,
    ReferralStage,
    follow_up_due,
    transition_error,
)


class ReferralError(DomainError):
    """A change the rules refuse; the message says why, for the person who tried."""


# -- partners and contacts -----------------------------------------------------------------

PARTNER_FIELDS = ["name", "kind", "city_id", "website", "archived"]


def _check_link(values: dict, key: str) -> None:
    """Normalise the link ``values[key]`` in place (if given), or refuse it."""
    if key in values:
        try:
            values[key] = https_url(values[key])
        except ValueError as exc:
            raise ReferralError(str(exc)) from None


def create_partner(actor, **values) -> Partner:
    """Add a partner; names are unique."""
    _check_partner_name(values["name"])
    _check_link(values, "website")
    partner = Partner(**values)
    db.session.add(partner)
    db.session.flush()
    record(actor, "partner.create", partner, [k for k, v in values.items() if v is not None])
    return partner


def update_partner(partner: Partner, actor, **values) -> list[str]:
    if values.get("name") and values["name"] != partner.name:
        _check_partner_name(values["name"], partner.id)
    _check_link(values, "website")
    for key, value in values.items():
        setattr(partner, key, value)
    changed = changed_fields(partner, values.keys())
    if changed:
        db.session.flush()
        record(actor, "partner.update", partner, changed)
    return changed


def _check_partner_name(name: str, exclude_id: int | None = None) -> None:
    stmt = sa.select(Partner.id).where(sa.func.lower(Partner.name) == name.lower())
    if exclude_id is not None:
        stmt = stmt.where(Partner.id != exclude_id)
    if db.session.scalar(stmt) is not None:
        raise ReferralError(f"A partner called “{name}” exists already.")


def save_contact(contact: PartnerContact | None, partner: Partner, actor, **values):
    """Add a contact to ``partner`` (``contact`` None) or change one."""
    if contact is None:
        contact = PartnerContact(partner_id=partner.id, **values)
        db.session.add(contact)
        db.session.flush()
        record(actor, "partner_contact.create", contact, values.keys())
        return contact
    for key, value in values.items():
        setattr(contact, key, value)
    changed = changed_fields(contact, values.keys())
    if changed:
        db.session.flush()
        record(actor, "partner_contact.update", contact, changed)
    return contact


# -- outreach ------------------------------------------------------------------------------

OUTREACH_FIELDS = ["partner_id", "occurred_on", "contact_name", "summary", "follow_up_on"]


def log_outreach(actor, **values) -> Outreach:
    _check_follow_up(values)
    outreach = Outreach(logged_by_id=actor.id, **values)
    db.session.add(outreach)
    db.session.flush()
    record(actor, "outreach.create", outreach, values.keys())
    return outreach


def update_outreach(outreach: Outreach, actor, **values) -> list[str]:
    _check_follow_up(values)
    for key, value in values.items():
        setattr(outreach, key, value)
    changed = changed_fields(outreach, values.keys())
    if changed:
        db.session.flush()
        record(actor, "outreach.update", outreach, changed)
    return changed


def _check_follow_up(values) -> None:
    follow_up, occurred = values.get("follow_up_on"), values.get("occurred_on")
    if follow_up and occurred and follow_up < occurred:
        raise ReferralError("The follow-up date cannot be before the outreach itself.")


# -- openings ------------------------------------------------------------------------------

OPENING_FIELDS = [
    "partner_id",
    "title",
    "city_id",
    "remote",
    "url",
    "track_id",
    "description",
    "closes_on",
]


def _check_opening(values) -> None:
    if values.get("city_id") is None and not values.get("remote"):
        raise ReferralError("Give the opening a city, or mark it remote.")
    _check_link(values, "url")


def post_opening(actor, **values) -> Opening:
    _check_opening(values)
    opening = Opening(posted_by_id=actor.id, **values)
    db.session.add(opening)
    db.session.flush()
    record(actor, "opening.create", opening, [k for k, v in values.items() if v is not None])
    return opening


def update_opening(opening: Opening, actor, **values) -> list[str]:
    _check_opening(values)
    for key, value in values.items():
        setattr(opening, key, value)
    changed = changed_fields(opening, values.keys())
    if changed:
        db.session.flush()
        record(actor, "opening.update", opening, changed)
    return changed


def close_opening(opening: Opening, actor) -> None:
    """Take the opening off the board; it stays in the records with its referrals."""
    if opening.closed_at is not None:
        raise ReferralError("This opening is closed already.")
    opening.closed_at = utcnow()
    db.session.flush()
    record(actor, "opening.close", opening, ["closed_at"])


def reopen_opening(opening: Opening, actor) -> None:
    if opening.closed_at is None:
        raise ReferralError("This opening is not closed.")
    opening.closed_at = None
    db.session.flush()
    record(actor, "opening.reopen", opening, ["closed_at"])


# -- referrals -----------------------------------------------------------------------------


def refer(
    actor,
    enrollment: Enrollment,
    *,
    opening: Opening | None = None,
    partner: Partner | None = None,
    note: str | None = None,
) -> tuple[Referral, bool]:
    """Refer the participant of ``enrollment`` to ``opening`` (or to ``partner``, an
    employer, when there is no opening).

    The same person referred twice to the same opening is one referral: the existing one
    is returned with ``created`` False (and nothing changes). Returns ``(referral,
    created)``. The caller has checked that ``actor`` may refer this person.
    """
    if enrollment.stage not in (Stage.ENROLLED, Stage.GRADUATED):
        raise ReferralError("Only enrolled participants and graduates can be referred.")
    if enrollment.user_id == actor.id:
        raise ReferralError("You cannot refer yourself.")
    if opening is not None:
        if not opening.is_open():
            raise ReferralError("This opening is closed; it takes no more referrals.")
        partner = None
        existing = _existing(enrollment.user_id, opening.id)
        if existing is not None:
            return existing, False
    elif partner is None:
        raise ReferralError("Choose an opening or an employer.")
    referral = Referral(
        kind=ReferralKind.EMPLOYMENT,
        referrer_id=actor.id,
        participant_id=enrollment.user_id,
        cohort_id=enrollment.cohort_id,
        opening_id=opening.id if opening else None,
        partner_id=opening.partner_id if opening else partner.id,
        stage=ReferralStage.REFERRED,
        note=note or None,
    )
    # A concurrent request may have made the same referral since we looked: the unique
    # constraint refuses the second, and we answer with the first.
    try:
        with db.session.begin_nested():
            db.session.add(referral)
            db.session.flush()
    except IntegrityError:
        existing = _existing(enrollment.user_id, opening.id) if opening else None
        if existing is None:
            raise
        return existing, False
    db.session.add(
        ReferralEvent(
            referral_id=referral.id,
            from_stage=None,
            to_stage=ReferralStage.REFERRED,
            actor_id=actor.id,
            at=referral.created_at,
        )
    )
    record(actor, "referral.create", referral, ["participant_id", "partner_id", "opening_id"])
    return referral, True


def _existing(participant_id: int, opening_id: int) -> Referral | None:
    return db.session.scalar(
        sa.select(Referral).where(
            Referral.participant_id == participant_id, Referral.opening_id == opening_id
        )
    )


def change_stage(
    referral: Referral, new: ReferralStage, actor, note: str | None = None
) -> ReferralEvent:
    """Move ``referral`` to ``new``, timestamped with ``actor``; impossible changes raise
    ReferralError and write nothing.

    Staff record any possible change; the participant marks their own referral applied
    or interviewing; nobody else changes stages. The update only applies if the stage is
    still the one we read, so two people changing it at once cannot both win.
    """
    new = ReferralStage(new)
    if not actor.is_staff:
        if actor.id != referral.participant_id:
            raise ReferralError("Only staff and the participant can change this referral.")
        if new not in PARTICIPANT_STAGES:
            raise ReferralError(
                "You can mark your referral as applied or interviewing; staff record the "
                "other stages."
            )
    old = referral.stage
    problem = transition_error(old, new)
    if problem:
        raise ReferralError(problem)
    now = utcnow()
    result = db.session.execute(
        sa.update(Referral)
        .where(Referral.id == referral.id, Referral.stage == old)
        .values(stage=new, stage_changed_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise ReferralError("Someone changed this referral meanwhile; reload and try again.")
    db.session.expire(referral, ["stage", "stage_changed_at"])
    event = ReferralEvent(
        referral_id=referral.id,
        from_stage=old,
        to_stage=new,
        actor_id=actor.id,
        at=now,
        note=note or None,
    )
    db.session.add(event)
    db.session.flush()
    record(actor, "referral.stage", referral, ["stage"], reason=f"{old} -> {new}")
    return event


# -- placements ----------------------------------------------------------------------------

PLACEMENT_FIELDS = [
    "partner_id",
    "employer_name",
    "title",
    "start_date",
    "end_date",
    "salary",
    "full_time",
    "career_track",
]


def _check_placement(values) -> None:
    start, end = values.get("start_date"), values.get("end_date")
    if start and end and end < start:
        raise ReferralError("The end date cannot be before the start date.")
    if values.get("salary") is not None and values["salary"] < 0:
        raise ReferralError("The salary cannot be negative.")


def record_placement(
    actor,
    participant_id: int,
    *,
    referral: Referral | None = None,
    cohort_id: int | None = None,
    **values,
) -> Placement:
    """Record a job. Staff-recorded placements are verified at once; a participant's own
    report waits for staff to verify it. From a ``hired`` referral, at most once."""
    _check_placement(values)
    if referral is not None:
        if referral.stage != ReferralStage.HIRED:
            raise ReferralError("Only a hired referral becomes a placement.")
        if referral.participant_id != participant_id:
            raise ReferralError("The referral is for someone else.")
        taken = sa.select(Placement.id).where(Placement.referral_id == referral.id)
        if db.session.scalar(taken) is not None:
            raise ReferralError("This referral's placement is recorded already.")
        cohort_id = referral.cohort_id
    by_staff = actor.is_staff
    if not by_staff and actor.id != participant_id:
        raise ReferralError("You can only report your own job.")
    if referral is not None:
        source = PlacementSource.REFERRAL
    elif by_staff:
        source = PlacementSource.STAFF
    else:
        source = PlacementSource.SELF_REPORTED
    now = utcnow()
    placement = Placement(
        participant_id=participant_id,
        cohort_id=cohort_id,
        referral_id=referral.id if referral else None,
        source=source,
        reported_by_id=actor.id,
        verified_by_id=actor.id if by_staff else None,
        verified_at=now if by_staff else None,
        **values,
    )
    db.session.add(placement)
    db.session.flush()
    record(
        actor,
        "placement.create",
        placement,
        [k for k, v in values.items() if v is not None],
        subject_id=placement.participant_id,
    )
    return placement


def update_placement(placement: Placement, actor, **values) -> list[str]:
    if not placement.can_edit(actor):
        raise ReferralError("Staff have verified this job; ask them to change it.")
    _check_placement(values)
    for key, value in values.items():
        setattr(placement, key, value)
    changed = changed_fields(placement, values.keys())
    if changed:
        db.session.flush()
        record(actor, "placement.update", placement, changed, subject_id=placement.participant_id)
    return changed


def verify_placement(placement: Placement, actor) -> None:
    """Staff confirm a job (e.g. a participant's own report)."""
    if not actor.is_staff:
        raise ReferralError("Only staff verify jobs.")
    if placement.verified:
        raise ReferralError("This job is verified already.")
    placement.verified_by_id = actor.id
    placement.verified_at = utcnow()
    db.session.flush()
    record(actor, "placement.verify", placement, ["verified_by_id", "verified_at"])


# -- follow-ups ----------------------------------------------------------------------------


def ensure_followups(enrollments: Iterable[Enrollment]) -> int:
    """Create the follow-up tasks (6 and 12 months, 2nd and 4th quarter after exit) of
    every graduated enrollment among ``enrollments``; returns how many were new.

    Idempotent: tasks that exist are left alone, and one inserted meanwhile by another
    process is skipped by the database (``INSERT … ON CONFLICT DO NOTHING`` on the
    (enrollment, kind) constraint). The exit date is the cohort's end date. A few
    queries per 500 enrollments, whatever the number.
    """
    graduates = [e for e in enrollments if e.stage == Stage.GRADUATED]
    created = 0
    for start in range(0, len(graduates), 500):
        created += _ensure_followups(graduates[start : start + 500])
    if created:
        record(None, "follow_up.create", ("follow_ups", None), ["enrollment_id", "kind"])
    return created


@events.cohort_graduated.connect
def _follow_up_graduates(_cohort, *, enrollments, **_) -> None:
    ensure_followups(enrollments)


def _ensure_followups(graduates: list[Enrollment]) -> int:
    ends = dict(
        db.session.execute(
            sa.select(Cohort.id, Cohort.end_date).where(
                Cohort.id.in_({e.cohort_id for e in graduates})
            )
        ).all()
    )
    have = set(
        db.session.execute(
            sa.select(FollowUp.enrollment_id, FollowUp.kind).where(
                FollowUp.enrollment_id.in_([e.id for e in graduates])
            )
        ).all()
    )
    now = utcnow()
    rows = [
        {
            "enrollment_id": e.id,
            "participant_id": e.user_id,
            "cohort_id": e.cohort_id,
            "kind": kind,
            "due_date": follow_up_due(kind, ends[e.cohort_id]),
            "created_at": now,
        }
        for e in graduates
        for kind in FollowUpKind
        if (e.id, kind) not in have
    ]
    if rows:
        dialect = db.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        stmt = insert(FollowUp).on_conflict_do_nothing(index_elements=["enrollment_id", "kind"])
        db.session.execute(stmt, rows)
    return len(rows)


def graduated_enrollments(batch: int = 1000):
    """Every graduated enrollment, in batches (for the CLI)."""
    last = 0
    while True:
        chunk = db.session.scalars(
            sa.select(Enrollment)
            .where(Enrollment.stage == Stage.GRADUATED, Enrollment.id > last)
            .order_by(Enrollment.id)
            .limit(batch)
        ).all()
        if not chunk:
            return
        last = chunk[-1].id
        yield chunk


def close_follow_up(follow_up: FollowUp, actor, status, note: str | None = None) -> None:
    """Record the employment status a follow-up found; that closes the task."""
    if follow_up.closed_at is not None:
        raise ReferralError("This follow-up is closed already.")
    follow_up.status = status
    follow_up.note = note or None
    follow_up.closed_at = utcnow()
    follow_up.closed_by_id = actor.id
    db.session.flush()
    record(actor, "follow_up.close", follow_up, ["status", "note", "closed_at"])


def follow_up_due_dates(exit_date: date) -> dict[FollowUpKind, date]:
    return {kind: follow_up_due(kind, exit_date) for kind in FollowUpKind}
