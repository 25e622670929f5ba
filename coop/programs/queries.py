"""Reads for the programs pages, with their eager loading (relationships are lazy="raise").

Other domains' staff cohort pages load their cohort with ``cohort_or_404`` so the shared
header (templates/programs/_cohort_header.html) has the city and track it shows.
"""

from sqlalchemy.orm import joinedload

from coop.core import events
from coop.core.models import AuditEvent
from coop.core.permissions import require
from coop.extensions import db
from coop.programs.models import City, Cohort, CohortStatus, Partner, Track


def cohort_load_options():
    """Loader options giving a cohort its city, track and sponsor in the same query."""
    return (joinedload(Cohort.city), joinedload(Cohort.track), joinedload(Cohort.sponsor))


def cohort_or_404(cohort_id: int, user) -> Cohort:
    """The cohort with its city, track and sponsor, if ``user`` manages it; else 404."""
    cohort = db.session.scalar(
        db.select(Cohort).options(*cohort_load_options()).where(Cohort.id == cohort_id)
    )
    require(cohort is not None and cohort.can_manage(user))
    return cohort


def city_or_404(city_id: int, user) -> City:
    city = db.session.get(City, city_id)
    require(city is not None and city.can_manage(user))
    return city


def cohorts_stmt(
    user,
    *,
    city_id: int | None = None,
    track_id: int | None = None,
    status: CohortStatus | None = None,
    include_archived: bool = False,
):
    """The cohorts ``user`` may see, filtered, newest start first, eager-loaded."""
    stmt = db.select(Cohort).options(*cohort_load_options())
    stmt = user.scope_to_cities(stmt, Cohort.city_id)
    if city_id:
        stmt = stmt.where(Cohort.city_id == city_id)
    if track_id:
        stmt = stmt.where(Cohort.track_id == track_id)
    if status:
        stmt = stmt.where(Cohort.status == status)
    if not include_archived:
        stmt = stmt.where(Cohort.archived.is_(False))
    return stmt.order_by(Cohort.start_date.desc(), Cohort.name, Cohort.id)


def visible_cities(user, *, include_archived: bool = True) -> list[City]:
    stmt = user.scope_to_cities(db.select(City).order_by(City.name), City.id)
    if not include_archived:
        stmt = stmt.where(City.archived.is_(False))
    return list(db.session.scalars(stmt))


def all_tracks() -> list[Track]:
    return list(db.session.scalars(db.select(Track).order_by(Track.name)))


def sponsor_choices(user) -> list[Partner]:
    """Active partners ``user`` may pick as a sponsor: those with no home city and, for
    city-limited staff, those in their cities (every city's for org-wide staff)."""
    stmt = db.select(Partner).where(Partner.archived.is_(False)).order_by(Partner.name)
    return list(db.session.scalars(user.scope_to_cities(stmt, Partner.city_id, national=True)))


def city_rows(user) -> list[tuple[City, int, int]]:
    """Visible cities with their number of cohorts and of cohorts running or recruiting."""
    live = db.case((Cohort.status.in_([CohortStatus.RECRUITING, CohortStatus.ACTIVE]), 1), else_=0)
    stmt = (
        db.select(City, db.func.count(Cohort.id), db.func.coalesce(db.func.sum(live), 0))
        .outerjoin(Cohort, Cohort.city_id == City.id)
        .group_by(City.id)
        .order_by(City.archived, City.name)
    )
    return [tuple(r) for r in db.session.execute(user.scope_to_cities(stmt, City.id))]


def track_rows() -> list[tuple[Track, int]]:
    stmt = (
        db.select(Track, db.func.count(Cohort.id))
        .outerjoin(Cohort, Cohort.track_id == Track.id)
        .group_by(Track.id)
        .order_by(Track.name)
    )
    return [tuple(r) for r in db.session.execute(stmt)]


def stage_counts(cohort: Cohort) -> dict[str, int]:
    """How many enrollments the cohort has at each stage; enrollment, a layer above,
    answers."""
    return events.answer(events.cohort_stage_counts, cohort)


def cohort_history(cohort: Cohort, limit: int = 50) -> list[tuple[AuditEvent, str | None]]:
    """The cohort's audit events, newest first, each with its actor's name (None: system)."""
    stmt = (
        db.select(AuditEvent)
        # only the actor's name is read: none of their own relationships (their cities)
        .options(joinedload(AuditEvent.actor).lazyload("*"))
        .where(AuditEvent.target_type == Cohort.__tablename__, AuditEvent.target_id == cohort.id)
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    return [(e, e.actor.name if e.actor else None) for e in db.session.scalars(stmt)]
