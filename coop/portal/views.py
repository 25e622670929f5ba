"""The participant's own cohort page: schedule in their zone, next session with its join
link, captains, pod peers, attendance and calendar feed."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from coop.auth.models import Role, User
from coop.core import nav
from coop.core.permissions import require, roles_required
from coop.core.retry import transaction
from coop.db import utcnow
from coop.extensions import db
from coop.portal import queries, services
from coop.portal.forms import SharingForm
from coop.programs.models import Cohort
from coop.sessions import queries as session_queries
from coop.sessions.forms import ConfirmForm
from coop.sessions.models import CalendarFeed, VirtualSession
from coop.sessions.services import cohort_zone

bp = Blueprint("portal", __name__)

nav.home_for("participant", "portal.my_cohort")
nav.nav_item("My cohort", "portal.my_cohort", {Role.PARTICIPANT}, order=10)


def next_session(sessions: list[VirtualSession], now) -> VirtualSession | None:
    """The session happening now, else the next one to come (cancelled ones skipped)."""
    return next((s for s in sessions if not s.is_cancelled and s.ends_at > now), None)


def _cohort_page(cohort: Cohort | None, cohorts: list[Cohort]):
    user = current_user
    if cohort is None:
        return render_template("portal/no_cohort.html")
    now = utcnow()
    sessions = session_queries.cohort_sessions(cohort.id)
    pod_assignment, peers = queries.pod_peers(cohort.id, user.id)
    summary = session_queries.attendance_summary(cohort.id, [user.id], now=now)[user.id]
    feed = db.session.scalar(db.select(CalendarFeed).where(CalendarFeed.user_id == user.id))
    zone = cohort_zone(cohort)
    return render_template(
        "portal/my_cohort.html",
        cohort=cohort,
        cohorts=cohorts,
        zone=zone,
        viewer_zone=user.timezone or zone,
        sessions=sessions,
        next_session=next_session(sessions, now),
        captains=queries.captains(cohort.id),
        pod_assignment=pod_assignment,
        peers=peers,
        attendance=queries.own_attendance(cohort.id, user.id),
        summary=summary,
        feed=feed,
        feed_form=ConfirmForm(),
        now=now,
        panels=nav.panels_for("portal.cohort", user, cohort),
    )


@bp.get("/my-cohort")
@roles_required(Role.PARTICIPANT)
def my_cohort():
    cohorts = queries.member_cohorts(current_user.id)
    return _cohort_page(cohorts[0] if cohorts else None, cohorts)


@bp.get("/my-cohort/<int:cohort_id>")
@roles_required(Role.PARTICIPANT)
def cohort_page(cohort_id):
    cohorts = queries.member_cohorts(current_user.id)
    cohort = next((c for c in cohorts if c.id == cohort_id), None)
    require(cohort is not None)
    return _cohort_page(cohort, cohorts)


@bp.get("/my-cohort/<int:cohort_id>/people")
@roles_required(Role.PARTICIPANT)
def roster(cohort_id):
    cohorts = queries.member_cohorts(current_user.id)
    cohort = next((c for c in cohorts if c.id == cohort_id), None)
    require(cohort is not None)
    people = session_queries.members(cohort.id, with_profiles=True)
    pods = queries.pods(cohort.id)
    captains = queries.captains(cohort.id)
    captain_of = {a.id: a.captain for a in captains}
    mine = pods.assignment_of.get(current_user.id)
    return render_template(
        "portal/roster.html",
        cohort=cohort,
        people=people,
        pods=pods,
        captains=captains,
        captain_of=captain_of,
        my_pod=mine,
    )


@bp.get("/my-cohort/sessions/<int:session_id>")
@roles_required(Role.PARTICIPANT)
def session_detail(session_id):
    session = db.session.scalar(
        db.select(VirtualSession)
        .options(
            joinedload(VirtualSession.cohort).options(
                joinedload(Cohort.city), joinedload(Cohort.track)
            )
        )
        .where(VirtualSession.id == session_id)
    )
    if session is None:
        abort(404)
    require(session_queries.is_member(current_user.id, session.cohort_id))
    cohort = session.cohort
    zone = cohort_zone(cohort)
    attendance = session_queries.attendance_by_participant(session.id, [current_user.id])
    return render_template(
        "portal/session.html",
        session=session,
        cohort=cohort,
        zone=zone,
        viewer_zone=current_user.timezone or zone,
        attendance=attendance.get(current_user.id),
        now=utcnow(),
    )


@bp.route("/sharing", methods=["GET", "POST"])
@roles_required(Role.PARTICIPANT, Role.CAPTAIN)
@transaction
def sharing():
    user = db.session.scalar(
        db.select(User).options(joinedload(User.profile)).where(User.id == current_user.id)
    )
    profile = user.profile
    form = SharingForm(obj=profile)
    if form.validate_on_submit():
        services.update_sharing(
            user, share_email=form.share_email.data, share_phone=form.share_phone.data
        )
        flash("Your sharing choices are saved.", "success")
        if user.is_captain:
            return redirect(url_for("sessions.my_sessions"))
        return redirect(url_for("portal.my_cohort"))
    return render_template("portal/sharing.html", form=form, profile=profile, user=user)
