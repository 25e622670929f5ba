"""``flask --app coop sessions ...``"""

import logging

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from coop.db import utcnow
from coop.extensions import db, mail
from coop.sessions import services, tallies
from coop.sessions.models import VirtualSession

log = logging.getLogger("coop.sessions")

cli = AppGroup("sessions", help="Virtual sessions: reminders, attendance tallies.")


def send_reminders(now=None) -> int:
    """Email participants and captains about sessions starting in the next 24 hours,
    exactly once per session and person, however often (or concurrently) it runs.

    The log rows are committed before any mail goes out (at most once); a mail that fails
    has its row removed so the next run tries again. Returns how many were sent.
    """
    now = now or utcnow()
    due = services.due_reminders(now)
    # End the reading transaction first: on SQLite the claim must be the first write of
    # its own transaction, so a concurrent run queues on the lock instead of failing.
    db.session.commit()
    if not due:
        return 0
    claimed = services.claim_reminders(due, now)
    db.session.commit()
    sent, failed = 0, []
    for reminder in due:
        if (reminder.session_id, reminder.user_id) not in claimed:
            continue
        try:
            mail.send_now(reminder.email, reminder.subject, reminder.body)
        except Exception:  # one failed mail must not stop the others
            log.exception(
                "reminder for session %s to user %s failed", reminder.session_id, reminder.user_id
            )
            failed.append(reminder)
        else:
            sent += 1
    for reminder in failed:
        services.release_reminder(reminder.session_id, reminder.user_id)
    db.session.commit()
    return sent


@cli.command("send-reminders")
def send_reminders_command():
    """Email reminders about sessions starting in the next 24 hours (once per person)."""
    sent = send_reminders()
    click.echo(f"Sent {sent} session reminder{'s' if sent != 1 else ''}.")


@cli.command("recount-attendance")
def recount_attendance_command():
    """Recount every session's attendance tally (the dashboard's attendance): after a
    restore, or a change made to attendance or enrollments by hand in SQL."""
    sessions = db.session.scalar(sa.select(sa.func.count()).select_from(VirtualSession)) or 0
    wrong = tallies.refresh_all()
    db.session.commit()
    click.echo(f"Recounted {sessions} sessions; {wrong} had a wrong tally.")
