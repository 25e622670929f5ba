"""The people page: who staff see, filters, pagination, inviting, deactivating."""

import re

import pytest

from coop.auth import services
from coop.auth.models import Role, User
from coop.core.mail import MailError
from coop.core.models import AuditEvent
from coop.extensions import db, mail


def names_on(html: str) -> set[str]:
    return set(re.findall(r"<tr>\s*<td>([^<]+)<", html))


def people(client, **params) -> str:
    response = client.get("/people", query_string=params)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def reload(user) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


# -- who is listed ---------------------------------------------------------------------


def test_organisation_wide_staff_see_everyone(client, login_as, world):
    login_as(world.org_staff)
    listed = names_on(people(client))
    assert {
        "Nina Participant",
        "Carl Captain",
        "Nora Staff",
        "Tom Twocity",
        "Chad Participant",
        "Cleo Staff",
        "Olga Orgwide",
        "Lou Nocohort",
    } <= listed


def test_city_staff_see_only_people_tied_to_their_cities(client, login_as, world):
    login_as(world.nyc_staff)
    listed = names_on(people(client))
    assert listed == {"Nina Participant", "Carl Captain", "Nora Staff", "Tom Twocity"}


def test_role_filter(client, login_as, world):
    login_as(world.org_staff)
    captains = people(client, role="captain")
    assert names_on(captains) == {"Carl Captain"}
    assert 'aria-current="page" href="/people?role=captain"' in captains
    participants = names_on(people(client, role="participant"))
    assert participants >= {"Nina Participant", "Chad Participant", "Lou Nocohort"}
    assert "Carl Captain" not in participants
    # An unknown role is ignored rather than an error.
    assert "Carl Captain" in names_on(people(client, role="admin"))


def test_search_by_name_or_email(client, login_as, world, factory):
    factory.user(Role.PARTICIPANT, name="Percent 100%", email="pct@example.org")
    db.session.commit()
    login_as(world.org_staff)
    assert names_on(people(client, q="nina")) == {"Nina Participant"}
    by_email = names_on(people(client, q=world.chicago_staff.email.upper()))
    assert by_email == {"Cleo Staff"}
    assert names_on(people(client, q="100%")) == {"Percent 100%"}
    assert names_on(people(client, q="%")) == {"Percent 100%"}  # % is text, not a wildcard
    assert names_on(people(client, q="a", role="captain")) == {"Carl Captain"}
    html = people(client, q="nobody-like-this")
    assert "Nobody matches “nobody-like-this”." in html
    # The role filter keeps the search.
    assert 'href="/people?role=staff&amp;q=nina"' in people(client, q="nina")


def test_city_staff_search_stays_within_their_cities(client, login_as, world):
    login_as(world.nyc_staff)
    assert names_on(people(client, q="Participant")) == {"Nina Participant"}


def test_pagination(client, login_as, factory):
    login_as("staff", name="Aaron Staff")
    for n in range(30):
        factory.user(Role.PARTICIPANT, name=f"Person {n:02d}")
    db.session.commit()
    first = people(client, role="participant")
    second = people(client, role="participant", page=2)
    assert len(names_on(first)) == 25
    assert len(names_on(second)) == 5
    assert names_on(first).isdisjoint(names_on(second))
    assert "30 in all" in first
    assert 'href="/people?role=participant&amp;page=2"' in first
    assert names_on(people(client, role="participant", page=99)) == set()


def test_status_badges_and_buttons(client, login_as, world):
    world.loose_participant.password_hash = None
    world.chicago_participant.active = False
    db.session.commit()
    login_as(world.org_staff)
    html = people(client)
    assert "invited" in html and "deactivated" in html
    assert f"/people/{world.loose_participant.id}/invite" in html  # resend for the invited
    assert f"/people/{world.nyc_participant.id}/invite" not in html
    assert f"/people/{world.org_staff.id}/active" not in html  # not for oneself


def test_city_staff_get_buttons_only_for_people_they_manage(client, login_as, world):
    login_as(world.nyc_staff)
    html = people(client)
    assert f"/people/{world.nyc_participant.id}/active" in html
    assert f"/people/{world.nyc_captain.id}/active" in html
    assert f"/people/{world.two_city_staff.id}/active" not in html  # also Chicago's


@pytest.mark.parametrize("viewer", ["org_staff", "nyc_staff"])
def test_people_page_query_count_does_not_grow_with_rows(
    client, login_as, factory, world, count_queries, viewer
):
    login_as(getattr(world, viewer))

    def add(n):
        for _ in range(n):
            user = factory.user(Role.PARTICIPANT)
            factory.enrollment(cohort=world.nyc_cohort, user=user)
            staff = factory.user(Role.STAFF, cities=[world.nyc], all_cities=False)
            assert staff.cities
        db.session.commit()

    add(1)
    with count_queries() as few:
        assert client.get("/people").status_code == 200
    add(29)
    with count_queries() as many:
        html = people(client)
    assert len(names_on(html)) == 25
    assert many.count == few.count
    assert many.count <= 6


# -- inviting --------------------------------------------------------------------------


def test_staff_invite_a_participant(client, login_as, outbox):
    staff = login_as("staff")
    response = client.post(
        "/people/invite",
        data={"name": "  Ada Lovelace ", "email": " Ada@Example.org", "role": "participant"},
    )
    assert response.status_code == 302
    assert response.location == "/people"
    user = db.session.scalar(db.select(User).where(User.email == "ada@example.org"))
    assert (user.name, user.role, user.password_hash, user.all_cities) == (
        "Ada Lovelace",
        Role.PARTICIPANT,
        None,
        False,
    )
    assert user.profile is not None
    assert [m.to for m in outbox] == [["ada@example.org"]]
    assert "Invitation sent to ada@example.org" in people(client)
    events = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.target_id == user.id).order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.actor_id) for e in events] == [
        ("user.create", staff.id),
        ("user.invite", staff.id),
    ]


def test_invite_page_lists_only_the_inviters_cities(client, login_as, world):
    login_as(world.nyc_staff)
    html = client.get("/people/invite").get_data(as_text=True)
    assert (
        f'value="{world.nyc.id}"> <label class="form-check-label" for="cities-0">New York' in html
    )
    assert "Chicago" not in html
    for label in ("Full name", "Email", "Role"):
        assert f">{label}</label>" in html
    assert "Cities (for staff)</legend>" in html
    # They cannot grant organisation-wide access, so the box is not offered.
    assert "organisation-wide)" not in html


def test_org_staff_are_offered_every_city_and_organisation_wide(client, login_as, world):
    login_as(world.org_staff)
    html = client.get("/people/invite").get_data(as_text=True)
    assert "New York" in html and "Chicago" in html
    assert "Staff for every city (organisation-wide)</label>" in html


def test_city_staff_invite_staff_for_their_city(client, login_as, world, outbox):
    login_as(world.nyc_staff)
    response = client.post(
        "/people/invite",
        data={"name": "Nia", "email": "nia@example.org", "role": "staff", "cities": [world.nyc.id]},
    )
    assert response.status_code == 302
    user = db.session.scalar(db.select(User).where(User.email == "nia@example.org"))
    assert [c.id for c in user.cities] == [world.nyc.id]
    assert not user.all_cities
    assert len(outbox) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"all_cities": "y"}, "Choose at least one city, or make them organisation-wide."),
        ({"cities": "CHICAGO"}, "is not a valid choice"),
        ({}, "Choose at least one city, or make them organisation-wide."),
    ],
)
def test_city_staff_cannot_invite_beyond_their_cities(
    client, login_as, world, outbox, data, message
):
    login_as(world.nyc_staff)
    if data.get("cities") == "CHICAGO":
        data = {"cities": [world.chicago.id]}
    response = client.post(
        "/people/invite",
        data={"name": "Eve", "email": "eve@example.org", "role": "staff", **data},
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(User).where(User.email == "eve@example.org")) is None
    assert outbox == []


def test_the_service_refuses_organisation_wide_invitations_from_city_staff(world, outbox):
    with pytest.raises(services.AccountError, match="Only organisation-wide staff"):
        services.invite_user(
            world.nyc_staff, email="eve@example.org", name="Eve", role=Role.STAFF, all_cities=True
        )
    with pytest.raises(services.AccountError, match="your own cities"):
        services.invite_user(
            world.nyc_staff,
            email="eve@example.org",
            name="Eve",
            role=Role.STAFF,
            cities=[world.chicago],
        )
    assert outbox == []


def test_org_staff_invite_org_wide_staff(client, login_as, outbox):
    login_as("staff")
    client.post(
        "/people/invite",
        data={"name": "Olu", "email": "olu@example.org", "role": "staff", "all_cities": "y"},
    )
    user = db.session.scalar(db.select(User).where(User.email == "olu@example.org"))
    assert user.all_cities and user.city_ids is None


def test_city_scope_is_ignored_for_participants(client, login_as, world):
    login_as(world.org_staff)
    client.post(
        "/people/invite",
        data={
            "name": "Pia",
            "email": "pia@example.org",
            "role": "participant",
            "all_cities": "y",
            "cities": [world.nyc.id],
        },
    )
    user = db.session.scalar(db.select(User).where(User.email == "pia@example.org"))
    assert not user.all_cities and user.cities == []


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("Existing@example.org", "There is already an account for existing@example.org."),
        ("not-an-email", "Invalid email address."),
        ("", "This field is required."),
    ],
)
def test_invite_refuses_bad_or_taken_addresses(client, login_as, member, outbox, email, message):
    member("participant", email="existing@example.org")
    login_as("staff")
    response = client.post(
        "/people/invite", data={"name": "Dup", "email": email, "role": "participant"}
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert outbox == []
    assert (
        db.session.scalar(db.select(db.func.count()).select_from(User).where(User.name == "Dup"))
        == 0
    )


def test_an_invitation_the_mail_server_refuses_keeps_the_person_and_says_so(
    client, login_as, monkeypatch, outbox
):
    # Mail goes out after the commit (coop.core.mail): the account is saved, the staff
    # member is told the email failed, and can send it again from the list.
    login_as("staff")

    def refuse(message):
        raise MailError("The email could not be sent. Please try again later.")

    monkeypatch.setattr(mail, "_deliver", refuse)
    response = client.post(
        "/people/invite",
        data={"name": "Ada", "email": "ada@example.org", "role": "participant"},
        follow_redirects=True,
    )
    assert "Ada is saved, but the invitation email could not be sent" in response.get_data(
        as_text=True
    )
    ada = db.session.scalar(db.select(User).where(User.email == "ada@example.org"))
    assert ada is not None and ada.password_hash is None
    again = client.post(f"/people/{ada.id}/invite", follow_redirects=True)
    assert "The email could not be sent" in again.get_data(as_text=True)
    assert outbox == []


# -- deactivating ----------------------------------------------------------------------


def test_deactivate_and_reactivate(client, login_as, world):
    staff = login_as(world.org_staff)
    target = world.nyc_participant
    version = target.session_version
    response = client.post(
        f"/people/{target.id}/active", data={"active": "0", "next": "/people?role=participant"}
    )
    assert response.status_code == 302
    assert response.location == "/people?role=participant"
    assert not reload(target).active
    assert reload(target).session_version == version + 1
    client.post(f"/people/{target.id}/active", data={"active": "1"})
    assert reload(target).active
    events = db.session.scalars(
        db.select(AuditEvent.action)
        .where(AuditEvent.target_id == target.id, AuditEvent.actor_id == staff.id)
        .order_by(AuditEvent.id)
    ).all()
    assert events == ["user.deactivate", "user.activate"]


def test_deactivate_ignores_an_offsite_next(client, login_as, world):
    login_as(world.org_staff)
    response = client.post(
        f"/people/{world.nyc_participant.id}/active",
        data={"active": "0", "next": "https://evil.example/"},
    )
    assert response.location == "/people"


def test_a_garbled_active_value_changes_nothing(client, login_as, world):
    login_as(world.org_staff)
    client.post(f"/people/{world.nyc_participant.id}/active", data={"active": "maybe"})
    assert reload(world.nyc_participant).active
    assert "nothing changed" in people(client)


def test_city_staff_deactivate_a_participant_of_their_city(client, login_as, world):
    login_as(world.nyc_staff)
    assert (
        client.post(f"/people/{world.nyc_participant.id}/active", data={"active": "0"}).status_code
        == 302
    )
    assert not reload(world.nyc_participant).active


@pytest.mark.parametrize(
    "target",
    [
        "chicago_participant",
        "chicago_staff",
        "two_city_staff",
        "org_staff",
        "loose_participant",
        "nyc_staff",
    ],
)
def test_city_staff_cannot_touch_people_beyond_their_cities(
    client, login_as, world, outbox, target
):
    login_as(world.nyc_staff)
    user = getattr(world, target)
    user.password_hash = None  # so a resend would be possible if it were allowed
    db.session.commit()
    version = user.session_version
    assert client.post(f"/people/{user.id}/active", data={"active": "0"}).status_code == 404
    assert client.post(f"/people/{user.id}/invite").status_code == 404
    user = reload(user)
    assert user.active and user.session_version == version
    assert outbox == []


def test_unknown_people_are_404(client, login_as):
    login_as("staff")
    assert client.post("/people/999999/active", data={"active": "0"}).status_code == 404
    assert client.post("/people/999999/invite").status_code == 404


def test_last_signed_in_is_shown_in_the_viewers_zone(client, login_as, factory):
    from datetime import UTC, datetime

    from coop.core import clock
    from coop.core.timezones import format_local

    signed_in = datetime(2027, 7, 1, 3, 30, tzinfo=UTC)  # still 30 June in Los Angeles
    factory.user("participant", name="Lana Lastseen", last_login_at=signed_in)
    viewer = login_as("staff")
    viewer.timezone = "America/Los_Angeles"
    db.session.commit()
    page = client.get("/people?q=Lastseen").get_data(as_text=True)
    assert format_local(signed_in, "America/Los_Angeles") in page  # "Wed 30 Jun 2027, 20:30 PDT"
    assert "PDT" in page and "UTC" not in page.split("Lana Lastseen", 1)[1].split("</tr>", 1)[0]

    viewer.timezone = None  # no zone of their own: the organisation's, not UTC
    db.session.commit()
    page = client.get("/people?q=Lastseen").get_data(as_text=True)
    assert format_local(signed_in, clock.zone_for(viewer)) in page


def test_a_long_list_counts_only_so_far_ahead(client, login_as, factory, monkeypatch):
    """The people list counts its rows only ``COUNT_AHEAD`` past the page shown (here 10),
    so its cost does not grow with the program: the total reads "N+" beyond that, and
    every page stays reachable."""
    from coop.core import pagination

    monkeypatch.setattr(pagination, "COUNT_AHEAD", 10)
    login_as("staff", name="Aaron Staff")
    for n in range(60):
        factory.user(Role.PARTICIPANT, name=f"Person {n:02d}")
    db.session.commit()

    first = people(client, role="participant")
    assert len(names_on(first)) == 25
    assert "35+ in all" in first  # 25 on this page and 10 more counted
    assert 'href="/people?role=participant&amp;page=2"' in first
    second = people(client, role="participant", page=2)
    assert "60 in all" in second  # counted to the end from here (25 + 25 + 10)
    assert 'href="/people?role=participant&amp;page=3"' in second
    third = people(client, role="participant", page=3)
    assert len(names_on(third)) == 10
    assert "60 in all" in third
    assert names_on(first) | names_on(second) | names_on(third) == {
        f"Person {n:02d}" for n in range(60)
    }
