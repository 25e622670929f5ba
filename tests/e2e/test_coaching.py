"""A captain logs a flagged check-in from their pod; staff resolve it from the coverage
queue."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

NOTE = "Shift moved to evenings; may miss the Thursday sessions."


def test_captain_flags_a_check_in_and_staff_resolve_it(page, live_server, sign_in, screenshot):
    sign_in(page, "captain@coop.example")
    expect(page.get_by_role("heading", name="My pods")).to_be_visible()
    pod = page.get_by_role("table")
    expect(pod.get_by_role("link", name="Pat Participant", exact=True)).to_be_visible()
    screenshot(page, "coaching-captain-home")

    page.get_by_role("link", name="Log check-in with Pat Participant").click()
    expect(page.get_by_role("heading", name="Check-in with Pat Participant")).to_be_visible()
    page.get_by_label("Channel").select_option(label="Phone")
    page.get_by_label("Minutes").fill("35")
    page.get_by_label("Resume").check()
    page.get_by_label("Wellbeing").check()
    page.get_by_label("Notes").fill(NOTE)
    page.get_by_label("Next steps").fill("Ask staff about the recorded sessions.")
    page.get_by_label("Needs staff attention").check()
    page.get_by_role("button", name="Save check-in").click()

    expect(page.get_by_text("Check-in with Pat Participant saved.")).to_be_visible()
    latest = page.locator("article", has_text=NOTE)
    expect(latest.get_by_text("Needs staff attention")).to_be_visible()
    expect(latest.get_by_text("Phone · 35 min")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "nyc.staff@coop.example")
    coaching_menu = page.get_by_role("button", name="Coaching")
    if coaching_menu.count():  # many staff links are grouped into menus by domain
        coaching_menu.click()
    page.get_by_role("link", name="Coverage", exact=True).click()
    expect(page.get_by_role("heading", name="Check-in coverage")).to_be_visible()
    item = page.locator(".list-group-item", has_text=NOTE)
    expect(item.get_by_role("link", name="Pat Participant", exact=True)).to_be_visible()
    screenshot(page, "coaching-staff-coverage")
    item.get_by_label("How it was resolved").fill(
        "Shared the session recordings; checked in by phone."
    )
    item.get_by_role("button", name="Resolve").click()

    expect(page).to_have_url(re.compile(r"/coaching/coverage$"))
    expect(page.get_by_text("Resolved the flag on Pat Participant's check-in.")).to_be_visible()
    expect(page.get_by_text(NOTE)).to_have_count(0)
    page.get_by_role("button", name="Sign out").click()

    # The captain sees how staff resolved it.
    sign_in(page, "captain@coop.example")
    page.get_by_role("link", name="Pat Participant", exact=True).click()
    latest = page.locator("article", has_text=NOTE)
    expect(latest.get_by_text("Resolved", exact=True)).to_be_visible()
    expect(
        latest.get_by_text("Shared the session recordings; checked in by phone.")
    ).to_be_visible()


def test_captain_home_fits_a_phone(page, live_server, sign_in, screenshot):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "captain@coop.example")
    expect(page.get_by_role("link", name="Pat Participant", exact=True)).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    screenshot(page, "coaching-captain-home-phone")
