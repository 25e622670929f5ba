"""PostgreSQL under pytest-xdist: each worker gets a database of its own.

The suite creates and drops its tables in ``COOP_TEST_DATABASE_URL``; two workers doing
that in one database would trip over each other. With ``-n 2`` worker ``gw0`` uses
``<database>_gw0`` (created on first use) and ``gw1`` ``<database>_gw1``, and the
environment variable is rewritten in the worker, so every test that reads it (the
concurrency helpers, the migration test) uses the worker's own database.
"""

import os

import sqlalchemy as sa
from sqlalchemy.engine import make_url

ENV = "COOP_TEST_DATABASE_URL"


def use_worker_database() -> None:
    base, worker = os.environ.get(ENV), os.environ.get("PYTEST_XDIST_WORKER")
    if not base or not worker or not base.startswith("postgres"):
        return
    url = make_url(base)
    name = f"{url.database}_{worker}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.scalar(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            )
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    os.environ[ENV] = url.set(database=name).render_as_string(hide_password=False)
