"""The participant's own page: their referrals and jobs."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from coop.core import once
from coop.core.errors import show_error
from coop.core.permissions import roles_required
from coop.core.retry import transaction
from coop.referrals import queries, services
from coop.referrals.forms import NewPlacementForm, choices
from coop.referrals.models import Referral
from coop.referrals.services import ReferralError
from coop.referrals.views import PARTICIPANT, bp
from coop.referrals.views.common import paged
from coop.referrals.views.placements import _employer_choices, _placement_values


@bp.get("/me/referrals")
@roles_required(PARTICIPANT)
def mine():
    base = queries.referral_list(current_user)
    received = paged(base.where(Referral.participant_id == current_user.id), "referrals_page")
    made = paged(base.where(Referral.referrer_id == current_user.id), "made_page")
    jobs = paged(queries.placement_list(current_user), "jobs_page")
    return render_template(
        "referrals/mine.html",
        received=received,
        made=made,
        jobs=jobs,
        can_refer=queries.is_alumnus(current_user),
    )


@bp.route("/me/jobs/new", methods=["GET", "POST"])
@roles_required(PARTICIPANT)
@transaction(also=(once.AlreadySaved,), write_lock=True)  # a double click reports one job
def report_job():
    partners = _employer_choices(staff=False)
    form = NewPlacementForm.for_participant()
    del form.participant_id
    if (done := once.already_saved(form)) is not None:
        return done
    form.partner_id.choices = choices([("", "— not listed —")] + list(partners.items()))
    if form.validate_on_submit():
        enrollment = queries.latest_enrollment(current_user.id)
        url = url_for("referrals.mine")
        try:
            with once.saving(form) as saving:
                placement = services.record_placement(
                    current_user,
                    current_user.id,
                    cohort_id=enrollment.cohort_id if enrollment else None,
                    **_placement_values(form, partners),
                )
                saving.done(url, placement.id)
        except ReferralError as exc:
            show_error(form, exc)
        else:
            flash("Thanks! Your job is recorded; staff will verify it.", "success")
            return redirect(url)
    return render_template(
        "referrals/form.html",
        form=form,
        title="Report a job",
        intro="Tell us about your job. Only you and coop staff see the salary.",
        cancel=url_for("referrals.mine"),
    )
