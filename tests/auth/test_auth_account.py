"""The account page: one's own name and time zone."""

import pytest

from coop.auth.models import User
from coop.core.models import AuditEvent
from coop.extensions import db


@pytest.mark.parametrize("role", ["staff", "captain", "participant"])
def test_account_page_shows_the_form(client, login_as, role):
    user = login_as(role, name="Ada Lovelace")
    response = client.get("/account")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert user.email in html
    assert 'value="Ada Lovelace"' in html
    assert ">Full name</label>" in html and ">Your time zone</label>" in html
    assert '<option value="">None: show times in the cohort&#39;s zone only</option>' in html


def test_saving_name_and_zone(client, login_as):
    user = login_as("participant", name="Old Name")
    response = client.post(
        "/account", data={"name": "  New Name ", "timezone": "America/Los_Angeles"}
    )
    assert response.status_code == 302
    assert response.location == "/account"
    page = client.get("/account").get_data(as_text=True)
    assert "Your account is saved." in page
    assert '<option selected value="America/Los_Angeles">' in page
    saved = db.session.get(User, user.id)
    assert (saved.name, saved.timezone) == ("New Name", "America/Los_Angeles")
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "user.update"))
    assert event.actor_id == user.id and event.target_id == user.id
    assert event.changed == ["name", "timezone"]

    client.post("/account", data={"name": "New Name", "timezone": ""})
    assert db.session.get(User, user.id).timezone is None


def test_saving_unchanged_values_writes_no_event(client, login_as):
    login_as("participant", name="Same")
    client.post("/account", data={"name": "Same", "timezone": ""})
    assert (
        db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "user.update")) is None
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "timezone": ""}, "This field is required."),
        ({"name": "   ", "timezone": ""}, "This field is required."),
        ({"name": "Ok", "timezone": "Mars/Olympus_Mons"}, "Not a valid choice."),
        ({"name": "x" * 121, "timezone": ""}, "longer than 120"),
    ],
)
def test_bad_input_is_shown_and_nothing_saved(client, login_as, data, message):
    user = login_as("captain", name="Kept")
    response = client.post("/account", data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    saved = db.session.get(User, user.id)
    assert (saved.name, saved.timezone) == ("Kept", None)


def test_account_page_query_count(client, login_as, count_queries):
    login_as("staff")
    with count_queries() as q:
        assert client.get("/account").status_code == 200
    assert q.count <= 4  # + the menu's flagged check-ins count (staff)


@pytest.mark.parametrize("role", ["staff", "captain", "participant"])
def test_password_change_link_from_the_account_page(client, login_as, outbox, role):
    user = login_as(role)
    page = client.get("/account").get_data(as_text=True)
    assert 'action="/reset"' in page and f'name="email" value="{user.email}"' in page
    assert ("/sharing" in page) == (role != "staff")

    response = client.post("/reset", data={"email": user.email})

    assert (response.status_code, response.location) == (302, "/account")
    assert "We have emailed you a link" in client.get("/account").get_data(as_text=True)
    [message] = outbox
    assert message.to == [user.email]
    # Another address typed into the form gets the same answer and no mail.
    response = client.post("/reset", data={"email": "nobody@example.org"})
    assert (response.status_code, response.location) == (302, "/account")
    assert len(outbox) == 1
