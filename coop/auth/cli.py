"""``flask --app coop users ...``"""

import sys

import click
from flask.cli import AppGroup

from coop.auth import services
from coop.auth.models import Role
from coop.auth.passwords import MAX_LENGTH, MIN_LENGTH
from coop.extensions import db

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create")
@click.argument("email")
@click.option(
    "--role", type=click.Choice([r.value for r in Role]), default="staff", show_default=True
)
@click.option("--name", default=None, help="Full name (defaults to the part before @).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user(email, role, name, password_stdin):
    """Create a user with a password. Staff made here are organisation-wide."""
    if password_stdin or not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise click.ClickException(
            f"The password must have between {MIN_LENGTH} and {MAX_LENGTH} characters."
        )
    try:
        user = services.create_user(
            email=email,
            name=name or email.split("@")[0],
            role=Role(role),
            password=password,
            all_cities=(role == "staff"),
        )
    except services.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created {user.role} {user.email}.")
