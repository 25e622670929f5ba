"""Reads about people: whom a staff member may see and manage."""

from coop.auth.models import User, staff_cities
from coop.core import events
from coop.extensions import db


def visible_users(viewer, stmt):
    """Narrow a select of users to the people city-limited staff may see: staff of their
    cities, and participants and captains with a cohort in their cities (the domains that
    link people to cohorts answer ``events.people_in_cities``)."""
    if viewer.city_ids is None:
        return stmt
    pairs = db.union_all(  # (person, city): staff's own cities, and what the domains answer
        db.select(staff_cities.c.user_id, staff_cities.c.city_id),
        *events.answers(events.people_in_cities),
    ).subquery("people_cities")
    return viewer.scope_to_cities(stmt, pairs.c.city_id, through=(User.id, pairs.c.user_id))


def user_visible_to(user, viewer) -> bool:
    stmt = visible_users(viewer, db.select(User.id).where(User.id == user.id))
    return db.session.scalar(stmt) is not None


def may_manage(viewer, user) -> bool:
    """Whether ``viewer`` may deactivate or re-invite ``user``, who they can already see.

    Nobody manages themselves. City-limited staff manage the participants and captains they
    see, and staff whose cities are all among their own (never organisation-wide staff).
    """
    if user.id == viewer.id:
        return False
    scope = viewer.city_ids
    if scope is None or not user.is_staff:
        return True
    return not user.all_cities and {c.id for c in user.cities} <= scope
