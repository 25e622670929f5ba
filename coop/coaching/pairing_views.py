"""Staff: import and export a cohort's captain ↔ participant pod assignments as CSV."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from coop.coaching import fit as fitting
from coop.coaching import pairings
from coop.coaching.services import CoachingError
from coop.coaching.terms_forms import ConfirmPairingsForm, FitForm, PairingImportForm
from coop.core import audit, nav, retry
from coop.core.csvsafe import csv_response
from coop.core.errors import show_error
from coop.core.permissions import staff_required
from coop.programs.queries import cohort_or_404

bp = Blueprint("pairings", __name__)

nav.cohort_tab("Pairings", "pairings.import_pairings", order=42)
nav.cohort_tab("Pods by fit", "pairings.pods_by_fit", order=43)

transaction = retry.transaction(also=(pairings.PairingConflict,), write_lock=True)


def _page(cohort, form, checked=None, confirm=None):
    return render_template(
        "coaching/pairings_import.html",
        cohort=cohort,
        active_tab="pairings.import_pairings",
        form=form,
        checked=checked,
        confirm=confirm,
        columns=pairings.COLUMNS,
    )


@bp.route("/cohorts/<int:cohort_id>/pairings/import", methods=["GET", "POST"])
@staff_required
def import_pairings(cohort_id):
    cohort = cohort_or_404(cohort_id, current_user)
    form = PairingImportForm()
    checked = confirm = None
    if form.validate_on_submit():
        data = form.file.data.read(pairings.MAX_BYTES + 1)
        checked = pairings.plan(cohort, pairings.parse(data))
        if checked.ok and checked.changes:
            confirm = ConfirmPairingsForm(formdata=None, content=data.decode("utf-8-sig"))
    return _page(cohort, form, checked, confirm)


@bp.post("/cohorts/<int:cohort_id>/pairings/import/confirm")
@staff_required
@transaction
def confirm_pairings(cohort_id):
    cohort = cohort_or_404(cohort_id, current_user)
    form = ConfirmPairingsForm()
    back = url_for("pairings.import_pairings", cohort_id=cohort.id)
    if not form.validate_on_submit():
        flash("The file was lost on the way; upload it again.", "danger")
        return redirect(back)
    # Checked again: the file came back from the browser, and the pods may have changed.
    checked = pairings.plan(cohort, pairings.parse(form.content.data.encode()))
    if not checked.ok:
        flash("The file no longer passes the checks; nothing was imported.", "danger")
        return _page(cohort, PairingImportForm(formdata=None), checked)
    try:
        result = pairings.import_pairings(cohort, checked, current_user)
    except CoachingError as exc:
        show_error(None, exc)
        return redirect(back)
    if result.placed or result.moved:
        flash(
            f"Imported: {result.placed} placed in a pod, {result.moved} moved; "
            f"{result.already} were already in that pod.",
            "success",
        )
    else:
        flash("Nothing to import: everyone is already in that pod.", "info")
    return redirect(url_for("coaching.cohort_team", cohort_id=cohort.id))


@bp.get("/cohorts/<int:cohort_id>/pairings.csv")
@staff_required
@transaction  # records who downloaded the pairings
def export_pairings(cohort_id):
    cohort = cohort_or_404(cohort_id, current_user)
    rows = pairings.export_rows(cohort)
    audit.record(current_user, "pods.export", cohort, ["pod_memberships"])
    return csv_response(f"pairings-{cohort.id}.csv", pairings.COLUMNS, rows)


# -- fit-based suggestions ------------------------------------------------------------------


@bp.get("/cohorts/<int:cohort_id>/pods/fit")
@staff_required
def pods_by_fit(cohort_id):
    return _fit(cohort_or_404(cohort_id, current_user), request.args.get("even", "1") != "0")


def _fit(cohort, even: bool):
    plan = fitting.plan_for(cohort, even)
    form = FitForm(formdata=None, fingerprint=plan.fingerprint, even="1" if even else "0")
    return render_template(
        "coaching/pods_fit.html",
        cohort=cohort,
        active_tab="pairings.pods_by_fit",
        plan=plan,
        form=form,
        even=even,
    )


@bp.post("/cohorts/<int:cohort_id>/pods/fit")
@staff_required
@transaction
def accept_pods_by_fit(cohort_id):
    cohort = cohort_or_404(cohort_id, current_user)
    form = FitForm()
    even = form.even.data != "0"
    back = redirect(url_for("pairings.pods_by_fit", cohort_id=cohort.id, even="1" if even else "0"))
    if not form.validate_on_submit():
        flash("The suggestions were lost on the way; look at them again.", "danger")
        return back
    try:
        plan = fitting.plan_for(cohort, even)
        moved = fitting.accept(cohort, plan, form.fingerprint.data, current_user)
    except CoachingError as exc:
        show_error(None, exc)
        return back
    flash(f"Pods set by fit: {moved} participants joined or moved.", "success")
    return redirect(url_for("coaching.cohort_team", cohort_id=cohort.id))
