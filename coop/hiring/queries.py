"""Reads shared by the hiring views, the cohort-page panel and the dashboard."""

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from coop.auth.models import User
from coop.core.permissions import require
from coop.enrollment.models import Enrollment, Stage
from coop.extensions import db
from coop.hiring.models import (
    HiringEvent,
    HiringEventReferral,
    HiringRegistration,
    RegistrationStatus,
    hiring_event_partners,
)
from coop.programs.models import Cohort, Partner
from coop.referrals.models import Referral

#: People who may opt in: enrolled participants and graduates (alumni).
MEMBER_STAGES = (Stage.ENROLLED, Stage.GRADUATED)


# -- staff ---------------------------------------------------------------------------------


def visible_events(user, stmt=None) -> sa.Select:
    """Staff: events of their cities and organisation-wide ones."""
    stmt = stmt if stmt is not None else sa.select(HiringEvent)
    return user.scope_to_cities(stmt, HiringEvent.city_id, national=True)


def event_list(user) -> sa.Select:
    return visible_events(
        user,
        sa.select(HiringEvent).options(
            joinedload(HiringEvent.city), selectinload(HiringEvent.partners)
        ),
    ).order_by(HiringEvent.starts_at.desc(), HiringEvent.id.desc())


def event_or_404(event_id: int, user) -> HiringEvent:
    """The event with its city and partners, if ``user`` (staff) may see it; else 404."""
    event = db.session.scalar(
        visible_events(
            user,
            sa.select(HiringEvent)
            .options(joinedload(HiringEvent.city), selectinload(HiringEvent.partners))
            .where(HiringEvent.id == event_id),
        )
    )
    require(event is not None)
    return event


def registrations(event_id: int, statuses=(RegistrationStatus.REGISTERED,)) -> sa.Select:
    """The event's registrations in these statuses with their people, in queue order."""
    return (
        sa.select(HiringRegistration)
        .join(User, User.id == HiringRegistration.user_id)
        .options(joinedload(HiringRegistration.user).lazyload(User.cities))
        .where(HiringRegistration.event_id == event_id, HiringRegistration.status.in_(statuses))
        .order_by(HiringRegistration.queued_at, HiringRegistration.id)
    )


def status_counts(event_ids) -> dict[int, dict[str, int]]:
    """event id -> {status: count} (one query)."""
    out: dict[int, dict[str, int]] = {}
    ids = list(event_ids)
    if not ids:
        return out
    for event_id, status, n in db.session.execute(
        sa.select(HiringRegistration.event_id, HiringRegistration.status, sa.func.count())
        .where(HiringRegistration.event_id.in_(ids))
        .group_by(HiringRegistration.event_id, HiringRegistration.status)
    ):
        out.setdefault(event_id, {})[str(status)] = n
    return out


def event_referrals(event_id: int) -> sa.Select:
    """The referrals logged from this event, with person and employer."""
    return (
        sa.select(Referral)
        .join(HiringEventReferral, HiringEventReferral.referral_id == Referral.id)
        .options(
            joinedload(Referral.participant).lazyload(User.cities),
            joinedload(Referral.partner),
            joinedload(Referral.opening),
        )
        .where(HiringEventReferral.event_id == event_id)
        .order_by(Referral.created_at, Referral.id)
    )


def referable_enrollment(user_id: int, viewer) -> Enrollment | None:
    """The enrollment a referral of this person is filed under: their newest enrolled or
    graduated one in a cohort ``viewer`` (staff) sees."""
    stmt = (
        sa.select(Enrollment)
        .join(Cohort, Cohort.id == Enrollment.cohort_id)
        .options(joinedload(Enrollment.user).lazyload(User.cities))
        .where(Enrollment.user_id == user_id, Enrollment.stage.in_(MEMBER_STAGES))
        .order_by(Enrollment.stage == Stage.GRADUATED, Cohort.start_date.desc(), Enrollment.id)
    )
    return db.session.scalars(viewer.scope_to_cities(stmt, Cohort.city_id)).first()


# -- participants and alumni -----------------------------------------------------------------


def member_city_ids(user_id: int) -> sa.Select:
    """Cities of the cohorts the person is enrolled in or graduated from."""
    return (
        sa.select(Cohort.city_id)
        .join(Enrollment, Enrollment.cohort_id == Cohort.id)
        .where(Enrollment.user_id == user_id, Enrollment.stage.in_(MEMBER_STAGES))
    )


def open_to(user, stmt=None) -> sa.Select:
    """Events ``user`` may opt in to: organisation-wide ones and those of the cities of
    their cohorts (none for people outside the program)."""
    stmt = stmt if stmt is not None else sa.select(HiringEvent)
    cities = member_city_ids(user.id)
    member = sa.exists(cities)
    return stmt.where(
        member, sa.or_(HiringEvent.city_id.is_(None), HiringEvent.city_id.in_(cities))
    )


def upcoming_for(
    user, now, limit: int | None = None, *, with_partners: bool = True
) -> list[tuple[HiringEvent, str | None]]:
    """Upcoming events open to ``user``, soonest first, each with the person's status
    (registered, waitlisted, withdrawn or None). One query, and one for the partners."""
    mine = (
        sa.select(HiringRegistration.status)
        .where(
            HiringRegistration.event_id == HiringEvent.id,
            HiringRegistration.user_id == user.id,
        )
        .scalar_subquery()
    )
    stmt = open_to(
        user,
        sa.select(HiringEvent, mine).where(HiringEvent.starts_at > now),
    ).order_by(HiringEvent.starts_at, HiringEvent.id)
    if with_partners:
        stmt = stmt.options(selectinload(HiringEvent.partners))
    if limit:
        stmt = stmt.limit(limit)
    return [(event, str(status) if status else None) for event, status in db.session.execute(stmt)]


def open_event_or_404(event_id: int, user) -> HiringEvent:
    event = db.session.scalar(open_to(user).where(HiringEvent.id == event_id))
    require(event is not None)
    return event


# -- the seam for partner contacts (issue 14, part 6) ---------------------------------------


def opted_in_for_partner(event: HiringEvent, partner: Partner) -> sa.Select:
    """The people registered for ``event``, as a partner attending it may see them; no
    one if ``partner`` does not attend.

    The seam for the partner role: its view adds the filter "approved, visible career
    profile" (talent) and shows the profiles, never anything else of the person.
    """
    attends = sa.exists().where(
        hiring_event_partners.c.event_id == event.id,
        hiring_event_partners.c.partner_id == partner.id,
    )
    return (
        sa.select(User)
        .join(HiringRegistration, HiringRegistration.user_id == User.id)
        .where(
            attends,
            HiringRegistration.event_id == event.id,
            HiringRegistration.status == RegistrationStatus.REGISTERED,
            User.active,
        )
        .order_by(User.name, User.id)
    )


def partner_events(partner_id: int) -> sa.Select:
    """The events ``partner_id`` attends, the latest first (a partner contact's list)."""
    return (
        sa.select(HiringEvent)
        .options(selectinload(HiringEvent.partners), joinedload(HiringEvent.city))
        .join(hiring_event_partners, hiring_event_partners.c.event_id == HiringEvent.id)
        .where(hiring_event_partners.c.partner_id == partner_id)
        .order_by(HiringEvent.starts_at.desc(), HiringEvent.id.desc())
    )


def partner_event_or_404(event_id: int, partner_id: int) -> HiringEvent:
    """One event the partner attends; any other is a 404, as if it did not exist."""
    event = db.session.scalar(partner_events(partner_id).where(HiringEvent.id == event_id))
    require(event is not None)
    return event
