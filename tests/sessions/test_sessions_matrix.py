"""Every sessions and portal route x every role, plus someone else's ids (IDOR)."""

from types import SimpleNamespace

import pytest

from coop.core.models import AuditEvent
from coop.extensions import db
from coop.sessions import services
from coop.sessions.models import (
    Attendance,
    CalendarFeed,
    MeetingReportRow,
    SessionStatus,
    VirtualSession,
)

ROLES = [
    "anonymous",
    "staff",
    "city_staff",
    "other_city_staff",
    "captain",
    "other_captain",
    "participant",
    "other_participant",
]


@pytest.fixture
def world(build, factory):
    w = SimpleNamespace()
    w.city = factory.city(timezone="America/Chicago")
    w.cohort = build.cohort(city=w.city)
    (w.participant,) = build.participants(w.cohort, 1)
    w.captain, _ = build.captain(w.cohort, pod=[w.participant])
    w.other_cohort = build.cohort()
    (w.other_participant,) = build.participants(w.other_cohort, 1)
    w.other_captain, _ = build.captain(w.other_cohort, pod=[w.other_participant])
    w.session = build.session(w.cohort, hours_from_now=-1)
    w.future = build.session(w.cohort, hours_from_now=48)
    w.other_cancelled = build.session(
        w.other_cohort, hours_from_now=5, status=SessionStatus.CANCELLED
    )
    w.report = services.import_meeting_report(
        w.session,
        w.cohort,
        (
            "Name,User Email,Join Time,Leave Time,Duration (Minutes)\n"
            f"Stranger,stranger@example.org,{w.session.starts_at:%m/%d/%Y %I:%M:%S %p},"
            f"{w.session.ends_at:%m/%d/%Y %I:%M:%S %p},120\n"
        ).encode(),
        filename="r.csv",
        zone="UTC",
    )
    w.row_id = db.session.scalar(
        db.select(MeetingReportRow.id).where(MeetingReportRow.import_id == w.report.id)
    )
    w.city_staff = factory.user("staff", cities=[w.city], all_cities=False)
    w.other_city_staff = factory.user("staff", cities=[factory.city()], all_cities=False)
    w.staff = factory.user("staff")
    db.session.commit()
    return w


def sign_in(login_as, w, role):
    if role != "anonymous":
        login_as(getattr(w, role))


ALL_STAFF = {"staff": 200, "city_staff": 200}

# (method, url, data, {role: status}); everyone not listed gets 404 (signed in) or the
# sign-in redirect (anonymous).
ROUTES = [
    ("GET", "/cohorts/{cohort}/sessions", None, ALL_STAFF),
    ("GET", "/cohorts/{cohort}/sessions/generate", None, ALL_STAFF),
    ("GET", "/cohorts/{cohort}/sessions/new", None, ALL_STAFF),
    ("GET", "/sessions/{future}/edit", None, ALL_STAFF),
    ("GET", "/cohorts/{cohort}/attendance", None, ALL_STAFF),
    ("GET", "/cohorts/{cohort}/attendance/grid", None, ALL_STAFF),
    ("GET", "/cohorts/{cohort}/attendance.csv", None, ALL_STAFF),
    ("GET", "/sessions/{session}/import", None, ALL_STAFF),
    ("GET", "/imports/{report}", None, ALL_STAFF),
    ("GET", "/sessions/{session}/roll-call", None, {**ALL_STAFF, "captain": 200}),
    ("GET", "/roll-call", None, {"captain": 200, "other_captain": 200}),
    (
        "GET",
        "/sharing",
        None,
        {r: 200 for r in ("captain", "other_captain", "participant", "other_participant")},
    ),
    ("GET", "/my-cohort", None, {"participant": 200, "other_participant": 200}),
    ("GET", "/my-cohort/{cohort}", None, {"participant": 200}),
    ("GET", "/my-cohort/{cohort}/people", None, {"participant": 200}),
    ("GET", "/my-cohort/sessions/{session}", None, {"participant": 200}),
]


def fill(url, w):
    return url.format(
        cohort=w.cohort.id, session=w.session.id, future=w.future.id, report=w.report.id
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "url", "data", "allowed"), ROUTES, ids=[r[1] for r in ROUTES])
def test_get_matrix(client, login_as, world, role, method, url, data, allowed):
    sign_in(login_as, world, role)
    response = client.open(fill(url, world), method=method, data=data)
    if role == "anonymous":
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
    else:
        assert response.status_code == allowed.get(role, 404)


def snapshot(w):
    session = db.session.get(VirtualSession, w.future.id)
    return (
        db.session.scalar(db.select(db.func.count(VirtualSession.id))),
        db.session.scalar(db.select(db.func.count(Attendance.id))),
        db.session.scalar(db.select(db.func.count(CalendarFeed.id))),
        db.session.scalar(db.select(db.func.count(AuditEvent.id))),
        session.title,
        session.status,
    )


# State-changing routes: (url, data, roles allowed).
POSTS = [
    (
        "/cohorts/{cohort}/sessions/generate",
        {
            "weekdays": ["tue"],
            "start_time": "18:30",
            "duration_minutes": "120",
            "first_date": "2031-01-07",
            "count": "2",
            "title": "Gen",
        },
        {"staff", "city_staff"},
    ),
    (
        "/cohorts/{cohort}/sessions/new",
        {
            "title": "New",
            "local_date": "2031-01-07",
            "local_time": "10:00",
            "duration_minutes": "60",
        },
        {"staff", "city_staff"},
    ),
    (
        "/sessions/{future}/edit",
        {
            "title": "Hacked",
            "local_date": "2031-01-08",
            "local_time": "10:00",
            "duration_minutes": "60",
        },
        {"staff", "city_staff"},
    ),
    ("/sessions/{future}/cancel", {"reason": "x"}, {"staff", "city_staff"}),
    (
        "/sessions/{session}/roll-call",
        {"p{participant}": "absent"},
        {"staff", "city_staff", "captain"},
    ),
    ("/cohorts/{cohort}/calendar", {"submit": "Confirm"}, {"staff", "city_staff"}),
    (
        "/calendar/mine",
        {"submit": "Confirm"},
        {"captain", "other_captain", "participant", "other_participant"},
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("url", "data", "allowed"), POSTS, ids=[p[0] for p in POSTS])
def test_post_matrix_and_nothing_changes_when_refused(
    client, login_as, world, role, url, data, allowed
):
    sign_in(login_as, world, role)
    data = {k.format(participant=world.participant.id): v for k, v in data.items()}
    before = snapshot(world)
    response = client.post(fill(url, world), data=data)
    if role in allowed:
        assert response.status_code == 302
        assert snapshot(world) != before
    else:
        if role == "anonymous":
            assert response.status_code == 302
            assert response.headers["Location"].startswith("/login")
        else:
            assert response.status_code == 404
        assert snapshot(world) == before


def test_match_row_idor(client, login_as, world):
    """Another city's staff cannot match rows of this cohort's reports; nor through
    another import's id."""
    url = f"/imports/{world.report.id}/rows/{world.row_id}/match"
    data = {
        f"row{world.row_id}-participant": str(world.participant.id),
        f"row{world.row_id}-status": "present",
    }
    for who in ("other_city_staff", "captain", "participant"):
        login_as(getattr(world, who))
        assert client.post(url, data=data).status_code == 404
    login_as(world.staff)
    assert client.post(f"/imports/999999/rows/{world.row_id}/match", data=data).status_code == 404
    assert (
        client.post(f"/imports/{world.report.id}/rows/999999/match", data=data).status_code == 404
    )
    assert db.session.scalar(db.select(db.func.count(Attendance.id))) == 0
    assert client.post(url, data=data).status_code == 302
    assert db.session.scalar(db.select(db.func.count(Attendance.id))) == 1


def test_other_cohort_ids_are_404_for_city_staff(client, login_as, world, build):
    """City staff of another city see nothing of this cohort, whatever the id."""
    login_as(world.other_city_staff)
    for url in [
        f"/cohorts/{world.cohort.id}/sessions",
        f"/sessions/{world.session.id}/roll-call",
        f"/sessions/{world.session.id}/import",
        f"/imports/{world.report.id}",
    ]:
        assert client.get(url).status_code == 404


def test_participant_cannot_see_sessions_of_other_cohorts(client, login_as, world):
    login_as(world.participant)
    assert client.get(f"/my-cohort/sessions/{world.other_cancelled.id}").status_code == 404
    login_as(world.other_participant)
    assert client.get(f"/my-cohort/sessions/{world.session.id}").status_code == 404
    assert client.get(f"/my-cohort/sessions/{world.other_cancelled.id}").status_code == 200


def test_feed_is_public_but_needs_the_token(client, world):
    feed = services.regenerate_feed(cohort=world.cohort)
    db.session.commit()
    assert client.get(f"/calendar/{feed.token}.ics").status_code == 200
    assert client.get("/calendar/nothing.ics").status_code == 404
