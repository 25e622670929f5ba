"""The openings board."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from coop.core import once
from coop.core.errors import show_error
from coop.core.permissions import require, roles_required
from coop.core.retry import transaction
from coop.extensions import db
from coop.programs.models import today_in_city
from coop.referrals import queries, services
from coop.referrals.forms import NewOpeningForm, OpeningForm, choices
from coop.referrals.models import Opening, Referral
from coop.referrals.services import ReferralError
from coop.referrals.views import CAPTAIN, PARTICIPANT, STAFF, bp
from coop.referrals.views.common import (
    HIRING_KINDS,
    all_cities,
    all_tracks,
    arg_int,
    city_choices,
    paged,
)


@bp.get("/openings")
@roles_required(STAFF, CAPTAIN, PARTICIPANT)
def openings():
    on = None  # each opening's closing date against today in its city (Opening.open_clause)
    show_all = request.args.get("show") == "all" and not current_user.is_participant
    stmt = queries.openings_list(current_user, on, include_closed=show_all)
    track_id, city_id, partner_id = arg_int("track"), arg_int("city"), arg_int("partner")
    remote = request.args.get("remote")
    if track_id:
        stmt = stmt.where(Opening.track_id == track_id)
    if city_id:
        stmt = stmt.where(Opening.city_id == city_id)
    if partner_id:
        stmt = stmt.where(Opening.partner_id == partner_id)
    if remote == "1":
        stmt = stmt.where(Opening.remote.is_(True))
    elif remote == "0":
        stmt = stmt.where(Opening.remote.is_(False))
    stmt = stmt.order_by(Opening.created_at.desc(), Opening.id.desc())
    page = paged(stmt, per_page=25)
    return render_template(
        "referrals/openings.html",
        page=page,
        tracks=all_tracks(),
        cities=all_cities(),
        track_id=track_id,
        city_id=city_id,
        partner_id=partner_id,
        remote=remote,
        show_all=show_all,
        can_post=not current_user.is_participant,
        can_refer=queries.can_refer(current_user),
        on=on,
    )


def load_opening(opening_id: int) -> Opening:
    opening = db.session.scalar(
        db.select(Opening)
        .options(
            db.joinedload(Opening.partner),
            db.joinedload(Opening.city),
            db.joinedload(Opening.track),
            db.joinedload(Opening.posted_by),
        )
        .where(Opening.id == opening_id)
    )
    require(opening is not None and queries.opening_visible(current_user, opening))
    return opening


@bp.get("/openings/<int:opening_id>")
@roles_required(STAFF, CAPTAIN, PARTICIPANT)
def opening(opening_id):
    opening = load_opening(opening_id)
    referrals = paged(
        queries.referral_list(current_user).where(Referral.opening_id == opening.id),
        per_page=25,
    )
    return render_template(
        "referrals/opening.html",
        opening=opening,
        referrals=referrals,
        can_manage=queries.opening_manageable(current_user, opening),
        can_refer=opening.is_open() and queries.can_refer(current_user),
    )


def _opening_form(form):
    form.partner_id.choices = choices(
        [("", "Choose…")] + queries.partner_choices(current_user, HIRING_KINDS)
    )
    form.city_id.choices = choices(city_choices(current_user, blank="— none (remote only) —"))
    form.track_id.choices = choices([("", "Any track")] + [tuple(t) for t in all_tracks()])
    return form


def _opening_values(form) -> dict:
    return {
        "partner_id": form.partner_id.data,
        "title": form.title.data,
        "city_id": form.city_id.data,
        "remote": bool(form.remote.data),
        "url": form.url.data or None,
        "track_id": form.track_id.data,
        "description": (form.description.data or "").strip() or None,
        "closes_on": form.closes_on.data,
    }


@bp.route("/openings/new", methods=["GET", "POST"])
@roles_required(STAFF, CAPTAIN)
@transaction(also=(once.AlreadySaved,), write_lock=True)  # a double click posts it once
def new_opening():
    form = _opening_form(NewOpeningForm())
    if (done := once.already_saved(form)) is not None:
        return done
    if request.method == "GET":
        form.partner_id.data = arg_int("partner")
    if form.validate_on_submit():
        if form.closes_on.data and form.closes_on.data < today_in_city(form.city_id.data):
            form.closes_on.errors.append("The closing date has passed already.")
        else:
            try:
                with once.saving(form) as saving:
                    opening = services.post_opening(current_user, **_opening_values(form))
                    url = url_for("referrals.opening", opening_id=opening.id)
                    saving.done(url, opening.id)
            except ReferralError as exc:
                show_error(form, exc, field="url")
            else:
                flash("The opening is on the board.", "success")
                return redirect(url)
    return render_template(
        "referrals/form.html",
        form=form,
        title="Post an opening",
        cancel=url_for("referrals.openings"),
    )


@bp.route("/openings/<int:opening_id>/edit", methods=["GET", "POST"])
@roles_required(STAFF, CAPTAIN)
@transaction
def edit_opening(opening_id):
    opening = load_opening(opening_id)
    require(queries.opening_manageable(current_user, opening))
    form = _opening_form(OpeningForm(obj=opening))
    if form.validate_on_submit():
        try:
            services.update_opening(opening, current_user, **_opening_values(form))
        except ReferralError as exc:
            show_error(form, exc, field="url")
        else:
            flash("The opening is saved.", "success")
            return redirect(url_for("referrals.opening", opening_id=opening.id))
    return render_template(
        "referrals/form.html",
        form=form,
        title=f"Edit {opening.title}",
        cancel=url_for("referrals.opening", opening_id=opening.id),
    )


@bp.post("/openings/<int:opening_id>/close")
@roles_required(STAFF, CAPTAIN)
@transaction
def close_opening(opening_id):
    opening = load_opening(opening_id)
    require(queries.opening_manageable(current_user, opening))
    try:
        services.close_opening(opening, current_user)
    except ReferralError as exc:
        show_error(None, exc)
    else:
        flash("The opening is closed: off the board, kept in the records.", "success")
    return redirect(url_for("referrals.opening", opening_id=opening_id))


@bp.post("/openings/<int:opening_id>/reopen")
@roles_required(STAFF, CAPTAIN)
@transaction
def reopen_opening(opening_id):
    opening = load_opening(opening_id)
    require(queries.opening_manageable(current_user, opening))
    try:
        services.reopen_opening(opening, current_user)
    except ReferralError as exc:
        show_error(None, exc)
    else:
        flash("The opening is open again.", "success")
    return redirect(url_for("referrals.opening", opening_id=opening_id))
