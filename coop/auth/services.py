"""Every change to users: creating, inviting, setting passwords, signing out everywhere."""

from email_validator import EmailNotValidError, validate_email
from flask import url_for

from coop.auth import tokens, user_sessions
from coop.auth.models import ParticipantProfile, Role, User
from coop.auth.passwords import hash_password, needs_rehash, password_problem
from coop.core.audit import record
from coop.core.errors import DomainError
from coop.core.models import AuditEvent
from coop.core.requestlog import security_event
from coop.core.timezones import is_zone
from coop.db import utcnow
from coop.extensions import db, mail


class AccountError(DomainError):
    """A rule about accounts was broken; the message is shown to the user.

    ``field`` names the form field the message belongs to, when there is one.
    """


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
    """Create a user (and a participant profile for participants and captains).

    Only staff have city scopes: ``all_cities`` and ``cities`` are ignored for others.
    """
    email = normalise_email(email)
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as exc:
        raise AccountError(f"{email or 'That'} is not a valid email address.", "email") from exc
    if not name.strip():
        raise AccountError("A name is required.", "name")
    if find_user(email) is not None:
        raise AccountError(f"There is already an account for {email}.", "email")
    if password is not None and (problem := password_problem(password)):
        raise AccountError(problem, "password")
    is_staff = role == Role.STAFF
    user = User(email=email, name=name.strip(), role=role, all_cities=is_staff and all_cities)
    user.cities = list(cities) if is_staff and not all_cities else []
    if password is not None:
        user.password_hash = hash_password(password)
    db.session.add(user)
    if role in (Role.PARTICIPANT, Role.CAPTAIN):
        user.profile = ParticipantProfile()
    db.session.flush()
    record(actor, "user.create", user, ["email", "name", "role"])
    return user


def invite_user(
    actor: User, *, email: str, name: str, role: Role, all_cities: bool = False, cities=()
) -> User:
    """Create an account without a password and email its invitation link.

    City-limited staff invite only within their cities: never organisation-wide staff, and
    staff only for cities they manage themselves.
    """
    scope = actor.city_ids
    if role == Role.STAFF and scope is not None:
        if all_cities:
            raise AccountError(
                "Only organisation-wide staff can invite organisation-wide staff.", "all_cities"
            )
        if not {c.id for c in cities} <= scope:
            raise AccountError("You can only give staff access to your own cities.", "cities")
    if role == Role.STAFF and not all_cities and not cities:
        raise AccountError("Choose at least one city, or make them organisation-wide.", "cities")
    user = create_user(
        email=email, name=name, role=role, actor=actor, all_cities=all_cities, cities=cities
    )
    send_invitation(user, actor=actor)
    return user


def set_password(user: User, password: str, actor=None) -> None:
    """Set a new password; the old sessions and any outstanding links stop working."""
    if problem := password_problem(password):
        raise AccountError(problem)
    user.password_hash = hash_password(password)
    user.session_version += 1
    user_sessions.end_all(user)
    db.session.flush()
    record(actor or user, "user.password", user, ["password_hash"])


def end_sessions(user: User, actor=None) -> None:
    """Sign the user out everywhere: their session cookies stop being accepted."""
    user.session_version += 1
    user_sessions.end_all(user)
    db.session.flush()
    record(actor or user, "user.sessions_ended", user, ["session_version"])


def set_active(user: User, active: bool, actor) -> None:
    """Activate or deactivate; deactivation ends the user's sessions at once."""
    if actor is not None and user.id == actor.id:
        raise AccountError("You cannot deactivate or reactivate yourself.")
    if user.active == active:
        return
    user.active = active
    changed = ["active"]
    if not active:
        user.session_version += 1
        user_sessions.end_all(user)
        changed.append("session_version")
    db.session.flush()
    record(actor, "user.activate" if active else "user.deactivate", user, changed)


def update_account(user: User, *, name: str, timezone: str | None) -> list[str]:
    """The person's own name and time zone; returns the names of the fields that changed."""
    name = name.strip()
    if not name:
        raise AccountError("A name is required.", "name")
    if timezone and not is_zone(timezone):
        raise AccountError(f"{timezone} is not a known time zone.", "timezone")
    changed = []
    if user.name != name:
        user.name = name
        changed.append("name")
    if user.timezone != (timezone or None):
        user.timezone = timezone or None
        changed.append("timezone")
    if changed:
        db.session.flush()
        record(user, "user.update", user, changed)
    return changed


def note_login(user: User, password: str | None = None, method: str | None = None) -> None:
    """Remember when the user signed in (and log it); given the password just checked,
    re-hash it if the cost settings have changed since it was stored."""
    user.last_login_at = utcnow()
    if password is not None and user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    db.session.flush()
    method = method or ("password" if password is not None else "link")
    security_event("sign-in", user, method=method)


def note_failed_login(user: User | None, password_ok: bool) -> None:
    """Log a refused sign-in: the account's id when the email matched one, else ``-``.
    Neither the email typed nor the password is logged."""
    if user is None:
        reason = "unknown-account"
    elif not password_ok:
        reason = "wrong-password"
    else:
        reason = "deactivated"
    security_event("sign-in.failed", user, reason=reason)


def note_logout(user: User) -> None:
    security_event("sign-out", user)


def is_invited(user: User) -> bool:
    """Invited and not yet accepted: no password set, and still active."""
    return user.active and not user.password_hash


def send_invitation(user: User, actor=None, *, subject=None, intro=None) -> bool:
    """Email the user a signed link, valid 7 days and once, where they set their password.
    ``subject`` and ``intro`` (a sentence before the link) let a caller make the
    invitation its own message (enrollment's "You are enrolled", one email, not two).

    Returns False, sending nothing, for someone who has a password already or is
    deactivated (the link could not work). The mail goes out when the caller commits;
    ``mail.undelivered()`` then says whether the mail server refused it.
    """
    if not is_invited(user):
        return False
    link = url_for(
        "auth.accept_invite", token=tokens.make_token(user, tokens.INVITE), _external=True
    )
    intro = intro or "You have been invited to coop. Set your password here"
    mail.send(
        user.email,
        subject or "You are invited to coop",
        f"Hello {user.name},\n\n{intro} (the link works once and for 7 days):\n\n{link}\n",
    )
    record(actor, "user.invite", user)
    return True


def may_set_password(user: User) -> bool:
    """Whether ``user`` may get a link to set a password: they have one, or were invited.

    Someone who only applied through the public form has neither: their account must not
    open before an enrollment (or staff) invites it, whoever typed their address.
    """
    if user.password_hash:
        return True
    invited = db.select(AuditEvent.id).where(
        AuditEvent.action == "user.invite",
        AuditEvent.target_type == User.__tablename__,
        AuditEvent.target_id == user.id,
    )
    return db.session.scalar(invited.limit(1)) is not None


def send_password_reset(email: str) -> None:
    """Email a reset link if an active account has this address; say nothing either way.

    The mail goes out after the caller's commit, where a failure is only logged: an error
    page would tell the asker that the address has an account.
    """
    user = find_user(email)
    if user is None or not user.active or not may_set_password(user):
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
