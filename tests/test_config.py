"""Configuration: production reads the environment and refuses unsafe settings."""

import logging

import flask_limiter._extension
import pytest
import sqlalchemy as sa
from limits.storage import MemoryStorage

from config import CONFIGS, DEFAULT_SECRET, check_production
from coop import create_app
from coop.auth.models import User
from coop.extensions import db

GOOD_SECRET = "k" * 48

PRODUCTION_ENV = [
    "COOP_CONFIG",
    "SECRET_KEY",
    "DATABASE_URL",
    "FLASK_DEBUG",
    "MAIL_BACKEND",
    "MAIL_SERVER",
    "MAIL_PORT",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_USE_TLS",
    "MAIL_USE_SSL",
    "MAIL_DEFAULT_SENDER",
    "RATELIMIT_STORAGE_URI",
    "SERVER_NAME",
    "PREFERRED_URL_SCHEME",
    "COOP_ALLOW_SQLITE",
    "TRUSTED_HOSTS",
]
REDIS = "redis://cache.internal:6379/0"


@pytest.fixture
def env(monkeypatch, tmp_path):
    """A clean production environment with good settings; tests spoil one at a time."""
    for name in PRODUCTION_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECRET_KEY", GOOD_SECRET)
    monkeypatch.setenv("DATABASE_URL", "postgres://coop:pw@db.internal:5432/coop")
    monkeypatch.setenv("MAIL_SERVER", "smtp.example.org")
    monkeypatch.setenv("SERVER_NAME", "coop.example.org")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", REDIS)
    # No Redis server (nor client library) in the tests: the limiter counts in memory.
    storages = []

    def fake_storage(uri, **options):
        storages.append(uri)
        return MemoryStorage()

    monkeypatch.setattr(flask_limiter._extension, "storage_from_string", fake_storage)
    monkeypatch.storages = storages
    return monkeypatch


def good_settings(**changes) -> dict:
    settings = {
        "SECRET_KEY": GOOD_SECRET,
        "DEBUG": False,
        "TESTING": False,
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "MAIL_BACKEND": "smtp",
        "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://db/coop",
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
        "SERVER_NAME": "coop.example.org",
    }
    settings.update(changes)
    return settings


# -- check_production ------------------------------------------------------------------


def test_good_settings_pass(env):
    check_production(good_settings())


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY is missing"),
        ({"SECRET_KEY": ""}, "SECRET_KEY is missing"),
        ({"SECRET_KEY": DEFAULT_SECRET}, "SECRET_KEY is the built-in default"),
        ({"SECRET_KEY": "testing-secret"}, "SECRET_KEY is the built-in default"),
        ({"SECRET_KEY": "short-but-random"}, "at least 32 characters"),
        ({"DEBUG": True}, "DEBUG must be off"),
        ({"TESTING": True}, "TESTING must be off"),
        ({"SESSION_COOKIE_SECURE": False}, "SESSION_COOKIE_SECURE must be on"),
        ({"SESSION_COOKIE_HTTPONLY": False}, "SESSION_COOKIE_HTTPONLY must be on"),
        ({"SESSION_COOKIE_SAMESITE": None}, "SESSION_COOKIE_SAMESITE must be Lax or Strict"),
        ({"WTF_CSRF_ENABLED": False}, "WTF_CSRF_ENABLED must be on"),
        ({"MAIL_BACKEND": "memory"}, "MAIL_BACKEND must be smtp"),
        ({"SERVER_NAME": None}, "SERVER_NAME must be set"),
    ],
)
def test_unsafe_settings_are_refused(env, changes, problem):
    with pytest.raises(RuntimeError, match="Refusing to start in production") as info:
        check_production(good_settings(**changes))
    assert problem in str(info.value)


def test_sqlite_in_production_needs_an_explicit_yes(env):
    env.delenv("DATABASE_URL")
    sqlite = good_settings(SQLALCHEMY_DATABASE_URI="sqlite:///coop.sqlite")
    with pytest.raises(RuntimeError, match="DATABASE_URL must point at PostgreSQL"):
        check_production(sqlite)
    env.setenv("COOP_ALLOW_SQLITE", "1")
    check_production(sqlite)


def test_every_problem_is_reported_at_once(env):
    with pytest.raises(RuntimeError) as info:
        check_production(good_settings(SECRET_KEY=None, DEBUG=True))
    assert "SECRET_KEY" in str(info.value) and "DEBUG" in str(info.value)


def test_console_mail_is_allowed_with_a_warning(env, caplog):
    with caplog.at_level(logging.WARNING, logger="coop"):
        check_production(good_settings(MAIL_BACKEND="console"))
    assert "MAIL_BACKEND=console" in caplog.text


@pytest.mark.parametrize("storage", ["memory://", "", None])
def test_limits_counted_per_process_are_refused(env, storage):
    # With 4 workers each counting on its own, 40 of 60 wrong passwords got through.
    with pytest.raises(RuntimeError, match="RATELIMIT_STORAGE_URI must name a shared store"):
        check_production(good_settings(RATELIMIT_STORAGE_URI=storage))


# -- create_app("production") ----------------------------------------------------------


def test_production_app_starts_with_good_settings_from_the_environment(env):
    env.setenv("MAIL_PORT", "2525")
    env.setenv("MAIL_USERNAME", "mailer")
    env.setenv("MAIL_PASSWORD", "mail-secret")
    env.setenv("MAIL_DEFAULT_SENDER", "coop <hello@coop.example>")
    app = create_app("production")
    config = app.config
    assert config["SECRET_KEY"] == GOOD_SECRET
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://coop:pw@db.internal:5432/coop"
    assert (config["DEBUG"], config["TESTING"]) == (False, False)
    assert (config["SESSION_COOKIE_SECURE"], config["SESSION_COOKIE_HTTPONLY"]) == (True, True)
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["MAIL_BACKEND"] == "smtp"
    assert (config["MAIL_SERVER"], config["MAIL_PORT"]) == ("smtp.example.org", 2525)
    assert (config["MAIL_USERNAME"], config["MAIL_PASSWORD"]) == ("mailer", "mail-secret")
    assert config["MAIL_USE_TLS"] is True and config["MAIL_USE_SSL"] is False
    assert config["MAIL_DEFAULT_SENDER"] == "coop <hello@coop.example>"
    assert config["RATELIMIT_STORAGE_URI"] == REDIS and env.storages == [REDIS]
    assert config["PREFERRED_URL_SCHEME"] == "https"
    assert config["SERVER_NAME"] == "coop.example.org"
    assert config["ARGON2_MEMORY_COST"] >= 65536


def test_production_session_cookie_is_secure_httponly_lax(env):
    app = create_app("production")
    client = app.test_client()
    response = client.get("/login", base_url="https://coop.example.org")
    assert response.status_code == 200
    cookie = next(
        c for c in response.headers.getlist("Set-Cookie") if c.startswith("__Host-session=")
    )
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    # The __Host- prefix: browsers keep it only with Path=/ and no Domain.
    assert "Path=/" in cookie and "Domain" not in cookie
    # CSRF is on in production.
    assert client.post("/login", base_url="https://coop.example.org").status_code == 400


def test_production_reads_the_limiter_storage_from_the_environment(env):
    env.setenv("RATELIMIT_STORAGE_URI", "redis://cache.internal:6379/3")
    assert CONFIGS["production"].RATELIMIT_STORAGE_URI == "redis://cache.internal:6379/3"


def test_production_ssl_mail_defaults_to_port_465(env):
    env.setenv("MAIL_USE_SSL", "true")
    production = CONFIGS["production"]
    assert (production.MAIL_USE_SSL, production.MAIL_USE_TLS, production.MAIL_PORT) == (
        True,
        False,
        465,
    )


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("SECRET_KEY", None, "SECRET_KEY is missing"),
        ("SECRET_KEY", DEFAULT_SECRET, "SECRET_KEY is the built-in default"),
        ("SECRET_KEY", "too-short", "at least 32 characters"),
        ("FLASK_DEBUG", "1", "DEBUG must be off"),
        ("MAIL_BACKEND", "memory", "MAIL_BACKEND must be smtp"),
        ("SERVER_NAME", None, "SERVER_NAME must be set"),
        ("RATELIMIT_STORAGE_URI", "memory://", "RATELIMIT_STORAGE_URI must name a shared"),
        ("RATELIMIT_STORAGE_URI", None, "RATELIMIT_STORAGE_URI must name a shared"),
        ("DATABASE_URL", "", "DATABASE_URL must point at PostgreSQL"),
        ("DATABASE_URL", "  ", "DATABASE_URL must point at PostgreSQL"),
        ("DATABASE_URL", None, "DATABASE_URL must point at PostgreSQL"),
    ],
)
def test_production_app_refuses_to_start(env, name, value, problem):
    if value is None:
        env.delenv(name)
    else:
        env.setenv(name, value)
    with pytest.raises(RuntimeError, match=problem):
        create_app("production")


def test_production_refuses_debug_given_as_an_override(env):
    with pytest.raises(RuntimeError, match="DEBUG must be off"):
        create_app("production", DEBUG=True)


@pytest.mark.parametrize(("name", "value"), [("MAIL_PORT", "smtp"), ("MAIL_USE_TLS", "perhaps")])
def test_malformed_environment_values_are_named(env, name, value):
    env.setenv(name, value)
    with pytest.raises(RuntimeError, match=name):
        create_app("production")


def test_development_defaults(env):
    env.delenv("SECRET_KEY")
    env.delenv("DATABASE_URL")
    env.delenv("RATELIMIT_STORAGE_URI")
    development = CONFIGS["development"]
    assert development.DEBUG is True
    assert development.SECRET_KEY == DEFAULT_SECRET
    assert development.MAIL_BACKEND == "console"
    assert development.SQLALCHEMY_DATABASE_URI.startswith("sqlite:///")
    assert development.RATELIMIT_STORAGE_URI == "memory://"


def test_testing_config_uses_the_memory_outbox_and_cheap_hashes(app):
    assert app.config["MAIL_BACKEND"] == "memory"
    assert app.config["TESTING"] is True
    assert app.config["ARGON2_MEMORY_COST"] < 65536
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"


# -- production: hosts, headers, engine ------------------------------------------------


def test_production_answers_only_its_own_host(env):
    client = create_app("production").test_client()
    assert client.get("/login", base_url="https://coop.example.org").status_code == 200
    response = client.get("/login", base_url="https://evil.example")
    assert response.status_code == 400
    assert "X-Request-ID" in response.headers


def test_production_trusts_extra_hosts_named_in_the_environment(env):
    env.setenv("TRUSTED_HOSTS", "10.0.0.5, coop-internal")
    app = create_app("production")
    assert app.config["TRUSTED_HOSTS"] == ["coop.example.org", "10.0.0.5", "coop-internal"]
    client = app.test_client()
    assert client.get("/healthz", base_url="http://10.0.0.5").status_code == 200
    assert client.get("/healthz", base_url="http://evil.example").status_code == 400


def test_development_and_tests_answer_any_host(client):
    assert client.get("/login", base_url="http://127.0.0.1:5100").status_code == 200


def test_production_sends_hsts_for_a_year_with_subdomains(env):
    response = (
        create_app("production").test_client().get("/login", base_url="https://coop.example.org")
    )
    hsts = response.headers["Strict-Transport-Security"]
    directives = {d.strip().split("=")[0]: d.strip() for d in hsts.split(";")}
    assert int(directives["max-age"].split("=")[1]) >= 365 * 24 * 3600
    assert "includeSubDomains" in directives


def test_development_sends_no_hsts(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_sql_errors_never_show_their_parameters(app, caplog):
    # An applicant's address in a failing statement: neither the error's text nor the
    # log may carry it.
    secret = "applicant.private@example.org"
    with caplog.at_level(logging.DEBUG), pytest.raises(sa.exc.StatementError) as info:
        db.session.execute(sa.insert(User).values(email=secret, name=None, role="staff"))
    db.session.rollback()
    assert "hidden due to hide_parameters" in str(info.value)
    assert secret not in str(info.value) and secret not in caplog.text


def test_a_duplicate_key_error_never_shows_the_value(app, factory, caplog):
    # PostgreSQL repeats the duplicate value in its DETAIL line; SQLite never does.
    secret = "applicant.private@example.org"
    factory.user("staff", email=secret)
    db.session.commit()
    with caplog.at_level(logging.DEBUG), pytest.raises(sa.exc.IntegrityError) as info:
        db.session.execute(sa.insert(User).values(email=secret, name="Twin", role="staff"))
    db.session.rollback()
    assert secret not in str(info.value) and secret not in caplog.text


def test_flask_commands_use_the_configuration_coop_config_names(env):
    """`flask --app coop ...` (migrations, users, scheduled jobs) builds the app without a
    name: COOP_CONFIG=production gives the production checks and mail settings."""
    env.setenv("COOP_CONFIG", "production")
    app = create_app()
    assert app.config["MAIL_BACKEND"] == "smtp"
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-session"
    env.delenv("SECRET_KEY")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()


def test_without_coop_config_flask_commands_use_development(env):
    env.delenv("COOP_CONFIG", raising=False)
    env.delenv("SECRET_KEY")
    env.delenv("DATABASE_URL")
    env.delenv("RATELIMIT_STORAGE_URI")
    app = create_app()
    assert app.config["DEBUG"] is True
    assert app.config["MAIL_BACKEND"] == "console"
