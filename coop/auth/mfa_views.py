"""Two-step sign-in pages: the code at sign-in, setting up an authenticator app, turning
it off, and staff resetting someone's. The rules are in ``coop.auth.mfa``."""

import re

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user

from coop.auth import mfa, services
from coop.auth.mfa_forms import DisableMfaForm, EnableMfaForm, ResetMfaForm, SignInCodeForm
from coop.auth.passwords import verify_password
from coop.auth.views import (
    TOO_MANY_LOGINS,
    _back_to_people,
    _load_manageable,
    _no_store,
    is_safe_next,
)
from coop.core import nav
from coop.core.errors import show_error
from coop.core.permissions import public, require, staff_required
from coop.core.requestlog import security_event
from coop.core.retry import transaction
from coop.extensions import limiter

bp = Blueprint("mfa", __name__)

#: The session key of the secret being set up (until the person confirms a code).
SETUP_SECRET = "mfa_setup_secret"  # noqa: S105 - a session key
#: The one limiter scope of every sign-in step: password and code failures count together.
SIGN_IN_SCOPE = "sign-in"
#: What a staff member without a second factor may still reach when it is required.
SETUP_ENDPOINTS = {"mfa.setup", "mfa.qr", "auth.logout", "static"}


def _pending():
    if "mfa_pending_user" not in g:
        g.mfa_pending_user = mfa.pending_user(session.get(mfa.PENDING))
    return g.mfa_pending_user


def _code_key() -> str:
    """Code failures count against the same account as its password failures."""
    user = _pending() if request.endpoint == "mfa.code" else current_user
    if user is None or not getattr(user, "is_authenticated", True):
        return f"login-code:{request.remote_addr}"
    return f"login:{services.normalise_email(user.email)}"


sign_in_limit = limiter.shared_limit(
    lambda: current_app.config["LOGIN_FAILURE_LIMIT"],
    scope=SIGN_IN_SCOPE,
    key_func=_code_key,
    methods=["POST"],
    deduct_when=lambda response: g.get("login_failed", False),
    error_message=TOO_MANY_LOGINS,
)


@bp.before_app_request
def require_second_factor():
    """When ``MFA_REQUIRED_FOR_STAFF`` is on, staff without a second factor set one up
    before anything else."""
    if not current_app.config.get("MFA_REQUIRED_FOR_STAFF"):
        return None
    endpoint = request.endpoint or ""
    if endpoint in SETUP_ENDPOINTS or endpoint.endswith(".static"):
        return None
    user = current_user
    if user.is_authenticated and mfa.required_for(user) and not user.has_mfa:
        flash("Set up two-step sign-in to continue: staff accounts need it.", "info")
        return redirect(url_for("mfa.setup"))
    return None


@bp.route("/login/code", methods=["GET", "POST"])
@public
@sign_in_limit
@transaction
def code():
    if current_user.is_authenticated:
        return redirect(nav.home_url(current_user))
    user = _pending()
    if user is None:
        session.pop(mfa.PENDING, None)
        flash("Sign in with your email and password first.", "info")
        return redirect(url_for("auth.login"))
    form = SignInCodeForm()
    if form.validate_on_submit():
        try:
            method = mfa.check_sign_in_code(user, form.code.data)
        except mfa.MfaError as exc:
            g.login_failed = True
            security_event("sign-in.failed", user, reason="wrong-code")
            show_error(form, exc, field="code")
        else:
            target = session[mfa.PENDING].get("next")
            services.note_login(user, method=f"password+{method}")
            session.clear()
            login_user(user)
            if method == "recovery-code":
                left = mfa.remaining_recovery_codes(user)
                flash(
                    f"You signed in with a recovery code; {left} left. If your phone is lost, "
                    "set up two-step sign-in again from your account page.",
                    "warning",
                )
            return redirect(target if is_safe_next(target) else nav.home_url(user))
    return _no_store(render_template("auth/login_code.html", form=form))


def _setup_secret() -> str | None:
    secret = session.get(SETUP_SECRET)
    if isinstance(secret, str) and re.fullmatch(r"[A-Z2-7]{32}", secret):
        return secret
    return None


@bp.route("/account/mfa", methods=["GET", "POST"])
@login_required
@transaction
def setup():
    user = current_user._get_current_object()
    required = mfa.required_for(user)
    if user.has_mfa:
        page = render_template(
            "auth/mfa.html",
            remaining=mfa.remaining_recovery_codes(user),
            disable_form=None if required else DisableMfaForm(),
        )
        return _no_store(page)
    secret = _setup_secret()
    if secret is None:
        secret = session[SETUP_SECRET] = mfa.new_secret()
    form = EnableMfaForm()
    if form.validate_on_submit():
        try:
            codes = mfa.enable(user, secret, form.code.data)
        except mfa.MfaError as exc:
            show_error(form, exc, field="code")
        else:
            session.pop(SETUP_SECRET, None)
            return _no_store(render_template("auth/mfa_codes.html", codes=codes))
    page = render_template(
        "auth/mfa.html", form=form, secret=mfa.grouped(secret), required=required
    )
    return _no_store(page)


@bp.get("/account/mfa/qr.svg")
@login_required
def qr():
    """The QR code of the secret being set up: only the signed-in person's, only then."""
    secret = _setup_secret()
    require(secret is not None and not current_user.has_mfa)
    response = make_response(mfa.qr_svg(current_user, secret))
    response.headers["Content-Type"] = "image/svg+xml"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/account/mfa/disable")
@login_required
@sign_in_limit
@transaction
def disable():
    user = current_user._get_current_object()
    form = DisableMfaForm()
    if not form.validate_on_submit() or not verify_password(user.password_hash, form.password.data):
        g.login_failed = True
        flash("That password is not right; two-step sign-in stays on.", "danger")
        return redirect(url_for("mfa.setup"))
    try:
        mfa.disable(user)
    except mfa.MfaError as exc:
        show_error(None, exc)
        return redirect(url_for("mfa.setup"))
    flash("Two-step sign-in is off.", "success")
    return redirect(url_for("auth.account"))


@bp.post("/people/<int:user_id>/mfa/reset")
@staff_required
@transaction
def reset(user_id):
    user = _load_manageable(user_id)
    form = ResetMfaForm()
    if not form.validate_on_submit():
        flash("That request was not understood; nothing changed.", "danger")
        return _back_to_people()
    had = mfa.reset(user, actor=current_user._get_current_object())
    if had:
        flash(
            f"{user.name}'s two-step sign-in is reset: they set it up again when they next "
            "sign in.",
            "success",
        )
    else:
        flash(f"{user.name} had no two-step sign-in set up; nothing else changed.", "info")
    return _back_to_people()
