"""Assessments and pulse checks: staff write templates and schedule them in cohorts,
participants answer them (and their pulse checks) from their cohort page, captains and
staff see results, response rates and requests for help."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from coop.assessments import forms, queries, services
from coop.assessments.models import Point, PulseResponse, pulse_period
from coop.auth.models import Role, User
from coop.coaching.queries import can_read_checkins
from coop.core import clock, nav, once
from coop.core.errors import show_error
from coop.core.forms import choices
from coop.core.pagination import paginate
from coop.core.permissions import require, roles_required, staff_required
from coop.core.retry import transaction
from coop.enrollment.models import Enrollment, Stage
from coop.extensions import db
from coop.programs.models import Cohort, CohortStatus, Track, can_edit_catalog
from coop.programs.queries import cohort_or_404

bp = Blueprint("assessments", __name__, url_prefix="/assessments")

nav.nav_item("Assessments", "assessments.templates", {Role.STAFF}, order=45)
nav.cohort_tab("Assessments", "assessments.cohort", order=25)

participant_required = roles_required(Role.PARTICIPANT)
coach_or_staff = roles_required(Role.STAFF, Role.CAPTAIN)


# -- staff: templates -------------------------------------------------------------------


def load_template(template_id: int):
    template = queries.template_or_none(template_id)
    require(template is not None)
    return template


def track_choices():
    tracks = db.session.scalars(db.select(Track).order_by(Track.name)).all()
    return choices((t.id, t.name) for t in tracks)


@bp.get("/templates")
@staff_required
def templates():
    page = paginate(queries.templates_stmt())
    return render_template(
        "assessments/templates.html", page=page, can_edit=can_edit_catalog(current_user)
    )


@bp.route("/templates/new", methods=["GET", "POST"])
@staff_required
@transaction(also=(once.AlreadySaved,), write_lock=True)
def new_template():
    require(can_edit_catalog(current_user))
    form = forms.NewTemplateForm()
    form.track_id.choices = track_choices()
    if (done := once.already_saved(form)) is not None:
        return done
    if form.validate_on_submit():
        track = db.session.get(Track, form.track_id.data)
        try:
            require(track is not None)
            with once.saving(form) as saving:
                template = services.create_template(
                    track, form.title.data, form.description.data, form.items.data, current_user
                )
                url = url_for("assessments.template", template_id=template.id)
                saving.done(url, template.id)
        except services.AssessmentError as exc:
            show_error(form, exc)
        else:
            flash(f"Created “{template.title}”.", "success")
            return redirect(url)
    return render_template("assessments/template_form.html", form=form, template=None)


@bp.get("/templates/<int:template_id>")
@staff_required
def template(template_id):
    template = load_template(template_id)
    return render_template(
        "assessments/template.html",
        template=template,
        versions=queries.versions(template.id),
        counts=queries.answer_counts(template.id),
        can_edit=can_edit_catalog(current_user),
        archive_form=forms.ButtonForm(),
    )


@bp.route("/templates/<int:template_id>/edit", methods=["GET", "POST"])
@staff_required
@transaction
def edit_template(template_id):
    require(can_edit_catalog(current_user))
    template = load_template(template_id)
    current = queries.current_version(template.id)
    form = forms.TemplateForm()
    if request.method == "GET":
        form.title.data = template.title
        form.description.data = current.description
        form.items.data = services.items_text(current.items)
    has_answers = services.version_has_answers(current.id)
    if form.validate_on_submit():
        try:
            version = services.edit_template(
                template, form.title.data, form.description.data, form.items.data, current_user
            )
        except services.AssessmentError as exc:
            show_error(form, exc)
        else:
            if version.number != current.number:
                flash(
                    f"Saved as version {version.number}: the answers already given keep "
                    f"version {current.number}.",
                    "success",
                )
            else:
                flash("Saved.", "success")
            return redirect(url_for("assessments.template", template_id=template_id))
    return render_template(
        "assessments/template_form.html",
        form=form,
        template=template,
        current=current,
        has_answers=has_answers,
    )


@bp.post("/templates/<int:template_id>/archive")
@staff_required
@transaction
def archive_template(template_id):
    require(can_edit_catalog(current_user))
    template = load_template(template_id)
    if forms.ButtonForm().validate_on_submit():
        services.set_archived(template, not template.archived, current_user)
        flash("Archived." if template.archived else "Back in use.", "success")
    return redirect(url_for("assessments.template", template_id=template_id))


# -- staff: a cohort's assessments ------------------------------------------------------


def schedule_form(cohort: Cohort, formdata=None) -> forms.ScheduleForm:
    form = forms.ScheduleForm(formdata) if formdata is not None else forms.ScheduleForm()
    rows = db.session.scalars(
        queries.templates_stmt(cohort.track_id).where(
            queries.AssessmentTemplate.archived.is_(False)
        )
    ).all()
    form.template_id.choices = choices((t.id, t.title) for t in rows)
    return form


def cohort_page(cohort: Cohort, form=None, days_form=None):
    today = clock.today_for_cohort(cohort)
    schedules = queries.cohort_schedules(cohort.id)
    rates = queries.pod_rates([cohort], today)[cohort.id]
    people = paginate(queries.cohort_people_stmt(cohort.id))
    return render_template(
        "assessments/cohort.html",
        cohort=cohort,
        active_tab="assessments.cohort",
        today=today,
        schedules=schedules,
        counts=queries.response_counts(cohort.id),
        enrolled=queries.enrolled_count(cohort.id),
        changes=queries.paired_changes([cohort.id]),
        rates=rates,
        every_days=queries.pulse_days(cohort.id),
        people=people,
        form=form or schedule_form(cohort),
        days_form=days_form or forms.PulseDaysForm(days=queries.pulse_days(cohort.id)),
        remove_form=forms.ButtonForm(),
        weeks=services.cohort_weeks(cohort),
    )


@bp.get("/cohorts/<int:cohort_id>")
@staff_required
def cohort(cohort_id):
    return cohort_page(cohort_or_404(cohort_id, current_user))


@bp.post("/cohorts/<int:cohort_id>/schedules")
@staff_required
@transaction
def add_schedule(cohort_id):
    cohort = cohort_or_404(cohort_id, current_user)
    form = schedule_form(cohort, request.form)
    if form.validate_on_submit():
        template = queries.template_or_none(form.template_id.data)
        try:
            require(template is not None)
            row = services.schedule(
                cohort, template, Point(form.point.data), form.week.data, current_user
            )
        except services.AssessmentError as exc:
            show_error(form, exc)
        else:
            flash(f"Scheduled “{template.title}” at {row.point.label.lower()}.", "success")
            return redirect(url_for("assessments.cohort", cohort_id=cohort.id))
    return cohort_page(cohort, form=form), 422


@bp.post("/schedules/<int:schedule_id>/remove")
@staff_required
@transaction
def remove_schedule(schedule_id):
    row = db.session.get(queries.AssessmentSchedule, schedule_id)
    require(row is not None)
    cohort = cohort_or_404(row.cohort_id, current_user)
    if forms.ButtonForm().validate_on_submit():
        try:
            services.unschedule(row, current_user)
        except services.AssessmentError as exc:
            show_error(None, exc)
        else:
            flash("Taken off the cohort.", "success")
    return redirect(url_for("assessments.cohort", cohort_id=cohort.id))


@bp.post("/cohorts/<int:cohort_id>/pulse-days")
@staff_required
@transaction
def pulse_days(cohort_id):
    cohort = cohort_or_404(cohort_id, current_user)
    form = forms.PulseDaysForm()
    if form.validate_on_submit():
        services.set_pulse_days(cohort, form.days.data, current_user)
        flash(f"Pulse checks now come every {form.days.data} days.", "success")
        return redirect(url_for("assessments.cohort", cohort_id=cohort.id))
    return cohort_page(cohort, days_form=form), 422


@bp.get("/cohorts/<int:cohort_id>/people/<int:participant_id>")
@coach_or_staff
def person(cohort_id, participant_id):
    cohort = db.first_or_404(
        db.select(Cohort).options(joinedload(Cohort.city)).where(Cohort.id == cohort_id)
    )
    participant = db.first_or_404(
        db.select(User)
        .join(Enrollment, Enrollment.user_id == User.id)
        .where(User.id == participant_id, Enrollment.cohort_id == cohort.id)
    )
    require(can_read_checkins(current_user, cohort, participant.id))
    return render_template(
        "assessments/person.html",
        cohort=cohort,
        participant=participant,
        results=queries.person_results(cohort.id, participant.id),
    )


@bp.get("/tracks/<int:track_id>")
@staff_required
def track(track_id):
    track = db.get_or_404(Track, track_id)
    return render_template(
        "assessments/track.html",
        track=track,
        changes=queries.paired_changes(queries.track_cohort_ids(current_user, track.id)),
        scoped=current_user.city_ids is not None,
    )


# -- requests for help ------------------------------------------------------------------


@bp.get("/help")
@staff_required
def help_requests():
    page = paginate(queries.staff_help_stmt(current_user))
    return render_template("assessments/help.html", page=page, resolve_form=forms.ResolveForm())


def can_resolve(user, pulse: PulseResponse) -> bool:
    """Staff of the cohort's city, or the captain of the participant's current pod."""
    return can_read_checkins(user, pulse.cohort, pulse.participant_id)


#: Where a resolve form may send the person back to.
BACK = {
    "help": "assessments.help_requests",
    "coverage": "coaching.coverage",
    "home": "coaching.captain_home",
}


@bp.post("/pulse/<int:pulse_id>/resolve")
@coach_or_staff
@transaction
def resolve(pulse_id):
    pulse = queries.pulse_or_none(pulse_id)
    require(pulse is not None and can_resolve(current_user, pulse))
    back = request.form.get("next")
    if back == "cohort" and current_user.is_staff:
        target = url_for("coaching.cohort_coverage", cohort_id=pulse.cohort_id)
    else:
        default = "help" if current_user.is_staff else "home"
        target = url_for(BACK.get(back if back in BACK else default, BACK[default]))
    form = forms.ResolveForm()
    name = pulse.participant.name
    if form.validate_on_submit():
        try:
            services.resolve_pulse(pulse, current_user, form.note.data)
        except services.AssessmentError as exc:
            show_error(None, exc)
        else:
            flash(f"Resolved {name}'s request for help.", "success")
    else:
        flash("Say how it was resolved.", "danger")
    return redirect(target)


# -- participants: answering ------------------------------------------------------------


def enrolled_cohort(cohort_id: int) -> Cohort:
    """The cohort (with its city) if the signed-in participant is enrolled in it, else 404."""
    cohort = db.session.scalar(
        db.select(Cohort)
        .join(Enrollment, Enrollment.cohort_id == Cohort.id)
        .options(joinedload(Cohort.city))
        .where(
            Cohort.id == cohort_id,
            Enrollment.user_id == current_user.id,
            Enrollment.stage == Stage.ENROLLED,
        )
    )
    require(cohort is not None)
    return cohort


def back_to_cohort(cohort: Cohort) -> str:
    return url_for("portal.cohort_page", cohort_id=cohort.id)


@bp.route("/my/<int:cohort_id>/<int:schedule_id>", methods=["GET", "POST"])
@participant_required
@transaction(also=(once.AlreadySaved,))
def answer(cohort_id, schedule_id):
    cohort = enrolled_cohort(cohort_id)
    row = queries.schedule_in_cohort(schedule_id, cohort.id)
    require(row is not None)
    today = clock.today_for_cohort(cohort)
    state = row.state(cohort.start_date, today)
    require(state != "upcoming")
    version = queries.current_version(row.template_id)
    form = forms.answer_form(version.items)
    if (done := once.already_saved(form)) is not None:
        return done
    if queries.own_response(row.id, current_user.id) is not None:
        flash("You answered it already. Thank you!", "info")
        return redirect(back_to_cohort(cohort))
    if state == "closed":
        flash("It closed: answers are no longer taken.", "warning")
        return redirect(back_to_cohort(cohort))
    if form.validate_on_submit():
        try:
            with once.saving(form) as saving:
                response = services.submit_response(
                    row, cohort, version, current_user, forms.answers_of(form), today
                )
                url = back_to_cohort(cohort)
                saving.done(url, response.id)
        except services.AssessmentError as exc:
            show_error(form, exc)
        else:
            flash(f"Thank you: your answers to “{row.template.title}” are saved.", "success")
            return redirect(url)
    return render_template(
        "assessments/answer.html",
        cohort=cohort,
        schedule=row,
        version=version,
        form=form,
        due_on=row.due_on(cohort.start_date),
        state=state,
    )


@bp.route("/my/<int:cohort_id>/pulse", methods=["GET", "POST"])
@participant_required
@transaction(also=(once.AlreadySaved,))
def pulse(cohort_id):
    cohort = enrolled_cohort(cohort_id)
    require(cohort.status == CohortStatus.ACTIVE)
    today = clock.today_for_cohort(cohort)
    period = pulse_period(cohort.start_date, today, queries.pulse_days(cohort.id))
    require(period is not None)
    form = forms.PulseForm()
    if (done := once.already_saved(form)) is not None:
        return done
    if queries.own_pulse(cohort.id, current_user.id, period) is not None:
        flash("You answered this pulse check already. Thank you!", "info")
        return redirect(back_to_cohort(cohort))
    if form.validate_on_submit():
        try:
            with once.saving(form) as saving:
                saved = services.submit_pulse(
                    cohort,
                    current_user,
                    today,
                    int(form.confidence.data),
                    int(form.workload.data),
                    form.needs_help.data == "1",
                    form.help_with.data,
                )
                url = back_to_cohort(cohort)
                saving.done(url, saved.id)
        except services.AssessmentError as exc:
            show_error(form, exc)
        else:
            if saved.needs_help:
                flash("Thank you. Your captain will be in touch about it.", "success")
            else:
                flash("Thank you for your pulse check.", "success")
            return redirect(url)
    return render_template("assessments/pulse.html", cohort=cohort, form=form, period=period)


# -- panels on other domains' pages -----------------------------------------------------


def cohort_panel(user, cohort: Cohort):
    """On the participant's cohort page: the assessments open for them and this period's
    pulse check. Two queries."""
    enrolled, every_days, last_pulse = queries.pulse_state(cohort.id, user.id)
    if not enrolled:
        return None
    today = clock.today_for_cohort(cohort)
    due = queries.due_for(user, cohort, today)
    pulse_open = False
    if cohort.status == CohortStatus.ACTIVE:
        period = pulse_period(cohort.start_date, today, every_days)
        pulse_open = period is not None and last_pulse != period
    if not due and not pulse_open:
        return None
    return {"cohort": cohort, "due": due, "pulse_open": pulse_open}


def captain_panel(user, current):
    """On the captain's home: their pods' open requests for help and pulse response
    rates. Three queries, however many cohorts."""
    assignment_ids = [entry.assignment.id for entry in current]
    if not assignment_ids:
        return None
    active = [e.cohort for e in current if e.cohort.status == CohortStatus.ACTIVE]
    today = clock.today_for(user)
    rates = queries.pod_rates(active, today, set(assignment_ids)) if active else {}
    return {
        "help": queries.pod_help(assignment_ids),
        "rates": [(c, rates[c.id][1]) for c in active],
        "pods": [(e.cohort, e.pod) for e in current if e.pod],
        "resolve_form": forms.ResolveForm(),
    }


def coverage_panel(user, cohort):
    """On staff coverage (all cities, or one cohort's tab): the oldest open requests for
    help and how many there are. One query."""
    stmt = queries.staff_help_stmt(user, cohort.id if cohort is not None else None)
    rows = db.session.execute(
        stmt.add_columns(db.func.count().over().label("total")).limit(PANEL_LIMIT)
    ).all()
    shown, total = [r[0] for r in rows], (rows[0][1] if rows else 0)
    return {
        "help": shown,
        "total": total,
        "back": "cohort" if cohort is not None else "coverage",
        "resolve_form": forms.ResolveForm(),
    }


#: Requests for help listed on a coverage page (the rest: the help page).
PANEL_LIMIT = 10

nav.panel("portal.cohort", "assessments/_cohort_panel.html", cohort_panel, order=30)
nav.panel("coaching.captain_home", "assessments/_captain_panel.html", captain_panel, order=30)
nav.panel("coaching.coverage", "assessments/_coverage_panel.html", coverage_panel, order=30)
nav.panel("coaching.cohort_coverage", "assessments/_coverage_panel.html", coverage_panel, order=30)
