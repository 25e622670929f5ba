"""Staff launch cities, tracks and cohorts."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from coop.core import events, nav
from coop.core.errors import show_error
from coop.core.pagination import paginate
from coop.core.permissions import require, staff_required
from coop.core.retry import transaction
from coop.core.roles import Role
from coop.extensions import db
from coop.programs import queries, services
from coop.programs.forms import (
    ActionForm,
    CityForm,
    CohortEditForm,
    CohortFilterForm,
    CohortForm,
    StatusForm,
    TrackForm,
    choices,
)
from coop.programs.models import City, CohortStatus, Track, can_edit_catalog

bp = Blueprint("programs", __name__)

nav.nav_item("Cohorts", "programs.cohorts", {Role.STAFF}, order=10)
nav.nav_item("Cities", "programs.cities", {Role.STAFF}, order=20)
nav.nav_item("Tracks", "programs.tracks", {Role.STAFF}, order=30)
nav.home_for("staff", "programs.cohorts")

#: The status buttons on the cohort page, by the status they lead to.
STATUS_ACTIONS = {
    CohortStatus.RECRUITING: ("Start recruiting", "primary", None),
    CohortStatus.ACTIVE: ("Start the cohort", "success", None),
    CohortStatus.COMPLETED: (
        "Mark completed",
        "dark",
        "Mark this cohort completed? It cannot be reopened.",
    ),
    CohortStatus.CANCELLED: (
        "Cancel cohort",
        "outline-danger",
        "Cancel this cohort? A cancelled cohort cannot be reopened.",
    ),
}

#: How audit actions read in the cohort's history.
ACTION_LABELS = {
    "cohort.create": "Created",
    "cohort.update": "Edited",
    "cohort.recruiting": "Started recruiting",
    "cohort.active": "Started",
    "cohort.completed": "Completed",
    "cohort.cancelled": "Cancelled",
    "cohort.archive": "Archived",
    "cohort.unarchive": "Unarchived",
}


@bp.app_template_global()
def cohort_tabs() -> list[nav.NavItem]:
    """The tabs the domains registered for the staff cohort page (after Overview)."""
    return nav.COHORT_TABS


#: How changed field names read in the cohort's history.
FIELD_LABELS = {"city_id": "city", "track_id": "track", "sponsor_id": "sponsor"}


# -- cohorts -----------------------------------------------------------------------------


@bp.get("/cohorts")
@staff_required
def cohorts():
    cities = queries.visible_cities(current_user)
    tracks = queries.all_tracks()
    form = CohortFilterForm(request.args)
    form.city.choices = choices([("", "All cities")] + [(c.id, c.name) for c in cities])
    form.track.choices = choices([("", "All tracks")] + [(t.id, t.name) for t in tracks])
    form.validate()  # bad values are ignored, not errors: each filter is used only if valid
    filters = {
        "city_id": None if form.city.errors else form.city.data,
        "track_id": None if form.track.errors else form.track.data,
        "status": CohortStatus(form.status.data)
        if form.status.data and not form.status.errors
        else None,
        "include_archived": bool(form.archived.data),
    }
    page = paginate(queries.cohorts_stmt(current_user, **filters), count_ahead=True)
    filtered = any(v for v in filters.values())
    return render_template(
        "programs/cohorts.html",
        page=page,
        form=form,
        filtered=filtered,
        can_create=any(not c.archived for c in cities),
    )


def _cohort_form_choices(form, cities, tracks, sponsors) -> None:
    form.city_id.choices = choices(
        [("", "Choose a city…")] + [(c.id, f"{c.name} ({c.timezone})") for c in cities]
    )
    form.track_id.choices = choices([("", "Choose a track…")] + [(t.id, t.name) for t in tracks])
    form.sponsor_id.choices = choices(
        [("", "No sponsor")] + [(p.id, f"{p.name} ({p.kind})") for p in sponsors]
    )


def _meeting_help(form, cities, fallback: City | None = None) -> None:
    chosen = {c.id: c for c in cities}.get(form.city_id.data) or fallback
    if chosen is not None:
        form.meeting_time.description = (
            f"Meeting time is local to the city's time zone ({chosen.timezone})."
        )
    else:
        form.meeting_time.description = (
            "Meeting time is local to the chosen city's time zone (shown beside each city)."
        )


def _chosen(form, cities, tracks, sponsors):
    return (
        {c.id: c for c in cities}.get(form.city_id.data),
        {t.id: t for t in tracks}.get(form.track_id.data),
        {p.id: p for p in sponsors}.get(form.sponsor_id.data),
    )


@bp.route("/cohorts/new", methods=["GET", "POST"])
@staff_required
@transaction
def new_cohort():
    cities = queries.visible_cities(current_user, include_archived=False)
    require(bool(cities))
    tracks, sponsors = queries.all_tracks(), queries.sponsor_choices(current_user)
    form = CohortForm()
    _cohort_form_choices(form, cities, tracks, sponsors)
    if request.method == "GET" and len(cities) == 1:
        form.city_id.data = cities[0].id
    if form.validate_on_submit():
        city, track, sponsor = _chosen(form, cities, tracks, sponsors)
        try:
            cohort = services.create_cohort(
                actor=current_user, city=city, track=track, sponsor=sponsor, **form.cohort_fields()
            )
        except services.ProgramError as exc:
            show_error(form, exc)
        else:
            flash(f"Cohort {cohort.name} is created (status: planned).", "success")
            if form.generate_schedule.data:
                _generate_schedule(cohort)
            return redirect(url_for("programs.cohort", cohort_id=cohort.id))
    _meeting_help(form, cities)
    return render_template("programs/cohort_form.html", form=form, cohort=None)


def _generate_schedule(cohort) -> None:
    """The schedule of a cohort just created, from its meeting days and time (sessions
    answers ``cohort_schedule_wanted``), so participants never see "not out yet"."""
    if not (cohort.meeting_day_list and cohort.meeting_time):
        flash("No schedule yet: it needs meeting days and a time (Edit, then Sessions).", "info")
        return
    made = sum(events.answers(events.cohort_schedule_wanted, cohort, actor=current_user))
    if made:
        flash(f"{made} sessions added to the schedule.", "success")
    else:
        flash("No meeting day falls between the dates: no sessions were made.", "info")


@bp.get("/cohorts/<int:cohort_id>")
@staff_required
def cohort(cohort_id):
    cohort = queries.cohort_or_404(cohort_id, current_user)
    history = [
        (
            event,
            actor_name,
            ACTION_LABELS.get(event.action, event.action),
            [FIELD_LABELS.get(f, f.replace("_", " ")) for f in event.changed],
        )
        for event, actor_name in queries.cohort_history(cohort)
    ]
    return render_template(
        "programs/cohort.html",
        cohort=cohort,
        active_tab="programs.cohort",
        stages=queries.stage_counts(cohort),
        history=history,
        actions=[(s, *STATUS_ACTIONS[s]) for s in cohort.next_statuses],
        next_meeting=cohort.next_meeting(),
    )


@bp.route("/cohorts/<int:cohort_id>/edit", methods=["GET", "POST"])
@staff_required
@transaction
def edit_cohort(cohort_id):
    cohort = queries.cohort_or_404(cohort_id, current_user)
    cities = queries.visible_cities(current_user, include_archived=False)
    if cohort.city not in cities:  # an archived city stays selectable for its own cohorts
        cities = sorted([*cities, cohort.city], key=lambda c: c.name)
    tracks, sponsors = queries.all_tracks(), queries.sponsor_choices(current_user)
    if cohort.sponsor is not None and cohort.sponsor not in sponsors:
        sponsors = [*sponsors, cohort.sponsor]
    form = CohortEditForm(obj=cohort)
    if request.method == "GET":
        form.meeting_days.data = cohort.meeting_day_list
        form.status.data = cohort.status.value
    _cohort_form_choices(form, cities, tracks, sponsors)
    allowed = {cohort.status, *cohort.next_statuses}
    # Steps not allowed now are shown disabled; if posted anyway, the service explains.
    form.status.choices = choices(
        (s.value, s.value.capitalize(), {} if s in allowed else {"disabled": True})
        for s in CohortStatus
    )
    form.status.description = (
        "Next allowed: " + ", ".join(str(s) for s in cohort.next_statuses)
        if cohort.next_statuses
        else f"A {cohort.status} cohort keeps its status."
    )
    if form.validate_on_submit():
        city, track, sponsor = _chosen(form, cities, tracks, sponsors)
        try:
            changed = services.update_cohort(
                cohort,
                actor=current_user,
                city=city,
                track=track,
                sponsor=sponsor,
                status=CohortStatus(form.status.data),
                **form.cohort_fields(),
            )
        except services.ProgramError as exc:
            show_error(form, exc)
        else:
            if changed:
                fields = ", ".join(f.removesuffix("_id").replace("_", " ") for f in changed)
                flash(f"Saved: {fields}.", "success")
            else:
                flash("Nothing changed.", "info")
            return redirect(url_for("programs.cohort", cohort_id=cohort_id))
    _meeting_help(form, cities, fallback=cohort.city)
    return render_template("programs/cohort_form.html", form=form, cohort=cohort)


@bp.post("/cohorts/<int:cohort_id>/status")
@staff_required
@transaction
def cohort_status(cohort_id):
    cohort = queries.cohort_or_404(cohort_id, current_user)
    form = StatusForm()
    if not form.validate_on_submit():
        flash("Choose one of the offered status changes.", "danger")
    else:
        try:
            services.change_status(cohort, CohortStatus(form.status.data), actor=current_user)
        except services.ProgramError as exc:
            show_error(None, exc)
        else:
            flash(f"{cohort.name} is now {cohort.status}.", "success")
    return redirect(url_for("programs.cohort", cohort_id=cohort_id))


def _set_archived(cohort_id: int, archived: bool):
    cohort = queries.cohort_or_404(cohort_id, current_user)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            services.set_archived(cohort, archived, actor=current_user)
        except services.ProgramError as exc:
            show_error(None, exc)
        else:
            flash(
                f"{cohort.name} is archived: hidden from lists, kept in reports."
                if archived
                else f"{cohort.name} is back in the lists.",
                "success",
            )
    return redirect(url_for("programs.cohort", cohort_id=cohort_id))


@bp.post("/cohorts/<int:cohort_id>/archive")
@staff_required
@transaction
def archive_cohort(cohort_id):
    return _set_archived(cohort_id, True)


@bp.post("/cohorts/<int:cohort_id>/unarchive")
@staff_required
@transaction
def unarchive_cohort(cohort_id):
    return _set_archived(cohort_id, False)


# -- cities ------------------------------------------------------------------------------


@bp.get("/cities")
@staff_required
def cities():
    return render_template(
        "programs/cities.html",
        rows=queries.city_rows(current_user),
        can_edit=can_edit_catalog(current_user),
    )


@bp.route("/cities/new", methods=["GET", "POST"])
@staff_required
@transaction
def new_city():
    require(can_edit_catalog(current_user))
    form = CityForm()
    del form.archived
    if form.validate_on_submit():
        try:
            city = services.create_city(
                actor=current_user,
                name=form.name.data,
                slug=form.slug.data,
                timezone=form.timezone.data,
            )
        except services.ProgramError as exc:
            show_error(form, exc)
        else:
            flash(f"{city.name} is added. Launch its first cohort when you are ready.", "success")
            return redirect(url_for("programs.cities"))
    return render_template("programs/city_form.html", form=form, city=None)


@bp.route("/cities/<int:city_id>/edit", methods=["GET", "POST"])
@staff_required
@transaction
def edit_city(city_id):
    city = queries.city_or_404(city_id, current_user)
    require(city.can_edit(current_user))
    form = CityForm(obj=city)
    if form.validate_on_submit():
        try:
            changed = services.update_city(
                city,
                actor=current_user,
                name=form.name.data,
                slug=form.slug.data,
                timezone=form.timezone.data,
                archived=form.archived.data,
            )
        except services.ProgramError as exc:
            show_error(form, exc)
        else:
            flash(f"{city.name} is saved." if changed else "Nothing changed.", "success")
            return redirect(url_for("programs.cities"))
    return render_template("programs/city_form.html", form=form, city=city)


# -- tracks ------------------------------------------------------------------------------


@bp.get("/tracks")
@staff_required
def tracks():
    return render_template(
        "programs/tracks.html",
        rows=queries.track_rows(),
        can_edit=can_edit_catalog(current_user),
    )


@bp.route("/tracks/new", methods=["GET", "POST"])
@staff_required
@transaction
def new_track():
    require(can_edit_catalog(current_user))
    form = TrackForm()
    if form.validate_on_submit():
        try:
            track = services.create_track(
                actor=current_user,
                name=form.name.data,
                slug=form.slug.data,
                description=form.description.data,
            )
        except services.ProgramError as exc:
            show_error(form, exc)
        else:
            flash(f"Track {track.name} is added.", "success")
            return redirect(url_for("programs.tracks"))
    return render_template("programs/track_form.html", form=form, track=None)


@bp.route("/tracks/<int:track_id>/edit", methods=["GET", "POST"])
@staff_required
@transaction
def edit_track(track_id):
    track = db.get_or_404(Track, track_id)
    require(track.can_edit(current_user))
    form = TrackForm(obj=track)
    if form.validate_on_submit():
        try:
            changed = services.update_track(
                track,
                actor=current_user,
                name=form.name.data,
                slug=form.slug.data,
                description=form.description.data,
            )
        except services.ProgramError as exc:
            show_error(form, exc)
        else:
            flash(f"Track {track.name} is saved." if changed else "Nothing changed.", "success")
            return redirect(url_for("programs.tracks"))
    return render_template("programs/track_form.html", form=form, track=track)
