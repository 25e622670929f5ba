"""Signing out and deactivation end sessions on the server: a copied cookie stops working."""

from coop.auth.models import User
from coop.core.models import AuditEvent
from coop.extensions import db


def replay(app, cookie_value):
    """A fresh browser that only has a copy of the session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie_value)
    return thief


def test_cookie_copied_before_sign_out_is_refused_afterwards(app, client, member, sign_in):
    member("captain", email="cap@example.org")
    assert sign_in(client, "cap@example.org").status_code == 302
    copied = client.get_cookie("session").value
    # The copy works while the session is alive (so the refusal below is the sign-out's doing).
    assert replay(app, copied).get("/account").status_code == 200

    response = client.post("/logout")
    assert response.status_code == 302
    assert response.location == "/login"
    assert "You are signed out." in client.get("/login").get_data(as_text=True)

    stale = replay(app, copied).get("/account")
    assert stale.status_code == 302
    assert stale.location.startswith("/login")
    assert client.get("/account").status_code == 302


def test_sign_out_is_audited(client, member, sign_in):
    user = member("participant", email="pat@example.org")
    sign_in(client, "pat@example.org")
    client.post("/logout")
    actions = db.session.scalars(
        db.select(AuditEvent.action).where(AuditEvent.target_id == user.id)
    ).all()
    assert "user.sessions_ended" in actions


def test_deactivation_ends_the_persons_sessions_at_once(app, client, member, sign_in, login_as):
    member("participant", email="pat@example.org")
    victim_browser = app.test_client()
    assert sign_in(victim_browser, "pat@example.org").status_code == 302
    copied = victim_browser.get_cookie("session").value
    assert replay(app, copied).get("/account").status_code == 200

    login_as("staff")
    user = db.session.scalar(db.select(User).where(User.email == "pat@example.org"))
    response = client.post(f"/people/{user.id}/active", data={"active": "0"})
    assert response.status_code == 302
    assert "deactivated and signed out" in client.get("/people").get_data(as_text=True)

    for browser in (victim_browser, replay(app, copied)):
        stale = browser.get("/account")
        assert stale.status_code == 302
        assert stale.location.startswith("/login")
    # And they cannot sign in again.
    assert sign_in(app.test_client(), "pat@example.org").status_code == 200


def test_reactivation_lets_the_person_sign_in_but_not_revive_old_cookies(
    app, client, member, sign_in, login_as
):
    user = member("participant", email="pat@example.org")
    browser = app.test_client()
    sign_in(browser, "pat@example.org")
    copied = browser.get_cookie("session").value
    login_as("staff")
    client.post(f"/people/{user.id}/active", data={"active": "0"})
    client.post(f"/people/{user.id}/active", data={"active": "1"})
    assert db.session.get(User, user.id).active
    assert replay(app, copied).get("/account").status_code == 302
    assert sign_in(app.test_client(), "pat@example.org").status_code == 302


def test_a_new_password_ends_other_sessions(app, member, sign_in, outbox, link_path):
    member("staff", email="ada@example.org")
    laptop = app.test_client()
    sign_in(laptop, "ada@example.org")
    phone = app.test_client()
    phone.post("/reset", data={"email": "ada@example.org"})
    phone.post(
        link_path(outbox[-1]), data={"password": "a new passphrase", "confirm": "a new passphrase"}
    )
    assert phone.get("/account").status_code == 200
    assert laptop.get("/account").status_code == 302


def test_a_tampered_user_id_is_not_accepted(app, client, member):
    user = member("staff", email="ada@example.org")
    with client.session_transaction() as sess:
        sess["_user_id"] = str(user.id)  # no session version
    assert client.get("/account").status_code == 302
    with client.session_transaction() as sess:
        sess["_user_id"] = f"{user.id}:{user.session_version + 1}"
    assert client.get("/account").status_code == 302
