"""One figure on the dashboard: its value, how many people it rests on, and how it is
shown so that small groups stay anonymous.

Counts of 1 to 4 people show as ``<5``. A rate or a median resting on fewer than 5
people is withheld (and its base shown as ``<5``), since it would reveal what those
few people did or earn. Zero is shown as zero: it identifies nobody.
"""

import enum
from dataclasses import dataclass

# The rule lives in core, so the assessment results (a lower layer) follow it too.
from coop.core.disclosure import SMALL_GROUP, SMALL_LABEL, count_text, small  # noqa: F401

NOT_AVAILABLE = "not available"
WITHHELD = "withheld"


class Kind(enum.StrEnum):
    COUNT = "count"
    RATE = "rate"
    MONEY = "money"


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    kind: Kind
    #: The count, the rate (0..1) or the amount; None when there is nothing to compute.
    value: float | int | None = None
    #: How many people (or referrals, see ``unit``) the figure rests on.
    base: int | None = None
    #: What ``base`` counts, e.g. "applicants", "graduates", "referrals".
    unit: str = "people"
    #: False while the data this figure needs does not exist yet in coop.
    available: bool = True
    #: The definition, shown beside the figure and in exports.
    note: str = ""

    # -- what is shown ------------------------------------------------------------------
    @property
    def withheld(self) -> bool:
        """True when the exact value must not be shown (a small group)."""
        if not self.available:
            return False
        if self.kind == Kind.COUNT:
            return small(self.value)
        return small(self.base)

    @property
    def empty(self) -> bool:
        """Available, but nobody to compute it on (base zero, or no value)."""
        if not self.available or self.withheld:
            return False
        if self.kind == Kind.COUNT:
            return self.value is None
        return not self.base or self.value is None

    @property
    def text(self) -> str:
        """The value as displayed on the page."""
        if not self.available:
            return NOT_AVAILABLE
        if self.kind == Kind.COUNT:
            return count_text(self.value)
        if self.withheld or self.empty:
            return "—"
        if self.kind == Kind.RATE:
            return f"{self.value * 100:.0f}%"
        return f"${self.value:,.0f}"

    @property
    def export_value(self) -> str:
        """The value in a CSV: like ``text`` but saying why a rate is missing."""
        if self.available and self.kind != Kind.COUNT and self.withheld:
            return WITHHELD
        if self.empty:
            return ""
        return self.text

    @property
    def base_text(self) -> str:
        if not self.available or self.base is None:
            return ""
        return count_text(self.base)

    @property
    def based_on(self) -> str:
        """``based on 40 applicants`` (or ``<5``)."""
        if not self.available:
            return "data not in coop yet"
        if self.base is None:
            return ""
        return f"based on {self.base_text} {self.unit}"

    @property
    def chart_value(self) -> float | None:
        """The value a chart may draw; None when withheld, empty or unavailable."""
        if not self.available or self.withheld or self.empty:
            return None
        return float(self.value)


def rate(
    key: str,
    label: str,
    numerator: int | None,
    denominator: int | None,
    unit: str,
    base: int | None = None,
    note: str = "",
) -> Figure:
    """``numerator / denominator``; ``base`` is the number of people it rests on when
    that differs from the denominator (attendance: people, not person-sessions)."""
    value = (numerator or 0) / denominator if denominator else None
    if base is None:
        base = denominator or 0
    return Figure(key, label, Kind.RATE, value, base, unit, note=note)


def count(
    key: str, label: str, n: int | None, base: int | None, unit: str, note: str = ""
) -> Figure:
    return Figure(key, label, Kind.COUNT, int(n or 0), base, unit, note=note)


def money(key: str, label: str, amount, base: int | None, unit: str, note: str = "") -> Figure:
    value = float(amount) if amount is not None else None
    return Figure(key, label, Kind.MONEY, value, base or 0, unit, note=note)


def unavailable(key: str, label: str, kind: Kind, note: str = "") -> Figure:
    return Figure(key, label, kind, available=False, note=note)
