"""Support-service referrals: staff (their cities) and the pod's captain refer a
participant to a community partner for a need and follow it to received or not; the
participant sees their own on their cohort page."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from coop.auth.models import Role, User
from coop.core import clock, nav, once
from coop.core.errors import show_error
from coop.core.pagination import paginate
from coop.core.permissions import require, roles_required
from coop.core.retry import transaction
from coop.extensions import db
from coop.programs.models import Cohort, Partner
from coop.support import queries, services
from coop.support.forms import AdvanceForm, SupportForm
from coop.support.models import Need, SupportStatus

bp = Blueprint("support", __name__, url_prefix="/support")

# Captains reach it (and their pods' plans) from the at-risk list: their menu stays one row.
nav.nav_item("Support", "support.referrals", {Role.STAFF}, order=47)

coach_or_staff = roles_required(Role.STAFF, Role.CAPTAIN)


def load(cohort_id: int, participant_id: int):
    cohort = db.first_or_404(
        db.select(Cohort).options(joinedload(Cohort.city)).where(Cohort.id == cohort_id)
    )
    participant = db.get_or_404(User, participant_id)
    require(queries.can_manage(current_user, cohort, participant.id))
    return cohort, participant


def _page(cohort, participant, form=None, status=200):
    form = form or SupportForm(formdata=None)
    form.partner.choices = queries.partner_choices(cohort)
    return render_template(
        "support/participant.html",
        cohort=cohort,
        participant=participant,
        rows=queries.of_participant(cohort.id, participant.id),
        form=form,
        advance_form=AdvanceForm(formdata=None),
        today=clock.today_for_cohort(cohort),
    ), status


@bp.get("/")
@coach_or_staff
def referrals():
    page = paginate(queries.referral_list(current_user))
    return render_template("support/list.html", page=page)


@bp.get("/cohorts/<int:cohort_id>/participants/<int:participant_id>")
@coach_or_staff
def participant(cohort_id, participant_id):
    cohort, person = load(cohort_id, participant_id)
    return _page(cohort, person)


@bp.post("/cohorts/<int:cohort_id>/participants/<int:participant_id>")
@coach_or_staff
@transaction(also=(once.AlreadySaved,), write_lock=True)
def refer(cohort_id, participant_id):
    cohort, person = load(cohort_id, participant_id)
    form = SupportForm()
    form.partner.choices = queries.partner_choices(cohort)
    if (done := once.already_saved(form)) is not None:
        return done
    if form.validate_on_submit():
        back = url_for("support.participant", cohort_id=cohort.id, participant_id=person.id)
        try:
            with once.saving(form) as saving:
                row = services.request_support(
                    cohort,
                    person.id,
                    current_user,
                    need=Need(form.need.data),
                    partner=db.session.get(Partner, form.partner.data),
                )
                saving.done(back, row.id)
        except services.SupportError as exc:
            show_error(form, exc)
        else:
            flash("Support referral recorded.", "success")
            return redirect(back)
    return _page(cohort, person, form, 400)


@bp.post("/<int:referral_id>/status")
@coach_or_staff
@transaction
def advance(referral_id):
    row = queries.referral_or_none(referral_id)
    require(row is not None and queries.can_manage(current_user, row.cohort, row.participant_id))
    form = AdvanceForm()
    back = url_for(
        "support.participant", cohort_id=row.cohort_id, participant_id=row.participant_id
    )
    if form.validate_on_submit():
        try:
            services.advance(row, current_user, SupportStatus(form.status.data), form.on.data)
        except services.SupportError as exc:
            show_error(None, exc)
        else:
            flash(f"Marked {row.status.label.lower()}.", "success")
    else:
        flash("Not saved: " + "; ".join(e for es in form.errors.values() for e in es), "danger")
    return redirect(back)


def _portal_panel(user, cohort):
    """The participant's own support referrals (they see their own)."""
    rows = queries.of_participant(cohort.id, user.id)
    return {"rows": rows} if rows else None


nav.panel("portal.cohort", "support/_portal_panel.html", _portal_panel, order=45)
