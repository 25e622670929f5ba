"""Separate apps with real sessions, for tests whose transactions must run at the same time.

The suite's ``db`` fixture binds every session to one rolled-back connection, so threads
would share it. These helpers build an app of its own on a SQLite file in ``tmp_path``
(or, with ``COOP_TEST_DATABASE_URL``, in a throw-away PostgreSQL schema), give it
Flask-SQLAlchemy's own scoped session (one per app context), and drop what was made.
"""

import importlib.metadata
import os
import uuid
from contextlib import contextmanager, nullcontext

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_login.utils import _create_identifier

from coop import create_app, normalise_db_url
from coop.auth import user_sessions
from coop.auth.models import User
from coop.extensions import db

USER_AGENT = f"Werkzeug/{importlib.metadata.version('werkzeug')}"


@contextmanager
def throwaway_database(tmp_path, label: str):
    """The URL of an empty database of the test's own: a SQLite file in ``tmp_path``, or,
    with ``COOP_TEST_DATABASE_URL``, a PostgreSQL database ``<name>_<label>`` created here
    and dropped afterwards (for tests whose code builds its own app and tables)."""
    base = os.environ.get("COOP_TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / f'{label}.sqlite'}"
        return
    url = sa.make_url(normalise_db_url(base))
    name = f"{url.database}_{label}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@contextmanager
def separate_app(tmp_path, monkeypatch, label: str, engine_options: dict | None = None):
    url = os.environ.get("COOP_TEST_DATABASE_URL")
    options = dict(engine_options or {})
    schema = None
    if url:
        schema = f"{label}_{uuid.uuid4().hex[:8]}"
        options["connect_args"] = {"options": f"-csearch_path={schema}"}
    else:
        url = f"sqlite:///{tmp_path / f'{label}.sqlite'}"
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=url,
        SQLALCHEMY_ENGINE_OPTIONS=options,
        WTF_CSRF_ENABLED=False,
    )
    monkeypatch.setattr(db, "session", db._make_scoped_session({}))
    with app.app_context():
        if schema:
            with db.engine.begin() as conn:
                conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        db.create_all()
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            if schema:
                with db.engine.begin() as conn:
                    conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            else:
                db.drop_all()
            db.engine.dispose()


def signed_in_client(app, user_token: str):
    """A test client of ``app`` signed in as the user whose ``get_id()`` is given."""
    client = app.test_client()
    # A session row, as signing in makes; in the caller's app context when it has one
    # (a second context's session would wait on the first's open SQLite transaction).
    inside = has_app_context() and current_app._get_current_object() is app
    with nullcontext() if inside else app.app_context():
        user = db.session.get(User, int(user_token.split(":", 1)[0]))
        _, token = user_sessions.start(user, user_agent=USER_AGENT, ip="127.0.0.1")
        db.session.commit()
    with app.test_request_context(
        environ_base={"REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": USER_AGENT}
    ):
        identifier = _create_identifier()
    with client.session_transaction() as session:
        session.update({"_user_id": user_token, "_fresh": True, "_id": identifier})
        session[user_sessions.SESSION_KEY] = token
    return client
