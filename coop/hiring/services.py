"""Every change to hiring events: creating and editing them, opting in and out (with the
waitlist), attendance, and referrals logged from an event.

Seats are taken with one conditional ``UPDATE hiring_events SET seats_taken =
seats_taken + 1 WHERE id = :id AND seats_taken < capacity``; the row count says whether
it worked, so concurrent opt-ins never go over capacity. Services check their rule,
flush, write an audit event and never commit; a broken rule raises ``HiringError``.
"""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.exc import IntegrityError

from coop.auth.models import User
from coop.core.audit import changed_fields, record
from coop.core.errors import DomainError
from coop.core.links import https_url
from coop.core.timezones import format_local, is_zone
from coop.db import utcnow
from coop.enrollment.models import Enrollment
from coop.extensions import db, mail
from coop.hiring.models import (
    Attendance,
    EventKind,
    HiringEvent,
    HiringEventReferral,
    HiringRegistration,
    RegistrationStatus,
)
from coop.programs.models import Partner
from coop.referrals import services as referral_services
from coop.referrals.models import Opening, Referral

EDITABLE = (
    "title",
    "kind",
    "city_id",
    "timezone",
    "local_date",
    "local_time",
    "duration_minutes",
    "online_link",
    "place",
    "capacity",
    "description",
)


class HiringError(DomainError):
    """A hiring-event rule was broken; the message is shown to the user."""


def local_to_utc(day: date, at: time, zone: str) -> datetime:
    """The UTC instant of a wall-clock time in ``zone`` (PEP 495 for the gaps)."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def _clean(values: dict) -> dict:
    values = dict(values)
    if not is_zone(values.get("timezone")):
        raise HiringError("Choose a time zone.", "timezone")
    try:
        values["online_link"] = https_url(values.get("online_link"))
    except ValueError as exc:
        raise HiringError(str(exc), "online_link") from exc
    values["place"] = (values.get("place") or "").strip() or None
    values["description"] = (values.get("description") or "").strip() or None
    if values["online_link"] is None and values["place"] is None:
        raise HiringError("Give an online link or a place.", "place")
    values["kind"] = EventKind(values["kind"])
    return values


def _set_partners(event: HiringEvent, partners: list[Partner]) -> None:
    event.partners = sorted({p.id: p for p in partners}.values(), key=lambda p: p.name)


def create_event(actor, *, partners: list[Partner], **values) -> HiringEvent:
    """Schedule a hiring event; its start is stored in UTC from the date and time in the
    chosen zone. The caller has checked the city is one ``actor`` manages."""
    values = _clean(values)
    event = HiringEvent(**values, created_by_id=getattr(actor, "id", None))
    event.starts_at = local_to_utc(event.local_date, event.local_time, event.timezone)
    if event.starts_at <= utcnow():
        raise HiringError("The event would start in the past.", "local_date")
    event.partners = []
    _set_partners(event, partners)
    db.session.add(event)
    db.session.flush()
    record(actor, "hiring_event.create", event, [*values, "partners"])
    return event


def update_event(event: HiringEvent, actor, *, partners: list[Partner], **values) -> list[str]:
    """Change an event. Capacity never goes below the seats taken; a larger capacity
    gives seats to the waitlist, in order."""
    values = _clean(values)
    if values["capacity"] < event.seats_taken:
        raise HiringError(
            f"{event.seats_taken} people are registered; the capacity cannot be lower.",
            "capacity",
        )
    changed = changed_fields(event, values)
    for key, value in values.items():
        setattr(event, key, value)
    event.starts_at = local_to_utc(event.local_date, event.local_time, event.timezone)
    before = {p.id for p in event.partners}
    _set_partners(event, partners)
    if {p.id for p in event.partners} != before:
        changed.append("partners")
    db.session.flush()
    if changed:
        record(actor, "hiring_event.update", event, changed)
    promote_waitlist(event, actor)
    return changed


# -- seats ---------------------------------------------------------------------------------


def _take_seat(event: HiringEvent) -> bool:
    result = db.session.execute(
        sa.update(HiringEvent)
        .where(HiringEvent.id == event.id, HiringEvent.seats_taken < HiringEvent.capacity)
        .values(seats_taken=HiringEvent.seats_taken + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(event, ["seats_taken"])
    return result.rowcount == 1


def _release_seat(event: HiringEvent) -> None:
    db.session.execute(
        sa.update(HiringEvent)
        .where(HiringEvent.id == event.id, HiringEvent.seats_taken > 0)
        .values(seats_taken=HiringEvent.seats_taken - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(event, ["seats_taken"])


def _check_open(event: HiringEvent) -> None:
    if event.has_started(utcnow()):
        raise HiringError("This event has started; sign-ups are closed.")


def opt_in(event: HiringEvent, user: User) -> HiringRegistration:
    """Sign ``user`` up: a seat while there are any, else the waitlist. The caller has
    checked the event is open to them. Once per person and event (a withdrawn person
    opting in again goes to the back of the queue)."""
    _check_open(event)
    registration = db.session.scalar(
        sa.select(HiringRegistration).where(
            HiringRegistration.event_id == event.id, HiringRegistration.user_id == user.id
        )
    )
    if registration is not None and registration.status != RegistrationStatus.WITHDRAWN:
        raise HiringError(f"You are already {registration.status} for this event.")
    if registration is None:
        registration = HiringRegistration(
            event_id=event.id, user_id=user.id, status=RegistrationStatus.WAITLISTED
        )
        try:
            with db.session.begin_nested():
                db.session.add(registration)
                db.session.flush()
        except IntegrityError as exc:
            # The same person at the same moment in another request: that one counts.
            raise HiringError("You are already signed up for this event.") from exc
    else:
        # Another request of the same person may be reusing the row: only one wins.
        claimed = db.session.execute(
            sa.update(HiringRegistration)
            .where(
                HiringRegistration.id == registration.id,
                HiringRegistration.status == RegistrationStatus.WITHDRAWN,
            )
            .values(
                status=RegistrationStatus.WAITLISTED,
                queued_at=utcnow(),
                withdrawn_at=None,
                promoted_at=None,
            )
            .execution_options(synchronize_session=False)
        )
        db.session.expire(registration)
        if claimed.rowcount != 1:
            raise HiringError("You are already signed up for this event.")
    if _take_seat(event):
        registration.status = RegistrationStatus.REGISTERED
    db.session.flush()
    record(user, "hiring.opt_in", registration, ["status"])
    return registration


def withdraw(registration: HiringRegistration, event: HiringEvent, actor) -> None:
    """Take ``registration`` off the event; a seat it held goes to the first on the
    waitlist (who is told by mail)."""
    _check_open(event)
    if registration.status == RegistrationStatus.WITHDRAWN:
        raise HiringError("You have already withdrawn from this event.")
    held_seat = registration.status == RegistrationStatus.REGISTERED
    done = db.session.execute(
        sa.update(HiringRegistration)
        .where(
            HiringRegistration.id == registration.id,
            HiringRegistration.status == registration.status,
        )
        .values(status=RegistrationStatus.WITHDRAWN, withdrawn_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.expire(registration)
    if done.rowcount != 1:
        raise HiringError("You have already withdrawn from this event.")
    record(actor, "hiring.withdraw", registration, ["status"])
    if held_seat:
        _release_seat(event)
        promote_waitlist(event, actor)


def promote_waitlist(event: HiringEvent, actor) -> list[HiringRegistration]:
    """Give free seats to the waitlist, first come first served, and mail each person
    promoted. A row another request promoted first is skipped."""
    promoted = []
    while True:
        first = db.session.scalar(
            sa.select(HiringRegistration)
            .where(
                HiringRegistration.event_id == event.id,
                HiringRegistration.status == RegistrationStatus.WAITLISTED,
            )
            .order_by(HiringRegistration.queued_at, HiringRegistration.id)
            .limit(1)
        )
        if first is None or not _take_seat(event):
            return promoted
        moved = db.session.execute(
            sa.update(HiringRegistration)
            .where(
                HiringRegistration.id == first.id,
                HiringRegistration.status == RegistrationStatus.WAITLISTED,
            )
            .values(status=RegistrationStatus.REGISTERED, promoted_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        db.session.expire(first)
        if moved.rowcount != 1:
            _release_seat(event)
            continue
        record(actor, "hiring.promote", first, ["status"])
        _mail_promoted(first, event)
        promoted.append(first)


def _app_link(endpoint: str, **values) -> str | None:
    try:
        return url_for(endpoint, _external=True, **values)
    except RuntimeError:
        return None


def _mail_promoted(registration: HiringRegistration, event: HiringEvent) -> None:
    user = db.session.get(User, registration.user_id)
    when = format_local(event.starts_at, event.timezone)
    where = event.online_link or event.place
    link = _app_link("hiring.events")
    mail.send(
        user.email,
        f"You have a place at {event.title}",
        f"Hello {user.name},\n\nA place opened up at {event.title} ({when}, {where}) and it "
        "is yours: you were first on the waitlist.\n"
        + (f"\nYour events: {link}\n" if link else "")
        + "\nIf you can no longer come, please withdraw so the next person gets the place.\n",
    )


# -- afterwards ----------------------------------------------------------------------------


def record_attendance(event: HiringEvent, marks: dict[int, Attendance | None], actor) -> int:
    """Record attended / no-show for registered people (``marks``: registration id ->
    status, None clears it), from the event's start. Returns how many changed."""
    now = utcnow()
    if not event.has_started(now):
        raise HiringError("Attendance is recorded once the event has started.")
    rows = {
        r.id: r
        for r in db.session.scalars(
            sa.select(HiringRegistration).where(
                HiringRegistration.event_id == event.id,
                HiringRegistration.id.in_(list(marks) or [-1]),
                HiringRegistration.status == RegistrationStatus.REGISTERED,
            )
        )
    }
    if set(marks) - set(rows):
        raise HiringError("Attendance is recorded only for people registered for this event.")
    changed = 0
    for registration_id, status in marks.items():
        row = rows[registration_id]
        if row.attendance == status:
            continue
        row.attendance = status
        row.attendance_recorded_by_id = getattr(actor, "id", None)
        row.attendance_recorded_at = now
        changed += 1
    db.session.flush()
    if changed:
        record(actor, "hiring.attendance", event, ["attendance"])
    return changed


def refer_from_event(
    event: HiringEvent,
    enrollment: Enrollment,
    actor,
    *,
    opening: Opening | None = None,
    partner: Partner | None = None,
    note: str | None = None,
) -> tuple[Referral, bool]:
    """Log a referral of someone registered for ``event`` to a partner attending it (or
    one of its openings), through the referrals pipeline; the new referral carries the
    event. A referral that existed already keeps its own origin."""
    attending = {p.id for p in event.partners}
    employer_id = opening.partner_id if opening is not None else getattr(partner, "id", None)
    if employer_id not in attending:
        raise HiringError("Choose a partner attending this event.", "partner_id")
    registered = db.session.scalar(
        sa.select(HiringRegistration.id).where(
            HiringRegistration.event_id == event.id,
            HiringRegistration.user_id == enrollment.user_id,
            HiringRegistration.status == RegistrationStatus.REGISTERED,
        )
    )
    if registered is None:
        raise HiringError("Only people registered for this event.", "participant_id")
    try:
        referral, created = referral_services.refer(
            actor, enrollment, opening=opening, partner=partner, note=note
        )
    except referral_services.ReferralError as exc:
        raise HiringError(str(exc), getattr(exc, "field", None)) from exc
    if created:
        link = HiringEventReferral(
            event_id=event.id, referral_id=referral.id, created_by_id=getattr(actor, "id", None)
        )
        db.session.add(link)
        db.session.flush()
        record(actor, "hiring.referral", link, ["event_id", "referral_id"])
    return referral, created
