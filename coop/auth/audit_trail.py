"""The audit trail, read: the staff audit page (``/audit``, its CSV), a person's own
disclosure log (``/account/disclosures``: who at coop viewed or exported their personal
data) and ``flask --app coop audit purge``.

Staff of some cities see only the events of their cities; organisation-wide staff see
every event. Rows hold field names, never values (see ``coop.core.audit``).
"""

from datetime import UTC, datetime, time, timedelta

import click
import sqlalchemy as sa
from flask import Blueprint, render_template, request
from flask.cli import AppGroup
from flask_login import current_user, login_required
from sqlalchemy.orm import aliased, joinedload
from wtforms import DateField, IntegerField, StringField
from wtforms.validators import Length, NumberRange, Optional

from coop.auth.models import User
from coop.core import audit, clock, nav
from coop.core.csvsafe import csv_response
from coop.core.forms import FlaskForm, strip
from coop.core.models import AuditEvent
from coop.core.pagination import paginate
from coop.core.permissions import staff_required
from coop.core.roles import Role
from coop.extensions import db

bp = Blueprint("audit", __name__)
cli = AppGroup("audit", help="The audit trail: purge old events.")

nav.nav_item("Audit", "audit.audit_page", {Role.STAFF}, order=85)

#: The most rows one CSV export holds (narrow the filters for more).
EXPORT_LIMIT = 50_000


class AuditFilterForm(FlaskForm):
    """The audit page's filters, read from the query string; changes nothing."""

    class Meta:
        csrf = False

    actor = StringField(
        "Who did it",
        filters=[strip],
        validators=[Optional(), Length(max=120)],
        description="Name or email, or part of it.",
    )
    person = StringField(
        "Whose data",
        filters=[strip],
        validators=[Optional(), Length(max=120)],
        description="Name or email, or part of it.",
    )
    action = StringField(
        "Action",
        filters=[strip],
        validators=[Optional(), Length(max=80)],
        description="E.g. personal_data.viewed, or personal_data for views and exports.",
    )
    target_type = StringField(
        "Target",
        filters=[strip],
        validators=[Optional(), Length(max=40)],
        description="The kind of record changed: cohorts, enrollments, users, …",
    )
    target_id = IntegerField(
        "Target number", validators=[Optional(), NumberRange(min=1, max=2**31 - 1)]
    )
    start = DateField("From (UTC)", validators=[Optional()])
    end = DateField("To (UTC)", validators=[Optional()])


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _matches(user, text: str):
    pattern = _like(text)
    return sa.or_(
        sa.func.lower(user.name).like(pattern, escape="\\"),
        sa.func.lower(user.email).like(pattern, escape="\\"),
    )


def _day_start(day) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def audit_events(viewer, form: AuditFilterForm) -> sa.Select:
    """The events ``viewer`` may see, filtered by ``form`` (validated), newest first."""
    actor, subject = aliased(User), aliased(User)
    stmt = (
        sa.select(AuditEvent)
        .options(
            joinedload(AuditEvent.actor).lazyload("*"),
            joinedload(AuditEvent.subject).lazyload("*"),
        )
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    )
    stmt = viewer.scope_to_cities(stmt, AuditEvent.city_id)
    if form.actor.data:
        stmt = stmt.join(actor, AuditEvent.actor_id == actor.id).where(
            _matches(actor, form.actor.data)
        )
    if form.person.data:
        stmt = stmt.join(subject, AuditEvent.subject_user_id == subject.id).where(
            _matches(subject, form.person.data)
        )
    if form.action.data:
        action = form.action.data.lower()
        stmt = stmt.where(
            sa.or_(AuditEvent.action == action, AuditEvent.action.startswith(action + "."))
        )
    if form.target_type.data:
        stmt = stmt.where(AuditEvent.target_type == form.target_type.data.lower())
    if form.target_id.data:
        stmt = stmt.where(AuditEvent.target_id == form.target_id.data)
    if form.start.data:
        stmt = stmt.where(AuditEvent.created_at >= _day_start(form.start.data))
    if form.end.data:
        stmt = stmt.where(AuditEvent.created_at < _day_start(form.end.data + timedelta(days=1)))
    return stmt


def _filters() -> tuple[AuditFilterForm, bool]:
    form = AuditFilterForm(request.args)
    return form, form.validate()


@bp.get("/audit")
@staff_required
def audit_page():
    form, valid = _filters()
    page = paginate(audit_events(current_user, form if valid else AuditFilterForm(formdata=None)))
    return render_template("auth/audit.html", form=form, page=page, valid=valid)


CSV_HEADER = [
    "time_utc",
    "actor_id",
    "actor",
    "action",
    "target_type",
    "target_id",
    "person_id",
    "person",
    "fields",
    "city_id",
    "request_id",
    "reason",
]


@bp.get("/audit.csv")
@staff_required
def audit_export():
    form, valid = _filters()
    stmt = audit_events(current_user, form if valid else AuditFilterForm(formdata=None))
    events = db.session.scalars(stmt.limit(EXPORT_LIMIT)).all()
    rows = (
        [
            e.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            e.actor_id,
            e.actor.name if e.actor else "system",
            e.action,
            e.target_type,
            e.target_id,
            e.subject_user_id,
            e.subject.name if e.subject else "",
            " ".join(e.changed or ()),
            e.city_id,
            e.request_id or "",
            e.reason or "",
        ]
        for e in events
    )
    today = clock.now().date().isoformat()
    return csv_response(f"audit-{today}.csv", CSV_HEADER, rows)


# -- a person's own disclosure log -------------------------------------------------------


ROLE_LABELS = {Role.STAFF: "coop staff", Role.CAPTAIN: "an alumni captain"}


@bp.get("/account/disclosures")
@login_required
def disclosures():
    """Who at coop viewed or exported the signed-in person's personal data, and when."""
    stmt = (
        sa.select(AuditEvent)
        .options(joinedload(AuditEvent.actor).lazyload("*"))
        .where(
            AuditEvent.subject_user_id == current_user.id,
            AuditEvent.action.in_(audit.DISCLOSURES),
        )
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    )
    page = paginate(stmt)
    return render_template(
        "auth/disclosures.html",
        page=page,
        zone=clock.zone_for(current_user),
        role_labels=ROLE_LABELS,
        exported=audit.EXPORTED,
    )


# -- purging -----------------------------------------------------------------------------


@cli.command("purge")
@click.option(
    "--before",
    "before",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Delete the events created before this day (UTC midnight), YYYY-MM-DD.",
)
@click.option("--dry-run", is_flag=True, help="Only list what would be deleted.")
def purge_command(before: datetime, dry_run: bool) -> None:
    """Delete audit events older than --before (the only way rows leave the table)."""
    cutoff = before.replace(tzinfo=UTC)
    if cutoff > clock.now():
        raise click.BadParameter("must not be in the future", param_hint="--before")
    counts = audit.purge_counts(cutoff)
    for action, count in counts:
        click.echo(f"{action}: {count}")
    total = sum(count for _, count in counts)
    if dry_run:
        db.session.rollback()
        click.echo(
            f"Would delete {total} audit event{'s' if total != 1 else ''} before {cutoff.date()}."
        )
        return
    deleted = audit.purge(cutoff)
    db.session.commit()
    click.echo(
        f"Deleted {deleted} audit event{'s' if deleted != 1 else ''} before {cutoff.date()}."
    )
