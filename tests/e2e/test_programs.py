"""Staff launch a cohort in the browser: list, filter, create, move it along, archive."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_staff_launch_and_run_a_cohort(page, live_server, sign_in, screenshot):
    sign_in(page, "staff@coop.example")
    expect(page).to_have_url(re.compile(r"/cohorts$"))
    expect(page.get_by_role("heading", name="Cohorts")).to_be_visible()
    screenshot(page, "programs-cohorts")

    # Filter the list to recruiting cohorts in Chicago.
    page.get_by_label("City").select_option(label="Chicago")
    page.get_by_label("Status").select_option(label="Recruiting")
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Chicago")
    expect(rows.first).to_contain_text("recruiting")

    # Launch a cohort; a mistake first is shown on its field and nothing is saved.
    page.get_by_role("link", name="New cohort").click()
    page.get_by_label("Name").fill("Data Analytics · Pilot")
    page.get_by_label("City", exact=True).select_option(label="San Francisco (America/Los_Angeles)")
    page.get_by_label("Track").select_option(label="Data Analytics")
    page.get_by_label("Start date").fill("2030-03-04")
    page.get_by_label("End date").fill("2030-03-01")
    page.get_by_label("Capacity").fill("18")
    page.get_by_label("Tue").check()
    page.get_by_label("Thu").check()
    page.get_by_label("Meeting time").fill("18:30")
    page.get_by_label("Default video link").fill("https://meet.example.org/sf-pilot")
    page.get_by_role("button", name="Create cohort").click()
    expect(page.get_by_text("The end date must be after the start date.")).to_be_visible()
    expect(page.get_by_text("(America/Los_Angeles).")).to_be_visible()
    screenshot(page, "programs-cohort-form")
    page.get_by_label("End date").fill("2030-06-21")
    page.get_by_role("button", name="Create cohort").click()

    expect(page.get_by_role("heading", name="Data Analytics · Pilot")).to_be_visible()
    expect(page.get_by_text("is created (status: planned)")).to_be_visible()
    expect(page.get_by_text("Tue, Thu at 18:30")).to_be_visible()
    expect(page.get_by_role("link", name="Overview")).to_have_attribute("aria-current", "page")
    screenshot(page, "programs-cohort-detail")

    # Move it along: recruiting, then cancel (which asks first).
    page.get_by_role("button", name="Start recruiting").click()
    expect(page.get_by_text("is now recruiting")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Cancel cohort").click()
    expect(page.get_by_role("button", name="Start the cohort")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Cancel cohort").click()
    expect(page.get_by_text("is now cancelled")).to_be_visible()

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Archive").click()
    expect(page.get_by_text("is archived")).to_be_visible()
    history = page.locator("table", has_text="When")
    for action in ("Created", "Started recruiting", "Cancelled", "Archived"):
        # The changed fields follow the action in the same cell.
        expect(history.get_by_role("cell", name=re.compile(rf"^{action}\b"))).to_be_visible()
    expect(history).to_contain_text("Sam Staff")


def test_city_staff_see_only_their_city(page, live_server, sign_in):
    sign_in(page, "nyc.staff@coop.example")
    expect(page.get_by_role("heading", name="Cohorts")).to_be_visible()
    cities = page.locator("tbody tr td:nth-child(2)")
    expect(cities.first).to_have_text("New York")
    assert set(cities.all_inner_texts()) == {"New York"}
    page.get_by_role("button", name="Program").click()
    page.get_by_role("link", name="Cities", exact=True).click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.get_by_role("link", name="New city")).to_have_count(0)


def test_cohort_list_on_a_phone(page, live_server, sign_in, screenshot):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "staff@coop.example")
    expect(page.get_by_role("heading", name="Cohorts")).to_be_visible()
    # The table scrolls inside its box rather than widening the page.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    screenshot(page, "programs-cohorts-phone")
