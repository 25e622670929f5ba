"""The front door and the health check. (The account page is auth's.)"""

from flask import Blueprint, redirect
from flask_login import current_user

from coop.core import nav
from coop.core.permissions import public
from coop.extensions import db

bp = Blueprint("core", __name__)


@bp.get("/")
@public
def index():
    return redirect(nav.home_url(current_user))


@bp.get("/healthz")
@public
def healthz():
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}
