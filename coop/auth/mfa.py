"""Two-step sign-in: codes from an authenticator app (TOTP, RFC 6238) and recovery codes.

- A code is accepted for its own 30-second step and the steps either side (a clock a
  little fast or slow still works), and only once: the step of the last code accepted is
  stored, and a code of that step or an older one is refused (no replay).
- Ten recovery codes are made when the app is confirmed, shown once, stored as SHA-256
  (80 random bits each: a fast hash is safe), and each works once.
- The TOTP secret is stored as is (base32) in ``users.mfa_totp_secret``: the app must
  read it back to check codes, and a key to encrypt it would sit next to it on the server.
- Staff must have it when ``MFA_REQUIRED_FOR_STAFF`` is on (production's default).

Services here change state and write audit events; they never commit.
"""

import hashlib
import hmac
import io
import secrets
from datetime import datetime

import pyotp
import segno
import sqlalchemy as sa
from flask import current_app

from coop.auth import user_sessions
from coop.auth.models import RecoveryCode, User
from coop.auth.passwords import hash_password, needs_rehash
from coop.core import clock
from coop.core.audit import record
from coop.core.errors import DomainError
from coop.core.requestlog import security_event
from coop.extensions import db

ISSUER = "coop"
STEP_SECONDS = 30
#: Steps either side of the current one that are still accepted.
WINDOW = 1
RECOVERY_CODE_COUNT = 10
#: Base32 without the letters people confuse; 16 characters are 80 bits.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_LENGTH = 16

WRONG_CODE = "That code is not right. Enter the current code from your app."


class MfaError(DomainError):
    """A refused code or a refused change to someone's second factor."""


def new_secret() -> str:
    return pyotp.random_base32()


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(user: User, secret: str) -> bytes:
    """The otpauth:// link as an SVG QR code, for the app's camera."""
    out = io.BytesIO()
    qr = segno.make(provisioning_uri(user, secret), error="m")
    qr.save(out, kind="svg", scale=5, xmldecl=False, title="QR code for your authenticator app")
    return out.getvalue()


def required_for(user) -> bool:
    """Whether this person must have a second factor before using coop."""
    return bool(user.is_staff and current_app.config.get("MFA_REQUIRED_FOR_STAFF"))


def current_step(at: datetime | None = None) -> int:
    return int((at or clock.now()).timestamp()) // STEP_SECONDS


def _clean_code(code: str | None) -> str:
    return "".join((code or "").split()).replace("-", "").lower()


def matching_step(secret: str, code: str | None, at: datetime | None = None) -> int | None:
    """The time step whose code ``code`` is, within the window around now; else None."""
    code = _clean_code(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now = current_step(at)
    for step in range(now - WINDOW, now + WINDOW + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def _hash_recovery(code: str) -> str:
    return hashlib.sha256(_clean_code(code).encode()).hexdigest()


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(_RECOVERY_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, _RECOVERY_LENGTH, 4))


def _clear(user: User) -> None:
    user.mfa_totp_secret = None
    user.mfa_enabled_at = None
    user.mfa_last_used_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def enable(user: User, secret: str, code: str | None) -> list[str]:
    """Turn on the second factor with ``secret`` once ``code`` shows the app has it;
    returns the ten recovery codes (their only appearance in clear)."""
    step = matching_step(secret, code)
    if step is None:
        raise MfaError(WRONG_CODE, "code")
    _clear(user)
    user.mfa_totp_secret = secret
    user.mfa_enabled_at = clock.now()
    user.mfa_last_used_step = step
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash_recovery(c)) for c in codes)
    db.session.flush()
    record(user, "user.mfa_enabled", user, ["mfa_totp_secret", "mfa_enabled_at"])
    security_event("mfa.enabled", user)
    return codes


def disable(user: User) -> None:
    """The person turns their own second factor off (not allowed when it is required)."""
    if required_for(user):
        raise MfaError("Staff must keep two-step sign-in on.")
    if not user.has_mfa:
        return
    _clear(user)
    db.session.flush()
    record(user, "user.mfa_disabled", user, ["mfa_totp_secret", "mfa_enabled_at"])
    security_event("mfa.disabled", user)


def reset(user: User, actor: User) -> bool:
    """Another staff member removes ``user``'s second factor (a lost phone): every session
    they have is ended (whoever holds the phone may hold one), and they set it up again at
    their next sign-in when it is required. Returns whether they had one."""
    had = user.has_mfa
    _clear(user)
    user_sessions.end_all(user)
    db.session.flush()
    record(actor, "user.mfa_reset", user, ["mfa_totp_secret", "mfa_enabled_at"])
    security_event("mfa.reset", user, by=actor.id)
    return had


def remaining_recovery_codes(user: User) -> int:
    stmt = sa.select(sa.func.count(RecoveryCode.id)).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
    )
    return db.session.scalar(stmt) or 0


def check_sign_in_code(user: User, code: str | None) -> str:
    """Accept a code from the app or a recovery code for ``user``'s sign-in and return
    which it was (``totp`` or ``recovery-code``); raise MfaError otherwise.

    Each is used up with a conditional UPDATE, so two requests racing with the same code
    cannot both succeed.
    """
    cleaned = _clean_code(code)
    if len(cleaned) == 6 and cleaned.isdigit():
        step = matching_step(user.mfa_totp_secret or "", cleaned) if user.has_mfa else None
        if step is not None:
            used = db.session.execute(
                sa.update(User)
                .where(
                    User.id == user.id,
                    sa.or_(User.mfa_last_used_step.is_(None), User.mfa_last_used_step < step),
                )
                .values(mfa_last_used_step=step)
                .execution_options(synchronize_session=False)
            )
            if used.rowcount == 1:
                db.session.expire(user, ["mfa_last_used_step"])
                return "totp"
        raise MfaError(WRONG_CODE, "code")
    if len(cleaned) == _RECOVERY_LENGTH and user.has_mfa:
        used = db.session.execute(
            sa.update(RecoveryCode)
            .where(
                RecoveryCode.user_id == user.id,
                RecoveryCode.code_hash == _hash_recovery(cleaned),
                RecoveryCode.used_at.is_(None),
            )
            .values(used_at=clock.now())
            .execution_options(synchronize_session=False)
        )
        if used.rowcount == 1:
            record(user, "user.recovery_code_used", user)
            return "recovery-code"
    raise MfaError(WRONG_CODE, "code")


def note_password_ok(user: User, password: str) -> None:
    """The password step of a two-step sign-in passed: re-hash the password now if the cost
    settings changed (it is not at hand at the code step)."""
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        db.session.flush()


# -- between the password and the code ------------------------------------------------

#: The session key of the "password accepted, code still due" marker.
PENDING = "mfa_pending"
#: How long after the password the code may come.
PENDING_SECONDS = 5 * 60


def pending_marker(user: User, target: str | None) -> dict:
    """What the session holds between the two steps: who, which session version, when,
    and where to go afterwards. The person is not signed in until the code is accepted."""
    return {
        "uid": user.id,
        "ver": user.session_version,
        "at": int(clock.now().timestamp()),
        "next": (target or "")[:500],
    }


def pending_user(marker) -> User | None:
    """The user a marker is for, while it is fresh and still fits the account."""
    if not isinstance(marker, dict):
        return None
    try:
        uid, version, at = int(marker["uid"]), int(marker["ver"]), int(marker["at"])
    except (KeyError, TypeError, ValueError):
        return None
    if not 0 <= clock.now().timestamp() - at <= PENDING_SECONDS:
        return None
    user = db.session.get(User, uid)
    if user is None or not user.active or user.session_version != version or not user.has_mfa:
        return None
    return user
