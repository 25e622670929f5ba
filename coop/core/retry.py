"""One transaction per writing request, run again when it lost a race.

The rule: views never call ``db.session.commit()`` and services never commit. A view that
changes anything is wrapped in ``transaction``: it runs the view, commits once when the
view returns, and rolls back when it raises; a refusal the view catches goes through
``coop.core.errors.show_error``, which rolls back the refused attempt (so the commit that
follows holds nothing). Mail queued by services goes out after that commit
(``coop.core.mail``); work that must follow the commit (say, telling whether that mail
went out) is registered with ``after_commit``. GET views that only read need nothing.
CLI commands are the shell's request handlers: each commits once itself.

Running again:
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
from flask import current_app, g, render_template, request, session
from sqlalchemy.exc import DBAPIError

from coop.core.errors import has_writes
from coop.extensions import db

#: Requests that commit only when they wrote something (a page shown, not a form sent).
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

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


def after_commit(callback) -> None:
    """Call ``callback()`` once the view's transaction has committed (not when it is
    rolled back or run again)."""
    g.setdefault(AFTER_COMMIT, []).append(callback)


#: The key in ``flask.g`` of the callbacks waiting for the commit.
AFTER_COMMIT = "coop_after_commit"


def transaction(view=None, *, also: tuple[type[Exception], ...] = (), write_lock: bool = False):
    """Run a view in one transaction: commit once when it returns (a GET only when it
    wrote something), roll back when it raises. Run it again (after a rollback and a short random pause) when it lost a race,
    also at commit time; after ``ATTEMPTS`` tries, answer 503 with nothing saved.

    Use bare (``@transaction``) or with options:
    ``also``: domain exceptions that mean "another request changed this first".
    ``write_lock``: POSTs take SQLite's write lock first (for views many people use at
    once, where retrying alone would keep losing).
    """

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            for attempt in range(ATTEMPTS):
                flashes = list(session.get("_flashes", ()))
                g.pop(AFTER_COMMIT, None)
                try:
                    if write_lock and request.method == "POST":
                        sqlite_write_lock()
                    response = view(*args, **kwargs)
                    if request.method not in SAFE_METHODS or has_writes(db.session()):
                        db.session.commit()
                except (*also, DBAPIError) as exc:
                    db.session.rollback()
                    if not (isinstance(exc, also) or lost_race(exc)):
                        raise
                    if flashes or "_flashes" in session:
                        session["_flashes"] = flashes
                    current_app.logger.info("retrying %s (%s)", request.endpoint, exc)
                    time.sleep(random.uniform(0, 0.005 * 2**attempt))  # noqa: S311
                except BaseException:
                    db.session.rollback()
                    raise
                else:
                    for callback in g.pop(AFTER_COMMIT, ()):
                        callback()
                    return response
            return render_template(
                "errors/error.html",
                code=503,
                title="Busy",
                message="Many changes arrived at once and yours could not be saved. Nothing "
                "was changed; please try again.",
            ), 503

        return wrapped

    return decorator if view is None else decorator(view)
