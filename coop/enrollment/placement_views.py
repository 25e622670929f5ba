"""Applying to the program (public) and, for staff, deciding and placing applicants."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from coop.auth.models import Role
from coop.core import clock, nav, retry
from coop.core.errors import show_error
from coop.core.pagination import paginate
from coop.core.permissions import public, require, staff_required
from coop.core.timezones import zone_names
from coop.enrollment import placement
from coop.enrollment.placement_forms import (
    ConfirmPlacementForm,
    ProgramApplicationForm,
    ProgramDecisionForm,
)
from coop.enrollment.program_models import ProgramStatus
from coop.enrollment.queries import form_choices
from coop.enrollment.services import Conflict
from coop.extensions import limiter
from coop.programs.cloning import upcoming_terms

bp = Blueprint("placement", __name__)

nav.nav_item("Program applicants", "placement.applications", {Role.STAFF}, order=58)

transaction = retry.transaction(also=(Conflict, placement.Conflict), write_lock=True)

#: The most proposals one page lists ("Place all" confirms every one of them).
SHOWN = 200


@bp.route("/apply/program", methods=["GET", "POST"])
@public
@limiter.limit("20 per hour", methods=["POST"])
@transaction
def apply():
    cities, tracks, _ = form_choices()
    form = ProgramApplicationForm(
        cities=cities,
        tracks=tracks,
        zones=zone_names(),
        terms=upcoming_terms(clock.today_for()),
    )
    if request.method == "GET":
        form.timezone.data = clock.default_zone()
        if len(form.start_term.choices) > 1:
            form.start_term.data = form.start_term.choices[1].value
    if form.validate_on_submit():
        survey = placement.Survey(
            name=form.name.data,
            email=form.email.data,
            city_id=form.city.data,
            track_id=form.track.data,
            evenings=form.evenings.data,
            timezone=form.timezone.data,
            start_term=form.start_term.data,
            college=form.college.data or None,
            first_generation={"yes": True, "no": False}.get(form.first_generation.data),
            goals=form.goals.data or None,
        )
        try:
            placement.apply_to_program(survey)
        except placement.DuplicateProgramApplication:
            # Answered like a first application: the form never tells whether an address
            # applied before.
            return redirect(url_for("placement.thanks"))
        except placement.PlacementError as exc:
            show_error(form, exc, field="email")
        else:
            return redirect(url_for("placement.thanks"))
    return render_template("enrollment/program_apply.html", form=form)


@bp.get("/apply/program/thanks")
@public
def thanks():
    return render_template("enrollment/program_thanks.html")


def _status_arg() -> ProgramStatus | None:
    value = request.args.get("status", "applied")
    try:
        return ProgramStatus(value)
    except ValueError:
        return None


@bp.get("/program-applications")
@staff_required
def applications():
    status = _status_arg()
    page = paginate(placement.applications_stmt(current_user, status))
    return render_template(
        "enrollment/program_applications.html",
        page=page,
        status=status,
        statuses=list(ProgramStatus),
        counts=placement.application_counts(current_user),
        form=ProgramDecisionForm(),
    )


@bp.post("/program-applications/decide")
@staff_required
@transaction
def decide():
    form = ProgramDecisionForm()
    back = redirect(url_for("placement.applications"))
    if not form.validate_on_submit():
        flash("Choose a decision and at least one applicant.", "danger")
        return back
    ids = set(form.ids.data or [])
    apps = placement.applications_by_id(current_user, ids)
    require(len(apps) == len(ids))  # another city's applicants are not found
    try:
        n = placement.decide(apps, form.decision.data, current_user, form.reason.data)
    except placement.PlacementError as exc:
        show_error(None, exc)
        return back
    verb = "Accepted for placement" if form.decision.data == "accept" else "Declined"
    flash(f"{verb}: {n} applicant{'' if n == 1 else 's'}.", "success")
    return back


@bp.get("/program-applications/place")
@staff_required
def place():
    rows = placement.proposals_for(current_user)
    placeable = [r for r in rows if r.proposal.cohort_id is not None]
    return render_template(
        "enrollment/place.html",
        rows=rows[:SHOWN],
        more=max(len(rows) - SHOWN, 0),
        total=len(rows),
        placeable=len(placeable),
        form=ConfirmPlacementForm(),
    )


@bp.post("/program-applications/place")
@staff_required
@transaction
def confirm():
    form = ConfirmPlacementForm()
    back = redirect(url_for("placement.place"))
    pairs = form.pairs() if form.validate_on_submit() else None
    if pairs is None:
        flash("Choose at least one proposal.", "danger")
        return back
    if request.form.get("all") == "1":
        pairs = [
            (r.application.id, r.proposal.cohort_id)
            for r in placement.proposals_for(current_user)
            if r.proposal.cohort_id is not None
        ]
    try:
        result = placement.confirm(pairs, current_user)
    except placement.PlacementError as exc:
        show_error(None, exc)
        return back
    for category, message in result.messages():
        flash(message, category)
    return back
