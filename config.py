"""Configuration classes for coop.

``create_app`` takes one of these (or its name).  Production reads everything that
differs between installations from the environment and refuses to start when a
setting would make it unsafe.
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
DEFAULT_SECRET = "dev-only-not-secret"  # noqa: S105 - the value production refuses


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET)
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'coop.sqlite'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    #: Mail: "console" prints, "smtp" sends, "memory" keeps an outbox (tests).
    MAIL_BACKEND = "console"
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "coop <no-reply@coop.local>")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "1") == "1"

    #: Flask-Limiter storage: memory by default, e.g. redis://127.0.0.1:6379/0 in production.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = False
    LOGIN_FAILURE_LIMIT = "10 per 15 minutes"

    #: argon2id cost parameters (argon2-cffi's RFC 9106 low-memory profile).
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 4

    INVITATION_MAX_AGE = 7 * 24 * 3600
    PASSWORD_RESET_MAX_AGE = 60 * 60
    #: Links in emails are built against this when set (no request to read the host from).
    SERVER_NAME = os.environ.get("SERVER_NAME")
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "http")
    PER_PAGE = 25


class DevelopmentConfig(Config):
    DEBUG = True


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = os.environ.get("COOP_TEST_DATABASE_URL", "sqlite://")
    MAIL_BACKEND = "memory"
    RATELIMIT_STORAGE_URI = "memory://"
    # Cheap hashes: a production-strength check costs ~150 ms, far too slow for a suite.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 8
    ARGON2_PARALLELISM = 1
    SERVER_NAME = None


class ProductionConfig(Config):
    DEBUG = False
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "https")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def check_production(config: dict) -> None:
    """Refuse to start a production app with settings that would make it unsafe."""
    problems = []
    secret = config.get("SECRET_KEY")
    if not secret or secret == DEFAULT_SECRET or len(secret) < 32:
        problems.append("SECRET_KEY must be set to a random value of at least 32 characters")
    if config.get("DEBUG"):
        problems.append("DEBUG must be off")
    if not config.get("SESSION_COOKIE_SECURE"):
        problems.append("SESSION_COOKIE_SECURE must be on")
    if (
        "DATABASE_URL" not in os.environ
        and config.get("SQLALCHEMY_DATABASE_URI", "").startswith("sqlite")
        and os.environ.get("COOP_ALLOW_SQLITE") != "1"
    ):
        problems.append("DATABASE_URL must point at PostgreSQL (or set COOP_ALLOW_SQLITE=1)")
    if problems:
        raise RuntimeError("Refusing to start in production: " + "; ".join(problems))
