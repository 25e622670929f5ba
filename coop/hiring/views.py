"""Hiring events: staff schedule them and record attendance and referrals; participants
and alumni opt in (or join the waitlist) and withdraw."""

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.validators import InputRequired

from coop.auth.models import Role, User
from coop.core import clock, nav, once
from coop.core.errors import show_error
from coop.core.forms import choices
from coop.core.pagination import paginate
from coop.core.permissions import require, roles_required, staff_required
from coop.core.retry import transaction
from coop.db import utcnow
from coop.extensions import db
from coop.hiring import queries, services
from coop.hiring.forms import (
    ConfirmForm,
    EventForm,
    EventReferralForm,
    NewEventForm,
    attendance_form,
    attendance_marks,
)
from coop.hiring.models import HiringRegistration, RegistrationStatus
from coop.programs.models import City, Partner
from coop.referrals import queries as referral_queries
from coop.referrals.models import Opening
from coop.talent import queries as talent_queries

bp = Blueprint("hiring", __name__)

MEMBERS = (Role.PARTICIPANT, Role.CAPTAIN)
PER_PAGE = 50

nav.nav_item("Hiring events", "hiring.staff_events", {Role.STAFF}, order=55)
nav.nav_item("Hiring events", "hiring.events", set(MEMBERS), order=56)
nav.nav_item("Hiring events", "hiring.partner_events", {Role.PARTNER}, order=40)


def _upcoming_panel(user, cohort):
    """The cohort page's section: the next few events open to the person."""
    events = queries.upcoming_for(user, utcnow(), limit=3, with_partners=False)
    if not events:
        return None
    return {"events": events, "form": ConfirmForm(), "viewer_zone": clock.zone_for(user)}


nav.panel("portal.cohort", "hiring/_panel.html", _upcoming_panel, order=70)


# -- staff ---------------------------------------------------------------------------------


def _event_form(form_class, event=None):
    form = form_class(obj=event) if event is not None else form_class()
    cities = db.session.execute(
        current_user.scope_to_cities(
            sa.select(City.id, City.name).where(City.archived.is_(False)), City.id
        ).order_by(City.name)
    ).all()
    none = [("", "Organisation-wide")] if current_user.city_ids is None else []
    form.city_id.choices = choices(none + [(cid, name) for cid, name in cities])
    if not none:
        # City-limited staff run events of their cities only.
        form.city_id.validators = [InputRequired(message="Choose one of your cities.")]
    partners = referral_queries.partner_choices(current_user)
    if event is not None:
        known = {pid for pid, _ in partners}
        partners += [(p.id, p.name) for p in event.partners if p.id not in known]
    form.partners.choices = choices(partners)
    if request.method == "GET":
        if event is not None:
            form.partners.data = [p.id for p in event.partners]
            form.kind.data = str(event.kind)
        else:
            form.timezone.data = clock.zone_for(current_user)
    return form


def _partners(ids) -> list[Partner]:
    return list(db.session.scalars(sa.select(Partner).where(Partner.id.in_(ids or [-1]))))


@bp.get("/hiring-events")
@staff_required
def staff_events():
    page = paginate(queries.event_list(current_user), PER_PAGE)
    return render_template(
        "hiring/staff_events.html",
        page=page,
        counts=queries.status_counts(e.id for e in page.items),
        viewer_zone=clock.zone_for(current_user),
    )


@bp.route("/hiring-events/new", methods=["GET", "POST"])
@staff_required
@transaction(also=(once.AlreadySaved,))
def new_event():
    form = _event_form(NewEventForm)
    if (done := once.already_saved(form)) is not None:
        return done
    if form.validate_on_submit():
        try:
            with once.saving(form) as saving:
                event = services.create_event(
                    current_user, partners=_partners(form.partners.data), **form.values()
                )
                url = url_for("hiring.event", event_id=event.id)
                saving.done(url, event.id)
        except services.HiringError as exc:
            show_error(form, exc)
        else:
            flash(f"{event.title} is scheduled.", "success")
            return redirect(url)
    return render_template("hiring/event_form.html", form=form, event=None)


@bp.get("/hiring-events/<int:event_id>")
@staff_required
def event(event_id):
    event = queries.event_or_404(event_id, current_user)
    registered = paginate(queries.registrations(event.id), PER_PAGE)
    waitlist = paginate(
        queries.registrations(event.id, (RegistrationStatus.WAITLISTED,)), PER_PAGE, "waitlist"
    )
    referrals = paginate(queries.event_referrals(event.id), PER_PAGE, "referrals")
    now = utcnow()
    can_manage = event.can_manage(current_user)
    started = event.has_started(now)
    return render_template(
        "hiring/event.html",
        event=event,
        registered=registered,
        waitlist=waitlist,
        referrals=referrals,
        can_manage=can_manage,
        started=started,
        attendance=attendance_form(registered.items) if can_manage and started else None,
        viewer_zone=clock.zone_for(current_user),
    )


def _managed(event_id):
    event = queries.event_or_404(event_id, current_user)
    require(event.can_manage(current_user))
    return event


@bp.route("/hiring-events/<int:event_id>/edit", methods=["GET", "POST"])
@staff_required
@transaction
def edit_event(event_id):
    event = _managed(event_id)
    form = _event_form(EventForm, event)
    if form.validate_on_submit():
        try:
            services.update_event(
                event, current_user, partners=_partners(form.partners.data), **form.values()
            )
        except services.HiringError as exc:
            show_error(form, exc)
        else:
            flash("Event saved.", "success")
            return redirect(url_for("hiring.event", event_id=event.id))
    return render_template("hiring/event_form.html", form=form, event=event)


@bp.post("/hiring-events/<int:event_id>/attendance")
@staff_required
@transaction
def record_attendance(event_id):
    event = _managed(event_id)
    ids = [
        int(v[1:]) for v in request.form if v.startswith("r") and v[1:].isdigit() and len(v) <= 10
    ]
    rows = db.session.scalars(
        sa.select(HiringRegistration)
        .options(db.joinedload(HiringRegistration.user).lazyload(User.cities))
        .where(
            HiringRegistration.event_id == event.id,
            HiringRegistration.status == RegistrationStatus.REGISTERED,
            HiringRegistration.id.in_(ids or [-1]),
        )
    ).all()
    form = attendance_form(rows)
    if not rows or not form.validate_on_submit():
        flash("Choose attended or no-show for the people registered.", "danger")
    else:
        try:
            changed = services.record_attendance(event, attendance_marks(form, rows), current_user)
        except services.HiringError as exc:
            show_error(None, exc)
        else:
            flash(f"Attendance saved ({changed} changed).", "success")
    return redirect(url_for("hiring.event", event_id=event.id))


@bp.route("/hiring-events/<int:event_id>/referrals/new", methods=["GET", "POST"])
@staff_required
@transaction(also=(once.AlreadySaved,))
def new_referral(event_id):
    event = _managed(event_id)
    form = EventReferralForm()
    people = db.session.execute(
        sa.select(User.id, User.name)
        .join(HiringRegistration, HiringRegistration.user_id == User.id)
        .where(
            HiringRegistration.event_id == event.id,
            HiringRegistration.status == RegistrationStatus.REGISTERED,
        )
        .order_by(User.name, User.id)
    ).all()
    form.participant_id.choices = choices([("", "Choose…")] + [tuple(p) for p in people])
    attending = [p.id for p in event.partners]
    board = db.session.scalars(
        referral_queries.openings_list(current_user)
        .where(Opening.partner_id.in_(attending or [-1]))
        .order_by(Opening.title, Opening.id)
    ).all()
    openings = {o.id: o for o in board}
    form.opening_id.choices = choices(
        [("", "— none —")] + [(o.id, f"{o.title} · {o.partner.name}") for o in board]
    )
    form.partner_id.choices = choices([("", "— none —")] + [(p.id, p.name) for p in event.partners])
    if (done := once.already_saved(form)) is not None:
        return done
    if request.method == "GET":
        form.participant_id.data = request.args.get("participant", type=int)
    if form.validate_on_submit():
        enrollment = queries.referable_enrollment(form.participant_id.data, current_user)
        require(enrollment is not None)
        partner = next((p for p in event.partners if p.id == form.partner_id.data), None)
        try:
            with once.saving(form) as saving:
                referral, created = services.refer_from_event(
                    event,
                    enrollment,
                    current_user,
                    opening=openings.get(form.opening_id.data),
                    partner=partner,
                    note=(form.note.data or "").strip() or None,
                )
                url = url_for("hiring.event", event_id=event.id)
                saving.done(url, referral.id if created else None)
        except services.HiringError as exc:
            show_error(form, exc, field="participant_id")
        else:
            name = enrollment.user.name
            if created:
                flash(f"{name} is referred from {event.title}.", "success")
            else:
                flash(f"{name} was referred to this opening already.", "info")
            return redirect(url)
    return render_template("hiring/referral_form.html", form=form, event=event)


# -- participants and alumni ---------------------------------------------------------------


@bp.get("/events")
@roles_required(*MEMBERS)
def events():
    upcoming = queries.upcoming_for(current_user, utcnow())
    return render_template(
        "hiring/events.html",
        events=upcoming,
        form=ConfirmForm(),
        viewer_zone=clock.zone_for(current_user),
    )


def _back():
    """Where a button sends the person back: their cohort page, or the events list."""
    if request.form.get("back") == "cohort":
        return redirect(url_for("portal.my_cohort"))
    return redirect(url_for("hiring.events"))


@bp.post("/events/<int:event_id>/opt-in")
@roles_required(*MEMBERS)
@transaction(write_lock=True)
def opt_in(event_id):
    event = queries.open_event_or_404(event_id, current_user)
    if ConfirmForm().validate_on_submit():
        try:
            registration = services.opt_in(event, current_user)
        except services.HiringError as exc:
            show_error(None, exc, category="warning")
        else:
            if registration.status == RegistrationStatus.REGISTERED:
                flash(f"You are registered for {event.title}.", "success")
            else:
                flash(
                    f"{event.title} is full: you are on the waitlist, and we will email you "
                    "if a place opens up.",
                    "info",
                )
    return _back()


@bp.post("/events/<int:event_id>/withdraw")
@roles_required(*MEMBERS)
@transaction(write_lock=True)
def withdraw(event_id):
    event = queries.open_event_or_404(event_id, current_user)
    registration = db.session.scalar(
        sa.select(HiringRegistration).where(
            HiringRegistration.event_id == event.id,
            HiringRegistration.user_id == current_user.id,
        )
    )
    require(registration is not None)
    if ConfirmForm().validate_on_submit():
        try:
            services.withdraw(registration, event, current_user)
        except services.HiringError as exc:
            show_error(None, exc, category="warning")
        else:
            flash(f"You have withdrawn from {event.title}.", "success")
    return _back()


# -- partner contacts: the events their organisation attends -------------------------------


def _partner_contact():
    contact = talent_queries.contact_of(current_user)
    require(contact is not None)
    return contact


@bp.get("/partner/events")
@roles_required(Role.PARTNER)
def partner_events():
    contact = _partner_contact()
    return render_template(
        "hiring/partner_events.html",
        partner=contact.partner,
        page=paginate(queries.partner_events(contact.partner_id), PER_PAGE),
        viewer_zone=clock.zone_for(current_user),
    )


@bp.get("/partner/events/<int:event_id>")
@roles_required(Role.PARTNER)
def partner_event(event_id):
    """An event the partner attends, with the approved, visible career profiles of the
    people registered for it: nothing else of them, and nobody whose profile does not
    reach partners."""
    contact = _partner_contact()
    event = queries.partner_event_or_404(event_id, contact.partner_id)
    people = (
        queries.opted_in_for_partner(event, contact.partner)
        .with_only_columns(User.id)
        .order_by(None)
    )
    page = paginate(talent_queries.visible_profiles_of(current_user, people), 24)
    return render_template(
        "hiring/partner_event.html",
        event=event,
        page=page,
        shortlisted=talent_queries.shortlisted_ids(contact, [p.id for p in page.items]),
        is_partner=True,
        viewer_zone=clock.zone_for(current_user),
    )
