"""Browser: someone applies on the public page, staff accept them, the invitation link
sets a password, and the new participant signs in and sees their cohort."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from coop.extensions import db
from coop.programs.models import City, Cohort, CohortStatus

pytestmark = pytest.mark.e2e

NAME = "Yasmin Fofana"
EMAIL = "yasmin.fofana@example.org"
PASSWORD = "a long and unguessable phrase"


def _cohort(live_app, city):
    with live_app.app_context():
        cohort = db.session.scalar(
            sa.select(Cohort)
            .join(City)
            .where(City.name == city, Cohort.status == CohortStatus.RECRUITING)
        )
        result = cohort.id, cohort.name, cohort.seats_taken
        db.session.remove()
        return result


def test_apply_accept_invite_sign_in(page, live_app, sign_in, outbox, screenshot):
    cohort_id, cohort_name, seats_before = _cohort(live_app, "Los Angeles")

    # 1. Someone applies on the public page.
    page.goto("/apply")
    expect(page.get_by_role("heading", name="Apply to a coop cohort")).to_be_visible()
    page.get_by_role("link", name="Apply to Digital Marketing in Los Angeles").click()
    expect(page).to_have_url(re.compile(rf"/apply/{cohort_id}$"))
    page.get_by_label("Full name").fill(NAME)
    page.get_by_label("Email", exact=True).fill(EMAIL)
    page.get_by_label("College").fill("Cal State LA")
    page.get_by_label("Graduation year").fill("2024")
    page.get_by_role("group", name="first-generation").get_by_label("Yes").check()
    page.get_by_role("group", name="low-income").get_by_label("Yes").check()
    page.get_by_label("Current job title").fill("Retail associate")
    page.get_by_label("Annual salary").select_option(label="$25,000 – $34,999")
    page.get_by_label("Somewhere else").check()
    page.get_by_label("I have read and agree to the privacy notice.").check()
    screenshot(page, "enrollment-apply")
    page.get_by_role("button", name="Send my application").click()
    expect(page.get_by_role("heading", name="Thank you for applying")).to_be_visible()

    # 2. Staff accept them from the review queue.
    sign_in(page, "staff@coop.example")
    page.goto(f"/cohorts/{cohort_id}/applications")
    page.get_by_label(f"Select {NAME}").check()
    page.get_by_label("Decision").select_option("accept")
    page.get_by_role("button", name="Apply to selected").click()
    expect(page.get_by_text(f"Enrolled and emailed: {NAME}.")).to_be_visible()
    expect(page.get_by_text(f"{seats_before + 1} of 16 seats taken")).to_be_visible()
    screenshot(page, "enrollment-review")
    page.get_by_role("button", name="Sign out").click()

    # 3. The invitation link sets a password and signs them in.
    [invitation] = [m for m in outbox if m.to == [EMAIL] and "enrolled" in m.subject]
    link = re.search(r"https?://\S+/invite/\S+", invitation.body).group(0)
    page.goto(link)
    page.get_by_label("New password").fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_text(cohort_name).first).to_be_visible()

    # 4. Later they sign in with it and see their cohort.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, EMAIL, password=PASSWORD)
    expect(page.get_by_text(cohort_name).first).to_be_visible()
    screenshot(page, "enrollment-participant-home")
