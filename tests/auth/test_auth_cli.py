"""``flask --app coop users create EMAIL --role ROLE``."""

import pytest

from coop.auth import cli as users_cli
from coop.auth.models import Role, User
from coop.extensions import db


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()

    def _run(*args, input=None):
        return runner.invoke(args=["users", "create", *args], input=input)

    return _run


def user_by_email(email):
    db.session.expire_all()
    return db.session.scalar(db.select(User).where(User.email == email))


def test_create_staff_reading_the_password_from_stdin(run, client):
    result = run("Ada@Example.org", "--role", "staff", input="a long passphrase\n")
    assert result.exit_code == 0, result.output
    assert "Created staff ada@example.org." in result.output
    user = user_by_email("ada@example.org")
    assert user.role == Role.STAFF and user.all_cities and user.name == "Ada"
    assert user.password_hash.startswith("$argon2id$")
    signed_in = client.post(
        "/login", data={"email": "ada@example.org", "password": "a long passphrase"}
    )
    assert signed_in.status_code == 302


def test_password_stdin_flag_and_other_roles(run):
    result = run(
        "cap@example.org",
        "--role",
        "captain",
        "--name",
        "Carmen Captain",
        "--password-stdin",
        input="another passphrase\r\n",
    )
    assert result.exit_code == 0, result.output
    user = user_by_email("cap@example.org")
    assert (user.role, user.name, user.all_cities) == (Role.CAPTAIN, "Carmen Captain", False)
    assert user.profile is not None


def test_prompts_for_the_password_at_a_terminal(run, monkeypatch):
    monkeypatch.setattr(users_cli, "_interactive", lambda: True)
    result = run("ada@example.org", input="a long passphrase\na long passphrase\n")
    assert result.exit_code == 0, result.output
    assert "Password" in result.output and "Repeat for confirmation" in result.output
    assert "a long passphrase" not in result.output  # hidden while typed
    assert user_by_email("ada@example.org").role == Role.STAFF


def test_refuses_a_duplicate_email(run, member):
    member("participant", email="ada@example.org")
    result = run("ADA@example.org", "--role", "staff", input="a long passphrase\n")
    assert result.exit_code == 1
    assert "There is already an account for ada@example.org." in result.output
    assert user_by_email("ada@example.org").role == Role.PARTICIPANT


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("seven77", "at least 8 characters"),
        ("", "at least 8 characters"),
        ("x" * 129, "at most 128 characters"),
    ],
)
def test_refuses_a_bad_password(run, password, message):
    result = run("ada@example.org", "--role", "staff", input=password + "\n")
    assert result.exit_code == 1
    assert message in result.output
    assert user_by_email("ada@example.org") is None


def test_accepts_8_and_128_characters(run):
    assert run("a@example.org", input="x" * 8 + "\n").exit_code == 0
    assert run("b@example.org", input="x" * 128 + "\n").exit_code == 0


def test_refuses_an_invalid_email_or_role(run):
    result = run("not-an-email", input="a long passphrase\n")
    assert result.exit_code == 1
    assert "not a valid email address" in result.output
    result = run("ada@example.org", "--role", "admin", input="a long passphrase\n")
    assert result.exit_code == 2
    assert user_by_email("ada@example.org") is None
