"""One record per submitted form, however often it is sent.

A double click or a retried request sends the same create form twice. Each create form
renders a hidden, random one-time token (``SubmissionTokenField``); the view saves it
(``saving``) in the same transaction as the record the submission made. A second
submission with the same token either finds that row (it came later: ``already_saved``)
or runs into its unique constraint (both at once: ``AlreadySaved``, which
``coop.core.retry.transaction`` answers by rolling back and running the view again, which
then finds the row). Either way nothing new is written and the user is sent where the
first submission sent them, told "That was already saved."

The view's pattern::

    @transaction(also=(once.AlreadySaved,), write_lock=True)
    def new_thing():
        form = NewThingForm()
        if (done := once.already_saved(form)) is not None:
            return done
        if form.validate_on_submit():
            with once.saving(form) as saving:
                thing = services.create_thing(...)
                url = url_for("things.thing", thing_id=thing.id)
                saving.done(url, thing.id)
            return redirect(url)  # the decorator commits

Submissions without a token (or with a malformed one) are saved as before. Tokens are
kept per user: another user's token matches nothing and discovers nothing. A user's rows
older than ``KEEP`` are deleted when they save their next form.
"""

import re
import secrets
from contextlib import contextmanager
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


class Saving:
    """What ``saving`` yields: tell it where the saved record is."""

    def __init__(self, row: FormSubmission | None):
        self.row = row

    def done(self, url: str, record_id: int | None = None) -> None:
        """The submission saved ``record_id``; a repeat is sent to ``url``."""
        if self.row is not None:
            self.row.url, self.row.record_id = url, record_id


@contextmanager
def saving(form):
    """Claim this submission's token, then save the record, in one transaction.

    The token is claimed first, so a concurrent repeat waits on it (PostgreSQL) or is
    refused by it, and never reaches the record's own rules or unique constraints:
    ``AlreadySaved`` is raised when it is taken. The body saves the record and calls
    ``done(url, record_id)``; when it raises (a rule refused the record) the claim is
    undone with it and the exception goes on. Without a token it only runs the body.
    """
    token = _token(form)
    if token is None:
        yield Saving(None)
        return
    db.session.execute(
        sa.delete(FormSubmission).where(
            FormSubmission.user_id == current_user.id,
            FormSubmission.created_at < utcnow() - KEEP,
        )
    )
    db.session.flush()
    savepoint = db.session.begin_nested()
    row = FormSubmission(user_id=current_user.id, form=_form_name(), token=token, url="")
    try:
        db.session.add(row)
        db.session.flush()
    except IntegrityError:
        savepoint.rollback()
        raise AlreadySaved("a concurrent submission saved it first") from None
    try:
        yield Saving(row)
    except BaseException:
        savepoint.rollback()
        raise
    if not row.url:
        savepoint.rollback()
        raise RuntimeError("once.saving: the view did not say where the record is")
    savepoint.commit()
