"""Sections of the person page (``people.person``) that any domain can add.

The person page (coop/people) sits on the top layer; a domain below it that holds
something about a person (a career plan, credentials, a profile) adds its own section
without editing that page, as ``core.nav.panel`` does for the cohort page::

    person_section("plans/_person_plan.html", _person_plan, order=45)  # coop/plans/views.py

``loader(view)`` gets a ``PersonView`` (who looks, at whom, how much they may see, and the
cohorts whose records they may see) and returns the template's context (a dict, given to
the template as ``section``), or None to show nothing. It runs a fixed number of queries,
eager-loading what its template shows, and reads only ``view.cohort_ids``' records. A
context may name the personal fields it shows under ``"disclosed"`` (see
``coop.core.audit.PERSONAL_FIELDS``): the page records that the viewer saw them.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PersonView:
    """What ``viewer`` may see of ``person``.

    ``level``: ``"staff"`` (staff of a city the person belongs to), ``"captain"`` (the
    captain of the person's pod: less, no salary, demographics or confidential notes) or
    ``"self"`` (the person on their own page). ``cohort_ids``: the cohorts whose records
    the viewer may see (staff: those in their cities; a captain: the pods they coach the
    person in; the person: all of theirs)."""

    viewer: object
    person: object
    level: str
    cohort_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_staff(self) -> bool:
        return self.level == "staff"

    @property
    def is_self(self) -> bool:
        return self.level == "self"

    @property
    def sees_private(self) -> bool:
        """Salary, phone and demographic answers: staff and the person, never a captain."""
        return self.level in ("staff", "self")


@dataclass(frozen=True)
class Section:
    template: str
    loader: object
    order: int


SECTIONS: list[Section] = []


def person_section(template: str, loader, order: int = 50) -> None:
    """Add a section to the person page (see the module's docstring)."""
    item = Section(template, loader, order)
    if item not in SECTIONS:
        SECTIONS.append(item)
        SECTIONS.sort(key=lambda s: (s.order, s.template))


def sections_for(view: PersonView) -> list[tuple[str, dict]]:
    """``(template, context)`` for each section with something to show, in order."""
    shown = []
    for item in SECTIONS:
        context = item.loader(view)
        if context is not None:
            shown.append((item.template, context))
    return shown
