"""The migrations build exactly the schema the models describe, and undo it, on SQLite and
(with COOP_TEST_DATABASE_URL set) PostgreSQL."""

import os

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from coop import create_app, normalise_db_url
from coop.extensions import db as _db


@pytest.fixture
def empty_database_url(tmp_path):
    base = os.environ.get("COOP_TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'migrations.sqlite'}"
        return
    url = sa.make_url(normalise_db_url(base))
    name = f"{url.database}_migrations"
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


def test_upgrade_matches_models_and_downgrade_empties(empty_database_url):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        engine = _db.engines[None]
        try:
            upgrade()
            with engine.connect() as conn:
                context = MigrationContext.configure(conn, opts={"compare_type": True})
                diff = compare_metadata(context, _db.metadata)
                tables = set(sa.inspect(conn).get_table_names())
            assert diff == [], f"models and migrations differ: {diff}"
            assert set(_db.metadata.tables) <= tables

            downgrade(revision="base")
            with engine.connect() as conn:
                left = set(sa.inspect(conn).get_table_names()) - {"alembic_version"}
            assert left == set()

            upgrade()  # and up again: downgrade left nothing behind that blocks it
        finally:
            engine.dispose()
