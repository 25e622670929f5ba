"""``flask --app coop assessments send-reminders``: one reminder per person and scheduled
assessment, however often (or concurrently) it runs.

Its own command rather than a part of ``sessions send-reminders``: sessions sits on this
package's layer, so it could not call this one without importing it sideways.
"""

import logging

import click
from flask import url_for
from flask.cli import AppGroup

from coop.assessments import queries, services
from coop.core import clock
from coop.extensions import db, mail

log = logging.getLogger("coop.assessments")

cli = AppGroup("assessments", help="Assessments: reminders.")


def _app_link(endpoint: str, **values) -> str | None:
    """An absolute link, or None where none can be built (no SERVER_NAME)."""
    try:
        return url_for(endpoint, _external=True, **values)
    except RuntimeError:
        return None


def reminder_body(reminder: queries.Reminder) -> str:
    lines = [
        f"Hello {reminder.name},",
        "",
        f"“{reminder.title}” is open for you in {reminder.cohort_name}: it takes a few "
        f"minutes and is due by {reminder.due_on:%A %-d %B}.",
    ]
    page = _app_link("portal.cohort_page", cohort_id=reminder.cohort_id)
    if page:
        lines += ["", f"Answer it from your cohort page: {page}"]
    return "\n".join(lines)


def send_reminders() -> tuple[int, int]:
    """Email every enrolled participant whose scheduled assessment is open (its week has
    begun in the cohort's city, and it is not past due) and who has not answered it, once
    per person and assessment.

    The reminder rows are claimed and committed before any mail goes out; a concurrent run
    waits on the unique index and claims none of them. A mail that fails has its row
    removed, so the next run tries again. Returns (sent, failed).
    """
    due = queries.due_reminders(clock.today_in)
    # End the reading transaction: on SQLite the claim must be the first write of its
    # own transaction, so a concurrent run queues on the lock instead of failing.
    db.session.commit()
    if not due:
        return 0, 0
    claimed = services.claim_reminders([(r.schedule_id, r.participant_id) for r in due])
    db.session.commit()
    sent, failed = 0, []
    for reminder in due:
        if (reminder.schedule_id, reminder.participant_id) not in claimed:
            continue
        try:
            mail.send_now(
                reminder.email, f"Reminder: {reminder.title} is open", reminder_body(reminder)
            )
        except Exception:  # one failed mail must not stop the others
            log.exception(
                "assessment reminder %s to user %s failed",
                reminder.schedule_id,
                reminder.participant_id,
            )
            failed.append(reminder)
        else:
            sent += 1
    for reminder in failed:
        services.release_reminder(reminder.schedule_id, reminder.participant_id)
    db.session.commit()
    return sent, len(failed)


@cli.command("send-reminders")
def send_reminders_command():
    """Email participants the assessments open for them (once per person and assessment)."""
    sent, failed = send_reminders()
    click.echo(f"Sent {sent} assessment reminder{'s' if sent != 1 else ''}.")
    if failed:
        click.echo(f"{failed} failed; the next run tries them again.")
