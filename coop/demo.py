"""``flask --app coop seed-demo``: believable demo data, loaded once.

The foundation creates cities, tracks, partners, cohorts over three years, staff and
participants. With more participants than the default 200 (``--participants 10000`` for
``make bench``) it runs more sections of the same terms, about one cohort for every 16
extra people, so a big demo looks like a big program rather than a long waiting list.

Each domain adds its part in ``coop/<domain>/demo.py`` with a ``seed(ctx)`` function,
called in dependency order; many rows go in with ``bulk_insert``. A second run adds
nothing: the whole seed is skipped when the demo staff account exists.
"""

import importlib
import importlib.util
import random
import time as time_module
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from coop.auth.models import ParticipantProfile, Role, User
from coop.auth.passwords import hash_password
from coop.core import clock
from coop.core.models import AuditEvent
from coop.extensions import db
from coop.programs.models import City, Cohort, CohortStatus, Partner, PartnerKind, Track

DEMO_PASSWORD = "coop-demo-2026"  # noqa: S105 - printed to the terminal on purpose

#: One account per role with a known password (and one city-limited staff member).
DEMO_ACCOUNTS = [
    ("staff@coop.example", "Sam Staff", Role.STAFF, "organisation-wide staff"),
    ("nyc.staff@coop.example", "Nia Rivera", Role.STAFF, "staff for New York only"),
    ("captain@coop.example", "Carmen Captain", Role.CAPTAIN, "alumni captain"),
    ("participant@coop.example", "Pat Participant", Role.PARTICIPANT, "participant"),
]

CITIES = [
    ("New York", "new-york", "America/New_York"),
    ("Los Angeles", "los-angeles", "America/Los_Angeles"),
    ("San Francisco", "san-francisco", "America/Los_Angeles"),
    ("Chicago", "chicago", "America/Chicago"),
]
TRACKS = [
    (
        "Digital Marketing",
        "digital-marketing",
        "Paid search, social, analytics and campaign craft.",
    ),
    (
        "Data Analytics",
        "data-analytics",
        "Spreadsheets, SQL, dashboards and storytelling with data.",
    ),
]
PARTNERS = [
    ("Google", PartnerKind.SPONSOR, None),
    ("Brightline Media", PartnerKind.EMPLOYER, "New York"),
    ("Northwind Analytics", PartnerKind.EMPLOYER, "Chicago"),
    ("Pacific Retail Group", PartnerKind.EMPLOYER, "Los Angeles"),
    ("Bay Area Youth Jobs", PartnerKind.COMMUNITY, "San Francisco"),
    ("City College Career Center", PartnerKind.COMMUNITY, "New York"),
]
FIRST = [
    "Aaliyah",
    "Andre",
    "Bianca",
    "Carlos",
    "Danielle",
    "Darnell",
    "Elena",
    "Fatima",
    "Gabriel",
    "Imani",
    "Jasmine",
    "Jorge",
    "Kayla",
    "Kevin",
    "Luis",
    "Maya",
    "Mohamed",
    "Nadia",
    "Omar",
    "Priya",
    "Rosa",
    "Samuel",
    "Tiana",
    "Victor",
    "Xiomara",
    "Yusuf",
]
LAST = [
    "Alvarez",
    "Baptiste",
    "Chen",
    "Diallo",
    "Estrada",
    "Fofana",
    "Garcia",
    "Hernandez",
    "Ibrahim",
    "Jackson",
    "Kim",
    "Lopez",
    "Mensah",
    "Nguyen",
    "Okafor",
    "Patel",
    "Quinn",
    "Ramirez",
    "Santos",
    "Thompson",
    "Usman",
    "Vargas",
    "Williams",
    "Yang",
]
COLLEGES = [
    "CUNY Hunter College",
    "Cal State LA",
    "SF State",
    "UIC",
    "Baruch College",
    "UC Riverside",
    "Lehman College",
    "Northeastern Illinois University",
]
#: Terms start every 26 weeks and last 16.
TERM = timedelta(weeks=26)
TERM_LENGTH = timedelta(weeks=16)

#: Up to this many participants the demo is the hand-made program above. Beyond it, more
#: sections of the same terms (``· B``, ``· C``…) take the extra people in, as a bigger
#: organisation would run them.
BASE_PARTICIPANTS = 200
#: People one extra section takes: a roster of 15 and one declined applicant (a running
#: cohort has no declined applicant yet). The enrollment demo fills rosters of 15.
SECTION_PEOPLE = 16
#: The extra people left over to apply to the recruiting cohorts: a twentieth, at most 200.
MAX_EXTRA_APPLICANTS = 200

JOBS = [
    ("Retail associate", 32000),
    ("Barista", 29000),
    ("Administrative assistant", 38000),
    ("Warehouse associate", 35000),
    ("Server", 30000),
    ("Customer service rep", 36000),
]


def bulk_insert(model):
    """A Core INSERT into ``model``'s table, for many rows given as dicts of column values.

    One executemany for all the rows (which must share their keys; leave a key out of
    every row to get the column's default). The ORM's bulk INSERT would cost a lot more
    per row and leaves a ``None`` out of the row's INSERT, splitting rows with ``None`` in
    different columns into many small batches.
    """
    return model.__table__.insert()


@dataclass
class SeedContext:
    """What the foundation seed made, handed to each domain's ``seed(ctx)``."""

    today: date
    rng: random.Random
    password_hash: str
    cities: dict[str, City] = field(default_factory=dict)
    tracks: dict[str, Track] = field(default_factory=dict)
    partners: dict[str, Partner] = field(default_factory=dict)
    cohorts: list[Cohort] = field(default_factory=list)
    participants: list[User] = field(default_factory=list)
    accounts: dict[str, User] = field(default_factory=dict)
    #: Seconds each part of the seed took ("foundation", then each domain), for ``make bench``.
    timings: dict[str, float] = field(default_factory=dict)


def seed(participants: int = 200, today: date | None = None) -> SeedContext | None:
    """Load the demo data; returns None (and changes nothing) if it is already there."""
    if db.session.scalar(db.select(User.id).where(User.email == DEMO_ACCOUNTS[0][0])):
        return None
    ctx = SeedContext(
        today=today or clock.today_in(),  # the organisation's zone (coop.core.clock)
        rng=random.Random(2026),
        password_hash=hash_password(DEMO_PASSWORD),
    )
    start = time_module.perf_counter()
    _seed_programs(ctx, participants)
    _seed_people(ctx, participants)
    db.session.flush()
    ctx.timings["foundation"] = time_module.perf_counter() - start
    for domain in ("enrollment", "coaching", "sessions", "referrals", "reports", "portal"):
        name = f"coop.{domain}.demo"
        if importlib.util.find_spec(name) is not None:
            start = time_module.perf_counter()
            importlib.import_module(name).seed(ctx)
            db.session.flush()
            ctx.timings[domain] = time_module.perf_counter() - start
    return ctx


def _seed_programs(ctx: SeedContext, participants: int = BASE_PARTICIPANTS) -> None:
    for name, slug, zone in CITIES:
        ctx.cities[name] = City(name=name, slug=slug, timezone=zone)
    for name, slug, description in TRACKS:
        ctx.tracks[name] = Track(name=name, slug=slug, description=description)
    for name, kind, city in PARTNERS:
        ctx.partners[name] = Partner(name=name, kind=kind, city=ctx.cities.get(city))
    db.session.add_all([*ctx.cities.values(), *ctx.tracks.values(), *ctx.partners.values()])

    # Three years of cohorts, a term every 26 weeks, placed relative to today so every
    # status is there whatever the date: the current term began six weeks ago (active),
    # the five before it are completed, the next one is recruiting, one is still planned.
    sponsor = ctx.partners["Google"]
    current = ctx.today - timedelta(weeks=6, days=ctx.today.weekday())
    plans = [
        [("New York", "Digital Marketing"), ("Chicago", "Data Analytics")],
        [("Los Angeles", "Digital Marketing")],
    ]
    for k in range(5, -1, -1):
        for city, track in plans[k % 2]:
            _add_cohort(ctx, city, track, current - TERM * k, sponsor)
    nxt = current + TERM
    for city, track in [
        ("New York", "Data Analytics"),
        ("Los Angeles", "Digital Marketing"),
        ("Chicago", "Data Analytics"),
    ]:
        _add_cohort(ctx, city, track, nxt, sponsor, status=CohortStatus.RECRUITING)
    _add_cohort(
        ctx, "San Francisco", "Data Analytics", nxt + TERM, None, status=CohortStatus.PLANNED
    )
    _add_sections(ctx, participants, [current - TERM * k for k in range(5, -1, -1)], sponsor)
    db.session.add_all(ctx.cohorts)


def _add_sections(ctx: SeedContext, participants: int, terms: list[date], sponsor) -> None:
    """More past and current cohorts for a program bigger than the base one.

    Sections (``· B``, ``· C``…) of the six terms in every city and track, a growing
    program (each term has a few more than the one before), until the extra people are
    spread over rosters, leaving a few hundred at most as applicants of the recruiting
    cohorts. Nothing is added up to ``BASE_PARTICIPANTS`` participants.
    """
    extra = participants - BASE_PARTICIPANTS
    if extra <= 0:
        return
    people = extra - min(MAX_EXTRA_APPLICANTS, extra // 20)
    weight = {start: n + 3 for n, start in enumerate(sorted(terms))}
    places = [(city, track) for city, *_ in CITIES for track, *_ in TRACKS]
    sections = Counter((c.city.name, c.track.name, c.start_date) for c in ctx.cohorts)
    added: Counter = Counter()
    while True:
        start = min(terms, key=lambda s: ((added[s] + 1) / weight[s], s))
        city, track = places[added[start] % len(places)]
        need = SECTION_PEOPLE if start + TERM_LENGTH < ctx.today else SECTION_PEOPLE - 1
        if people < need:
            return
        people -= need
        added[start] += 1
        _add_cohort(ctx, city, track, start, sponsor, section=sections[city, track, start])
        sections[city, track, start] += 1


def _section_label(n: int) -> str:
    """A section's letters: 1 -> "B", 25 -> "Z", 26 -> "AA" (the first, 0, goes unlabelled)."""
    label = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        label = chr(ord("A") + r) + label
    return label


def _add_cohort(ctx, city, track, start, sponsor, status=None, section=0) -> Cohort:
    end = start + TERM_LENGTH
    if status is None:
        if end < ctx.today:
            status = CohortStatus.COMPLETED
        elif start <= ctx.today:
            status = CohortStatus.ACTIVE
        else:
            status = CohortStatus.RECRUITING
    cohort = Cohort(
        city=ctx.cities[city],
        track=ctx.tracks[track],
        sponsor=sponsor,
        name=f"{track} · {start:%B %Y}" + (f" · {_section_label(section)}" if section else ""),
        start_date=start,
        end_date=end,
        capacity=16,
        status=status,
        meeting_days="tue,thu",
        meeting_time=time(18, 30),
        video_link=f"https://meet.example.org/coop-{ctx.cities[city].slug}-{start:%Y%m}"
        + (f"-{_section_label(section).lower()}" if section else ""),
    )
    ctx.cohorts.append(cohort)
    return cohort


def _profile_values(ctx: SeedContext) -> dict:
    job, salary = ctx.rng.choice(JOBS)
    return dict(
        college=ctx.rng.choice(COLLEGES),
        graduation_year=ctx.rng.randint(ctx.today.year - 4, ctx.today.year),
        first_generation=ctx.rng.random() < 0.8,
        low_income=ctx.rng.random() < 0.7,
        intake_job_title=job,
        intake_salary=salary + ctx.rng.randint(-3, 3) * 1000,
        referral_source=ctx.rng.choice(["alumnus", "community partner", "social media", "campus"]),
        share_email=ctx.rng.random() < 0.6,
        phone=f"(555) 01{ctx.rng.randint(0, 99):02d}",
    )


def _profile(ctx: SeedContext) -> ParticipantProfile:
    return ParticipantProfile(**_profile_values(ctx))


def _seed_people(ctx: SeedContext, participants: int) -> None:
    for email, name, role, _ in DEMO_ACCOUNTS:
        user = User(
            email=email,
            name=name,
            role=role,
            password_hash=ctx.password_hash,
            all_cities=(email == "staff@coop.example"),
        )
        if email.startswith("nyc."):
            user.cities = [ctx.cities["New York"]]
        if role != Role.STAFF:
            user.profile = _profile(ctx)
        ctx.accounts[email] = user
        db.session.add(user)
    ctx.participants.append(ctx.accounts["participant@coop.example"])
    db.session.flush()
    # Many rows: one bulk INSERT … RETURNING for the users, one for their profiles.
    rows, profiles = [], []
    for n in range(participants):
        first, last = ctx.rng.choice(FIRST), ctx.rng.choice(LAST)
        rows.append(
            dict(
                email=f"{first}.{last}.{n}@example.org".lower(),
                name=f"{first} {last}",
                role=Role.PARTICIPANT,
                password_hash=None,
            )
        )
        profiles.append(_profile_values(ctx))
    if rows:
        stmt = sa.insert(User).returning(User, sort_by_parameter_order=True)
        users = list(db.session.scalars(stmt, rows))
        for user, profile in zip(users, profiles, strict=True):
            profile["user_id"] = user.id
        db.session.execute(bulk_insert(ParticipantProfile), profiles)
        ctx.participants.extend(users)
    _seed_cohort_history(ctx)


def _seed_cohort_history(ctx: SeedContext) -> None:
    """Audit events for the cohorts' launch and status changes, by the demo staff."""
    db.session.flush()
    staff = ctx.accounts["staff@coop.example"]
    steps = [
        (CohortStatus.RECRUITING, lambda c: c.start_date - timedelta(weeks=8)),
        (CohortStatus.ACTIVE, lambda c: c.start_date),
        (CohortStatus.COMPLETED, lambda c: c.end_date),
    ]
    fields = ["capacity", "city_id", "end_date", "meeting_days", "meeting_time", "name"]
    fields += ["sponsor_id", "start_date", "track_id", "video_link"]
    events = []
    order = list(CohortStatus)
    recent = ctx.today - timedelta(days=7)
    for cohort in ctx.cohorts:
        created = min(cohort.start_date - timedelta(weeks=12), recent - timedelta(days=7))
        events.append(_event(staff, "cohort.create", cohort, fields, created))
        for status, when in steps:
            if order.index(status) <= order.index(cohort.status):
                day = min(when(cohort), recent)
                events.append(_event(staff, f"cohort.{status}", cohort, ["status"], day))
    db.session.add_all(events)


def _event(actor, action, target, changed, day: date) -> AuditEvent:
    return AuditEvent(
        actor_id=actor.id,
        action=action,
        target_type=target.__tablename__,
        target_id=target.id,
        changed=changed,
        created_at=datetime.combine(day, time(14, 0), tzinfo=UTC),
    )


def print_accounts() -> None:
    click.echo(f"\nDemo accounts (password for all: {DEMO_PASSWORD})")
    for email, _, _role, what in DEMO_ACCOUNTS:
        click.echo(f"  {email:<28} {what}")
    click.echo("")


@click.command("seed-demo")
@click.option(
    "--participants",
    default=200,
    show_default=True,
    help="How many participants to generate (use thousands for benchmarks).",
)
@with_appcontext
def seed_demo_command(participants: int) -> None:
    """Load the demo data (idempotent: a second run adds nothing).

    Refuses the production configuration, and a database holding anyone but the demo
    accounts: the demo's organisation-wide staff account has a published password.
    """
    from flask import current_app

    if current_app.config.get("PRODUCTION"):
        raise click.ClickException(
            "seed-demo refuses the production configuration: its accounts' password is "
            "published. Nothing was written."
        )
    demo_emails = [email for email, *_ in DEMO_ACCOUNTS]
    loaded = db.session.scalar(db.select(User.id).where(User.email == demo_emails[0]))
    others = db.session.scalar(
        db.select(db.func.count(User.id)).where(User.email.not_in(demo_emails))
    )
    if not loaded and others:
        raise click.ClickException(
            f"This database holds {others} account(s) besides the demo accounts: seed-demo "
            "only loads a new, empty database. Nothing was written."
        )
    ctx = seed(participants)
    if ctx is None:
        click.echo("Demo data already loaded; nothing added.")
    else:
        db.session.commit()
        click.echo(
            f"Loaded demo data: {len(ctx.cities)} cities, {len(ctx.cohorts)} cohorts, "
            f"{len(ctx.participants)} participants."
        )
    print_accounts()
