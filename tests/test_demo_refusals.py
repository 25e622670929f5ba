"""``seed-demo`` loads only a new database, and never with the production configuration:
its organisation-wide staff account has a password published in the README."""

import flask_limiter._extension
from limits.storage import MemoryStorage

from coop import create_app
from coop.auth.models import Role, User
from coop.extensions import db
from coop.programs.models import City, Cohort


def counts() -> tuple[int, int, int]:
    return tuple(
        db.session.scalar(db.select(db.func.count()).select_from(model))
        for model in (User, City, Cohort)
    )


def test_seed_demo_refuses_a_database_with_real_accounts(app, factory):
    factory.user(Role.STAFF, email="director@real-org.example")
    db.session.commit()
    before = counts()
    result = app.test_cli_runner().invoke(args=["seed-demo", "--participants", "5"])
    assert result.exit_code == 1
    assert "holds 1 account(s) besides the demo accounts" in result.output
    assert "Nothing was written" in result.output
    assert counts() == before
    assert db.session.scalar(db.select(User).where(User.email == "staff@coop.example")) is None


def test_seed_demo_loads_an_empty_database(app):
    result = app.test_cli_runner().invoke(args=["seed-demo", "--participants", "5"])
    assert result.exit_code == 0, result.output
    assert counts()[1] == 4


def test_seed_demo_refuses_the_production_configuration(monkeypatch):
    for name, value in {
        "SECRET_KEY": "k" * 48,
        "DATABASE_URL": "sqlite://",
        "SERVER_NAME": "coop.example.org",
        "MAIL_SERVER": "smtp.example.org",
        "RATELIMIT_STORAGE_URI": "redis://cache.internal:6379/0",
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("FLASK_DEBUG", "MAIL_BACKEND", "COOP_ALLOW_SQLITE", "TRUSTED_HOSTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(
        flask_limiter._extension, "storage_from_string", lambda uri, **kw: MemoryStorage()
    )
    production = create_app("production")
    # The suite's testing app is current; the command must see the production one.
    with production.app_context():
        result = production.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 1
    assert "seed-demo refuses the production configuration" in result.output
    assert "Loaded demo data" not in result.output
