"""Signed, expiring, single-use links for invitations and password resets.

A token carries the user id and a fingerprint of the current password hash and
session version. Setting a password changes both, so a used link stops working
without any table of used tokens.
"""

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from coop.extensions import db

INVITE = "invite"
RESET = "reset"


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"coop-{purpose}")


def _fingerprint(user) -> str:
    raw = f"{user.password_hash or ''}|{user.session_version}|{user.email}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def make_token(user, purpose: str) -> str:
    return _serializer(purpose).dumps({"u": user.id, "f": _fingerprint(user)})


def max_age(purpose: str) -> int:
    key = "INVITATION_MAX_AGE" if purpose == INVITE else "PASSWORD_RESET_MAX_AGE"
    return current_app.config[key]


def load_token(token: str, purpose: str):
    """The user the token was made for, or None if it is bad, expired or used."""
    from coop.auth.models import User

    try:
        data = _serializer(purpose).loads(token, max_age=max_age(purpose))
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = db.session.get(User, data["u"])
    if user is None or not user.active or data.get("f") != _fingerprint(user):
        return None
    return user
