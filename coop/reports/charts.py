"""Charts drawn on the server as inline SVG: no JavaScript, readable on a phone, printable.

Each chart scales to its container (a ``viewBox`` and ``width="100%"``), carries a
``<title>`` and ``<desc>`` for screen readers, and writes every value as text next
to its bar. Styling is done with SVG presentation attributes (the CSP forbids
``style=""``). Values that are withheld (fewer than 5 people), empty or not available
are labelled as such and get no bar, so a chart never shows what the tables hide.
"""

from collections.abc import Sequence

from markupsafe import Markup, escape

from coop.reports.figures import NOT_AVAILABLE, Figure

WIDTH = 400
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
TRACK = "#e9ecef"
INK = "#212529"
MUTED = "#6c757d"
COLOURS = ["#1f3a5f", "#1f6feb", "#2e8540", "#b35c00"]


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _text(x, y, body, *, size=14, anchor="start", fill=INK, weight="normal") -> str:
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{fill}" font-weight="{weight}">{escape(body)}</text>'
    )


def _rect(x, y, w, h, fill, rx=3) -> str:
    return (
        f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(max(w, 0))}" height="{_num(h)}" '
        f'rx="{rx}" fill="{fill}"/>'
    )


def _svg(
    chart_id: str, height: float, title: str, desc: str, body: list[str], width: int = WIDTH
) -> Markup:
    cid = escape(chart_id)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{cid}" '
        f'viewBox="0 0 {width} {_num(height)}" width="100%" role="img" '
        f'aria-labelledby="{cid}-title {cid}-desc" font-family="{FONT}" '
        f'preserveAspectRatio="xMinYMin meet">'
        f'<title id="{cid}-title">{escape(title)}</title>'
        f'<desc id="{cid}-desc">{escape(desc)}</desc>'
    )
    # Every text and id above went through escape(); numbers through _num().
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704


def _why_missing(fig: Figure) -> str:
    if not fig.available:
        return NOT_AVAILABLE
    if fig.withheld:
        return "withheld (fewer than 5 people)"
    return "no data yet"


def funnel(steps: Sequence[Figure], chart_id: str = "chart-funnel") -> Markup:
    """Horizontal bars from applicants down to graduates, each against the first."""
    row, bar = 46, 16
    counts = [f.chart_value for f in steps]
    top = max((c for c in counts if c is not None), default=0) or 1
    body, described = [], []
    for i, fig in enumerate(steps):
        y = i * row
        body.append(_text(0, y + 16, fig.label, weight="600"))
        body.append(_text(WIDTH, y + 16, fig.text, anchor="end"))
        body.append(_rect(0, y + 22, WIDTH, bar, TRACK))
        value = fig.chart_value
        if value is not None and value > 0:
            body.append(_rect(0, y + 22, WIDTH * value / top, bar, COLOURS[0]))
        described.append(f"{fig.label}: {fig.text}")
    desc = "; ".join(described) + "."
    return _svg(chart_id, len(steps) * row, "Funnel: from application to graduation", desc, body)


def _bar_value(fig: Figure) -> str:
    return fig.text if fig.chart_value is not None else _why_missing(fig)


def cohort_outcomes(
    rows: Sequence[tuple[str, Sequence[Figure]]],
    series: Sequence[str],
    chart_id: str = "chart-cohorts",
) -> Markup:
    """Rates per cohort, oldest first: one group of bars per cohort, one bar per series.

    ``rows`` are ``(cohort label, [figure per series])``; ``series`` the legend labels.
    """
    bar, gap, label_h = 14, 4, 20
    legend_h = 24 + 18 * len(series)
    group_h = label_h + len(series) * (bar + gap) + 12
    body = []
    for i, name in enumerate(series):
        y = 4 + i * 18
        body.append(_rect(0, y, 12, 12, COLOURS[i % len(COLOURS)], rx=2))
        body.append(_text(18, y + 11, name, size=13))
    scale_y = legend_h - 4
    for pct in (0, 50, 100):
        anchor = {0: "start", 50: "middle", 100: "end"}[pct]
        body.append(
            _text(WIDTH * pct / 100, scale_y, f"{pct}%", size=11, anchor=anchor, fill=MUTED)
        )
    described = []
    if not rows:
        body.append(_text(0, legend_h + 18, "No cohort outcomes to show yet.", fill=MUTED))
    for r, (label, figures) in enumerate(rows):
        y0 = legend_h + r * group_h
        body.append(_text(0, y0 + 15, label, size=13, weight="600"))
        parts = []
        for s, fig in enumerate(figures):
            y = y0 + label_h + s * (bar + gap)
            body.append(_rect(0, y, WIDTH, bar, TRACK, rx=2))
            value = fig.chart_value
            text = _bar_value(fig)
            if value is not None:
                width = WIDTH * min(max(value, 0), 1)
                body.append(_rect(0, y, width, bar, COLOURS[s % len(COLOURS)], rx=2))
                inside = width > WIDTH - 60
                x = width - 4 if inside else width + 4
                body.append(
                    _text(
                        x,
                        y + bar - 3,
                        text,
                        size=11,
                        anchor="end" if inside else "start",
                        fill="#ffffff" if inside else INK,
                    )
                )
            else:
                body.append(_text(4, y + bar - 3, text, size=11, fill=MUTED))
            parts.append(f"{series[s]} {text}")
        described.append(f"{label}: " + ", ".join(parts))
    height = legend_h + max(len(rows), 1) * group_h
    desc = "; ".join(described) + "." if described else "No cohort outcomes to show yet."
    return _svg(chart_id, height, "Outcomes by cohort, oldest first", desc, body)


def salary(before: Figure, after: Figure, chart_id: str = "chart-salary") -> Markup:
    """Median salary before (intake) and after (first verified placement)."""
    row, bar = 50, 20
    items = [("Before: at intake", before, COLOURS[3]), ("After: at placement", after, COLOURS[2])]
    values = [f.chart_value for _, f, _ in items if f.chart_value is not None]
    top = max(values, default=0) or 1
    body, described = [], []
    for i, (label, fig, colour) in enumerate(items):
        y = i * row
        body.append(_text(0, y + 16, label, weight="600"))
        body.append(_text(WIDTH, y + 16, fig.text, anchor="end"))
        body.append(_rect(0, y + 24, WIDTH, bar, TRACK))
        if fig.chart_value is not None:
            body.append(_rect(0, y + 24, WIDTH * fig.chart_value / top, bar, colour))
        else:
            body.append(_text(4, y + 24 + bar - 5, _why_missing(fig), size=12, fill=MUTED))
        described.append(f"{label} {fig.text}")
    # Both medians are over the same people: graduates with a verified placement.
    note = after.based_on
    body.append(_text(0, 2 * row + 14, note.capitalize(), size=12, fill=MUTED))
    desc = "Median salary " + ", ".join(described) + f" ({note})."
    return _svg(chart_id, 2 * row + 20, "Median salary before and after", desc, body)


def cohort_outcomes_compact(
    rows: Sequence[tuple[str, Sequence[Figure]]],
    series: Sequence[str],
    chart_id: str = "chart-cohorts-wide",
) -> Markup:
    """The same chart for wide screens and paper: one line per cohort, its label beside
    the bars."""
    width, label_w, row_h, bar = 640, 260, 22, 8
    plot = width - label_w - 40
    body = []
    x = 0
    for i, name in enumerate(series):
        body.append(_rect(x, 2, 10, 10, COLOURS[i % len(COLOURS)], rx=2))
        body.append(_text(x + 14, 11, name, size=11))
        x += 20 + 6.5 * len(name)
    top = 20
    for pct in (0, 50, 100):
        anchor = {0: "start", 50: "middle", 100: "end"}[pct]
        body.append(
            _text(label_w + plot * pct / 100, top + 9, f"{pct}%", size=9, anchor=anchor, fill=MUTED)
        )
    top += 14
    described = []
    if not rows:
        body.append(_text(0, top + 14, "No cohort outcomes to show yet.", size=11, fill=MUTED))
    for r, (label, figures) in enumerate(rows):
        y0 = top + r * row_h
        body.append(_text(label_w - 6, y0 + 14, label, size=11, anchor="end"))
        parts = []
        for s, fig in enumerate(figures):
            y = y0 + 2 + s * (bar + 1)
            body.append(_rect(label_w, y, plot, bar, TRACK, rx=1))
            value = fig.chart_value
            text = _bar_value(fig) if value is not None else fig.text
            if value is not None:
                w = plot * min(max(value, 0), 1)
                body.append(_rect(label_w, y, w, bar, COLOURS[s % len(COLOURS)], rx=1))
            body.append(_text(label_w + plot + 4, y + bar - 0.5, text, size=9, fill=INK))
            parts.append(f"{series[s]} {_bar_value(fig)}")
        described.append(f"{label}: " + ", ".join(parts))
    height = top + max(len(rows), 1) * row_h + 4
    desc = "; ".join(described) + "." if described else "No cohort outcomes to show yet."
    return _svg(chart_id, height, "Outcomes by cohort, oldest first", desc, body, width=width)
