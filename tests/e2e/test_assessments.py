"""Assessments and pulse checks in a real browser, on a phone: a participant answers an
intake assessment and a pulse check asking for help; their captain sees the request on
their home page and resolves it; staff coverage no longer lists it."""

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from coop.assessments import services
from coop.assessments.models import Point
from coop.auth.models import User
from coop.core import clock
from coop.enrollment.models import Enrollment, Stage
from coop.extensions import db
from coop.programs.models import City, Cohort, CohortStatus, Track

pytestmark = pytest.mark.e2e


def schedule_an_intake_now(app):
    """A "Welcome survey" given at intake in the current week of Pat's cohort."""
    with app.app_context():
        pat = db.session.scalar(sa.select(User).where(User.email == "participant@coop.example"))
        cohort = db.session.scalar(
            sa.select(Cohort)
            .join(Enrollment, Enrollment.cohort_id == Cohort.id)
            .where(
                Enrollment.user_id == pat.id,
                Enrollment.stage == Stage.ENROLLED,
                Cohort.status == CohortStatus.ACTIVE,
            )
        )
        staff = db.session.scalar(sa.select(User).where(User.email == "staff@coop.example"))
        track = db.session.get(Track, cohort.track_id)
        zone = db.session.get(City, cohort.city_id).timezone
        template = services.create_template(
            track,
            "Welcome survey",
            "Tell us where you start from.",
            "scale: How confident are you about finding a job in the field?\n"
            "yesno: Do you have a laptop you can use every day?\n"
            "number: Hours a week you can study\n"
            "choice: How did you hear about us? | A friend | Social media | A partner\n"
            "text: Anything we should know?",
            staff,
        )
        week = (clock.today_in(zone) - cohort.start_date).days // 7 + 1
        services.schedule(cohort, template, Point.INTAKE, max(week, 1), staff)
        db.session.commit()


def test_participant_asks_for_help_and_the_captain_resolves_it(
    page, live_server, live_app, sign_in, screenshot
):
    schedule_an_intake_now(live_app)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "participant@coop.example")
    panel = page.locator("section", has_text="Assessments and pulse checks")
    panel.get_by_role("link", name="Answer Welcome survey").click()
    expect(page.get_by_role("heading", name="Welcome survey")).to_be_visible()
    screenshot(page, "assessments-answer-phone")
    # Sending with nothing chosen says what is missing
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_text("Please correct the fields marked below.")).to_be_visible()
    confidence = page.get_by_role(
        "group", name="How confident are you about finding a job in the field?"
    )
    confidence.get_by_text("2", exact=True).click()
    page.get_by_role("group", name="Do you have a laptop").get_by_text("No").click()
    page.get_by_label("Hours a week you can study").fill("10")
    page.get_by_role("group", name="How did you hear about us?").get_by_text("A friend").click()
    page.get_by_label("Anything we should know?").fill("I work evenings on Fridays.")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_text("your answers to “Welcome survey” are saved")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0

    panel = page.locator("section", has_text="Assessments and pulse checks")
    expect(panel.get_by_text("Answered").first).to_be_visible()
    panel.get_by_role("link", name="Answer the pulse check").click()
    page.get_by_role("group", name="How confident do you feel").get_by_text("2", exact=True).click()
    page.get_by_role("group", name="How heavy does the workload").get_by_text(
        "5", exact=True
    ).click()
    page.get_by_role("group", name="I could use help with something").get_by_text("Yes").click()
    page.get_by_label("What could you use help with?").fill("Borrowing a laptop for class")
    screenshot(page, "assessments-pulse-phone")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_text("Your captain will be in touch about it.")).to_be_visible()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "captain@coop.example")
    requests = page.locator("section", has_text="Pulse checks: asking for help")
    request = requests.locator("li", has_text="Borrowing a laptop for class")
    expect(request.get_by_text("Pat Participant")).to_be_visible()
    expect(request.get_by_text("needs help")).to_be_visible()
    screenshot(page, "assessments-captain-home")
    request.get_by_label("How it was resolved").fill("Lent my old laptop.")
    request.get_by_role("button", name="Resolve").click()
    expect(page.get_by_text("Resolved Pat Participant's request for help.")).to_be_visible()
    expect(page.get_by_text("Borrowing a laptop for class")).to_have_count(0)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "staff@coop.example")
    page.goto("/coaching/coverage")
    expect(page.get_by_role("heading", name="Pulse checks asking for help")).to_be_visible()
    expect(page.get_by_text("Borrowing a laptop for class")).to_have_count(0)
