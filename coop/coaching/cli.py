"""``flask --app coop coaching …``: overdue reminders and importing alumni."""

import logging
from datetime import date

import click
from flask.cli import AppGroup

from coop.coaching import services
from coop.coaching.queries import overdue_reminders
from coop.core import clock
from coop.extensions import db
from coop.programs.models import Cohort

log = logging.getLogger("coop.coaching")

cli = AppGroup("coaching", help="Captains, pods and check-ins.")


def remind_overdue(day: date) -> tuple[int, int]:
    """Email each captain with overdue participants, once per day at most.

    A job at the edge, like a view: it commits, once per captain, and the claim of the
    (captain, day) row is committed before the mail goes out, so a second run the same day
    (even at the same moment) sends nothing more. A mail that fails has its claim removed,
    so the next run tries again, and does not stop the others. Returns (sent, already
    reminded).
    """
    reminders = overdue_reminders(day)
    # End the read transaction: each claim then starts a transaction with a write, which
    # SQLite queues behind a concurrent run (busy timeout) instead of failing.
    db.session.rollback()
    sent = skipped = 0
    for reminder in reminders:
        if services.claim_reminder(reminder.captain_id, day, len(reminder.rows)):
            db.session.commit()
            try:
                services.send_reminder(reminder, day)
            except Exception:  # one failed mail must not stop the others
                log.exception("overdue reminder to captain %s failed", reminder.captain_id)
                services.release_reminder(reminder.captain_id, day)
                db.session.commit()
            else:
                sent += 1
        else:
            db.session.rollback()
            skipped += 1
    return sent, skipped


@cli.command("remind-overdue")
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The day to remind for (default: today in the organisation's zone, COOP_TIMEZONE).",
)
def remind_overdue_command(day):
    """Email each captain their overdue participants (at most once a day)."""
    day = day.date() if day else clock.today_in()
    sent, skipped = remind_overdue(day)
    click.echo(f"Sent {sent} reminder(s); {skipped} captain(s) already reminded on {day}.")


@cli.command("import-alumnus")
@click.argument("email")
@click.option("--name", required=True, help="Full name.")
@click.option(
    "--cohort-id", type=int, required=True, help="The completed cohort they graduated from."
)
@click.option("--appoint", is_flag=True, help="Also appoint them as an alumni captain.")
def import_alumnus_command(email, name, cohort_id, appoint):
    """Record an alumnus of a completed cohort (for graduates from before coop)."""
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        raise click.ClickException(f"No cohort {cohort_id}.")
    try:
        user, appointment = services.import_alumnus(
            email=email, name=name, cohort=cohort, actor=None, appoint=appoint
        )
    except services.CoachingError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(
        f"{user.email} is a graduate of {cohort.name}"
        + (" and an alumni captain." if appointment else ".")
    )
