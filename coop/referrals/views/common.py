"""What the referral pages share: paging, query-string and choice helpers (refusals go
through ``coop.core.errors.show_error``; the ``day_in`` filter is ``coop.core.filters``')."""

from flask import request
from flask_login import current_user

from coop.core import audit
from coop.core.pagination import paginate
from coop.extensions import db
from coop.programs.models import City, PartnerKind, Track
from coop.referrals import queries

#: Rows per section on pages that show several lists (each pages on its own).
SECTION_SIZE = 10
#: Partner kinds that hire.
HIRING_KINDS = (PartnerKind.EMPLOYER, PartnerKind.SPONSOR)


def paged(stmt, param: str = "page", per_page: int = SECTION_SIZE):
    """Paginate ``stmt`` on the query-string argument ``param`` (several lists, one page)."""
    return paginate(stmt, per_page, param)


def arg_int(name: str) -> int | None:
    return request.args.get(name, type=int) or None


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


def record_salaries_seen(placements, target) -> None:
    """Audit who saw these placements' salaries (one row per person); their cohorts are
    loaded, as ``queries.placement_list`` does."""
    audit.record_view(
        current_user,
        [(p.participant_id, p.cohort.city_id if p.cohort else None) for p in placements],
        ("salary",),
        target=target,
    )
