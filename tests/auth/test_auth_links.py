"""Invitation and password-reset links: signed, single-use, expiring; and the password rule."""

import pytest

from coop.auth import tokens
from coop.auth.models import Role, User
from coop.auth.passwords import TOO_LONG, TOO_SHORT
from coop.core.models import AuditEvent
from coop.extensions import db

DAY = 24 * 3600


def invite(client, login_as, outbox, email="new@example.org", role="participant", **extra):
    login_as("staff")
    data = {"name": "New Person", "email": email, "role": role, **extra}
    response = client.post("/people/invite", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    client.post("/logout")
    return outbox[-1]


def user_by_email(email) -> User:
    return db.session.scalar(db.select(User).where(User.email == email))


def choose(client, path, password="a good passphrase", confirm=None):
    return client.post(path, data={"password": password, "confirm": confirm or password})


# -- invitations -----------------------------------------------------------------------


def test_invitation_mail_carries_a_link_that_sets_the_password_once(
    app, client, login_as, outbox, link_path
):
    message = invite(client, login_as, outbox)
    assert message.to == ["new@example.org"]
    assert "7 days" in message.body
    user = user_by_email("new@example.org")
    assert user.password_hash is None
    path = link_path(message)
    assert path.startswith("/invite/")

    page = client.get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Welcome, New Person" in html and "new@example.org" in html
    assert page.headers["Cache-Control"] == "no-store"

    response = choose(client, path)
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert db.session.get(User, user.id).password_hash.startswith("$argon2id$")

    # Once only: the same link now says it no longer works, to anyone.
    for browser in (client, app.test_client()):
        again = browser.get(path)
        assert again.status_code == 410
        assert "This link no longer works" in again.get_data(as_text=True)
        assert choose(browser, path, "another passphrase").status_code == 410


def test_invitation_link_works_for_7_days_and_not_after(
    client, login_as, outbox, link_clock, link_path
):
    path = link_path(invite(client, login_as, outbox))
    link_clock.advance(7 * DAY - 60)
    assert client.get(path).status_code == 200
    link_clock.advance(61)
    expired = client.get(path)
    assert expired.status_code == 410
    assert "7 days" in expired.get_data(as_text=True)
    assert choose(client, path).status_code == 410
    assert user_by_email("new@example.org").password_hash is None


def test_a_reset_link_does_not_open_the_invitation_page(client, member, outbox, link_path):
    user = member("staff", email="ada@example.org")
    client.post("/reset", data={"email": "ada@example.org"})
    token = link_path(outbox[-1]).rsplit("/", 1)[1]
    assert client.get(f"/invite/{token}").status_code == 410
    assert tokens.load_token(token, tokens.INVITE) is None
    assert tokens.load_token(token, tokens.RESET).id == user.id


@pytest.mark.parametrize("token", ["garbage", "eyJ1IjoxfQ.Zz.abc", ""])
def test_forged_or_garbled_links_are_refused(client, token):
    assert client.get(f"/invite/{token}x").status_code == 410
    assert client.get(f"/reset/{token}x").status_code == 410


def test_invitation_of_a_deactivated_person_stops_working(client, login_as, outbox, link_path):
    path = link_path(invite(client, login_as, outbox))
    user = user_by_email("new@example.org")
    user.active = False
    db.session.commit()
    assert client.get(path).status_code == 410


def test_resent_invitation_works_and_the_first_link_still_does_until_used(
    client, login_as, outbox, link_path
):
    first = link_path(invite(client, login_as, outbox))
    user = user_by_email("new@example.org")
    login_as("staff")
    response = client.post(f"/people/{user.id}/invite")
    assert response.status_code == 302
    assert "Invitation sent again to new@example.org" in client.get("/people").get_data(
        as_text=True
    )
    second = link_path(outbox[-1])
    client.post("/logout")
    assert choose(client, second).status_code == 302
    client.post("/logout")
    assert client.get(first).status_code == 410


def test_no_resend_for_someone_who_has_a_password(client, login_as, member, outbox):
    user = member("participant")
    login_as("staff")
    client.post(f"/people/{user.id}/invite")
    assert outbox == []
    assert "already set a password" in client.get("/people").get_data(as_text=True)


# -- password reset --------------------------------------------------------------------


def test_reset_request_answers_the_same_for_known_and_unknown_addresses(client, member, outbox):
    member("staff", email="ada@example.org")
    known = client.post("/reset", data={"email": "ada@example.org"})
    known_page = client.get(known.location).get_data(as_text=True)
    assert len(outbox) == 1
    unknown = client.post("/reset", data={"email": "nobody@example.org"})
    unknown_page = client.get(unknown.location).get_data(as_text=True)
    assert len(outbox) == 1  # no mail for an unknown address
    assert (known.status_code, known.location) == (unknown.status_code, unknown.location)
    assert known.get_data() == unknown.get_data()
    assert "If an account uses that address" in known_page
    assert known_page == unknown_page


def test_reset_links_ignore_a_forged_host_header_when_server_name_is_set(
    app, client, member, outbox, monkeypatch
):
    # Production requires SERVER_NAME (see test_config); without it the link would be
    # built from whatever Host header the requester sent.
    monkeypatch.setitem(app.config, "SERVER_NAME", "coop.example.org")
    member("staff", email="ada@example.org")
    client.post("/reset", data={"email": "ada@example.org"}, headers={"Host": "evil.example"})
    assert "http://coop.example.org/reset/" in outbox[-1].body
    assert "evil.example" not in outbox[-1].body


def test_no_reset_mail_for_a_deactivated_account(client, member, outbox):
    user = member("staff", email="ada@example.org")
    user.active = False
    db.session.commit()
    response = client.post("/reset", data={"email": "ada@example.org"})
    assert response.status_code == 302
    assert outbox == []


def test_reset_link_sets_a_new_password_once(app, client, member, outbox, link_path, sign_in):
    user = member("participant", email="pat@example.org")
    client.post("/reset", data={"email": "Pat@Example.org"})
    message = outbox[-1]
    assert message.to == ["pat@example.org"]
    assert "60 minutes" in message.body
    path = link_path(message)
    assert path.startswith("/reset/")
    assert client.get(path).status_code == 200

    assert choose(client, path, "my new passphrase").status_code == 302
    assert client.get("/account").status_code == 200
    client.post("/logout")
    assert sign_in(client, "pat@example.org", "my new passphrase").status_code == 302
    assert sign_in(app.test_client(), "pat@example.org").status_code == 200  # old one is gone

    assert app.test_client().get(path).status_code == 410
    assert choose(app.test_client(), path, "a third passphrase").status_code == 410
    actions = db.session.scalars(
        db.select(AuditEvent.action).where(AuditEvent.target_id == user.id)
    ).all()
    assert {"user.reset_requested", "user.password"} <= set(actions)


def test_reset_link_expires_after_60_minutes(client, member, outbox, link_clock, link_path):
    member("participant", email="pat@example.org")
    client.post("/reset", data={"email": "pat@example.org"})
    path = link_path(outbox[-1])
    link_clock.advance(59 * 60)
    assert client.get(path).status_code == 200
    link_clock.advance(61)
    expired = client.get(path)
    assert expired.status_code == 410
    assert "60 minutes" in expired.get_data(as_text=True)
    assert choose(client, path).status_code == 410


def test_reset_requests_are_limited_per_network_address(client, member, outbox):
    member("staff", email="ada@example.org")
    for n in range(20):
        assert client.post("/reset", data={"email": f"x{n}@example.org"}).status_code == 302
    response = client.post("/reset", data={"email": "ada@example.org"})
    assert response.status_code == 429
    assert "Too many reset requests" in response.get_data(as_text=True)
    assert outbox == []


@pytest.mark.parametrize("email", ["ada@example.org", "nobody@example.org"])
def test_reset_mails_to_one_address_are_limited(client, member, outbox, email):
    member("staff", email="ada@example.org")
    for _ in range(5):
        assert client.post("/reset", data={"email": email}).status_code == 302
    response = client.post("/reset", data={"email": email.upper()})
    assert response.status_code == 429
    assert "Too many reset requests" in response.get_data(as_text=True)
    assert len(outbox) == (5 if email == "ada@example.org" else 0)
    # Other addresses are unaffected.
    assert client.post("/reset", data={"email": "other@example.org"}).status_code == 302


# -- the password rule -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("length", "message"), [(7, TOO_SHORT), (129, TOO_LONG), (0, "Choose a password.")]
)
def test_too_short_or_too_long_passwords_are_refused(
    client, member, outbox, link_path, length, message
):
    user = member("participant", email="pat@example.org")
    client.post("/reset", data={"email": "pat@example.org"})
    path = link_path(outbox[-1])
    response = choose(client, path, "p" * length)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.get(User, user.id).password_hash == user.password_hash
    assert client.get(path).status_code == 200  # the link is not used up


@pytest.mark.parametrize("password", ["p" * 8, "p" * 128, "        ", "ü" * 8, "short 🙂 ok"])
def test_any_password_of_8_to_128_characters_is_accepted(
    client, member, outbox, link_path, sign_in, password
):
    member("participant", email="pat@example.org")
    client.post("/reset", data={"email": "pat@example.org"})
    response = choose(client, link_path(outbox[-1]), password)
    assert response.status_code == 302
    client.post("/logout")
    assert sign_in(client, "pat@example.org", password).status_code == 302


def test_the_two_passwords_must_match(client, member, outbox, link_path):
    member("participant", email="pat@example.org")
    client.post("/reset", data={"email": "pat@example.org"})
    response = choose(client, link_path(outbox[-1]), "a good passphrase", "a good passphrasf")
    assert response.status_code == 200
    assert "The two passwords differ." in response.get_data(as_text=True)


def test_stored_hash_is_argon2id(client, login_as, outbox, link_path):
    path = link_path(invite(client, login_as, outbox))
    choose(client, path)
    stored = user_by_email("new@example.org").password_hash
    assert stored.startswith("$argon2id$v=19$")
    assert "a good passphrase" not in stored


def test_composed_and_decomposed_accents_are_the_same_password(
    client, member, outbox, link_path, sign_in
):
    member(Role.PARTICIPANT, email="pat@example.org")
    client.post("/reset", data={"email": "pat@example.org"})
    composed = "caf\u00e9 au lait"
    choose(client, link_path(outbox[-1]), composed)
    client.post("/logout")
    assert sign_in(client, "pat@example.org", "cafe\u0301 au lait").status_code == 302
