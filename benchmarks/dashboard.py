"""``make bench``: how long the outcomes dashboard takes at 10,000 participants.

Builds a throw-away SQLite database (create_all), loads the demo data with 10,000
participants (a program of about 600 cohorts: see ``coop.demo``), signs in as the
organisation-wide demo staff member and renders the dashboard through the Flask test
client, unfiltered and filtered by one city, and its cohort CSV. Prints what was seeded
and how long each part of the seed took, then the median (and fastest) of several
renders in milliseconds and the number of SQL queries per render.

    python -m benchmarks.dashboard [--participants N] [--runs N] [--database-url URL]

``--database-url`` runs it on another database (e.g. an empty PostgreSQL one); it must
have no tables, and the tables are dropped again at the end. On PostgreSQL the bench runs
ANALYZE after the seed, as autovacuum would soon after such a load in production:
without statistics the planner guesses badly on freshly loaded tables.
"""

import argparse
import statistics
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from coop import create_app
from coop.demo import DEMO_PASSWORD, seed
from coop.extensions import db

STAFF = "staff@coop.example"


@contextmanager
def counting(engine):
    """Count the SQL statements run inside the block (transaction control excluded)."""
    statements: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "BEGIN")):
            statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)


def _render(client, url: str, runs: int, engine) -> tuple[float, float, int, int]:
    """(median ms, fastest ms, queries, bytes) over ``runs`` renders after one warm-up."""
    first = client.get(url)
    if first.status_code != 200:
        raise SystemExit(f"GET {url} answered {first.status_code}")
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    with counting(engine) as statements:
        client.get(url)
    return statistics.median(times), min(times), len(statements), len(first.data)


#: What the seed made, by table (whichever exist), with the name printed.
SIZES = [
    ("users", "users"),
    ("cohorts", "cohorts"),
    ("enrollments", "enrollments"),
    ("enrollment_events", "enrollment events"),
    ("alumni_captains", "captain appointments"),
    ("pod_memberships", "pod members"),
    ("virtual_sessions", "sessions"),
    ("attendance", "attendance rows"),
    ("check_ins", "check-ins"),
    ("referrals", "referrals"),
    ("placements", "placements"),
    ("follow_ups", "follow-ups"),
]


def _sizes() -> dict[str, int]:
    """Rows in the tables the dashboard reads (whichever exist), by printed name."""
    existing = set(sa.inspect(db.engine).get_table_names())
    out = {}
    for name, label in SIZES:
        if name in existing:
            table = sa.table(name)
            out[label] = db.session.scalar(sa.select(sa.func.count()).select_from(table))
    return out


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
        ctx = seed(participants=args.participants)
        db.session.commit()
        seed_s = time.perf_counter() - start
        if engine.dialect.name == "postgresql":
            with engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
        sizes = _sizes()
        city_id = db.session.scalar(sa.text("SELECT id FROM cities WHERE name = 'New York'"))
        db.session.remove()

    # Requests run outside any app context, as in production: each gets its own context
    # and database session, so nothing is cached between renders.
    client = app.test_client()
    response = client.post("/login", data={"email": STAFF, "password": DEMO_PASSWORD})
    if response.status_code != 302:
        raise SystemExit("could not sign in as the demo staff member")

    print(
        f"coop bench: outcomes dashboard, {engine.dialect.name}, {args.participants:,} participants"
    )
    parts = ", ".join(f"{part} {s:.1f}" for part, s in ctx.timings.items())
    print(f"  seed: {seed_s:.1f} s  ({parts})")
    print(f"  seeded: {', '.join(f'{v:,} {k}' for k, v in sizes.items())}")
    print(f"  renders: median and fastest of {args.runs}, after one warm-up")
    pages = [
        ("unfiltered", "/reports/outcomes"),
        ("city: New York", f"/reports/outcomes?city={city_id}"),
        ("CSV: cohorts", "/reports/outcomes/cohorts.csv"),
    ]
    for label, page_url in pages:
        median, fastest, queries, size = _render(client, page_url, args.runs, engine)
        print(
            f"  {label:<16} {median:7.1f} ms median  {fastest:7.1f} ms fastest  "
            f"{queries:3d} queries  {size / 1024:6.1f} KiB"
        )


if __name__ == "__main__":
    main()
