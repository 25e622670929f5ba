"""The one place coop asks for "now" and "today".

Times are stored in UTC; ``now()`` is the current instant, timezone-aware in UTC. A date
with no time of day ("today", a closing date, a due date) only means something in a time
zone, and coop's rule is:

* **A cohort's dates live in the cohort city's zone.** Sessions, check-in and follow-up
  due dates, and an opening's closing date (the opening's city) roll over at midnight in
  that city: ``today_for_cohort``, ``today_for_city``, and in SQL ``per_zone``. A follow-up
  due on 31 December in Los Angeles is overdue from 1 January in Los Angeles, which is
  08:00 UTC; an opening in Los Angeles that closes on 31 December stays on the board until
  midnight there.
* **What a person reads is in that person's zone.** "3 days ago", "due today", the
  default date of a form they fill in, the latest start date they may enter:
  ``today_for(user)``, the zone on their account, or the organisation's zone when they
  have not chosen one.
* **Neither (the CLI, org-wide defaults, a remote-only opening, the demo data): the
  organisation's zone**, ``COOP_TIMEZONE`` (app config, or the environment variable of
  that name), America/New_York by default: ``today_in()``.

Nothing else in ``coop`` reads the system clock (only ``now`` below does); tests move
this clock with time-machine (``COOP_TEST_NOW``, see docs/testing.md).
"""

import os
import zoneinfo
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import cache, lru_cache

import sqlalchemy as sa
from flask import current_app, has_app_context, has_request_context

#: The organisation's zone when ``COOP_TIMEZONE`` is not set.
DEFAULT_ZONE = "America/New_York"


def now() -> datetime:
    """The current instant, timezone-aware, in UTC."""
    return datetime.now(UTC)


@cache
def _zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


@cache
def _zone_names() -> frozenset[str]:
    """Every zone name tzdata knows. ``available_timezones()`` walks the tzdata folder on
    each call (about 5 ms, several times a request), so it is read once per process."""
    return frozenset(zoneinfo.available_timezones())


def _known(name: str | None) -> bool:
    return bool(name) and name in _zone_names()


def default_zone() -> str:
    """The organisation's zone: ``COOP_TIMEZONE`` from the app config or the environment."""
    name = None
    if has_app_context():
        name = current_app.config.get("COOP_TIMEZONE")
    name = name or os.environ.get("COOP_TIMEZONE")
    return name if _known(name) else DEFAULT_ZONE


def today_in(zone: str | None = None) -> date:
    """Today's date in ``zone`` (default: the organisation's zone)."""
    return now().astimezone(_zone(zone if _known(zone) else default_zone())).date()


def zone_for(user=None) -> str:
    """The zone a person reads dates in: their account's, else the organisation's.

    With no ``user``, the signed-in person of the current request, if any.
    """
    if user is None and has_request_context():
        from flask_login import current_user

        user = current_user
    zone = getattr(user, "timezone", None) if user is not None else None
    return zone if _known(zone) else default_zone()


def today_for(user=None) -> date:
    """Today for a person (see ``zone_for``): what "today" means on the pages they read."""
    return today_in(zone_for(user))


def today_for_city(city) -> date:
    """Today in a city (a ``City``; None, for no city: the organisation's). For a city
    known only by its id, ``coop.programs.models.today_in_city``."""
    if city is None:
        return today_in()
    return today_in(city.timezone)


def today_for_cohort(cohort) -> date:
    """Today for a cohort: the date in its city's zone (``cohort.city`` must be loaded)."""
    return today_for_city(cohort.city)


# -- the same rule in SQL ----------------------------------------------------------------------

#: Zones' dates only change at UTC instants that are multiples of a quarter hour (every
#: offset is), so which zones share a date is cached per quarter hour.
_QUARTER = 15 * 60


@lru_cache(maxsize=8)
def _dates_by_zone(quarter: int) -> dict[date, tuple[str, ...]]:
    instant = datetime.fromtimestamp(quarter * _QUARTER, UTC)
    groups: dict[date, list[str]] = {}
    for name in sorted(_zone_names()):
        try:
            day = instant.astimezone(_zone(name)).date()
        except (ValueError, OverflowError):  # pragma: no cover - a broken tzdata entry
            continue
        groups.setdefault(day, []).append(name)
    return {day: tuple(names) for day, names in groups.items()}


def per_zone(zone_column, clause_for: Callable[[date], sa.ColumnElement]) -> sa.ColumnElement:
    """SQL: ``clause_for(today)`` where today is the date in the zone named by
    ``zone_column`` (a NULL or unknown zone: the organisation's).

    At any instant the world's zones fall on at most three dates, so this is a CASE of at
    most three branches, e.g. ``per_zone(city_zone, lambda d: Opening.closes_on >= d)``.
    """
    current = now()
    default_day = today_in()
    groups = _dates_by_zone(int(current.timestamp()) // _QUARTER)
    whens = [
        (zone_column.in_(names), clause_for(day))
        for day, names in sorted(groups.items())
        if day != default_day
    ]
    if not whens:
        return clause_for(default_day)
    return sa.case(*whens, else_=clause_for(default_day))
