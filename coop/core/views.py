"""The front door and the signed-in person's own account page."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from coop.auth import services
from coop.auth.forms import AccountForm
from coop.core import nav
from coop.core.permissions import public
from coop.extensions import db

bp = Blueprint("core", __name__)


@bp.get("/")
@public
def index():
    if current_user.is_authenticated:
        return redirect(nav.home_url(current_user))
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    user = current_user._get_current_object()
    form = AccountForm(obj=user)
    if form.validate_on_submit():
        try:
            services.update_account(user, name=form.name.data, timezone=form.timezone.data)
        except services.AccountError as exc:
            getattr(form, exc.field or "name").errors.append(str(exc))
        else:
            db.session.commit()
            flash("Your account is saved.", "success")
            return redirect(url_for("core.account"))
    return render_template("account.html", form=form)


@bp.get("/healthz")
@public
def healthz():
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}
