"""Reads for the enrollment pages, each with its eager loading (templates never query)."""

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload, selectinload

from coop.auth.models import User
from coop.core import clock, events
from coop.enrollment.models import Enrollment, EnrollmentEvent, Stage
from coop.enrollment.services import waitlist_order
from coop.extensions import db
from coop.programs.models import City, Cohort, CohortStatus, Partner, PartnerKind, Track

#: Stages that count as "enrolled" for referral figures: they took a seat.
TOOK_A_SEAT = (Stage.ENROLLED, Stage.GRADUATED)


def still_running() -> sa.ColumnElement[bool]:
    """A recruiting cohort whose end date has passed in its city is not offered: a past
    cohort cannot recruit (programs refuses to open one; this covers one that ends while
    it is still marked recruiting)."""
    return clock.per_zone(City.timezone, lambda day: Cohort.end_date >= day)


def recruiting_cohorts() -> list[Cohort]:
    """Cohorts open for applications, by city and track, soonest first."""
    return list(
        db.session.scalars(
            sa.select(Cohort)
            .join(Cohort.city)
            .join(Cohort.track)
            .where(
                Cohort.status == CohortStatus.RECRUITING,
                Cohort.archived.is_(False),
                City.archived.is_(False),
                still_running(),
            )
            .options(joinedload(Cohort.city), joinedload(Cohort.track))
            .order_by(City.name, Track.name, Cohort.start_date, Cohort.id)
        )
    )


def recruiting_cohort(cohort_id: int) -> Cohort | None:
    return db.session.scalar(
        sa.select(Cohort)
        .join(Cohort.city)
        .where(
            Cohort.id == cohort_id,
            Cohort.status == CohortStatus.RECRUITING,
            Cohort.archived.is_(False),
            City.archived.is_(False),
            still_running(),
        )
        .options(joinedload(Cohort.city), joinedload(Cohort.track))
    )


def form_choices():
    """Cities, tracks and community partners for the application form (three queries)."""
    cities = db.session.scalars(
        sa.select(City).where(City.archived.is_(False)).order_by(City.name)
    ).all()
    tracks = db.session.scalars(sa.select(Track).order_by(Track.name)).all()
    partners = db.session.scalars(
        sa.select(Partner)
        .where(Partner.kind == PartnerKind.COMMUNITY, Partner.archived.is_(False))
        .order_by(Partner.name)
    ).all()
    return cities, tracks, partners


def stage_counts(cohort: Cohort) -> dict[str, int]:
    rows = db.session.execute(
        sa.select(Enrollment.stage, sa.func.count(Enrollment.id))
        .where(Enrollment.cohort_id == cohort.id)
        .group_by(Enrollment.stage)
    ).all()
    counts = {str(s): 0 for s in Stage}
    counts.update({str(stage): n for stage, n in rows})
    return counts


def review_list(cohort: Cohort, stage: Stage | None):
    stmt = (
        sa.select(Enrollment)
        .where(Enrollment.cohort_id == cohort.id)
        .options(
            joinedload(Enrollment.user),
            joinedload(Enrollment.referred_by),
            joinedload(Enrollment.referral_partner),
        )
        .order_by(Enrollment.created_at, Enrollment.id)
    )
    if stage is not None:
        stmt = stmt.where(Enrollment.stage == stage)
    if stage == Stage.WAITLISTED:
        stmt = stmt.order_by(None).order_by(*waitlist_order())
    return stmt


def application(cohort: Cohort, enrollment_id: int) -> Enrollment | None:
    return db.session.scalar(
        sa.select(Enrollment)
        .where(Enrollment.id == enrollment_id, Enrollment.cohort_id == cohort.id)
        .options(
            joinedload(Enrollment.user).joinedload(User.profile),
            joinedload(Enrollment.referred_by),
            joinedload(Enrollment.referral_partner),
            joinedload(Enrollment.preferred_city),
            joinedload(Enrollment.preferred_track),
            selectinload(Enrollment.events).joinedload(EnrollmentEvent.actor),
        )
    )


def enrollments_by_id(cohort: Cohort, ids) -> list[Enrollment]:
    return list(
        db.session.scalars(
            sa.select(Enrollment)
            .where(Enrollment.cohort_id == cohort.id, Enrollment.id.in_(list(ids)))
            .order_by(Enrollment.id)
        )
    )


def waitlist(cohort: Cohort):
    return (
        sa.select(Enrollment)
        .where(Enrollment.cohort_id == cohort.id, Enrollment.stage == Stage.WAITLISTED)
        .options(joinedload(Enrollment.user))
        .order_by(*waitlist_order())
    )


def roster(cohort: Cohort, stages=(Stage.ENROLLED, Stage.GRADUATED, Stage.WITHDRAWN)):
    return (
        sa.select(Enrollment)
        .join(Enrollment.user)
        .where(Enrollment.cohort_id == cohort.id, Enrollment.stage.in_(stages))
        .options(contains_user_and_profile())
        .order_by(User.name, Enrollment.id)
    )


def contains_user_and_profile():
    return joinedload(Enrollment.user).joinedload(User.profile)


def enrolled(cohort: Cohort) -> list[Enrollment]:
    return list(
        db.session.scalars(
            sa.select(Enrollment)
            .join(Enrollment.user)
            .where(Enrollment.cohort_id == cohort.id, Enrollment.stage == Stage.ENROLLED)
            .options(joinedload(Enrollment.user))
            .order_by(User.name, Enrollment.id)
        )
    )


# -- alumni referrals --------------------------------------------------------------------


def _seated():
    return sa.func.count(sa.case((Enrollment.stage.in_(TOOK_A_SEAT), 1)))


def cohort_referrals(cohort: Cohort):
    """Per alumnus who referred applicants to this cohort: (user, applicants, enrolled)."""
    referrer = aliased(User)
    rows = db.session.execute(
        sa.select(referrer, sa.func.count(Enrollment.id), _seated())
        .join(Enrollment, Enrollment.referred_by_id == referrer.id)
        .where(Enrollment.cohort_id == cohort.id)
        .group_by(referrer.id)
        .order_by(sa.func.count(Enrollment.id).desc(), referrer.name)
    ).all()
    return [(user, applicants, seated) for user, applicants, seated in rows]


def referral_totals(viewer, cohort: Cohort | None = None) -> tuple[int, int]:
    """How many applicants alumni referred and how many of them took a seat."""
    stmt = (
        sa.select(sa.func.count(Enrollment.id), _seated())
        .join(Cohort, Cohort.id == Enrollment.cohort_id)
        .where(Enrollment.referred_by_id.is_not(None))
    )
    if cohort is not None:
        stmt = stmt.where(Enrollment.cohort_id == cohort.id)
    else:
        stmt = viewer.scope_to_cities(stmt, Cohort.city_id)
    applicants, seated = db.session.execute(stmt).one()
    return applicants, seated or 0


def referrers_page_stmt(viewer):
    """Alumni ids ordered by how many applicants they referred (in the viewer's cities)."""
    stmt = (
        sa.select(Enrollment.referred_by_id)
        .join(Cohort, Cohort.id == Enrollment.cohort_id)
        .join(User, User.id == Enrollment.referred_by_id)
        .where(Enrollment.referred_by_id.is_not(None))
        .group_by(Enrollment.referred_by_id, User.name)
        .order_by(sa.func.count(Enrollment.id).desc(), User.name, Enrollment.referred_by_id)
    )
    return viewer.scope_to_cities(stmt, Cohort.city_id)


def referrer_rows(viewer, ids: list[int]):
    """(user, applicants, enrolled, cohorts) for the given alumni, in the given order."""
    if not ids:
        return []
    stmt = (
        sa.select(
            Enrollment.referred_by_id,
            sa.func.count(Enrollment.id),
            _seated(),
            sa.func.count(sa.distinct(Enrollment.cohort_id)),
        )
        .join(Cohort, Cohort.id == Enrollment.cohort_id)
        .where(Enrollment.referred_by_id.in_(ids))
        .group_by(Enrollment.referred_by_id)
    )
    stmt = viewer.scope_to_cities(stmt, Cohort.city_id)
    counts = {rid: (a, s, c) for rid, a, s, c in db.session.execute(stmt)}
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))}
    return [(users[i], *counts.get(i, (0, 0, 0))) for i in ids if i in users]


# -- answers to lower layers' questions (coop.core.events) --------------------------------


@events.cohort_stage_counts.connect
def _stage_counts_of(cohort, **_):
    return stage_counts(cohort)


@events.people_in_cities.connect
def _enrolled_in_cities(_sender, **_):
    """(person, city) for every enrollment, at any stage."""
    return sa.select(Enrollment.user_id, Cohort.city_id).join(Cohort)
