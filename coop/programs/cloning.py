"""New terms from old ones: clone one cohort, or every cohort of one term in one city.

A term is a half year named from a cohort's start date: cohorts starting January to June
belong to "Spring <year>", July to December to "Fall <year>". The next term starts
``TERM_LENGTH`` later (26 weeks: the same weekday, so the meeting pattern still fits).
"""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.exc import IntegrityError

from coop.core.audit import record
from coop.extensions import db
from coop.programs.models import City, Cohort, CohortStatus, Track
from coop.programs.services import COHORT_FIELDS, ProgramError, _check_cohort

#: From one term's start to the next (26 weeks keeps the weekday).
TERM_LENGTH = timedelta(weeks=26)
TERM_RE = re.compile(r"\b(Spring|Fall)\s+(\d{4})\b")

#: Columns a clone never copies: identity, name and dates (staff set them), lifecycle
#: state and counters. Every other column is copied, so the per-cohort settings other
#: domains add (waitlist, pods, check-ins, ...) come along without changes here.
NOT_COPIED = frozenset(
    {
        "id",
        "name",
        "start_date",
        "end_date",
        "status",
        "seats_taken",
        "archived",
        "created_at",
        "updated_at",
    }
)


def term_of(day: date) -> str:
    """The term a cohort starting on ``day`` belongs to, e.g. ``"Fall 2026"``."""
    return f"{'Spring' if day.month <= 6 else 'Fall'} {day.year}"


def next_term(term: str) -> str:
    """``"Fall 2026"`` -> ``"Spring 2027"``; ``"Spring 2027"`` -> ``"Fall 2027"``."""
    match = TERM_RE.fullmatch(term.strip())
    if not match:
        raise ValueError(f"not a term: {term!r}")
    season, year = match.group(1), int(match.group(2))
    return f"Spring {year + 1}" if season == "Fall" else f"Fall {year}"


def upcoming_terms(today: date, count: int = 3) -> list[str]:
    """The current term and the next ones, for the applicants' survey."""
    terms = [term_of(today)]
    while len(terms) < count:
        terms.append(next_term(terms[-1]))
    return terms


def term_key(term: str) -> tuple[int, int]:
    """Sort key: terms in time order (unknown text last)."""
    match = TERM_RE.fullmatch(term.strip())
    if not match:
        return (9999, 9)
    return (int(match.group(2)), 0 if match.group(1) == "Spring" else 1)


@dataclass
class Suggestion:
    name: str
    start_date: date
    end_date: date


def suggest(cohort: Cohort) -> Suggestion:
    """The next term's name and dates for a clone of ``cohort``: the term in the name
    moves on (or the new term is appended), the dates shift by the term length."""
    old_term = term_of(cohort.start_date)
    new_term = next_term(old_term)
    if TERM_RE.search(cohort.name):
        name = TERM_RE.sub(lambda m: next_term(m.group(0)), cohort.name, count=1)
    else:
        name = f"{cohort.name} · {new_term}"[:120]
    return Suggestion(name, cohort.start_date + TERM_LENGTH, cohort.end_date + TERM_LENGTH)


def copied_values(cohort: Cohort) -> dict:
    """The settings a clone takes from ``cohort``."""
    return {
        col.key: getattr(cohort, col.key)
        for col in Cohort.__mapper__.column_attrs
        if col.key not in NOT_COPIED
    }


def clone_cohort(cohort: Cohort, *, actor, name: str, start_date: date, end_date: date) -> Cohort:
    """A new planned cohort with ``cohort``'s settings (track, city, capacity, meeting
    pattern, video link, sponsor, waitlist and pod settings) under a new name and dates."""
    city = db.session.get(City, cohort.city_id)
    values = copied_values(cohort)
    checked = {
        "name": name.strip(),
        "start_date": start_date,
        "end_date": end_date,
        "capacity": values["capacity"],
    }
    _check_cohort(None, actor, city, db.session.get(Track, cohort.track_id), checked)
    clone = Cohort(
        **values,
        name=checked["name"],
        start_date=start_date,
        end_date=end_date,
        status=CohortStatus.PLANNED,
        seats_taken=0,
        archived=False,
    )
    try:
        with db.session.begin_nested():
            db.session.add(clone)
            db.session.flush()
    except IntegrityError:  # the unique name, taken by a concurrent request
        raise ProgramError(f"{city.name} already has a cohort called {name}.", "name") from None
    record(
        actor,
        "cohort.clone",
        clone,
        [f for f in COHORT_FIELDS if f != "status"],
        f"from {cohort.id}",
    )
    return clone


# -- a whole term ------------------------------------------------------------------------


@dataclass
class TermRow:
    source: Cohort
    suggestion: Suggestion
    errors: list[str] = field(default_factory=list)


@dataclass
class TermPlan:
    city: City
    term: str
    new_term: str
    rows: list[TermRow]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not any(r.errors for r in self.rows)


def term_cohorts(city: City, term: str) -> list[Cohort]:
    """The (not cancelled, not archived) cohorts of ``city`` starting in ``term``."""
    cohorts = db.session.scalars(
        db.select(Cohort)
        .where(
            Cohort.city_id == city.id,
            Cohort.archived.is_(False),
            Cohort.status != CohortStatus.CANCELLED,
        )
        .order_by(Cohort.start_date, Cohort.name, Cohort.id)
    ).all()
    return [c for c in cohorts if term_of(c.start_date) == term]


def city_terms(city: City) -> list[str]:
    """Every term with a cohort in ``city``, latest first."""
    starts = db.session.scalars(
        db.select(Cohort.start_date).where(Cohort.city_id == city.id, Cohort.archived.is_(False))
    ).all()
    return sorted({term_of(d) for d in starts}, key=term_key, reverse=True)


def plan_term(city: City, term: str) -> TermPlan:
    """The preview of cloning every cohort of ``term`` in ``city``: one row per cohort
    with the suggested name and dates, and what stops it (a name already taken)."""
    rows = [TermRow(c, suggest(c)) for c in term_cohorts(city, term)]
    names = [r.suggestion.name for r in rows]
    taken = set()
    if names:
        taken = set(
            db.session.scalars(
                db.select(Cohort.name).where(Cohort.city_id == city.id, Cohort.name.in_(names))
            )
        )
    for row in rows:
        if row.suggestion.name in taken:
            row.errors.append(f"{city.name} already has a cohort called {row.suggestion.name}.")
        elif names.count(row.suggestion.name) > 1:
            row.errors.append(f"Two cohorts would both be called {row.suggestion.name}.")
    return TermPlan(city, term, next_term(term), rows)


def clone_term(city: City, term: str, *, actor) -> list[Cohort]:
    """Clone every cohort of ``term`` in ``city`` with the suggested names and dates, all
    or nothing: if any row cannot be cloned, nothing is."""
    if not TERM_RE.fullmatch(term.strip()):
        raise ProgramError("Choose a term such as Fall 2026.")
    plan = plan_term(city, term)
    if not plan.rows:
        raise ProgramError(f"{city.name} has no cohorts in {term}.")
    if not plan.ok:
        raise ProgramError(
            "Nothing was cloned: " + " ".join(e for r in plan.rows for e in r.errors)
        )
    return [
        clone_cohort(
            r.source,
            actor=actor,
            name=r.suggestion.name,
            start_date=r.suggestion.start_date,
            end_date=r.suggestion.end_date,
        )
        for r in plan.rows
    ]
