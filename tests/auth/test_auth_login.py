"""Signing in: the form, one message for every failure, next=, the session, CSRF and the
failure limit."""

import re

import pytest

from coop.auth.models import User
from coop.auth.views import INVALID_LOGIN, is_safe_next
from coop.extensions import db


def test_login_page_has_labelled_fields_and_a_sign_in_button(client):
    response = client.get("/login")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.search(r'<label[^>]*for="email"[^>]*>Email</label>', html)
    assert re.search(r'<label[^>]*for="password"[^>]*>Password</label>', html)
    assert re.search(r'<button type="submit"[^>]*>Sign in</button>', html)
    assert 'type="password"' in html


def test_correct_password_signs_in_and_records_the_time(client, member, sign_in):
    user = member("staff", email="ada@example.org")
    response = sign_in(client, "ada@example.org")
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert db.session.get(User, user.id).last_login_at is not None


def test_email_is_matched_without_case_or_spaces(client, member, sign_in):
    member("staff", email="ada@example.org")
    assert sign_in(client, "  Ada@Example.ORG ").status_code == 302


@pytest.mark.parametrize("case", ["wrong password", "unknown email", "deactivated", "invited"])
def test_every_failure_gets_the_same_answer(client, member, sign_in, case):
    known = member("participant", email="known@example.org")
    email, password = "known@example.org", "correct horse battery"
    if case == "wrong password":
        password = "not the password"
    elif case == "unknown email":
        email = "nobody@example.org"
    elif case == "deactivated":
        known.active = False
        db.session.commit()
    else:
        known.password_hash = None
        db.session.commit()
    response = sign_in(client, email, password)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert INVALID_LOGIN in html
    # The page says nothing else about the account.
    for hint in ("deactivated", "no account", "not found", "invited", "unknown"):
        assert hint not in html.lower()
    assert client.get("/account").status_code == 302


def test_a_signed_in_visitor_is_sent_home_from_the_login_page(client, login_as):
    login_as("staff")
    response = client.get("/login")
    assert response.status_code == 302
    assert not response.location.endswith("/login")


def test_anonymous_visit_to_a_staff_page_lands_on_login_and_comes_back(client, member, sign_in):
    member("staff", email="ada@example.org")
    response = client.get("/people?role=staff")
    assert response.status_code == 302
    assert response.location.startswith("/login?next=")
    login_page = client.get(response.location)
    assert "Please sign in to see that page." in login_page.get_data(as_text=True)
    signed_in = client.post(
        response.location, data={"email": "ada@example.org", "password": "correct horse battery"}
    )
    assert signed_in.status_code == 302
    assert signed_in.location == "/people?role=staff"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "//evil.example/people",
        "https://evil.example",
        "https://evil.example/people",
        "http:evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        " //evil.example",
        "javascript:alert(1)",
        "people",
    ],
)
def test_next_to_anywhere_but_a_local_path_is_ignored(client, member, sign_in, target):
    member("staff", email="ada@example.org")
    response = sign_in(client, "ada@example.org", next=target)
    assert response.status_code == 302
    assert response.location.startswith("/")
    assert not response.location.startswith("//")
    assert "evil" not in response.location
    assert not is_safe_next(target)


def test_local_next_paths_are_kept():
    assert is_safe_next("/people")
    assert is_safe_next("/people?role=staff&page=2")
    assert not is_safe_next("")
    assert not is_safe_next(None)


def test_the_session_is_renewed_at_sign_in(client, member, sign_in):
    member("staff", email="ada@example.org")
    with client.session_transaction() as planted:
        planted["planted"] = "by someone else"
        planted["_user_id"] = "not-a-user"
    before = client.get_cookie("session").value
    sign_in(client, "ada@example.org")
    after = client.get_cookie("session").value
    assert after != before
    with client.session_transaction() as fresh:
        assert "planted" not in fresh
        assert fresh["_user_id"].startswith(str(db.session.scalar(db.select(User.id))))


def test_session_cookie_is_httponly_and_samesite_lax(client, member, sign_in):
    member("staff", email="ada@example.org")
    response = sign_in(client, "ada@example.org")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    # Not Secure in development and tests (plain http); production is tested in test_config.
    assert "Secure" not in cookie


def test_login_post_without_csrf_token_is_refused(client, member, csrf_enabled):
    member("staff", email="ada@example.org")
    response = client.post(
        "/login", data={"email": "ada@example.org", "password": "correct horse battery"}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Form expired" in html
    assert "security token" in html
    with client.session_transaction() as sess:
        assert "_user_id" not in sess


def test_login_post_with_csrf_token_works(client, member, csrf_enabled):
    member("staff", email="ada@example.org")
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post(
        "/login",
        data={"email": "ada@example.org", "password": "correct horse battery", "csrf_token": token},
    )
    assert response.status_code == 302


def test_logout_needs_post_and_a_csrf_token(client, login_as, csrf_enabled):
    login_as("staff")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/account").status_code == 200


def test_eleventh_failure_on_one_account_gets_429(client, member, sign_in):
    member("staff", email="target@example.org")
    member("staff", email="other@example.org")
    for _ in range(10):
        response = sign_in(client, "target@example.org", "wrong password")
        assert response.status_code == 200
        assert INVALID_LOGIN in response.get_data(as_text=True)
    response = sign_in(client, "target@example.org", "wrong password")
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "Too many failed sign-in attempts for this account" in html
    assert "15 minutes" in html
    # Further attempts are refused too, even with the right password ...
    assert sign_in(client, "TARGET@example.org").status_code == 429
    # ... while another account signs in as usual.
    assert sign_in(client, "other@example.org").status_code == 302


def test_successful_sign_ins_do_not_count_towards_the_limit(client, member, sign_in):
    member("staff", email="ada@example.org")
    for _ in range(12):
        assert sign_in(client, "ada@example.org").status_code == 302
        client.post("/logout")
    for _ in range(10):
        assert sign_in(client, "ada@example.org", "wrong password").status_code == 200
    assert sign_in(client, "ada@example.org", "wrong password").status_code == 429


def test_failures_expire_after_15_minutes(client, member, sign_in, monkeypatch):
    import limits.storage.memory as memory_storage

    member("staff", email="ada@example.org")
    now = [1_000_000.0]
    monkeypatch.setattr(memory_storage.time, "time", lambda: now[0])
    for _ in range(10):
        sign_in(client, "ada@example.org", "wrong password")
    assert sign_in(client, "ada@example.org").status_code == 429
    now[0] += 14 * 60
    assert sign_in(client, "ada@example.org").status_code == 429
    now[0] += 61
    assert sign_in(client, "ada@example.org").status_code == 302


def test_password_over_128_characters_is_not_even_checked(client, member, sign_in):
    member("staff", email="ada@example.org")
    response = sign_in(client, "ada@example.org", "x" * 129)
    assert response.status_code == 200
    assert "longer than 128" in response.get_data(as_text=True)


def test_a_rehash_happens_when_the_cost_settings_change(app, client, member, sign_in, monkeypatch):
    user = member("staff", email="ada@example.org")
    old_hash = user.password_hash
    monkeypatch.setitem(app.config, "ARGON2_TIME_COST", 2)
    assert sign_in(client, "ada@example.org").status_code == 302
    new_hash = db.session.get(User, user.id).password_hash
    assert new_hash != old_hash
    assert new_hash.startswith("$argon2id$") and ",t=2," in new_hash
