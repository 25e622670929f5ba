"""Referrals: the pipeline from referred to hired."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from coop.core import audit, once
from coop.core.errors import show_error
from coop.core.permissions import require, roles_required
from coop.core.retry import transaction
from coop.extensions import db
from coop.programs.models import Cohort, Partner
from coop.referrals import queries, services
from coop.referrals.forms import NewReferralForm, StageForm, choices
from coop.referrals.models import (
    CLOSED_STAGES,
    Opening,
    Placement,
    Referral,
    ReferralEvent,
    ReferralStage,
)
from coop.referrals.services import ReferralError
from coop.referrals.views import CAPTAIN, PARTICIPANT, STAFF, bp
from coop.referrals.views.common import (
    HIRING_KINDS,
    arg_int,
    city_choices,
    paged,
    pick_person,
)


@bp.get("/referrals")
@roles_required(STAFF, CAPTAIN)
def referrals():
    stmt = queries.referral_list(current_user)
    stage = request.args.get("stage")
    partner_id, opening_id = arg_int("partner"), arg_int("opening")
    participant_id, city_id = arg_int("participant"), arg_int("city")
    if stage == "open":
        stmt = stmt.where(Referral.stage.not_in(list(CLOSED_STAGES)))
    elif stage in {s.value for s in ReferralStage}:
        stmt = stmt.where(Referral.stage == stage)
    if partner_id:
        stmt = stmt.where(Referral.partner_id == partner_id)
    if opening_id:
        stmt = stmt.where(Referral.opening_id == opening_id)
    if participant_id:
        stmt = stmt.where(Referral.participant_id == participant_id)
    if city_id and current_user.is_staff:
        stmt = stmt.where(
            Referral.cohort_id.in_(db.select(Cohort.id).where(Cohort.city_id == city_id))
        )
    page = paged(stmt, per_page=25, count_ahead=True)  # grows with the program
    return render_template(
        "referrals/referrals.html",
        page=page,
        stage=stage,
        stages=list(ReferralStage),
        city_id=city_id,
        cities=city_choices(current_user) if current_user.is_staff else [],
    )


def _referral_form():
    form = NewReferralForm()
    # Search-then-pick: staff may refer thousands of people, too many for one list.
    picker = pick_person(form.participant_id, keep=("opening",))
    board = db.session.scalars(
        queries.openings_list(current_user).order_by(Opening.title, Opening.id)
    ).all()
    form.opening_id.choices = choices(
        [("", "— none —")] + [(o.id, f"{o.title} · {o.partner.name}") for o in board]
    )
    form.partner_id.choices = choices(
        [("", "— none —")] + queries.partner_choices(current_user, HIRING_KINDS)
    )
    return form, picker, {o.id: o for o in board}


@bp.route("/referrals/new", methods=["GET", "POST"])
@roles_required(STAFF, CAPTAIN, PARTICIPANT)
# Two people referring the same person at once: SQLite locks out the second; a double
# click: the second finds (or runs into) the first's token.
@transaction(also=(once.AlreadySaved,))
def new_referral():
    require(queries.can_refer(current_user))
    form, picker, board = _referral_form()
    people = picker.people
    if (done := once.already_saved(form)) is not None:
        return done
    if request.method == "GET":
        form.participant_id.data = arg_int("participant")
        form.opening_id.data = arg_int("opening")
    if form.validate_on_submit():
        enrollment = people.get(form.participant_id.data)
        opening = board.get(form.opening_id.data) if form.opening_id.data else None
        partner = db.session.get(Partner, form.partner_id.data) if form.partner_id.data else None
        require(enrollment is not None)
        try:
            with once.saving(form) as saving:
                referral, created = services.refer(
                    current_user,
                    enrollment,
                    opening=opening,
                    partner=partner,
                    note=(form.note.data or "").strip() or None,
                )
                name, referral_id = enrollment.user.name, referral.id
                visible = created or queries.load_referral(current_user, referral_id) is not None
                if visible:
                    url = url_for("referrals.referral", referral_id=referral_id)
                else:
                    url = url_for("referrals.opening", opening_id=opening.id)
                saving.done(url, referral_id if created else None)
        except ReferralError as exc:
            show_error(form, exc, field="participant_id")
        else:
            if created:
                flash(f"{name} is referred.", "success")
            elif visible:
                flash(
                    f"{name} was referred to this opening already; here is that referral.",
                    "info",
                )
            else:
                # Someone else's referral: one per person and opening, and it is not ours
                # to show.
                flash(f"{name} was referred to this opening already by someone else.", "info")
            return redirect(url)
    if current_user.is_participant:
        cancel = url_for("referrals.mine")
    else:
        cancel = url_for("referrals.referrals")
    return render_template(
        "referrals/form.html",
        form=form,
        title="Refer a participant",
        cancel=cancel,
        picker=picker,
        intro=None if people or picker.search else "There is nobody you can refer at the moment.",
    )


def load_referral(referral_id: int) -> Referral:
    referral = queries.load_referral(current_user, referral_id)
    require(referral is not None)
    return referral


@bp.get("/referrals/<int:referral_id>")
@roles_required(STAFF, CAPTAIN, PARTICIPANT)
@transaction  # records who saw the placement's salary
def referral(referral_id):
    referral = load_referral(referral_id)
    events = db.session.scalars(
        db.select(ReferralEvent)
        .options(db.joinedload(ReferralEvent.actor))
        .where(ReferralEvent.referral_id == referral.id)
        .order_by(ReferralEvent.at, ReferralEvent.id)
    ).all()
    placement = None
    if referral.can_see_private(current_user):
        placement = db.session.scalar(
            db.select(Placement).where(Placement.referral_id == referral.id)
        )
    if placement is not None:
        audit.record_view(
            current_user,
            [placement.participant_id],
            ("salary",),
            target=("placements", placement.id),
            city_id=referral.cohort.city_id,
        )
    allowed = referral.stage_choices_for(current_user)
    form = None
    if allowed:
        form = StageForm()
        form.stage.choices = choices([("", "Choose…")] + [(s.value, s.label) for s in allowed])
        if current_user.id == referral.participant_id:
            form.note.description = "Only you and coop staff see it."
    return render_template(
        "referrals/referral.html",
        referral=referral,
        events=events,
        placement=placement,
        form=form,
    )


@bp.post("/referrals/<int:referral_id>/stage")
@roles_required(STAFF, PARTICIPANT, CAPTAIN)
@transaction
def change_stage(referral_id):
    referral = load_referral(referral_id)
    require(current_user.is_staff or current_user.id == referral.participant_id)
    form = StageForm()
    form.stage.choices = choices([(s.value, s.label) for s in ReferralStage])
    if not form.validate_on_submit():
        flash("Choose the new stage.", "danger")
        return redirect(url_for("referrals.referral", referral_id=referral.id))
    try:
        services.change_stage(
            referral,
            ReferralStage(form.stage.data),
            current_user,
            note=(form.note.data or "").strip() or None,
        )
    except ReferralError as exc:
        show_error(None, exc)
        return redirect(url_for("referrals.referral", referral_id=referral_id))
    new = ReferralStage(form.stage.data)
    flash(f"The referral is now at “{new.label}”.", "success")
    if new == ReferralStage.HIRED and current_user.is_staff:
        flash("Record the job they got below.", "info")
        return redirect(url_for("referrals.new_placement", referral=referral_id))
    return redirect(url_for("referrals.referral", referral_id=referral_id))
