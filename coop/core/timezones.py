"""Time zones: the list staff choose from, and the functions that show times to people
(registered as Jinja filters by ``coop.core.filters``).

Times are stored in UTC and shown in the cohort's zone, with the viewer's own zone
beside it when they differ.
"""

import zoneinfo
from datetime import date, datetime
from functools import cache

from markupsafe import Markup, escape


@cache
def zone_names() -> list[str]:
    """IANA zone names people pick from (the canonical Area/Location ones)."""
    names = zoneinfo.available_timezones()
    return sorted(
        n
        for n in names
        if "/" in n and not n.startswith(("Etc/", "SystemV/", "US/", "posix/", "right/"))
    )


@cache
def _all_zones() -> frozenset[str]:
    """Every zone tzdata knows, read once: ``available_timezones()`` walks a folder."""
    return frozenset(zoneinfo.available_timezones())


def is_zone(name: str | None) -> bool:
    return bool(name) and name in _all_zones()


def to_zone(value: datetime, zone: str) -> datetime:
    return value.astimezone(zoneinfo.ZoneInfo(zone))


def format_local(value: datetime | None, zone: str, fmt: str = "%a %-d %b %Y, %H:%M") -> str:
    if value is None:
        return ""
    local = to_zone(value, zone)
    if not any(code in fmt for code in ("%H", "%I", "%M")):
        return local.strftime(fmt)  # a day alone: its zone's name would only add noise
    return f"{local.strftime(fmt)} {local.tzname()}"


def format_dual(value: datetime | None, zone: str, viewer_zone: str | None) -> Markup:
    """The time in ``zone``, and in the viewer's zone beside it when that differs."""
    if value is None:
        return Markup("")
    main = format_local(value, zone)
    if viewer_zone and viewer_zone != zone:
        other = format_local(value, viewer_zone, "%a %H:%M")
        return Markup('{} <span class="text-body-secondary">({} your time)</span>').format(
            escape(main), escape(other)
        )
    return escape(main)


def format_date(value: date | None, fmt: str = "%-d %b %Y") -> str:
    return value.strftime(fmt) if value else ""
