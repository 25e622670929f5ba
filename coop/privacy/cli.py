"""``flask --app coop privacy purge``: the retention policy, run from cron."""

import click
from flask import current_app
from flask.cli import AppGroup

from coop.core import clock
from coop.extensions import db
from coop.privacy import queries, services

cli = AppGroup("privacy", help="People's data rights: the retention policy.")


def purge(dry_run: bool = False) -> tuple[list[queries.Due], int]:
    """Erase everyone the retention policy says is due; returns (who was due, how many
    this run erased). Each erasure commits on its own; a person another run (or staff)
    erased meanwhile is skipped, so running twice, even at once, erases each person once."""
    config = current_app.config
    due = queries.due_for_erasure(
        clock.now(), config["RETENTION_APPLICANT_YEARS"], config["RETENTION_INACTIVE_YEARS"]
    )
    # End the read transaction: each erasure then starts with its claim (a write), which
    # SQLite queues behind a concurrent run instead of failing.
    db.session.rollback()
    if dry_run:
        return due, 0
    erased = 0
    for person in due:
        if services.erase(person.user_id, actor=None, reason=f"retention: {person.rule}"):
            db.session.commit()
            erased += 1
        else:
            db.session.rollback()
    return due, erased


@cli.command("purge")
@click.option("--dry-run", is_flag=True, help="List who would be erased; change nothing.")
def purge_command(dry_run):
    """Erase people whose retention period has ended (see README, "Privacy")."""
    config = current_app.config
    click.echo(
        f"Retention: applicants never enrolled {config['RETENTION_APPLICANT_YEARS']} years "
        f"after their last activity; anyone else after {config['RETENTION_INACTIVE_YEARS']} "
        "years without activity."
    )
    due, erased = purge(dry_run)
    for person in due:
        click.echo(
            f"  user {person.user_id} ({person.role}, {person.rule}), "
            f"last activity {person.last_activity:%Y-%m-%d}"
        )
    if dry_run:
        click.echo(f"Dry run: {len(due)} would be erased; nothing changed.")
    else:
        click.echo(f"Erased {erased} of {len(due)} due ({len(due) - erased} already erased).")
