"""A captain writes to their pod; the outbox worker delivers it; the participant reads it
on their cohort page and the captain sees "sent" beside each recipient."""

import pytest
from playwright.sync_api import expect

from coop.core import outbox as outbox_worker

pytestmark = pytest.mark.e2e

TITLE = "Bring your laptop on Thursday"


@pytest.fixture
def worker_delivery(live_app):
    """As in production: the request only writes the outbox, the worker sends it."""
    before = live_app.config["MAIL_DELIVERY"]
    live_app.config["MAIL_DELIVERY"] = "worker"
    yield
    live_app.config["MAIL_DELIVERY"] = before


def test_captain_announces_to_the_pod_and_the_participant_reads_it(
    page, live_server, live_app, sign_in, outbox, worker_delivery, screenshot
):
    sign_in(page, "captain@coop.example")
    page.get_by_role("link", name="Announcements").click()
    page.get_by_role("link", name="New announcement").click()
    audience = page.get_by_label("To")
    pods = [o for o in audience.locator("option").all_inner_texts() if o.startswith("My pod")]
    assert pods and all(
        o.startswith("My pod") for o in audience.locator("option").all_inner_texts()[1:]
    )
    audience.select_option(label=pods[0])
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Message").fill("We practise live coding; bring a charged laptop.")
    page.get_by_role("button", name="Send").click()

    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    rows = page.locator("tbody tr")
    expect(rows.filter(has_text="Pat Participant").get_by_text("queued")).to_be_visible()
    assert outbox == []  # nothing sent inside the request

    with live_app.app_context():
        done = outbox_worker.deliver()
    assert done.sent == rows.count() and done.failed == 0
    assert "participant@coop.example" in [m.to[0] for m in outbox]

    page.reload()
    expect(rows.filter(has_text="Pat Participant").get_by_text("sent")).to_be_visible()
    expect(page.get_by_text("queued", exact=True)).to_have_count(0)
    screenshot(page, "announcement-delivery")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "participant@coop.example")
    section = page.locator("section", has=page.get_by_role("heading", name="Announcements"))
    expect(section.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(section.get_by_text("bring a charged laptop")).to_be_visible()
    # Newest first: above the demo's older announcements.
    titles = section.get_by_role("heading", level=3).all_inner_texts()
    assert titles[0] == TITLE and "Mock interview week" in titles
    screenshot(page, "announcement-cohort-page")
