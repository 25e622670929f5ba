"""What the referral pages share: paging, query-string and choice helpers, refusals
shown on the form, and the ``day_in`` template filter."""

from flask import flash, request

from coop.core import clock
from coop.core.pagination import paginate
from coop.core.timezones import format_date, to_zone
from coop.extensions import db
from coop.programs.models import City, PartnerKind, Track
from coop.referrals import queries
from coop.referrals.services import ReferralError
from coop.referrals.views import bp

#: Rows per section on pages that show several lists (each pages on its own).
SECTION_SIZE = 10
#: Partner kinds that hire.
HIRING_KINDS = (PartnerKind.EMPLOYER, PartnerKind.SPONSOR)


def paged(stmt, param: str = "page", per_page: int = SECTION_SIZE):
    """Paginate ``stmt`` on the query-string argument ``param`` (several lists, one page)."""
    return paginate(stmt, per_page, param)


@bp.app_template_filter("day_in")
def day_in(value, zone: str | None = None) -> str:
    """A timestamp's date in ``zone`` (default: the reader's zone, see ``coop.core.clock``)."""
    if value is None:
        return ""
    return format_date(to_zone(value, zone or clock.zone_for()).date())


def arg_int(name: str) -> int | None:
    return request.args.get(name, type=int) or None


def _fail(form, exc: ReferralError, field=None):
    """Show a refused change: on a field when we know which, else as a flash. Services
    check their rules before writing anything, so there is nothing to roll back (and
    the objects the page shows stay loaded)."""
    if field is not None:
        field.errors.append(str(exc))
    else:
        flash(str(exc), "danger")


def city_choices(user, blank: str | None = None) -> list:
    """Cities ``user`` works in (staff: their scope), optionally after a blank choice."""
    stmt = db.select(City.id, City.name).where(City.archived.is_(False))
    if user.is_staff:
        stmt = user.scope_to_cities(stmt, City.id)
    else:
        stmt = stmt.where(City.id.in_(queries.user_city_ids(user)))
    rows = [(cid, name) for cid, name in db.session.execute(stmt.order_by(City.name))]
    return ([("", blank)] if blank is not None else []) + rows


def all_cities() -> list:
    return db.session.execute(db.select(City.id, City.name).order_by(City.name)).all()


def all_tracks() -> list:
    return db.session.execute(db.select(Track.id, Track.name).order_by(Track.name)).all()


def person_label(enrollment) -> str:
    """A participant in a picker: cohort names repeat across cities, so the city too."""
    cohort = enrollment.cohort
    return f"{enrollment.user.name} · {cohort.name} ({cohort.city.name})"
