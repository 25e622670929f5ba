"""``flask --app coop mail deliver``: the outbox worker (coop/core/outbox.py)."""

import signal
import time

import click
from flask import current_app
from flask.cli import AppGroup

from coop.core import outbox

cli = AppGroup("mail", help="The outbox: send queued mail.")


class Stop:
    """Set by SIGTERM or SIGINT: the loop ends after the message it is sending."""

    def __init__(self):
        self.asked = False

    def __call__(self, signum, frame):
        self.asked = True


def run(*, loop: bool, interval: float, max_polls: int | None, limit: int | None, stop=None):
    """Deliver what is due; with ``loop``, poll again every ``interval`` seconds until
    stopped (or ``max_polls`` polls). Returns the totals."""
    stop = stop or Stop()
    total = outbox.Delivered()
    polls = 0
    while True:
        done = outbox.deliver(limit)
        polls += 1
        total.sent += done.sent
        total.failed += done.failed
        total.dead += done.dead
        if not loop or stop.asked or (max_polls is not None and polls >= max_polls):
            return total
        # Sleep in short steps so a stop signal is heard within a quarter second.
        deadline = time.monotonic() + interval
        while not stop.asked and time.monotonic() < deadline:
            time.sleep(min(0.25, max(deadline - time.monotonic(), 0)))
        if stop.asked:
            return total


@cli.command("deliver")
@click.option("--loop", is_flag=True, help="Keep running, polling for due mail.")
@click.option(
    "--interval",
    type=click.FloatRange(min=0),
    default=None,
    help="Seconds between polls with --loop (default MAIL_WORKER_INTERVAL, 5).",
)
@click.option(
    "--max-polls", type=click.IntRange(min=1), default=None, help="Stop after this many polls."
)
@click.option(
    "--limit", type=click.IntRange(min=1), default=None, help="At most this many per poll."
)
def deliver_command(loop, interval, max_polls, limit):
    """Send the queued mail that is due: retries failures with backoff, marks a message
    dead after MAIL_MAX_ATTEMPTS tries. Safe to run on several machines at once on
    PostgreSQL; run one on SQLite."""
    stop = Stop()
    if loop:
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
    if interval is None:
        interval = float(current_app.config.get("MAIL_WORKER_INTERVAL", 5))
    total = run(loop=loop, interval=interval, max_polls=max_polls, limit=limit, stop=stop)
    click.echo(f"Sent {total.sent}, failed {total.failed} (to retry), dead {total.dead}.")
