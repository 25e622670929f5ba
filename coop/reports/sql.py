"""Portable SQL pieces for the reports: date arithmetic and medians that work the same
on SQLite and PostgreSQL.

SQLite has no interval type and no percentile function; these compile to each
dialect's own spelling, so a report is still one query whatever the database.
"""

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from coop.db import UTCDateTime


class months_after(FunctionElement):  # noqa: N801 - used like a SQL function
    """``months_after(date_column, n)``: the same day ``n`` months later, or that month's
    last day when it is shorter (Aug 31 + 6 months = Feb 28), like
    ``coop.referrals.models.add_months``."""

    type = sa.Date()
    name = "months_after"
    inherit_cache = True


@compiles(months_after, "sqlite")
def _months_after_sqlite(element, compiler, **kw):
    day, months = (compiler.process(c, **kw) for c in element.clauses)
    # date(d, '+n months') overflows into the next month (Aug 31 + 6 -> Mar 2); the last
    # day of the target month caps it. ISO dates compare correctly as text.
    return (
        f"min(date({day}, '+' || ({months}) || ' months'), "
        f"date({day}, 'start of month', '+' || (({months}) + 1) || ' months', '-1 day'))"
    )


@compiles(months_after, "postgresql")
def _months_after_postgresql(element, compiler, **kw):
    day, months = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST({day} + make_interval(months => CAST({months} AS INTEGER)) AS DATE)"


class ended_by(FunctionElement):  # noqa: N801
    """``ended_by(start, minutes, now)``: true when ``start + minutes`` is at or before
    ``now`` (all UTC)."""

    type = sa.Boolean()
    name = "ended_by"
    inherit_cache = True


@compiles(ended_by, "sqlite")
def _ended_by_sqlite(element, compiler, **kw):
    start, minutes, now = (compiler.process(c, **kw) for c in element.clauses)
    # Both sides through datetime() so they share the "YYYY-MM-DD HH:MM:SS" format.
    return f"(datetime({start}, '+' || ({minutes}) || ' minutes') <= datetime({now}))"


@compiles(ended_by, "postgresql")
def _ended_by_postgresql(element, compiler, **kw):
    start, minutes, now = (compiler.process(c, **kw) for c in element.clauses)
    return f"({start} + make_interval(mins => CAST({minutes} AS INTEGER)) <= {now})"


def utc_param(value):
    """A bound UTC timestamp, stored the way the columns store it."""
    return sa.literal(value, UTCDateTime())


def dialect_name() -> str:
    """The name of the database the session's queries go to."""
    from coop.extensions import db

    return db.session.get_bind().dialect.name


def medians(values, group_col: str = "grp", measure_col: str = "measure", value_col: str = "v"):
    """A select of ``(group, measure, median, n)`` over a subquery ``values`` with one row
    per person and measure.

    Portable: ROW_NUMBER and COUNT over each (group, measure) partition, then the middle
    row (odd n) or the mean of the two middle rows (even n): positions ``(n + 1) // 2``
    and ``(n + 2) // 2`` (floor division, which SQLAlchemy spells for each database).
    """
    grp, measure, v = values.c[group_col], values.c[measure_col], values.c[value_col]
    if dialect_name() == "postgresql":
        # The same figure (the mean of the two middle values for an even n) from
        # PostgreSQL's own ordered-set aggregate: a sort per group instead of two window
        # passes over every value.
        return sa.select(
            grp.label("grp"),
            measure.label("measure"),
            sa.func.percentile_cont(0.5).within_group(v).label("median"),
            sa.func.count().label("n"),
        ).group_by(grp, measure)
    partition = (grp, measure)
    ranked = sa.select(
        grp.label("grp"),
        measure.label("measure"),
        v.label("v"),
        sa.func.row_number().over(partition_by=partition, order_by=v).label("rn"),
        sa.func.count().over(partition_by=partition).label("n"),
    ).subquery("ranked")
    return (
        sa.select(
            ranked.c.grp,
            ranked.c.measure,
            sa.func.avg(ranked.c.v).label("median"),
            sa.func.max(ranked.c.n).label("n"),
        )
        .where(ranked.c.rn.in_([(ranked.c.n + 1) // 2, (ranked.c.n + 2) // 2]))
        .group_by(ranked.c.grp, ranked.c.measure)
    )
