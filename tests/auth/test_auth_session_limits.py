"""Sessions end: after a while without activity, a fixed time after signing in, when the
person signs out or ends them from their account page, and with a new password or
deactivation. The clock is moved with time-machine, never slept on."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from coop.auth import user_sessions
from coop.auth.models import User, UserSession
from coop.core.models import AuditEvent
from coop.extensions import db

START = datetime(2026, 11, 10, 15, 0, tzinfo=UTC)
FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36"
)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def signed_out(response) -> bool:
    return response.status_code == 302 and response.location.startswith("/login")


def browser(app, agent=FIREFOX_LINUX):
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = agent
    return client


def rows_of(user) -> list[UserSession]:
    db.session.expire_all()
    return db.session.scalars(
        db.select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id)
    ).all()


# -- idle limit ------------------------------------------------------------------------


def test_staff_idle_for_29_minutes_stay_signed_in_and_31_are_signed_out(clock, client, login_as):
    login_as("staff")
    clock.shift(timedelta(minutes=29))
    assert client.get("/account").status_code == 200
    # That request was activity: another 29 minutes from it are fine too.
    clock.shift(timedelta(minutes=29))
    assert client.get("/account").status_code == 200
    clock.shift(timedelta(minutes=31))
    assert signed_out(client.get("/account"))
    page = client.get("/login").get_data(as_text=True)
    assert "Your session ended after 30 minutes without activity; sign in again." in page
    # Signed out for good: the next page does not let them back in.
    assert signed_out(client.get("/account"))


@pytest.mark.parametrize("role", ["participant", "captain"])
def test_others_are_signed_out_after_two_hours_idle(clock, client, login_as, role):
    login_as(role)
    clock.shift(timedelta(minutes=119))
    assert client.get("/account").status_code == 200
    clock.shift(timedelta(minutes=121))
    assert signed_out(client.get("/account"))
    page = client.get("/login").get_data(as_text=True)
    assert "after 120 minutes without activity" in page


def test_the_idle_limit_is_configurable(app, clock, client, login_as, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES_STAFF", 5)
    login_as("staff")
    clock.shift(timedelta(minutes=6))
    assert signed_out(client.get("/account"))
    assert "after 5 minutes without activity" in client.get("/login").get_data(as_text=True)


def test_last_seen_is_written_at_most_once_a_minute(clock, client, login_as):
    user = login_as("participant")
    clock.shift(timedelta(seconds=30))
    client.get("/account")
    [row] = rows_of(user)
    assert row.last_seen_at == START
    clock.shift(timedelta(seconds=40))
    client.get("/account")
    [row] = rows_of(user)
    assert row.last_seen_at == START + timedelta(seconds=70)


# -- absolute limit --------------------------------------------------------------------


def test_staff_are_signed_out_12_hours_after_signing_in_however_active(clock, client, login_as):
    login_as("staff")
    for _ in range(28):  # a request every 25 minutes: 11 h 40 min
        clock.shift(timedelta(minutes=25))
        assert client.get("/account").status_code == 200
    clock.shift(timedelta(minutes=25))  # 12 h 05 min
    assert signed_out(client.get("/account"))
    page = client.get("/login").get_data(as_text=True)
    assert "Your session ended 12 hours after you signed in; sign in again." in page


def test_others_are_signed_out_14_days_after_signing_in_and_a_re_signed_cookie_too(
    app, clock, member, sign_in
):
    member("participant", email="pat@example.org")
    laptop = browser(app)
    assert sign_in(laptop, "pat@example.org").status_code == 302
    with laptop.session_transaction() as data:
        stolen = dict(data)
    elapsed = timedelta()
    while elapsed < timedelta(days=14) - timedelta(minutes=115):
        clock.shift(timedelta(minutes=115))
        elapsed += timedelta(minutes=115)
        assert laptop.get("/account").status_code == 200
    clock.shift(timedelta(days=14) - elapsed + timedelta(minutes=1))
    assert signed_out(laptop.get("/account"))
    page = laptop.get("/login").get_data(as_text=True)
    assert "Your session ended 14 days after you signed in; sign in again." in page

    # The stolen session, signed again now with the real key: a valid signature, refused.
    thief = browser(app)
    cookie = app.session_interface.get_signing_serializer(app).dumps(stolen)
    thief.set_cookie("session", cookie)
    assert signed_out(thief.get("/account"))


def test_a_copied_cookie_kept_alive_elsewhere_is_still_refused_after_the_limit(
    app, clock, member, sign_in, monkeypatch
):
    """The copy is used every hour, so it is never idle: the absolute limit (here set to
    a day) ends it."""
    monkeypatch.setitem(app.config, "SESSION_MAX_HOURS", 24)
    member("captain", email="cap@example.org")
    owner = browser(app)
    sign_in(owner, "cap@example.org")
    copy = browser(app)
    copy.set_cookie("session", owner.get_cookie("session").value)
    for _ in range(23):
        clock.shift(timedelta(hours=1))
        assert copy.get("/account").status_code == 200
    clock.shift(timedelta(hours=1))
    assert signed_out(copy.get("/account"))
    assert "Your session ended 24 hours after" in copy.get("/login").get_data(as_text=True)
    assert signed_out(owner.get("/account"))


def test_flask_refuses_a_session_cookie_signed_longer_ago_than_the_limit(app):
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(days=14)
    assert app.config["REMEMBER_COOKIE_DURATION"] <= timedelta(days=14)


# -- the warning -----------------------------------------------------------------------


def test_a_staff_page_says_when_the_idle_limit_ends_the_session(clock, client, login_as):
    login_as("staff", timezone="America/New_York")
    clock.shift(timedelta(minutes=10))
    page = client.get("/account").get_data(as_text=True)
    deadline = START + timedelta(minutes=40)  # this request moved last seen to 15:10 UTC
    assert f'<meta name="coop-idle-deadline" content="{deadline.isoformat()}">' in page
    # Without JavaScript: 15:40 UTC is 10:40 in New York.
    assert "Signed in until 10:40 EST if idle" in page
    # No inline script: the warning comes from app.js.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)


def test_the_deadline_is_never_after_the_absolute_limit(clock, client, login_as):
    login_as("staff")
    for _ in range(28):
        clock.shift(timedelta(minutes=25))
        page = client.get("/account").get_data(as_text=True)
    end = (START + timedelta(hours=12)).isoformat()
    assert f'<meta name="coop-idle-deadline" content="{end}">' in page


def test_the_app_script_shows_the_warning():
    from pathlib import Path

    script = (Path(__file__).parents[2] / "coop" / "static" / "app.js").read_text()
    assert 'meta[name="coop-idle-deadline"]' in script
    assert "Your session ends in 5 minutes without activity" in script


@pytest.mark.parametrize("role", ["participant", "captain"])
def test_other_pages_carry_no_deadline(client, login_as, role):
    login_as(role)
    page = client.get("/account").get_data(as_text=True)
    assert "coop-idle-deadline" not in page
    assert "Signed in until" not in page


# -- the list of sessions --------------------------------------------------------------


@pytest.fixture
def two_devices(app, clock, member, sign_in):
    """A participant signed in on a Linux laptop and, a minute later, an Android phone."""
    user = member("participant", email="pat@example.org", timezone="Europe/London")
    laptop = browser(app, FIREFOX_LINUX)
    assert sign_in(laptop, "pat@example.org").status_code == 302
    clock.shift(timedelta(minutes=1))
    phone = browser(app, CHROME_ANDROID)
    assert sign_in(phone, "pat@example.org").status_code == 302
    return user, laptop, phone


def test_the_account_page_lists_the_persons_sessions(two_devices):
    user, laptop, phone = two_devices
    page = laptop.get("/account").get_data(as_text=True)
    assert "Your sessions" in page
    assert "Firefox on Linux" in page
    assert "Chrome on Android" in page
    assert re.search(r"Firefox on Linux\s*<span[^>]*>this device</span>", page)
    assert page.count("this device") == 1
    assert "127.0.0.1" in page
    assert "last seen Tue 10 Nov 2026, 15:01 GMT" in page  # in the person's zone
    laptop_row, phone_row = rows_of(user)
    assert f"/account/sessions/{phone_row.id}/end" in page
    assert f"/account/sessions/{laptop_row.id}/end" not in page  # this one: sign out instead
    assert "End all other sessions" in page


def test_ending_another_session_signs_that_browser_out(two_devices):
    user, laptop, phone = two_devices
    laptop_row, phone_row = rows_of(user)
    response = laptop.post(f"/account/sessions/{phone_row.id}/end")
    assert response.status_code == 302
    assert response.location == "/account"
    page = laptop.get("/account").get_data(as_text=True)
    assert "The session on Chrome on Android is ended." in page
    assert "Chrome on Android" not in page.split("is ended.")[1]
    assert signed_out(phone.get("/account"))
    assert laptop.get("/account").status_code == 200
    laptop_row, phone_row = rows_of(user)
    assert phone_row.ended_at is not None and laptop_row.ended_at is None
    actions = db.session.scalars(
        db.select(AuditEvent.action).where(AuditEvent.target_id == user.id)
    ).all()
    assert "user.sessions_ended" in actions


def test_ending_all_other_sessions(app, two_devices, sign_in):
    user, laptop, phone = two_devices
    tablet = browser(app, "Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) Version/17.0 Safari/605")
    sign_in(tablet, "pat@example.org")
    response = phone.post("/account/sessions/end-others")
    assert response.status_code == 302
    assert "Your other sessions are ended." in phone.get("/account").get_data(as_text=True)
    assert signed_out(laptop.get("/account"))
    assert signed_out(tablet.get("/account"))
    assert phone.get("/account").status_code == 200
    assert [r.ended_at is None for r in rows_of(user)] == [False, True, False]


def test_someone_elses_session_cannot_be_ended(app, two_devices, member, sign_in):
    user, laptop, phone = two_devices
    member("participant", email="eve@example.org")
    eve = browser(app)
    sign_in(eve, "eve@example.org")
    _, phone_row = rows_of(user)
    assert eve.post(f"/account/sessions/{phone_row.id}/end").status_code == 404
    assert eve.post("/account/sessions/999999/end").status_code == 404
    assert rows_of(user)[1].ended_at is None
    assert phone.get("/account").status_code == 200


def test_this_session_is_not_ended_from_the_list(two_devices):
    user, laptop, phone = two_devices
    laptop_row, _ = rows_of(user)
    assert laptop.post(f"/account/sessions/{laptop_row.id}/end").status_code == 404
    assert laptop.get("/account").status_code == 200


def test_ended_and_expired_sessions_are_not_listed(clock, two_devices):
    user, laptop, phone = two_devices
    clock.shift(timedelta(minutes=119))
    phone.get("/account")
    clock.shift(timedelta(minutes=2))  # the laptop is now idle for 2 h 1 min
    page = phone.get("/account").get_data(as_text=True)
    assert "Firefox on Linux" not in page
    assert "End all other sessions" not in page


# -- what ends sessions ----------------------------------------------------------------


def test_signing_out_ends_this_session_only(two_devices):
    user, laptop, phone = two_devices
    copied = laptop.get_cookie("session").value
    assert laptop.post("/logout").status_code == 302
    laptop_row, phone_row = rows_of(user)
    assert laptop_row.ended_at is not None
    assert phone_row.ended_at is None
    assert phone.get("/account").status_code == 200
    replay = browser(laptop.application)
    replay.set_cookie("session", copied)
    assert signed_out(replay.get("/account"))


def test_deactivation_ends_every_session(two_devices, client, login_as):
    user, laptop, phone = two_devices
    login_as("staff")
    assert client.post(f"/people/{user.id}/active", data={"active": "0"}).status_code == 302
    assert all(r.ended_at is not None for r in rows_of(user))
    assert signed_out(laptop.get("/account"))
    assert signed_out(phone.get("/account"))


def test_a_new_password_ends_every_session(app, two_devices, outbox, link_path):
    user, laptop, phone = two_devices
    laptop.post("/reset", data={"email": "pat@example.org"})
    reset = browser(app)
    reset.post(
        link_path(outbox[-1]), data={"password": "a new passphrase", "confirm": "a new passphrase"}
    )
    rows = rows_of(user)
    assert [r.ended_at is not None for r in rows] == [True, True, False]  # the new one lives
    assert reset.get("/account").status_code == 200
    assert signed_out(laptop.get("/account"))
    assert signed_out(phone.get("/account"))


def test_a_signed_in_cookie_from_before_session_rows_is_refused(client, factory):
    """A cookie with a valid user id and version but no session token (issued before this
    change, or forged) signs nobody in."""
    user = factory.user("staff")
    db.session.commit()
    with client.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
    assert signed_out(client.get("/account"))


def test_signing_in_records_the_device(app, clock, member, sign_in):
    user = member("captain", email="cap@example.org")
    sign_in(browser(app, CHROME_ANDROID), "cap@example.org")
    [row] = rows_of(user)
    assert (row.device, row.ip, row.created_at, row.ended_at) == (
        "Chrome on Android",
        "127.0.0.1",
        START,
        None,
    )
    assert len(row.token_hash) == 64
    assert db.session.get(User, user.id).last_login_at == START


@pytest.mark.parametrize(
    ("agent", "device"),
    [
        (FIREFOX_LINUX, "Firefox on Linux"),
        (CHROME_ANDROID, "Chrome on Android"),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0 Safari/537.36 Edg/126.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
            "Safari on iOS",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.5 Safari/605.1.15",
            "Safari on macOS",
        ),
        ("curl/8.5.0", "curl/8.5.0"),
        ("", "Unknown device"),
        ("x" * 300, "x" * 120),
    ],
)
def test_devices_are_named_simply(agent, device):
    assert user_sessions.describe_device(agent) == device


def test_rows_past_the_absolute_limit_go_at_the_next_sign_in(app, clock, member, sign_in):
    """The table keeps about one row per recent sign-in: a row older than the absolute
    limit can never be live again and is deleted when the person next signs in."""
    user = member("captain", email="cap@example.org")
    sign_in(browser(app), "cap@example.org")
    sign_in(browser(app), "cap@example.org")
    assert len(rows_of(user)) == 2
    clock.shift(timedelta(days=15))
    sign_in(browser(app), "cap@example.org")
    [row] = rows_of(user)
    assert row.created_at == START + timedelta(days=15)
