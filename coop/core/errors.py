"""One error path: a refusal is a ``DomainError``, and ``show_error`` shows it.

Each domain's refusal (``ProgramError``, ``AccountError``, ``EnrollmentError``, …)
subclasses ``DomainError(message, field=None)``: ``field`` names the form field the message
belongs to (None: the whole request). A view catches it and calls ``show_error``, which

- rolls back what the failed service wrote (flushed, or left pending in the session), so
  the page shown again shows the database as it was (and the transaction the view's
  ``transaction`` decorator commits holds nothing of the refused change, nor any mail it
  queued). A refusal found before anything was written rolls back nothing: the objects
  the view loaded stay loaded for the page shown again (relationships that are
  ``lazy="raise"`` could not load again after a rollback expired them);
- puts the message on the form: on ``form[exc.field]`` (or the view's ``field=`` when the
  exception names none) when the form has that field, else among the form's non-field
  errors (``form.form_errors``, shown above the fields by ``_macros/forms.html``); with
  no form (a button that redirects back), it flashes the message.
"""

import sqlalchemy as sa
from flask import flash
from sqlalchemy.orm import Session

from coop.extensions import db

#: The key in ``Session.info`` set when the current transaction has flushed changes.
FLUSHED = "coop.errors.flushed"


def _note_flush(session: Session, _flush_context) -> None:
    session.info[FLUSHED] = True


def _note_statement(state) -> None:
    """``session.execute(update(...))`` and the like write without a flush: note them too,
    so a refusal after a conditional UPDATE (a seat taken, a token claimed) rolls it back."""
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[FLUSHED] = True


def _forget_flushes(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(FLUSHED, None)


for _name, _listener in (
    ("after_flush", _note_flush),
    ("do_orm_execute", _note_statement),
    ("after_transaction_end", _forget_flushes),
):
    if not sa.event.contains(Session, _name, _listener):
        sa.event.listen(Session, _name, _listener)


def has_writes(session) -> bool:
    """Whether the session's transaction has written (flushed changes, or an INSERT, UPDATE
    or DELETE run through it) or holds unflushed changes."""
    return bool(session.info.get(FLUSHED) or session.new or session.dirty or session.deleted)


class DomainError(ValueError):
    """A change the rules refuse; the message says why, for the person who tried."""

    def __init__(self, message: str = "", field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def show_error(form, exc: Exception, *, field: str | None = None, category: str = "danger"):
    """Roll back the refused change and show why: on the exception's field (else
    ``field``) when ``form`` has it, else as a non-field error of ``form``, else (no form)
    as a flash of ``category``."""
    if has_writes(db.session()):
        db.session.rollback()
    message = str(exc)
    if form is None:
        flash(message, category)
        return
    name = getattr(exc, "field", None) or field
    target = form._fields.get(name) if name else None
    if target is not None:
        target.errors = [*target.errors, message]
    else:
        form.form_errors.append(message)
