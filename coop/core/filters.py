"""Every app-wide Jinja filter, registered in one place.

``create_app`` calls ``register_filters``; domains register no filters of their own (a
filter one domain's templates need still goes here, as long as it needs no domain).
"""

from coop.core import clock
from coop.core.timezones import format_date, format_dual, format_local, to_zone


def day_in(value, zone: str | None = None) -> str:
    """A timestamp's date in ``zone`` (default: the reader's zone, see ``coop.core.clock``)."""
    if value is None:
        return ""
    return format_date(to_zone(value, zone or clock.zone_for()).date())


def percent(value: float | None) -> str:
    """A share (0..1) as a whole percentage; "–" when there is none (nothing to count)."""
    return "–" if value is None else f"{round(value * 100)}%"


FILTERS = {
    "localtime": format_local,
    "dualtime": format_dual,
    "date": format_date,
    "day_in": day_in,
    "attendance_rate": percent,
}


def register_filters(app) -> None:
    app.jinja_env.filters.update(FILTERS)
