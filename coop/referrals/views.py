"""Referral tracking pages: partners and outreach, the openings board, referrals,
placements and follow-ups after exit."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from coop.auth.models import Role
from coop.core import clock, nav, once
from coop.core.pagination import paginate
from coop.core.permissions import require, roles_required, staff_required
from coop.core.retry import retried
from coop.core.timezones import format_date, to_zone
from coop.extensions import db
from coop.programs.models import City, Cohort, Partner, PartnerKind, Track, today_in_city
from coop.referrals import queries, services
from coop.referrals.forms import (
    ContactForm,
    FollowUpForm,
    NewContactForm,
    NewOpeningForm,
    NewOutreachForm,
    NewPartnerForm,
    NewPlacementForm,
    NewReferralForm,
    OpeningForm,
    OutreachForm,
    PartnerForm,
    PlacementForm,
    StageForm,
    choices,
)
from coop.referrals.models import (
    CLOSED_STAGES,
    DUE_SOON_DAYS,
    EmploymentStatus,
    FollowUpKind,
    Opening,
    Outreach,
    PartnerContact,
    Placement,
    Referral,
    ReferralEvent,
    ReferralStage,
)
from coop.referrals.services import ReferralError

bp = Blueprint("referrals", __name__)

STAFF, CAPTAIN, PARTICIPANT = Role.STAFF, Role.CAPTAIN, Role.PARTICIPANT

nav.nav_item("Partners", "referrals.partners", {STAFF}, order=50)
nav.nav_item("Openings", "referrals.openings", {STAFF, CAPTAIN}, order=51)
nav.nav_item("Opportunities", "referrals.openings", {PARTICIPANT}, order=51)
nav.nav_item("Referrals", "referrals.referrals", {STAFF, CAPTAIN}, order=52)
nav.nav_item("My referrals & jobs", "referrals.mine", {PARTICIPANT}, order=52)
nav.nav_item("Follow-ups", "referrals.follow_ups", {STAFF}, order=53)
nav.nav_item("Outreach", "referrals.outreach_list", {CAPTAIN}, order=54)

#: Rows per section on pages that show several lists (each pages on its own).
SECTION_SIZE = 10
#: Partner kinds that hire.
HIRING_KINDS = (PartnerKind.EMPLOYER, PartnerKind.SPONSOR)


def paged(stmt, param: str = "page", per_page: int = SECTION_SIZE):
    """Paginate ``stmt`` on the query-string argument ``param`` (several lists, one page)."""
    return paginate(stmt, per_page, param)


@bp.app_template_filter("day_in")
def day_in(value, zone: str | None = None) -> str:
    """A timestamp's date in ``zone`` (default: the reader's zone, see ``coop.core.clock``)."""
    if value is None:
        return ""
    return format_date(to_zone(value, zone or clock.zone_for()).date())


def arg_int(name: str) -> int | None:
    return request.args.get(name, type=int) or None


def _fail(form, exc: ReferralError, field=None):
    """Show a refused change: on a field when we know which, else as a flash. Services
    check their rules before writing anything, so there is nothing to roll back (and
    the objects the page shows stay loaded)."""
    if field is not None:
        field.errors.append(str(exc))
    else:
        flash(str(exc), "danger")


def city_choices(user, blank: str | None = None) -> list:
    """Cities ``user`` works in (staff: their scope), optionally after a blank choice."""
    stmt = db.select(City.id, City.name).where(City.archived.is_(False))
    if user.is_staff:
        stmt = user.scope_to_cities(stmt, City.id)
    else:
        stmt = stmt.where(City.id.in_(queries.user_city_ids(user)))
    rows = [(cid, name) for cid, name in db.session.execute(stmt.order_by(City.name))]
    return ([("", blank)] if blank is not None else []) + rows


def all_cities() -> list:
    return db.session.execute(db.select(City.id, City.name).order_by(City.name)).all()


def all_tracks() -> list:
    return db.session.execute(db.select(Track.id, Track.name).order_by(Track.name)).all()


# -- partners (staff) ------------------------------------------------------------------------


def partner_manageable(user, partner: Partner) -> bool:
    """Staff of the partner's city edit it; national partners need org-wide staff."""
    if partner.city_id is None:
        return user.city_ids is None
    return user.can_see_city(partner.city_id)


def load_partner(partner_id: int) -> Partner:
    partner = db.session.scalar(
        db.select(Partner).options(db.joinedload(Partner.city)).where(Partner.id == partner_id)
    )
    require(partner is not None and queries.partner_visible(current_user, partner))
    return partner


@bp.get("/partners")
@staff_required
def partners():
    stmt = queries.partner_list(current_user)
    q = (request.args.get("q") or "").strip()
    kind = request.args.get("kind")
    city_id = arg_int("city")
    if q:
        stmt = stmt.where(Partner.name.icontains(q, autoescape=True))
    if kind in {k.value for k in PartnerKind}:
        stmt = stmt.where(Partner.kind == kind)
    if city_id:
        stmt = stmt.where(Partner.city_id == city_id)
    if request.args.get("archived") != "1":
        stmt = stmt.where(Partner.archived.is_(False))
    page = paged(stmt, per_page=25)
    return render_template(
        "referrals/partners.html",
        page=page,
        counts=queries.partner_counts(current_user, [p.id for p in page.items]),
        q=q,
        kind=kind,
        city_id=city_id,
        kinds=list(PartnerKind),
        cities=city_choices(current_user),
    )


def _partner_values(form) -> dict:
    return {
        "name": form.name.data,
        "kind": PartnerKind(form.kind.data),
        "city_id": form.city_id.data,
        "website": form.website.data or None,
        "archived": bool(form.archived.data),
    }


def _partner_form(form):
    org_wide = current_user.city_ids is None
    form.city_id.choices = choices(
        city_choices(current_user, blank="— national (no city) —" if org_wide else None)
    )
    return form


def _partner_city_ok(form) -> bool:
    if form.city_id.data is None and current_user.city_ids is not None:
        form.city_id.errors.append("Choose one of your cities.")
        return False
    return True


@bp.route("/partners/new", methods=["GET", "POST"])
@staff_required
@retried(also=(once.AlreadySaved,), write_lock=True)  # a double click adds one partner
def new_partner():
    form = _partner_form(NewPartnerForm())
    if (done := once.already_saved(form)) is not None:
        return done
    if form.validate_on_submit() and _partner_city_ok(form):
        try:
            with once.saving(form) as saving:
                partner = services.create_partner(current_user, **_partner_values(form))
                url = url_for("referrals.partner", partner_id=partner.id)
                saving.done(url, partner.id)
        except ReferralError as exc:
            _fail(form, exc, form.name)
        else:
            db.session.commit()
            flash(f"{partner.name} is added.", "success")
            return redirect(url)
    return render_template(
        "referrals/form.html", form=form, title="New partner", cancel=url_for("referrals.partners")
    )


@bp.get("/partners/<int:partner_id>")
@staff_required
def partner(partner_id):
    partner = load_partner(partner_id)
    contacts = paged(
        db.select(PartnerContact)
        .where(PartnerContact.partner_id == partner.id)
        .order_by(PartnerContact.archived, PartnerContact.name, PartnerContact.id),
        "contacts_page",
    )
    openings = paged(
        db.select(Opening)
        .options(db.joinedload(Opening.city), db.joinedload(Opening.track))
        .where(Opening.partner_id == partner.id)
        .order_by(Opening.created_at.desc(), Opening.id.desc()),
        "openings_page",
    )
    referrals = paged(
        queries.referral_list(current_user).where(Referral.partner_id == partner.id),
        "referrals_page",
    )
    hires = paged(
        queries.placement_list(current_user).where(Placement.partner_id == partner.id),
        "hires_page",
    )
    outreach = paged(
        queries.visible_outreach(current_user).where(Outreach.partner_id == partner.id),
        "outreach_page",
    )
    return render_template(
        "referrals/partner.html",
        partner=partner,
        contacts=contacts,
        openings=openings,
        referrals=referrals,
        hires=hires,
        outreach=outreach,
        can_manage=partner_manageable(current_user, partner),
        today=clock.today_for(current_user),
    )


@bp.route("/partners/<int:partner_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_partner(partner_id):
    partner = load_partner(partner_id)
    require(partner_manageable(current_user, partner))
    form = _partner_form(PartnerForm(obj=partner))
    if form.validate_on_submit() and _partner_city_ok(form):
        try:
            services.update_partner(partner, current_user, **_partner_values(form))
        except ReferralError as exc:
            _fail(form, exc, form.name)
        else:
            db.session.commit()
            flash("The partner is saved.", "success")
            return redirect(url_for("referrals.partner", partner_id=partner.id))
    return render_template(
        "referrals/form.html",
        form=form,
        title=f"Edit {partner.name}",
        cancel=url_for("referrals.partner", partner_id=partner.id),
    )


@bp.route("/partners/<int:partner_id>/contacts/new", methods=["GET", "POST"])
@staff_required
@retried(also=(once.AlreadySaved,), write_lock=True)  # a double click adds one contact
def new_contact(partner_id):
    partner = load_partner(partner_id)
    form = NewContactForm()
    del form.archived
    if (done := once.already_saved(form)) is not None:
        return done
    if form.validate_on_submit():
        url = url_for("referrals.partner", partner_id=partner.id)
        with once.saving(form) as saving:
            contact = services.save_contact(None, partner, current_user, **_contact_values(form))
            saving.done(url, contact.id)
        db.session.commit()
        flash("The contact is added.", "success")
        return redirect(url)
    return render_template(
        "referrals/form.html",
        form=form,
        title=f"New contact at {partner.name}",
        cancel=url_for("referrals.partner", partner_id=partner.id),
    )


def _contact_values(form) -> dict:
    values = {
        "name": form.name.data,
        "title": form.title.data or None,
        "email": (form.email.data or "").strip().lower() or None,
        "phone": form.phone.data or None,
    }
    if getattr(form, "archived", None) is not None:
        values["archived"] = bool(form.archived.data)
    return values


@bp.route("/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_contact(contact_id):
    contact = db.get_or_404(PartnerContact, contact_id)
    partner = load_partner(contact.partner_id)
    form = ContactForm(obj=contact)
    if form.validate_on_submit():
        services.save_contact(contact, partner, current_user, **_contact_values(form))
        db.session.commit()
        flash("The contact is saved.", "success")
        return redirect(url_for("referrals.partner", partner_id=partner.id))
    return render_template(
        "referrals/form.html",
        form=form,
        title=f"Edit contact at {partner.name}",
        cancel=url_for("referrals.partner", partner_id=partner.id),
    )


# -- outreach (staff, captains) --------------------------------------------------------------


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
@retried(also=(once.AlreadySaved,), write_lock=True)  # a double click logs it once
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
            _fail(form, exc, form.follow_up_on)
        else:
            db.session.commit()
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
            _fail(form, exc, form.follow_up_on)
        else:
            db.session.commit()
            flash("The outreach is saved.", "success")
            return redirect(url_for("referrals.outreach_list"))
    return render_template(
        "referrals/form.html",
        form=form,
        title=f"Edit outreach with {outreach.partner.name}",
        cancel=url_for("referrals.outreach_list"),
    )


# -- openings --------------------------------------------------------------------------------


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
@retried(also=(once.AlreadySaved,), write_lock=True)  # a double click posts it once
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
                _fail(form, exc, form.url)
            else:
                db.session.commit()
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
def edit_opening(opening_id):
    opening = load_opening(opening_id)
    require(queries.opening_manageable(current_user, opening))
    form = _opening_form(OpeningForm(obj=opening))
    if form.validate_on_submit():
        try:
            services.update_opening(opening, current_user, **_opening_values(form))
        except ReferralError as exc:
            _fail(form, exc, form.url)
        else:
            db.session.commit()
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
def close_opening(opening_id):
    opening = load_opening(opening_id)
    require(queries.opening_manageable(current_user, opening))
    try:
        services.close_opening(opening, current_user)
    except ReferralError as exc:
        _fail(None, exc)
    else:
        db.session.commit()
        flash("The opening is closed: off the board, kept in the records.", "success")
    return redirect(url_for("referrals.opening", opening_id=opening_id))


@bp.post("/openings/<int:opening_id>/reopen")
@roles_required(STAFF, CAPTAIN)
def reopen_opening(opening_id):
    opening = load_opening(opening_id)
    require(queries.opening_manageable(current_user, opening))
    try:
        services.reopen_opening(opening, current_user)
    except ReferralError as exc:
        _fail(None, exc)
    else:
        db.session.commit()
        flash("The opening is open again.", "success")
    return redirect(url_for("referrals.opening", opening_id=opening_id))


# -- referrals -------------------------------------------------------------------------------


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
    page = paged(stmt, per_page=25)
    return render_template(
        "referrals/referrals.html",
        page=page,
        stage=stage,
        stages=list(ReferralStage),
        city_id=city_id,
        cities=city_choices(current_user) if current_user.is_staff else [],
    )


def person_label(enrollment) -> str:
    """A participant in a picker: cohort names repeat across cities, so the city too."""
    cohort = enrollment.cohort
    return f"{enrollment.user.name} · {cohort.name} ({cohort.city.name})"


def _referral_form():
    people = queries.referable_people(current_user)
    form = NewReferralForm()
    form.participant_id.choices = choices(
        [("", "Choose…")] + [(uid, person_label(e)) for uid, e in people.items()]
    )
    board = db.session.scalars(
        queries.openings_list(current_user).order_by(Opening.title, Opening.id)
    ).all()
    form.opening_id.choices = choices(
        [("", "— none —")] + [(o.id, f"{o.title} · {o.partner.name}") for o in board]
    )
    form.partner_id.choices = choices(
        [("", "— none —")] + queries.partner_choices(current_user, HIRING_KINDS)
    )
    return form, people, {o.id: o for o in board}


@bp.route("/referrals/new", methods=["GET", "POST"])
@roles_required(STAFF, CAPTAIN, PARTICIPANT)
# Two people referring the same person at once: SQLite locks out the second; a double
# click: the second finds (or runs into) the first's token.
@retried(also=(once.AlreadySaved,))
def new_referral():
    require(queries.can_refer(current_user))
    form, people, board = _referral_form()
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
            _fail(form, exc, form.participant_id)
        else:
            db.session.commit()
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
        intro=None if people else "There is nobody you can refer at the moment.",
    )


def load_referral(referral_id: int) -> Referral:
    referral = queries.load_referral(current_user, referral_id)
    require(referral is not None)
    return referral


@bp.get("/referrals/<int:referral_id>")
@roles_required(STAFF, CAPTAIN, PARTICIPANT)
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
        _fail(None, exc)
        return redirect(url_for("referrals.referral", referral_id=referral_id))
    db.session.commit()
    new = ReferralStage(form.stage.data)
    flash(f"The referral is now at “{new.label}”.", "success")
    if new == ReferralStage.HIRED and current_user.is_staff:
        flash("Record the job they got below.", "info")
        return redirect(url_for("referrals.new_placement", referral=referral_id))
    return redirect(url_for("referrals.referral", referral_id=referral_id))


# -- placements ------------------------------------------------------------------------------


@bp.get("/placements")
@staff_required
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
@retried(also=(once.AlreadySaved,), write_lock=True)  # a double click records one job
def new_placement():
    referral = None
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
        people = queries.referable_people(current_user)
        form.participant_id.choices = choices(
            [("", "Choose…")] + [(uid, person_label(e)) for uid, e in people.items()]
        )
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
            _fail(form, exc)
        else:
            db.session.commit()
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
    )


def load_placement(placement_id: int) -> Placement:
    placement = queries.load_placement(current_user, placement_id)
    require(placement is not None)
    return placement


@bp.route("/placements/<int:placement_id>/edit", methods=["GET", "POST"])
@roles_required(STAFF, PARTICIPANT)
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
            _fail(form, exc)
        else:
            db.session.commit()
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
def verify_placement(placement_id):
    placement = load_placement(placement_id)
    try:
        services.verify_placement(placement, current_user)
    except ReferralError as exc:
        _fail(None, exc)
    else:
        name = placement.participant.name
        db.session.commit()
        flash(f"{name}'s job is verified.", "success")
    return redirect(url_for("referrals.placements", verified="0"))


# -- the participant's own page --------------------------------------------------------------


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
@retried(also=(once.AlreadySaved,), write_lock=True)  # a double click reports one job
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
            _fail(form, exc)
        else:
            db.session.commit()
            flash("Thanks! Your job is recorded; staff will verify it.", "success")
            return redirect(url)
    return render_template(
        "referrals/form.html",
        form=form,
        title="Report a job",
        intro="Tell us about your job. Only you and coop staff see the salary.",
        cancel=url_for("referrals.mine"),
    )


# -- follow-ups after exit (staff) -----------------------------------------------------------


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
            _fail(form, exc, form.status)
        else:
            name = item.participant.name
            db.session.commit()
            flash(f"Follow-up with {name} is recorded and closed.", "success")
            return redirect(url_for("referrals.follow_ups"))
    jobs = db.session.scalars(
        queries.placement_list(current_user)
        .where(Placement.participant_id == item.participant_id)
        .limit(SECTION_SIZE)
    ).all()
    return render_template(
        "referrals/follow_up.html",
        item=item,
        form=form,
        jobs=jobs,
        kinds=FollowUpKind,
        on=None,  # today in the follow-up's cohort city (FollowUp.state)
    )
