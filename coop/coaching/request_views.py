"""Captain requests: staff ask graduates to captain a cohort and watch the team fill;
the graduates accept or decline on their own page (and see the request on their home)."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from coop.auth.models import Role, User
from coop.auth.services import find_user
from coop.coaching import queries, requests
from coop.coaching.request_models import DECLINE_LABELS
from coop.coaching.services import CoachingError
from coop.coaching.terms_forms import AskForm, AskTeamForm, ButtonForm, DeclineForm
from coop.core import nav, once, retry
from coop.core.errors import show_error
from coop.core.pagination import paginate
from coop.core.permissions import require, roles_required, staff_required
from coop.db import utcnow
from coop.extensions import db
from coop.programs.models import Cohort
from coop.programs.queries import cohort_or_404

bp = Blueprint("captain_requests", __name__)

nav.cohort_tab("Captain requests", "captain_requests.cohort_requests", order=45)
nav.nav_item("Captain requests", "captain_requests.overview", {Role.STAFF}, order=62)
nav.nav_item(
    "Captain requests", "captain_requests.mine", {Role.PARTICIPANT, Role.CAPTAIN}, order=80
)

transaction = retry.transaction(also=(requests.RequestConflict, once.AlreadySaved), write_lock=True)
graduates = roles_required(Role.PARTICIPANT, Role.CAPTAIN)


def _panel(user, _subject):
    """The person's open requests, on their home page (one query); nothing if none."""
    open_requests = requests.open_for(user)
    return {"requests": open_requests} if open_requests else None


nav.panel("portal.cohort", "coaching/_captain_requests_panel.html", _panel, order=5)
nav.panel("coaching.captain_home", "coaching/_captain_requests_panel.html", _panel, order=5)


# -- staff --------------------------------------------------------------------------------


def _page(cohort, ask=None, ask_team=None):
    members, _ = queries.team(cohort)
    earlier = requests.earlier_cohorts(cohort)
    return render_template(
        "coaching/captain_requests.html",
        cohort=cohort,
        active_tab="captain_requests.cohort_requests",
        team=members,
        requests=requests.for_cohort(cohort),
        ask=ask or AskForm(volunteers=requests.volunteer_choices()),
        ask_team=ask_team or AskTeamForm(cohorts=earlier),
        earlier=earlier,
        withdraw=ButtonForm(),
        now=utcnow(),
        days=requests.expiry_days(),
    )


@bp.route("/cohorts/<int:cohort_id>/captain-requests", methods=["GET", "POST"])
@staff_required
@transaction
def cohort_requests(cohort_id):
    cohort = cohort_or_404(cohort_id, current_user)
    form = AskForm(volunteers=requests.volunteer_choices())
    if (done := once.already_saved(form)) is not None:
        return done
    if form.validate_on_submit():
        if form.volunteer.data:
            user = db.session.get(User, form.volunteer.data)
        else:
            user = find_user(form.email.data)
        try:
            if user is None:
                raise CoachingError("Nobody has that email address.", "email")
            url = url_for("captain_requests.cohort_requests", cohort_id=cohort.id)
            with once.saving(form) as saving:
                requests.ask(cohort, user, current_user, form.message.data)
                saving.done(url)
        except CoachingError as exc:
            show_error(form, exc)
        else:
            flash(f"Asked {user.name} to captain {cohort.name}; they have been emailed.", "success")
            return redirect(url)
    return _page(cohort, ask=form)


@bp.post("/cohorts/<int:cohort_id>/captain-requests/team")
@staff_required
@transaction
def ask_team(cohort_id):
    cohort = cohort_or_404(cohort_id, current_user)
    earlier = requests.earlier_cohorts(cohort)
    form = AskTeamForm(cohorts=earlier)
    back = redirect(url_for("captain_requests.cohort_requests", cohort_id=cohort.id))
    source = next((c for c in earlier if c.id == form.source.data), None)
    if not form.validate_on_submit() or source is None:
        flash("Choose an earlier cohort of this city and track.", "danger")
        return back
    try:
        asked = requests.ask_team_of(cohort, source, current_user)
    except CoachingError as exc:
        show_error(None, exc)
        return back
    if asked.asked:
        flash(f"Asked and emailed: {', '.join(asked.asked)}.", "success")
    for reason in asked.skipped:
        flash(f"Not asked: {reason}", "warning")
    return back


@bp.post("/cohorts/<int:cohort_id>/captain-requests/<int:request_id>/withdraw")
@staff_required
@transaction
def withdraw(cohort_id, request_id):
    cohort = cohort_or_404(cohort_id, current_user)
    req = db.session.get(requests.CaptainRequest, request_id)
    require(req is not None and req.cohort_id == cohort.id)
    back = redirect(url_for("captain_requests.cohort_requests", cohort_id=cohort.id))
    if not ButtonForm().validate_on_submit():
        return back
    try:
        requests.withdraw(req, current_user)
    except CoachingError as exc:
        show_error(None, exc)
    else:
        flash("The request is withdrawn.", "success")
    return back


@bp.get("/captain-requests")
@staff_required
def overview():
    page = paginate(requests.overview_stmt(current_user))
    sizes = requests.team_sizes([r.cohort_id for r in page.items])
    return render_template("coaching/captain_requests_overview.html", page=page, sizes=sizes)


# -- the person asked ---------------------------------------------------------------------


@bp.get("/my-captain-requests")
@graduates
def mine():
    return render_template(
        "coaching/my_captain_requests.html",
        requests=requests.mine(current_user),
        now=utcnow(),
        accept=ButtonForm(),
        decline=DeclineForm(),
        labels=DECLINE_LABELS,
    )


def _mine(request_id):
    req = requests.request_of(current_user, request_id)
    if req is None:
        abort(404)  # someone else's request is not found
    return req


@bp.post("/my-captain-requests/<int:request_id>/accept")
@graduates
@transaction
def accept(request_id):
    req = _mine(request_id)
    back = redirect(url_for("captain_requests.mine"))
    if not ButtonForm().validate_on_submit():
        return back
    name = db.session.get(Cohort, req.cohort_id).name
    try:
        requests.accept(req, current_user)
    except CoachingError as exc:
        show_error(None, exc)
        return back
    flash(f"Welcome to the captain team of {name}.", "success")
    return redirect(url_for("coaching.captain_home"))


@bp.post("/my-captain-requests/<int:request_id>/decline")
@graduates
@transaction
def decline(request_id):
    req = _mine(request_id)
    form = DeclineForm()
    back = redirect(url_for("captain_requests.mine"))
    if not form.validate_on_submit():
        flash("Choose a reason for declining.", "danger")
        return back
    try:
        requests.decline(req, current_user, form.reason.data, form.note.data)
    except CoachingError as exc:
        show_error(None, exc)
        return back
    flash("Thank you for letting us know.", "success")
    return back
