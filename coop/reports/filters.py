"""The dashboard's filters: a GET form, and the cohorts they select.

Every figure is about the people of a set of cohorts: those in the viewer's cities,
narrowed by city, track, one cohort, and a range of start dates.
"""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from wtforms import DateField, SelectField
from wtforms.validators import Optional, ValidationError

from coop.core.forms import FlaskForm, optional_int
from coop.core.inputs import INT_MAX
from coop.extensions import db
from coop.programs.models import City, Cohort, Track


class FilterForm(FlaskForm):
    """Read from the query string; changes nothing, so no CSRF token."""

    class Meta:
        csrf = False

    city = SelectField("City", coerce=optional_int, validators=[Optional()])
    track = SelectField("Track", coerce=optional_int, validators=[Optional()])
    cohort = SelectField("Cohort", coerce=optional_int, validators=[Optional()])
    start_from = DateField("Cohorts starting from", validators=[Optional()])
    start_to = DateField("to", validators=[Optional()])

    def validate_start_to(self, field):
        if field.data and self.start_from.data and field.data < self.start_from.data:
            raise ValidationError("The end of the range must not be before its start.")


@dataclass(frozen=True)
class Filters:
    city_id: int | None = None
    track_id: int | None = None
    cohort_id: int | None = None
    start_from: date | None = None
    start_to: date | None = None

    @property
    def active(self) -> bool:
        return any(v is not None for v in self.__dict__.values())

    def query_args(self) -> dict:
        """The filters as query-string arguments (for export and sort links)."""
        out = {
            "city": self.city_id,
            "track": self.track_id,
            "cohort": self.cohort_id,
            "start_from": self.start_from.isoformat() if self.start_from else None,
            "start_to": self.start_to.isoformat() if self.start_to else None,
        }
        return {k: v for k, v in out.items() if v is not None}


#: Most cohorts the cohort drop-down offers: the latest to start among those the other
#: filters select (the chosen cohort is always among them). A program of 600 cohorts
#: would otherwise send them all, as 48 KB of options, on every page.
COHORT_CHOICES = 40


def _int_arg(args, name: str) -> int | None:
    """An id from the query string, or None (nothing, not a number, or past the range of
    an id column: PostgreSQL's INTEGER, the same rule as ``core.inputs``)."""
    raw = (args.get(name) or "").strip()
    if not raw.isdigit() or len(raw) > 18:
        return None
    number = int(raw)
    return number if number <= INT_MAX else None


@dataclass
class Choices:
    """What the viewer may filter by: only their cities, and cohorts in them."""

    cities: list[tuple[int, str]]
    tracks: list[tuple[int, str]]
    cohorts: list[tuple[int, str]]

    @classmethod
    def load(cls, user, args=None) -> "Choices":
        """The cities and tracks, and the cohorts the drop-down offers: the latest
        ``COHORT_CHOICES`` to start in the city and track chosen in ``args`` (the query
        string), and the chosen cohort whatever its date, if the viewer may see it."""
        args = args or {}
        cities = db.session.execute(
            user.scope_to_cities(sa.select(City.id, City.name), City.id).order_by(City.name)
        ).all()
        tracks = db.session.execute(sa.select(Track.id, Track.name).order_by(Track.name)).all()
        offered = sa.select(Cohort.id)
        for name, column in (("city", Cohort.city_id), ("track", Cohort.track_id)):
            if (value := _int_arg(args, name)) is not None:
                offered = offered.where(column == value)
        offered = user.scope_to_cities(offered, Cohort.city_id)
        offered = offered.order_by(Cohort.start_date.desc(), Cohort.id.desc())
        offered = offered.limit(COHORT_CHOICES)
        wanted = Cohort.id.in_(offered.scalar_subquery())
        if (chosen := _int_arg(args, "cohort")) is not None:
            wanted = sa.or_(wanted, Cohort.id == chosen)
        cohorts = db.session.execute(
            user.scope_to_cities(
                sa.select(Cohort.id, Cohort.name, City.name)
                .join(City, City.id == Cohort.city_id)
                .where(wanted)
                .order_by(Cohort.start_date.desc(), City.name, Cohort.name),
                Cohort.city_id,
            )
        ).all()
        return cls(
            cities=[(i, n) for i, n in cities],
            tracks=[(i, n) for i, n in tracks],
            cohorts=[(i, f"{n} ({c})") for i, n, c in cohorts],
        )

    def apply(self, form: FilterForm) -> None:
        form.city.choices = [("", "All cities")] + self.cities
        form.track.choices = [("", "All tracks")] + self.tracks
        form.cohort.choices = [("", "All cohorts")] + self.cohorts

    def allows(self, args) -> bool:
        """False when the query string names a city, track or cohort the viewer may not
        see (or that does not exist): the view answers 404, revealing nothing. (A chosen
        cohort the viewer may see is always among ``cohorts``.)"""
        for name, options in (
            ("city", self.cities),
            ("track", self.tracks),
            ("cohort", self.cohorts),
        ):
            raw = (args.get(name) or "").strip()
            if not raw:
                continue
            if not raw.isdigit() or int(raw) not in {i for i, _ in options}:
                return False
        return True


def from_form(form: FilterForm) -> Filters:
    return Filters(
        city_id=form.city.data,
        track_id=form.track.data,
        cohort_id=form.cohort.data,
        start_from=form.start_from.data,
        start_to=form.start_to.data,
    )


def cohort_scope(filters: Filters, user) -> sa.Select:
    """``SELECT cohorts.id`` of the cohorts the figures are about."""
    stmt = sa.select(Cohort.id)
    if filters.city_id is not None:
        stmt = stmt.where(Cohort.city_id == filters.city_id)
    if filters.track_id is not None:
        stmt = stmt.where(Cohort.track_id == filters.track_id)
    if filters.cohort_id is not None:
        stmt = stmt.where(Cohort.id == filters.cohort_id)
    if filters.start_from is not None:
        stmt = stmt.where(Cohort.start_date >= filters.start_from)
    if filters.start_to is not None:
        stmt = stmt.where(Cohort.start_date <= filters.start_to)
    return user.scope_to_cities(stmt, Cohort.city_id)
