"""Who may use each account route: every role x every route.

The object routes act on a participant of New York (invited, so a resend is possible);
"city_staff" is staff for another city. Forbidden requests change nothing.
"""

import pytest

from coop.auth import user_sessions
from coop.auth.models import Role, User, UserSession
from coop.core.models import AuditEvent
from coop.extensions import db

ROLES = ["staff", "city_staff", "captain", "participant", "anonymous"]

#: (method, path template, form data, {role: expected status})
ROUTES = [
    ("GET", "/people", None, {"staff": 200, "city_staff": 200}),
    ("GET", "/people?role=captain&page=2", None, {"staff": 200, "city_staff": 200}),
    ("GET", "/people/invite", None, {"staff": 200, "city_staff": 200}),
    (
        "POST",
        "/people/invite",
        {"name": "Newcomer", "email": "newcomer@example.org", "role": "participant"},
        {"staff": 302, "city_staff": 302},
    ),
    ("POST", "/people/{target}/active", {"active": "0"}, {"staff": 302, "city_staff": 404}),
    ("POST", "/people/{target}/invite", {}, {"staff": 302, "city_staff": 404}),
    (
        "GET",
        "/account",
        None,
        {"staff": 200, "city_staff": 200, "captain": 200, "participant": 200},
    ),
    (
        "POST",
        "/account",
        {"name": "Renamed", "timezone": ""},
        {"staff": 302, "city_staff": 302, "captain": 302, "participant": 302},
    ),
    ("POST", "/logout", {}, {"staff": 302, "city_staff": 302, "captain": 302, "participant": 302}),
    ("GET", "/audit", None, {"staff": 200, "city_staff": 200}),
    ("GET", "/audit?action=personal_data&page=2", None, {"staff": 200, "city_staff": 200}),
    ("GET", "/audit.csv", None, {"staff": 200, "city_staff": 200}),
    (
        "GET",
        "/account/disclosures",
        None,
        {"staff": 200, "city_staff": 200, "captain": 200, "participant": 200},
    ),
    # Someone else's session (the target's): nobody may end it.
    ("POST", "/account/sessions/{target_session}/end", {}, {}),
    (
        "POST",
        "/account/sessions/end-others",
        {},
        {"staff": 302, "city_staff": 302, "captain": 302, "participant": 302},
    ),
    # two-step sign-in (coop/auth/mfa_views.py)
    ("POST", "/people/{target}/mfa/reset", {}, {"staff": 302, "city_staff": 404}),
    (
        "GET",
        "/account/mfa",
        None,
        {"staff": 200, "city_staff": 200, "captain": 200, "participant": 200},
    ),
    ("GET", "/account/mfa/qr.svg", None, {}),  # nothing being set up: 404 for everyone
]


@pytest.fixture
def target(factory):
    nyc = factory.city("New York")
    user = factory.user(Role.PARTICIPANT, name="Target Person", password_hash=None)
    factory.enrollment(cohort=factory.cohort(city=nyc), user=user)
    db.session.commit()
    return user


@pytest.fixture
def target_session(target):
    row, _ = user_sessions.start(target, user_agent="Firefox/1 (Linux)", ip="127.0.0.1")
    db.session.commit()
    return row


def sign_in_as(role, login_as, factory):
    if role == "anonymous":
        return None
    if role == "city_staff":
        return login_as("city_staff", cities=[factory.city("Elsewhere")])
    return login_as(role)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "path", "data", "allowed"), ROUTES, ids=[f"{m} {p}" for m, p, _, _ in ROUTES]
)
def test_role_by_route(
    client, login_as, factory, target, target_session, outbox, role, method, path, data, allowed
):
    sign_in_as(role, login_as, factory)
    url = path.format(target=target.id, target_session=target_session.id)
    events_before = db.session.scalar(db.select(db.func.count()).select_from(AuditEvent))
    response = client.open(url, method=method, data=data)

    if role == "anonymous":
        assert response.status_code == 302
        if path == "/logout":  # nothing to sign out of: straight to the sign-in page
            assert response.location == "/login"
        else:
            assert response.location.startswith("/login?next=")
        expected = None
    else:
        expected = allowed.get(role, 404)
        assert response.status_code == expected, response.get_data(as_text=True)[:500]

    db.session.expire_all()
    events_after = db.session.scalar(db.select(db.func.count()).select_from(AuditEvent))
    if expected in (None, 404):
        # Refused: nothing written, no mail, the target untouched.
        assert events_after == events_before
        assert outbox == []
        assert db.session.get(User, target.id).active
        assert db.session.get(UserSession, target_session.id).ended_at is None
    elif method == "POST":
        assert events_after > events_before
