"""Configuration classes for coop.

``create_app`` takes one of these (or its name).  Production reads everything that
differs between installations from the environment and refuses to start when a
setting would make it unsafe.

Settings that come from the environment are properties, read when ``create_app`` loads
the config (``app.config.from_object`` on an instance), never once at import: a test
that monkeypatches the environment and builds an app sees its own values.
"""

import logging
import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
DEFAULT_SECRET = "dev-only-not-secret"  # noqa: S105 - the value production refuses
MIN_SECRET_LENGTH = 32
MAIL_BACKENDS = ("console", "smtp", "memory")

logger = logging.getLogger("coop")


def env_flag(name: str, default: bool) -> bool:
    """A yes/no setting: 1/true/yes/on or 0/false/no/off (any case)."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise RuntimeError(f"{name} must be 1 or 0 (true/false), not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError:
        raise RuntimeError(f"{name} must be a whole number, not {raw!r}") from None


class Config:
    #: Whether this is the production configuration (``seed-demo`` refuses it).
    PRODUCTION = False
    #: Extra engine options. ``hide_parameters`` is always on (coop/extensions.py): a
    #: statement's parameters (applicants' emails and phone numbers) never appear in an
    #: exception's text or a traceback in the log.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    RATELIMIT_HEADERS_ENABLED = False
    #: If Redis goes away, keep counting failed sign-ins in each process rather than
    #: answering every sign-in with an error.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    #: A sliding window: never more than 10 failures in any 15 minutes.
    RATELIMIT_STRATEGY = "moving-window"
    LOGIN_FAILURE_LIMIT = "10 per 15 minutes"
    #: Reset requests: per network address, and per email address asked about.
    RESET_REQUEST_LIMIT = "20 per hour"
    RESET_REQUESTS_PER_ADDRESS = "5 per hour"

    #: argon2id cost parameters (argon2-cffi's RFC 9106 low-memory profile).
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 4

    #: Staff must set up two-step sign-in before anything else (on in production).
    MFA_REQUIRED_FOR_STAFF = False

    INVITATION_MAX_AGE = 7 * 24 * 3600
    #: Days a request to captain a cohort stays open before it expires.
    CAPTAIN_REQUEST_DAYS = 14
    PASSWORD_RESET_MAX_AGE = 60 * 60
    PER_PAGE = 25
    #: Largest request body accepted (CSV uploads are the biggest): 5 MB.
    MAX_CONTENT_LENGTH = 5 * 1024 * 1024
    DEBUG = False
    #: The Strict-Transport-Security header, sent when set (production only: development
    #: runs on plain http).
    HSTS: str | None = None
    #: The at-risk list's thresholds, one set for the program (this installation): absent
    #: from each of the last ``absences`` held sessions; at least ``plan_overdue_steps``
    #: open plan steps due more than ``plan_overdue_days`` days ago. (A check-in is
    #: overdue by each cohort's own ``checkin_overdue_days``.) Other domains add keys.
    AT_RISK_THRESHOLDS: dict = {"absences": 3, "plan_overdue_days": 0, "plan_overdue_steps": 1}

    # -- read from the environment when the app is built --------------------------------
    #: Retention (``flask --app coop privacy purge``): applicants never enrolled are
    #: erased this many years after their last activity ...
    @property
    def RETENTION_APPLICANT_YEARS(self) -> int:
        return env_int("RETENTION_APPLICANT_YEARS", 2)

    #: ... and anyone else (not staff) with no activity for this many years.
    @property
    def RETENTION_INACTIVE_YEARS(self) -> int:
        return env_int("RETENTION_INACTIVE_YEARS", 7)

    @property
    def SECRET_KEY(self) -> str | None:
        return os.environ.get("SECRET_KEY", DEFAULT_SECRET)

    #: Sessions end after this long without a request, and this long after signing in,
    #: whatever the activity (coop/auth/user_sessions.py): staff, and everyone else.
    @property
    def SESSION_IDLE_MINUTES_STAFF(self) -> int:
        return env_int("SESSION_IDLE_MINUTES_STAFF", 30)

    @property
    def SESSION_IDLE_MINUTES(self) -> int:
        return env_int("SESSION_IDLE_MINUTES", 120)

    @property
    def SESSION_MAX_HOURS_STAFF(self) -> int:
        return env_int("SESSION_MAX_HOURS_STAFF", 12)

    @property
    def SESSION_MAX_HOURS(self) -> int:
        return env_int("SESSION_MAX_HOURS", 14 * 24)

    #: Flask refuses a session cookie signed longer ago than this, and Flask-Login's
    #: remember cookie (never set by coop) could not outlive it either.
    @property
    def PERMANENT_SESSION_LIFETIME(self) -> timedelta:
        return timedelta(hours=max(self.SESSION_MAX_HOURS, self.SESSION_MAX_HOURS_STAFF))

    @property
    def REMEMBER_COOKIE_DURATION(self) -> timedelta:
        return self.PERMANENT_SESSION_LIFETIME

    @property
    def SQLALCHEMY_DATABASE_URI(self) -> str:
        url = os.environ.get("DATABASE_URL", "").strip()
        return url or f"sqlite:///{BASE_DIR / 'instance' / 'coop.sqlite'}"

    #: Mail: "console" prints, "smtp" sends, "memory" keeps an outbox (tests).
    @property
    def MAIL_BACKEND(self) -> str:
        return os.environ.get("MAIL_BACKEND", "console")

    @property
    def MAIL_DEFAULT_SENDER(self) -> str:
        return os.environ.get("MAIL_DEFAULT_SENDER", "coop <no-reply@coop.local>")

    @property
    def MAIL_SERVER(self) -> str:
        return os.environ.get("MAIL_SERVER", "localhost")

    @property
    def MAIL_PORT(self) -> int:
        return env_int("MAIL_PORT", 465 if self.MAIL_USE_SSL else 587)

    @property
    def MAIL_USERNAME(self) -> str | None:
        return os.environ.get("MAIL_USERNAME") or None

    @property
    def MAIL_PASSWORD(self) -> str | None:
        return os.environ.get("MAIL_PASSWORD") or None

    #: STARTTLS on a plain connection (port 587).
    @property
    def MAIL_USE_TLS(self) -> bool:
        return env_flag("MAIL_USE_TLS", not self.MAIL_USE_SSL)

    #: TLS from the first byte (port 465).
    @property
    def MAIL_USE_SSL(self) -> bool:
        return env_flag("MAIL_USE_SSL", False)

    #: Who sends the outbox (coop/core/outbox.py): "inline" right after each commit, in
    #: the request (development), or "worker": ``flask --app coop mail deliver --loop``.
    @property
    def MAIL_DELIVERY(self) -> str:
        return os.environ.get("MAIL_DELIVERY", "inline")

    #: A message that failed this many times is dead (shown to staff, who can retry it).
    @property
    def MAIL_MAX_ATTEMPTS(self) -> int:
        return env_int("MAIL_MAX_ATTEMPTS", 8)

    #: The wait after the first failure; it doubles after each further one (up to 6 h).
    @property
    def MAIL_RETRY_SECONDS(self) -> int:
        return env_int("MAIL_RETRY_SECONDS", 60)

    #: Flask-Limiter storage: memory by default, e.g. redis://127.0.0.1:6379/0 in production
    #: (memory counts per process, so several workers each allow 10 failures).
    @property
    def RATELIMIT_STORAGE_URI(self) -> str:
        return os.environ.get("RATELIMIT_STORAGE_URI", "memory://")

    #: Links in emails are built against this when set (no request to read the host from).
    @property
    def SERVER_NAME(self) -> str | None:
        return os.environ.get("SERVER_NAME") or None

    @property
    def PREFERRED_URL_SCHEME(self) -> str:
        return os.environ.get("PREFERRED_URL_SCHEME", "http")

    #: How many reverse proxies (nginx, Caddy) stand in front of the app. Their
    #: X-Forwarded-For/-Proto headers are trusted for that many hops, so per-address
    #: limits (applications, reset requests) count visitors, not the proxy.
    @property
    def TRUSTED_PROXIES(self) -> int:
        return env_int("TRUSTED_PROXIES", 0)


class DevelopmentConfig(Config):
    DEBUG = True


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret"  # noqa: S105
    MAIL_BACKEND = "memory"
    MAIL_DELIVERY = "inline"
    RATELIMIT_STORAGE_URI = "memory://"
    # Cheap hashes: a production-strength check costs ~150 ms, far too slow for a suite.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 8
    ARGON2_PARALLELISM = 1
    SERVER_NAME = None

    @property
    def SQLALCHEMY_DATABASE_URI(self) -> str:
        return os.environ.get("COOP_TEST_DATABASE_URL", "sqlite://")


#: One year, and every subdomain: browsers then never try plain http for this host.
HSTS_VALUE = "max-age=31536000; includeSubDomains"


class ProductionConfig(Config):
    PRODUCTION = True
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    # The __Host- prefix makes browsers accept the cookie only when it is Secure, has
    # Path=/ and no Domain: no other host (a subdomain, a plain-http page) can set it.
    SESSION_COOKIE_NAME = "__Host-session"
    SESSION_COOKIE_PATH = "/"
    REMEMBER_COOKIE_NAME = "__Host-remember_token"
    REMEMBER_COOKIE_PATH = "/"
    HSTS = HSTS_VALUE

    @property
    def MFA_REQUIRED_FOR_STAFF(self) -> bool:
        return env_flag("MFA_REQUIRED_FOR_STAFF", True)

    @property
    def TRUSTED_HOSTS(self) -> list[str] | None:
        """The hosts requests may name: SERVER_NAME, and any extra names in TRUSTED_HOSTS
        (comma-separated, e.g. an address a load balancer's health check uses). A request
        for any other host gets 400."""
        hosts = [self.SERVER_NAME or ""]
        hosts += os.environ.get("TRUSTED_HOSTS", "").split(",")
        hosts = [h.strip() for h in hosts if h.strip()]
        return hosts or None

    @property
    def SECRET_KEY(self) -> str | None:
        # No default here: a missing key is refused by check_production.
        return os.environ.get("SECRET_KEY") or None

    @property
    def DEBUG(self) -> bool:
        # `flask run --debug` and FLASK_DEBUG=1 turn on the interactive debugger; refuse them.
        return env_flag("FLASK_DEBUG", False)

    @property
    def MAIL_BACKEND(self) -> str:
        return os.environ.get("MAIL_BACKEND", "smtp")

    @property
    def MAIL_DELIVERY(self) -> str:
        return os.environ.get("MAIL_DELIVERY", "worker")

    @property
    def PREFERRED_URL_SCHEME(self) -> str:
        return os.environ.get("PREFERRED_URL_SCHEME", "https")


#: Instances, so that ``from_object`` evaluates the properties when an app is built.
CONFIGS = {
    "development": DevelopmentConfig(),
    "testing": TestingConfig(),
    "production": ProductionConfig(),
}


def check_production(config) -> None:
    """Refuse to start a production app with settings that would make it unsafe."""
    problems = []
    secret = config.get("SECRET_KEY")
    if not secret:
        problems.append("SECRET_KEY is missing: set it to a long random value")
    elif secret == DEFAULT_SECRET or secret == TestingConfig.SECRET_KEY:
        problems.append("SECRET_KEY is the built-in default: set it to a long random value")
    elif len(secret) < MIN_SECRET_LENGTH:
        problems.append(f"SECRET_KEY must have at least {MIN_SECRET_LENGTH} characters")
    if config.get("DEBUG"):
        problems.append("DEBUG must be off (unset FLASK_DEBUG, do not use --debug)")
    if config.get("TESTING"):
        problems.append("TESTING must be off")
    if not config.get("SESSION_COOKIE_SECURE"):
        problems.append("SESSION_COOKIE_SECURE must be on")
    if not config.get("SESSION_COOKIE_HTTPONLY"):
        problems.append("SESSION_COOKIE_HTTPONLY must be on")
    if config.get("SESSION_COOKIE_SAMESITE") not in ("Lax", "Strict"):
        problems.append("SESSION_COOKIE_SAMESITE must be Lax or Strict")
    if config.get("WTF_CSRF_ENABLED") is False:
        problems.append("WTF_CSRF_ENABLED must be on")
    if not config.get("SERVER_NAME"):
        # Links in emails would otherwise be built from the request's Host header, which
        # anyone can set: a reset link for someone else's account could point elsewhere.
        problems.append("SERVER_NAME must be set to the public host name, e.g. coop.example.org")
    backend = config.get("MAIL_BACKEND")
    if backend not in ("smtp", "console"):
        problems.append(f"MAIL_BACKEND must be smtp (or console), not {backend!r}")
    if config.get("MAIL_DELIVERY", "worker") not in ("worker", "inline"):
        problems.append("MAIL_DELIVERY must be worker (or inline)")
    # An empty DATABASE_URL counts as missing: the app would otherwise fall back to a
    # SQLite file in the instance folder without a word.
    if (
        not os.environ.get("DATABASE_URL", "").strip()
        and config.get("SQLALCHEMY_DATABASE_URI", "").startswith("sqlite")
        and os.environ.get("COOP_ALLOW_SQLITE") != "1"
    ):
        problems.append(
            "DATABASE_URL must point at PostgreSQL: it is empty or missing "
            "(set COOP_ALLOW_SQLITE=1 to run on a SQLite file on purpose)"
        )
    storage = str(config.get("RATELIMIT_STORAGE_URI") or "")
    if not storage or storage.startswith("memory"):
        # Each worker would count failed sign-ins on its own: with 4 workers, 40 of 60
        # wrong passwords got through a limit of 10.
        problems.append(
            "RATELIMIT_STORAGE_URI must name a shared store, e.g. redis://127.0.0.1:6379/0, "
            "not memory:// (each worker process would count failed sign-ins on its own)"
        )
    if problems:
        raise RuntimeError("Refusing to start in production: " + "; ".join(problems))
    if backend == "console":
        logger.warning("MAIL_BACKEND=console: emails (with their sign-in links) go to the log")
