"""Who may use each data-rights route: every role and anonymous."""

import pytest

from coop.auth.models import Role, User
from coop.extensions import db

ROLES = ["anonymous", "participant", "captain", "staff", "city_staff"]


@pytest.mark.parametrize("who", ROLES)
def test_the_export_is_for_every_signed_in_person(client, login_as, who):
    if who != "anonymous":
        login_as(who)
    response = client.get("/account/data.zip")
    expected = 302 if who == "anonymous" else 200
    assert response.status_code == expected


@pytest.mark.parametrize(
    "who,expected", [("anonymous", 302), ("participant", 200), ("captain", 200), ("staff", 404)]
)
def test_withdrawing_consent_is_for_participants_and_captains(client, login_as, who, expected):
    if who != "anonymous":
        login_as(who)
    assert client.get("/account/consent").status_code == expected


@pytest.mark.parametrize(
    "who,expected",
    [
        ("anonymous", 302),
        ("participant", 404),
        ("captain", 404),
        ("city_staff", 404),  # a person with no cohort in their cities
        ("staff", 200),
    ],
)
def test_erasure_is_for_staff_who_manage_the_person(client, login_as, factory, who, expected):
    person = factory.user(Role.PARTICIPANT)
    if who != "anonymous":
        login_as(who)
    assert client.get(f"/people/{person.id}/erase").status_code == expected
    response = client.post(f"/people/{person.id}/erase", data={"confirm": "ERASE"})
    assert response.status_code == (302 if who in ("anonymous", "staff") else 404)
    db.session.expire_all()
    assert (db.session.get(User, person.id).erased_at is not None) == (who == "staff")
