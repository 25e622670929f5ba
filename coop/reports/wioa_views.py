"""The WIOA primary indicators of performance (staff only; city staff see their cities)."""

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from coop.auth.models import Role
from coop.core import clock, nav
from coop.core.csvsafe import csv_response
from coop.core.permissions import staff_required
from coop.reports import workforce

bp = Blueprint("wioa", __name__, url_prefix="/reports/wioa")

nav.nav_item("WIOA indicators", "wioa.report", {Role.STAFF}, order=61)

#: How many program years the year choice offers, back from the current one.
YEARS_SHOWN = 6


def _year(today) -> tuple[int, list[int]]:
    """The program year asked for (default: the last one that has ended), or 404."""
    current = workforce.program_year_of(today)
    years = [current - i for i in range(YEARS_SHOWN)]
    raw = request.args.get("year", "").strip()
    if not raw:
        return current - 1, years
    if not raw.isdigit() or int(raw) not in years:
        abort(404)
    return int(raw), years


@bp.get("/")
@staff_required
def report():
    today = clock.today_for(current_user)
    year, years = _year(today)
    data = workforce.build(current_user, year, today)
    return render_template(
        "reports/wioa.html",
        report=data,
        years=years,
        definitions=workforce.DEFINITIONS,
        levels=[
            ("all", "All cohorts"),
            ("city", "By city"),
            ("track", "By track"),
            ("cohort", "By cohort"),
        ],
    )


@bp.get("/wioa.csv")
@staff_required
def export():
    today = clock.today_for(current_user)
    year, _ = _year(today)
    header, rows = workforce.csv_rows(workforce.build(current_user, year, today))
    return csv_response(f"wioa-PY{year}-{today.isoformat()}.csv", header, rows)
