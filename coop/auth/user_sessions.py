"""Sessions that end: one ``UserSession`` row per signed-in browser.

Signing in (any ``login_user``) starts a row and puts a random token in the Flask session
(``SESSION_KEY``); only the token's SHA-256 is stored. Every request loads the user and
this row in one query (``load``) and refuses the session when the row is missing or
ended, when the person's session version changed (a new password, deactivation), when it
has been idle longer than the idle limit, or when it is older than the absolute limit:

============  ==================================  ===========================
              idle (no request for this long)      absolute (since sign-in)
============  ==================================  ===========================
staff         ``SESSION_IDLE_MINUTES_STAFF`` (30)  ``SESSION_MAX_HOURS_STAFF`` (12)
everyone      ``SESSION_IDLE_MINUTES`` (120)       ``SESSION_MAX_HOURS`` (336: 14 days)
============  ==================================  ===========================

So a copied cookie, even one re-signed with the right key, stops working with its row.
``last_seen_at`` is written at most once a minute (``TOUCH_EVERY``), at the start of a
request (``touch``), never in the middle of a view's transaction.
"""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, flash, g, has_request_context, request, session
from sqlalchemy.exc import DBAPIError

from coop.auth.models import User, UserSession
from coop.core import clock
from coop.core.audit import record
from coop.core.errors import DomainError
from coop.extensions import db

#: The key in the Flask session of this browser's session token.
SESSION_KEY = "_coop_session"
#: ``last_seen_at`` is written when it is at least this old.
TOUCH_EVERY = timedelta(minutes=1)
#: ``flask.g``: the current request's ``UserSession`` row, once ``load`` accepted it.
G_KEY = "coop_user_session"


class SessionError(DomainError):
    """A session the person asked to end is not theirs."""


# -- limits ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    idle: timedelta
    absolute: timedelta


def limits_for(user: User) -> Limits:
    """The idle and absolute limits of ``user``'s sessions (staff have shorter ones)."""
    config = current_app.config
    if user.is_staff:
        return Limits(
            timedelta(minutes=config["SESSION_IDLE_MINUTES_STAFF"]),
            timedelta(hours=config["SESSION_MAX_HOURS_STAFF"]),
        )
    return Limits(
        timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
        timedelta(hours=config["SESSION_MAX_HOURS"]),
    )


def is_live(row: UserSession, user: User, now: datetime | None = None) -> bool:
    """Not ended, not idle too long, not too old."""
    now = now or clock.now()
    limits = limits_for(user)
    return (
        row.ended_at is None
        and now - row.last_seen_at < limits.idle
        and now - row.created_at < limits.absolute
    )


def idle_deadline(row: UserSession, user: User) -> datetime:
    """When this session ends if no other request arrives."""
    limits = limits_for(user)
    return min(row.last_seen_at + limits.idle, row.created_at + limits.absolute)


# -- devices --------------------------------------------------------------------------

_BROWSERS = (
    ("Edg", "Edge"),
    ("OPR", "Opera"),
    ("Firefox", "Firefox"),
    ("FxiOS", "Firefox"),
    ("CriOS", "Chrome"),
    ("Chrome", "Chrome"),
    ("Safari", "Safari"),
)
_SYSTEMS = (
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Macintosh", "macOS"),
    ("Linux", "Linux"),
)


def describe_device(user_agent: str | None) -> str:
    """ "Firefox on Linux" from a User-Agent header; else the header itself, shortened."""
    ua = (user_agent or "").strip()
    if not ua:
        return "Unknown device"
    browser = next((name for token, name in _BROWSERS if re.search(rf"\b{token}/", ua)), None)
    system = next((name for token, name in _SYSTEMS if token in ua), None)
    if browser and system:
        return f"{browser} on {system}"
    if browser or system:
        return browser or f"A browser on {system}"
    return ua[:120]


# -- starting, loading, touching ------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(user: User, *, user_agent: str | None, ip: str | None) -> tuple[UserSession, str]:
    """A new session row for ``user``; returns it and the token for the cookie.

    The person's rows older than the absolute limit can never be live again: they are
    deleted here, so the table holds about one row per recent sign-in."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    db.session.execute(
        sa.delete(UserSession).where(
            UserSession.user_id == user.id,
            UserSession.created_at < now - limits_for(user).absolute,
        )
    )
    row = UserSession(
        user_id=user.id,
        token_hash=_hash(token),
        device=describe_device(user_agent),
        ip=(ip or "")[:45] or None,
        created_at=now,
        last_seen_at=now,
    )
    db.session.add(row)
    db.session.flush()
    return row, token


def start_for_request(user: User) -> UserSession:
    """Start a session for ``user`` signing in with this request and remember its token
    in the Flask session (called on Flask-Login's ``user_logged_in``)."""
    row, token = start(user, user_agent=request.user_agent.string, ip=request.remote_addr)
    session[SESSION_KEY] = token
    setattr(g, G_KEY, row)
    return row


def load(user_id: str) -> User | None:
    """Flask-Login's user loader: the user of ``"<id>:<session version>"`` whose session
    row (from the token in the Flask session) is live; else None, with a flash saying why
    when a limit ended it."""
    try:
        raw_id, raw_version = user_id.split(":", 1)
        uid, version = int(raw_id), int(raw_version)
    except ValueError:
        return None
    token = session.get(SESSION_KEY) if has_request_context() else None
    if not isinstance(token, str) or not token:
        return None
    found = db.session.execute(
        sa.select(User, UserSession)
        .join(UserSession, UserSession.user_id == User.id)
        .where(User.id == uid, UserSession.token_hash == _hash(token))
    ).first()
    if found is None:
        return None
    user, row = found
    if user.session_version != version or not user.active or row.ended_at is not None:
        return None
    now = clock.now()
    limits = limits_for(user)
    if now - row.created_at >= limits.absolute:
        hours = round(limits.absolute.total_seconds() / 3600)
        span = f"{hours // 24} days" if hours >= 48 and hours % 24 == 0 else f"{hours} hours"
        return _ended(f"Your session ended {span} after you signed in; sign in again.")
    if now - row.last_seen_at >= limits.idle:
        minutes = round(limits.idle.total_seconds() / 60)
        return _ended(
            f"Your session ended after {minutes} minutes without activity; sign in again."
        )
    setattr(g, G_KEY, row)
    return user


def _ended(message: str) -> None:
    session.pop(SESSION_KEY, None)
    flash(message, "info")
    return None


def current() -> UserSession | None:
    """This request's session row (after the user was loaded), if any."""
    return g.get(G_KEY)


def touch() -> None:
    """Note this request on the session row, at most once a minute; its own small
    transaction, at the start of the request. A write that loses a race is skipped."""
    row = current()
    if row is None:
        return
    now = clock.now()
    if now - row.last_seen_at < TOUCH_EVERY:
        return
    try:
        db.session.execute(
            sa.update(UserSession).where(UserSession.id == row.id).values(last_seen_at=now)
        )
        db.session.commit()
    except DBAPIError:
        db.session.rollback()


# -- ending ---------------------------------------------------------------------------


def active_for(user: User) -> list[UserSession]:
    """``user``'s live sessions, the most recently used first."""
    now = clock.now()
    limits = limits_for(user)
    rows = db.session.scalars(
        sa.select(UserSession)
        .where(
            UserSession.user_id == user.id,
            UserSession.ended_at.is_(None),
            UserSession.last_seen_at > now - limits.idle,
            UserSession.created_at > now - limits.absolute,
        )
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    ).all()
    return list(rows)


def end_current(user: User) -> None:
    """Signing out: end this browser's session (the person's other sessions go on)."""
    row = current()
    if row is not None and row.user_id == user.id and row.ended_at is None:
        row.ended_at = clock.now()
        db.session.flush()
        record(user, "user.sessions_ended", user, ["user_sessions"])


def end_one(user: User, row: UserSession) -> UserSession:
    """End one of ``user``'s other sessions (the view checked it is theirs and not this
    one); that browser is signed out at its next request."""
    if row.user_id != user.id:
        raise SessionError("That session is not one of yours.")
    if row.ended_at is None:
        row.ended_at = clock.now()
        db.session.flush()
    record(user, "user.sessions_ended", user, ["user_sessions"])
    return row


def end_others(user: User) -> int:
    """End every session of ``user`` but this one; returns how many were live."""
    here = current()
    stmt = sa.update(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None)
    )
    if here is not None:
        stmt = stmt.where(UserSession.id != here.id)
    live = len([r for r in active_for(user) if here is None or r.id != here.id])
    db.session.execute(stmt.values(ended_at=clock.now()))
    record(user, "user.sessions_ended", user, ["user_sessions"])
    return live


def end_all(user: User) -> None:
    """End every session of ``user`` (a new password, deactivation, signing out
    everywhere). The caller writes the audit event."""
    db.session.execute(
        sa.update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=clock.now())
    )
