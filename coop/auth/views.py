"""Sign-in and sign-out, invitations, password reset, the account page, and staff
managing people."""

from urllib.parse import urlsplit

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
from flask_login import current_user, login_required, login_user, logout_user
from wtforms import SelectChoice

from coop.auth import mfa, services, tokens, user_sessions
from coop.auth.forms import (
    AccountForm,
    ActiveForm,
    InviteForm,
    LoginForm,
    ResendInviteForm,
    ResetRequestForm,
    SetPasswordForm,
)
from coop.auth.models import Role, User
from coop.auth.passwords import verify_password
from coop.auth.queries import may_manage, user_visible_to, visible_users
from coop.core import clock, nav
from coop.core.errors import show_error
from coop.core.pagination import paginate
from coop.core.permissions import public, require, staff_required
from coop.core.retry import after_commit, transaction
from coop.extensions import db, limiter, mail
from coop.programs.models import City

bp = Blueprint("auth", __name__)

nav.nav_item("People", "auth.users", {Role.STAFF}, order=80)

INVALID_LOGIN = "Email or password is incorrect."
TOO_MANY_LOGINS = (
    "Too many failed sign-in attempts for this account. Wait 15 minutes and try again, "
    "or reset your password."
)
TOO_MANY_RESETS = "Too many reset requests. Wait an hour and try again."
RESET_SENT = (
    "If an account uses that address, we have emailed it a link to reset the password. "
    "The link works for 60 minutes."
)


def is_safe_next(target: str | None) -> bool:
    """Only local paths: no scheme, no host, no protocol-relative ``//``.

    Browsers drop tabs and newlines inside URLs and read ``\\`` as ``/``, so
    ``/\\t/evil.example`` would become ``//evil.example``: any of those is refused.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(ch) <= 0x20 or ord(ch) == 0x7F for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def _login_key() -> str:
    """Failed sign-ins are counted per account (the email as typed, normalised)."""
    return f"login:{services.normalise_email(request.form.get('email') or '')}"


def _reset_key() -> str:
    """Reset mails are also limited per address, so nobody can flood someone's inbox."""
    return f"reset:{services.normalise_email(request.form.get('email') or '')}"


def _no_store(response):
    response = make_response(response)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.shared_limit(  # the scope is shared with the code step (coop/auth/mfa_views.py)
    lambda: current_app.config["LOGIN_FAILURE_LIMIT"],
    scope="sign-in",
    key_func=_login_key,
    methods=["POST"],
    deduct_when=lambda response: g.get("login_failed", False),
    error_message=TOO_MANY_LOGINS,
)
@transaction
def login():
    if current_user.is_authenticated:
        return redirect(nav.home_url(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.find_user(form.email.data)
        ok = verify_password(user.password_hash if user else None, form.password.data)
        if ok and user.active and user.has_mfa:  # the password is right: now the code
            mfa.note_password_ok(user, form.password.data)
            session.clear()
            session[mfa.PENDING] = mfa.pending_marker(user, request.args.get("next"))
            return redirect(url_for("mfa.code"))
        if ok and user.active:
            services.note_login(user, password=form.password.data)
            session.clear()  # a fresh session at sign-in: nothing planted before survives
            login_user(user)
            target = request.args.get("next")
            return redirect(target if is_safe_next(target) else nav.home_url(user))
        g.login_failed = True
        services.note_failed_login(user, ok)
        flash(INVALID_LOGIN, "danger")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@public  # someone whose session already ended is simply shown the sign-in page
@transaction
def logout():
    if current_user.is_authenticated:
        # Ends this browser's session row, and so every copy of its cookie (the
        # person's other sessions go on: the account page ends those).
        user_sessions.end_current(current_user._get_current_object())
        services.note_logout(current_user)
        logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/invite/<token>", methods=["GET", "POST"])
@public
@transaction
def accept_invite(token):
    return _set_password_page(token, tokens.INVITE)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@public
@transaction
def reset_password(token):
    return _set_password_page(token, tokens.RESET)


def _set_password_page(token: str, purpose: str):
    user = tokens.load_token(token, purpose)
    if user is None:
        return _no_store((render_template("auth/link_invalid.html", purpose=purpose), 410))
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            services.set_password(user, form.password.data)
        except services.AccountError as exc:
            show_error(form, exc, field="password")
        else:
            if current_user.is_authenticated:
                logout_user()
            session.clear()
            if user.has_mfa:  # a link by email is one factor: the code is still due
                session[mfa.PENDING] = mfa.pending_marker(user, None)
                flash("Your password is set. Now enter the code from your app.", "success")
                return redirect(url_for("mfa.code"))
            services.note_login(user)
            login_user(user)
            flash("Your password is set. Welcome to coop.", "success")
            return redirect(nav.home_url(user))
    page = render_template("auth/set_password.html", form=form, user=user, purpose=purpose)
    return _no_store(page)


@bp.route("/reset", methods=["GET", "POST"])
@public
@limiter.limit(
    lambda: current_app.config["RESET_REQUEST_LIMIT"],
    methods=["POST"],
    error_message=TOO_MANY_RESETS,
)
@limiter.limit(
    lambda: current_app.config["RESET_REQUESTS_PER_ADDRESS"],
    key_func=_reset_key,
    methods=["POST"],
    error_message=TOO_MANY_RESETS,
)
@transaction
def request_reset():
    form = ResetRequestForm()
    if form.validate_on_submit():
        services.send_password_reset(form.email.data)
        if current_user.is_authenticated:  # from the account page: back there
            flash("We have emailed you a link to choose a new password.", "info")
            return redirect(url_for("auth.account"))
        flash(RESET_SENT, "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form)


@bp.route("/account", methods=["GET", "POST"])
@login_required
@transaction
def account():
    user = current_user._get_current_object()
    form = AccountForm(obj=user)
    if form.validate_on_submit():
        try:
            services.update_account(user, name=form.name.data, timezone=form.timezone.data)
        except services.AccountError as exc:
            show_error(form, exc, field="name")
        else:
            flash("Your account is saved.", "success")
            return redirect(url_for("auth.account"))
    sessions = user_sessions.active_for(user)
    return render_template("auth/account.html", form=form, sessions=sessions)


# -- staff: people ---------------------------------------------------------------------


def _load_manageable(user_id: int) -> User:
    """The user, if the current staff member may manage them; 404 otherwise."""
    user = db.get_or_404(User, user_id)
    require(user_visible_to(user, current_user) and may_manage(current_user, user))
    return user


def _back_to_people():
    target = request.form.get("next")
    return redirect(target if is_safe_next(target) else url_for("auth.users"))


@bp.get("/people")
@staff_required
def users():
    stmt = visible_users(
        current_user,
        db.select(User).options(db.selectinload(User.cities)).order_by(User.name, User.id),
    )
    role = request.args.get("role")
    if role in {r.value for r in Role}:
        stmt = stmt.where(User.role == role)
    else:
        role = None
    q = (request.args.get("q") or "").strip()[:100]
    if q:
        stmt = stmt.where(
            db.or_(
                User.name.icontains(q, autoescape=True), User.email.icontains(q, autoescape=True)
            )
        )
    page = paginate(stmt, count_ahead=True)  # grows with the program
    manageable = {u.id for u in page.items if may_manage(current_user, u)}
    return render_template(
        "auth/users.html",
        page=page,
        role=role,
        q=q,
        roles=list(Role),
        manageable=manageable,
        is_invited=services.is_invited,
        viewer_zone=clock.zone_for(current_user),
    )


@bp.route("/people/invite", methods=["GET", "POST"])
@staff_required
@transaction
def invite():
    form = InviteForm()
    if current_user.city_ids is not None:
        del form.all_cities
    visible = current_user.scope_to_cities(
        db.select(City).where(City.archived.is_(False)).order_by(City.name), City.id
    )
    cities = db.session.scalars(visible).all()
    form.cities.choices = [SelectChoice(c.id, c.name) for c in cities]
    if form.validate_on_submit():
        is_staff = form.role.data == Role.STAFF.value
        chosen = [c for c in cities if c.id in set(form.cities.data or [])]
        try:
            user = services.invite_user(
                current_user._get_current_object(),
                email=form.email.data,
                name=form.name.data,
                role=Role(form.role.data),
                all_cities=is_staff and "all_cities" in form and bool(form.all_cities.data),
                cities=chosen if is_staff else (),
            )
        except services.AccountError as exc:
            show_error(form, exc, field="email")
        else:
            name, email = user.name, user.email
            after_commit(
                lambda: (
                    flash(
                        f"{name} is saved, but the invitation email could not be sent. "
                        "Send it again from this list later.",
                        "danger",
                    )
                    if mail.undelivered()
                    else flash(f"Invitation sent to {email}.", "success")
                )
            )
            return redirect(url_for("auth.users"))
    return render_template("auth/invite.html", form=form)


@bp.post("/people/<int:user_id>/invite")
@staff_required
@transaction
def resend_invite(user_id):
    user = _load_manageable(user_id)
    form = ResendInviteForm()
    if form.validate_on_submit():
        if services.send_invitation(user, actor=current_user._get_current_object()):
            email = user.email
            after_commit(
                lambda: (
                    flash("The email could not be sent. Please try again later.", "danger")
                    if mail.undelivered()
                    else flash(f"Invitation sent again to {email}.", "success")
                )
            )
        else:
            flash(f"{user.name} has already set a password or is deactivated.", "danger")
    return _back_to_people()


@bp.post("/people/<int:user_id>/active")
@staff_required
@transaction
def set_user_active(user_id):
    user = _load_manageable(user_id)
    form = ActiveForm()
    if not form.validate_on_submit():
        flash("That request was not understood; nothing changed.", "danger")
        return _back_to_people()
    active = form.active.data == "1"
    try:
        services.set_active(user, active, actor=current_user._get_current_object())
    except services.AccountError as exc:
        show_error(None, exc)
        return _back_to_people()
    flash(
        f"{user.name} is {'active again' if active else 'deactivated and signed out'}.", "success"
    )
    return _back_to_people()
