"""Accounts in a real browser: inviting, accepting, deactivating, resetting, and no
Content-Security-Policy violations on the way."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def link_in(message) -> str:
    url = re.search(r"https?://\S+", message.body).group(0)
    return urlsplit(url).path


@pytest.fixture
def csp_errors(page):
    """Console messages about blocked content (inline scripts or styles)."""
    errors = []
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    return errors


def test_staff_invite_someone_who_then_sets_a_password(
    page, browser, base_url, sign_in, outbox, screenshot, csp_errors
):
    sign_in(page, "staff@coop.example")
    page.get_by_role("button", name="Program").click()
    page.get_by_role("link", name="People").click()
    expect(page.get_by_role("heading", name="People")).to_be_visible()
    page.get_by_role("link", name="Invite someone").click()
    page.get_by_label("Full name").fill("Grace Hopper")
    page.get_by_label("Email").fill("grace@example.org")
    page.get_by_label("Role").select_option("participant")
    screenshot(page, "auth-invite")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to grace@example.org.")).to_be_visible()

    newcomer = browser.new_context(base_url=base_url).new_page()
    newcomer.goto(link_in(outbox[-1]))
    expect(newcomer.get_by_role("heading", name="Welcome, Grace Hopper")).to_be_visible()
    newcomer.get_by_label("New password").fill("short")
    newcomer.get_by_label("Repeat the password").fill("short")
    newcomer.get_by_role("button", name="Set password").click()
    expect(newcomer.get_by_text("The password must have at least 8 characters.")).to_be_visible()
    newcomer.get_by_label("New password").fill("grace's own passphrase")
    newcomer.get_by_label("Repeat the password").fill("grace's own passphrase")
    newcomer.get_by_role("button", name="Set password").click()
    expect(newcomer.get_by_text("Your password is set. Welcome to coop.")).to_be_visible()
    expect(newcomer.get_by_role("button", name="Sign out")).to_be_visible()

    # The link worked once.
    other = browser.new_context(base_url=base_url).new_page()
    other.goto(link_in(outbox[-1]))
    expect(other.get_by_role("heading", name="This link no longer works")).to_be_visible()
    assert csp_errors == []


def test_deactivation_signs_the_person_out_at_once(
    page, browser, base_url, sign_in, screenshot, csp_errors
):
    participant = browser.new_context(base_url=base_url).new_page()
    sign_in(participant, "participant@coop.example")
    expect(participant.get_by_role("button", name="Sign out")).to_be_visible()

    sign_in(page, "staff@coop.example")
    page.goto("/people")
    page.get_by_label("Search by name or email").fill("participant@coop.example")
    page.get_by_role("button", name="Search").click()
    row = page.get_by_role("row").filter(has_text="participant@coop.example")
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name=re.compile("^Deactivate")).click()
    expect(page.get_by_text("deactivated and signed out")).to_be_visible()
    screenshot(page, "auth-people-after-deactivation")

    participant.goto("/account")
    expect(participant).to_have_url(re.compile(r"/login\?next="))
    expect(participant.get_by_label("Email")).to_be_visible()
    assert csp_errors == []


def test_declining_the_confirmation_changes_nothing(page, sign_in):
    sign_in(page, "staff@coop.example")
    page.goto("/people?q=captain%40coop.example")
    row = page.get_by_role("row").filter(has_text="captain@coop.example")
    page.once("dialog", lambda dialog: dialog.dismiss())
    row.get_by_role("button", name=re.compile("^Deactivate")).click()
    expect(row.get_by_text("active", exact=True)).to_be_visible()


def test_password_reset_by_email(page, outbox, sign_in, csp_errors):
    page.goto("/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("captain@coop.example")
    page.get_by_role("button", name="Send reset link").click()
    expect(page.get_by_text("If an account uses that address")).to_be_visible()
    page.goto(link_in(outbox[-1]))
    page.get_by_label("New password").fill("a brand new passphrase")
    page.get_by_label("Repeat the password").fill("a brand new passphrase")
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "captain@coop.example", password="a brand new passphrase")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert csp_errors == []


def test_pages_on_a_phone(browser, base_url, sign_in, screenshot):
    phone = browser.new_context(
        base_url=base_url, viewport={"width": 390, "height": 844}, is_mobile=True
    ).new_page()
    phone.goto("/login")
    screenshot(phone, "auth-login-phone")
    sign_in(phone, "nyc.staff@coop.example")
    phone.goto("/people")
    expect(phone.get_by_role("heading", name="People")).to_be_visible()
    screenshot(phone, "auth-people-phone")
    # Nothing sticks out sideways, not even the table's action buttons.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    table_box = phone.locator(".table-responsive").first
    assert table_box.evaluate("el => el.scrollWidth <= el.clientWidth")
    phone.goto("/account")
    phone.get_by_label("Your time zone").select_option("Europe/Lisbon")
    phone.get_by_role("button", name="Save").click()
    expect(phone.get_by_text("Your account is saved.")).to_be_visible()
    screenshot(phone, "auth-account-phone")
