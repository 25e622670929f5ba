"""Attendance rates and the three-absences flag, in a fixed number of queries."""

from datetime import timedelta

from coop.db import utcnow
from coop.sessions.models import SessionStatus
from coop.sessions.queries import attendance_summary, cohort_rate


def test_rates_count_present_and_late_over_sessions_held(build):
    cohort = build.cohort()
    a, b, c = build.participants(cohort, 3)
    held = [build.session(cohort, hours_from_now=-24 * d) for d in (4, 3, 2)]
    build.session(cohort, hours_from_now=-26, status=SessionStatus.CANCELLED)
    build.session(cohort, hours_from_now=-1)  # still running: not held yet
    build.session(cohort, hours_from_now=48)  # future
    for s, status in zip(held, ["present", "late", "excused"], strict=True):
        build.attendance(s, a, status)
    build.attendance(held[0], b, "absent")
    summary = attendance_summary(cohort.id, [a.id, b.id, c.id])
    assert (summary[a.id].held, summary[a.id].attended) == (3, 2)
    assert summary[a.id].rate == 2 / 3
    assert summary[b.id].rate == 0.0
    assert summary[c.id].attended == 0 and summary[c.id].held == 3
    assert cohort_rate(summary) == 2 / 9


def test_no_sessions_held_gives_no_rate(build):
    cohort = build.cohort()
    (a,) = build.participants(cohort, 1)
    build.session(cohort, hours_from_now=5)
    summary = attendance_summary(cohort.id, [a.id])
    assert summary[a.id].rate is None
    assert summary[a.id].held == 0
    assert summary[a.id].absent_streak_flag is False
    assert cohort_rate(summary) is None
    assert attendance_summary(cohort.id, []) == {}


def test_three_consecutive_absences_in_the_latest_sessions_flag(build):
    cohort = build.cohort()
    streak, broken, old, unrecorded = build.participants(cohort, 4)
    sessions = [build.session(cohort, hours_from_now=-24 * d) for d in (6, 5, 4, 3, 2)]
    # A cancelled session between them does not break a streak.
    build.session(cohort, hours_from_now=-24 * 2 - 30, status=SessionStatus.CANCELLED)
    for s in sessions[2:]:
        build.attendance(s, streak, "absent")
    for s, st in zip(sessions[2:], ["absent", "present", "absent"], strict=True):
        build.attendance(s, broken, st)
    for s in sessions[:3]:
        build.attendance(s, old, "absent")  # three absences, but not the latest three
    build.attendance(sessions[2], unrecorded, "absent")
    build.attendance(sessions[3], unrecorded, "absent")
    summary = attendance_summary(cohort.id, [streak.id, broken.id, old.id, unrecorded.id])
    assert summary[streak.id].absent_streak_flag is True
    assert summary[broken.id].absent_streak_flag is False
    assert summary[old.id].absent_streak_flag is False
    assert summary[unrecorded.id].absent_streak_flag is False


def test_summary_uses_a_fixed_number_of_queries(build, count_queries):
    counts = []
    for n in (3, 40):
        cohort = build.cohort()
        people = build.participants(cohort, n)
        for d in range(n):
            s = build.session(cohort, hours_from_now=-24 * (d + 1))
            build.attendance(s, people[d], "present")
        ids = [p.id for p in people]
        with count_queries() as q:
            summary = attendance_summary(cohort.id, ids)
        counts.append(q.count)
        assert len(summary) == n
    assert counts == [2, 2]


def test_now_can_be_given(build):
    cohort = build.cohort()
    (a,) = build.participants(cohort, 1)
    s = build.session(cohort, hours_from_now=-3)
    build.attendance(s, a, "present")
    assert attendance_summary(cohort.id, [a.id], now=utcnow() - timedelta(days=1))[a.id].held == 0
    assert attendance_summary(cohort.id, [a.id])[a.id].rate == 1.0


def test_staff_attendance_page(client, login_as, build, count_queries):
    counts = []
    for n in (3, 30):
        cohort = build.cohort()
        people = build.participants(cohort, n)
        sessions = [build.session(cohort, hours_from_now=-24 * d) for d in (3, 2, 1)]
        for s in sessions:
            build.attendance(s, people[0], "absent")
            build.attendance(s, people[1], "present")
        login_as("staff")
        url = f"/cohorts/{cohort.id}/attendance"
        client.get(url)  # the test's own session state out of the way
        with count_queries() as q:
            page = client.get(url).get_data(as_text=True)
        counts.append(q.count)
        assert "3 absences in a row" in page
        assert "100%" in page and "0%" in page
        assert "3 of 3" in page
    assert counts == [6, 6]  # + the menu's flagged check-ins count (staff)
