"""The talent exchange: a partner contact signs in and searches, shortlists two people
and asks one of them for an introduction for their opening; the participant accepts on
their cohort page; staff see the referral, and the partner now sees the email."""

import re

import pytest
from playwright.sync_api import expect

from coop.demo.talent import DEMO_OPENING

pytestmark = pytest.mark.e2e

PAT = "Pat Participant"


def _search(page, words):
    page.get_by_label("Skills, roles or words").fill(words)
    page.get_by_role("button", name="Search").click()


def test_partner_finds_people_and_the_participant_accepts(page, live_server, sign_in, screenshot):
    # 1. The partner contact signs in on their organisation's page and searches.
    sign_in(page, "partner@coop.example")
    expect(page.get_by_role("heading", name="Brightline Media")).to_be_visible()
    page.get_by_role("link", name="Find talent").first.click()
    expect(page.get_by_role("heading", name="Find talent")).to_be_visible()
    _search(page, "analyst")
    expect(page.get_by_text(re.compile(r"\d+ profiles?, most relevant first"))).to_be_visible()
    screenshot(page, "talent-partner-search")

    # 2. Two people onto the shortlist: the first "analyst", then Pat.
    first = page.locator("article").first
    other_name = first.get_by_role("heading").inner_text()
    first.get_by_role("button", name=re.compile("Add to shortlist")).click()
    expect(page.get_by_text(f"{other_name} is on your shortlist.")).to_be_visible()
    _search(page, "messy spreadsheets")
    page.get_by_role("button", name=re.compile(f"Add to shortlist.*{PAT}")).click()
    expect(page.get_by_text(f"{PAT} is on your shortlist.")).to_be_visible()
    page.get_by_role("link", name="Shortlist", exact=True).click()
    expect(page.get_by_role("link", name=PAT)).to_be_visible()
    expect(page.get_by_role("link", name=other_name).first).to_be_visible()

    # ... and an introduction to Pat for the opening.
    page.get_by_role("link", name=PAT).click()
    expect(page.get_by_role("heading", name=PAT)).to_be_visible()
    expect(page.get_by_text("participant@coop.example")).to_have_count(0)
    screenshot(page, "talent-partner-profile")
    page.get_by_role("link", name="Request an introduction").click()
    page.get_by_label("For one of your openings (optional)").select_option(label=DEMO_OPENING)
    page.get_by_label("Message to the person (optional)").fill(
        "Your dashboard work caught our eye."
    )
    page.get_by_role("button", name="Request an introduction").click()
    expect(page.get_by_text(f"{PAT} is asked")).to_be_visible()
    expect(page.locator(".intro-status")).to_have_text("waiting for an answer")
    page.get_by_role("button", name="Sign out").click()

    # 3. Pat accepts on their cohort page.
    sign_in(page, "participant@coop.example")
    panel = page.locator(
        "section", has=page.get_by_role("heading", name="Employers and your career profile")
    )
    expect(panel.get_by_text("Your dashboard work caught our eye.")).to_be_visible()
    screenshot(page, "talent-participant-cohort-panel")
    panel.get_by_role("button", name="Accept the introduction to Brightline Media").click()
    expect(page.get_by_text("You accepted: Brightline Media sees your email")).to_be_visible()
    page.get_by_role("link", name="Career profile", exact=True).click()
    expect(page.get_by_role("heading", name="Your career profile")).to_be_visible()
    screenshot(page, "talent-participant-profile")
    page.get_by_role("button", name="Sign out").click()

    # 4. Staff see the referral in the pipeline.
    sign_in(page, "staff@coop.example")
    page.get_by_role("button", name="Jobs").or_(page.get_by_role("link", name="Jobs")).click()
    page.get_by_role("link", name="Referrals", exact=True).click()
    row = page.get_by_role("row").filter(has_text=DEMO_OPENING).filter(has_text=PAT)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("referred")
    page.goto("/talent/review")
    expect(
        page.get_by_role("row").filter(has_text="Brightline Media").filter(has_text=PAT)
    ).to_contain_text("accepted")
    page.get_by_role("button", name="Sign out").click()

    # The partner now sees Pat's email.
    sign_in(page, "partner@coop.example")
    page.get_by_role("link", name="Shortlist", exact=True).click()
    page.get_by_role("link", name=PAT).click()
    expect(page.locator("#contact-email")).to_have_text("participant@coop.example")
