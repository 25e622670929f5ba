"""A request that only read ends with COMMIT, anything else with the usual rollback
(``coop.db.end_read_only``): psycopg 3 forgets its prepared statements on each ROLLBACK,
so pages only keep them if read-only transactions commit.

These tests use their own engine and session, outside the rolled-back transaction every
other test runs in (whose setup has always written).
"""

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from coop import create_app
from coop.db import end_read_only
from coop.extensions import db
from coop.programs.models import City


def _tables_for(engine) -> None:
    """An in-memory SQLite engine is a database of its own: give it the tables."""
    if engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:"):
        db.metadata.create_all(engine)


@pytest.fixture
def engine(app):
    engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    ends = {"commit": 0, "rollback": 0}
    sa.event.listen(engine, "commit", lambda conn: ends.__setitem__("commit", ends["commit"] + 1))
    sa.event.listen(
        engine, "rollback", lambda conn: ends.__setitem__("rollback", ends["rollback"] + 1)
    )
    engine.ends = ends
    _tables_for(engine)
    yield engine
    engine.dispose()


def test_a_transaction_that_only_read_is_committed(engine):
    with Session(engine) as session:
        session.execute(sa.text("SELECT 1"))
        session.scalars(sa.select(City)).all()
        assert end_read_only(session) is True
    assert engine.ends["commit"] >= 1


def test_objects_read_keep_their_state_after_the_commit(engine):
    with Session(engine) as session:
        session.execute(sa.text("SELECT 1"))
        session.add(City(name="Kept", slug="kept-read-only", timezone="UTC"))
        session.commit()
    with Session(engine) as session:
        city = session.scalar(sa.select(City).where(City.slug == "kept-read-only"))
        assert end_read_only(session) is True
    assert city.name == "Kept"  # detached, and not expired: no refresh needed
    with Session(engine) as session:
        session.execute(sa.delete(City).where(City.slug == "kept-read-only"))
        session.commit()


def test_a_write_by_sql_is_left_to_the_rollback(engine):
    with Session(engine) as session:
        session.execute(sa.text("SELECT 1"))
        session.execute(sa.text("UPDATE cities SET name = name WHERE 1 = 0"))
        assert end_read_only(session) is False
        assert session.in_transaction()  # still open: the caller's rollback ends it
        session.rollback()


def test_pending_and_flushed_changes_are_never_committed(engine):
    with Session(engine) as session:
        session.execute(sa.text("SELECT 1"))
        session.add(City(name="Pending", slug="pending-read-only", timezone="UTC"))
        assert end_read_only(session) is False
        session.rollback()
    with Session(engine) as session:
        session.add(City(name="Flushed", slug="flushed-read-only", timezone="UTC"))
        session.flush()
        assert end_read_only(session) is False
        session.rollback()
    with Session(engine) as session:
        found = session.scalar(
            sa.select(sa.func.count())
            .select_from(City)
            .where(City.slug.in_(["pending-read-only", "flushed-read-only"]))
        )
    assert found == 0


def test_no_transaction_or_a_savepoint_is_left_alone(engine):
    with Session(engine) as session:
        assert end_read_only(session) is False  # nothing began
        session.execute(sa.text("SELECT 1"))
        nested = session.begin_nested()
        session.execute(sa.text("SELECT 1"))
        assert end_read_only(session) is False  # inside a savepoint
        nested.rollback()
        session.rollback()


@pytest.fixture
def own_app(app):
    """A second app on the same database with a real (not rolled-back) session."""
    other = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    with other.app_context():
        _tables_for(db.engine)
    test_session = db.session
    db.session = db._make_scoped_session({})
    try:
        yield other
    finally:
        db.session.remove()
        db.session = test_session
        with other.app_context():
            db.engine.dispose()


def test_a_page_that_only_reads_ends_with_commit_and_one_that_fails_with_rollback(own_app):
    with own_app.app_context():
        engine = db.engine
    ends = []
    sa.event.listen(engine, "commit", lambda conn: ends.append("commit"))
    sa.event.listen(engine, "rollback", lambda conn: ends.append("rollback"))
    client = own_app.test_client()

    assert client.get("/apply").status_code == 200
    assert ends == ["commit"]

    ends.clear()
    assert client.get("/cohorts").status_code == 302  # anonymous: sent to sign in
    assert "rollback" not in ends


def test_postgresql_keeps_prepared_statements_across_pages(own_app):
    """psycopg prepares a statement on its fifth run; with every page ending in ROLLBACK
    it forgot them all, and PostgreSQL planned each query of each page again."""
    with own_app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("prepared statements are PostgreSQL's (SQLite has no planner cost)")
    client = own_app.test_client()
    for _ in range(8):
        assert client.get("/apply").status_code == 200
    with own_app.app_context():
        prepared = db.session.scalar(sa.text("SELECT count(*) FROM pg_prepared_statements"))
        db.session.rollback()
    assert prepared >= 1
