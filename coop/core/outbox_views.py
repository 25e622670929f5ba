"""Staff: the mail that could not be sent, and sending it again."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from coop.core import nav, outbox
from coop.core.errors import DomainError
from coop.core.forms import FlaskForm
from coop.core.pagination import paginate
from coop.core.permissions import require, staff_required
from coop.core.retry import transaction
from coop.core.roles import Role
from coop.extensions import db

bp = Blueprint("outbox", __name__, url_prefix="/mail")


def org_wide(user) -> bool:
    return user.city_ids is None


nav.nav_item("Undelivered mail", "outbox.undelivered", {Role.STAFF}, order=86, when=org_wide)


class RetryForm(FlaskForm):
    """A button (CSRF only)."""


def _org_wide() -> None:
    # The outbox holds mail to every city: only organisation-wide staff see it.
    require(org_wide(current_user))


@bp.get("/undelivered")
@staff_required
def undelivered():
    _org_wide()
    page = paginate(outbox.undelivered_stmt())
    return render_template("outbox/undelivered.html", page=page, form=RetryForm())


@bp.post("/<int:message_id>/retry")
@staff_required
@transaction
def retry(message_id):
    _org_wide()
    message = db.session.get(outbox.OutboxMessage, message_id)
    require(message is not None)
    form = RetryForm()
    if form.validate_on_submit():
        try:
            outbox.retry(message, current_user._get_current_object())
        except DomainError as exc:
            flash(exc.message, "danger")
        else:
            flash("Queued again: it goes out with the next delivery.", "success")
    return redirect(url_for("outbox.undelivered"))
