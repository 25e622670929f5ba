"""A captain refers a participant to an opening; the participant marks it interviewing;
staff move it to hired and record a career-track placement; the participant sees it."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

OPENING = "Associate Data Analyst"


def test_referral_from_opening_to_career_track_job(page, live_server, sign_in, screenshot):
    # The captain finds the opening on the board and refers Pat from their pod.
    sign_in(page, "captain@coop.example")
    # Captains' menu is grouped: "Openings" sits under Jobs.
    page.get_by_role("button", name="Jobs").click()
    page.get_by_role("link", name="Openings", exact=True).click()
    expect(page.get_by_role("heading", name="Openings")).to_be_visible()
    card = page.locator("article", has_text=OPENING)
    card.get_by_role("link", name=f"Refer someone to {OPENING}").click()
    expect(page.get_by_role("heading", name="Refer a participant")).to_be_visible()
    # Search, then pick from the matches (radio buttons: no script needed).
    page.get_by_label("Find a participant by name or email").fill("Pat")
    page.get_by_role("button", name="Search").click()
    page.get_by_label(re.compile("Pat Participant")).check()
    chosen = page.get_by_label("Opening", exact=True).locator("option:checked")
    expect(chosen).to_have_text(re.compile(OPENING))
    page.get_by_label("Note").fill("Sharp with SQL; ask her about the cohort dashboard project.")
    page.get_by_role("button", name="Refer").click()
    expect(page.get_by_text("Pat Participant is referred.")).to_be_visible()
    expect(page.locator("#current-stage")).to_have_text("referred")
    page.get_by_role("button", name="Sign out").click()

    # Pat sees it on their page and says they are interviewing.
    sign_in(page, "participant@coop.example")
    page.get_by_role("button", name="Jobs").click()  # the participant's menu is grouped too
    page.get_by_role("link", name="My referrals & jobs").click()
    page.get_by_role("link", name=re.compile(OPENING)).click()
    expect(page.get_by_text("Sharp with SQL")).to_be_visible()
    page.get_by_label("New stage").select_option(label="interviewing")
    page.get_by_role("button", name="Update stage").click()
    expect(page.get_by_text("The referral is now at “interviewing”.")).to_be_visible()
    expect(page.locator("#current-stage")).to_have_text("interviewing")
    screenshot(page, "referrals-participant-interviewing")
    page.get_by_role("button", name="Sign out").click()

    # Staff record the hire and the job.
    sign_in(page, "staff@coop.example")
    page.get_by_role("button", name="Jobs").or_(page.get_by_role("link", name="Jobs")).click()
    page.get_by_role("link", name="Referrals", exact=True).click()
    row = page.get_by_role("row").filter(has_text=OPENING).filter(has_text="Pat Participant")
    row.get_by_role("link", name="Pat Participant").click()
    expect(page.get_by_role("heading", name=re.compile("Pat Participant"))).to_be_visible()
    page.get_by_label("New stage").select_option(label="hired")
    page.get_by_label("Note (optional)").fill("Offer accepted; starts Monday.")
    page.get_by_role("button", name="Update stage").click()
    expect(page.get_by_text("Record the job they got below.")).to_be_visible()
    expect(page.get_by_label("Job title")).to_have_value(OPENING)
    page.get_by_label("Start date").fill("2026-12-07")
    page.get_by_label("Annual salary (US$)").fill("68000")
    page.get_by_label("Career-track: needs a degree and pays a commensurate salary").check()
    page.get_by_role("button", name="Save job").click()
    expect(page.get_by_text("The job is recorded.")).to_be_visible()
    expect(page.locator("#current-stage")).to_have_text("hired")
    expect(page.get_by_text("$68,000 a year")).to_be_visible()
    screenshot(page, "referrals-staff-hired")
    page.get_by_role("button", name="Sign out").click()

    # Pat's page shows the job, with the salary only they (and staff) see.
    sign_in(page, "participant@coop.example")
    page.get_by_role("button", name="Jobs").click()  # the participant's menu is grouped too
    page.get_by_role("link", name="My referrals & jobs").click()
    jobs = page.locator("section", has=page.get_by_role("heading", name="My jobs"))
    job = jobs.locator("article").filter(has_text=OPENING)
    expect(job).to_contain_text("Northwind Analytics")
    expect(job).to_contain_text("$68,000")
    expect(job).to_contain_text("career-track")
    expect(job).to_contain_text("verified")
    screenshot(page, "referrals-participant-jobs")
    page.get_by_role("button", name="Sign out").click()

    # The captain sees the stage, never the salary.
    sign_in(page, "captain@coop.example")
    page.get_by_role("button", name="Jobs").click()
    page.get_by_role("link", name="Referrals", exact=True).click()
    row = page.get_by_role("row").filter(has_text=OPENING).filter(has_text="Pat Participant")
    expect(row).to_contain_text("hired")
    row.get_by_role("link", name="Pat Participant").click()
    expect(page.locator("#current-stage")).to_have_text("hired")
    expect(page.get_by_text("68,000")).to_have_count(0)


def test_opportunities_board_fits_a_phone(page, live_server, sign_in, screenshot):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "participant@coop.example")
    page.goto("/openings")
    expect(page.get_by_role("heading", name="Opportunities")).to_be_visible()
    expect(page.locator("article", has_text=OPENING)).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    screenshot(page, "referrals-board-phone")
