"""The dashboard's tables as CSV rows: exactly what the page shows, small groups included
(``<5`` and ``withheld``), so an export never reveals more than the screen."""

from coop.reports.dashboard import COHORT_COLUMNS, Dashboard
from coop.reports.figures import Kind

#: Downloadable tables: the four sections and the cohort comparison.
TABLES = ("funnel", "engagement", "outcomes", "network", "cohorts")

SECTION_HEADER = ["figure", "value", "based on", "of", "definition"]


def section_rows(dashboard: Dashboard, key: str) -> tuple[list[str], list[list]]:
    rows = []
    for f in dashboard.section(key).figures:
        if f.available:
            rows.append([f.label, f.export_value, f.base_text, f.unit, f.note])
        else:
            rows.append([f.label, f.export_value, "", "", f.note])
    return SECTION_HEADER, rows


def cohort_rows(dashboard: Dashboard, sort: str, descending: bool) -> tuple[list[str], list[list]]:
    header = ["cohort", "city", "track", "start date", "end date", "status"]
    for col in COHORT_COLUMNS:
        header.append(col.label)
        if _has_base(col.key, dashboard):
            header.append(f"{col.label}: based on")
    rows = []
    for r in dashboard.sorted_cohorts(sort, descending):
        row = [r.name, r.city, r.track, r.start_date, r.end_date, r.status]
        for col in COHORT_COLUMNS:
            f = r.figures[col.key]
            row.append(f.export_value)
            if _has_base(col.key, dashboard):
                row.append(f.base_text)
        rows.append(row)
    return header, rows


def _has_base(key: str, dashboard: Dashboard) -> bool:
    """Rates and medians carry a 'based on' column; counts are themselves people."""
    return dashboard.figure(key).kind != Kind.COUNT


def table(dashboard: Dashboard, key: str, sort: str = "start", descending: bool = False):
    if key == "cohorts":
        return cohort_rows(dashboard, sort, descending)
    return section_rows(dashboard, key)
