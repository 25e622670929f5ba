"""``flask --app coop enrollment ...``"""

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from coop.enrollment import history
from coop.enrollment.models import Enrollment
from coop.extensions import db

cli = AppGroup("enrollment", help="Enrollments: what their history says.")


@cli.command("rebuild-history")
def rebuild_history_command():
    """Recompute every enrollment's "was accepted" and "withdrew before a seat" from its
    events (the dashboard's funnel): after a restore, or events changed by hand in SQL."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Enrollment)) or 0
    wrong = history.rebuild()
    db.session.commit()
    click.echo(f"Checked {total} enrollments; {wrong} had a wrong history mark.")
