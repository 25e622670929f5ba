"""Reads about people: whom a staff member may see and manage."""

from coop.auth.models import User
from coop.core import events
from coop.extensions import db
from coop.programs.models import City


def visible_users(viewer, stmt):
    """Narrow a select of users to the people city-limited staff may see: staff of their
    cities, and participants and captains with a cohort in their cities (the domains that
    link people to cohorts answer ``events.people_in_cities``)."""
    ids = viewer.city_ids
    if ids is None:
        return stmt
    ids = ids or {-1}
    in_staff_city = User.cities.any(City.id.in_(ids))
    linked = events.answers(events.people_in_cities, city_ids=ids)
    return stmt.where(db.or_(in_staff_city, *linked))


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
