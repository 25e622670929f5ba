"""The SVG charts: well-formed, accessible, responsive, escaped, and never drawing what
the tables withhold."""

import xml.etree.ElementTree as ET

from coop.reports import charts
from coop.reports.figures import Kind, count, money, rate, unavailable

NS = {"svg": "http://www.w3.org/2000/svg"}


def parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))  # noqa: S314 - our own output, in a test


def texts(svg: ET.Element) -> list[str]:
    return [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]


def bars(svg: ET.Element, colour: str) -> list[float]:
    """Widths of the bars in ``colour`` (legend swatches are square, bars are not)."""
    return [
        float(r.get("width"))
        for r in svg.iter("{http://www.w3.org/2000/svg}rect")
        if r.get("fill") == colour and r.get("width") != r.get("height")
    ]


def test_funnel_is_responsive_accessible_and_proportional():
    steps = [
        count("applicants", "Applicants", 40, 40, "people"),
        count("accepted", "Accepted", 20, 40, "people"),
        count("enrolled", "Enrolled", 10, 40, "people"),
        count("graduated", "Graduated", 3, 10, "people"),
    ]
    svg = parse(charts.funnel(steps))
    assert svg.get("viewBox").startswith("0 0 400 ")
    assert svg.get("width") == "100%"
    assert svg.get("role") == "img"
    assert svg.find("svg:title", NS).text == "Funnel: from application to graduation"
    desc = svg.find("svg:desc", NS).text
    assert "Applicants: 40" in desc and "Graduated: <5" in desc
    assert svg.get("aria-labelledby") == "chart-funnel-title chart-funnel-desc"
    # Bars against the largest; the group of 3 gets no bar, and its label says <5.
    assert bars(svg, charts.COLOURS[0]) == [400, 200, 100]
    assert "<5" in texts(svg)
    assert "style" not in str(charts.funnel(steps))


def test_text_is_escaped():
    rows = [('<script>alert("x")</script> & co', [rate("r", "R", 1, 10, "people")])]
    markup = str(charts.cohort_outcomes(rows, ["Rate <b>"]))
    assert "<script>" not in markup and "<b>" not in markup
    svg = parse(markup)
    assert '<script>alert("x")</script> & co' in texts(svg)
    assert "Rate <b>" in texts(svg)


def test_cohort_chart_labels_withheld_empty_and_missing_values():
    shown = rate("completion_rate", "Completion", 8, 10, "people")
    withheld = rate("completion_rate", "Completion", 3, 3, "people")
    empty = rate("completion_rate", "Completion", 0, 0, "people")
    missing = unavailable("overcame_12m", "Overcame", Kind.RATE)
    rows = [("Cohort 1", [shown, missing]), ("Cohort 2", [withheld, empty])]
    svg = parse(charts.cohort_outcomes(rows, ["Completion", "Overcame"]))
    labels = texts(svg)
    assert "80%" in labels
    assert "withheld (fewer than 5 people)" in labels
    assert "no data yet" in labels
    assert "not available" in labels
    # Only the one value that can be shown has a bar: 80% of the width.
    assert bars(svg, charts.COLOURS[0]) == [320]
    assert bars(svg, charts.COLOURS[1]) == []
    desc = svg.find("svg:desc", NS).text
    assert "Cohort 1: Completion 80%, Overcame not available" in desc


def test_cohort_charts_without_cohorts_say_so():
    for chart in (charts.cohort_outcomes, charts.cohort_outcomes_compact):
        svg = parse(chart([], ["Completion"]))
        assert "No cohort outcomes to show yet." in texts(svg)


def test_print_chart_has_one_line_per_cohort_with_its_values():
    rows = [
        ("Cohort 1", [rate("c", "C", 8, 10, "people"), rate("o", "O", 1, 2, "people")]),
        ("Cohort 2", [rate("c", "C", 5, 5, "people"), rate("o", "O", 0, 0, "people")]),
    ]
    svg = parse(charts.cohort_outcomes_compact(rows, ["Completion", "Overcame"]))
    assert svg.get("viewBox").startswith("0 0 640 ")
    labels = texts(svg)
    assert labels.count("Cohort 1") == labels.count("Cohort 2") == 1
    assert "80%" in labels and "100%" in labels and "—" in labels
    assert "Cohort 1: Completion 80%, Overcame withheld (fewer than 5 people)" in (
        svg.find("svg:desc", NS).text
    )


def test_salary_chart_before_and_after():
    before = money("median_intake", "Median intake salary", 30000, 8, "placed graduates")
    after = money("median_placement", "Median salary at placement", 60000, 9, "placed graduates")
    svg = parse(charts.salary(before, after))
    labels = texts(svg)
    assert "$30,000" in labels and "$60,000" in labels
    assert "Based on 9 placed graduates" in labels
    assert bars(svg, charts.COLOURS[3]) == [200]
    assert bars(svg, charts.COLOURS[2]) == [400]
    withheld = money("median_placement", "Median salary at placement", 60000, 2, "people")
    svg = parse(charts.salary(before, withheld))
    assert bars(svg, charts.COLOURS[2]) == []
    assert "withheld (fewer than 5 people)" in texts(svg)
