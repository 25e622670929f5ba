"""What every part of the demo seed shares: the context the foundation hands on, and
``bulk_insert`` for many rows at once."""

import random
from dataclasses import dataclass, field
from datetime import date

from coop.auth.models import User
from coop.extensions import db
from coop.programs.models import City, Cohort, Partner, Track


def bulk_insert(model):
    """A Core INSERT into ``model``'s table, for many rows given as dicts of column values.

    One executemany for all the rows (which must share their keys; leave a key out of
    every row to get the column's default). The ORM's bulk INSERT would cost a lot more
    per row and leaves a ``None`` out of the row's INSERT, splitting rows with ``None`` in
    different columns into many small batches.
    """
    return model.__table__.insert()


@dataclass
class SeedContext:
    """What the foundation seed made, handed to each part's ``seed(ctx)``."""

    today: date
    rng: random.Random
    password_hash: str
    cities: dict[str, City] = field(default_factory=dict)
    tracks: dict[str, Track] = field(default_factory=dict)
    partners: dict[str, Partner] = field(default_factory=dict)
    cohorts: list[Cohort] = field(default_factory=list)
    participants: list[User] = field(default_factory=list)
    accounts: dict[str, User] = field(default_factory=dict)
    #: Seconds each part of the seed took ("foundation", then each domain), for ``make bench``.
    timings: dict[str, float] = field(default_factory=dict)


def insert_rows(model, rows: list[dict]) -> None:
    """Insert many rows into ``model``'s table (dicts sharing their keys; a key left out
    of every row gets the column's default), in the session's transaction.

    On PostgreSQL this is one ``COPY``: psycopg 3 sends an executemany as one INSERT per
    row, which made most of a 10,000-participant seed (30 to 90 s); COPY takes a tenth of
    that. The values go through the columns' own conversions (enums, JSON, UTC times)
    exactly as an INSERT would. Elsewhere it is the executemany of ``bulk_insert``.
    """
    if not rows:
        return
    table = model.__table__
    conn = db.session.connection()
    dialect = conn.dialect
    if dialect.name != "postgresql":
        conn.execute(table.insert(), rows)
        return
    keys = list(rows[0])
    # Python-side defaults the INSERT would have filled in for the keys left out.
    defaults = {
        c.key: c.default
        for c in table.columns
        if c.key not in keys and c.default is not None and not c.primary_key
    }
    columns = [table.c[k] for k in keys] + [table.c[k] for k in defaults]
    processors = [c.type._cached_bind_processor(dialect) for c in columns]
    names = ", ".join(dialect.identifier_preparer.quote(c.name) for c in columns)
    sql = f"COPY {dialect.identifier_preparer.format_table(table)} ({names}) FROM STDIN"
    cursor = conn.connection.driver_connection.cursor()
    try:
        with cursor.copy(sql) as copy:
            for row in rows:
                values = [row[k] for k in keys]
                for default in defaults.values():
                    values.append(default.arg(None) if default.is_callable else default.arg)
                copy.write_row(
                    [
                        p(v) if p is not None and v is not None else v
                        for p, v in zip(processors, values, strict=True)
                    ]
                )
    finally:
        cursor.close()
