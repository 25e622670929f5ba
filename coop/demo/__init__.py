"""``flask --app coop seed-demo``: believable demo data, loaded once.

The foundation creates cities, tracks, partners, cohorts over three years, staff and
participants. With more participants than the default 200 (``--participants 10000`` for
``make bench``) it runs more sections of the same terms, about one cohort for every 16
extra people, so a big demo looks like a big program rather than a long waiting list.

The package sits outside the product's layers (``tests/test_layers.py``): it may import
any domain, and no domain imports it. The foundation is ``programs`` (cities, tracks,
partners, cohorts and their history) and ``people`` (the demo accounts and participants);
then each domain's part (``enrollment``, ``coaching``, ``sessions``, ``referrals``), a
module with a ``seed(ctx)`` function, runs in the order of the layers. Many rows go in
with ``base.bulk_insert``. A second run adds nothing: the whole seed is skipped when the
demo staff account exists.
"""

import random
import time as time_module
from datetime import date

import click
from flask.cli import with_appcontext

from coop.auth.models import User
from coop.auth.passwords import hash_password
from coop.core import clock
from coop.demo import announcements as announcements_demo
from coop.demo import assessments as assessments_demo
from coop.demo import coaching, enrollment, people, programs, referrals, sessions, talent
from coop.demo import hiring as hiring_demo
from coop.demo import plans as plans_part  # career plans, credentials, support (issue 15)
from coop.demo import terms as terms_demo
from coop.demo.base import SeedContext, bulk_insert
from coop.demo.people import DEMO_ACCOUNTS, DEMO_PASSWORD
from coop.extensions import db
from coop.sessions import tallies

__all__ = [
    "DEMO_ACCOUNTS",
    "DEMO_PASSWORD",
    "SeedContext",
    "bulk_insert",
    "print_accounts",
    "seed",
    "seed_demo_command",
]

#: The domains' parts, in the order of the layers: each finds what the ones before made.
PARTS = {
    "enrollment": enrollment,
    "coaching": coaching,
    "sessions": sessions,
    "referrals": referrals,
    "hiring": hiring_demo,
    "announcements": announcements_demo,
    "assessments": assessments_demo,
    "terms": terms_demo,
    "plans": plans_part,
    "talent": talent,
}


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
    programs.seed(ctx, participants)
    people.seed(ctx, participants)
    programs.seed_history(ctx)
    db.session.flush()
    ctx.timings["foundation"] = time_module.perf_counter() - start
    for domain, part in PARTS.items():
        start = time_module.perf_counter()
        part.seed(ctx)
        db.session.flush()
        ctx.timings[domain] = time_module.perf_counter() - start
    start = time_module.perf_counter()
    tallies.refresh_all()  # the attendance the parts bulk-inserted, counted once
    ctx.timings["tallies"] = time_module.perf_counter() - start
    return ctx


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
