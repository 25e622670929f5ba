"""The 10,000 most common passwords are refused wherever a password is set, in any case;
anything else of 8 to 128 characters is still accepted (no composition rules)."""

import tomllib
from pathlib import Path

import pytest

from coop.auth import services
from coop.auth.models import Role, User
from coop.auth.passwords import common_passwords
from coop.extensions import db
from tests.auth.test_auth_links import choose, invite, user_by_email

ROOT = Path(__file__).resolve().parents[2]
COMMON = ["password123", "PASSWORD123", "Password123", "iloveyou", "qwertyuiop", "1qaz2wsx"]


def test_the_list_holds_10000_passwords_and_is_shipped_with_the_package():
    assert len(common_passwords()) == 10_000
    assert {"password", "password123", "baseball", "trustno1"} <= common_passwords()
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "auth/common-passwords.txt" in pyproject["tool"]["setuptools"]["package-data"]["coop"]
    assert (ROOT / "coop" / "auth" / "common-passwords.txt").read_text().startswith("#")


@pytest.mark.parametrize("password", COMMON)
def test_a_reset_refuses_a_common_password(client, member, outbox, link_path, password):
    user = member("participant", email="pat@example.org")
    client.post("/reset", data={"email": "pat@example.org"})
    path = link_path(outbox[-1])
    response = choose(client, path, password)
    assert response.status_code == 200
    assert "This password is too common" in response.get_data(as_text=True)
    assert db.session.get(User, user.id).password_hash == user.password_hash
    assert client.get(path).status_code == 200  # the link is not used up


def test_an_invitation_refuses_a_common_password(client, login_as, outbox, link_path):
    path = link_path(invite(client, login_as, outbox))
    response = choose(client, path, "Password123")
    assert response.status_code == 200
    assert "This password is too common" in response.get_data(as_text=True)
    assert user_by_email("new@example.org").password_hash is None
    assert choose(client, path, "a good passphrase").status_code == 302


def test_the_set_password_form_says_common_passwords_are_refused(client, member, outbox, link_path):
    member("participant", email="pat@example.org")
    client.post("/reset", data={"email": "pat@example.org"})
    path = link_path(outbox[-1])
    assert "not a common password" in client.get(path).get_data(as_text=True)


def test_the_cli_refuses_a_common_password(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "ada@example.org"], input="password123\n"
    )
    assert result.exit_code == 1
    assert "This password is too common" in result.output
    assert user_by_email("ada@example.org") is None


@pytest.mark.parametrize("password", ["Password123", "ｐａｓｓｗｏｒｄ１２３"])
def test_services_refuse_a_common_password(member, password):
    with pytest.raises(services.AccountError, match="too common") as info:
        services.create_user(
            email="ada@example.org", name="Ada", role=Role.STAFF, password=password
        )
    assert info.value.field == "password"
    user = member("participant", email="pat@example.org")
    with pytest.raises(services.AccountError, match="too common"):
        services.set_password(user, password)


@pytest.mark.parametrize("password", ["password123 but longer", "correct horse battery"])
def test_an_uncommon_password_is_still_accepted(member, password):
    user = member("participant", email="pat@example.org")
    services.set_password(user, password)
    assert user.password_hash.startswith("$argon2id$")
