"""Browser: staff schedule a hiring event, a participant opts in from their cohort page,
and staff record attendance afterwards."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from coop.auth.models import User
from coop.db import utcnow
from coop.extensions import db
from coop.hiring.models import Attendance, HiringEvent, HiringRegistration
from coop.portal.queries import member_cohorts

pytestmark = pytest.mark.e2e


def test_staff_schedule_participant_opts_in_staff_record_attendance(
    page, live_app, sign_in, screenshot
):
    with live_app.app_context():
        pat = db.session.scalar(sa.select(User).where(User.email == "participant@coop.example"))
        city = member_cohorts(pat.id)[0].city
        city_name, zone = city.name, city.timezone
        day = (utcnow() + timedelta(days=9)).date().isoformat()

    sign_in(page, "staff@coop.example")
    page.goto("/hiring-events/new")
    page.get_by_label("Title", exact=True).fill("Browser test fair")
    page.get_by_label("Kind", exact=True).select_option(label="Info session")
    page.get_by_label("City", exact=True).select_option(label=city_name)
    page.get_by_label("Date", exact=True).fill(day)
    page.get_by_label("Start time").fill("18:30")
    page.get_by_label("Time zone").select_option(zone)
    page.get_by_label("Online link").fill("https://meet.example.org/browser-fair")
    page.get_by_label("Capacity", exact=True).fill("20")
    page.get_by_role("button", name="Save event").click()
    expect(page.get_by_role("heading", name="Browser test fair", level=1)).to_be_visible()
    screenshot(page, "hiring-staff-event")
    page.context.clear_cookies()

    sign_in(page, "participant@coop.example")
    expect(page).to_have_url(re.compile(r"/my-cohort$"))
    panel = page.locator("section", has=page.get_by_role("heading", name="Upcoming hiring events"))
    expect(panel.get_by_text("Browser test fair", exact=True)).to_be_visible()
    panel.get_by_role("button", name="Opt in to Browser test fair").click()
    expect(page.get_by_text("You are registered for Browser test fair.")).to_be_visible()
    screenshot(page, "hiring-participant-cohort-page")
    page.context.clear_cookies()

    # The event takes place: move its start into the past.
    with live_app.app_context():
        event = db.session.scalar(
            sa.select(HiringEvent).where(HiringEvent.title == "Browser test fair")
        )
        event.starts_at = utcnow() - timedelta(hours=3)
        db.session.commit()
        event_id = event.id

    sign_in(page, "staff@coop.example")
    page.goto(f"/hiring-events/{event_id}")
    page.get_by_label("Pat Participant").select_option(label="Attended")
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_text("Attendance saved (1 changed).")).to_be_visible()
    with live_app.app_context():
        status = db.session.scalar(
            sa.select(HiringRegistration.attendance).where(HiringRegistration.event_id == event_id)
        )
    assert status == Attendance.ATTENDED
