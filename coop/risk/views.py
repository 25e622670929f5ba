"""The at-risk list for staff (their cities) and captains (their pods)."""

from flask import Blueprint, render_template
from flask_login import current_user

from coop.auth.models import Role
from coop.core import clock, nav
from coop.core.permissions import roles_required
from coop.risk import queries

bp = Blueprint("risk", __name__, url_prefix="/at-risk")

nav.nav_item("At risk", "risk.at_risk", {Role.STAFF, Role.CAPTAIN}, order=44)


@bp.get("/")
@roles_required(Role.STAFF, Role.CAPTAIN)
def at_risk():
    page, rows = queries.at_risk(current_user, clock.today_for(current_user))
    return render_template(
        "risk/at_risk.html", page=page, rows=rows, thresholds=queries.thresholds()
    )
