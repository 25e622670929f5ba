"""The talent pool's pages.

- the participant's career profile (``/me/career``), their résumé, and their answers to
  introduction requests (a panel on their cohort page);
- partner contacts: their organisation's page (``/partner``), its openings, the talent
  search (``/talent``), profiles, the shortlist and introduction requests;
- staff: the review page (``/talent/review``: profiles to approve, partners' openings
  waiting, "I'm interested" requests, every introduction request), inviting a partner's
  contacts, the partner's approval setting;
- captains: "I'm interested" requests of their pods (a panel on their home).
"""

from datetime import date

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from coop.auth.models import Role
from coop.core import nav, once
from coop.core.errors import show_error
from coop.core.forms import choices
from coop.core.pagination import paginate
from coop.core.permissions import require, roles_required, staff_required
from coop.core.retry import transaction
from coop.extensions import db
from coop.plans import queries as plan_queries
from coop.programs.models import Partner, Track, today_in_city
from coop.referrals import queries as referral_queries
from coop.referrals.models import Opening, PartnerContact
from coop.talent import queries, services
from coop.talent.forms import (
    ApprovalSettingForm,
    ButtonForm,
    IntroductionForm,
    PartnerOpeningForm,
    ProfileForm,
    ReasonForm,
    ResumeForm,
)
from coop.talent.models import RESUME_MAX_BYTES, CareerProfile, Resume
from coop.talent.services import TalentError
from coop.talent.skills import parse_tags, vocabulary_for

bp = Blueprint("talent", __name__)

STAFF, CAPTAIN, PARTICIPANT, PARTNER = Role.STAFF, Role.CAPTAIN, Role.PARTICIPANT, Role.PARTNER
PER_PAGE = 20

nav.home_for(PARTNER, "talent.partner_home")
nav.nav_item("Our organisation", "talent.partner_home", {PARTNER}, order=10)
nav.nav_item("Find talent", "talent.search", {PARTNER}, order=20)
nav.nav_item("Shortlist", "talent.shortlist", {PARTNER}, order=30)
nav.nav_item("Career profile", "talent.my_profile", {PARTICIPANT}, order=53)
nav.nav_item("Talent pool", "talent.review", {STAFF}, order=55)


def _arg_int(name: str) -> int | None:
    value = request.args.get(name, type=int)
    return value if value and 0 < value < 2**31 else None


def _arg_date(name: str) -> date | None:
    try:
        value = date.fromisoformat(request.args.get(name) or "")
    except ValueError:
        return None
    return value if date(1900, 1, 1) <= value <= date(2199, 12, 31) else None


def _contact() -> PartnerContact:
    """The signed-in partner contact's record; 404 when it is archived or missing."""
    contact = queries.contact_of(current_user)
    require(contact is not None)
    return contact


def _tracks() -> list:
    return db.session.execute(db.select(Track.id, Track.name).order_by(Track.name)).all()


# -- the participant's career profile -------------------------------------------------------


def _profile_form(profile: CareerProfile | None, slug: str | None):
    form = ProfileForm(obj=profile)
    vocabulary = vocabulary_for(slug)
    form.skills.choices = choices([(s, s) for s in vocabulary])
    form.city_id.choices = choices([("", "—")] + queries.city_choices())
    if request.method == "GET" and profile is not None:
        form.skills.data = [s for s in profile.skills if s in vocabulary]
        form.tags.data = ", ".join(s for s in profile.skills if s not in vocabulary)
    return form, vocabulary


@bp.route("/me/career", methods=["GET", "POST"])
@roles_required(PARTICIPANT)
@transaction
def my_profile():
    profile = queries.profile_of(current_user.id)
    enrollment = referral_queries.latest_enrollment(current_user.id)
    if enrollment is None and profile is None:
        return render_template("talent/no_profile.html")
    track_slug = None
    if profile is not None and profile.cohort is not None:
        track_slug = profile.cohort.track.slug
    elif enrollment is not None:
        track_slug = db.session.get(Track, enrollment.cohort.track_id).slug
    form, vocabulary = _profile_form(profile, track_slug)
    if request.method == "GET" and profile is None:
        form.city_id.data = enrollment.cohort.city_id
    if form.validate_on_submit():
        skills = [s for s in (form.skills.data or []) if s in vocabulary]
        skills += [
            t for t in parse_tags(form.tags.data) if t.lower() not in {s.lower() for s in skills}
        ]
        values = {
            "headline": form.headline.data,
            "summary": (form.summary.data or "").strip() or None,
            "skills": skills,
            "target_roles": form.target_roles.data or None,
            "city_id": form.city_id.data,
            "remote": bool(form.remote.data),
            "relocate": bool(form.relocate.data),
            "available_from": form.available_from.data,
            "linkedin_url": form.linkedin_url.data or None,
            "portfolio_url": form.portfolio_url.data or None,
        }
        try:
            if profile is None:
                profile = services.start_profile(current_user)
            changed = services.save_profile(profile, current_user, **values)
        except TalentError as exc:
            show_error(form, exc, field="headline")
        else:
            if "status" in changed:
                flash(
                    "Saved. Your changes go to staff for review before partners see them.", "info"
                )
            else:
                flash("Your career profile is saved.", "success")
            return redirect(url_for("talent.my_profile"))
    return render_template(
        "talent/my_profile.html",
        profile=profile,
        form=form,
        resume_form=ResumeForm(),
        button=ButtonForm(),
    )


def _own_profile() -> CareerProfile:
    profile = queries.profile_of(current_user.id)
    require(profile is not None)
    return profile


@bp.post("/me/career/submit")
@roles_required(PARTICIPANT)
@transaction
def submit_profile():
    profile = _own_profile()
    if ButtonForm().validate_on_submit():
        try:
            services.submit_profile(profile, current_user)
        except TalentError as exc:
            show_error(None, exc)
        else:
            flash("Your profile is sent to staff for review.", "success")
    return redirect(url_for("talent.my_profile"))


@bp.post("/me/career/<any(hide,show):choice>")
@roles_required(PARTICIPANT)
@transaction
def set_visibility(choice):
    profile = _own_profile()
    if ButtonForm().validate_on_submit():
        services.set_visible(profile, current_user, choice == "show")
        flash(
            "Your profile is visible to partners once approved."
            if choice == "show"
            else "Your profile is hidden: no partner sees it now.",
            "success",
        )
    return redirect(url_for("talent.my_profile"))


@bp.post("/me/career/resume")
@roles_required(PARTICIPANT)
@transaction
def upload_resume():
    profile = _own_profile()
    form = ResumeForm()
    try:
        return _upload_resume(profile, form)
    finally:
        for upload in request.files.values():
            upload.close()  # a large upload is spooled to a temporary file


def _upload_resume(profile, form):
    if form.validate_on_submit():
        upload = form.resume.data
        data = upload.read(RESUME_MAX_BYTES + 1)
        try:
            services.upload_resume(profile, current_user, upload.filename, data)
        except TalentError as exc:
            show_error(None, exc)
        else:
            flash("Your résumé is uploaded.", "success")
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(error, "danger")
    return redirect(url_for("talent.my_profile"))


def _send_resume(resume: Resume) -> Response:
    data = db.session.scalar(db.select(Resume.data).where(Resume.profile_id == resume.profile_id))
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{resume.filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/me/career/resume")
@roles_required(PARTICIPANT)
def own_resume():
    profile = _own_profile()
    require(profile.resume is not None)
    return _send_resume(profile.resume)


@bp.post("/me/introductions/<int:introduction_id>/<any(accept,decline):answer>")
@roles_required(PARTICIPANT)
@transaction
def answer_introduction(introduction_id, answer):
    intro = queries.load_introduction_for_participant(current_user, introduction_id)
    require(intro is not None)
    if ButtonForm().validate_on_submit():
        try:
            services.answer_introduction(intro, current_user, answer == "accept")
        except TalentError as exc:
            show_error(None, exc)
        else:
            flash(
                f"You accepted: {intro.partner.name} sees your email and résumé, and your "
                "referral is on “My referrals & jobs”."
                if answer == "accept"
                else f"You declined: {intro.partner.name} reads only “not available”.",
                "success",
            )
    return redirect(url_for("portal.my_cohort"))


@bp.post("/openings/<int:opening_id>/interest")
@roles_required(PARTICIPANT)
@transaction
def express_interest(opening_id):
    opening = db.session.get(Opening, opening_id)
    require(opening is not None and referral_queries.opening_visible(current_user, opening))
    if ButtonForm().validate_on_submit():
        try:
            services.express_interest(current_user, opening)
        except TalentError as exc:
            show_error(None, exc, category="info")
        else:
            flash("Sent: your captain and staff will refer you or tell you why not.", "success")
    return redirect(url_for("referrals.opening", opening_id=opening.id))


# -- the partner's organisation --------------------------------------------------------------


@bp.get("/partner")
@roles_required(PARTNER)
def partner_home():
    contact = _contact()
    partner_id = contact.partner_id
    return render_template(
        "talent/partner_home.html",
        contact=contact,
        partner=contact.partner,
        openings=paginate(queries.partner_openings(partner_id), 10, "openings_page"),
        introductions=paginate(queries.partner_introductions(partner_id), 10, "intros_page"),
        referrals=paginate(queries.partner_referrals(partner_id), 10, "referrals_page"),
        hires=paginate(queries.partner_hires(partner_id), 10, "hires_page"),
        button=ButtonForm(),
    )


def _partner_opening_form():
    form = PartnerOpeningForm()
    form.city_id.choices = choices([("", "— none (remote only) —")] + queries.city_choices())
    form.track_id.choices = choices([("", "Any track")] + [tuple(t) for t in _tracks()])
    return form


@bp.route("/partner/openings/new", methods=["GET", "POST"])
@roles_required(PARTNER)
@transaction(also=(once.AlreadySaved,), write_lock=True)
def new_opening():
    contact = _contact()
    form = _partner_opening_form()
    if (done := once.already_saved(form)) is not None:
        return done
    if form.validate_on_submit():
        if not form.city_id.data and not form.remote.data:
            form.remote.errors.append("Give the opening a city, or mark it remote.")
        elif form.closes_on.data and form.closes_on.data < today_in_city(form.city_id.data):
            form.closes_on.errors.append("The closing date has passed already.")
        else:
            values = {
                "title": form.title.data,
                "city_id": form.city_id.data,
                "remote": bool(form.remote.data),
                "url": form.url.data or None,
                "track_id": form.track_id.data,
                "description": (form.description.data or "").strip() or None,
                "closes_on": form.closes_on.data,
            }
            try:
                with once.saving(form) as saving:
                    opening = services.post_partner_opening(contact, current_user, **values)
                    url = url_for("talent.partner_home")
                    saving.done(url, opening.id)
            except TalentError as exc:
                show_error(form, exc, field="url")
            else:
                flash(
                    "The opening waits for coop staff to approve it."
                    if opening.awaiting_approval
                    else "The opening is on the board.",
                    "success",
                )
                return redirect(url)
    return render_template(
        "referrals/form.html",
        form=form,
        title="Post an opening",
        cancel=url_for("talent.partner_home"),
    )


@bp.post("/partner/openings/<int:opening_id>/close")
@roles_required(PARTNER)
@transaction
def close_opening(opening_id):
    contact = _contact()
    opening = db.session.get(Opening, opening_id)
    require(opening is not None and opening.partner_id == contact.partner_id)
    if ButtonForm().validate_on_submit():
        try:
            services.close_partner_opening(contact, opening, current_user)
        except TalentError as exc:
            show_error(None, exc)
        else:
            flash("The opening is closed.", "success")
    return redirect(url_for("talent.partner_home"))


# -- the search and profiles (partner contacts and staff) -----------------------------------


@bp.get("/talent")
@roles_required(PARTNER, STAFF)
def search():
    contact = _contact() if current_user.is_partner else None
    q = (request.args.get("q") or "").strip()[:200]
    remote = {"1": True, "0": False}.get(request.args.get("remote") or "")
    filters = {
        "track_id": _arg_int("track"),
        "city_id": _arg_int("city"),
        "remote": remote,
        "term": (request.args.get("term") or "")[:7] or None,
        "available_by": _arg_date("available_by"),
        "credential_id": _arg_int("credential"),
    }
    page = queries.search_page(
        current_user,
        q,
        page=min(request.args.get("page", 1, type=int) or 1, 100_000),
        per_page=PER_PAGE,
        as_partners_see=True,
        **filters,
    )
    return render_template(
        "talent/search.html",
        page=page,
        q=q,
        filters=filters,
        remote=request.args.get("remote") or "",
        tracks=_tracks(),
        cities=queries.city_choices(),
        terms=queries.terms(),
        credentials=plan_queries.credential_choices(),
        shortlisted=queries.shortlisted_ids(contact, [p.id for p in page.items]),
        button=ButtonForm(),
        is_partner=contact is not None,
    )


def _load_profile(profile_id: int) -> CareerProfile:
    profile = queries.load_profile(current_user, profile_id)
    require(profile is not None)
    return profile


@bp.get("/talent/<int:profile_id>")
@roles_required(PARTNER, STAFF)
def profile(profile_id):
    profile = _load_profile(profile_id)
    contact = _contact() if current_user.is_partner else None
    introductions, accepted = [], True
    if contact is not None:
        introductions = queries.introductions_between(contact.partner_id, profile.user_id)
        accepted = any(i.status == "accepted" for i in introductions)
    return render_template(
        "talent/profile.html",
        profile=profile,
        contact=contact,
        introductions=introductions,
        sees_contact_details=accepted,
        shortlisted=bool(contact and queries.shortlisted_ids(contact, [profile.id])),
        credentials=plan_queries.verified_credentials_of(profile.user_id),
        button=ButtonForm(),
        reason_form=ReasonForm(),
    )


@bp.get("/talent/<int:profile_id>/resume")
@roles_required(PARTNER, STAFF)
def resume(profile_id):
    profile = _load_profile(profile_id)
    if current_user.is_partner:
        contact = _contact()
        require(queries.accepted_introduction(contact.partner_id, profile.user_id))
    require(profile.resume is not None)
    return _send_resume(profile.resume)


@bp.post("/talent/<int:profile_id>/shortlist")
@roles_required(PARTNER)
@transaction
def shortlist_toggle(profile_id):
    contact = _contact()
    profile = _load_profile(profile_id)
    if ButtonForm().validate_on_submit():
        added = services.toggle_shortlist(contact, profile, current_user)
        flash(
            f"{profile.user.name} is on your shortlist."
            if added
            else f"{profile.user.name} is off your shortlist.",
            "success",
        )
    back = request.form.get("next") or ""
    if not back.startswith("/") or back.startswith("//"):
        back = url_for("talent.profile", profile_id=profile.id)
    return redirect(back)


@bp.get("/partner/shortlist")
@roles_required(PARTNER)
def shortlist():
    contact = _contact()
    page = paginate(queries.shortlist_stmt(contact, current_user), PER_PAGE)
    return render_template("talent/shortlist.html", page=page, button=ButtonForm())


@bp.route("/talent/<int:profile_id>/introduce", methods=["GET", "POST"])
@roles_required(PARTNER)
@transaction(also=(once.AlreadySaved,), write_lock=True)
def introduce(profile_id):
    contact = _contact()
    profile = _load_profile(profile_id)
    form = IntroductionForm()
    form.opening_id.choices = choices(
        [("", "— no particular opening —")] + queries.open_opening_choices(contact.partner_id)
    )
    if (done := once.already_saved(form)) is not None:
        return done
    if request.method == "GET":
        form.opening_id.data = _arg_int("opening")
    if form.validate_on_submit():
        opening = db.session.get(Opening, form.opening_id.data) if form.opening_id.data else None
        try:
            with once.saving(form) as saving:
                intro = services.request_introduction(
                    contact, current_user, profile, opening=opening, message=form.message.data
                )
                url = url_for("talent.profile", profile_id=profile.id)
                saving.done(url, intro.id)
        except TalentError as exc:
            show_error(form, exc, field="opening_id")
        else:
            flash(f"{profile.user.name} is asked; you will see their answer here.", "success")
            return redirect(url)
    return render_template(
        "referrals/form.html",
        form=form,
        title=f"Request an introduction to {profile.user.name}",
        cancel=url_for("talent.profile", profile_id=profile.id),
    )


# -- staff -----------------------------------------------------------------------------------


@bp.get("/talent/review")
@staff_required
def review():
    return render_template(
        "talent/review.html",
        profiles=paginate(queries.review_queue(current_user), 10, "profiles_page"),
        openings=paginate(queries.openings_awaiting(current_user), 10, "openings_page"),
        interest=paginate(queries.pending_interest(current_user), 10, "interest_page"),
        introductions=paginate(queries.staff_introductions(current_user), 10, "intros_page"),
        button=ButtonForm(),
        reason_form=ReasonForm(),
    )


@bp.post("/talent/<int:profile_id>/approve")
@staff_required
@transaction
def approve_profile(profile_id):
    profile = _load_profile(profile_id)
    if ButtonForm().validate_on_submit():
        try:
            services.approve_profile(profile, current_user)
        except TalentError as exc:
            show_error(None, exc)
        else:
            flash(f"{profile.user.name}'s profile is approved.", "success")
    return redirect(url_for("talent.review"))


@bp.post("/talent/<int:profile_id>/return")
@staff_required
@transaction
def return_profile(profile_id):
    profile = _load_profile(profile_id)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            services.return_profile(profile, current_user, form.reason.data)
        except TalentError as exc:
            show_error(None, exc)
        else:
            flash(f"{profile.user.name}'s profile is returned with your reason.", "success")
    else:
        flash("Say what should change.", "danger")
    return redirect(url_for("talent.review"))


def _staff_opening(opening_id: int) -> Opening:
    opening = db.session.get(Opening, opening_id)
    require(opening is not None and referral_queries.opening_manageable(current_user, opening))
    return opening


@bp.post("/talent/openings/<int:opening_id>/approve")
@staff_required
@transaction
def approve_opening(opening_id):
    opening = _staff_opening(opening_id)
    if ButtonForm().validate_on_submit():
        try:
            services.approve_opening(opening, current_user)
        except TalentError as exc:
            show_error(None, exc)
        else:
            flash(f"“{opening.title}” is on the board.", "success")
    return redirect(url_for("talent.review"))


def _manageable_partner(partner_id: int) -> Partner:
    partner = db.session.get(Partner, partner_id)
    require(partner is not None and referral_queries.partner_visible(current_user, partner))
    if partner.city_id is None:
        require(current_user.city_ids is None)
    else:
        require(current_user.can_see_city(partner.city_id))
    return partner


@bp.post("/contacts/<int:contact_id>/invite")
@staff_required
@transaction
def invite_contact(contact_id):
    contact = db.session.get(PartnerContact, contact_id)
    require(contact is not None)
    partner = _manageable_partner(contact.partner_id)
    if ButtonForm().validate_on_submit():
        try:
            services.invite_contact(contact, current_user)
        except TalentError as exc:
            show_error(None, exc)
        else:
            flash(f"Invitation sent to {contact.email}.", "success")
    return redirect(url_for("referrals.partner", partner_id=partner.id))


@bp.post("/partners/<int:partner_id>/opening-approval")
@staff_required
@transaction
def approval_setting(partner_id):
    partner = _manageable_partner(partner_id)
    form = ApprovalSettingForm()
    if form.validate_on_submit():
        services.set_openings_need_approval(
            partner, current_user, bool(form.openings_need_approval.data)
        )
        flash("The setting is saved.", "success")
    return redirect(url_for("referrals.partner", partner_id=partner.id))


# -- "I'm interested" requests (staff and captains) -----------------------------------------


def _interest(request_id: int):
    item = queries.load_interest(current_user, request_id)
    require(item is not None)
    return item


def _back_after_interest():
    return redirect(
        url_for("talent.review") if current_user.is_staff else url_for("coaching.captain_home")
    )


@bp.post("/interest/<int:request_id>/refer")
@roles_required(STAFF, CAPTAIN)
@transaction
def refer_interest(request_id):
    item = _interest(request_id)
    if ButtonForm().validate_on_submit():
        try:
            services.refer_from_interest(item, current_user)
        except TalentError as exc:
            show_error(None, exc)
        else:
            flash(f"{item.participant.name} is referred to {item.opening.title}.", "success")
    return _back_after_interest()


@bp.post("/interest/<int:request_id>/decline")
@roles_required(STAFF, CAPTAIN)
@transaction
def decline_interest(request_id):
    item = _interest(request_id)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            services.decline_interest(item, current_user, form.reason.data)
        except TalentError as exc:
            show_error(None, exc)
        else:
            flash("The request is declined; the participant reads your reason.", "success")
    else:
        flash("Give the reason; the participant reads it.", "danger")
    return _back_after_interest()


# -- panels on pages other domains own -------------------------------------------------------


def cohort_panel(user, cohort):
    """The participant's cohort page: their career profile's state and introductions."""
    profile = db.session.execute(
        db.select(CareerProfile.status, CareerProfile.visible).where(
            CareerProfile.user_id == user.id
        )
    ).first()
    return {
        "profile": profile,
        "introductions": queries.own_introductions(user.id),
        "button": ButtonForm(),
    }


def captain_panel(user, current):
    items = list(db.session.scalars(queries.pending_interest(user).limit(20)))
    if not items:
        return None
    return {"requests": items, "button": ButtonForm(), "reason_form": ReasonForm()}


nav.panel("portal.cohort", "talent/_cohort_panel.html", cohort_panel, order=60)
nav.panel("coaching.captain_home", "talent/_captain_panel.html", captain_panel, order=60)
