"""The coop app as ``make bench`` serves it with gunicorn (``benchmarks.serve:app``): the
development configuration without debug, on the database in ``BENCH_DATABASE_URL``."""

import os

from coop import create_app

app = create_app(
    "development",
    DEBUG=False,
    SQLALCHEMY_DATABASE_URI=os.environ["BENCH_DATABASE_URL"],
    MAIL_BACKEND="memory",
)
