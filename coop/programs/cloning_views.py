"""Staff: a new term from a cohort, or from every cohort of one term in one city."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from coop.core import nav, once, retry
from coop.core.errors import show_error
from coop.core.permissions import staff_required
from coop.core.roles import Role
from coop.programs import cloning, queries
from coop.programs.cloning_forms import CloneCohortForm, CloneTermForm, TermChoiceForm
from coop.programs.models import City
from coop.programs.services import ProgramError

bp = Blueprint("cloning", __name__)

nav.cohort_tab("New term", "cloning.clone_cohort", order=95)
nav.nav_item("Clone a term", "cloning.clone_term", {Role.STAFF}, order=25)

transaction = retry.transaction(also=(once.AlreadySaved,), write_lock=True)


@bp.route("/cohorts/<int:cohort_id>/clone", methods=["GET", "POST"])
@staff_required
@transaction
def clone_cohort(cohort_id):
    cohort = queries.cohort_or_404(cohort_id, current_user)
    form = CloneCohortForm()
    if (done := once.already_saved(form)) is not None:
        return done
    suggestion = cloning.suggest(cohort)
    if request.method == "GET":
        form.name.data = suggestion.name
        form.start_date.data = suggestion.start_date
        form.end_date.data = suggestion.end_date
    if form.validate_on_submit():
        try:
            with once.saving(form) as saving:
                clone = cloning.clone_cohort(
                    cohort,
                    actor=current_user,
                    name=form.name.data,
                    start_date=form.start_date.data,
                    end_date=form.end_date.data,
                )
                url = url_for("sessions.generate", cohort_id=clone.id)
                saving.done(url, clone.id)
        except ProgramError as exc:
            show_error(form, exc)
        else:
            flash(
                f"{clone.name} is created (status: planned) with the settings of {cohort.name}. "
                "Generate its schedule now, or later from its Sessions tab; invite the old "
                "team's captains from its Captain requests tab.",
                "success",
            )
            return redirect(url)
    return render_template(
        "programs/clone.html",
        cohort=cohort,
        active_tab="cloning.clone_cohort",
        form=form,
        copied=_copied_labels(cohort),
    )


def _copied_labels(cohort) -> list[tuple[str, str]]:
    days = ", ".join(d.capitalize() for d in cohort.meeting_day_list) or "—"
    at = cohort.meeting_time.strftime("%H:%M") if cohort.meeting_time else "—"
    return [
        ("City and track", f"{cohort.city.name} · {cohort.track.name}"),
        ("Capacity", str(cohort.capacity)),
        ("Meetings", f"{days} at {at} ({cohort.city.timezone})"),
        ("Video link", cohort.video_link or "—"),
        ("Sponsor", cohort.sponsor.name if cohort.sponsor else "—"),
        ("Waitlist", "auto-promote" if cohort.auto_promote else "staff promote by hand"),
        ("Pods and check-ins", f"check-in overdue after {cohort.checkin_overdue_days} days"),
    ]


def _city(value) -> City:
    text = str(value or "")
    city_id = int(text) if text.isdigit() and len(text) < 10 else 0
    return queries.city_or_404(city_id, current_user)


@bp.get("/terms/clone")
@staff_required
def clone_term():
    cities = queries.visible_cities(current_user, include_archived=False)
    city = next((c for c in cities if str(c.id) == request.args.get("city")), None)
    city = city or (cities[0] if cities else None)
    terms = cloning.city_terms(city) if city else []
    form = TermChoiceForm(request.args, cities=cities, terms=terms)
    term = request.args.get("term") if request.args.get("term") in terms else None
    plan = cloning.plan_term(city, term) if city and term else None
    confirm = CloneTermForm(formdata=None, city=str(city.id), term=term) if plan else None
    if city:
        form.city.data = city.id
    return render_template(
        "programs/clone_term.html", form=form, plan=plan, confirm=confirm, city=city
    )


@bp.post("/terms/clone")
@staff_required
@transaction
def confirm_clone_term():
    form = CloneTermForm()
    if not form.validate_on_submit():
        flash("Choose a city and a term.", "danger")
        return redirect(url_for("cloning.clone_term"))
    city = _city(form.city.data)
    back = redirect(url_for("cloning.clone_term", city=city.id, term=form.term.data))
    try:
        clones = cloning.clone_term(city, form.term.data, actor=current_user)
    except ProgramError as exc:
        show_error(None, exc)
        return back
    flash(
        f"{len(clones)} cohorts created for {cloning.next_term(form.term.data)} in {city.name} "
        "(status: planned). Generate each one's schedule from its Sessions tab.",
        "success",
    )
    return redirect(url_for("programs.cohorts", city=city.id))
