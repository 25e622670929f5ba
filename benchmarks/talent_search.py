"""``make bench-talent``: the talent search at 10,000 career profiles.

Builds a throw-away SQLite database (create_all, which also makes the FTS5 table), loads
the small demo, then 10,000 more people with approved profiles spread over the demo's
cohorts (one bulk INSERT each for the users and the profiles, and one for the search
rows). Signs in as the demo partner contact and times a text query with two filters
(``q=analyst``, a city and a track), through the Flask test client (the whole page) and
as the bare search (the page's count and its 20 rows). Prints the median and fastest of
several runs in milliseconds and the number of SQL queries.

    python -m benchmarks.talent_search [--profiles N] [--runs N] [--database-url URL]

``--database-url`` runs it on another database (an empty PostgreSQL one: the GIN index
comes with create_all); its tables are dropped at the end.
"""

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from benchmarks.dashboard import counting
from coop import create_app
from coop.auth.models import Role, User
from coop.core import clock
from coop.demo import DEMO_PASSWORD, seed
from coop.demo.talent import profile_values, seed_profiles
from coop.extensions import db
from coop.programs.models import City, Cohort, Track
from coop.talent import queries
from coop.talent.models import ProfileStatus

PARTNER = "partner@coop.example"
QUERY = "analyst"


def _load(profiles: int) -> None:
    rng = random.Random(2026)
    cohorts = db.session.execute(
        sa.select(Cohort.id, Cohort.city_id, Track.slug).join(Track, Track.id == Cohort.track_id)
    ).all()
    users = [
        {
            "email": f"talent.{n}@bench.example",
            "name": f"Bench Person {n}",
            "role": Role.PARTICIPANT,
            "password_hash": None,
        }
        for n in range(profiles)
    ]
    ids = list(
        db.session.scalars(sa.insert(User).returning(User.id, sort_by_parameter_order=True), users)
    )
    today = clock.today_in()
    rows = []
    for user_id in ids:
        cohort_id, city_id, slug = rng.choice(cohorts)
        rows.append(
            profile_values(
                rng,
                user_id=user_id,
                cohort_id=cohort_id,
                city_id=city_id,
                slug=slug,
                today=today,
                status=ProfileStatus.APPROVED,
            )
        )
    seed_profiles(rows)


def _time(fn, runs: int) -> tuple[float, float]:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=15)
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
        seed(participants=200)
        _load(args.profiles)
        db.session.commit()
        seed_s = time.perf_counter() - start
        if engine.dialect.name == "postgresql":
            with engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
        city_id = db.session.scalar(sa.select(City.id).where(City.name == "New York"))
        track_id = db.session.scalar(sa.select(Track.id).where(Track.slug == "data-analytics"))
        partner = db.session.scalar(sa.select(User).where(User.email == PARTNER))
        total = db.session.scalar(sa.text("SELECT count(*) FROM career_profiles"))
        db.session.remove()

    client = app.test_client()
    response = client.post("/login", data={"email": PARTNER, "password": DEMO_PASSWORD})
    if response.status_code != 302:
        raise SystemExit("could not sign in as the demo partner contact")
    page_url = f"/talent?q={QUERY}&city={city_id}&track={track_id}"

    def page():
        r = client.get(page_url)
        assert r.status_code == 200, r.status_code

    def bare():
        with app.test_request_context(page_url):
            user = db.session.get(User, partner.id)
            found = queries.search_page(
                user, QUERY, page=1, per_page=20, city_id=city_id, track_id=track_id
            )
            hits = found.total
            db.session.remove()
            return hits

    print(f"coop bench: talent search, {engine.dialect.name}, {total:,} career profiles")
    print(f"  seed: {seed_s:.1f} s")
    print(f"  query: “{QUERY}”, city New York, track Data Analytics: {bare():,} matches")
    with counting(engine) as statements:
        page()
    page_queries = len(statements)
    with counting(engine) as statements:
        bare()
    bare_queries = len(statements)
    for label, fn, n in (
        ("search (count + page)", bare, bare_queries),
        ("whole page", page, page_queries),
    ):
        median, fastest = _time(fn, args.runs)
        print(f"  {label:<22} {median:7.1f} ms median  {fastest:7.1f} ms fastest  {n:3d} queries")


if __name__ == "__main__":
    main()
