"""``make bench-placement``: place 1,000 program applicants into 60 cohorts.

Builds a throw-away SQLite database (create_all) with five regions (time zones) of
three cities each, two tracks, and 60 recruiting cohorts of 16 seats meeting on two
evenings (Mon–Thu), then 1,000 accepted applicants with random (seeded, so repeatable)
city, track, evenings and start term. Times, in a request context as the pages run them:

- ``propose``: reading the applicants and cohorts and computing every proposal (what the
  "Place applicants" page does), with its number of SQL statements;
- ``confirm``: placing every proposal in one step (seats by the conditional UPDATE,
  enrollments, history, audit and mail queued), then the commit.

    python -m benchmarks.placement [--applicants N] [--cohorts N] [--runs N]
"""

import argparse
import random
import statistics
import tempfile
import time
from datetime import date, timedelta
from datetime import time as clock_time
from pathlib import Path

from benchmarks.dashboard import counting
from coop import create_app
from coop.auth.models import Role, User
from coop.enrollment import placement
from coop.enrollment.program_models import ProgramApplication, ProgramStatus
from coop.extensions import db
from coop.programs.cloning import term_of
from coop.programs.models import City, Cohort, CohortStatus, Track

ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Phoenix",
]
PATTERNS = ["mon,wed", "tue,thu", "mon,thu", "tue,wed"]


def build(n_applicants: int, n_cohorts: int, seed: int = 17) -> User:
    rng = random.Random(seed)
    cities = [
        City(name=f"City {z}-{i}", slug=f"city-{k}-{i}", timezone=z)
        for k, z in enumerate(ZONES)
        for i in range(3)
    ]
    tracks = [Track(name="Digital marketing", slug="dm"), Track(name="Data analytics", slug="da")]
    staff = User(email="staff@bench.example", name="Staff", role=Role.STAFF, all_cities=True)
    db.session.add_all([*cities, *tracks, staff])
    db.session.flush()
    first = date(2031, 1, 6)
    terms = [first, first + timedelta(weeks=26)]
    for i in range(n_cohorts):
        start = terms[i % 2]
        city, track = cities[i % len(cities)], tracks[(i // len(cities)) % 2]
        db.session.add(
            Cohort(
                city_id=city.id,
                track_id=track.id,
                name=f"Cohort {i}",
                start_date=start,
                end_date=start + timedelta(weeks=16),
                capacity=16,
                status=CohortStatus.RECRUITING,
                meeting_days=PATTERNS[i % len(PATTERNS)],
                meeting_time=clock_time(18, 30),
            )
        )
    users = [
        User(email=f"a{i}@bench.example", name=f"Applicant {i}", role=Role.PARTICIPANT)
        for i in range(n_applicants)
    ]
    db.session.add_all(users)
    db.session.flush()
    for u in users:
        city = rng.choice(cities)
        evenings = sorted(rng.sample(["mon", "tue", "wed", "thu"], rng.randint(2, 4)))
        db.session.add(
            ProgramApplication(
                user_id=u.id,
                city_id=city.id,
                track_id=rng.choice(tracks).id,
                evenings=",".join(evenings),
                timezone=city.timezone,
                start_term=term_of(rng.choice(terms)),
                status=ProgramStatus.ACCEPTED,
            )
        )
    db.session.commit()
    return staff


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applicants", type=int, default=1000)
    parser.add_argument("--cohorts", type=int, default=60)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, MAIL_BACKEND="memory")
        with app.app_context():
            db.create_all()
            staff = build(args.applicants, args.cohorts)
            staff_id = staff.id
            propose_ms = []
            with app.test_request_context():
                staff = db.session.get(User, staff_id)
                for _ in range(args.runs):
                    with counting(db.engine) as statements:
                        start = time.perf_counter()
                        rows = placement.proposals_for(staff)
                        propose_ms.append((time.perf_counter() - start) * 1000)
                pairs = [(r.application.id, r.proposal.cohort_id) for r in rows if r.option]
                start = time.perf_counter()
                result = placement.confirm(pairs, staff)
                db.session.commit()
                confirm_ms = (time.perf_counter() - start) * 1000
            seats = sum(c.capacity for c in db.session.scalars(db.select(Cohort)))
            print(
                f"placement: {args.applicants} accepted applicants, {args.cohorts} cohorts "
                f"({seats} seats), SQLite"
            )
            print(
                f"  propose  median {statistics.median(propose_ms):8.1f} ms  fastest "
                f"{min(propose_ms):8.1f} ms  {len(statements)} queries"
            )
            print(
                f"  confirm         {confirm_ms:8.1f} ms  placed {len(result.placed)}, "
                f"re-proposed {len(result.reproposed)}, waitlisted {len(result.waitlisted)}, "
                f"no cohort fits {len(rows) - len(pairs)}"
            )
            total = statistics.median(propose_ms) + confirm_ms
            db.session.remove()
            print(f"  total           {total:8.1f} ms  (target: under 2000 ms)")


if __name__ == "__main__":
    main()
