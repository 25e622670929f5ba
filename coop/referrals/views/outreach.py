"""Outreach to partners (staff, captains)."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from coop.core import clock, once
from coop.core.errors import show_error
from coop.core.permissions import require, roles_required
from coop.core.retry import transaction
from coop.extensions import db
from coop.referrals import queries, services
from coop.referrals.forms import NewOutreachForm, OutreachForm, choices
from coop.referrals.models import Outreach
from coop.referrals.services import ReferralError
from coop.referrals.views import CAPTAIN, STAFF, bp
from coop.referrals.views.common import arg_int, paged


@bp.get("/outreach")
@roles_required(STAFF, CAPTAIN)
def outreach_list():
    stmt = queries.visible_outreach(current_user)
    partner_id = arg_int("partner")
    if partner_id:
        stmt = stmt.where(Outreach.partner_id == partner_id)
    follow_up = request.args.get("follow_up") == "1"
    if follow_up:
        stmt = stmt.where(
            Outreach.follow_up_on.is_not(None),
            Outreach.follow_up_on <= clock.today_for(current_user),
        )
        stmt = stmt.order_by(None).order_by(Outreach.follow_up_on, Outreach.id)
    page = paged(stmt, per_page=25)
    return render_template(
        "referrals/outreach_list.html",
        page=page,
        follow_up=follow_up,
        partner_id=partner_id,
        today=clock.today_for(current_user),
    )


def _outreach_form(form):
    form.partner_id.choices = choices([("", "Choose…")] + queries.partner_choices(current_user))
    return form


def _outreach_values(form) -> dict:
    return {
        "partner_id": form.partner_id.data,
        "occurred_on": form.occurred_on.data,
        "contact_name": (form.contact_name.data or "").strip() or None,
        "summary": form.summary.data,
        "follow_up_on": form.follow_up_on.data,
    }


@bp.route("/outreach/new", methods=["GET", "POST"])
@roles_required(STAFF, CAPTAIN)
@transaction(also=(once.AlreadySaved,), write_lock=True)  # a double click logs it once
def new_outreach():
    form = _outreach_form(NewOutreachForm())
    if (done := once.already_saved(form)) is not None:
        return done
    if request.method == "GET":
        form.partner_id.data = arg_int("partner")
        form.occurred_on.data = clock.today_for(current_user)
    if form.validate_on_submit():
        url = url_for("referrals.outreach_list")
        try:
            with once.saving(form) as saving:
                outreach = services.log_outreach(current_user, **_outreach_values(form))
                saving.done(url, outreach.id)
        except ReferralError as exc:
            show_error(form, exc, field="follow_up_on")
        else:
            flash("The outreach is logged.", "success")
            return redirect(url)
    return render_template(
        "referrals/form.html",
        form=form,
        title="Log outreach",
        cancel=url_for("referrals.outreach_list"),
    )


@bp.route("/outreach/<int:outreach_id>/edit", methods=["GET", "POST"])
@roles_required(STAFF, CAPTAIN)
@transaction
def edit_outreach(outreach_id):
    outreach = db.session.scalar(
        queries.visible_outreach(current_user).where(Outreach.id == outreach_id)
    )
    require(outreach is not None and outreach.can_edit(current_user))
    form = _outreach_form(OutreachForm(obj=outreach))
    if form.validate_on_submit():
        try:
            services.update_outreach(outreach, current_user, **_outreach_values(form))
        except ReferralError as exc:
            show_error(form, exc, field="follow_up_on")
        else:
            flash("The outreach is saved.", "success")
            return redirect(url_for("referrals.outreach_list"))
    return render_template(
        "referrals/form.html",
        form=form,
        title=f"Edit outreach with {outreach.partner.name}",
        cancel=url_for("referrals.outreach_list"),
    )
