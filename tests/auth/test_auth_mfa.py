"""Two-step sign-in: setting up an authenticator app, signing in with its codes or a
recovery code, replay and the one-step window, the sign-in throttle, staff who must have
it, and staff resetting someone else's."""

import logging
import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import time_machine

from coop import CSP
from coop.auth.models import RecoveryCode, Role, User
from coop.core.models import AuditEvent
from coop.extensions import db
from tests.auth.conftest import PASSWORD

#: 09:00:10 UTC: ten seconds into a 30-second step.
T0 = datetime(2027, 3, 1, 9, 0, 10, tzinfo=UTC)
STEP = timedelta(seconds=30)


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def with_mfa(member, clock):
    """``with_mfa(role="staff", **kw)``: a user who can sign in with PASSWORD and whose
    authenticator app holds ``user.secret``."""

    def _make(role=Role.STAFF, **kw):
        secret = pyotp.random_base32()
        user = member(role, mfa_totp_secret=secret, mfa_enabled_at=T0 - timedelta(days=1), **kw)
        user.secret = secret
        return user

    return _make


def code_at(secret: str, when: datetime) -> str:
    return pyotp.TOTP(secret).at(when)


def signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def enrol(client) -> tuple[str, list[str]]:
    """Set up the app through the pages: the secret shown, and the recovery codes."""
    page = client.get("/account/mfa").get_data(as_text=True)
    secret = re.search(r'id="mfa-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    response = client.post("/account/mfa", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200
    codes = re.findall(r"<li>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</li>", response.text)
    return secret, codes


# -- setting it up --------------------------------------------------------------------


def test_setup_page_shows_a_qr_code_served_by_the_app_and_the_secret(client, login_as, clock):
    user = login_as("staff")
    page = client.get("/account/mfa")
    assert page.status_code == 200
    assert '<img src="/account/mfa/qr.svg"' in page.text
    secret = re.search(r'id="mfa-secret">([A-Z2-7 ]+)<', page.text).group(1)
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", secret)

    qr = client.get("/account/mfa/qr.svg")
    assert qr.status_code == 200
    assert qr.content_type == "image/svg+xml"
    assert qr.headers["Cache-Control"] == "no-store"
    assert qr.headers["Content-Security-Policy"] == CSP  # strict as everywhere
    # A document of its own: the SVG namespace, which an <img> needs to draw it.
    assert qr.text.startswith('<svg xmlns="http://www.w3.org/2000/svg"') and "</svg>" in qr.text
    # The page keeps the same secret while it is being set up.
    assert secret in client.get("/account/mfa").text
    assert db.session.get(User, user.id).mfa_enabled_at is None


def test_no_qr_code_without_a_secret_being_set_up(client, login_as, with_mfa):
    login_as("participant")
    assert client.get("/account/mfa/qr.svg").status_code == 404
    login_as(with_mfa())  # already set up: nothing to show
    assert client.get("/account/mfa").status_code == 200
    assert client.get("/account/mfa/qr.svg").status_code == 404


def test_a_wrong_code_is_refused_and_the_right_one_turns_it_on(client, login_as, clock):
    user = login_as("staff")
    page = client.get("/account/mfa").text
    secret = re.search(r'id="mfa-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    wrong = f"{(int(pyotp.TOTP(secret).now()) + 1) % 1_000_000:06d}"

    response = client.post("/account/mfa", data={"code": wrong})
    assert response.status_code == 200
    assert "That code is not right" in response.text
    assert db.session.get(User, user.id).mfa_enabled_at is None

    response = client.post("/account/mfa", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    codes = re.findall(r"<li>([a-z2-9-]{19})</li>", response.text)
    assert len(set(codes)) == 10
    db.session.expire_all()
    saved = db.session.get(User, user.id)
    assert saved.has_mfa and saved.mfa_totp_secret == secret
    hashes = db.session.scalars(
        db.select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)
    ).all()
    assert len(hashes) == 10 and not set(hashes) & set(codes)  # stored hashed
    actions = db.session.scalars(
        db.select(AuditEvent.action).where(AuditEvent.target_id == user.id)
    ).all()
    assert "user.mfa_enabled" in actions

    # Shown once: the page now says it is on, without the codes.
    page = client.get("/account/mfa").text
    assert "10</strong> unused recovery codes" in page
    assert not any(code in page for code in codes)
    assert "Manage two-step sign-in" in client.get("/account").text


# -- signing in -----------------------------------------------------------------------


def test_sign_in_asks_for_the_code_after_the_password(client, with_mfa, sign_in, clock):
    user = with_mfa()
    response = sign_in(client, user.email, next="/people")
    assert response.status_code == 302 and response.location == "/login/code"
    assert not signed_in(client)  # the password alone signs nobody in
    page = client.get("/login/code")
    assert page.status_code == 200 and "Two-step sign-in" in page.text

    clock.shift(STEP)
    response = client.post("/login/code", data={"code": code_at(user.secret, T0 + STEP)})
    assert response.status_code == 302 and response.location == "/people"
    assert signed_in(client)
    assert db.session.get(User, user.id).last_login_at is not None


def test_the_code_page_sends_everyone_else_to_the_password(client, with_mfa, sign_in, clock):
    user = with_mfa()
    response = client.get("/login/code")
    assert response.status_code == 302 and response.location == "/login"
    # A wrong password starts nothing.
    sign_in(client, user.email, "wrong password")
    assert client.get("/login/code").location == "/login"
    # The code step lasts five minutes.
    sign_in(client, user.email)
    clock.shift(timedelta(minutes=6))
    code = code_at(user.secret, T0 + timedelta(minutes=6))
    response = client.post("/login/code", data={"code": code})
    assert response.location == "/login"
    assert not signed_in(client)


def test_a_used_code_cannot_be_replayed_in_its_window(client, with_mfa, sign_in, clock):
    user = with_mfa()
    code = code_at(user.secret, T0)
    sign_in(client, user.email)
    assert client.post("/login/code", data={"code": code}).status_code == 302
    client.post("/logout")

    sign_in(client, user.email)
    response = client.post("/login/code", data={"code": code})
    assert response.status_code == 200 and "That code is not right" in response.text
    assert not signed_in(client)
    # Nor the step before it, once a later step was used.
    assert client.post("/login/code", data={"code": code_at(user.secret, T0 - STEP)}).status_code
    assert not signed_in(client)
    # The next step's code works.
    clock.shift(STEP)
    assert client.post("/login/code", data={"code": code_at(user.secret, T0 + STEP)}).status_code
    assert signed_in(client)


@pytest.mark.parametrize(("age", "accepted"), [(0, True), (1, True), (2, False)])
def test_codes_one_step_old_are_accepted_two_steps_old_refused(
    client, with_mfa, sign_in, clock, age, accepted
):
    user = with_mfa()
    sign_in(client, user.email)
    response = client.post("/login/code", data={"code": code_at(user.secret, T0 - age * STEP)})
    assert (response.status_code == 302) is accepted
    assert signed_in(client) is accepted


def test_a_recovery_code_signs_in_once(client, login_as, sign_in, member, clock):
    user = login_as(member(Role.CAPTAIN))
    _, codes = enrol(client)
    assert len(codes) == 10
    client.post("/logout")

    sign_in(client, user.email)
    response = client.post("/login/code", data={"code": codes[3].upper()})
    assert response.status_code == 302
    assert "9 left" in client.get(response.location, follow_redirects=True).text
    assert signed_in(client)
    used = db.session.scalars(
        db.select(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_not(None)
        )
    ).all()
    assert len(used) == 1
    client.post("/logout")

    sign_in(client, user.email)
    response = client.post("/login/code", data={"code": codes[3]})
    assert response.status_code == 200 and "That code is not right" in response.text
    assert not signed_in(client)


def test_code_failures_count_towards_the_sign_in_throttle(client, with_mfa, sign_in, clock, caplog):
    caplog.set_level(logging.INFO, logger="coop")
    user = with_mfa()
    for _ in range(5):
        assert sign_in(client, user.email, "wrong password").status_code == 200
    sign_in(client, user.email)
    for _ in range(5):
        assert client.post("/login/code", data={"code": "000000"}).status_code == 200
    # Ten failures in all, passwords and codes together: the right code is not even tried.
    response = client.post("/login/code", data={"code": code_at(user.secret, T0)})
    assert response.status_code == 429
    assert not signed_in(client)
    assert sign_in(client, user.email).status_code == 429
    failed = [r.getMessage() for r in caplog.records if "reason=wrong-code" in r.getMessage()]
    assert len(failed) == 5 and all(f"user={user.id}" in line for line in failed)


def test_a_reset_link_does_not_skip_the_code(client, with_mfa, outbox, link_path, clock):
    user = with_mfa(Role.PARTICIPANT)
    client.post("/reset", data={"email": user.email})
    path = link_path(outbox[-1])
    response = client.post(
        path, data={"password": "a new long password", "confirm": "a new long password"}
    )
    assert response.status_code == 302 and response.location == "/login/code"
    assert not signed_in(client)
    assert client.post("/login/code", data={"code": code_at(user.secret, T0)}).status_code == 302
    assert signed_in(client)


# -- turning it off -------------------------------------------------------------------


def test_a_participant_turns_it_off_with_their_password(client, login_as, with_mfa):
    user = login_as(with_mfa(Role.PARTICIPANT))
    response = client.post("/account/mfa/disable", data={"password": "wrong password"})
    assert response.location == "/account/mfa"
    assert db.session.get(User, user.id).has_mfa
    response = client.post("/account/mfa/disable", data={"password": PASSWORD})
    assert response.location == "/account"
    db.session.expire_all()
    assert not db.session.get(User, user.id).has_mfa
    count = db.select(db.func.count(RecoveryCode.id)).where(RecoveryCode.user_id == user.id)
    assert db.session.scalar(count) == 0


# -- required for staff ---------------------------------------------------------------


@pytest.fixture
def required(app, monkeypatch):
    monkeypatch.setitem(app.config, "MFA_REQUIRED_FOR_STAFF", True)


def test_staff_without_it_are_sent_to_set_it_up_first(client, login_as, required, clock):
    login_as("staff")
    for path in ("/people", "/account", "/cohorts"):
        response = client.get(path)
        assert response.status_code == 302 and response.location == "/account/mfa", path
    assert client.post("/people/invite", data={"name": "x"}).location == "/account/mfa"
    page = client.get("/account/mfa")
    assert page.status_code == 200 and "Staff accounts need two-step sign-in" in page.text
    assert client.get("/account/mfa/qr.svg").status_code == 200
    secret = re.search(r'id="mfa-secret">([A-Z2-7 ]+)<', page.text).group(1).replace(" ", "")
    client.post("/account/mfa", data={"code": pyotp.TOTP(secret).now()})
    assert client.get("/people").status_code == 200


def test_staff_can_sign_out_without_it(client, login_as, required):
    login_as("staff")
    assert client.post("/logout").location == "/login"
    assert not signed_in(client)


@pytest.mark.parametrize("role", ["captain", "participant"])
def test_others_are_not_required_to_have_it(client, login_as, required, role):
    login_as(role)
    assert client.get("/account").status_code == 200


def test_staff_cannot_turn_it_off_while_required(client, login_as, with_mfa, required):
    user = login_as(with_mfa())
    assert client.get("/people").status_code == 200
    assert "Staff accounts must keep it on" in client.get("/account/mfa").text
    client.post("/account/mfa/disable", data={"password": PASSWORD})
    assert db.session.get(User, user.id).has_mfa


# -- reset by another staff member ----------------------------------------------------


def test_staff_reset_someone_elses_and_it_is_audited(
    client, login_as, with_mfa, member, sign_in, required, caplog
):
    caplog.set_level(logging.INFO, logger="coop")
    target = with_mfa(name="Lost Phone")
    plain = member(Role.PARTICIPANT)
    db.session.add(RecoveryCode(user_id=target.id, code_hash="0" * 64))
    db.session.commit()
    staff = login_as(with_mfa(name="Helpful Staff"))
    page = client.get("/people").text
    assert f'action="/people/{target.id}/mfa/reset"' in page
    assert f'action="/people/{staff.id}/mfa/reset"' not in page  # never one's own
    assert f'action="/people/{plain.id}/mfa/reset"' not in page  # only those who have it

    response = client.post(f"/people/{target.id}/mfa/reset", data={"next": "/people?q=Lost"})
    assert response.status_code == 302 and response.location == "/people?q=Lost"
    db.session.expire_all()
    saved = db.session.get(User, target.id)
    assert not saved.has_mfa and saved.mfa_totp_secret is None
    count = db.select(db.func.count(RecoveryCode.id)).where(RecoveryCode.user_id == target.id)
    assert db.session.scalar(count) == 0
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "user.mfa_reset"))
    assert (event.actor_id, event.target_id) == (staff.id, target.id)
    assert any(f"mfa.reset user={target.id}" in r.getMessage() for r in caplog.records)
    client.post("/logout")

    # They sign in with the password alone, then must set it up again.
    response = sign_in(client, target.email)
    assert response.status_code == 302
    assert client.get("/people").location == "/account/mfa"


@pytest.mark.parametrize("role", ["captain", "participant", "city_staff"])
def test_others_cannot_reset_it(client, login_as, with_mfa, factory, role):
    target = with_mfa(name="Org Staff")
    if role == "city_staff":
        login_as("city_staff", cities=[factory.city("Elsewhere")])
    else:
        login_as(role)
    assert client.post(f"/people/{target.id}/mfa/reset").status_code == 404
    db.session.expire_all()
    assert db.session.get(User, target.id).has_mfa
    reset = db.select(AuditEvent.id).where(AuditEvent.action == "user.mfa_reset")
    assert db.session.scalar(reset) is None


def test_a_reset_ends_the_sessions_the_person_had(client, app, login_as, with_mfa):
    """Whoever has the lost phone may also have a session: a reset signs them out."""
    target = with_mfa(name="Lost Phone")
    theirs = app.test_client()
    login_as(target)
    with client.session_transaction() as session:
        saved = dict(session)
    with theirs.session_transaction() as session:
        session.update(saved)
    assert theirs.get("/account").status_code == 200
    login_as(with_mfa(name="Helpful Staff"))
    assert client.post(f"/people/{target.id}/mfa/reset").status_code == 302
    assert theirs.get("/account").status_code == 302  # sent to sign in


def test_nobody_resets_their_own(client, login_as, with_mfa):
    user = login_as(with_mfa())
    assert client.post(f"/people/{user.id}/mfa/reset").status_code == 404
    assert db.session.get(User, user.id).has_mfa


@pytest.mark.parametrize("role", ["staff", "captain", "participant"])
def test_the_code_page_sends_the_signed_in_home(client, login_as, role):
    login_as(role)
    response = client.get("/login/code")
    assert response.status_code == 302 and response.location != "/login"
    assert client.post("/login/code", data={"code": "123456"}).status_code == 302
