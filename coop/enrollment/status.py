"""The applicant's status page: a signed link, emailed with the application's receipt,
where they follow their application without an account (in the style of
``coop.auth.tokens``: signed and expiring, carrying the enrollment and its person)."""

from flask import current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import joinedload, selectinload

from coop.enrollment.models import Enrollment
from coop.extensions import db
from coop.programs.models import Cohort

#: How long a status link works (seconds): a cohort's recruiting and program, and more.
DEFAULT_MAX_AGE = 365 * 24 * 3600


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="coop-application-status")


def make_token(enrollment: Enrollment) -> str:
    return _serializer().dumps({"e": enrollment.id, "u": enrollment.user_id})


def status_url(enrollment: Enrollment) -> str:
    """The link to the status page, for emails."""
    return url_for("enrollment.status", token=make_token(enrollment), _external=True)


def load(token: str) -> Enrollment | None:
    """The enrollment the link was made for (with its cohort, city, track and stage
    history), or None for a bad or expired link, or one whose person changed."""
    max_age = current_app.config.get("APPLICATION_STATUS_MAX_AGE", DEFAULT_MAX_AGE)
    try:
        data = _serializer().loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), int) for k in "eu"):
        return None
    enrollment = db.session.scalar(
        db.select(Enrollment)
        .options(
            joinedload(Enrollment.cohort).options(
                joinedload(Cohort.city), joinedload(Cohort.track)
            ),
            selectinload(Enrollment.events),
        )
        .where(Enrollment.id == data["e"], Enrollment.user_id == data["u"])
    )
    return enrollment
