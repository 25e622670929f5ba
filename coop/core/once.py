"""One record per submitted form, however often it is sent.

A double click or a retried request sends the same create form twice. Each create form
renders a hidden, random one-time token (``SubmissionTokenField``); the view records it
(``remember``) in the same transaction as the record the submission made. A second
submission with the same token either finds that row (it came later: ``already_saved``)
or runs into its unique constraint (both at once: ``AlreadySaved``, which
``coop.core.retry.retried`` answers by rolling back and running the view again, which
then finds the row). Either way nothing new is written and the user is sent where the
first submission sent them, told "That was already saved."

The view's pattern::

    @retried(also=(once.AlreadySaved,), write_lock=True)
    def new_thing():
        form = ThingForm()
        if (done := once.already_saved(form)) is not None:
            return done
        if form.validate_on_submit():
            thing = services.create_thing(...)
            url = url_for("things.thing", thing_id=thing.id)
            once.remember(form, url, thing.id)
            db.session.commit()
            return redirect(url)

Submissions without a token (or with a malformed one) are saved as before. Tokens are
kept per user: another user's token matches nothing and discovers nothing. A user's rows
older than ``KEEP`` are deleted when they save their next form.
"""

import re
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import flash, redirect, request
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from wtforms import HiddenField

from coop.core.models import FormSubmission
from coop.db import utcnow
from coop.extensions import db

#: The name of the field (and of the hidden input) on every create form.
FIELD = "submission_token"
#: What a token looks like (``new_token`` makes 32 characters).
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
#: How long a token is remembered: a repeat after that is a new submission.
KEEP = timedelta(days=1)
MESSAGE = "That was already saved."


def new_token() -> str:
    return secrets.token_urlsafe(24)


class SubmissionTokenField(HiddenField):
    """A hidden, random token made when the form is shown, sent back with it.

    ``data`` is the token submitted (None when there was none or it was malformed); the
    form shown again after a refused submission keeps it, or gets a fresh one.
    """

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("default", new_token)
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        value = valuelist[0] if valuelist else ""
        self.data = value if isinstance(value, str) and TOKEN.fullmatch(value) else None

    def _value(self):
        return self.data or new_token()


class AlreadySaved(Exception):
    """A concurrent submission with the same token saved first (or is about to commit):
    roll back and run the view again, to find what it saved."""


def _token(form) -> str | None:
    field = getattr(form, FIELD, None)
    if field is None or not current_user.is_authenticated:
        return None
    return field.data or None


def _form_name() -> str:
    return request.endpoint or request.path


def saved_url(form) -> str | None:
    """Where an earlier submission of this form with the same token by the signed-in user
    sent them, or None."""
    token = _token(form)
    if token is None:
        return None
    return db.session.scalar(
        sa.select(FormSubmission.url).where(
            FormSubmission.user_id == current_user.id,
            FormSubmission.form == _form_name(),
            FormSubmission.token == token,
        )
    )


def already_saved(form):
    """On a POST that repeats a saved submission: the redirect to what it saved (with the
    message), else None. Call it before validating: the repeat is answered even when the
    form would now be refused (say, the job is recorded already)."""
    if request.method != "POST":
        return None
    url = saved_url(form)
    if url is None:
        return None
    flash(MESSAGE, "info")
    return redirect(url)


def remember(form, url: str, record_id: int | None = None) -> None:
    """Record, in the current transaction, that this submission saved ``record_id`` and
    sends the user to ``url``. Raises ``AlreadySaved`` when a concurrent submission with
    the same token got there first. Does nothing for a submission without a token."""
    token = _token(form)
    if token is None:
        return
    db.session.flush()  # what the service made: its own errors are not ours
    db.session.execute(
        sa.delete(FormSubmission).where(
            FormSubmission.user_id == current_user.id,
            FormSubmission.created_at < utcnow() - KEEP,
        )
    )
    row = FormSubmission(
        user_id=current_user.id, form=_form_name(), token=token, record_id=record_id, url=url
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        raise AlreadySaved(token) from None
