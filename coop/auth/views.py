"""Sign-in and sign-out, invitations, password reset, and staff managing people."""

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from coop.auth import services, tokens
from coop.auth.forms import InviteForm, LoginForm, ResetRequestForm, SetPasswordForm
from coop.auth.models import Role, User
from coop.auth.passwords import hash_password, needs_rehash, verify_password
from coop.core import nav
from coop.core.pagination import paginate
from coop.core.permissions import public, require, staff_required
from coop.extensions import db, limiter
from coop.programs.models import City

bp = Blueprint("auth", __name__)

nav.nav_item("People", "auth.users", {Role.STAFF}, order=80)

INVALID_LOGIN = "Email or password is incorrect."


def is_safe_next(target: str | None) -> bool:
    """Only local paths: no scheme, no host, no protocol-relative ``//`` or ``\\``."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def _login_key() -> str:
    email = (request.form.get("email") or "").strip().lower()
    return f"login:{email}"


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(
    lambda: current_app.config["LOGIN_FAILURE_LIMIT"],
    key_func=_login_key,
    methods=["POST"],
    deduct_when=lambda response: g.get("login_failed", False),
)
def login():
    if current_user.is_authenticated:
        return redirect(nav.home_url(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.find_user(form.email.data)
        ok = verify_password(user.password_hash if user else None, form.password.data)
        if ok and user.active:
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(form.password.data)
            services.note_login(user)
            db.session.commit()
            session.clear()  # a fresh session at sign-in (no fixation)
            login_user(user)
            target = request.args.get("next")
            return redirect(target if is_safe_next(target) else nav.home_url(user))
        g.login_failed = True
        flash(INVALID_LOGIN, "danger")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    services.end_sessions(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/invite/<token>", methods=["GET", "POST"])
@public
def accept_invite(token):
    return _set_password_page(token, tokens.INVITE)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token):
    return _set_password_page(token, tokens.RESET)


def _set_password_page(token: str, purpose: str):
    user = tokens.load_token(token, purpose)
    if user is None:
        return render_template("auth/link_invalid.html", purpose=purpose), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        services.set_password(user, form.password.data)
        services.note_login(user)
        db.session.commit()
        if current_user.is_authenticated:
            logout_user()
        session.clear()
        login_user(user)
        flash("Your password is set. Welcome to coop.", "success")
        return redirect(nav.home_url(user))
    return render_template("auth/set_password.html", form=form, user=user, purpose=purpose)


@bp.route("/reset", methods=["GET", "POST"])
@public
@limiter.limit("20 per hour", methods=["POST"])
def request_reset():
    form = ResetRequestForm()
    if form.validate_on_submit():
        services.send_password_reset(form.email.data)
        db.session.commit()
        flash(
            "If an account uses that address, we have emailed it a link to reset the "
            "password. The link works for 60 minutes.",
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form)


def visible_users(viewer, stmt):
    """Narrow a select of users to the people city-limited staff may see: staff of their
    cities, and participants and captains with a cohort in their cities."""
    ids = viewer.city_ids
    if ids is None:
        return stmt
    from coop.coaching.models import CaptainAssignment
    from coop.enrollment.models import Enrollment
    from coop.programs.models import Cohort

    ids = ids or {-1}
    in_staff_city = User.cities.any(City.id.in_(ids))
    enrolled_here = (
        db.select(Enrollment.id)
        .join(Cohort)
        .where(Enrollment.user_id == User.id, Cohort.city_id.in_(ids))
        .exists()
    )
    captain_here = (
        db.select(CaptainAssignment.id)
        .join(Cohort)
        .where(CaptainAssignment.captain_id == User.id, Cohort.city_id.in_(ids))
        .exists()
    )
    return stmt.where(db.or_(in_staff_city, enrolled_here, captain_here))


def user_visible_to(user, viewer) -> bool:
    stmt = visible_users(viewer, db.select(User.id).where(User.id == user.id))
    return db.session.scalar(stmt) is not None


@bp.get("/people")
@staff_required
def users():
    stmt = visible_users(current_user, db.select(User).order_by(User.name, User.id))
    role = request.args.get("role")
    if role in {r.value for r in Role}:
        stmt = stmt.where(User.role == role)
    page = paginate(stmt)
    return render_template("auth/users.html", page=page, role=role, roles=list(Role))


@bp.route("/people/invite", methods=["GET", "POST"])
@staff_required
def invite():
    form = InviteForm()
    visible = current_user.scope_to_cities(db.select(City).order_by(City.name), City.id)
    cities = db.session.scalars(visible).all()
    form.cities.choices = [(c.id, c.name) for c in cities]
    if form.validate_on_submit():
        if form.role.data == "staff" and form.all_cities.data and current_user.city_ids is not None:
            form.all_cities.errors.append(
                "Only organisation-wide staff can invite organisation-wide staff."
            )
        else:
            chosen = [c for c in cities if c.id in set(form.cities.data or [])]
            try:
                user = services.create_user(
                    email=form.email.data,
                    name=form.name.data,
                    role=Role(form.role.data),
                    actor=current_user,
                    all_cities=bool(form.all_cities.data),
                    cities=chosen if form.role.data == "staff" else (),
                )
            except services.AccountError as exc:
                form.email.errors.append(str(exc))
            else:
                services.send_invitation(user, actor=current_user)
                db.session.commit()
                flash(f"Invitation sent to {user.email}.", "success")
                return redirect(url_for("auth.users"))
    return render_template("auth/invite.html", form=form)


@bp.post("/people/<int:user_id>/active")
@staff_required
def set_user_active(user_id):
    user = db.get_or_404(User, user_id)
    # City staff manage only people tied to their cities: staff of their cities.
    scope = current_user.city_ids
    if (
        user.is_staff
        and scope is not None
        and (user.all_cities or not {c.id for c in user.cities} <= scope)
    ):
        abort(404)
    require(user_visible_to(user, current_user))
    if user.id == current_user.id:
        flash("You cannot deactivate yourself.", "danger")
        return redirect(url_for("auth.users"))
    active = request.form.get("active") == "1"
    services.set_active(user, active, actor=current_user)
    db.session.commit()
    flash(
        f"{user.name} is {'active again' if active else 'deactivated and signed out'}.", "success"
    )
    return redirect(url_for("auth.users"))
