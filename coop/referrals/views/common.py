"""What the referral pages share: paging, query-string and choice helpers (refusals go
through ``coop.core.errors.show_error``; the ``day_in`` filter is ``coop.core.filters``')."""

from dataclasses import dataclass, field

from flask import request
from flask_login import current_user

from coop.core import audit
from coop.core.forms import choices
from coop.core.pagination import paginate
from coop.extensions import db
from coop.programs.models import City, PartnerKind, Track
from coop.referrals import queries

#: Rows per section on pages that show several lists (each pages on its own).
SECTION_SIZE = 10
#: Partner kinds that hire.
HIRING_KINDS = (PartnerKind.EMPLOYER, PartnerKind.SPONSOR)


def paged(stmt, param: str = "page", per_page: int = SECTION_SIZE, *, count_ahead=False):
    """Paginate ``stmt`` on the query-string argument ``param`` (several lists, one page)."""
    return paginate(stmt, per_page, param, count_ahead=count_ahead)


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


@dataclass
class Picker:
    """Search-then-pick for a person (``referrals/_picker.html``): a GET search form, then
    the matches as radio choices of the form's field. Plain HTML, no script."""

    field: str
    search: str
    people: dict = field(default_factory=dict)
    #: More people matched than a picker lists: the page asks for a narrower search.
    more: bool = False
    #: Query-string arguments the search form carries on (``opening``, ``referral``).
    keep: dict = field(default_factory=dict)


def pick_person(form_field, keep: tuple[str, ...] = ()) -> Picker:
    """Fill ``form_field``'s choices with the people matching the ``q`` search (or
    everyone, when they are few), and the person already chosen: posted, or named by
    ``?participant=``. Returns what the page shows."""
    search = (request.args.get("q") or "").strip()[: queries.PICK_QUERY_MAX]
    source = request.form if request.method == "POST" else request.args
    raw = (source.get(form_field.name if request.method == "POST" else "participant") or "").strip()
    wanted = [int(raw)] if raw.isdigit() and len(raw) < 10 else []
    people, more = queries.pickable_people(current_user, search, wanted)
    form_field.choices = choices([(uid, person_label(e)) for uid, e in people.items()])
    kept = {k: request.args[k] for k in keep if request.args.get(k)}
    return Picker(form_field.name, search, people, more, kept)
