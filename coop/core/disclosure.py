"""The small-group rule every report follows: counts of 1 to 4 people show as ``<5``, and
a rate, mean or median resting on fewer than 5 people is withheld, since it would reveal
what those few people did. Zero is shown as zero: it identifies nobody. The dashboard
(``coop.reports.figures``) and the assessment results use it."""

#: Groups smaller than this are not shown exactly.
SMALL_GROUP = 5
SMALL_LABEL = f"<{SMALL_GROUP}"


def small(n: int | None) -> bool:
    return n is not None and 0 < n < SMALL_GROUP


def count_text(n: int | None) -> str:
    """A number of people as shown: ``<5`` for 1-4."""
    if n is None:
        return "—"
    return SMALL_LABEL if small(n) else f"{n:,}"
