"""Placements: the jobs people got, and staff verifying them."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from coop.core import once
from coop.core.errors import show_error
from coop.core.permissions import require, roles_required, staff_required
from coop.core.retry import transaction
from coop.extensions import db
from coop.programs.models import Partner
from coop.referrals import queries, services
from coop.referrals.forms import NewPlacementForm, PlacementForm, choices
from coop.referrals.models import Placement
from coop.referrals.services import ReferralError
from coop.referrals.views import PARTICIPANT, STAFF, bp
from coop.referrals.views.common import (
    HIRING_KINDS,
    arg_int,
    paged,
    pick_person,
    record_salaries_seen,
)
from coop.referrals.views.referrals import load_referral


@bp.get("/placements")
@staff_required
@transaction  # records who saw the salaries
def placements():
    stmt = queries.placement_list(current_user)
    verified = request.args.get("verified")
    career = request.args.get("career_track")
    participant_id, partner_id = arg_int("participant"), arg_int("partner")
    if verified == "1":
        stmt = stmt.where(Placement.verified_at.is_not(None))
    elif verified == "0":
        stmt = stmt.where(Placement.verified_at.is_(None))
    if career == "1":
        stmt = stmt.where(Placement.career_track.is_(True))
    elif career == "0":
        stmt = stmt.where(Placement.career_track.is_(False))
    if participant_id:
        stmt = stmt.where(Placement.participant_id == participant_id)
    if partner_id:
        stmt = stmt.where(Placement.partner_id == partner_id)
    page = paged(stmt, per_page=25)
    record_salaries_seen(page.items, ("placements", None))
    return render_template("referrals/placements.html", page=page, verified=verified, career=career)


def _placement_values(form, partners: dict) -> dict:
    partner_id = form.partner_id.data if form.partner_id.data in partners else None
    name = (form.employer_name.data or "").strip() or partners.get(partner_id, "")
    return {
        "partner_id": partner_id,
        "employer_name": name,
        "title": form.title.data,
        "start_date": form.start_date.data,
        "end_date": form.end_date.data,
        "salary": form.salary.data,
        "full_time": bool(form.full_time.data),
        "career_track": bool(form.career_track.data),
    }


def _employer_choices(staff: bool) -> dict:
    stmt = db.select(Partner.id, Partner.name).where(
        Partner.archived.is_(False), Partner.kind.in_(HIRING_KINDS)
    )
    if staff:
        stmt = queries.visible_partners(current_user, stmt)
    return dict(db.session.execute(stmt.order_by(Partner.name)).all())


@bp.route("/placements/new", methods=["GET", "POST"])
@staff_required
@transaction(also=(once.AlreadySaved,), write_lock=True)  # a double click records one job
def new_placement():
    referral = picker = None
    referral_id = arg_int("referral")
    if referral_id:
        referral = load_referral(referral_id)
    partners = _employer_choices(staff=True)
    form = NewPlacementForm()
    if (done := once.already_saved(form)) is not None:
        return done
    form.partner_id.choices = choices([("", "— not a partner —")] + list(partners.items()))
    if referral is not None:
        people = {referral.participant_id: None}
        form.participant_id.choices = choices(
            [(referral.participant_id, referral.participant.name)]
        )
        if referral.partner_id not in partners:
            partners[referral.partner_id] = referral.partner.name
            form.partner_id.choices.append(SelectChoice(referral.partner_id, referral.partner.name))
    else:
        # Search-then-pick: staff may record jobs for thousands of people.
        picker = pick_person(form.participant_id, keep=())
        people = picker.people
    if request.method == "GET":
        if referral is not None:
            form.participant_id.data = referral.participant_id
            form.partner_id.data = referral.partner_id
            form.title.data = referral.opening.title if referral.opening else None
        else:
            form.participant_id.data = arg_int("participant")
    if form.validate_on_submit():
        participant_id = form.participant_id.data
        require(participant_id in people)
        cohort_id = None
        if referral is None:
            cohort_id = people[participant_id].cohort_id
        if referral is not None:
            url = url_for("referrals.referral", referral_id=referral.id)
        else:
            url = url_for("referrals.placements", participant=participant_id)
        try:
            with once.saving(form) as saving:
                placement = services.record_placement(
                    current_user,
                    participant_id,
                    referral=referral,
                    cohort_id=cohort_id,
                    **_placement_values(form, partners),
                )
                saving.done(url, placement.id)
        except ReferralError as exc:
            show_error(form, exc)
        else:
            flash("The job is recorded.", "success")
            return redirect(url)
    return render_template(
        "referrals/form.html",
        form=form,
        title="Record a job" + (f" for {referral.participant.name}" if referral else ""),
        intro=(
            f"From the hired referral to {referral.partner.name}." if referral is not None else None
        ),
        cancel=url_for("referrals.referral", referral_id=referral.id)
        if referral
        else url_for("referrals.placements"),
        picker=picker,
    )


def load_placement(placement_id: int) -> Placement:
    placement = queries.load_placement(current_user, placement_id)
    require(placement is not None)
    return placement


@bp.route("/placements/<int:placement_id>/edit", methods=["GET", "POST"])
@roles_required(STAFF, PARTICIPANT)
@transaction
def edit_placement(placement_id):
    placement = load_placement(placement_id)
    require(placement.can_edit(current_user))
    partners = _employer_choices(staff=current_user.is_staff)
    if placement.partner_id and placement.partner_id not in partners:
        partners[placement.partner_id] = placement.partner.name
    make = PlacementForm.for_participant if current_user.is_participant else PlacementForm
    form = make(obj=placement)
    del form.participant_id  # a job stays with its person
    form.partner_id.choices = choices([("", "— not a partner —")] + list(partners.items()))
    if request.method == "GET" and placement.partner_id:
        form.employer_name.data = (
            None if placement.employer_name == placement.partner.name else placement.employer_name
        )
    back = (
        url_for("referrals.mine")
        if current_user.is_participant
        else url_for("referrals.placements", participant=placement.participant_id)
    )
    if form.validate_on_submit():
        try:
            services.update_placement(placement, current_user, **_placement_values(form, partners))
        except ReferralError as exc:
            show_error(form, exc)
        else:
            flash("The job is saved.", "success")
            return redirect(back)
    return render_template(
        "referrals/form.html",
        form=form,
        title=f"Edit job: {placement.title}",
        intro=None if current_user.is_participant else f"{placement.participant.name}'s job.",
        cancel=back,
    )


@bp.post("/placements/<int:placement_id>/verify")
@staff_required
@transaction
def verify_placement(placement_id):
    placement = load_placement(placement_id)
    try:
        services.verify_placement(placement, current_user)
    except ReferralError as exc:
        show_error(None, exc)
    else:
        name = placement.participant.name
        flash(f"{name}'s job is verified.", "success")
    return redirect(url_for("referrals.placements", verified="0"))
