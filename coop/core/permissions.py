"""Named permission checks. Deny by default: every view states who may use it."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from coop.core.requestlog import log_denial
from coop.core.roles import Role


def roles_required(*roles: Role):
    """Allow only signed-in users with one of ``roles``; others get 404.

    404 rather than 403, so a page's existence is not revealed to whoever may not see it.
    """
    allowed = {str(r) for r in roles}

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if str(current_user.role) not in allowed:
                log_denial(404)
                abort(404)
            return view(*args, **kwargs)

        return wrapped

    return decorator


staff_required = roles_required(Role.STAFF)


def public(view):
    """Mark a view as open to anonymous visitors. Every other view requires sign-in; a
    test walks the URL map and checks exactly that."""
    view.is_public = True
    return view


def require(condition: bool) -> None:
    """Abort with 404 unless ``condition`` holds (object-level checks in views)."""
    if not condition:
        log_denial(404)
        abort(404)
