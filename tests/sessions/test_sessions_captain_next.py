"""The captain's home shows their next session, as the participant's page does: the Join
button, their own zone and the city's."""

from coop.core.timezones import format_local
from coop.extensions import db
from coop.sessions.models import SessionStatus


def test_captain_home_shows_the_next_session_in_both_zones(client, login_as, build, factory):
    cohort = build.cohort("America/Los_Angeles", video_link="https://meet.example.org/room")
    people = build.participants(cohort, 2)
    captain, _ = build.captain(cohort, pod=people)
    captain.timezone = "America/New_York"
    build.session(cohort, hours_from_now=-30, title="Held yesterday")
    build.session(cohort, hours_from_now=2, title="Cancelled one", status=SessionStatus.CANCELLED)
    upcoming = build.session(cohort, hours_from_now=5, title="Interview practice")
    build.session(cohort, hours_from_now=48, title="Later one")
    city = cohort.city.name
    db.session.commit()

    login_as(captain)
    html = client.get("/coaching/").get_data(as_text=True)

    assert 'id="next-session"' in html
    assert "Interview practice" in html
    for other in ("Held yesterday", "Cancelled one", "Later one"):
        assert other not in html
    assert f"{format_local(upcoming.starts_at, 'America/New_York')}" in html
    assert "(your time)" in html
    assert f"{format_local(upcoming.starts_at, 'America/Los_Angeles')} in {city}" in html
    assert f"/sessions/{upcoming.id}/roll-call" in html  # the title leads to its roll call
    # Five hours away: the Join button waits (it opens 15 minutes before).
    assert "The join link opens 15 minutes before the start." in html


def test_the_join_button_opens_during_the_session(client, login_as, build):
    cohort = build.cohort(video_link="https://meet.example.org/room")
    captain, _ = build.captain(cohort, pod=build.participants(cohort, 1))
    build.session(cohort, starts_at=None, hours_from_now=0)
    db.session.commit()
    login_as(captain)
    html = client.get("/coaching/").get_data(as_text=True)
    assert "Happening now" in html
    assert 'href="https://meet.example.org/room"' in html
    assert "Join the session" in html


def test_no_card_without_a_session_to_come(client, login_as, build):
    cohort = build.cohort()
    captain, _ = build.captain(cohort, pod=build.participants(cohort, 1))
    build.session(cohort, hours_from_now=-48)
    db.session.commit()
    login_as(captain)
    assert 'id="next-session"' not in client.get("/coaching/").get_data(as_text=True)


def test_another_cohorts_session_is_not_shown(client, login_as, build, factory):
    mine = build.cohort()
    other = build.cohort()
    captain, _ = build.captain(mine, pod=build.participants(mine, 1))
    build.session(other, hours_from_now=3, title="Not your cohort")
    db.session.commit()
    login_as(captain)
    html = client.get("/coaching/").get_data(as_text=True)
    assert "Not your cohort" not in html
