"""Browser: a participant in another zone sees the next session in both zones; a captain
takes roll call."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from coop.auth.models import User
from coop.core.timezones import format_local
from coop.db import utcnow
from coop.extensions import db
from coop.portal.queries import member_cohorts
from coop.portal.views import next_session
from coop.sessions.models import Attendance, AttendanceStatus
from coop.sessions.queries import cohort_sessions

pytestmark = pytest.mark.e2e


def test_participant_sees_next_session_in_both_zones(page, live_app, sign_in, screenshot):
    with live_app.app_context():
        pat = db.session.scalar(sa.select(User).where(User.email == "participant@coop.example"))
        cohort = member_cohorts(pat.id)[0]
        cohort_zone, own_zone = cohort.city.timezone, pat.timezone
        upcoming = next_session(cohort_sessions(cohort.id), utcnow())
        title = upcoming.title
        here = format_local(upcoming.starts_at, own_zone)
        there = format_local(upcoming.starts_at, cohort_zone)
        city = cohort.city.name
    assert own_zone and own_zone != cohort_zone

    sign_in(page, "participant@coop.example")
    expect(page).to_have_url(re.compile(r"/my-cohort$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(cohort.name)
    card = page.locator("#next-session")
    expect(card.get_by_role("link", name=title)).to_be_visible()
    expect(card.get_by_text(f"{here} (your time)")).to_be_visible()
    expect(card.get_by_text(f"{there} in {city}")).to_be_visible()
    expect(card.get_by_role("button", name="Join the session")).to_be_disabled()
    # The cancelled session shows as cancelled in the schedule.
    expect(page.get_by_role("table").get_by_text("cancelled")).to_have_count(1)
    screenshot(page, "sessions-participant-my-cohort")

    page.set_viewport_size({"width": 390, "height": 844})
    expect(card).to_be_visible()
    screenshot(page, "sessions-participant-my-cohort-phone")


def test_captain_takes_roll_call(page, live_app, sign_in, screenshot):
    sign_in(page, "captain@coop.example")
    page.get_by_role("link", name="Roll call", exact=True).first.click()
    expect(page.get_by_role("heading", name="Roll call", level=1)).to_be_visible()
    screenshot(page, "sessions-captain-list")
    page.get_by_role("link", name=re.compile(r"^Take roll call")).last.click()
    expect(page.get_by_role("heading", name=re.compile(r"^Roll call:"))).to_be_visible()

    groups = page.locator("fieldset")
    names = [n.strip() for n in groups.locator("legend").all_inner_texts()]
    assert names, "the demo captain has a pod"
    for i, name in enumerate(names):
        group = page.get_by_role("group", name=name)
        group.get_by_text("Late" if i == 0 else "Present", exact=True).click()
    screenshot(page, "sessions-captain-roll-call")
    page.get_by_role("button", name="Save roll call").click()
    expect(page.get_by_text(re.compile(r"Roll call saved"))).to_be_visible()
    expect(page.get_by_role("group", name=names[0]).get_by_label("Late")).to_be_checked()

    session_id = int(re.search(r"/sessions/(\d+)/roll-call", page.url).group(1))
    with live_app.app_context():
        rows = dict(
            db.session.execute(
                sa.select(User.name, Attendance.status)
                .join(User, User.id == Attendance.participant_id)
                .where(Attendance.session_id == session_id)
            ).all()
        )
        db.session.remove()
    assert rows[names[0]] == AttendanceStatus.LATE
    assert all(rows[n] == AttendanceStatus.PRESENT for n in names[1:])
