import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_staff_open_the_outcomes_dashboard(page, live_server, sign_in, screenshot):
    sign_in(page, "staff@coop.example")
    page.get_by_role("link", name="Outcomes").click()
    expect(page).to_have_url(re.compile(r"/reports/outcomes$"))
    expect(page.get_by_role("heading", name="Outcomes", level=1)).to_be_visible()
    for name in ("Funnel", "Outcomes", "Engagement", "The network", "Cohort by cohort"):
        expect(page.get_by_role("heading", name=name, exact=True, level=2)).to_be_visible()
    applicants = page.locator('tr[data-figure="applicants"] td')
    expect(applicants).to_have_text(re.compile(r"^\s*(\d[\d,]*|<5)\s*$"))
    expect(page.get_by_role("img", name="Funnel: from application to graduation")).to_be_visible()
    expect(page.get_by_role("img", name="Median salary before and after")).to_be_visible()
    expect(page.get_by_role("img", name="Outcomes by cohort, oldest first")).to_be_visible()
    screenshot(page, "reports-dashboard")

    # Filter by a city: the page says so and keeps the filter in the export links.
    page.get_by_label("City").select_option(label="New York")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_text("(filtered)")).to_be_visible()
    expect(page.get_by_role("link", name="CSV of funnel")).to_have_attribute(
        "href", re.compile(r"funnel\.csv\?city=\d+")
    )

    # Sorting the comparison needs no JavaScript: a link per column heading.
    page.get_by_role("link", name="Applied").click()
    expect(page.locator('th[aria-sort="descending"]')).to_have_text(re.compile("Applied"))


def test_dashboard_reads_on_a_phone_and_prints_on_one_page(page, live_server, sign_in, screenshot):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "staff@coop.example")
    page.goto("/reports/outcomes")
    expect(page.get_by_role("heading", name="Funnel", exact=True)).to_be_visible()
    # Nothing wider than the screen but the scrollable comparison table.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    screenshot(page, "reports-dashboard-phone")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.emulate_media(media="print")
    expect(page.locator("form.filters")).to_be_hidden()
    pdf = page.pdf(format="A4", print_background=False)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == 1, f"the printed report has {pages} pages"


def test_city_staff_see_their_city_only(page, live_server, sign_in):
    sign_in(page, "nyc.staff@coop.example")
    page.goto("/reports/outcomes")
    expect(page.get_by_text("Your cities: New York")).to_be_visible()
    options = page.get_by_label("City").locator("option").all_inner_texts()
    assert options == ["All cities", "New York"]
    rows = page.locator("table.cohort-table tbody th").all_inner_texts()
    assert rows and all("New York" in r for r in rows)
