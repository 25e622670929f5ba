"""Public applications; staff review, waitlist, roster import/export, graduation and alumni
referral figures."""

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from coop.auth.models import Role, User
from coop.core import audit, nav, retry
from coop.core.csvsafe import csv_response
from coop.core.errors import show_error
from coop.core.pagination import paginate
from coop.core.permissions import public, require, staff_required
from coop.enrollment import queries, roster, services
from coop.enrollment import status as application_status
from coop.enrollment.forms import (
    ActionForm,
    ApplicationForm,
    AutoPromoteForm,
    ConfirmImportForm,
    DecisionForm,
    ExportForm,
    GraduateForm,
    ImportForm,
    MoveForm,
    WithdrawForm,
)
from coop.enrollment.models import OPEN_STAGES, ROSTER_STAGES, Enrollment, HeardVia, Stage
from coop.extensions import db, limiter
from coop.programs.queries import cohort_or_404

bp = Blueprint("enrollment", __name__)

nav.home_for(nav.ANONYMOUS, "enrollment.recruiting")  # the root page, for visitors
nav.cohort_tab("Applications", "enrollment.review", order=10)
nav.cohort_tab("Waitlist", "enrollment.waitlist", order=12)
nav.cohort_tab("Roster", "enrollment.roster_page", order=14)
nav.cohort_tab("Alumni referrals", "enrollment.cohort_referrals", order=16)
nav.nav_item("Alumni referrals", "enrollment.alumni_referrals", {Role.STAFF}, order=60)

#: Run a writing view again when it lost a race (a lock, or a ``Conflict``: another
#: request moved the same rows first); POSTs take SQLite's write lock first, as many
#: staff may decide at once.
transaction = retry.transaction(also=(services.Conflict,), write_lock=True)

#: Personal data the application page and the review list show (audited when shown).
APPLICATION_FIELDS = ("phone", "first_generation", "low_income", "salary_band")
REVIEW_FIELDS = ("first_generation", "low_income", "salary_band")


# -- public ------------------------------------------------------------------------------


@bp.get("/apply")
@public
def recruiting():
    cohorts = queries.recruiting_cohorts()
    by_city: dict = {}
    for c in cohorts:
        by_city.setdefault(c.city, []).append(c)
    return render_template("enrollment/recruiting.html", by_city=by_city)


@bp.get("/apply/privacy")
@public
def privacy():
    return render_template("enrollment/privacy.html")


@bp.route("/apply/<int:cohort_id>", methods=["GET", "POST"])
@public
@limiter.limit("20 per hour", methods=["POST"])
@transaction
def apply(cohort_id):
    cohort = queries.recruiting_cohort(cohort_id)
    if cohort is None:
        # An old link or a bookmark: show what is open now rather than "not found".
        flash("That cohort is not taking applications. Here are the cohorts open now.", "info")
        return redirect(url_for("enrollment.recruiting"))
    cities, tracks, partners = queries.form_choices()
    form = ApplicationForm(cities=cities, tracks=tracks, partners=partners)
    # This cohort's form: its track and city are the answer, so it does not ask them.
    del form.preferred_city
    del form.preferred_track
    if form.validate_on_submit():
        answers = services.Application(
            name=form.name.data,
            email=form.email.data,
            phone=form.phone.data or None,
            college=form.college.data,
            graduation_year=form.graduation_year.data,
            first_generation=form.first_generation.data == "yes",
            low_income=form.low_income.data == "yes",
            job_title=form.job_title.data,
            salary_band=form.salary_band.data,
            preferred_city_id=cohort.city_id,
            preferred_track_id=cohort.track_id,
            heard_via=HeardVia(form.heard_via.data),
            referrer_text=form.referrer.data or None,
            referral_partner_id=int(form.partner.data) if form.partner.data else None,
            heard_other=form.heard_other.data or None,
        )
        try:
            services.apply(cohort, answers)
        except services.DuplicateApplication:
            # Answered like a first application, so the form never tells a visitor whether
            # some address has applied; the address itself is reminded by email.
            services.remind_applicant(cohort, answers.email)
            return redirect(url_for("enrollment.thanks", cohort_id=cohort.id))
        except services.EnrollmentError as exc:
            # Shown on the form; show_error rolls back whatever was flushed.
            show_error(form, exc, field="email")
        else:
            return redirect(url_for("enrollment.thanks", cohort_id=cohort.id))
    return render_template("enrollment/apply.html", form=form, cohort=cohort)


@bp.get("/apply/status/<token>")
@public
@limiter.limit("60 per hour")
def status(token):
    """Where an applicant follows their application, from the link in their emails."""
    enrollment = application_status.load(token)
    if enrollment is None:
        abort(404)
    return render_template(
        "enrollment/status.html",
        enrollment=enrollment,
        cohort=enrollment.cohort,
        zone=enrollment.cohort.city.timezone,
        events=sorted(enrollment.events, key=lambda e: (e.created_at, e.id)),
    )


@bp.get("/apply/<int:cohort_id>/thanks")
@public
def thanks(cohort_id):
    cohort = queries.recruiting_cohort(cohort_id)
    if cohort is None:
        abort(404)
    return render_template("enrollment/thanks.html", cohort=cohort)


# -- staff: the review queue -------------------------------------------------------------


def _cohort(cohort_id):
    """Load the cohort for staff who may manage it, else 404."""
    return cohort_or_404(cohort_id, current_user)


def _stage_arg():
    value = request.args.get("stage", "applied")
    if value == "all":
        return None
    try:
        return Stage(value)
    except ValueError:
        return Stage.APPLIED


@bp.get("/cohorts/<int:cohort_id>/applications")
@staff_required
@transaction  # records who saw the applicants' demographic answers
def review(cohort_id):
    cohort = _cohort(cohort_id)
    stage = _stage_arg()
    page = paginate(queries.review_list(cohort, stage))
    audit.record_view(
        current_user,
        [e.user_id for e in page.items],
        REVIEW_FIELDS,
        target=("cohorts", cohort.id),
        city_id=cohort.city_id,
    )
    form = DecisionForm(next_stage=str(stage) if stage else "all")
    return render_template(
        "enrollment/review.html",
        cohort=cohort,
        active_tab="enrollment.review",
        page=page,
        stage=stage,
        stages=list(Stage),
        counts=queries.stage_counts(cohort),
        form=form,
        open_stages=OPEN_STAGES,
    )


def _back_to_review(cohort, form=None):
    next_stage = form.next_stage.data if form is not None else None
    if next_stage not in {str(s) for s in Stage} | {"all"}:
        next_stage = "applied"
    return redirect(url_for("enrollment.review", cohort_id=cohort.id, stage=next_stage))


@bp.post("/cohorts/<int:cohort_id>/applications/decide")
@staff_required
@transaction
def decide(cohort_id):
    cohort = _cohort(cohort_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        flash("Choose a decision and at least one applicant.", "danger")
        return _back_to_review(cohort, form)
    ids = set(form.ids.data or [])
    enrollments = queries.enrollments_by_id(cohort, ids)
    # Someone else's ids (another cohort's, or none at all) are not found here.
    require(len(enrollments) == len(ids))
    return _decide(cohort, enrollments, form.decision.data, form.reason.data, form)


def _decide(cohort, enrollments, decision, reason, form=None, back=None):
    try:
        outcome = services.decide(cohort, enrollments, decision, current_user, reason)
    except services.EnrollmentError as exc:
        show_error(None, exc)
        return back or _back_to_review(cohort, form)
    for category, message in outcome.messages():
        flash(message, category)
    return back or _back_to_review(cohort, form)


@bp.get("/cohorts/<int:cohort_id>/applications/<int:enrollment_id>")
@staff_required
@transaction  # records who saw the applicant's phone, demographics and salary
def application(cohort_id, enrollment_id):
    cohort = _cohort(cohort_id)
    enrollment = queries.application(cohort, enrollment_id)
    require(enrollment is not None)
    audit.record_view(
        current_user,
        [enrollment.user_id],
        APPLICATION_FIELDS,
        target=("enrollments", enrollment.id),
        city_id=cohort.city_id,
    )
    return render_template(
        "enrollment/application.html",
        cohort=cohort,
        active_tab="enrollment.review",
        e=enrollment,
        decision_form=DecisionForm(),
        withdraw_form=WithdrawForm(),
        Stage=Stage,
    )


def _enrollment(cohort, enrollment_id) -> Enrollment:
    enrollment = db.session.get(Enrollment, enrollment_id)
    require(enrollment is not None and enrollment.cohort_id == cohort.id)
    return enrollment


@bp.post("/cohorts/<int:cohort_id>/applications/<int:enrollment_id>/decide")
@staff_required
@transaction
def decide_one(cohort_id, enrollment_id):
    cohort = _cohort(cohort_id)
    enrollment = _enrollment(cohort, enrollment_id)
    form = DecisionForm()
    back = redirect(
        url_for("enrollment.application", cohort_id=cohort.id, enrollment_id=enrollment.id)
    )
    if not form.validate_on_submit():
        flash("Choose a decision.", "danger")
        return back
    return _decide(cohort, [enrollment], form.decision.data, form.reason.data, back=back)


@bp.post("/cohorts/<int:cohort_id>/applications/<int:enrollment_id>/withdraw")
@staff_required
@transaction
def withdraw(cohort_id, enrollment_id):
    cohort = _cohort(cohort_id)
    enrollment = _enrollment(cohort, enrollment_id)
    back = redirect(
        url_for("enrollment.application", cohort_id=cohort.id, enrollment_id=enrollment.id)
    )
    form = WithdrawForm()
    if not form.validate_on_submit():
        flash("Give a reason for the withdrawal; nothing was changed.", "danger")
        return back
    try:
        promoted = services.withdraw(enrollment, current_user, form.reason.data)
    except services.EnrollmentError as exc:
        show_error(None, exc)
        return back
    name, cohort_name = db.session.get(User, enrollment.user_id).name, cohort.name
    flash(f"{name} is withdrawn from {cohort_name}.", "success")
    if promoted is not None:
        name = db.session.get(User, promoted.user_id).name
        flash(f"{name} was promoted from the waitlist, enrolled and emailed.", "info")
    return back


# -- staff: the waitlist -----------------------------------------------------------------


@bp.get("/cohorts/<int:cohort_id>/waitlist")
@staff_required
def waitlist(cohort_id):
    cohort = _cohort(cohort_id)
    page = paginate(queries.waitlist(cohort), per_page=50)
    return render_template(
        "enrollment/waitlist.html",
        cohort=cohort,
        active_tab="enrollment.waitlist",
        page=page,
        offset=(page.page - 1) * page.per_page,
        auto_form=AutoPromoteForm(auto_promote=cohort.auto_promote),
        action_form=ActionForm(),
        free=services.free_seats(cohort),
    )


@bp.post("/cohorts/<int:cohort_id>/waitlist/<int:enrollment_id>/move")
@staff_required
@transaction
def move(cohort_id, enrollment_id):
    cohort = _cohort(cohort_id)
    enrollment = _enrollment(cohort, enrollment_id)
    form = MoveForm()
    if form.validate_on_submit():
        try:
            services.move_on_waitlist(cohort, enrollment, form.direction.data, current_user)
        except services.EnrollmentError as exc:
            show_error(None, exc)
    return redirect(url_for("enrollment.waitlist", cohort_id=cohort.id))


@bp.post("/cohorts/<int:cohort_id>/waitlist/auto-promote")
@staff_required
@transaction
def auto_promote(cohort_id):
    cohort = _cohort(cohort_id)
    form = AutoPromoteForm()
    if form.validate_on_submit():
        services.set_auto_promote(cohort, bool(form.auto_promote.data), current_user)
        flash(
            "Automatic promotion is on."
            if cohort.auto_promote
            else "Automatic promotion is off: enroll from the waitlist by hand.",
            "success",
        )
    return redirect(url_for("enrollment.waitlist", cohort_id=cohort.id))


@bp.post("/cohorts/<int:cohort_id>/waitlist/promote")
@staff_required
@transaction
def promote(cohort_id):
    cohort = _cohort(cohort_id)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            promoted = services.promote_next(cohort, current_user)
        except services.EnrollmentError as exc:
            show_error(None, exc)
        else:
            if promoted is None:
                flash("Nobody was promoted: the cohort is full or the waitlist is empty.", "info")
            else:
                flash("The first person on the waitlist is enrolled and invited.", "success")
    return redirect(url_for("enrollment.waitlist", cohort_id=cohort.id))


# -- staff: the roster -------------------------------------------------------------------


@bp.get("/cohorts/<int:cohort_id>/roster")
@staff_required
def roster_page(cohort_id):
    cohort = _cohort(cohort_id)
    stage = request.args.get("stage")
    stages = ROSTER_STAGES
    if stage in {str(s) for s in ROSTER_STAGES}:
        stages = (Stage(stage),)
    else:
        stage = None
    page = paginate(queries.roster(cohort, stages))
    return render_template(
        "enrollment/roster.html",
        cohort=cohort,
        active_tab="enrollment.roster_page",
        page=page,
        stage=stage,
        counts=queries.stage_counts(cohort),
        roster_stages=ROSTER_STAGES,
        export_form=ExportForm(formdata=None, columns=roster.DEFAULT_EXPORT),
    )


@bp.get("/cohorts/<int:cohort_id>/roster.csv")
@staff_required
@transaction  # records who exported whose personal data
def export(cohort_id):
    cohort = _cohort(cohort_id)
    form = ExportForm(request.args)
    if not form.validate():
        flash("Choose at least one column to export.", "danger")
        return redirect(url_for("enrollment.roster_page", cohort_id=cohort.id))
    stages = ROSTER_STAGES if form.include_withdrawn.data else (Stage.ENROLLED, Stage.GRADUATED)
    rows = db.session.scalars(queries.roster(cohort, stages)).unique().all()
    columns = [c for c in roster.EXPORT_COLUMNS if c in set(form.columns.data)]
    getters = [roster.EXPORT_COLUMNS[c][1] for c in columns]
    audit.record_view(
        current_user,
        [e.user_id for e in rows],
        roster.personal_columns(columns),
        audit.EXPORTED,
        target=("cohorts", cohort.id),
        city_id=cohort.city_id,
    )
    filename = f"roster-{cohort.city.slug}-{cohort.id}.csv"
    return csv_response(filename, columns, ([get(e) for get in getters] for e in rows))


@bp.route("/cohorts/<int:cohort_id>/roster/import", methods=["GET", "POST"])
@staff_required
def import_roster(cohort_id):
    cohort = _cohort(cohort_id)
    form = ImportForm()
    checked = None
    confirm = None
    if form.validate_on_submit():
        data = form.file.data.read(roster.MAX_BYTES + 1)
        checked = roster.plan(cohort, roster.parse(data))
        if checked.ok and checked.seats_needed:
            confirm = ConfirmImportForm(formdata=None, content=data.decode("utf-8-sig"))
    return render_template(
        "enrollment/import.html",
        cohort=cohort,
        active_tab="enrollment.roster_page",
        form=form,
        checked=checked,
        confirm=confirm,
        columns=roster.IMPORT_COLUMNS,
    )


@bp.post("/cohorts/<int:cohort_id>/roster/import/confirm")
@staff_required
@transaction
def confirm_import(cohort_id):
    cohort = _cohort(cohort_id)
    form = ConfirmImportForm()
    back = url_for("enrollment.import_roster", cohort_id=cohort.id)
    if not form.validate_on_submit():
        flash("The file was lost on the way; upload it again.", "danger")
        return redirect(back)
    # Checked again: the file came back from the browser, and the roster may have changed.
    checked = roster.plan(cohort, roster.parse(form.content.data.encode()))
    if not checked.ok:
        flash("The file no longer passes the checks; nothing was imported.", "danger")
        return render_template(
            "enrollment/import.html",
            cohort=cohort,
            active_tab="enrollment.roster_page",
            form=ImportForm(formdata=None),
            checked=checked,
            confirm=None,
            columns=roster.IMPORT_COLUMNS,
        )
    try:
        result = roster.import_roster(cohort, checked, current_user)
    except services.EnrollmentError as exc:
        show_error(None, exc)
        return redirect(back)
    if result.changed:
        flash(
            f"Imported: {result.created} new people, {result.added} existing people added, "
            f"{result.enrolled} applicants enrolled; {result.already} were already on the "
            "roster.",
            "success",
        )
    else:
        flash("Nothing to import: everyone in the file is already on the roster.", "info")
    return redirect(url_for("enrollment.roster_page", cohort_id=cohort.id))


@bp.get("/cohorts/<int:cohort_id>/roster/template.csv")
@staff_required
def import_template(cohort_id):
    _cohort(cohort_id)
    return csv_response("roster-template.csv", [c.name for c in roster.IMPORT_COLUMNS], [])


# -- staff: graduation -------------------------------------------------------------------


@bp.route("/cohorts/<int:cohort_id>/graduate", methods=["GET", "POST"])
@staff_required
@transaction
def graduate(cohort_id):
    cohort = _cohort(cohort_id)
    people = queries.enrolled(cohort)
    form = GraduateForm()
    if form.validate_on_submit():
        known = {e.id for e in people}
        exclude = set(form.exclude.data or []) & known
        try:
            done = services.graduate(cohort, current_user, exclude)
        except ValueError as exc:  # ours, or the programs domain's refusal to complete
            show_error(None, exc)
            return redirect(url_for("enrollment.graduate", cohort_id=cohort.id))
        else:
            flash(
                f"{len(done)} participants graduated"
                + (f"; {len(exclude)} stay enrolled." if exclude else ".")
                + " The cohort is completed.",
                "success",
            )
            return redirect(url_for("enrollment.roster_page", cohort_id=cohort.id))
    return render_template(
        "enrollment/graduate.html",
        cohort=cohort,
        active_tab="enrollment.roster_page",
        people=people,
        form=form,
    )


# -- staff: alumni referrals -------------------------------------------------------------


@bp.get("/cohorts/<int:cohort_id>/alumni-referrals")
@staff_required
def cohort_referrals(cohort_id):
    cohort = _cohort(cohort_id)
    return render_template(
        "enrollment/cohort_referrals.html",
        cohort=cohort,
        active_tab="enrollment.cohort_referrals",
        rows=queries.cohort_referrals(cohort),
        totals=queries.referral_totals(current_user, cohort),
    )


@bp.get("/alumni-referrals")
@staff_required
def alumni_referrals():
    page = paginate(queries.referrers_page_stmt(current_user))
    return render_template(
        "enrollment/alumni_referrals.html",
        page=page,
        rows=queries.referrer_rows(current_user, list(page.items)),
        totals=queries.referral_totals(current_user),
    )
