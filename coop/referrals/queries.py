"""Reads: who may see which partners, openings, referrals, placements and follow-ups, and
the selects behind each list (with their eager loading, so templates never query)."""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from coop.auth.models import User
from coop.coaching.models import CaptainAssignment, PodMembership
from coop.core import clock
from coop.enrollment.models import Enrollment, Stage
from coop.extensions import db
from coop.programs.models import City, Cohort, Partner
from coop.referrals.models import (
    DUE_SOON_DAYS,
    FollowUp,
    Opening,
    Outreach,
    Placement,
    Referral,
    cohort_zone_sql,
)

#: Enrollment stages of people who may be referred: in a cohort now, or graduated.
REFERABLE = (Stage.ENROLLED, Stage.GRADUATED)


# -- who is who --------------------------------------------------------------------------


def captain_cohort_ids(user) -> sa.Select:
    """Cohorts the captain serves now (current assignments)."""
    return sa.select(CaptainAssignment.cohort_id).where(
        CaptainAssignment.captain_id == user.id, CaptainAssignment.ended_at.is_(None)
    )


def graduated_city_ids(user) -> sa.Select:
    """Cities where ``user`` graduated from a cohort."""
    return (
        sa.select(Cohort.city_id)
        .join(Enrollment, Enrollment.cohort_id == Cohort.id)
        .where(Enrollment.user_id == user.id, Enrollment.stage == Stage.GRADUATED)
    )


def is_alumnus(user) -> bool:
    """A participant who graduated from a cohort (and so may refer others)."""
    if not user.is_participant:
        return False
    stmt = sa.select(Enrollment.id).where(
        Enrollment.user_id == user.id, Enrollment.stage == Stage.GRADUATED
    )
    return db.session.scalar(stmt.limit(1)) is not None


def user_city_ids(user) -> sa.Select:
    """Cities a captain or participant works in (staff: ``User.scope_to_cities``)."""
    if user.is_captain:
        return sa.select(Cohort.city_id).where(Cohort.id.in_(captain_cohort_ids(user)))
    return graduated_city_ids(user)


# -- partners ------------------------------------------------------------------------------


def visible_partners(user, stmt=None) -> sa.Select:
    """Partners of the user's cities, and partners with no city (national ones)."""
    stmt = stmt if stmt is not None else sa.select(Partner)
    if user.is_staff:
        return user.scope_to_cities(stmt, Partner.city_id, national=True)
    cities = user_city_ids(user)
    return stmt.where(sa.or_(Partner.city_id.is_(None), Partner.city_id.in_(cities)))


def partner_visible(user, partner: Partner) -> bool:
    stmt = visible_partners(user, sa.select(Partner.id)).where(Partner.id == partner.id)
    return db.session.scalar(stmt) is not None


def partner_choices(user, kinds=None) -> list[tuple[int, str]]:
    stmt = visible_partners(user, sa.select(Partner.id, Partner.name)).where(
        Partner.archived.is_(False)
    )
    if kinds:
        stmt = stmt.where(Partner.kind.in_(kinds))
    return [(pid, name) for pid, name in db.session.execute(stmt.order_by(Partner.name))]


def partner_list(user) -> sa.Select:
    return visible_partners(user, sa.select(Partner).options(joinedload(Partner.city))).order_by(
        Partner.name, Partner.id
    )


def partner_counts(user, partner_ids) -> dict[int, tuple[int, int, int]]:
    """Partner id -> (open openings, referrals, hires) the user may see, in one query."""
    if not partner_ids:
        return {}
    open_openings = (
        sa.select(sa.func.count(Opening.id))
        .where(Opening.partner_id == Partner.id, Opening.open_clause())
        .scalar_subquery()
    )
    referrals = visible_referrals(
        user, sa.select(sa.func.count(Referral.id)).where(Referral.partner_id == Partner.id)
    ).scalar_subquery()
    hires = visible_placements(
        user, sa.select(sa.func.count(Placement.id)).where(Placement.partner_id == Partner.id)
    ).scalar_subquery()
    stmt = sa.select(Partner.id, open_openings, referrals, hires).where(Partner.id.in_(partner_ids))
    return {pid: (o, r, h) for pid, o, r, h in db.session.execute(stmt)}


# -- outreach ------------------------------------------------------------------------------


def visible_outreach(user) -> sa.Select:
    """Staff: outreach with partners they see. Captains: outreach they logged."""
    stmt = (
        sa.select(Outreach)
        .join(Outreach.partner)
        .options(
            joinedload(Outreach.partner),
            joinedload(Outreach.logged_by),
        )
        .order_by(Outreach.occurred_on.desc(), Outreach.id.desc())
    )
    if user.is_staff:
        return visible_partners(user, stmt)
    return stmt.where(Outreach.logged_by_id == user.id)


# -- openings ------------------------------------------------------------------------------


def openings_list(user, on: date | None = None, include_closed: bool = False) -> sa.Select:
    """The board (open openings) for everyone; with ``include_closed`` staff also see the
    closed and expired ones of their scope and captains the ones they posted."""
    stmt = sa.select(Opening).options(
        joinedload(Opening.partner), joinedload(Opening.city), joinedload(Opening.track)
    )
    if include_closed and user.is_staff:
        stmt = user.scope_to_cities(stmt, Opening.city_id, national=True)
    elif include_closed and user.is_captain:
        stmt = stmt.where(sa.or_(Opening.open_clause(on), Opening.posted_by_id == user.id))
    else:
        stmt = stmt.where(Opening.open_clause(on))
    return stmt


def opening_visible(user, opening: Opening) -> bool:
    """Everyone sees open openings; closed ones stay visible to staff of their city, to
    whoever posted them, and to people with a referral to them."""
    if opening.is_open():
        return True
    if user.is_staff:
        return opening.city_id is None or user.can_see_city(opening.city_id)
    if opening.posted_by_id == user.id:
        return True
    stmt = visible_referrals(user, sa.select(Referral.id)).where(Referral.opening_id == opening.id)
    return db.session.scalar(stmt.limit(1)) is not None


def opening_manageable(user, opening: Opening) -> bool:
    """Staff of its city (or of any city, for a remote-only opening); the captain who
    posted it."""
    if user.is_staff:
        return opening.city_id is None or user.can_see_city(opening.city_id)
    return user.is_captain and opening.posted_by_id == user.id


# -- referrals -----------------------------------------------------------------------------


def pod_participant_ids(user) -> sa.Select:
    """Participants in the pods of the captain's current assignments."""
    return (
        sa.select(PodMembership.participant_id)
        .join(CaptainAssignment, CaptainAssignment.id == PodMembership.assignment_id)
        .where(CaptainAssignment.captain_id == user.id, CaptainAssignment.ended_at.is_(None))
    )


def visible_referrals(user, stmt=None) -> sa.Select:
    """Staff: referrals of cohorts in their cities. Captains: the ones they made and those
    of their pod. Participants: their own, and the ones they made (alumni)."""
    stmt = stmt if stmt is not None else sa.select(Referral)
    if user.is_staff:
        return user.scope_to_cities(stmt, Cohort.city_id, through=(Referral.cohort_id, Cohort.id))
    if user.is_captain:
        return stmt.where(
            sa.or_(
                Referral.referrer_id == user.id,
                Referral.participant_id.in_(pod_participant_ids(user)),
            )
        )
    return stmt.where(sa.or_(Referral.participant_id == user.id, Referral.referrer_id == user.id))


def referral_list(user) -> sa.Select:
    # Five tables joined, two loaded by id: with all seven in one join PostgreSQL spent
    # 6 ms choosing the join order (0.7 ms for five), longer than the three queries take.
    stmt = visible_referrals(
        user,
        sa.select(Referral).options(
            joinedload(Referral.participant),
            joinedload(Referral.partner),
            joinedload(Referral.cohort).joinedload(Cohort.city),
            selectinload(Referral.referrer),
            selectinload(Referral.opening),
        ),
    )
    return stmt.order_by(Referral.stage_changed_at.desc(), Referral.id.desc())


def load_referral(user, referral_id: int) -> Referral | None:
    """The referral with everything its page shows, if ``user`` may see it."""
    stmt = visible_referrals(
        user,
        sa.select(Referral).options(
            joinedload(Referral.participant),
            joinedload(Referral.referrer),
            joinedload(Referral.partner),
            joinedload(Referral.opening),
            joinedload(Referral.cohort).joinedload(Cohort.city),
        ),
    ).where(Referral.id == referral_id)
    return db.session.scalar(stmt)


def referable_enrollments(user) -> sa.Select:
    """Enrollments (enrolled or graduated) of the people ``user`` may refer, newest
    cohort first: staff of their cities; captains of the cohorts they serve now; alumni
    of the cities where they graduated (not themselves)."""
    stmt = (
        sa.select(Enrollment)
        .join(Enrollment.cohort)
        .join(Enrollment.user)
        .options(joinedload(Enrollment.user), joinedload(Enrollment.cohort).joinedload(Cohort.city))
        # Withdrawn consent: no longer put forward to employers (coop.privacy).
        .where(
            Enrollment.stage.in_(REFERABLE),
            User.active.is_(True),
            User.consent_withdrawn_at.is_(None),
        )
        .order_by(User.name, User.id, Cohort.start_date.desc(), Enrollment.id.desc())
    )
    if user.is_staff:
        return user.scope_to_cities(stmt, Cohort.city_id)
    if user.is_captain:
        return stmt.where(Enrollment.cohort_id.in_(captain_cohort_ids(user)))
    return stmt.where(Cohort.city_id.in_(graduated_city_ids(user)), Enrollment.user_id != user.id)


def referable_people(user) -> dict[int, Enrollment]:
    """Participant id -> the enrollment a referral by ``user`` is filed under."""
    people: dict[int, Enrollment] = {}
    for enrollment in db.session.scalars(referable_enrollments(user)):
        people.setdefault(enrollment.user_id, enrollment)
    return people


#: Most people a person picker lists at once: with more, it asks for a search first.
PICK_LIMIT = 20
#: Longest search a picker accepts (longer text is cut).
PICK_QUERY_MAX = 80


def pickable_people(
    user, search: str = "", wanted: list[int] | None = None
) -> tuple[dict[int, Enrollment], bool]:
    """A person picker's choices among the people ``user`` may refer (the same rules as
    ``referable_enrollments``: their cities or pods, never anyone who withdrew consent):
    those whose name or email contains ``search`` (everyone when it is empty), and the
    people in ``wanted`` (the one already picked) whatever the search. At most
    ``PICK_LIMIT``, by name; the flag says whether more matched. One query."""
    wanted = wanted or []
    stmt = referable_enrollments(user)
    matches = sa.true()
    if search := search.strip()[:PICK_QUERY_MAX]:
        matches = sa.or_(
            User.name.icontains(search, autoescape=True),
            User.email.icontains(search, autoescape=True),
        )
    if wanted:
        picked = User.id.in_(wanted)
        stmt = stmt.where(sa.or_(picked, matches))
        first = sa.case((picked, 0), else_=1)
        stmt = stmt.order_by(None).order_by(
            first, User.name, User.id, Cohort.start_date.desc(), Enrollment.id.desc()
        )
    else:
        stmt = stmt.where(matches)
    # A person with several enrollments has several rows: read a few more than shown.
    people: dict[int, Enrollment] = {}
    for enrollment in db.session.scalars(stmt.limit(PICK_LIMIT * 3 + 1)):
        people.setdefault(enrollment.user_id, enrollment)
    more = len(people) > PICK_LIMIT
    return dict(list(people.items())[:PICK_LIMIT]), more


def can_refer(user) -> bool:
    return user.is_staff or user.is_captain or is_alumnus(user)


# -- placements ----------------------------------------------------------------------------


def visible_placements(user, stmt=None) -> sa.Select:
    """Staff: placements of participants of their cities' cohorts. Participants: their
    own. Captains: none (they see stages, not salaries)."""
    stmt = stmt if stmt is not None else sa.select(Placement)
    if user.is_staff:
        return user.scope_to_cities(stmt, Cohort.city_id, through=(Placement.cohort_id, Cohort.id))
    if user.is_participant:
        return stmt.where(Placement.participant_id == user.id)
    return stmt.where(sa.false())


def placement_list(user) -> sa.Select:
    return visible_placements(
        user,
        sa.select(Placement).options(
            joinedload(Placement.participant),
            joinedload(Placement.partner),
            joinedload(Placement.cohort).joinedload(Cohort.city),
            joinedload(Placement.verified_by),
        ),
    ).order_by(Placement.start_date.desc(), Placement.id.desc())


def load_placement(user, placement_id: int) -> Placement | None:
    stmt = visible_placements(
        user,
        sa.select(Placement).options(
            joinedload(Placement.participant),
            joinedload(Placement.partner),
            joinedload(Placement.verified_by),
        ),
    ).where(Placement.id == placement_id)
    return db.session.scalar(stmt)


def latest_enrollment(user_id: int) -> Enrollment | None:
    """The participant's newest enrolled or graduated enrollment (with its cohort)."""
    stmt = (
        sa.select(Enrollment)
        .join(Enrollment.cohort)
        .options(joinedload(Enrollment.cohort))
        .where(Enrollment.user_id == user_id, Enrollment.stage.in_(REFERABLE))
        .order_by(Cohort.start_date.desc(), Enrollment.id.desc())
        .limit(1)
    )
    return db.session.scalar(stmt)


# -- follow-ups ----------------------------------------------------------------------------

WHEN = ("overdue", "due", "upcoming", "open", "closed")


def visible_follow_ups(user, stmt=None) -> sa.Select:
    stmt = stmt if stmt is not None else sa.select(FollowUp)
    return user.scope_to_cities(stmt, Cohort.city_id, through=(FollowUp.cohort_id, Cohort.id))


def when_clause(when: str, on: date | None = None, zone=None):
    """SQL: the follow-up is ``when`` (overdue, due, upcoming, open, closed) on ``on``;
    without ``on``, on today in its cohort's city (``zone``: that city's zone column, when
    the query joins it)."""
    is_open = FollowUp.closed_at.is_(None)
    if when == "open":
        return is_open
    if when == "closed":
        return FollowUp.closed_at.is_not(None)

    def at(day: date):
        soon = date.fromordinal(day.toordinal() + DUE_SOON_DAYS)
        return {
            "overdue": FollowUp.due_date < day,
            "due": sa.and_(FollowUp.due_date >= day, FollowUp.due_date <= soon),
            "upcoming": FollowUp.due_date > soon,
        }[when]

    if on is not None:
        return sa.and_(is_open, at(on))
    zone = zone if zone is not None else cohort_zone_sql(FollowUp.cohort_id)
    return sa.and_(is_open, clock.per_zone(zone, at))


def follow_up_list(user, when: str, city_id: int | None, on: date | None = None) -> sa.Select:
    """Follow-ups ``when`` on ``on`` (default: today in each one's cohort city)."""
    stmt = (
        sa.select(FollowUp)
        .join(FollowUp.cohort)
        .options(
            joinedload(FollowUp.participant),
            joinedload(FollowUp.cohort).joinedload(Cohort.city),
            joinedload(FollowUp.closed_by),
        )
        .where(when_clause(when, on))
    )
    if city_id:
        stmt = stmt.where(Cohort.city_id == city_id)
    order = FollowUp.closed_at.desc() if when == "closed" else FollowUp.due_date
    return visible_follow_ups(user, stmt).order_by(order, FollowUp.id)


def follow_up_summary(user, on: date | None = None) -> list:
    """Per city: how many follow-ups are overdue and how many fall due within ``DUE_SOON_DAYS``
    (one grouped query); ``on`` defaults to today in each city."""
    overdue = sa.func.sum(sa.case((when_clause("overdue", on, City.timezone), 1), else_=0))
    due = sa.func.sum(sa.case((when_clause("due", on, City.timezone), 1), else_=0))
    stmt = (
        sa.select(City.id, City.name, overdue.label("overdue"), due.label("due"))
        .select_from(FollowUp)
        .join(Cohort, Cohort.id == FollowUp.cohort_id)
        .join(City, City.id == Cohort.city_id)
        .where(FollowUp.closed_at.is_(None))
        .group_by(City.id, City.name)
        .order_by(City.name)
    )
    return db.session.execute(visible_follow_ups(user, stmt)).all()


def load_follow_up(user, follow_up_id: int) -> FollowUp | None:
    stmt = visible_follow_ups(
        user,
        sa.select(FollowUp).options(
            joinedload(FollowUp.participant),
            joinedload(FollowUp.cohort).joinedload(Cohort.city),
            joinedload(FollowUp.closed_by),
        ),
    ).where(FollowUp.id == follow_up_id)
    return db.session.scalar(stmt)
