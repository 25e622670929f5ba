"""Captains' pods and check-ins; staff teams, pods, coverage and lineage."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import contains_eager, joinedload

from coop.auth.models import Role, User
from coop.auth.queries import user_visible_to, visible_users
from coop.coaching import queries, services
from coop.coaching.forms import (
    AddCaptainForm,
    AppointForm,
    AssignmentForm,
    BalanceForm,
    CheckInForm,
    ConfirmForm,
    ImportAlumnusForm,
    MoveForm,
    NewCheckInForm,
    OverdueDaysForm,
    ResolveForm,
    choices,
)
from coop.coaching.models import COVERAGE_DAYS, AlumniCaptain, CaptainAssignment, CheckIn
from coop.core import audit, clock, events, nav, once
from coop.core.errors import show_error
from coop.core.pagination import paginate
from coop.core.permissions import require, roles_required, staff_required
from coop.core.retry import transaction
from coop.db import utcnow
from coop.enrollment.models import Enrollment, Stage
from coop.extensions import db
from coop.programs.models import City, Cohort, CohortStatus
from coop.programs.queries import cohort_or_404

bp = Blueprint("coaching", __name__, url_prefix="/coaching")

#: What a check-in's confidential notes hold (audited when shown).
CONFIDENTIAL_FIELDS = ("notes", "next_steps")

nav.home_for(Role.CAPTAIN, "coaching.captain_home")
nav.nav_item("My pods", "coaching.captain_home", {Role.CAPTAIN}, order=10)
nav.nav_item("Coverage", "coaching.coverage", {Role.STAFF}, order=40)
nav.nav_item("Flagged check-ins", "coaching.flags", {Role.STAFF}, order=40)
nav.nav_badge("coaching.flags", queries.flags_waiting)
nav.nav_item("Captains", "coaching.captains", {Role.STAFF}, order=41)
nav.nav_item("Lineage", "coaching.lineage", {Role.STAFF}, order=42)
nav.cohort_tab("Captains & pods", "coaching.cohort_team", order=20)
nav.cohort_tab("Coverage", "coaching.cohort_coverage", order=21)

captain_required = roles_required(Role.CAPTAIN)
coach_or_staff = roles_required(Role.STAFF, Role.CAPTAIN)


def today():
    """Today for the signed-in person, in their zone: the "n days ago" and "overdue" they
    read on coaching pages (see ``coop.core.clock``)."""
    return clock.today_for(current_user)


@bp.context_processor
def coaching_context():
    return {"today": today()}


def load_cohort(cohort_id: int) -> Cohort:
    """The cohort (with its city) if the signed-in staff member manages it, else 404."""
    return cohort_or_404(cohort_id, current_user)


def render_cohort_page(template: str, cohort: Cohort, active_tab: str, **context):
    """A staff cohort tab, under the shared cohort header."""
    return render_template(template, cohort=cohort, active_tab=active_tab, **context)


# -- captains -----------------------------------------------------------------------------


@bp.get("/")
@captain_required
def captain_home():
    current, past = queries.captain_home(current_user, today())
    return render_template(
        "coaching/captain_home.html",
        current=current,
        past=past,
        panels=nav.panels_for("coaching.captain_home", current_user, current),
    )


def load_checkin_target(cohort_id: int, participant_id: int) -> tuple[Cohort, User]:
    cohort = db.first_or_404(
        db.select(Cohort).options(joinedload(Cohort.city)).where(Cohort.id == cohort_id)
    )
    # Someone with an enrollment in this cohort (any stage): the page shows their name
    # and email, so a cohort of one's own city must not open anyone else's.
    participant = db.first_or_404(
        db.select(User)
        .join(Enrollment, Enrollment.user_id == User.id)
        .where(User.id == participant_id, Enrollment.cohort_id == cohort.id)
    )
    require(queries.can_read_checkins(current_user, cohort, participant.id))
    return cohort, participant


def record_notes_read(checkins, target, city_id: int | None = None) -> None:
    """Audit who read confidential check-in notes (one row per participant); the city is
    ``city_id``, else each check-in's (its cohort loaded)."""
    audit.record_view(
        current_user,
        [
            (c.participant_id, city_id or c.cohort.city_id)
            for c in checkins
            if c.confidential and c.can_read_notes(current_user)
        ],
        CONFIDENTIAL_FIELDS,
        target=target,
    )


@bp.get("/cohorts/<int:cohort_id>/participants/<int:participant_id>")
@coach_or_staff
@transaction  # records who read confidential notes
def history(cohort_id, participant_id):
    cohort, participant = load_checkin_target(cohort_id, participant_id)
    page = paginate(queries.checkin_history(cohort.id, participant.id))
    record_notes_read(page.items, ("cohorts", cohort.id), cohort.city_id)
    can_log = queries.can_coach(current_user, cohort.id, participant.id)
    return render_template(
        "coaching/history.html",
        cohort=cohort,
        participant=participant,
        page=page,
        can_log=can_log,
        now=utcnow(),
    )


@bp.route(
    "/cohorts/<int:cohort_id>/participants/<int:participant_id>/checkins/new",
    methods=["GET", "POST"],
)
@captain_required
@transaction(also=(once.AlreadySaved,), write_lock=True)  # a double click saves one check-in
def log_checkin(cohort_id, participant_id):
    cohort = db.first_or_404(
        db.select(Cohort).options(joinedload(Cohort.city)).where(Cohort.id == cohort_id)
    )
    participant = db.get_or_404(User, participant_id)
    require(queries.can_coach(current_user, cohort.id, participant.id))
    form = NewCheckInForm()
    if (done := once.already_saved(form)) is not None:
        return done
    if request.method == "GET":
        form.held_on.data = services.latest_allowed_day(cohort, current_user)
        form.channel.data = "video"
    if form.validate_on_submit():
        back = url_for("coaching.history", cohort_id=cohort.id, participant_id=participant.id)
        try:
            with once.saving(form) as saving:
                checkin = services.log_checkin(
                    cohort, participant.id, current_user, **form.values()
                )
                events.checkin_saved.send(checkin, actor=current_user, data=request.form)
                saving.done(back, checkin.id)
        except services.CoachingError as exc:
            show_error(form, exc, field="held_on")
        else:
            flash(f"Check-in with {participant.name} saved.", "success")
            return redirect(back)
    return render_template(
        "coaching/checkin_form.html",
        form=form,
        cohort=cohort,
        participant=participant,
        checkin=None,
        panels=nav.panels_for("coaching.checkin", current_user, (cohort, participant)),
    )


def load_checkin(checkin_id: int) -> CheckIn:
    """The check-in, with cohort, city and people, if the signed-in user may read it."""
    checkin = db.first_or_404(
        db.select(CheckIn)
        .options(
            joinedload(CheckIn.cohort).joinedload(Cohort.city),
            joinedload(CheckIn.participant),
            joinedload(CheckIn.author),
            joinedload(CheckIn.resolved_by),
        )
        .where(CheckIn.id == checkin_id)
    )
    require(queries.can_read_checkins(current_user, checkin.cohort, checkin.participant_id))
    return checkin


@bp.get("/checkins/<int:checkin_id>")
@coach_or_staff
@transaction  # records who read confidential notes
def checkin_detail(checkin_id):
    checkin = load_checkin(checkin_id)
    record_notes_read([checkin], ("check_ins", checkin.id))
    form = ResolveForm() if current_user.is_staff and checkin.is_open_flag else None
    return render_template("coaching/checkin.html", checkin=checkin, form=form, now=utcnow())


@bp.route("/checkins/<int:checkin_id>/edit", methods=["GET", "POST"])
@captain_required
@transaction
def edit_checkin(checkin_id):
    checkin = load_checkin(checkin_id)
    require(checkin.author_id == current_user.id)
    back = url_for("coaching.checkin_detail", checkin_id=checkin.id)
    if not checkin.can_edit(current_user):
        flash("Check-ins can be edited for 7 days after they are logged.", "warning")
        return redirect(back)
    form = CheckInForm(obj=checkin)
    if form.validate_on_submit():
        try:
            services.update_checkin(checkin, checkin.cohort, current_user, **form.values())
        except services.CoachingError as exc:
            show_error(form, exc, field="held_on")
        else:
            flash("Check-in updated.", "success")
            return redirect(back)
    return render_template(
        "coaching/checkin_form.html",
        form=form,
        cohort=checkin.cohort,
        participant=checkin.participant,
        checkin=checkin,
    )


@bp.post("/checkins/<int:checkin_id>/resolve")
@staff_required
@transaction
def resolve(checkin_id):
    checkin = load_checkin(checkin_id)
    form = ResolveForm()
    name = checkin.participant.name
    if form.validate_on_submit():
        try:
            services.resolve_flag(checkin, current_user, form.note.data)
        except services.CoachingError as exc:
            show_error(None, exc)
        else:
            flash(f"Resolved the flag on {name}'s check-in.", "success")
            target = request.form.get("next")
            if target == "coverage":
                return redirect(url_for("coaching.coverage"))
            if target == "flags":
                return redirect(url_for("coaching.flags"))
            return redirect(url_for("coaching.checkin_detail", checkin_id=checkin.id))
    else:
        flash("Say how it was resolved.", "danger")
    return redirect(url_for("coaching.checkin_detail", checkin_id=checkin.id))


# -- staff: coverage ----------------------------------------------------------------------


def visible_active_cohorts(city_id: int | None = None) -> list[Cohort]:
    stmt = (
        db.select(Cohort)
        .join(City, City.id == Cohort.city_id)
        .options(contains_eager(Cohort.city))
        .where(Cohort.status == CohortStatus.ACTIVE, Cohort.archived.is_(False))
        .order_by(City.name, Cohort.start_date, Cohort.id)
    )
    if city_id is not None:
        stmt = stmt.where(Cohort.city_id == city_id)
    return list(db.session.scalars(current_user.scope_to_cities(stmt, Cohort.city_id)))


@bp.get("/coverage")
@staff_required
@transaction  # records who read confidential notes in the flag queue
def coverage():
    cities, overdue = queries.coverage(visible_active_cohorts(), today())
    flags = paginate(queries.flag_queue(current_user))
    record_notes_read(flags.items, ("check_ins", None))
    return render_template(
        "coaching/coverage.html",
        cities=cities,
        overdue=overdue,
        flags=flags,
        coverage_days=COVERAGE_DAYS,
        resolve_form=ResolveForm(),
        panels=nav.panels_for("coaching.coverage", current_user, None),
    )


@bp.get("/flags")
@staff_required
@transaction  # records who read confidential notes in the flag queue
def flags():
    """The check-ins waiting for staff, oldest first, in the viewer's cities."""
    flags = paginate(queries.flag_queue(current_user))
    record_notes_read(flags.items, ("check_ins", None))
    return render_template("coaching/flags.html", flags=flags, resolve_form=ResolveForm())


@bp.get("/cohorts/<int:cohort_id>/coverage")
@staff_required
@transaction  # records who read confidential notes in the flag queue
def cohort_coverage(cohort_id):
    cohort = load_cohort(cohort_id)
    cities, overdue = queries.coverage([cohort], today())
    stats = cities[0].cohorts[0]
    flags = paginate(queries.flag_queue(current_user, cohort.id))
    record_notes_read(flags.items, ("cohorts", cohort.id))
    form = OverdueDaysForm(days=cohort.checkin_overdue_days)
    return render_cohort_page(
        "coaching/cohort_coverage.html",
        cohort,
        "coaching.cohort_coverage",
        stats=stats,
        overdue=overdue,
        flags=flags,
        coverage_days=COVERAGE_DAYS,
        days_form=form,
        resolve_form=ResolveForm(),
        panels=nav.panels_for("coaching.cohort_coverage", current_user, cohort),
    )


@bp.post("/cohorts/<int:cohort_id>/overdue-days")
@staff_required
@transaction
def overdue_days(cohort_id):
    cohort = load_cohort(cohort_id)
    form = OverdueDaysForm()
    if form.validate_on_submit():
        services.set_overdue_days(cohort, form.days.data, current_user)
        flash(f"Participants are now overdue after {form.days.data} days.", "success")
    else:
        flash("Choose between 1 and 90 days.", "danger")
    return redirect(url_for("coaching.cohort_coverage", cohort_id=cohort.id))


# -- staff: teams and pods ----------------------------------------------------------------


@bp.get("/cohorts/<int:cohort_id>/team")
@staff_required
def cohort_team(cohort_id):
    cohort = load_cohort(cohort_id)
    return _team_page(cohort)


def _captain_choices(form, cohort) -> None:
    """The free captains after a blank first option, so nobody is preselected (no options
    at all when none is free: the page says so instead of showing the form)."""
    free = queries.captain_choices(current_user, cohort)
    form.captain.choices = choices([("", "Choose a captain…"), *free] if free else [])


def _team_page(cohort, add_form=None, status=200):
    members, unassigned = queries.team(cohort)
    add_form = add_form or AddCaptainForm()
    _captain_choices(add_form, cohort)
    pod_choices = [(m.assignment.id, m.assignment.captain.name) for m in members]
    return (
        render_cohort_page(
            "coaching/team.html",
            cohort,
            "coaching.cohort_team",
            members=members,
            unassigned=unassigned,
            add_form=add_form,
            pod_choices=pod_choices,
            is_open=cohort.status in queries.OPEN_STATUSES,
            balance_form=BalanceForm(),
        ),
        status,
    )


@bp.post("/cohorts/<int:cohort_id>/team")
@staff_required
@transaction
def add_captain(cohort_id):
    cohort = load_cohort(cohort_id)
    form = AddCaptainForm()
    _captain_choices(form, cohort)
    if form.validate_on_submit():
        captain = db.session.get(User, form.captain.data)
        try:
            services.add_to_team(
                cohort,
                captain,
                current_user,
                is_lead=form.is_lead.data,
                max_participants=form.max_participants.data,
            )
        except services.CoachingError as exc:
            show_error(form, exc, field="captain")
        else:
            flash(f"{captain.name} joined the team.", "success")
            return redirect(url_for("coaching.cohort_team", cohort_id=cohort.id))
    return _team_page(cohort, add_form=form, status=422)


def load_assignment(cohort: Cohort, assignment_id: int) -> CaptainAssignment:
    assignment = db.first_or_404(
        db.select(CaptainAssignment)
        .options(joinedload(CaptainAssignment.captain))
        .where(
            CaptainAssignment.id == assignment_id,
            CaptainAssignment.cohort_id == cohort.id,
            CaptainAssignment.ended_at.is_(None),
        )
    )
    return assignment


@bp.post("/cohorts/<int:cohort_id>/team/<int:assignment_id>")
@staff_required
@transaction
def update_assignment(cohort_id, assignment_id):
    cohort = load_cohort(cohort_id)
    assignment = load_assignment(cohort, assignment_id)
    form = AssignmentForm()
    if form.validate_on_submit():
        name = assignment.captain.name
        try:
            services.update_assignment(
                assignment,
                current_user,
                is_lead=form.is_lead.data,
                max_participants=form.max_participants.data,
            )
        except services.CoachingError as exc:
            show_error(None, exc)
        else:
            flash(f"Saved {name}'s pod settings.", "success")
    else:
        flash("A pod takes between 1 and 50 participants.", "danger")
    return redirect(url_for("coaching.cohort_team", cohort_id=cohort.id))


def _named(ids) -> dict[int, str]:
    ids = set(ids)
    if not ids:
        return {}
    return dict(db.session.execute(db.select(User.id, User.name).where(User.id.in_(ids))).all())


def _preview_context(previews):
    """Names for the people and pods a preview mentions (two queries at most)."""
    people = _named(
        [m for p in previews for m in p.leaving] + [m for p in previews for m in p.plan.unplaced]
    )
    assignment_ids = {k for p in previews for k in p.plan.pods}
    captains = {}
    if assignment_ids:
        captains = dict(
            db.session.execute(
                db.select(CaptainAssignment.id, User.name)
                .join(User, User.id == CaptainAssignment.captain_id)
                .where(CaptainAssignment.id.in_(assignment_ids))
            ).all()
        )
    return people, captains


@bp.route("/cohorts/<int:cohort_id>/team/<int:assignment_id>/remove", methods=["GET", "POST"])
@staff_required
@transaction
def remove_captain(cohort_id, assignment_id):
    cohort = load_cohort(cohort_id)
    assignment = load_assignment(cohort, assignment_id)
    require(cohort.status in queries.OPEN_STATUSES)
    form = ConfirmForm()
    captain = assignment.captain
    if form.validate_on_submit():
        try:
            services.end_assignment(assignment, current_user, form.fingerprint.data)
        except services.CoachingError as exc:
            show_error(None, exc, category="warning")
        else:
            name = captain.name
            flash(f"{name} left the team; their pod was redistributed.", "success")
            return redirect(url_for("coaching.cohort_team", cohort_id=cohort.id))
    previews = [services.preview_end(assignment)]
    form.fingerprint.data = services.plans_fingerprint(previews)
    people, captains = _preview_context(previews)
    return render_cohort_page(
        "coaching/step_down.html",
        cohort,
        "coaching.cohort_team",
        captain=captain,
        previews=[(cohort, p) for p in previews],
        people=people,
        captains=captains,
        form=form,
        whole=False,
    )


@bp.post("/cohorts/<int:cohort_id>/pods/balance")
@staff_required
@transaction
def balance(cohort_id):
    cohort = load_cohort(cohort_id)
    form = BalanceForm()
    if form.validate_on_submit():
        full = form.full.data == "1"
        try:
            plan = services.balance_pods(cohort, current_user, full=full)
        except services.CoachingError as exc:
            show_error(None, exc)
        else:
            n = len(plan.placements)
            people = "1 person" if n == 1 else f"{n} people"
            if n == 0 and not plan.unplaced:
                msg = (
                    "The pods were already even; nobody moved."
                    if full
                    else "Everyone already had a pod; nobody moved."
                )
            else:
                msg = (
                    f"Pods rebalanced: {people} placed or moved."
                    if full
                    else f"Pods balanced: {people} placed in a pod."
                )
            if plan.unplaced:
                msg += (
                    f" {len(plan.unplaced)} could not be placed: the pods are full. Raise a "
                    "maximum or add a captain."
                )
            flash(msg, "warning" if plan.unplaced else "success")
    return redirect(url_for("coaching.cohort_team", cohort_id=cohort.id))


@bp.post("/cohorts/<int:cohort_id>/pods/move")
@staff_required
@transaction
def move(cohort_id):
    cohort = load_cohort(cohort_id)
    form = MoveForm()
    members, _ = queries.team(cohort)
    form.assignment_id.choices = choices(
        (m.assignment.id, m.assignment.captain.name) for m in members
    )
    if form.validate_on_submit():
        target = next(m.assignment for m in members if m.assignment.id == form.assignment_id.data)
        name = target.captain.name
        try:
            participant_id = int(form.participant_id.data)
        except ValueError:
            participant_id = -1
        try:
            services.move_participant(cohort, participant_id, target, current_user)
        except services.CoachingError as exc:
            show_error(None, exc)
        else:
            flash(f"Moved to {name}'s pod.", "success")
    else:
        flash("Choose a pod on this cohort's team.", "danger")
    return redirect(url_for("coaching.cohort_team", cohort_id=cohort.id))


# -- staff: captains ----------------------------------------------------------------------


@bp.get("/captains")
@staff_required
def captains():
    show = "past" if request.args.get("show") == "past" else "current"
    stmt = (
        db.select(AlumniCaptain)
        .join(User, User.id == AlumniCaptain.user_id)
        .options(
            contains_eager(AlumniCaptain.user).lazyload(User.cities),
            joinedload(AlumniCaptain.graduated_from).joinedload(Cohort.city),
            joinedload(AlumniCaptain.partner),
        )
        .order_by(User.name, AlumniCaptain.id)
    )
    if show == "past":
        stmt = stmt.where(AlumniCaptain.stepped_down_at.is_not(None))
    else:
        stmt = stmt.where(AlumniCaptain.stepped_down_at.is_(None))
    page = paginate(visible_users(current_user, stmt))
    return render_template("coaching/captains.html", page=page, show=show)


@bp.get("/graduates")
@staff_required
def graduates():
    q = (request.args.get("q") or "").strip()[:100]
    current = db.select(AlumniCaptain.user_id).where(AlumniCaptain.stepped_down_at.is_(None))
    stmt = (
        db.select(Enrollment)
        .join(User, User.id == Enrollment.user_id)
        .join(Cohort, Cohort.id == Enrollment.cohort_id)
        .options(
            contains_eager(Enrollment.user).lazyload(User.cities),
            contains_eager(Enrollment.cohort).joinedload(Cohort.city),
        )
        .where(
            Enrollment.stage == Stage.GRADUATED,
            User.id.not_in(current),
            User.role != Role.STAFF,
            User.active,
        )
        .order_by(Cohort.end_date.desc(), User.name, Enrollment.id)
    )
    if q:
        # Case-insensitive on both sides, with % and _ matched literally (SQLite and PostgreSQL).
        stmt = stmt.where(
            db.or_(
                User.name.icontains(q, autoescape=True), User.email.icontains(q, autoescape=True)
            )
        )
    page = paginate(current_user.scope_to_cities(stmt, Cohort.city_id))
    return render_template("coaching/graduates.html", page=page, q=q, form=AppointForm())


@bp.post("/captains/appoint")
@staff_required
@transaction
def appoint():
    form = AppointForm()
    if not form.validate_on_submit():
        flash("Choose a graduate to appoint.", "danger")
        return redirect(url_for("coaching.graduates"))
    try:
        enrollment_id = int(form.enrollment_id.data)
    except ValueError:
        enrollment_id = -1
    enrollment = db.first_or_404(
        db.select(Enrollment)
        .options(joinedload(Enrollment.user), joinedload(Enrollment.cohort))
        .where(Enrollment.id == enrollment_id, Enrollment.stage == Stage.GRADUATED)
    )
    require(enrollment.cohort.can_manage(current_user))
    try:
        services.appoint_captain(enrollment.user, enrollment.cohort, current_user)
    except services.CoachingError as exc:
        show_error(None, exc)
        return redirect(url_for("coaching.graduates"))
    name = enrollment.user.name
    flash(f"{name} is now an alumni captain.", "success")
    return redirect(url_for("coaching.captain_detail", user_id=enrollment.user_id))


@bp.route("/alumni/import", methods=["GET", "POST"])
@staff_required
@transaction
def import_alumnus():
    form = ImportAlumnusForm()
    stmt = (
        db.select(Cohort.id, Cohort.name, City.name)
        .join(City, City.id == Cohort.city_id)
        .where(Cohort.status == CohortStatus.COMPLETED)
        .order_by(City.name, Cohort.start_date.desc())
    )
    rows = db.session.execute(current_user.scope_to_cities(stmt, Cohort.city_id)).all()
    form.cohort.choices = choices((cid, f"{city} · {name}") for cid, name, city in rows)
    if form.validate_on_submit():
        cohort = db.session.get(Cohort, form.cohort.data)
        try:
            user, appointment = services.import_alumnus(
                email=form.email.data,
                name=form.name.data,
                cohort=cohort,
                actor=current_user,
                appoint=form.appoint.data,
            )
        except services.CoachingError as exc:
            show_error(form, exc, field="email")
        else:
            flash(
                f"{user.name} is recorded as a graduate of {cohort.name}"
                + (" and appointed as a captain." if appointment else "."),
                "success",
            )
            if appointment:
                return redirect(url_for("coaching.captain_detail", user_id=user.id))
            return redirect(url_for("coaching.graduates", q=user.email))
    return render_template("coaching/import_alumnus.html", form=form)


def load_captain(user_id: int) -> User:
    user = db.get_or_404(User, user_id)
    require(not user.is_staff and user_visible_to(user, current_user))
    return user


@bp.get("/captains/<int:user_id>")
@staff_required
def captain_detail(user_id):
    user = load_captain(user_id)
    appointments = db.session.scalars(
        db.select(AlumniCaptain)
        .options(
            joinedload(AlumniCaptain.graduated_from).joinedload(Cohort.city),
            joinedload(AlumniCaptain.partner),
        )
        .where(AlumniCaptain.user_id == user.id)
        .order_by(AlumniCaptain.appointed_at.desc(), AlumniCaptain.id.desc())
    ).all()
    require(bool(appointments))
    assignments = db.session.scalars(
        db.select(CaptainAssignment)
        .join(Cohort, Cohort.id == CaptainAssignment.cohort_id)
        .options(contains_eager(CaptainAssignment.cohort).joinedload(Cohort.city))
        .where(CaptainAssignment.captain_id == user.id)
        .order_by(Cohort.start_date.desc(), Cohort.id)
    ).all()
    return render_template(
        "coaching/captain.html",
        captain=user,
        appointments=appointments,
        current=next((a for a in appointments if a.is_current), None),
        assignments=assignments,
    )


@bp.route("/captains/<int:user_id>/step-down", methods=["GET", "POST"])
@staff_required
@transaction
def step_down(user_id):
    user = load_captain(user_id)
    appointment = queries.current_appointment(user.id)
    require(appointment is not None)
    assignments = services.open_assignments(user.id)
    cohorts = {
        c.id: c
        for c in db.session.scalars(
            db.select(Cohort)
            .options(joinedload(Cohort.city))
            .where(Cohort.id.in_([a.cohort_id for a in assignments] or [-1]))
        )
    }
    back = url_for("coaching.captain_detail", user_id=user.id)
    if not all(c.can_manage(current_user) for c in cohorts.values()):
        flash(
            f"{user.name} serves cohorts in cities you do not manage: ask organisation-wide "
            "staff to step them down.",
            "warning",
        )
        return redirect(back)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.step_down(appointment, current_user, form.fingerprint.data)
        except services.CoachingError as exc:
            show_error(None, exc, category="warning")
        else:
            flash(f"{user.name} stepped down as a captain.", "success")
            return redirect(back)
    previews = [services.preview_end(a) for a in assignments]
    form.fingerprint.data = services.plans_fingerprint(previews)
    people, captains = _preview_context(previews)
    return render_template(
        "coaching/step_down.html",
        captain=user,
        previews=[(cohorts[p.assignment.cohort_id], p) for p in previews],
        people=people,
        captains=captains,
        form=form,
        whole=True,
    )


# -- staff: lineage -----------------------------------------------------------------------


@bp.get("/lineage")
@staff_required
def lineage():
    cities = db.session.scalars(
        current_user.scope_to_cities(
            db.select(City).where(City.archived.is_(False)).order_by(City.name), City.id
        )
    ).all()
    slug = request.args.get("city")
    city = next((c for c in cities if c.slug == slug), None) if slug else None
    if slug and city is None:
        require(False)
    city = city or (cities[0] if cities else None)
    data = queries.lineage(city) if city else None
    return render_template("coaching/lineage.html", cities=cities, city=city, data=data)
