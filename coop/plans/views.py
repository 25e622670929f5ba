"""Career plans (participant, pod captain, city staff), credentials and their catalogue;
the plan panels on the participant's cohort page, the captain's home and the check-in
form."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from coop.auth.models import Role, User
from coop.core import clock, events, nav, once
from coop.core.errors import show_error
from coop.core.pagination import paginate
from coop.core.permissions import require, roles_required, staff_required
from coop.core.person_sections import person_section
from coop.core.retry import transaction
from coop.extensions import db
from coop.plans import queries, services
from coop.plans.forms import (
    ConfirmForm,
    CredentialForm,
    CredentialTypeForm,
    GoalForm,
    StepForm,
    StepUpdateForm,
)
from coop.plans.models import StepOwner
from coop.programs.models import Cohort, Track, can_edit_catalog

bp = Blueprint("plans", __name__, url_prefix="/plans")

nav.nav_item("Plans", "plans.plans", {Role.STAFF}, order=45)
nav.nav_item("Credentials", "plans.credentials", {Role.STAFF}, order=46)

people = roles_required(Role.STAFF, Role.CAPTAIN, Role.PARTICIPANT)
coach_or_staff = roles_required(Role.STAFF, Role.CAPTAIN)


def load(cohort_id: int, participant_id: int):
    """The cohort, the participant and the viewer's access to their plan, else 404."""
    cohort = db.first_or_404(
        db.select(Cohort)
        .options(joinedload(Cohort.city), joinedload(Cohort.track))
        .where(Cohort.id == cohort_id)
    )
    participant = db.get_or_404(User, participant_id)
    access = queries.access(current_user, cohort, participant.id)
    require(access is not None)
    return cohort, participant, access


def plan_url(cohort_id: int, participant_id: int) -> str:
    return url_for("plans.plan", cohort_id=cohort_id, participant_id=participant_id)


def _page(
    cohort, participant, access, *, goal_form=None, step_form=None, cred_form=None, status=200
):
    plan = queries.plan_for(participant.id)
    require(plan is None or plan.cohort_id == cohort.id)
    goals = plan.goals if plan else []
    goal_form = goal_form or GoalForm(formdata=None)
    step_form = step_form or StepForm(formdata=None)
    step_form.goal.choices = [(g.id, f"{g.kind.label}: {g.title}") for g in goals]
    cred_form = cred_form or CredentialForm(formdata=None)
    cred_form.credential_type.choices = [
        (t.id, f"{t.name} ({t.issuer})") for t in queries.credential_types(cohort.track_id)
    ]
    return render_template(
        "plans/plan.html",
        cohort=cohort,
        participant=participant,
        access=access,
        plan=plan,
        goals=goals,
        goal_form=goal_form,
        step_form=step_form,
        cred_form=cred_form,
        update_form=StepUpdateForm(formdata=None),
        verify_form=ConfirmForm(formdata=None),
        credentials=queries.credentials_of(participant.id),
        today=clock.today_for_cohort(cohort),
    ), status


@bp.get("/")
@coach_or_staff
def plans():
    page = paginate(queries.plans_list(current_user))
    counts = queries.step_counts([p.id for p in page.items], clock.today_for(current_user))
    return render_template("plans/list.html", page=page, counts=counts)


@bp.get("/cohorts/<int:cohort_id>/participants/<int:participant_id>")
@people
def plan(cohort_id, participant_id):
    cohort, participant, access = load(cohort_id, participant_id)
    return _page(cohort, participant, access)


@bp.post("/cohorts/<int:cohort_id>/participants/<int:participant_id>/goals")
@coach_or_staff
@transaction(also=(once.AlreadySaved,), write_lock=True)
def add_goal(cohort_id, participant_id):
    cohort, participant, access = load(cohort_id, participant_id)
    require(access.can_edit)
    form = GoalForm()
    if (done := once.already_saved(form)) is not None:
        return done
    if form.validate_on_submit():
        back = plan_url(cohort.id, participant.id)
        try:
            with once.saving(form) as saving:
                goal = services.add_goal(
                    cohort,
                    participant.id,
                    current_user,
                    kind=form.kind.data,
                    title=form.goal_title.data,
                    target_date=form.target_date.data,
                )
                saving.done(back, goal.id)
        except services.PlanError as exc:
            show_error(form, exc)
        else:
            flash("Goal added.", "success")
            return redirect(back)
    return _page(cohort, participant, access, goal_form=form, status=400)


@bp.post("/cohorts/<int:cohort_id>/participants/<int:participant_id>/steps")
@coach_or_staff
@transaction(also=(once.AlreadySaved,), write_lock=True)
def add_step(cohort_id, participant_id):
    cohort, participant, access = load(cohort_id, participant_id)
    require(access.can_edit)
    form = StepForm()
    plan = queries.plan_for(participant.id)
    goals = plan.goals if plan and plan.cohort_id == cohort.id else []
    form.goal.choices = [(g.id, g.title) for g in goals]
    if (done := once.already_saved(form)) is not None:
        return done
    if form.validate_on_submit():
        goal = next(g for g in goals if g.id == form.goal.data)
        back = plan_url(cohort.id, participant.id)
        try:
            with once.saving(form) as saving:
                step = services.add_step(
                    goal,
                    current_user,
                    title=form.step_title.data,
                    owner=StepOwner(form.owner.data),
                    due_date=form.due_date.data,
                    participant_id=participant.id,
                    city_id=cohort.city_id,
                )
                saving.done(back, step.id)
        except services.PlanError as exc:
            show_error(form, exc)
        else:
            flash("Step added.", "success")
            return redirect(back)
    return _page(cohort, participant, access, step_form=form, status=400)


@bp.post("/steps/<int:step_id>")
@people
@transaction
def update_step(step_id):
    step = queries.step_or_none(step_id)
    require(step is not None)
    plan = step.goal.plan
    cohort, participant, access = load(plan.cohort_id, plan.participant_id)
    require(access.can_update_step(step))
    form = StepUpdateForm()
    back = plan_url(cohort.id, participant.id)
    if form.validate_on_submit():
        try:
            services.update_step(
                step,
                current_user,
                status=form.status.data,
                comment=form.comment.data,
                participant_id=participant.id,
                city_id=cohort.city_id,
                access=access,
            )
        except services.PlanError as exc:
            show_error(None, exc)
        else:
            flash("Step saved.", "success")
    else:
        flash(
            "The step was not saved: "
            + "; ".join(e for errors in form.errors.values() for e in errors),
            "danger",
        )
    return redirect(back)


@bp.post("/cohorts/<int:cohort_id>/participants/<int:participant_id>/credentials")
@people
@transaction(also=(once.AlreadySaved,), write_lock=True)
def record_credential(cohort_id, participant_id):
    cohort, participant, access = load(cohort_id, participant_id)
    require(access.can_record_credential)
    form = CredentialForm()
    types = {t.id: t for t in queries.credential_types(cohort.track_id)}
    form.credential_type.choices = [(i, t.name) for i, t in types.items()]
    if (done := once.already_saved(form)) is not None:
        return done
    if form.validate_on_submit():
        back = plan_url(cohort.id, participant.id)
        try:
            with once.saving(form) as saving:
                row = services.record_credential(
                    cohort,
                    participant.id,
                    current_user,
                    credential_type=types[form.credential_type.data],
                    earned_on=form.earned_on.data,
                    credential_ref=form.credential_ref.data,
                    link=form.link.data,
                )
                saving.done(back, row.id)
        except services.PlanError as exc:
            show_error(form, exc)
        else:
            flash("Credential recorded; staff will verify it.", "success")
            return redirect(back)
    return _page(cohort, participant, access, cred_form=form, status=400)


# -- staff: verifying credentials and the catalogue ----------------------------------------


@bp.get("/credentials")
@staff_required
def credentials():
    page = paginate(queries.unverified_credentials(current_user))
    return render_template(
        "plans/credentials.html", page=page, verify_form=ConfirmForm(formdata=None)
    )


@bp.post("/credentials/<int:credential_id>/verify")
@staff_required
@transaction
def verify(credential_id):
    credential = queries.credential_or_none(credential_id)
    require(credential is not None and credential.cohort.can_manage(current_user))
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.verify_credential(credential, current_user)
        except services.PlanError as exc:
            show_error(None, exc)
        else:
            flash(f"{credential.credential_type.name} verified.", "success")
    return redirect(url_for("plans.credentials"))


def _catalogue_page(form=None, status=200):
    form = form or CredentialTypeForm(formdata=None)
    form.track.choices = [
        (t.id, t.name) for t in db.session.scalars(db.select(Track).order_by(Track.name))
    ]
    return render_template(
        "plans/catalogue.html",
        rows=queries.catalogue(),
        form=form,
        can_edit=can_edit_catalog(current_user),
    ), status


@bp.get("/credentials/catalogue")
@staff_required
def catalogue():
    return _catalogue_page()


@bp.post("/credentials/catalogue")
@staff_required
@transaction(also=(once.AlreadySaved,), write_lock=True)
def add_credential_type():
    require(can_edit_catalog(current_user))
    form = CredentialTypeForm()
    form.track.choices = [(t.id, t.name) for t in db.session.scalars(db.select(Track))]
    if (done := once.already_saved(form)) is not None:
        return done
    if form.validate_on_submit():
        back = url_for("plans.catalogue")
        try:
            with once.saving(form) as saving:
                row = services.add_credential_type(
                    db.session.get(Track, form.track.data),
                    current_user,
                    name=form.name.data,
                    issuer=form.issuer.data,
                )
                saving.done(back, row.id)
        except services.PlanError as exc:
            show_error(form, exc)
        else:
            flash("Added to the catalogue.", "success")
            return redirect(back)
    return _catalogue_page(form, 400)


# -- panels on pages of lower layers ------------------------------------------------------


def _portal_panel(user, cohort):
    """The participant's own plan: a link and their open steps."""
    steps = queries.open_steps(user.id, cohort.id)
    return {
        "url": plan_url(cohort.id, user.id),
        "steps": steps[:5],
        "more": max(len(steps) - 5, 0),
        "today": clock.today_for_cohort(cohort),
    }


def _captain_panel(user, current):
    """Overdue plan steps in the captain's current pods."""
    if not current:
        return None
    today = clock.today_for(user)
    rows = queries.overdue_steps_for_captain(user.id, today)
    return {"rows": rows, "today": today} if rows else None


def _checkin_panel(user, subject):
    """The participant's open steps on the check-in form, to tick or comment on."""
    cohort, participant = subject
    return {
        "steps": queries.open_steps(participant.id, cohort.id),
        "today": clock.today_for_cohort(cohort),
        "url": plan_url(cohort.id, participant.id),
        "comment_max": services.COMMENT_MAX,
    }


def _person_plan(view):
    """The person page's career plan: goals and steps, from the plan's cohort if the
    viewer may see that cohort's records (``view.cohort_ids``)."""
    row = queries.person_plan(view.person.id, view.cohort_ids)
    if row is None:
        return None
    return {
        "plan": row,
        "today": clock.today_for_cohort(row.cohort),
        "url": plan_url(row.cohort_id, row.participant_id),
    }


def _person_credentials(view):
    rows = queries.person_credentials(view.person.id, view.cohort_ids)
    return {"credentials": rows} if rows else None


nav.panel("portal.cohort", "plans/_portal_panel.html", _portal_panel, order=40)
nav.panel("coaching.captain_home", "plans/_captain_panel.html", _captain_panel, order=40)
nav.panel("coaching.checkin", "plans/_checkin_panel.html", _checkin_panel, order=40)
person_section("plans/_person_plan.html", _person_plan, order=45)
person_section("plans/_person_credentials.html", _person_credentials, order=50)


@events.checkin_saved.connect
def _review_steps(checkin, *, actor, data, **_):
    """Ticks and comments on plan steps submitted with a check-in."""
    steps = queries.open_steps(checkin.participant_id, checkin.cohort_id)
    if steps:
        city_id = db.session.scalar(db.select(Cohort.city_id).where(Cohort.id == checkin.cohort_id))
        services.review_steps(
            steps, actor, data, participant_id=checkin.participant_id, city_id=city_id
        )
