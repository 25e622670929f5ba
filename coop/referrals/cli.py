"""``flask --app coop referrals …``: maintenance commands for referral tracking."""

import click
from flask.cli import AppGroup

from coop.extensions import db
from coop.referrals import services

cli = AppGroup("referrals", help="Referral tracking: openings, placements, follow-ups.")


@cli.command("create-followups")
def create_followups_command() -> None:
    """Create the follow-up tasks after exit of every graduate who lacks them.

    Idempotent: a second run adds nothing. Commits once per batch of graduates.
    """
    total = 0
    for batch in services.graduated_enrollments():
        total += services.ensure_followups(batch)
        db.session.commit()
    click.echo(f"Created {total} follow-up task{'s' if total != 1 else ''}.")
