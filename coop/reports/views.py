"""The outcomes dashboard and its CSV exports (staff only; city staff see their cities)."""

from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination

from coop.auth.models import Role
from coop.core import nav
from coop.core.csvsafe import csv_response
from coop.core.permissions import staff_required
from coop.reports import charts, exports
from coop.reports.dashboard import COHORT_COLUMNS, SORT_KEYS, Page, build
from coop.reports.filters import Choices, FilterForm, from_form
from coop.reports.hiring import hires_per_event
from coop.reports.workforce import dashboard_part

bp = Blueprint("reports", __name__, url_prefix="/reports")

#: Rows of the cohort comparison per page.
COHORTS_PER_PAGE = 25


class RowsPage(Pagination):
    """A page of rows already in memory, from the request's ``page`` argument (bad or
    out-of-range numbers: page 1, or an empty page), for ``_macros/tables.pagination``."""

    def __init__(self, rows: list, per_page: int, number: int):
        self._rows = rows
        super().__init__(page=number, per_page=per_page, max_per_page=None, error_out=False)

    def _query_items(self) -> list:
        return self._rows[self._query_offset : self._query_offset + self.per_page]

    def _query_count(self) -> int:
        return len(self._rows)


nav.nav_item("Outcomes", "reports.dashboard", {Role.STAFF}, order=60)


def _filters():
    """The filter form read from the query string. A city, track or cohort the viewer
    may not see is a 404; other bad input comes back on the form (400)."""
    choices = Choices.load(current_user, request.args)
    if not choices.allows(request.args):
        abort(404)
    form = FilterForm(formdata=request.args)
    choices.apply(form)
    valid = form.validate()
    return form, valid


def _sort():
    """The comparison's order: the most recent cohorts first unless asked otherwise."""
    sort = request.args.get("sort")
    if sort not in SORT_KEYS:
        return "start", request.args.get("dir") != "asc"
    return sort, request.args.get("dir") == "desc"


@bp.get("/outcomes")
@staff_required
def dashboard():
    form, valid = _filters()
    if not valid:
        return render_template("reports/dashboard.html", form=form, dashboard=None), 400
    sort, descending = _sort()
    number = max(request.args.get("page", 1, type=int) or 1, 1)
    # One page of the comparison: a program of hundreds of cohorts is read a page at a
    # time, the most recent first, and only that page's figures are computed (unless it
    # is sorted by a figure); the CSV has them all.
    data = build(
        from_form(form), current_user, page=Page(sort, descending, number, COHORTS_PER_PAGE)
    )
    funnel = data.section("funnel")
    outcomes = data.section("outcomes")
    page = RowsPage(data.sorted_cohorts(sort, descending), COHORTS_PER_PAGE, number)
    # The page's cohorts with something to draw (or withheld), in start order.
    chart_rows = []
    for r in sorted(page.items, key=lambda r: (r.start_date, r.id)):
        figures = [r.figures["completion_rate"], r.figures["overcame_12m"]]
        if any(f.chart_value is not None or f.withheld for f in figures):
            chart_rows.append((f"{r.name} · {r.city}", figures))
    series = ["Completion rate", "Overcame underemployment within 12 months"]
    return render_template(
        "reports/dashboard.html",
        form=form,
        dashboard=data,
        rows=page.items,
        page=page,
        columns=COHORT_COLUMNS,
        sort=sort,
        descending=descending,
        args=data.filters.query_args(),
        funnel_chart=charts.funnel(
            [funnel[k] for k in ("applicants", "accepted", "enrolled", "graduated")]
        ),
        salary_chart=charts.salary(outcomes["median_intake"], outcomes["median_placement"]),
        cohort_chart=charts.cohort_outcomes_compact(chart_rows, series),
        hiring_events=hires_per_event(current_user),
        workforce=dashboard_part(data.filters, current_user),
    )


@bp.get("/outcomes/<table>.csv")
@staff_required
def export(table: str):
    if table not in exports.TABLES:
        abort(404)
    form, valid = _filters()
    if not valid:
        abort(400, "; ".join(e for errors in form.errors.values() for e in errors))
    data = build(from_form(form), current_user)
    sort, descending = _sort()
    header, rows = exports.table(data, table, sort, descending)
    suffix = "-filtered" if data.filters.active else ""
    return csv_response(f"outcomes-{table}{suffix}-{data.today.isoformat()}.csv", header, rows)
