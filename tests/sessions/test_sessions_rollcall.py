"""Roll call: captains for their pods, staff for the whole cohort, one submit, 7 days."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from coop.core.models import AuditEvent
from coop.db import utcnow
from coop.extensions import db
from coop.sessions import services
from coop.sessions.models import Attendance, AttendanceStatus, SessionStatus


def statuses(session):
    return dict(
        db.session.execute(
            db.select(Attendance.participant_id, Attendance.status).where(
                Attendance.session_id == session.id
            )
        ).all()
    )


@pytest.fixture
def team(build):
    """A cohort of five: a captain with a pod of three, another captain with two."""
    cohort = build.cohort()
    people = build.participants(cohort, 5)
    captain, _ = build.captain(cohort, pod=people[:3], is_lead=True)
    other, _ = build.captain(cohort, pod=people[3:])
    session = build.session(cohort, hours_from_now=-1)
    db.session.commit()
    return cohort, people, captain, other, session


def test_captain_sees_and_records_only_their_pod(client, login_as, team):
    cohort, people, captain, _, session = team
    login_as(captain)
    page = client.get(f"/sessions/{session.id}/roll-call").get_data(as_text=True)
    for p in people[:3]:
        assert p.name in page
    for p in people[3:]:
        assert p.name not in page
    data = {
        f"p{people[0].id}": "present",
        f"p{people[1].id}": "late",
        f"p{people[2].id}": "excused",
        # Someone from another pod: not on this captain's form, so ignored.
        f"p{people[3].id}": "absent",
    }
    response = client.post(f"/sessions/{session.id}/roll-call", data=data)
    assert response.status_code == 302
    assert statuses(session) == {
        people[0].id: AttendanceStatus.PRESENT,
        people[1].id: AttendanceStatus.LATE,
        people[2].id: AttendanceStatus.EXCUSED,
    }
    row = db.session.scalar(db.select(Attendance).where(Attendance.participant_id == people[0].id))
    assert row.recorded_by_id == captain.id
    assert db.session.scalar(
        db.select(AuditEvent).where(
            AuditEvent.action == "attendance.roll_call", AuditEvent.target_id == session.id
        )
    )


def test_everyone_needs_a_status_and_nothing_is_saved_otherwise(client, login_as, team):
    cohort, people, captain, _, session = team
    login_as(captain)
    response = client.post(
        f"/sessions/{session.id}/roll-call",
        data={f"p{people[0].id}": "present", f"p{people[1].id}": "late"},
    )
    assert response.status_code == 200
    assert f"Choose a status for {people[2].name}." in response.get_data(as_text=True)
    assert statuses(session) == {}
    response = client.post(
        f"/sessions/{session.id}/roll-call",
        data={f"p{p.id}": "sleeping" for p in people[:3]},
    )
    assert response.status_code == 200
    assert statuses(session) == {}


def test_staff_take_roll_call_for_the_whole_cohort_and_edit_it(client, login_as, team):
    cohort, people, captain, _, session = team
    login_as("staff")
    data = {f"p{p.id}": "present" for p in people}
    assert client.post(f"/sessions/{session.id}/roll-call", data=data).status_code == 302
    assert set(statuses(session).values()) == {AttendanceStatus.PRESENT}
    assert len(statuses(session)) == 5
    # Edit: one becomes absent; the form shows the saved statuses.
    data[f"p{people[4].id}"] = "absent"
    client.post(f"/sessions/{session.id}/roll-call", data=data)
    assert statuses(session)[people[4].id] == AttendanceStatus.ABSENT
    page = client.get(f"/sessions/{session.id}/roll-call").get_data(as_text=True)
    assert f'checked class="btn-check" id="p{people[4].id}-3"' in page  # absent
    assert f'checked class="btn-check" id="p{people[0].id}-0"' in page  # present


def test_roll_call_window(build, factory):
    cohort = build.cohort()
    (person,) = build.participants(cohort, 1)
    captain, _ = build.captain(cohort, pod=[person])
    session = build.session(cohort, hours_from_now=2)
    now = utcnow()
    with pytest.raises(services.AttendanceError, match="opens when the session starts"):
        services.record_roll_call(
            session, {person.id: AttendanceStatus.PRESENT}, allowed_ids=[person.id], actor=captain
        )
    later = session.starts_at + timedelta(days=6, hours=23)
    assert services.record_roll_call(
        session,
        {person.id: AttendanceStatus.PRESENT},
        allowed_ids=[person.id],
        actor=captain,
        now=later,
    )
    with pytest.raises(services.AttendanceError, match="closed 7 days"):
        services.record_roll_call(
            session,
            {person.id: AttendanceStatus.ABSENT},
            allowed_ids=[person.id],
            actor=captain,
            now=session.starts_at + timedelta(days=7),
        )
    assert statuses(session) == {person.id: AttendanceStatus.PRESENT}
    assert now < session.starts_at


def test_closed_roll_call_is_read_only(client, login_as, build):
    cohort = build.cohort()
    (person,) = build.participants(cohort, 1)
    captain, _ = build.captain(cohort, pod=[person])
    old = build.session(cohort, hours_from_now=-24 * 8)
    build.attendance(old, person, "late")
    cancelled = build.session(cohort, hours_from_now=-3, status=SessionStatus.CANCELLED)
    login_as(captain)
    for session, text in [(old, "closed 7 days"), (cancelled, "cancelled")]:
        page = client.get(f"/sessions/{session.id}/roll-call").get_data(as_text=True)
        assert text in page
        assert "Save roll call" not in page
        response = client.post(
            f"/sessions/{session.id}/roll-call", data={f"p{person.id}": "absent"}
        )
        assert response.status_code == 200
    assert statuses(old) == {person.id: AttendanceStatus.LATE}
    assert statuses(cancelled) == {}


def test_only_for_allowed_participants(build):
    cohort = build.cohort()
    a, b = build.participants(cohort, 2)
    captain, _ = build.captain(cohort, pod=[a])
    session = build.session(cohort, hours_from_now=-1)
    with pytest.raises(services.AttendanceError, match="your own participants"):
        services.record_roll_call(
            session,
            {a.id: AttendanceStatus.PRESENT, b.id: AttendanceStatus.PRESENT},
            allowed_ids=[a.id],
            actor=captain,
        )
    assert statuses(session) == {}


def test_database_enforces_one_row_per_participant_and_session(build):
    cohort = build.cohort()
    (person,) = build.participants(cohort, 1)
    session = build.session(cohort, hours_from_now=-1)
    build.attendance(session, person, "present")
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.add(
            Attendance(
                session_id=session.id,
                participant_id=person.id,
                status=AttendanceStatus.ABSENT,
            )
        )
        db.session.flush()


def test_former_captain_and_other_cohort_captain_get_404(client, login_as, build):
    cohort = build.cohort()
    (person,) = build.participants(cohort, 1)
    former, assignment = build.captain(cohort, pod=[person])
    assignment.ended_at = utcnow()
    other_cohort = build.cohort()
    outsider, _ = build.captain(other_cohort)
    session = build.session(cohort, hours_from_now=-1)
    db.session.commit()
    for who in (former, outsider):
        login_as(who)
        assert client.get(f"/sessions/{session.id}/roll-call").status_code == 404
        response = client.post(
            f"/sessions/{session.id}/roll-call", data={f"p{person.id}": "absent"}
        )
        assert response.status_code == 404
    assert statuses(session) == {}


# The POST includes two for the attendance tally: lock the session row, recount it.
@pytest.mark.parametrize(("who", "pinned"), [("staff", (5, 10)), ("captain", (5, 11))])
def test_roll_call_query_count_is_fixed(client, login_as, build, count_queries, who, pinned):
    """Same number of queries for 3 and 30 participants: GET, then the one-submit POST."""
    counts = []
    for n in (3, 30):
        cohort = build.cohort()
        people = build.participants(cohort, n)
        captain, _ = build.captain(cohort, pod=people)
        session = build.session(cohort, hours_from_now=-1)
        for p in people[: n // 2]:
            build.attendance(session, p, "present")
        login_as("staff" if who == "staff" else captain)
        url = f"/sessions/{session.id}/roll-call"
        client.get(url)  # the test's own session state out of the way
        with count_queries() as q:
            assert client.get(url).status_code == 200
        get_count = q.count
        data = {f"p{p.id}": "late" for p in people}
        with count_queries() as q:
            assert client.post(url, data=data).status_code == 302
        counts.append((get_count, q.count))
        assert len(statuses(session)) == n
    assert counts == [pinned, pinned]


def test_captain_list_query_count_is_fixed(client, login_as, build, count_queries):
    counts = []
    for n in (3, 30):
        cohort = build.cohort()
        people = build.participants(cohort, n)
        captain, _ = build.captain(cohort, pod=people)
        for d in range(n):
            s = build.session(cohort, hours_from_now=24 * (d - n // 2))
            if d < n // 2:
                build.attendance(s, people[d], "absent")
        login_as(captain)
        client.get("/roll-call")
        with count_queries() as q:
            assert client.get("/roll-call").status_code == 200
        counts.append(q.count)
    assert counts == [8, 8]


def test_captain_roll_call_list_shows_pod_and_flags(client, login_as, build):
    cohort = build.cohort()
    people = build.participants(cohort, 3)
    captain, _ = build.captain(cohort, pod=people[:2])
    held = [build.session(cohort, hours_from_now=-24 * d) for d in (5, 4, 3)]
    open_now = build.session(cohort, hours_from_now=-1)
    for s in held:
        build.attendance(s, people[0], "absent")
        build.attendance(s, people[1], "present")
    login_as(captain)
    page = client.get("/roll-call").get_data(as_text=True)
    assert people[0].name in page and people[1].name in page
    assert people[2].name not in page
    assert "3 absences in a row" in page
    assert f"/sessions/{open_now.id}/roll-call" in page
    assert "Take roll call" in page


def test_mark_everyone_present_saves_the_pod_at_once(client, login_as, team):
    cohort, people, captain, _, session = team
    late = {people[0].id: AttendanceStatus.LATE}
    services.record_roll_call(session, late, allowed_ids=[people[0].id], actor=captain)
    db.session.commit()
    login_as(captain)
    page = client.get(f"/sessions/{session.id}/roll-call").get_data(as_text=True)
    assert "Mark everyone present" in page
    response = client.post(f"/sessions/{session.id}/roll-call", data={"everyone": "present"})
    assert response.status_code == 302
    # Only the captain's pod, everyone present (the late one too: "everyone").
    assert statuses(session) == dict.fromkeys((p.id for p in people[:3]), AttendanceStatus.PRESENT)
    page = client.get(f"/sessions/{session.id}/roll-call").get_data(as_text=True)
    assert "Roll call saved" in page


def test_mark_everyone_present_is_refused_once_roll_call_closed(client, login_as, build):
    cohort = build.cohort()
    people = build.participants(cohort, 2)
    captain, _ = build.captain(cohort, pod=people)
    old = build.session(cohort, hours_from_now=-24 * 9)
    login_as(captain)
    assert "Mark everyone present" not in client.get(f"/sessions/{old.id}/roll-call").get_data(
        as_text=True
    )
    client.post(f"/sessions/{old.id}/roll-call", data={"everyone": "present"})
    assert statuses(old) == {}


def test_a_complete_roll_call_shows_view_not_take(client, login_as, team):
    cohort, people, captain, _, session = team
    login_as(captain)
    before = client.get(f"/roll-call?cohort={cohort.id}").get_data(as_text=True)
    assert f'Take roll call<span class="visually-hidden"> for {session.title}' in before
    client.post(f"/sessions/{session.id}/roll-call", data={"everyone": "present"})
    after = client.get(f"/roll-call?cohort={cohort.id}").get_data(as_text=True)
    assert f'Take roll call<span class="visually-hidden"> for {session.title}' not in after
    assert f'View<span class="visually-hidden"> {session.title}' in after
