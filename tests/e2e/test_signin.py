import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_staff_signs_in_and_out(page, live_server, sign_in, screenshot):
    sign_in(page, "staff@coop.example")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    screenshot(page, "staff-home")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.get_by_text("You are signed out.")).to_be_visible()


def test_wrong_password_is_refused(page, live_server, sign_in):
    sign_in(page, "staff@coop.example", password="not-the-password")
    expect(page.get_by_text("Email or password is incorrect.")).to_be_visible()
