"""Running a writing request again when it lost a race with a concurrent one.

SQLite answers "database is locked" at once to a transaction that has read and then
wants to write while another writer is active (waiting could deadlock); PostgreSQL may
refuse a transaction with a deadlock or serialization failure. Either way the
transaction is rolled back (with any mail it queued) and the request can simply run
again, and then sees what the other request wrote.
"""

import random
import time
from functools import wraps

import sqlalchemy as sa
from flask import current_app, render_template, request
from sqlalchemy.exc import DBAPIError

from coop.extensions import db

#: How often a request that lost a race is run again.
ATTEMPTS = 8


def lost_race(exc: Exception) -> bool:
    """SQLite's "database is locked" or PostgreSQL's deadlock/serialization failure."""
    if not isinstance(exc, DBAPIError):
        return False
    if getattr(exc.orig, "sqlstate", None) in ("40001", "40P01"):
        return True
    return "database is locked" in str(exc.orig) or "database table is locked" in str(exc.orig)


def sqlite_write_lock() -> None:
    """SQLite only: start the transaction by taking the write lock, waiting for it.

    A writing request ends the read transaction its sign-in check opened and begins with
    a write that matches nothing (what ``BEGIN IMMEDIATE`` does); the busy timeout then
    queues concurrent writers instead of failing them. PostgreSQL needs none of this.
    """
    if db.session.get_bind().dialect.name != "sqlite":
        return
    db.session.rollback()
    db.session.execute(sa.text("UPDATE cohorts SET id = id WHERE 1 = 0"))


def retried(*, also: tuple[type[Exception], ...] = (), write_lock: bool = False):
    """Run a view again (after a rollback and a short random pause) when it lost a race;
    after ``ATTEMPTS`` tries, answer 503 with nothing saved.

    ``also``: domain exceptions that mean "another request changed this first".
    ``write_lock``: POSTs take SQLite's write lock first (for views many people use at
    once, where retrying alone would keep losing).
    """

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            for attempt in range(ATTEMPTS):
                try:
                    if write_lock and request.method == "POST":
                        sqlite_write_lock()
                    return view(*args, **kwargs)
                except (*also, DBAPIError) as exc:
                    db.session.rollback()
                    if not (isinstance(exc, also) or lost_race(exc)):
                        raise
                    current_app.logger.info("retrying %s (%s)", request.endpoint, exc)
                    time.sleep(random.uniform(0, 0.005 * 2**attempt))  # noqa: S311
            return render_template(
                "errors/error.html",
                code=503,
                title="Busy",
                message="Many changes arrived at once and yours could not be saved. Nothing "
                "was changed; please try again.",
            ), 503

        return wrapped

    return decorator
