"""iCalendar feeds: valid RFC 5545, right across DST, a secret token, regenerable."""

from datetime import UTC, datetime, timedelta

import icalendar
import pytest

from coop.extensions import db
from coop.sessions import services
from coop.sessions.models import CalendarFeed, SessionStatus


def parse(response):
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    cal = icalendar.Calendar.from_ical(response.data)
    assert cal["VERSION"] == "2.0"
    assert cal.get("PRODID")
    return cal


def events(cal):
    return {str(e["SUMMARY"]).split(" · ")[0]: e for e in cal.walk("VEVENT")}


@pytest.fixture
def chicago(build):
    """A Chicago cohort with sessions either side of both 2026 DST changes."""
    cohort = build.cohort("America/Chicago", video_link="https://meet.example.org/chi")
    build.local_session(cohort, 2026, 3, 5, title="Before spring", agenda="Resumes; LinkedIn")
    build.local_session(cohort, 2026, 3, 10, title="After spring")
    build.local_session(cohort, 2026, 10, 29, title="Before fall")
    build.local_session(
        cohort, 2026, 11, 3, title="After fall", status=SessionStatus.CANCELLED, sequence=1
    )
    return cohort


def test_cohort_feed_is_valid_and_right_across_dst(client, chicago):
    feed = services.regenerate_feed(cohort=chicago)
    db.session.commit()
    cal = parse(client.get(f"/calendar/{feed.token}.ics"))
    got = events(cal)
    assert set(got) == {"Before spring", "After spring", "Before fall", "After fall"}
    expected = {
        "Before spring": datetime(2026, 3, 6, 0, 30, tzinfo=UTC),
        "After spring": datetime(2026, 3, 10, 23, 30, tzinfo=UTC),
        "Before fall": datetime(2026, 10, 29, 23, 30, tzinfo=UTC),
        "After fall": datetime(2026, 11, 4, 0, 30, tzinfo=UTC),
    }
    for title, start in expected.items():
        event = got[title]
        dtstart = event.decoded("DTSTART")
        assert dtstart == start
        assert (dtstart.hour, dtstart.minute) == (18, 30)  # local wall-clock time
        assert event["DTSTART"].params["TZID"] == "America/Chicago"
        assert event.decoded("DTEND") - dtstart == timedelta(minutes=120)
        assert event.get("UID") and event.get("DTSTAMP")
    assert got["After fall"]["STATUS"] == "CANCELLED"
    assert got["After fall"]["SEQUENCE"] == 1
    assert got["Before fall"]["STATUS"] == "CONFIRMED"
    assert "Resumes; LinkedIn" in str(got["Before spring"]["DESCRIPTION"])
    assert str(got["Before spring"]["URL"]) == "https://meet.example.org/chi"
    # The zone is described in the feed, so clients need no outside knowledge.
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["America/Chicago"]
    assert len({str(e["UID"]) for e in cal.walk("VEVENT")}) == 4


def test_user_feed_lists_only_their_cohorts(client, build, factory):
    mine = build.cohort("America/New_York")
    old = build.cohort("America/Chicago")
    captained = build.cohort("America/Los_Angeles")
    other = build.cohort()
    (person,) = build.participants(mine, 1)
    factory.enrollment(cohort=old, user=person, stage="graduated")
    withdrawn = build.cohort()
    factory.enrollment(cohort=withdrawn, user=person, stage="withdrawn")
    build.session(mine, hours_from_now=30, title="Mine")
    build.local_session(old, 2026, 3, 10, title="Old")
    build.session(captained, hours_from_now=40, title="Captained")
    build.session(other, hours_from_now=50, title="Other")
    build.session(withdrawn, hours_from_now=50, title="Withdrawn")
    feed = services.regenerate_feed(user=person)
    db.session.commit()
    cal = parse(client.get(f"/calendar/{feed.token}.ics"))
    assert set(events(cal)) == {"Mine", "Old"}
    assert events(cal)["Old"].decoded("DTSTART") == datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
    assert {tz["TZID"] for tz in cal.walk("VTIMEZONE")} == {"America/New_York", "America/Chicago"}

    captain, _ = build.captain(captained)
    feed = services.regenerate_feed(user=captain)
    db.session.commit()
    assert set(events(parse(client.get(f"/calendar/{feed.token}.ics")))) == {"Captained"}


def test_token_required_and_regeneration_kills_old_url(client, login_as, build):
    cohort = build.cohort()
    (person,) = build.participants(cohort, 1)
    build.session(cohort, hours_from_now=30)
    login_as(person)
    assert client.get("/my-cohort").status_code == 200
    assert "Create a calendar link" in client.get("/my-cohort").get_data(as_text=True)
    client.post("/calendar/mine")
    first = db.session.scalar(
        db.select(CalendarFeed.token).where(CalendarFeed.user_id == person.id)
    )
    page = client.get("/my-cohort").get_data(as_text=True)
    assert f"/calendar/{first}.ics" in page
    anonymous = client.application.test_client()
    assert anonymous.get(f"/calendar/{first}.ics").status_code == 200
    client.post("/calendar/mine")
    second = db.session.scalar(
        db.select(CalendarFeed.token).where(CalendarFeed.user_id == person.id)
    )
    assert second != first
    assert anonymous.get(f"/calendar/{first}.ics").status_code == 404
    assert anonymous.get(f"/calendar/{second}.ics").status_code == 200
    for bad in ["", "x", second[:-1], second + "a", "a" * 65]:
        assert anonymous.get(f"/calendar/{bad}.ics").status_code == 404
    assert db.session.scalar(db.select(db.func.count(CalendarFeed.id))) == 1


def test_deactivated_user_feed_is_gone(client, build):
    cohort = build.cohort()
    (person,) = build.participants(cohort, 1)
    feed = services.regenerate_feed(user=person)
    person.active = False
    db.session.commit()
    assert client.get(f"/calendar/{feed.token}.ics").status_code == 404


def test_staff_regenerate_cohort_feed(client, login_as, build, factory):
    cohort = build.cohort()
    login_as("staff")
    client.post(f"/cohorts/{cohort.id}/calendar")
    token = db.session.scalar(
        db.select(CalendarFeed.token).where(CalendarFeed.cohort_id == cohort.id)
    )
    page = client.get(f"/cohorts/{cohort.id}/sessions").get_data(as_text=True)
    assert f"/calendar/{token}.ics" in page
    # City staff of another city cannot see or regenerate it.
    login_as("city_staff", cities=[factory.city()])
    assert client.post(f"/cohorts/{cohort.id}/calendar").status_code == 404
    assert (
        db.session.scalar(db.select(CalendarFeed.token).where(CalendarFeed.cohort_id == cohort.id))
        == token
    )


def test_feed_query_count_is_fixed(client, build, count_queries):
    counts = []
    for n in (3, 30):
        cohort = build.cohort()
        (person,) = build.participants(cohort, 1)
        for i in range(n):
            build.session(cohort, hours_from_now=24 * (i + 1))
        user_feed = services.regenerate_feed(user=person)
        cohort_feed = services.regenerate_feed(cohort=cohort)
        db.session.commit()
        urls = [f"/calendar/{user_feed.token}.ics", f"/calendar/{cohort_feed.token}.ics"]
        row = []
        for url in urls:
            with count_queries() as q:
                assert len(list(parse(client.get(url)).walk("VEVENT"))) == n
            row.append(q.count)
        counts.append(row)
    assert counts[0] == counts[1]


def test_empty_feed_is_valid(client, build):
    cohort = build.cohort()
    feed = services.regenerate_feed(cohort=cohort)
    db.session.commit()
    cal = parse(client.get(f"/calendar/{feed.token}.ics"))
    assert list(cal.walk("VEVENT")) == []


def test_feed_box_offers_webcal_and_google_calendar_links(client, login_as, build):
    cohort = build.cohort("America/Los_Angeles")
    (person,) = build.participants(cohort, 1, timezone="America/Chicago")
    login_as(person)
    client.post("/calendar/mine")
    token = db.session.scalar(
        db.select(CalendarFeed.token).where(CalendarFeed.user_id == person.id)
    )
    page = client.get("/my-cohort").get_data(as_text=True)
    assert f'href="webcal://localhost/calendar/{token}.ics"' in page
    assert (
        'href="https://calendar.google.com/calendar/r?cid='
        f'webcal%3A%2F%2Flocalhost%2Fcalendar%2F{token}.ics"' in page
    )
    # Zones as people say them on the page; IANA names stay in forms.
    assert "Times in your zone (Central Time), the cohort's (Pacific Time)" in page


def test_zone_names():
    from coop.core.filters import google_calendar, webcal, zone_name

    assert zone_name("America/Los_Angeles") == "Pacific Time"
    assert zone_name("America/New_York") == "Eastern Time"
    assert zone_name("Europe/Berlin") == "Berlin time"
    assert zone_name("America/Argentina/Buenos_Aires") == "Buenos Aires time"
    assert zone_name(None) == ""
    assert webcal("https://coop.example/calendar/x.ics") == "webcal://coop.example/calendar/x.ics"
    assert google_calendar("http://h/c.ics").endswith("cid=webcal%3A%2F%2Fh%2Fc.ics")
