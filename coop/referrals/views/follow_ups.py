"""Follow-ups after exit (staff)."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from coop.core.errors import show_error
from coop.core.permissions import require, staff_required
from coop.core.retry import transaction
from coop.extensions import db
from coop.referrals import queries, services
from coop.referrals.forms import FollowUpForm
from coop.referrals.models import DUE_SOON_DAYS, EmploymentStatus, FollowUpKind, Placement
from coop.referrals.services import ReferralError
from coop.referrals.views import bp
from coop.referrals.views.common import (
    SECTION_SIZE,
    arg_int,
    city_choices,
    paged,
    record_salaries_seen,
)


@bp.get("/follow-ups")
@staff_required
def follow_ups():
    on = None  # each follow-up's due date against today in its cohort's city
    when = request.args.get("when", "overdue")
    if when not in queries.WHEN:
        when = "overdue"
    city_id = arg_int("city")
    page = paged(queries.follow_up_list(current_user, when, city_id, on), per_page=25)
    return render_template(
        "referrals/follow_ups.html",
        page=page,
        when=when,
        city_id=city_id,
        summary=queries.follow_up_summary(current_user, on),
        cities=city_choices(current_user),
        on=on,
        due_days=DUE_SOON_DAYS,
    )


@bp.route("/follow-ups/<int:follow_up_id>", methods=["GET", "POST"])
@staff_required
@transaction
def follow_up(follow_up_id):
    item = queries.load_follow_up(current_user, follow_up_id)
    require(item is not None)
    form = FollowUpForm()
    if form.validate_on_submit():
        try:
            services.close_follow_up(
                item,
                current_user,
                EmploymentStatus(form.status.data),
                note=(form.note.data or "").strip() or None,
            )
        except ReferralError as exc:
            show_error(form, exc, field="status")
        else:
            name = item.participant.name
            flash(f"Follow-up with {name} is recorded and closed.", "success")
            return redirect(url_for("referrals.follow_ups"))
    jobs = db.session.scalars(
        queries.placement_list(current_user)
        .where(Placement.participant_id == item.participant_id)
        .limit(SECTION_SIZE)
    ).all()
    record_salaries_seen(jobs, ("follow_ups", item.id))
    return render_template(
        "referrals/follow_up.html",
        item=item,
        form=form,
        jobs=jobs,
        kinds=FollowUpKind,
        on=None,  # today in the follow-up's cohort city (FollowUp.state)
    )
