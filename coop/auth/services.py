"""Every change to users: creating, inviting, setting passwords, signing out everywhere."""

from flask import url_for

from coop.auth import tokens
from coop.auth.models import ParticipantProfile, Role, User
from coop.auth.passwords import hash_password
from coop.core.audit import record
from coop.db import utcnow
from coop.extensions import db, mail


class AccountError(ValueError):
    """A rule about accounts was broken; the message is shown to the user."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(db.select(User).where(User.email == normalise_email(email)))


def create_user(
    *,
    email: str,
    name: str,
    role: Role,
    actor=None,
    password: str | None = None,
    all_cities: bool = False,
    cities=(),
) -> User:
    """Create a user (and a participant profile for participants and captains)."""
    email = normalise_email(email)
    if find_user(email) is not None:
        raise AccountError(f"There is already an account for {email}.")
    user = User(email=email, name=name.strip(), role=role, all_cities=all_cities)
    user.cities = list(cities)
    if password is not None:
        user.password_hash = hash_password(password)
    db.session.add(user)
    if role in (Role.PARTICIPANT, Role.CAPTAIN):
        user.profile = ParticipantProfile()
    db.session.flush()
    record(actor, "user.create", user, ["email", "name", "role"])
    return user


def set_password(user: User, password: str, actor=None) -> None:
    """Set a new password; the old sessions and any outstanding links stop working."""
    user.password_hash = hash_password(password)
    user.session_version += 1
    db.session.flush()
    record(actor or user, "user.password", user, ["password_hash"])


def end_sessions(user: User, actor=None) -> None:
    """Sign the user out everywhere: their session cookies stop being accepted."""
    user.session_version += 1
    db.session.flush()
    record(actor or user, "user.sessions_ended", user, ["session_version"])


def set_active(user: User, active: bool, actor) -> None:
    """Activate or deactivate; deactivation ends the user's sessions."""
    if user.active == active:
        return
    user.active = active
    if not active:
        user.session_version += 1
    db.session.flush()
    record(actor, "user.activate" if active else "user.deactivate", user, ["active"])


def note_login(user: User) -> None:
    user.last_login_at = utcnow()
    db.session.flush()


def send_invitation(user: User, actor=None) -> None:
    """Email the user a signed link, valid 7 days, where they set their password."""
    link = url_for(
        "auth.accept_invite", token=tokens.make_token(user, tokens.INVITE), _external=True
    )
    mail.send(
        user.email,
        "You are invited to coop",
        f"Hello {user.name},\n\nYou have been invited to coop. Set your password here "
        f"(the link works once and for 7 days):\n\n{link}\n",
    )
    record(actor, "user.invite", user)


def send_password_reset(email: str) -> None:
    """Email a reset link if an active account has this address; say nothing either way."""
    user = find_user(email)
    if user is None or not user.active:
        return
    link = url_for(
        "auth.reset_password", token=tokens.make_token(user, tokens.RESET), _external=True
    )
    mail.send(
        user.email,
        "Reset your coop password",
        f"Hello {user.name},\n\nSomeone asked to reset your coop password. If it was you, "
        f"choose a new one here (the link works once and for 60 minutes):\n\n{link}\n\n"
        "If it was not you, ignore this message.\n",
    )
    record(None, "user.reset_requested", user)
