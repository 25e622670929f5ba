"""The data-rights pages: download my data, withdraw my consent, and staff erasing a
person."""

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from coop.auth.models import Role, User
from coop.auth.queries import may_manage, user_visible_to
from coop.core import clock
from coop.core.errors import show_error
from coop.core.permissions import require, roles_required, staff_required
from coop.core.retry import transaction
from coop.extensions import db
from coop.privacy import export, services
from coop.privacy.forms import EraseForm, WithdrawConsentForm

bp = Blueprint("privacy", __name__)


@bp.get("/account/data.zip")
@login_required
def download():
    """Everything coop holds about the signed-in person, as one zip."""
    user = current_user._get_current_object()
    body = export.build_zip(user)
    stamp = clock.now().strftime("%Y-%m-%d")
    return Response(
        body,
        mimetype="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="coop-my-data-{stamp}.zip"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/account/consent", methods=["GET", "POST"])
@roles_required(Role.PARTICIPANT, Role.CAPTAIN)
@transaction
def withdraw_consent():
    user = current_user._get_current_object()
    form = WithdrawConsentForm()
    if user.consent_withdrawn_at is None and form.validate_on_submit():
        try:
            services.withdraw_consent(user)
        except services.PrivacyError as exc:
            show_error(form, exc, field="confirm")
        else:
            flash("Your consent is withdrawn. Staff have been told.", "success")
            return redirect(url_for("auth.account"))
    return render_template("privacy/withdraw.html", form=form, user=user)


def _erasable(user_id: int) -> User:
    """The person, if the current staff member may manage them and they are not staff."""
    user = db.get_or_404(User, user_id)
    require(
        not user.is_staff and user_visible_to(user, current_user) and may_manage(current_user, user)
    )
    return user


@bp.route("/people/<int:user_id>/erase", methods=["GET", "POST"])
@staff_required
@transaction
def erase(user_id):
    person = _erasable(user_id)
    form = EraseForm(email=person.email)
    if person.erased_at is None and form.validate_on_submit():
        try:
            services.erase(person.id, actor=current_user._get_current_object())
        except services.PrivacyError as exc:
            show_error(form, exc, field="confirm")
        else:
            flash(f"The personal data of person #{user_id} is erased.", "success")
            return redirect(url_for("auth.users"))
    return render_template("privacy/erase.html", form=form, person=person)
