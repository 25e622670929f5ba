"""The migrations build exactly the schema the models describe, and undo it, on SQLite and
(with COOP_TEST_DATABASE_URL set) PostgreSQL."""

import os
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy.orm import scoped_session, sessionmaker

from coop import create_app, normalise_db_url
from coop.extensions import db as _db
from coop.talent.search import outside_models


@pytest.fixture
def empty_database(tmp_path):
    """A factory of empty databases: files on SQLite, new databases on PostgreSQL."""
    base = os.environ.get("COOP_TEST_DATABASE_URL")
    made = []
    admin = None
    if base:
        url = sa.make_url(normalise_db_url(base))
        admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")

    def make(suffix: str) -> str:
        if not base:
            return f"sqlite:///{tmp_path / f'{suffix}.sqlite'}"
        name = f"{url.database}_{suffix}"
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        made.append(name)
        return url.set(database=name).render_as_string(hide_password=False)

    yield make
    if admin is not None:
        with admin.connect() as conn:
            for name in made:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@contextmanager
def app_on(url):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        engine = _db.engines[None]
        try:
            yield engine
        finally:
            engine.dispose()


def schema_of(engine) -> dict:
    """Names of every table's constraints and indexes, as the database reports them."""
    out = {}
    with engine.connect() as conn:
        inspector = sa.inspect(conn)
        for table in inspector.get_table_names():
            if table == "alembic_version":
                continue
            out[table] = {
                "columns": sorted(
                    (c["name"], bool(c["nullable"])) for c in inspector.get_columns(table)
                ),
                "checks": sorted(c["name"] for c in inspector.get_check_constraints(table)),
                "uniques": sorted(str(c["name"]) for c in inspector.get_unique_constraints(table)),
                "indexes": sorted(
                    (i["name"], bool(i["unique"])) for i in inspector.get_indexes(table)
                ),
                "foreign_keys": sorted(
                    (str(f["name"]), f["referred_table"]) for f in inspector.get_foreign_keys(table)
                ),
            }
    return out


def in_models(name, type_, parent_names) -> bool:
    """The talent search's FTS5 tables and GIN index are made outside the models."""
    return not outside_models(name, type_)


def test_upgrade_matches_models_and_downgrade_empties(empty_database):
    with app_on(empty_database("migrations")) as engine:
        upgrade()
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_name": in_models}
            )
            diff = compare_metadata(context, _db.metadata)
            tables = set(sa.inspect(conn).get_table_names())
        assert diff == [], f"models and migrations differ: {diff}"
        assert set(_db.metadata.tables) <= tables

        downgrade(revision="base")
        with engine.connect() as conn:
            left = set(sa.inspect(conn).get_table_names()) - {"alembic_version"}
        assert left == set()

        upgrade()  # and up again: the downgrade left nothing behind that blocks it


def test_migrated_constraints_match_create_all(empty_database):
    """Autogenerate does not compare CHECK constraints or partial indexes; compare what
    the database holds after the migrations with what create_all makes from the models."""
    with app_on(empty_database("migrated")) as engine:
        upgrade()
        migrated = schema_of(engine)
    with app_on(empty_database("created")) as engine:
        _db.metadata.create_all(engine)
        created = schema_of(engine)
    assert migrated.keys() == created.keys()
    for table in created:
        assert migrated[table] == created[table], table


def test_0019_marks_existing_enrollments_from_their_events(empty_database):
    """Upgrading a database that has enrollments computes each one's history marks from
    its events (``coop.enrollment.history``)."""
    from coop.enrollment import history
    from coop.enrollment.models import Enrollment, EnrollmentEvent, Stage
    from tests.factories import Factory

    paths = {
        "declined after accepting": [Stage.APPLIED, Stage.ACCEPTED, Stage.DECLINED],
        "withdrew while waiting": [Stage.APPLIED, Stage.WAITLISTED, Stage.WITHDRAWN],
        "left the program": [Stage.APPLIED, Stage.ENROLLED, Stage.WITHDRAWN],
        "declined": [Stage.APPLIED, Stage.DECLINED],
    }
    with app_on(empty_database("history_marks")) as engine:
        upgrade()
        # The test's own session is the suite's database: this one writes to the new one.
        original = _db.session
        _db.session = scoped_session(sessionmaker(bind=engine))
        try:
            factory = Factory()
            cohort = factory.cohort()
            ids = {}
            for label, path in paths.items():
                e = factory.enrollment(cohort=cohort, stage=path[-1])
                _db.session.add_all(
                    EnrollmentEvent(enrollment_id=e.id, from_stage=a, to_stage=b)
                    for a, b in zip((None, *path), path, strict=False)
                )
                ids[label] = e.id
            _db.session.commit()
            _db.session.remove()
            downgrade(revision="0018_tallies_on_sessions")

            upgrade()

            marks = {
                i: (a, w)
                for i, a, w in _db.session.execute(
                    sa.select(Enrollment.id, Enrollment.was_accepted, Enrollment.withdrew_early)
                )
            }
            assert {label: marks[i] for label, i in ids.items()} == {
                "declined after accepting": (True, False),
                "withdrew while waiting": (False, True),
                "left the program": (True, False),
                "declined": (False, False),
            }
            assert history.stale(_db.session) == []
        finally:
            _db.session.remove()
            _db.session = original
