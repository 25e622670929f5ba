"""coop: a cohort-based career-accelerator program, as a Flask application."""

import logging
import os
from pathlib import Path

from flask import Flask, current_app, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix

from config import CONFIGS, check_production
from coop.core import requestlog
from coop.db import end_read_only
from coop.extensions import csrf, db, limiter, login_manager, mail, migrate

ROOT = Path(__file__).resolve().parent.parent

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'; object-src 'none'"
)


def create_app(config=None, **overrides) -> Flask:
    """Build the app from a config name (``development``, ``testing``, ``production``)
    or a config class, with optional overrides (tests use these).

    Without a name, ``COOP_CONFIG`` decides (``development`` when unset), so the
    ``flask --app coop`` commands a production host runs from cron use the production
    configuration (and its checks and mail settings) when ``COOP_CONFIG=production``."""
    if config is None:
        config = os.environ.get("COOP_CONFIG") or "development"
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=str(ROOT / "instance"),
    )
    config_obj = CONFIGS[config] if isinstance(config, str) else config
    app.config.from_object(config_obj)
    app.config.update(overrides)
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_db_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if config_obj is CONFIGS["production"]:
        check_production(app.config)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        Path(app.instance_path).mkdir(exist_ok=True)

    import coop.models  # noqa: F401 - every model, for Alembic and relationships

    db.init_app(app)
    app.teardown_appcontext(_end_read_only)  # runs before Flask-SQLAlchemy's session.remove
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    mail.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    if app.config.get("TRUSTED_PROXIES"):
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    from coop.core.inputs import init_app as safe_inputs

    safe_inputs(app)  # before the routes: cleaned request values, bounded <int:> ids
    register_blueprints(app)
    register_error_handlers(app)
    register_template_helpers(app)
    register_cli(app)
    requestlog.init_app(app)
    app.after_request(security_headers)
    logging.getLogger("coop").setLevel(logging.INFO)
    return app


def _end_read_only(exc: BaseException | None) -> None:
    """A request that only read ends its transaction with COMMIT (``coop.db.end_read_only``);
    one that failed, or wrote, is rolled back by Flask-SQLAlchemy as before."""
    if exc is not None or not db.session.registry.has():
        return
    try:
        end_read_only(db.session())
    except SQLAlchemyError:
        logging.getLogger("coop").warning("could not end a read-only transaction", exc_info=True)


def normalise_db_url(url: str) -> str:
    """Accept the usual ``postgres://`` / ``postgresql://`` URLs and use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@login_manager.user_loader
def load_user(user_id: str):
    """Load the user from ``"<id>:<session version>"`` and the session token: an old
    version, an ended session or one past its limits is signed out
    (``coop.auth.user_sessions``)."""
    from coop.auth import user_sessions

    return user_sessions.load(user_id)


def register_blueprints(app: Flask) -> None:
    """Register every domain's blueprint, in the order of the layers."""
    from coop.assessments import views as assessments_views
    from coop.auth import audit_trail, mfa_views
    from coop.auth import session_views as account_sessions_views
    from coop.auth import views as auth_views
    from coop.coaching import pairing_views, request_views
    from coop.coaching import views as coaching_views
    from coop.core import views as core_views
    from coop.enrollment import placement_views
    from coop.enrollment import views as enrollment_views
    from coop.hiring import views as hiring_views
    from coop.plans import views as plans_views
    from coop.portal import views as portal_views
    from coop.privacy import views as privacy_views
    from coop.programs import cloning_views
    from coop.programs import views as programs_views
    from coop.referrals import current_roles  # noqa: F401 - its events receiver
    from coop.referrals import views as referrals_views
    from coop.reports import views as reports_views
    from coop.reports import wioa_views
    from coop.risk import views as risk_views
    from coop.sessions import views as sessions_views
    from coop.support import views as support_views
    from coop.talent import views as talent_views

    for views in (
        core_views,
        programs_views,
        cloning_views,
        auth_views,
        audit_trail,
        account_sessions_views,
        mfa_views,
        enrollment_views,
        placement_views,
        coaching_views,
        request_views,
        pairing_views,
        sessions_views,
        referrals_views,
        hiring_views,
        assessments_views,
        plans_views,
        support_views,
        risk_views,
        reports_views,
        wioa_views,
        portal_views,
        privacy_views,
        talent_views,
    ):
        app.register_blueprint(views.bp)
    from coop.core import outbox_views

    app.register_blueprint(outbox_views.bp)
    from coop.announcements import views as announcements_views

    app.register_blueprint(announcements_views.bp)
    from coop.people import views as people_views

    app.register_blueprint(people_views.bp)


def register_error_handlers(app: Flask) -> None:
    def render_error(code: int, title: str, message: str, request_id: str | None = None):
        page = render_template(
            "errors/error.html", code=code, title=title, message=message, request_id=request_id
        )
        return page, code

    @app.errorhandler(400)
    def bad_request(e):
        if isinstance(e, SecurityError):
            # A Host outside TRUSTED_HOSTS: no URL can be built for it, so no layout.
            return "Bad request: unknown host.", 400, {"Content-Type": "text/plain"}
        return render_error(400, "Bad request", getattr(e, "description", "") or "")

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return render_error(
            400,
            "Form expired",
            "The form was missing its security token or it had expired. "
            "Go back, reload the page and try again.",
        )

    @app.errorhandler(403)
    def forbidden(e):
        requestlog.log_denial(403)
        return render_error(403, "Not allowed", "You do not have access to this page.")

    @app.errorhandler(404)
    def not_found(e):
        return render_error(404, "Page not found", "There is nothing here, or you cannot see it.")

    @app.errorhandler(405)
    def method_not_allowed(e):
        return render_error(405, "Not allowed", "That action is not available here.")

    @app.errorhandler(429)
    def too_many(e):
        # A limit declared with error_message= explains itself (sign-in, reset requests).
        limit = getattr(e, "limit", None)
        message = e.description if getattr(limit, "error_message", None) else None
        requestlog.security_event("rate-limited", path=request.path)
        return render_error(
            429, "Too many attempts", message or "Too many requests. Wait a while and try again."
        )

    @app.errorhandler(413)
    def too_large(e):
        return render_error(
            413, "File too large", "That upload is larger than 5 MB. Split it and try again."
        )

    @app.errorhandler(500)
    def server_error(e):
        db.session.rollback()
        return render_error(
            500,
            "Something went wrong",
            "The error has been logged. Nothing was saved; please try again.",
            request_id=requestlog.request_id(),
        )


def register_template_helpers(app: Flask) -> None:
    from coop.core import nav
    from coop.core.filters import register_filters
    from coop.core.pagination import page_url

    register_filters(app)
    app.jinja_env.globals.update(nav_for=nav.nav_for, menu_for=nav.menu_for, page_url=page_url)
    app.context_processor(nav.badges_context)  # the menu's numbers, counted before rendering


def register_cli(app: Flask) -> None:
    from coop.assessments import cli as assessments_cli
    from coop.auth import audit_trail
    from coop.auth.cli import users_cli
    from coop.coaching import cli as coaching_cli
    from coop.demo import seed_demo_command
    from coop.enrollment import cli as enrollment_cli
    from coop.privacy import cli as privacy_cli
    from coop.referrals import cli as referrals_cli
    from coop.sessions import cli as sessions_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(seed_demo_command)
    for module in (
        audit_trail,
        coaching_cli,
        enrollment_cli,
        sessions_cli,
        referrals_cli,
        privacy_cli,
    ):
        app.cli.add_command(module.cli)
    from coop.core import mail_cli

    app.cli.add_command(mail_cli.cli)
    app.cli.add_command(assessments_cli.cli)


def security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    if hsts := current_app.config.get("HSTS"):
        headers.setdefault("Strict-Transport-Security", hsts)
    if not request.path.startswith("/static/") and current_user and current_user.is_authenticated:
        headers["Cache-Control"] = "no-store"
    return response
