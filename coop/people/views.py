"""The person page: ``/people/<id>``. Staff see the people of their cities, a captain
their pod's people (with less), a participant only themself; anyone else gets 404."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from coop.auth.models import Role
from coop.coaching.views import CONFIDENTIAL_FIELDS
from coop.core import audit, clock, nav
from coop.core.permissions import require
from coop.core.person_sections import person_section, sections_for
from coop.core.retry import transaction
from coop.people import queries

bp = Blueprint("people", __name__)

nav.nav_item("My page", "people.me", {Role.PARTICIPANT}, order=90)

#: The personal fields the "who they are" block shows to staff (and the person).
PROFILE_FIELDS = ("phone", "first_generation", "low_income", "intake_salary")


# -- the page's own sections (other domains add theirs the same way) ---------------------


def _enrollments(view):
    rows = queries.enrollments(view)
    disclosed = ["phone", "first_generation", "low_income", "salary_band"]
    return {"enrollments": rows, "disclosed": disclosed if rows and view.sees_private else []}


def _teams(view):
    teams = queries.teams(view, queries.cohorts(view))
    return {"teams": teams} if teams else None


def _attendance(view):
    rows = queries.attendance_grid(view)
    return {"rows": rows} if rows else None


def _checkins(view):
    rows = queries.checkins(view)
    if not rows:
        return None
    viewer = view.viewer
    read = [c for c in rows if c.confidential and c.can_read_notes(viewer)]
    return {
        "checkins": rows,
        "disclosed": list(CONFIDENTIAL_FIELDS) if read else [],
        "notes_shown": {c.id for c in rows if c.can_read_notes(viewer)},
    }


def _jobs(view):
    referrals, placements = queries.referrals(view), queries.placements(view)
    follow_ups = queries.follow_ups(view)
    if not (referrals or placements or follow_ups):
        return None
    return {
        "referrals": referrals,
        "placements": placements,
        "follow_ups": follow_ups,
        "disclosed": ["salary"] if placements else [],
    }


def _audit(view):
    events = queries.audit_events(view)
    return {"events": events} if view.is_staff else None


person_section("people/_enrollments.html", _enrollments, order=10)
person_section("people/_team.html", _teams, order=20)
person_section("people/_attendance.html", _attendance, order=30)
person_section("people/_checkins.html", _checkins, order=40)
person_section("people/_jobs.html", _jobs, order=60)
person_section("people/_audit.html", _audit, order=90)


@bp.get("/people/<int:user_id>")
@login_required
@transaction  # records who saw personal data
def person(user_id):
    person = queries.person_or_none(user_id)
    view = queries.view_for(current_user, person) if person is not None else None
    require(view is not None)
    sections = sections_for(view)
    disclosed = {f for _, context in sections for f in context.get("disclosed", ())}
    profile = person.profile
    if view.sees_private and profile is not None:
        disclosed |= {f for f in PROFILE_FIELDS if getattr(profile, f) is not None}
    disclosed &= audit.PERSONAL_FIELDS
    # Nothing is recorded for a person on their own page (record_view skips them).
    audit.record_view(current_user, [person.id], sorted(disclosed), target=("users", person.id))
    return render_template(
        "people/person.html",
        person=person,
        profile=profile,
        view=view,
        sections=sections,
        zone=current_user.timezone or "UTC",
        now=clock.now(),
    )


@bp.get("/people/me")
@login_required
def me():
    """Your own person page."""
    return redirect(url_for("people.person", user_id=current_user.id))
