"""``flask --app coop users ...``"""

import sys

import click
from flask.cli import AppGroup

from coop.auth import services
from coop.auth.models import Role
from coop.auth.passwords import password_problem
from coop.extensions import db

users_cli = AppGroup("users", help="Manage user accounts.")


def _interactive() -> bool:
    """Whether a person is typing (prompt) rather than a pipe feeding the password."""
    return sys.stdin.isatty()


@users_cli.command("create")
@click.argument("email")
@click.option(
    "--role", type=click.Choice([r.value for r in Role]), default="staff", show_default=True
)
@click.option("--name", default=None, help="Full name (defaults to the part before @).")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input (the default when "
    "standard input is not a terminal).",
)
def create_user(email, role, name, password_stdin):
    """Create a user with a password. Staff made here are organisation-wide.

    \b
    flask --app coop users create ada@example.org --role staff          (prompts)
    printf '%s\\n' "$PASSWORD" | flask --app coop users create ada@example.org
    """
    if password_stdin or not _interactive():
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if problem := password_problem(password):
        raise click.ClickException(problem)
    try:
        user = services.create_user(
            email=email,
            name=name or email.strip().split("@")[0],
            role=Role(role),
            password=password,
            all_cities=(role == Role.STAFF.value),
        )
    except services.AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created {user.role} {user.email}.")
