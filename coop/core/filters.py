"""Every app-wide Jinja filter, registered in one place.

``create_app`` calls ``register_filters``; domains register no filters of their own (a
filter one domain's templates need still goes here, as long as it needs no domain).
"""

from urllib.parse import quote

from coop.core import clock
from coop.core.nav import badge_text
from coop.core.timezones import format_date, format_dual, format_local, to_zone


def day_in(value, zone: str | None = None) -> str:
    """A timestamp's date in ``zone`` (default: the reader's zone, see ``coop.core.clock``)."""
    if value is None:
        return ""
    return format_date(to_zone(value, zone or clock.zone_for()).date())


def percent(value: float | None) -> str:
    """A share (0..1) as a whole percentage; "–" when there is none (nothing to count)."""
    return "–" if value is None else f"{round(value * 100)}%"


#: What people call the zones coop's cities are in; forms keep the IANA names.
ZONE_NAMES = {
    "America/New_York": "Eastern Time",
    "America/Detroit": "Eastern Time",
    "America/Chicago": "Central Time",
    "America/Denver": "Mountain Time",
    "America/Phoenix": "Mountain Time (Arizona)",
    "America/Los_Angeles": "Pacific Time",
    "America/Anchorage": "Alaska Time",
    "Pacific/Honolulu": "Hawaii Time",
    "America/Puerto_Rico": "Atlantic Time",
    "Europe/London": "UK Time",
    "UTC": "UTC",
}


def zone_name(zone: str | None) -> str:
    """A zone as people say it: "Pacific Time" for America/Los_Angeles; another zone by its
    place ("Berlin time" for Europe/Berlin)."""
    if not zone:
        return ""
    if zone in ZONE_NAMES:
        return ZONE_NAMES[zone]
    return zone.rsplit("/", 1)[-1].replace("_", " ") + " time"


def webcal(url: str) -> str:
    """A feed's http(s) address as a ``webcal://`` one, which calendar apps subscribe to
    in one tap."""
    for scheme in ("https://", "http://"):
        if url.startswith(scheme):
            return "webcal://" + url[len(scheme) :]
    return url


def google_calendar(url: str) -> str:
    """The "Add to Google Calendar" link that subscribes to a feed."""
    return "https://calendar.google.com/calendar/r?cid=" + quote(webcal(url), safe="")


FILTERS = {
    "localtime": format_local,
    "dualtime": format_dual,
    "date": format_date,
    "day_in": day_in,
    "attendance_rate": percent,
    "zone_name": zone_name,
    "webcal": webcal,
    "google_calendar": google_calendar,
    "badge": badge_text,
}


def register_filters(app) -> None:
    app.jinja_env.filters.update(FILTERS)
