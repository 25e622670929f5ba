"""Every change to cities, tracks and cohorts. Each function checks its rule once,
flushes, writes an audit event and leaves the commit to the caller."""

import re
import unicodedata
from datetime import date

from sqlalchemy.exc import IntegrityError

from coop.core import clock, events
from coop.core.audit import changed_fields, record
from coop.core.errors import DomainError
from coop.core.links import https_url
from coop.extensions import db
from coop.programs.models import (
    ARCHIVABLE,
    COHORT_TRANSITIONS,
    City,
    Cohort,
    CohortStatus,
    Partner,
    Track,
    can_edit_catalog,
)

CITY_FIELDS = ["name", "slug", "timezone", "archived"]
TRACK_FIELDS = ["name", "slug", "description"]
COHORT_FIELDS = [
    "city_id",
    "track_id",
    "sponsor_id",
    "name",
    "start_date",
    "end_date",
    "capacity",
    "meeting_days",
    "meeting_time",
    "video_link",
    "status",
]


class ProgramError(DomainError):
    """A rule about cities, tracks or cohorts was broken. ``field`` names the form field
    the message belongs to (None: the whole request)."""


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80] or "x"


def _taken(model, column, value, exclude_id=None, **where) -> bool:
    stmt = db.select(model.id).where(column == value)
    for name, v in where.items():
        stmt = stmt.where(getattr(model, name) == v)
    if exclude_id is not None:
        stmt = stmt.where(model.id != exclude_id)
    return db.session.scalar(stmt.limit(1)) is not None


def _add_unique(obj, still_free, error: "ProgramError"):
    """Add and flush ``obj`` inside a SAVEPOINT. If a concurrent request took the same
    unique name between our check and the INSERT (a double-clicked form), the constraint
    refuses it and the caller gets ``error`` instead of a server error."""
    try:
        with db.session.begin_nested():
            db.session.add(obj)
            db.session.flush()
    except IntegrityError:
        if still_free():
            raise
        raise error from None


def _require_catalog_editor(actor) -> None:
    if not can_edit_catalog(actor):
        raise ProgramError("Only organisation-wide staff change cities and tracks.")


# -- cities ------------------------------------------------------------------------------


def _check_city(city_id, name: str, slug: str) -> None:
    if _taken(City, City.name, name, city_id):
        raise ProgramError(f"There is already a city called {name}.", "name")
    if _taken(City, City.slug, slug, city_id):
        raise ProgramError(f"Another city already uses {slug}.", "slug")


def create_city(*, actor, name: str, timezone: str, slug: str | None = None) -> City:
    """Add a city in an IANA zone (the form offers only valid ones)."""
    _require_catalog_editor(actor)
    slug = slug or slugify(name)
    _check_city(None, name, slug)
    city = City(name=name, slug=slug, timezone=timezone, archived=False)
    _add_unique(
        city,
        lambda: not _taken(City, City.name, name) and not _taken(City, City.slug, slug),
        ProgramError(f"There is already a city called {name}.", "name"),
    )
    record(actor, "city.create", city, ["name", "slug", "timezone"])
    return city


def update_city(
    city: City, *, actor, name: str, timezone: str, slug: str | None, archived: bool
) -> list[str]:
    """Rename, re-zone or archive a city; returns the names of the fields that changed."""
    _require_catalog_editor(actor)
    slug = slug or slugify(name)
    _check_city(city.id, name, slug)
    city.name, city.slug, city.timezone, city.archived = name, slug, timezone, archived
    changed = changed_fields(city, CITY_FIELDS)
    if changed:
        db.session.flush()
        record(actor, "city.update", city, changed)
    return changed


# -- tracks ------------------------------------------------------------------------------


def _check_track(track_id, name: str, slug: str) -> None:
    if _taken(Track, Track.name, name, track_id):
        raise ProgramError(f"There is already a track called {name}.", "name")
    if _taken(Track, Track.slug, slug, track_id):
        raise ProgramError(f"Another track already uses {slug}.", "slug")


def create_track(*, actor, name: str, slug: str | None = None, description=None) -> Track:
    _require_catalog_editor(actor)
    slug = slug or slugify(name)
    _check_track(None, name, slug)
    track = Track(name=name, slug=slug, description=description or None)
    _add_unique(
        track,
        lambda: not _taken(Track, Track.name, name) and not _taken(Track, Track.slug, slug),
        ProgramError(f"There is already a track called {name}.", "name"),
    )
    record(actor, "track.create", track, ["name", "slug", "description"])
    return track


def update_track(track: Track, *, actor, name: str, slug: str | None, description) -> list[str]:
    _require_catalog_editor(actor)
    slug = slug or slugify(name)
    _check_track(track.id, name, slug)
    track.name, track.slug, track.description = name, slug, description or None
    changed = changed_fields(track, TRACK_FIELDS)
    if changed:
        db.session.flush()
        record(actor, "track.update", track, changed)
    return changed


# -- cohorts -----------------------------------------------------------------------------


def _check_cohort(cohort_id, actor, city: City, track: Track, values: dict) -> None:
    """The rules every cohort obeys, whatever the form already checked."""
    if city is None or not city.can_manage(actor):
        raise ProgramError("Choose one of your cities.", "city_id")
    if track is None:
        raise ProgramError("Choose a track.", "track_id")
    if values["end_date"] <= values["start_date"]:
        raise ProgramError("The end date must be after the start date.", "end_date")
    if not 1 <= values["capacity"] <= 200:
        raise ProgramError("Capacity must be between 1 and 200.", "capacity")
    if "video_link" in values:
        try:
            values["video_link"] = https_url(values["video_link"])
        except ValueError as exc:
            raise ProgramError(str(exc), "video_link") from None
    if _taken(Cohort, Cohort.name, values["name"], cohort_id, city_id=city.id):
        raise ProgramError(f"{city.name} already has a cohort called {values['name']}.", "name")


def past_cohort_message(end_date: date) -> str:
    return (
        f"This cohort ended on {end_date:%B} {end_date.day}, {end_date.year}: a cohort in the "
        "past cannot recruit. Change its dates first if it runs again."
    )


def _check_recruiting(city: City, end_date: date, field: str) -> None:
    """Only a cohort that has not ended may recruit (and so show on the apply page)."""
    if end_date < clock.today_for_city(city):
        raise ProgramError(past_cohort_message(end_date), field)


def create_cohort(
    *, actor, city: City, track: Track, sponsor: Partner | None = None, **values
) -> Cohort:
    """Launch a cohort (status planned) in one of the actor's cities.

    ``values``: name, start_date, end_date, capacity, meeting_days, meeting_time,
    video_link.
    """
    _check_cohort(None, actor, city, track, values)
    cohort = Cohort(
        city_id=city.id,
        track_id=track.id,
        sponsor_id=sponsor.id if sponsor else None,
        status=CohortStatus.PLANNED,
        archived=False,
        **values,
    )
    name = values["name"]
    _add_unique(
        cohort,
        lambda: not _taken(Cohort, Cohort.name, name, city_id=city.id),
        ProgramError(f"{city.name} already has a cohort called {name}.", "name"),
    )
    record(actor, "cohort.create", cohort, [f for f in COHORT_FIELDS if f != "status"])
    return cohort


def enrolled_count(cohort: Cohort) -> int:
    """How many are enrolled; enrollment, a layer above, answers."""
    return events.answer(events.cohort_stage_counts, cohort).get("enrolled", 0)


def update_cohort(
    cohort: Cohort,
    *,
    actor,
    city: City,
    track: Track,
    sponsor: Partner | None = None,
    status: CohortStatus | None = None,
    **values,
) -> list[str]:
    """Change a cohort's facts (and, optionally, its status along an allowed step).
    Returns the names of the fields that changed; writes nothing when none did."""
    if not cohort.can_manage(actor):
        raise ProgramError("You cannot change this cohort.")
    _check_cohort(cohort.id, actor, city, track, values)
    if status is not None and not cohort.can_change_status(status):
        raise ProgramError(_transition_message(cohort, status), "status")
    if status is not None and status != cohort.status:
        _check_completion(cohort, status, graduating=False)
    opening = status == CohortStatus.RECRUITING and status != cohort.status
    if opening or (
        (status or cohort.status) == CohortStatus.RECRUITING
        and values["end_date"] != cohort.end_date
    ):
        _check_recruiting(city, values["end_date"], "status" if opening else "end_date")
    if values["capacity"] != cohort.capacity:
        # Enrollment keeps a seat counter (``seats_taken``); never go below it either.
        taken = max(enrolled_count(cohort), getattr(cohort, "seats_taken", 0) or 0)
        if values["capacity"] < taken:
            raise ProgramError(
                f"{taken} participants are enrolled; capacity cannot be lower.", "capacity"
            )
    cohort.city_id, cohort.track_id = city.id, track.id
    cohort.sponsor_id = sponsor.id if sponsor else None
    for name, value in values.items():
        setattr(cohort, name, value)
    if status is not None:
        cohort.status = status
    changed = changed_fields(cohort, COHORT_FIELDS)
    if changed:
        db.session.flush()
        record(actor, "cohort.update", cohort, changed)
    return changed


GRADUATE_FIRST = (
    "This cohort still has enrolled participants: complete it from its Graduation page, "
    "which graduates them (you can exclude people there)."
)


def _check_completion(cohort: Cohort, new: CohortStatus, graduating: bool) -> None:
    if new == CohortStatus.COMPLETED and not graduating and enrolled_count(cohort) > 0:
        raise ProgramError(GRADUATE_FIRST, "status")


def _transition_message(cohort: Cohort, new: CohortStatus) -> str:
    allowed = sorted(COHORT_TRANSITIONS[cohort.status], key=list(CohortStatus).index)
    if not allowed:
        return f"A {cohort.status} cohort cannot change status any more."
    options = " or ".join(str(s) for s in allowed)
    return f"A {cohort.status} cohort can become {options}, not {new}."


def change_status(cohort: Cohort, new: CohortStatus, *, actor, graduating: bool = False) -> None:
    """Move a cohort one step along planned → recruiting → active → completed, or cancel
    it; any other change is refused. The audit action names the new status
    (``cohort.recruiting``, ``cohort.cancelled``, …).

    Completing a cohort that still has enrolled participants goes through enrollment's
    graduation (which passes ``graduating=True``), so nobody is left enrolled by accident.
    """
    if not cohort.can_manage(actor):
        raise ProgramError("You cannot change this cohort.")
    if new == cohort.status:
        raise ProgramError(f"The cohort is already {new}.")
    if not cohort.can_change_status(new):
        raise ProgramError(_transition_message(cohort, new), "status")
    _check_completion(cohort, new, graduating)
    if new == CohortStatus.RECRUITING:
        _check_recruiting(db.session.get(City, cohort.city_id), cohort.end_date, "status")
    cohort.status = new
    db.session.flush()
    record(actor, f"cohort.{new}", cohort, ["status"])


def set_archived(cohort: Cohort, archived: bool, *, actor) -> None:
    """Hide a finished cohort from lists (or show it again). Nothing is deleted."""
    if not cohort.can_manage(actor):
        raise ProgramError("You cannot change this cohort.")
    if cohort.archived == archived:
        raise ProgramError(f"The cohort is {'already' if archived else 'not'} archived.")
    if archived and cohort.status not in ARCHIVABLE:
        raise ProgramError("Only completed or cancelled cohorts can be archived; cancel it first.")
    cohort.archived = archived
    db.session.flush()
    record(actor, "cohort.archive" if archived else "cohort.unarchive", cohort, ["archived"])
