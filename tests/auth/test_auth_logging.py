"""The log: a request id on every response and log line, sign-ins, sign-outs and denials
logged with the user id and UTC time, never a password or the email typed, one line each."""

import logging
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from flask import abort

from coop.core.requestlog import LogFormatter
from coop.extensions import db
from tests.auth.conftest import PASSWORD


def security_lines(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "coop.security"]


@pytest.fixture
def seclog(caplog):
    caplog.set_level(logging.INFO, logger="coop")
    return caplog


# -- request id -------------------------------------------------------------------------


def test_every_response_carries_its_own_request_id(client):
    first = client.get("/login").headers["X-Request-ID"]
    second = client.get("/no/such/page").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first) and re.fullmatch(r"[0-9a-f]{32}", second)
    assert first != second


@pytest.mark.parametrize(
    ("incoming", "kept"),
    [
        ("7d3f0c1e-proxy.id_42", True),
        ("x" * 65, False),
        ("two words", False),
        ("<script>", False),
        ("", False),
    ],
)
def test_a_proxys_request_id_is_kept_only_when_it_is_a_short_safe_token(client, incoming, kept):
    returned = client.get("/login", headers={"X-Request-ID": incoming}).headers["X-Request-ID"]
    assert (returned == incoming) is kept
    assert re.fullmatch(r"[A-Za-z0-9._-]{1,64}", returned)


def test_the_500_page_shows_the_request_id_that_the_log_carries(app, client, monkeypatch, caplog):
    def boom():
        raise RuntimeError("kaboom")

    monkeypatch.setitem(app.view_functions, "core.healthz", boom)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    with caplog.at_level(logging.ERROR):
        response = client.get("/healthz")
    assert response.status_code == 500
    rid = response.headers["X-Request-ID"]
    assert f'<code class="request-id">{rid}</code>' in response.get_data(as_text=True)
    logged = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert logged and all(r.request_id == rid for r in logged)


def test_other_error_pages_do_not_show_a_reference(client):
    assert "request-id" not in client.get("/no/such/page").get_data(as_text=True)


# -- sign-in, sign-out, denials -------------------------------------------------------------


def test_a_sign_in_is_logged_with_the_user_id_and_request_id(client, member, sign_in, seclog):
    user = member("staff", email="ada@example.org")
    response = sign_in(client, "ada@example.org")
    assert response.status_code == 302
    [line] = security_lines(seclog)
    assert line.getMessage().startswith(f"sign-in user={user.id} method=password")
    assert line.request_id == response.headers["X-Request-ID"]
    assert PASSWORD not in seclog.text and "ada@example.org" not in seclog.text


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("wrong password", "wrong-password"),
        ("unknown email", "unknown-account"),
        ("deactivated", "deactivated"),
    ],
)
def test_a_refused_sign_in_is_logged_without_email_or_password(
    client, member, sign_in, seclog, case, reason
):
    known = member("participant", email="known@example.org")
    email, password = "known@example.org", PASSWORD
    if case == "wrong password":
        password = "not-the-password-42"
    elif case == "unknown email":
        email = "nobody@example.org"
    else:
        known.active = False
        db.session.commit()
    response = sign_in(client, email, password)
    assert response.status_code == 200
    [line] = security_lines(seclog)
    user_id = "-" if case == "unknown email" else str(known.id)
    assert line.getMessage().startswith(f"sign-in.failed user={user_id} reason={reason}")
    assert line.request_id == response.headers["X-Request-ID"]
    assert password not in seclog.text and email not in seclog.text


def test_signing_in_by_an_emailed_link_is_logged(client, member, outbox, seclog):
    user = member("staff", email="ada@example.org")
    client.post("/reset", data={"email": "ada@example.org"})
    path = re.search(r"https?://[^/]+(/\S+)", outbox[-1].body).group(1)
    new_password = "a brand new passphrase"
    client.post(path, data={"password": new_password, "confirm": new_password})
    messages = [r.getMessage() for r in security_lines(seclog)]
    assert any(m.startswith(f"sign-in user={user.id} method=link") for m in messages)
    assert new_password not in seclog.text


def test_a_sign_out_is_logged(client, login_as, seclog):
    user = login_as("staff")
    response = client.post("/logout")
    assert response.status_code == 302
    [line] = security_lines(seclog)
    assert line.getMessage().startswith(f"sign-out user={user.id}")
    assert line.request_id == response.headers["X-Request-ID"]


def test_a_role_denial_is_logged(client, login_as, seclog):
    user = login_as("participant")
    response = client.get("/people")
    assert response.status_code == 404
    [line] = security_lines(seclog)
    assert line.getMessage().startswith(f"access.denied user={user.id} status=404 path=/people")
    assert line.request_id == response.headers["X-Request-ID"]


def test_an_object_denial_is_logged(client, login_as, factory, seclog):
    login_as("city_staff")
    elsewhere = factory.user("staff", cities=[factory.city()], all_cities=False)
    db.session.commit()
    response = client.post(f"/people/{elsewhere.id}/active", data={"active": "0"})
    assert response.status_code == 404
    assert [r.getMessage().split(" ")[0] for r in security_lines(seclog)] == ["access.denied"]


def test_a_403_is_logged(app, client, login_as, monkeypatch, seclog):
    user = login_as("staff")
    monkeypatch.setitem(app.view_functions, "core.healthz", lambda: abort(403))
    assert client.get("/healthz").status_code == 403
    [line] = security_lines(seclog)
    assert line.getMessage().startswith(f"access.denied user={user.id} status=403")


def test_a_plain_missing_page_is_not_a_denial(client, login_as, seclog):
    login_as("staff")
    assert client.get("/no/such/page").status_code == 404
    assert security_lines(seclog) == []


# -- one line each, in UTC ------------------------------------------------------------


def test_a_cr_or_lf_in_a_typed_email_cannot_split_a_log_line(client, member, sign_in, seclog):
    member("staff", email="ada@example.org")
    forged = "ada@example.org\r\n2026-01-01T00:00:00Z INFO [x] coop.security: sign-in user=1"
    sign_in(client, forged, "wrong-password-1")
    sign_in(client, "nobody@example.org", "x\nINFO forged")
    formatter = LogFormatter()
    lines = [formatter.format(r) for r in seclog.records]
    assert len(security_lines(seclog)) == 2
    assert all("\n" not in line and "\r" not in line for line in lines)
    assert "forged" not in seclog.text and "2026-01-01" not in seclog.text


def test_the_formatter_escapes_line_breaks_in_any_message():
    record = logging.LogRecord("coop", logging.INFO, __file__, 1, "got %s", ("a\r\nb",), None)
    assert LogFormatter().format(record).endswith(r"coop: got a\r\nb")


def test_log_lines_carry_utc_time_and_the_request_id(client, login_as, seclog):
    # The machine's clock and zone in New York: 13:05 there is 18:05 UTC.
    new_york = datetime(2026, 12, 3, 13, 5, 7, tzinfo=ZoneInfo("America/New_York"))
    with time_machine.travel(new_york, tick=False):
        user = login_as("staff")
        response = client.post("/logout")
        [record] = security_lines(seclog)
        line = LogFormatter().format(record)
    rid = response.headers["X-Request-ID"]
    assert line.startswith(
        f"2026-12-03T18:05:07Z INFO [{rid}] coop.security: sign-out user={user.id} "
    )
