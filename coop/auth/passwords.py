"""argon2id password hashing with the app's configured cost, and the password rules.

The rules follow NIST SP 800-63B: 8 to 128 characters, not one of the 10,000 most
common passwords (``common-passwords.txt``, compared without case), no composition rules.
Passwords are NFKC-normalised before hashing, so the same password typed on systems
that compose accents differently still matches.
"""

import unicodedata
from functools import cache
from importlib import resources

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_LENGTH = 8
MAX_LENGTH = 128
TOO_SHORT = f"The password must have at least {MIN_LENGTH} characters."
TOO_LONG = f"The password must have at most {MAX_LENGTH} characters."
TOO_COMMON = (
    "This password is too common: it is one of the 10,000 most used, the first that "
    "anyone guessing would try. Choose another; a few unrelated words make a good one."
)


@cache
def common_passwords() -> frozenset[str]:
    """The blocklist shipped as package data (one password a line, ``#`` comments)."""
    text = resources.files("coop.auth").joinpath("common-passwords.txt").read_text("utf-8")
    lines = (line.strip() for line in text.splitlines())
    return frozenset(line.casefold() for line in lines if line and not line.startswith("#"))


def is_common(password: str) -> bool:
    return _normalise(password).casefold() in common_passwords()


def password_problem(password: str | None) -> str | None:
    """Why ``password`` is not acceptable, or None if it is."""
    length = len(password or "")
    if length < MIN_LENGTH:
        return TOO_SHORT
    if length > MAX_LENGTH:
        return TOO_LONG
    if is_common(password):
        return TOO_COMMON
    return None


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"],
        memory_cost=config["ARGON2_MEMORY_COST"],
        parallelism=config["ARGON2_PARALLELISM"],
        type=Type.ID,
    )


def _normalise(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def hash_password(password: str) -> str:
    return _hasher().hash(_normalise(password))


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        # Spend the same time as a real check, so unknown accounts are not revealed.
        _hasher().hash(_normalise(password))
        return False
    try:
        return _hasher().verify(password_hash, _normalise(password))
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)
