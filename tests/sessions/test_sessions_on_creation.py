"""Creating a cohort offers its schedule at once: with "Generate the schedule now" ticked,
the sessions are made from the meeting days and time between the start and end dates
(the schedule generation service), so participants never see "not out yet"."""

import re
from datetime import time, timedelta

from coop.core import clock
from coop.core.models import AuditEvent
from coop.extensions import db
from coop.programs.models import Cohort
from coop.sessions.models import VirtualSession


def _data(city, track, **overrides):
    start = clock.today_in(city.timezone) + timedelta(days=30)
    data = {
        "name": "Schedule at once",
        "city_id": str(city.id),
        "track_id": str(track.id),
        "start_date": start.isoformat(),
        "end_date": (start + timedelta(days=13)).isoformat(),  # two whole weeks
        "capacity": "16",
        "meeting_days": ["tue", "thu"],
        "meeting_time": "18:30",
        "generate_schedule": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _sessions(name):
    cohort = db.session.scalar(db.select(Cohort).where(Cohort.name == name))
    return cohort, list(
        db.session.scalars(
            db.select(VirtualSession)
            .where(VirtualSession.cohort_id == cohort.id)
            .order_by(VirtualSession.starts_at)
        )
    )


def test_the_create_form_offers_the_schedule_ticked(client, login_as, factory):
    factory.city()
    login_as("staff")
    page = client.get("/cohorts/new").get_data(as_text=True)
    assert "Generate the schedule now" in page
    [box] = re.findall(r'<input[^>]*id="generate_schedule"[^>]*>', page)
    assert "checked" in box and 'type="checkbox"' in box


def test_ticked_makes_the_sessions_at_the_meeting_time(client, login_as, factory):
    city, track = factory.city(timezone="America/Los_Angeles"), factory.track()
    staff = login_as("staff")
    response = client.post("/cohorts/new", data=_data(city, track), follow_redirects=True)
    assert response.status_code == 200
    cohort, sessions = _sessions("Schedule at once")
    assert len(sessions) == 4  # two Tuesdays and two Thursdays
    assert {s.local_date.strftime("%a") for s in sessions} == {"Tue", "Thu"}
    assert all(s.local_time == time(18, 30) for s in sessions)
    assert all(cohort.start_date <= s.local_date <= cohort.end_date for s in sessions)
    assert "4 sessions added to the schedule." in response.get_data(as_text=True)
    event = db.session.scalar(
        db.select(AuditEvent).where(
            AuditEvent.action == "session.generate", AuditEvent.target_id == cohort.id
        )
    )
    assert event.actor_id == staff.id


def test_unticked_makes_none(client, login_as, factory):
    city, track = factory.city(), factory.track()
    login_as("staff")
    client.post("/cohorts/new", data=_data(city, track, generate_schedule=None))
    assert _sessions("Schedule at once")[1] == []


def test_ticked_without_meeting_days_says_so(client, login_as, factory):
    city, track = factory.city(), factory.track()
    login_as("staff")
    response = client.post(
        "/cohorts/new",
        data=_data(city, track, meeting_days=[], meeting_time=""),
        follow_redirects=True,
    )
    assert "No schedule yet: it needs meeting days and a time" in response.get_data(as_text=True)
    assert _sessions("Schedule at once")[1] == []


def test_editing_a_cohort_does_not_offer_it(client, login_as, factory):
    cohort = factory.cohort()
    login_as("staff")
    page = client.get(f"/cohorts/{cohort.id}/edit").get_data(as_text=True)
    assert "Generate the schedule now" not in page
