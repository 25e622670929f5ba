"""Generating schedules across daylight-saving changes; adding, editing, cancelling."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from coop.core.models import AuditEvent
from coop.extensions import db
from coop.sessions import services
from coop.sessions.models import Attendance, SessionStatus, VirtualSession


def sessions_of(cohort):
    return list(
        db.session.scalars(
            db.select(VirtualSession)
            .where(VirtualSession.cohort_id == cohort.id)
            .order_by(VirtualSession.starts_at)
        )
    )


def test_spring_forward_keeps_local_time(build):
    """Chicago moves to CDT on 8 March 2026: 18:30 local is 00:30Z before, 23:30Z after."""
    cohort = build.cohort("America/Chicago")
    made = services.generate_sessions(
        cohort,
        weekdays=["tue", "thu"],
        start_time=time(18, 30),
        duration_minutes=120,
        first_date=date(2026, 3, 3),
        count=4,
    )
    assert made == 4
    got = [(s.local_date, s.local_time, s.starts_at) for s in sessions_of(cohort)]
    assert got == [
        (date(2026, 3, 3), time(18, 30), datetime(2026, 3, 4, 0, 30, tzinfo=UTC)),
        (date(2026, 3, 5), time(18, 30), datetime(2026, 3, 6, 0, 30, tzinfo=UTC)),
        (date(2026, 3, 10), time(18, 30), datetime(2026, 3, 10, 23, 30, tzinfo=UTC)),
        (date(2026, 3, 12), time(18, 30), datetime(2026, 3, 12, 23, 30, tzinfo=UTC)),
    ]


def test_fall_back_keeps_local_time(build):
    """New York returns to EST on 1 November 2026: 18:30 is 22:30Z before, 23:30Z after."""
    cohort = build.cohort("America/New_York")
    services.generate_sessions(
        cohort,
        weekdays=["thu"],
        start_time=time(18, 30),
        duration_minutes=90,
        first_date=date(2026, 10, 22),
        end_date=date(2026, 11, 5),
    )
    starts = [s.starts_at for s in sessions_of(cohort)]
    assert starts == [
        datetime(2026, 10, 22, 22, 30, tzinfo=UTC),
        datetime(2026, 10, 29, 22, 30, tzinfo=UTC),
        datetime(2026, 11, 5, 23, 30, tzinfo=UTC),
    ]


def test_count_and_end_date_whichever_first(build):
    cohort = build.cohort()
    made = services.generate_sessions(
        cohort,
        weekdays=["mon"],
        start_time=time(9, 0),
        duration_minutes=60,
        first_date=date(2027, 1, 4),
        count=10,
        end_date=date(2027, 1, 18),
    )
    assert made == 3
    assert [s.title for s in sessions_of(cohort)] == ["Session 1", "Session 2", "Session 3"]


def test_regenerating_is_stable(build):
    cohort = build.cohort()
    kwargs = dict(
        weekdays=["tue", "thu"],
        start_time=time(18, 30),
        duration_minutes=120,
        first_date=date(2027, 2, 2),
        count=6,
    )
    services.generate_sessions(cohort, **kwargs)
    first = [(s.id, s.starts_at) for s in sessions_of(cohort)]
    sessions_of(cohort)[0].status = SessionStatus.CANCELLED
    db.session.flush()
    assert services.generate_sessions(cohort, **kwargs) == 0
    assert [(s.id, s.starts_at) for s in sessions_of(cohort)] == first
    # A longer run adds only the new dates.
    assert services.generate_sessions(cohort, **{**kwargs, "count": 8}) == 2
    assert len(sessions_of(cohort)) == 8


def test_nonexistent_and_ambiguous_local_times():
    # 02:30 on 8 March 2026 does not exist in Chicago: it moves forward by the gap.
    assert services.local_to_utc(date(2026, 3, 8), time(2, 30), "America/Chicago") == datetime(
        2026, 3, 8, 8, 30, tzinfo=UTC
    )
    # 01:30 on 1 November 2026 happens twice in Chicago: the first (CDT) one is taken.
    assert services.local_to_utc(date(2026, 11, 1), time(1, 30), "America/Chicago") == datetime(
        2026, 11, 1, 6, 30, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"weekdays": []}, "weekday"),
        ({"count": None, "end_date": None}, "number of sessions or an end date"),
        ({"end_date": date(2026, 1, 1)}, "before the first date"),
    ],
)
def test_generation_rules(build, kwargs, message):
    cohort = build.cohort()
    base = dict(
        weekdays=["tue"],
        start_time=time(18, 30),
        duration_minutes=120,
        first_date=date(2027, 2, 2),
        count=3,
    )
    with pytest.raises(services.ScheduleError, match=message):
        services.generate_sessions(cohort, **{**base, **kwargs})
    assert sessions_of(cohort) == []


def test_generate_view_prefills_from_cohort_and_creates(client, login_as, build):
    cohort = build.cohort("America/Los_Angeles", meeting_days="mon,wed", meeting_time=time(17, 0))
    login_as("staff")
    page = client.get(f"/cohorts/{cohort.id}/sessions/generate").get_data(as_text=True)
    assert 'value="17:00"' in page
    assert '<input checked class="form-check-input" id="weekdays-0"' in page  # mon
    assert '<input class="form-check-input" id="weekdays-1"' in page  # tue
    assert '<input checked class="form-check-input" id="weekdays-2"' in page  # wed
    response = client.post(
        f"/cohorts/{cohort.id}/sessions/generate",
        data={
            "weekdays": ["mon", "wed"],
            "start_time": "17:00",
            "duration_minutes": "120",
            "first_date": "2027-03-08",
            "count": "4",
            "title": "Week",
            "video_link": "",
        },
    )
    assert response.status_code == 302
    made = sessions_of(cohort)
    assert [s.title for s in made] == ["Week 1", "Week 2", "Week 3", "Week 4"]
    # 14 March 2027 is the spring change in Los Angeles: 17:00 PST = 01:00Z, PDT = 00:00Z.
    assert [s.starts_at.hour for s in made] == [1, 1, 0, 0]
    assert all(s.local_time == time(17, 0) for s in made)
    assert db.session.scalar(
        db.select(AuditEvent).where(
            AuditEvent.action == "session.generate", AuditEvent.target_id == cohort.id
        )
    )


def test_generate_view_refuses_bad_input(client, login_as, build):
    cohort = build.cohort()
    login_as("staff")
    response = client.post(
        f"/cohorts/{cohort.id}/sessions/generate",
        data={
            "weekdays": ["tue"],
            "start_time": "18:30",
            "duration_minutes": "120",
            "first_date": "2027-03-01",
            "title": "Session",
            "video_link": "http://insecure.example.org/room",
        },
    )
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Use an https:// link." in text
    assert sessions_of(cohort) == []
    response = client.post(
        f"/cohorts/{cohort.id}/sessions/generate",
        data={
            "weekdays": ["tue"],
            "start_time": "18:30",
            "duration_minutes": "120",
            "first_date": "2027-03-01",
            "title": "Session",
        },
    )
    assert "Give a number of sessions or an end date." in response.get_data(as_text=True)
    assert sessions_of(cohort) == []


def test_add_edit_session_views(client, login_as, build):
    cohort = build.cohort("America/Chicago")
    login_as("staff")
    response = client.post(
        f"/cohorts/{cohort.id}/sessions/new",
        data={
            "title": "Kick-off",
            "local_date": "2026-03-05",
            "local_time": "18:30",
            "duration_minutes": "150",
            "agenda": "Welcome\nIntroductions",
            "video_link": "https://meet.example.org/kickoff",
        },
    )
    assert response.status_code == 302
    (session,) = sessions_of(cohort)
    assert session.starts_at == datetime(2026, 3, 6, 0, 30, tzinfo=UTC)
    assert session.video_link == "https://meet.example.org/kickoff"
    # Move it past the DST change: the UTC time follows the local one.
    response = client.post(
        f"/sessions/{session.id}/edit",
        data={
            "title": "Kick-off (moved)",
            "local_date": "2026-03-10",
            "local_time": "18:30",
            "duration_minutes": "150",
            "agenda": "",
            "video_link": "",
        },
    )
    assert response.status_code == 302
    db.session.refresh(session)
    assert session.title == "Kick-off (moved)"
    assert session.starts_at == datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
    assert session.video_link is None
    assert session.link(cohort) == cohort.video_link
    assert session.sequence == 1


def test_session_clash_and_https_only(client, login_as, build):
    cohort = build.cohort()
    build.local_session(cohort, 2027, 3, 2)
    login_as("staff")
    data = {
        "title": "Extra",
        "local_date": "2027-03-02",
        "local_time": "18:30",
        "duration_minutes": "60",
    }
    response = client.post(f"/cohorts/{cohort.id}/sessions/new", data=data)
    assert "already has a session at that date and time" in response.get_data(as_text=True)
    response = client.post(
        f"/cohorts/{cohort.id}/sessions/new",
        data={**data, "local_time": "10:00", "video_link": "javascript:alert(1)"},
    )
    assert "Use an https:// link." in response.get_data(as_text=True)
    assert len(sessions_of(cohort)) == 1


def test_cancel_keeps_row_and_attendance_and_emails_cohort(client, login_as, build, outbox):
    cohort = build.cohort()
    people = build.participants(cohort, 2)
    build.participants(cohort, 1, stage="withdrawn")
    captain, _ = build.captain(cohort, pod=people)
    session = build.session(cohort, hours_from_now=-2, title="Resume clinic")
    build.attendance(session, people[0], "present")
    login_as("staff")
    response = client.post(f"/sessions/{session.id}/cancel", data={"reason": "Snow storm"})
    assert response.status_code == 302
    db.session.refresh(session)
    assert session.status == SessionStatus.CANCELLED
    assert db.session.scalar(db.select(Attendance).where(Attendance.session_id == session.id))
    assert sorted(m.to[0] for m in outbox) == sorted(
        [people[0].email, people[1].email, captain.email]
    )
    assert all("Resume clinic" in m.body and "Snow storm" in m.body for m in outbox)
    page = client.get(f"/cohorts/{cohort.id}/sessions").get_data(as_text=True)
    assert "Resume clinic" in page and "cancelled" in page
    # A second cancel changes nothing and sends nothing.
    outbox.clear()
    client.post(f"/sessions/{session.id}/cancel", data={})
    assert outbox == []
    # A cancelled session cannot be edited.
    response = client.post(
        f"/sessions/{session.id}/edit",
        data={
            "title": "x",
            "local_date": "2027-01-01",
            "local_time": "10:00",
            "duration_minutes": "60",
        },
    )
    assert response.status_code == 404
    db.session.refresh(session)
    assert session.title == "Resume clinic"


def test_sessions_list_shows_dual_times(client, login_as, build, factory):
    cohort = build.cohort("America/Chicago")
    build.local_session(cohort, 2026, 3, 5, title="Before the change")
    build.local_session(cohort, 2026, 3, 10, title="After the change")
    viewer = factory.user("staff", timezone="Europe/London")
    login_as(viewer)
    page = client.get(f"/cohorts/{cohort.id}/sessions").get_data(as_text=True)
    # Chicago 18:30 both times; London changes later (29 March), so 00:30 then 23:30.
    assert "Thu 5 Mar 2026, 18:30 CST" in page
    assert "(Fri 00:30 GMT your time)" in page
    assert "Tue 10 Mar 2026, 18:30 CDT" in page
    assert "(Tue 23:30 GMT your time)" in page


def test_sessions_list_query_count_is_fixed(client, login_as, build, count_queries):
    counts = []
    for n in (3, 30):
        cohort = build.cohort()
        people = build.participants(cohort, n)
        for i in range(n):
            s = build.session(cohort, hours_from_now=-24 * (i + 1))
            build.attendance(s, people[i % len(people)], "present")
        login_as("staff")
        url = f"/cohorts/{cohort.id}/sessions"
        client.get(url)  # the test's own session state out of the way
        with count_queries() as q:
            assert client.get(url).status_code == 200
        counts.append(q.count)
    assert counts == [7, 7]  # + the menu's flagged check-ins count (staff)


def test_edit_window_rule_for_past_start(build):
    """Sessions can be rescheduled into the past (catching up the record) but never onto
    an occupied slot."""
    cohort = build.cohort()
    a = build.local_session(cohort, 2026, 9, 1)
    b = build.local_session(cohort, 2026, 9, 3)
    with pytest.raises(services.ScheduleError):
        services.update_session(b, cohort, local_date=date(2026, 9, 1))
    assert b.local_date == date(2026, 9, 3)
    services.update_session(b, cohort, local_date=date(2026, 8, 27))
    assert b.starts_at < a.starts_at
    assert b.ends_at - b.starts_at == timedelta(minutes=b.duration_minutes)
