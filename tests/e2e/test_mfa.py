"""Two-step sign-in in a real browser: a staff member with an authenticator app signs in
with a code computed here, and a staff member who must have one sets it up."""

import re

import pyotp
import pytest
from playwright.sync_api import expect

from coop.auth.models import User
from coop.core import clock
from coop.extensions import db

pytestmark = pytest.mark.e2e

STAFF = "staff@coop.example"


def give_mfa(app, email: str) -> str:
    secret = pyotp.random_base32()
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == email))
        user.mfa_totp_secret = secret
        user.mfa_enabled_at = clock.now()
        db.session.commit()
        db.session.remove()
    return secret


def test_staff_signs_in_with_a_code_from_their_app(page, live_app, sign_in, screenshot):
    secret = give_mfa(live_app, STAFF)
    sign_in(page, STAFF)
    expect(page).to_have_url(re.compile(r"/login/code$"))
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    screenshot(page, "mfa-code")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert "/login" not in page.url and "/account/mfa" not in page.url


def test_staff_who_must_have_it_set_it_up(page, live_app, sign_in, monkeypatch, screenshot):
    monkeypatch.setitem(live_app.config, "MFA_REQUIRED_FOR_STAFF", True)
    sign_in(page, STAFF)
    expect(page).to_have_url(re.compile(r"/account/mfa$"))
    qr = page.get_by_alt_text("QR code for your authenticator app")
    expect(qr).to_be_visible()
    # The browser loaded and drew the SVG under the strict CSP.
    page.wait_for_function("() => document.querySelector('img[src$=\"qr.svg\"]').naturalWidth > 0")
    secret = page.locator("#mfa-secret").inner_text().replace(" ", "")
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    screenshot(page, "mfa-recovery-codes")
    page.get_by_role("link", name="I have saved them").click()
    expect(page).to_have_url(re.compile(r"/account$"))
    expect(page.get_by_role("link", name="Manage two-step sign-in")).to_be_visible()
