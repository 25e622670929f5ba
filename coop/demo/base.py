"""What every part of the demo seed shares: the context the foundation hands on, and
``bulk_insert`` for many rows at once."""

import random
from dataclasses import dataclass, field
from datetime import date

from coop.auth.models import User
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
