"""Shared fixtures: one app per session, a rolled-back transaction per test, a client,
``login_as``, factories and a query counter.

The suite runs on in-memory SQLite by default, and on PostgreSQL when
``COOP_TEST_DATABASE_URL`` is set (``make test-postgres``), and at another instant when
``COOP_TEST_NOW`` is set (``tests/timetravel.py``, docs/testing.md).
"""

import contextvars
import importlib.metadata
import re
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask.globals import _cv_app
from flask.testing import FlaskClient
from flask_login.utils import _create_identifier
from sqlalchemy.orm import scoped_session, sessionmaker

from coop import create_app
from coop.auth import user_sessions
from coop.auth.models import Role
from coop.core.mail import QUEUE as MAIL_QUEUE
from coop.enrollment import history
from coop.extensions import db as _db
from coop.extensions import limiter, mail
from coop.sessions import tallies
from tests.factories import Factory
from tests.pgworkers import use_worker_database

pytest_plugins = ["tests.timetravel"]

use_worker_database()  # read when the first app is built, after this


class TestSession(scoped_session):
    """The test's session, shared with the requests it makes.

    A request's teardown would close it; here it only expires what was loaded, so the
    next request (and the test) read fresh rows from the same outer transaction. Mail the
    request queued but never committed is dropped, as closing the session would drop it.
    """

    def remove(self):
        if self.registry.has():
            self.registry().expire_all()
            self.registry().info.pop(MAIL_QUEUE, None)


class IsolatedClient(FlaskClient):
    """A test client whose requests get their own app context (and so their own ``g``,
    where Flask-Login caches the current user), as they do in production."""

    def open(self, *args, **kwargs):
        def run():
            _cv_app.set(None)
            return FlaskClient.open(self, *args, **kwargs)

        return contextvars.copy_context().run(run)


@pytest.fixture(scope="session")
def app():
    app = create_app("testing", WTF_CSRF_ENABLED=False)
    app.test_client_class = IsolatedClient
    with app.app_context():
        _db.drop_all()
        _db.create_all()
        yield app
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()


@pytest.fixture(autouse=True)
def db(app):
    """Each test runs inside one outer transaction that is rolled back afterwards.

    The app's own commits become SAVEPOINT releases, so views behave as in production
    while nothing leaks between tests.
    """
    connection = _db.engine.connect()
    outer = connection.begin()
    original = _db.session
    _db.session = TestSession(
        sessionmaker(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=True
        )
    )
    mail.outbox.clear()
    limiter.reset()
    try:
        yield _db
        _check_stored()
    finally:
        _db.session.registry().close()
        _db.session = original
        outer.rollback()
        connection.close()


#: What the services store to spare the reports a count, each with the function that
#: lists what disagrees with a fresh count: attendance tallies (``coop.sessions.tallies``)
#: and enrollments' history marks (``coop.enrollment.history``).
STORED = [
    ("attendance tallies (session, stored, counted)", tallies.stale),
    ("enrollment history marks (enrollment, stored, counted)", history.stale),
]


def _check_stored() -> None:
    """After every test: everything stored agrees with a fresh count, so a change to
    attendance, to a cohort's members or to an enrollment's history that forgets to
    update what is stored fails whichever test makes it. A transaction the test left
    broken has nothing to check."""
    for what, stale in STORED:
        try:
            with _db.session.no_autoflush:
                wrong = stale()
        except sa.exc.SQLAlchemyError:
            return
        if wrong:
            pytest.fail(f"stale {what}: {wrong}")


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def factory():
    return Factory()


@pytest.fixture
def outbox():
    return mail.outbox


@pytest.fixture
def login_as(app, client, factory):
    """Sign the test client in: ``login_as("staff")``, ``login_as("city_staff", cities=[c])``,
    ``login_as("captain")``, ``login_as("participant")`` or ``login_as(user)``."""

    def _login(who, **kw):
        if isinstance(who, str):
            if who == "city_staff":
                cities = kw.pop("cities", None) or [factory.city()]
                user = factory.user(Role.STAFF, cities=cities, all_cities=False, **kw)
            else:
                user = factory.user(Role(who), **kw)
        else:
            user = who
        # What "strong" session protection checks: the client's address and user agent.
        agent = client.environ_base.get(
            "HTTP_USER_AGENT", f"Werkzeug/{importlib.metadata.version('werkzeug')}"
        )
        # A session row, as signing in makes (coop.auth.user_sessions).
        _, token = user_sessions.start(user, user_agent=agent, ip="127.0.0.1")
        _db.session.commit()
        with app.test_request_context(
            environ_base={"REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": agent}
        ):
            identifier = _create_identifier()
        with client.session_transaction() as session:
            session.clear()
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
            session["_id"] = identifier
            session[user_sessions.SESSION_KEY] = token
        return user

    return _login


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        if not re.match(r"\s*(SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT)", statement, re.I):
            self.statements.append(statement)


@pytest.fixture
def count_queries(app):
    """``with count_queries() as q: ...`` then ``q.count`` is the number of SQL statements
    (transaction control excluded)."""

    @contextmanager
    def _count():
        counter = QueryCounter()
        engine = _db.engine
        sa.event.listen(engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            sa.event.remove(engine, "before_cursor_execute", counter)

    return _count


@pytest.fixture
def csrf_enabled(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False
