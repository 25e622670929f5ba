"""The person's own sessions: ending one of the others, or all of them, from the account
page; and the hooks that start, check and note sessions on every request
(``coop.auth.user_sessions``)."""

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user, login_required, user_logged_in

from coop.auth import user_sessions
from coop.auth.models import UserSession
from coop.core import clock
from coop.core.forms import FlaskForm
from coop.core.permissions import require
from coop.core.retry import transaction
from coop.extensions import db

bp = Blueprint("account_sessions", __name__)


class EndSessionForm(FlaskForm):
    """The "End" buttons: nothing but the CSRF token."""


def _started(app, user, **extra) -> None:
    """Every ``login_user`` (password, set-password link, a second step) starts a row."""
    user_sessions.start_for_request(user)


@bp.record_once
def _connect(state) -> None:
    user_logged_in.connect(_started, state.app)


@bp.before_app_request
def _check_session() -> None:
    """Load the signed-in user (and check their session) before any view runs, then note
    the request on the session row at most once a minute, in its own transaction."""
    if request.endpoint == "static" or request.path.startswith("/static/"):
        return
    if current_user.is_authenticated:
        user_sessions.touch()


@bp.app_context_processor
def _session_helpers():
    """``idle_deadline()``: when a staff member's session ends if idle (base.html warns);
    ``current_session()``: this browser's row; ``reader_zone()``: the reader's zone."""

    def deadline():
        row = user_sessions.current()
        if row is None or not current_user.is_authenticated or not current_user.is_staff:
            return None
        return user_sessions.idle_deadline(row, current_user)

    return {
        "idle_deadline": deadline,
        "current_session": user_sessions.current,
        "reader_zone": clock.zone_for,
    }


@bp.post("/account/sessions/<int:user_session_id>/end")
@login_required
@transaction
def end(user_session_id):
    form = EndSessionForm()
    if not form.validate_on_submit():
        flash("That request was not understood; nothing changed.", "danger")
        return redirect(url_for("auth.account"))
    row = db.get_or_404(UserSession, user_session_id)
    here = user_sessions.current()
    # Another person's session, or this one (signing out does that): not found.
    require(row.user_id == current_user.id and (here is None or here.id != row.id))
    user_sessions.end_one(current_user._get_current_object(), row)
    flash(f"The session on {row.device} is ended.", "success")
    return redirect(url_for("auth.account"))


@bp.post("/account/sessions/end-others")
@login_required
@transaction
def end_others():
    form = EndSessionForm()
    if not form.validate_on_submit():
        flash("That request was not understood; nothing changed.", "danger")
        return redirect(url_for("auth.account"))
    count = user_sessions.end_others(current_user._get_current_object())
    flash("Your other sessions are ended." if count else "You had no other sessions.", "success")
    return redirect(url_for("auth.account"))
