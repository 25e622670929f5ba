"""The captain sees Pat at risk (overdue plan steps), ticks a plan step while logging a
check-in, and staff open the WIOA report. (The assessment and pulse steps of the issue's
browser test belong to the assessments package.)"""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_captain_ticks_a_plan_step_during_a_check_in(page, live_server, sign_in, screenshot):
    sign_in(page, "captain@coop.example")
    # Captains' menu is grouped: "At risk" sits under Coaching.
    page.get_by_role("button", name="Coaching").click()
    page.get_by_role("link", name="At risk", exact=True).click()
    expect(page.get_by_role("heading", name="Participants at risk now")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Pat Participant")
    expect(row.get_by_text("Overdue plan steps")).to_be_visible()
    screenshot(page, "plans-at-risk-captain")

    row.get_by_role("link", name="Pat Participant").click()
    expect(page.get_by_role("heading", name="Check-in with Pat Participant")).to_be_visible()
    steps = page.get_by_role("group", name="Career plan: open steps")
    first = steps.get_by_role("checkbox").first
    label = page.locator(f"label[for='{first.get_attribute('id')}']").inner_text()
    title = re.sub(r"^Done: ", "", label)
    first.check()
    steps.get_by_label(f"Comment on {title}").first.fill("Done together on the call")
    page.get_by_label("Minutes").fill("30")
    page.get_by_label("Notes").fill("Reviewed the career plan.")
    screenshot(page, "plans-check-in-review")
    page.get_by_role("button", name="Save check-in").click()
    expect(page.get_by_text("Check-in with Pat Participant saved.")).to_be_visible()

    # The step is no longer open: the next check-in does not offer it.
    page.get_by_role("link", name="Log check-in", exact=False).first.click()
    expect(page.get_by_role("group", name="Career plan: open steps")).to_be_visible()
    expect(page.get_by_label(f"Done: {title}", exact=True)).to_have_count(0)
    page.get_by_role("link", name="Open the plan").click()
    step = page.get_by_role("row").filter(has_text=title)
    expect(step).to_contain_text("Done")
    expect(step).to_contain_text("Done together on the call")
    page.get_by_role("button", name="Sign out").click()


def test_staff_open_the_wioa_report(page, live_server, sign_in, screenshot):
    sign_in(page, "staff@coop.example")
    page.get_by_role("link", name="WIOA indicators").click()
    expect(page.get_by_role("heading", name="WIOA primary indicators", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="What each figure means")).to_be_visible()
    table = page.get_by_role("table", name="WIOA indicators, all cohorts")
    expect(table.get_by_role("rowheader", name="All cohorts")).to_be_visible()
    expect(table).to_contain_text("based on")
    screenshot(page, "plans-wioa-report")
