"""Demo people: one account per role with a known password, and the participants, with
their intake profiles."""

import sqlalchemy as sa

from coop.auth.models import ParticipantProfile, Role, User
from coop.demo.base import SeedContext, insert_rows
from coop.extensions import db

DEMO_PASSWORD = "coop-demo-2026"  # noqa: S105 - printed to the terminal on purpose

#: One account per role with a known password (and one city-limited staff member).
DEMO_ACCOUNTS = [
    ("staff@coop.example", "Sam Staff", Role.STAFF, "organisation-wide staff"),
    ("nyc.staff@coop.example", "Nia Rivera", Role.STAFF, "staff for New York only"),
    ("captain@coop.example", "Carmen Captain", Role.CAPTAIN, "alumni captain"),
    ("participant@coop.example", "Pat Participant", Role.PARTICIPANT, "participant"),
    ("partner@coop.example", "Priya Shah", Role.PARTNER, "partner contact, Brightline Media"),
    ("partner2@coop.example", "Owen Hart", Role.PARTNER, "partner contact, Northwind Analytics"),
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
JOBS = [
    ("Retail associate", 32000),
    ("Barista", 29000),
    ("Administrative assistant", 38000),
    ("Warehouse associate", 35000),
    ("Server", 30000),
    ("Customer service rep", 36000),
]


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


def seed(ctx: SeedContext, participants: int) -> None:
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
        if role in (Role.PARTICIPANT, Role.CAPTAIN):
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
        insert_rows(ParticipantProfile, profiles)
        ctx.participants.extend(users)
