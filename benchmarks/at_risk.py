"""``make bench-risk``: how long the at-risk list takes at 10,000 participants.

Builds a throw-away SQLite database (create_all), loads the demo data with 10,000
participants (``coop.demo``, the same seed as ``benchmarks.dashboard``), then renders
the at-risk list through the Flask test client as the organisation-wide demo staff
member (every city), as New York's staff and as the demo captain (their pod), and the
WIOA report for the last program year. Prints the median (and fastest) of several
renders in milliseconds, the queries per render and how many people the list holds.

    python -m benchmarks.at_risk [--participants N] [--runs N] [--database-url URL]
"""

import argparse
import re
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from benchmarks.dashboard import _render
from coop import create_app
from coop.demo import DEMO_PASSWORD, seed
from coop.extensions import db

ACCOUNTS = [
    ("staff, every city", "staff@coop.example"),
    ("staff, New York", "nyc.staff@coop.example"),
    ("captain, own pod", "captain@coop.example"),
]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--database-url", help="an empty database to use instead of SQLite")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="coop-bench-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, WTF_CSRF_ENABLED=False)
        with app.app_context():
            if sa.inspect(db.engine).get_table_names():
                raise SystemExit(f"{url} is not empty: give an empty database")
            engine = db.engine
        try:
            run(app, engine, args)
        finally:
            if args.database_url:
                with app.app_context():
                    db.session.remove()
                    db.drop_all()
            engine.dispose()


def run(app, engine, args) -> None:
    with app.app_context():
        db.create_all()
        start = time.perf_counter()
        seed(participants=args.participants)
        db.session.commit()
        seed_s = time.perf_counter() - start
        if engine.dialect.name == "postgresql":
            with engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
        plans = db.session.scalar(sa.text("SELECT count(*) FROM career_plans"))
        db.session.remove()
    print(f"coop bench: at-risk list, {engine.dialect.name}, {args.participants:,} participants")
    print(f"  seed: {seed_s:.1f} s ({plans:,} career plans)")
    print(f"  renders: median and fastest of {args.runs}, after one warm-up")
    pages = [(label, email, "/at-risk/") for label, email in ACCOUNTS]
    pages.append(("WIOA report", "staff@coop.example", "/reports/wioa/"))
    for label, email, page in pages:
        client = app.test_client()
        response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
        if response.status_code != 302:
            raise SystemExit(f"could not sign in as {email}")
        median, fastest, queries, size = _render(client, page, args.runs, engine)
        body = client.get(page).get_data(as_text=True)
        found = re.search(r"(\d[\d,]*) in all", body)
        listed = f"{found.group(1)} at risk" if found and page == "/at-risk/" else ""
        print(
            f"  {label:<18} {median:7.1f} ms median  {fastest:7.1f} ms fastest  "
            f"{queries:3d} queries  {size / 1024:6.1f} KiB  {listed}"
        )


if __name__ == "__main__":
    main()
