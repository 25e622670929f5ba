"""Virtual sessions: schedules (staff), roll call (captains and staff), attendance
figures, meeting-report import, calendar feeds."""

from collections import Counter
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

from coop.auth.models import Role, User
from coop.coaching.models import CaptainAssignment
from coop.core import nav
from coop.core.csvsafe import csv_response
from coop.core.errors import show_error
from coop.core.pagination import paginate
from coop.core.permissions import public, require, roles_required, staff_required
from coop.core.retry import transaction
from coop.db import utcnow
from coop.enrollment.models import Enrollment
from coop.extensions import db
from coop.programs.models import Cohort
from coop.programs.queries import cohort_or_404
from coop.sessions import calendar, queries, services
from coop.sessions.forms import (
    CancelForm,
    ConfirmForm,
    GenerateForm,
    ImportForm,
    MatchForm,
    SessionForm,
    roll_call_form,
)
from coop.sessions.meeting_reports import ReportError
from coop.sessions.models import (
    ATTENDED,
    Attendance,
    AttendanceStatus,
    CalendarFeed,
    MeetingReportImport,
    MeetingReportRow,
    VirtualSession,
)

bp = Blueprint("sessions", __name__)

nav.cohort_tab("Sessions", "sessions.cohort_sessions", order=30)
nav.cohort_tab("Attendance", "sessions.cohort_attendance", order=31)
nav.nav_item("Roll call", "sessions.my_sessions", {Role.CAPTAIN}, order=30)

SESSIONS_PER_PAGE = 40


def captain_next_session(user, current) -> dict | None:
    """The captain's home: the next session of their current cohorts, with its Join
    button, in their zone and the city's (the participant's card, portal/_next.html)."""
    session = queries.next_session_of((entry.cohort.id for entry in current), utcnow())
    if session is None:
        return None
    zone = services.cohort_zone(session.cohort)
    return {
        "session": session,
        "cohort": session.cohort,
        "zone": zone,
        "viewer_zone": user.timezone or zone,
        "now": utcnow(),
    }


nav.panel("coaching.captain_home", "sessions/_captain_next.html", captain_next_session, order=10)


def _managed_cohort(cohort_id: int) -> Cohort:
    return cohort_or_404(cohort_id, current_user)


def _managed_session(session_id: int) -> VirtualSession:
    session = queries.session_or_404(session_id)
    require(session.cohort.can_manage(current_user))
    return session


# -- staff: schedules -------------------------------------------------------------------


@bp.get("/cohorts/<int:cohort_id>/sessions")
@staff_required
def cohort_sessions(cohort_id):
    cohort = _managed_cohort(cohort_id)
    stmt = (
        db.select(VirtualSession)
        .where(VirtualSession.cohort_id == cohort.id)
        .order_by(VirtualSession.starts_at, VirtualSession.id)
    )
    page = paginate(stmt, per_page=SESSIONS_PER_PAGE)
    counts = queries.session_counts(s.id for s in page.items)
    feed = db.session.scalar(db.select(CalendarFeed).where(CalendarFeed.cohort_id == cohort.id))
    return render_template(
        "sessions/cohort_sessions.html",
        cohort=cohort,
        zone=services.cohort_zone(cohort),
        page=page,
        counts=counts,
        feed=feed,
        now=utcnow(),
        feed_form=ConfirmForm(),
        statuses=list(AttendanceStatus),
        active_tab="sessions.cohort_sessions",
    )


@bp.route("/cohorts/<int:cohort_id>/sessions/generate", methods=["GET", "POST"])
@staff_required
@transaction
def generate(cohort_id):
    cohort = _managed_cohort(cohort_id)
    form = GenerateForm()
    if request.method == "GET":
        form.weekdays.data = cohort.meeting_day_list
        form.start_time.data = cohort.meeting_time
        form.first_date.data = cohort.start_date
        form.end_date.data = cohort.end_date
    if form.validate_on_submit():
        try:
            made = services.generate_sessions(
                cohort,
                weekdays=form.weekdays.data,
                start_time=form.start_time.data,
                duration_minutes=form.duration_minutes.data,
                first_date=form.first_date.data,
                count=form.count.data,
                end_date=form.end_date.data,
                title=form.title.data,
                video_link=form.video_link.data,
                actor=current_user,
            )
        except services.ScheduleError as exc:
            show_error(form, exc, field="weekdays")
        else:
            if made:
                flash(f"{made} sessions added to the schedule.", "success")
            else:
                flash("Every one of those sessions is already on the schedule.", "info")
            return redirect(url_for("sessions.cohort_sessions", cohort_id=cohort.id))
    return render_template(
        "sessions/generate.html",
        form=form,
        cohort=cohort,
        zone=services.cohort_zone(cohort),
        active_tab="sessions.cohort_sessions",
    )


@bp.route("/cohorts/<int:cohort_id>/sessions/new", methods=["GET", "POST"])
@staff_required
@transaction
def new_session(cohort_id):
    cohort = _managed_cohort(cohort_id)
    form = SessionForm()
    if request.method == "GET":
        form.local_time.data = cohort.meeting_time
    if form.validate_on_submit():
        try:
            session = services.add_session(
                cohort,
                title=form.title.data,
                local_date=form.local_date.data,
                local_time=form.local_time.data,
                duration_minutes=form.duration_minutes.data,
                agenda=form.agenda.data,
                video_link=form.video_link.data,
                actor=current_user,
            )
        except services.ScheduleError as exc:
            show_error(form, exc, field="local_date")
        else:
            flash(f"“{session.title}” is on the schedule.", "success")
            return redirect(url_for("sessions.cohort_sessions", cohort_id=cohort.id))
    return render_template(
        "sessions/session_form.html",
        form=form,
        cohort=cohort,
        session=None,
        zone=services.cohort_zone(cohort),
        active_tab="sessions.cohort_sessions",
    )


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@staff_required
@transaction
def edit_session(session_id):
    session = _managed_session(session_id)
    cohort = session.cohort
    form = SessionForm(obj=session)
    if session.is_cancelled and request.method == "POST":
        abort(404)
    if form.validate_on_submit():
        try:
            changed = services.update_session(
                session,
                cohort,
                title=form.title.data,
                agenda=form.agenda.data,
                local_date=form.local_date.data,
                local_time=form.local_time.data,
                duration_minutes=form.duration_minutes.data,
                video_link=form.video_link.data,
                actor=current_user,
            )
        except services.ScheduleError as exc:
            show_error(form, exc, field="local_date")
        else:
            flash("The session is saved." if changed else "Nothing changed.", "success")
            return redirect(url_for("sessions.cohort_sessions", cohort_id=cohort.id))
    return render_template(
        "sessions/session_form.html",
        form=form,
        cohort=cohort,
        session=session,
        cancel_form=CancelForm(),
        zone=services.cohort_zone(cohort),
        active_tab="sessions.cohort_sessions",
    )


@bp.post("/sessions/<int:session_id>/cancel")
@staff_required
@transaction
def cancel_session(session_id):
    session = _managed_session(session_id)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            emailed = services.cancel_session(
                session, session.cohort, actor=current_user, reason=form.reason.data
            )
        except services.ScheduleError as exc:
            show_error(None, exc)
        else:
            flash(f"“{session.title}” is cancelled; {emailed} people were emailed.", "success")
    else:
        flash("The reason is too long (500 characters at most).", "danger")
    return redirect(url_for("sessions.cohort_sessions", cohort_id=session.cohort_id))


# -- staff: attendance figures ----------------------------------------------------------


@bp.get("/cohorts/<int:cohort_id>/attendance")
@staff_required
def cohort_attendance(cohort_id):
    cohort = _managed_cohort(cohort_id)
    people = queries.members(cohort.id)
    summaries = queries.attendance_summary(cohort.id, [p.id for p in people])
    return render_template(
        "sessions/cohort_attendance.html",
        cohort=cohort,
        people=people,
        summaries=summaries,
        cohort_rate=queries.cohort_rate(summaries),
        active_tab="sessions.cohort_attendance",
    )


#: People per page of the attendance grid (every session is a column).
GRID_PEOPLE_PER_PAGE = 25


@bp.get("/cohorts/<int:cohort_id>/attendance/grid")
@staff_required
def attendance_grid(cohort_id):
    """People × sessions held: each one's status at each session, paginated by people."""
    cohort = _managed_cohort(cohort_id)
    sessions = queries.sessions_so_far(cohort.id, utcnow())
    people = paginate(queries.members_stmt(cohort.id), per_page=GRID_PEOPLE_PER_PAGE)
    return render_template(
        "sessions/attendance_grid.html",
        cohort=cohort,
        zone=services.cohort_zone(cohort),
        sessions=sessions,
        people=people,
        grid=queries.attendance_grid([s.id for s in sessions], [p.id for p in people.items]),
        active_tab="sessions.cohort_attendance",
    )


@bp.get("/cohorts/<int:cohort_id>/attendance.csv")
@staff_required
def attendance_export(cohort_id):
    """The whole grid as CSV: one row per participant, one column per session held."""
    cohort = _managed_cohort(cohort_id)
    zone = services.cohort_zone(cohort)
    sessions = queries.sessions_so_far(cohort.id, utcnow())
    people = list(db.session.scalars(queries.members_stmt(cohort.id)))
    grid = queries.attendance_grid([s.id for s in sessions], [p.id for p in people])
    header = (
        ["participant"]
        + [f"{s.title} ({s.starts_at.astimezone(ZoneInfo(zone)):%Y-%m-%d})" for s in sessions]
        + ["attended", "held"]
    )
    rows = []
    for p in people:
        statuses = [grid.get((p.id, s.id)) for s in sessions]
        attended = sum(1 for st in statuses if st in ATTENDED)
        rows.append(
            [p.name] + [st.value if st else "" for st in statuses] + [attended, len(sessions)]
        )
    return csv_response(f"attendance-{cohort.id}.csv", header, rows)


# -- roll call ---------------------------------------------------------------------------


def _roll_call_people(session: VirtualSession):
    """Who the current user takes roll call for at this session (404 if nobody may)."""
    cohort = session.cohort
    if current_user.is_staff:
        require(cohort.can_manage(current_user))
        return queries.members(cohort.id)
    require(queries.current_assignment(current_user.id, cohort.id) is not None)
    return queries.members(cohort.id, pod_of_captain=current_user.id)


@bp.route("/sessions/<int:session_id>/roll-call", methods=["GET", "POST"])
@roles_required(Role.STAFF, Role.CAPTAIN)
@transaction
def roll_call(session_id):
    session = queries.session_or_404(session_id)
    people = _roll_call_people(session)
    existing = queries.attendance_by_participant(session.id, [p.id for p in people])
    now = utcnow()
    is_open = session.roll_call_open(now)
    form = roll_call_form(people, {pid: a.status.value for pid, a in existing.items()})
    everyone_form = ConfirmForm()  # "Mark everyone present": its CSRF check
    statuses = None
    if request.form.get("everyone") == "present" and everyone_form.validate_on_submit():
        statuses = dict.fromkeys((p.id for p in people), AttendanceStatus.PRESENT)
    elif form.validate_on_submit():
        statuses = {p.id: AttendanceStatus(form[f"p{p.id}"].data) for p in people}
    if statuses is not None:
        try:
            written = services.record_roll_call(
                session,
                statuses,
                allowed_ids=[p.id for p in people],
                actor=current_user,
                now=now,
            )
        except services.AttendanceError as exc:
            show_error(None, exc)
        else:
            flash(
                f"Roll call saved ({written} changed)." if written else "Roll call saved.",
                "success",
            )
            return redirect(url_for("sessions.roll_call", session_id=session_id))
    back = (
        url_for("sessions.cohort_sessions", cohort_id=session.cohort_id)
        if current_user.is_staff
        else url_for("sessions.my_sessions", cohort=session.cohort_id)
    )
    return render_template(
        "sessions/roll_call.html",
        session=session,
        cohort=session.cohort,
        zone=services.cohort_zone(session.cohort),
        people=people,
        existing=existing,
        form=form,
        is_open=is_open,
        now=now,
        back=back,
    )


# -- captains ---------------------------------------------------------------------------


@bp.get("/roll-call")
@roles_required(Role.CAPTAIN)
def my_sessions():
    assignments = list(
        db.session.scalars(
            db.select(CaptainAssignment)
            .options(
                joinedload(CaptainAssignment.cohort).options(
                    joinedload(Cohort.city), joinedload(Cohort.track)
                )
            )
            .where(
                CaptainAssignment.captain_id == current_user.id,
                CaptainAssignment.ended_at.is_(None),
            )
            .order_by(CaptainAssignment.created_at.desc(), CaptainAssignment.id.desc())
        )
    )
    feed = db.session.scalar(db.select(CalendarFeed).where(CalendarFeed.user_id == current_user.id))
    wanted = request.args.get("cohort", type=int)
    chosen = next((a.cohort for a in assignments if a.cohort_id == wanted), None)
    if chosen is None and assignments:
        active = [a.cohort for a in assignments if a.cohort.status == "active"]
        chosen = (active or [assignments[0].cohort])[0]
    context = {}
    if chosen is not None:
        sessions = queries.cohort_sessions(chosen.id)
        pod = queries.members(chosen.id, pod_of_captain=current_user.id)
        pod_ids = [p.id for p in pod]
        recorded: dict[int, int] = dict.fromkeys((s.id for s in sessions), 0)
        if pod_ids and sessions:
            stmt = (
                db.select(Attendance.session_id, sa.func.count())
                .where(
                    Attendance.session_id.in_([s.id for s in sessions]),
                    Attendance.participant_id.in_(pod_ids),
                )
                .group_by(Attendance.session_id)
            )
            recorded.update(dict(db.session.execute(stmt).all()))
        context = {
            "sessions": sessions,
            "pod": pod,
            "recorded": recorded,
            "summaries": queries.attendance_summary(chosen.id, pod_ids),
            "zone": services.cohort_zone(chosen),
        }
    return render_template(
        "sessions/my_sessions.html",
        assignments=assignments,
        cohort=chosen,
        feed=feed,
        feed_form=ConfirmForm(),
        now=utcnow(),
        **context,
    )


# -- staff: meeting-report import ------------------------------------------------------


@bp.route("/sessions/<int:session_id>/import", methods=["GET", "POST"])
@staff_required
@transaction
def import_report(session_id):
    session = _managed_session(session_id)
    cohort = session.cohort
    zone = services.cohort_zone(cohort)
    form = ImportForm()
    if request.method == "GET":
        form.timezone.data = zone
    if form.validate_on_submit():
        upload = form.report.data
        try:
            entry = services.import_meeting_report(
                session,
                cohort,
                upload.read(),
                filename=upload.filename or "report.csv",
                zone=form.timezone.data,
                actor=current_user,
            )
        except ReportError as exc:
            show_error(form, exc, field="report")
        else:
            flash(
                f"Report imported: {entry.matched} of {entry.people} people matched, "
                f"{entry.marked_present} marked present.",
                "success",
            )
            return redirect(url_for("sessions.import_detail", import_id=entry.id))
    previous = list(
        db.session.scalars(
            db.select(MeetingReportImport)
            .where(MeetingReportImport.session_id == session.id)
            .order_by(MeetingReportImport.imported_at.desc())
        )
    )
    return render_template(
        "sessions/import.html",
        form=form,
        session=session,
        cohort=cohort,
        zone=zone,
        previous=previous,
        active_tab="sessions.cohort_sessions",
    )


def _managed_import(import_id: int) -> MeetingReportImport:
    entry = db.session.scalar(
        db.select(MeetingReportImport)
        .options(
            joinedload(MeetingReportImport.session)
            .joinedload(VirtualSession.cohort)
            .options(joinedload(Cohort.city), joinedload(Cohort.track), joinedload(Cohort.sponsor))
        )
        .where(MeetingReportImport.id == import_id)
    )
    if entry is None:
        abort(404)
    require(entry.session.cohort.can_manage(current_user))
    return entry


@bp.get("/imports/<int:import_id>")
@staff_required
def import_detail(import_id):
    entry = _managed_import(import_id)
    session = entry.session
    rows = list(
        db.session.scalars(
            db.select(MeetingReportRow)
            .options(joinedload(MeetingReportRow.participant))
            .where(MeetingReportRow.import_id == entry.id)
            .order_by(MeetingReportRow.id)
        )
    )
    people = queries.members(session.cohort_id)
    attendance = queries.attendance_by_participant(session.id, [p.id for p in people])
    match_forms = {}
    for row in rows:
        if row.participant_id is None:
            f = MatchForm(prefix=f"row{row.id}")
            f.participant.choices = [SelectChoice(p.id, f"{p.name} ({p.email})") for p in people]
            f.status.data = "present" if 2 * row.minutes >= session.duration_minutes else "absent"
            match_forms[row.id] = f
    return render_template(
        "sessions/import_detail.html",
        entry=entry,
        session=session,
        cohort=session.cohort,
        rows=rows,
        attendance=attendance,
        match_forms=match_forms,
        zone=services.cohort_zone(session.cohort),
        active_tab="sessions.cohort_sessions",
    )


@bp.post("/imports/<int:import_id>/rows/<int:row_id>/match")
@staff_required
@transaction
def match_row(import_id, row_id):
    entry = _managed_import(import_id)
    row = db.session.scalar(
        db.select(MeetingReportRow).where(
            MeetingReportRow.id == row_id, MeetingReportRow.import_id == entry.id
        )
    )
    if row is None:
        abort(404)
    people = {p.id: p for p in queries.members(entry.session.cohort_id)}
    form = MatchForm(prefix=f"row{row.id}")
    form.participant.choices = [SelectChoice(p.id, p.name) for p in people.values()]
    if form.validate_on_submit():
        try:
            services.match_report_row(
                row,
                entry.session,
                people[form.participant.data],
                AttendanceStatus(form.status.data),
                actor=current_user,
            )
        except services.AttendanceError as exc:
            show_error(None, exc)
        else:
            flash(f"{row.name} matched to {people[form.participant.data].name}.", "success")
    else:
        flash("Choose a participant of this cohort and a status.", "danger")
    return redirect(url_for("sessions.import_detail", import_id=entry.id))


# -- calendar feeds ---------------------------------------------------------------------


@bp.post("/cohorts/<int:cohort_id>/calendar")
@staff_required
@transaction
def regenerate_cohort_feed(cohort_id):
    cohort = _managed_cohort(cohort_id)
    if ConfirmForm().validate_on_submit():
        services.regenerate_feed(cohort=cohort, actor=current_user)
        flash("The cohort's calendar link is ready; any older link no longer works.", "success")
    return redirect(url_for("sessions.cohort_sessions", cohort_id=cohort.id))


@bp.post("/calendar/mine")
@roles_required(Role.PARTICIPANT, Role.CAPTAIN)
@transaction
def regenerate_my_feed():
    if ConfirmForm().validate_on_submit():
        services.regenerate_feed(user=current_user, actor=current_user)
        flash("Your calendar link is ready; any older link no longer works.", "success")
    if current_user.is_captain:
        return redirect(url_for("sessions.my_sessions"))
    return redirect(url_for("portal.my_cohort"))


def feed_sessions_for_user(user_id: int) -> list[VirtualSession]:
    """Sessions of the cohorts the user is a member of or currently captains."""
    as_member = db.select(Enrollment.cohort_id).where(
        Enrollment.user_id == user_id, Enrollment.stage.in_(queries.MEMBER_STAGES)
    )
    as_captain = db.select(CaptainAssignment.cohort_id).where(
        CaptainAssignment.captain_id == user_id, CaptainAssignment.ended_at.is_(None)
    )
    return list(
        db.session.scalars(
            db.select(VirtualSession)
            .options(joinedload(VirtualSession.cohort).joinedload(Cohort.city))
            .where(
                sa.or_(
                    VirtualSession.cohort_id.in_(as_member),
                    VirtualSession.cohort_id.in_(as_captain),
                )
            )
            .order_by(VirtualSession.starts_at, VirtualSession.id)
        )
    )


@bp.get("/calendar/<token>.ics")
@public
def feed(token):
    """A subscribable calendar: no sign-in, but the secret token is required."""
    if not token or len(token) > 64:
        abort(404)
    row = db.session.execute(
        db.select(CalendarFeed, Cohort)
        .outerjoin(Cohort, Cohort.id == CalendarFeed.cohort_id)
        .where(CalendarFeed.token == token)
    ).first()
    if row is None:
        abort(404)
    feed_row, cohort = row
    if feed_row.cohort_id is not None:
        name = cohort.name
        sessions = list(
            db.session.scalars(
                db.select(VirtualSession)
                .options(joinedload(VirtualSession.cohort).joinedload(Cohort.city))
                .where(VirtualSession.cohort_id == feed_row.cohort_id)
                .order_by(VirtualSession.starts_at, VirtualSession.id)
            )
        )
    else:
        user = db.session.get(User, feed_row.user_id)
        if user is None or not user.active:
            abort(404)
        name = "coop sessions"
        sessions = feed_sessions_for_user(user.id)
    body = calendar.build_feed(name, sessions, host=request.host.split(":")[0] or "coop")
    response = Response(body, content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = 'inline; filename="coop.ics"'
    response.headers["Cache-Control"] = "private, max-age=900"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.app_template_global("attendance_counts")
def status_counts(counter: Counter) -> str:
    return " · ".join(f"{counter.get(s, 0)} {s.value}" for s in AttendanceStatus)
