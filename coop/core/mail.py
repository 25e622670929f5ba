"""Outgoing mail through an outbox and a configurable backend.

``console`` prints messages (development), ``smtp`` sends them (production) and
``memory`` appends them to ``mail.outbox`` (tests).  Services call ``mail.send`` and
never care which.

Mail is never lost: ``send`` writes the message to the ``outbox`` table
(``coop.core.outbox``) in the transaction of the change that causes it. A rollback (of the
whole transaction, or of a savepoint the message was written in) leaves no message; a
commit keeps it until it is sent. Who sends it is ``MAIL_DELIVERY``:

- ``worker`` (production): ``flask --app coop mail deliver --loop`` sends what is due,
  retrying failures with backoff; the request never waits for the mail server.
- ``inline`` (development and the tests): right after the commit the same delivery sends
  this transaction's messages in the request; one that fails stays queued for a worker
  (or a later ``mail deliver``), and ``mail.undelivered()`` lists it.

Outside a transaction, ``send`` commits the message on a session of its own and (inline)
sends it at once, raising ``MailError`` when that fails. ``send_now`` skips the outbox and
raises ``MailError`` on failure: jobs that commit a claim first and then send (the
reminder commands) use that to release the claim of a message that failed.
"""

import logging
import smtplib
import ssl
import sys
from dataclasses import dataclass, field
from email.message import EmailMessage

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

logger = logging.getLogger("coop.mail")

#: The keys in ``Session.info`` of the messages waiting for the commit, and of those the
#: last commit could not deliver.
QUEUE = "coop.mail.queue"
UNDELIVERED = "coop.mail.undelivered"
#: The outbox ids the last commit wrote, sent inline once its transaction has ended.
COMMITTED = "coop.mail.committed"


def _within(transaction, ancestor) -> bool:
    """Whether ``transaction`` is ``ancestor`` or was begun inside it."""
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


class MailError(RuntimeError):
    """The message could not be handed to the mail server."""


@dataclass
class Message:
    to: list[str]
    subject: str
    body: str
    sender: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    #: The outbox row (``coop.core.outbox.OutboxMessage``) that holds it, once written.
    id: int | None = field(default=None, compare=False)

    def as_email(self, default_sender: str) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = self.sender or default_sender
        msg["To"] = ", ".join(self.to)
        msg["Subject"] = self.subject
        for key, value in self.headers.items():
            msg[key] = value
        msg.set_content(self.body)
        return msg


class Mail:
    def __init__(self, app=None):
        self.outbox: list[Message] = []
        if app is not None:
            self.init_app(app)

    def init_app(self, app):
        app.extensions["coop_mail"] = self
        # On the Session class: every session (Flask-SQLAlchemy's, the tests' own) queues.
        for name, listener in (
            ("after_commit", self._after_commit),
            ("after_soft_rollback", self._after_soft_rollback),
            ("after_transaction_end", self._after_transaction_end),
        ):
            if not sa.event.contains(Session, name, listener):
                sa.event.listen(Session, name, listener)

    def send(self, to: str | list[str], subject: str, body: str) -> Message:
        """Write the message to the outbox in the current transaction; it is sent after
        the commit (inline, or by the worker). Outside a transaction it is committed on a
        session of its own and, inline, sent at once (``MailError`` if that fails)."""
        from coop.core import outbox
        from coop.extensions import db

        message = Message(to=[to] if isinstance(to, str) else list(to), subject=subject, body=body)
        session = db.session()
        root = session.get_transaction()
        if root is None:
            bind = session.get_bind(mapper=outbox.OutboxMessage.__mapper__)
            own = outbox._session_on(bind)
            try:
                message.id = outbox.insert(own, message.to, subject, body)
                own.commit()
            finally:
                own.close()
            if current_app.config["MAIL_DELIVERY"] == "inline":
                failed = outbox.deliver_ids(bind, [message.id], self, current_app.config)
                if failed:
                    raise failed[0][1]
            return message
        innermost = session.get_nested_transaction() or root
        message.id = outbox.insert(session, message.to, subject, body)
        session.info.setdefault(QUEUE, []).append((innermost, message))
        return message

    def requeue(self, message_id: int) -> None:
        """Send outbox message ``message_id`` after the commit too (inline delivery), as
        if just written: for a message queued again by hand."""
        from coop.extensions import db

        session = db.session()
        innermost = session.get_nested_transaction() or session.get_transaction()
        if innermost is not None:
            session.info.setdefault(QUEUE, []).append(
                (innermost, Message(to=[], subject="", body="", id=message_id))
            )

    def send_now(self, to: str | list[str], subject: str, body: str) -> Message:
        """Send at once, whatever the transaction; raises ``MailError`` on failure."""
        return self._deliver(
            Message(to=[to] if isinstance(to, str) else list(to), subject=subject, body=body)
        )

    def undelivered(self) -> list[Message]:
        """The messages the session's last commit could not deliver."""
        from coop.extensions import db

        return list(db.session().info.get(UNDELIVERED, ()))

    # -- the queue -------------------------------------------------------------------

    def _after_commit(self, session: Session) -> None:
        # Also called when a savepoint is released: its messages wait for the outer commit.
        if session.get_nested_transaction() is not None:
            return
        queued = session.info.pop(QUEUE, [])
        session.info[UNDELIVERED] = []
        if queued and current_app.config["MAIL_DELIVERY"] == "inline":
            # Sent once the transaction has given its connection back (see below).
            session.info[COMMITTED] = [m.id for _, m in queued]

    @staticmethod
    def _after_soft_rollback(session: Session, previous_transaction) -> None:
        queue = session.info.get(QUEUE)
        if queue:
            queue[:] = [(t, m) for t, m in queue if not _within(t, previous_transaction)]

    def _after_transaction_end(self, session: Session, transaction) -> None:
        # The outermost transaction ended without a commit (rollback, close): drop all.
        if transaction.parent is not None:
            return
        session.info.pop(QUEUE, None)
        ids = session.info.pop(COMMITTED, None)
        if ids:
            self._deliver_inline(session, ids)

    def _deliver_inline(self, session: Session, ids: list[int]) -> None:
        """Send the committed transaction's messages now, through the outbox (the same
        claim and bookkeeping as the worker). Runs after the session has returned its
        connection, so a full pool cannot deadlock it. Never raises: the data is
        committed; what fails stays queued for the worker and ``undelivered`` lists it."""
        from coop.core import outbox

        try:
            bind = session.get_bind(mapper=outbox.OutboxMessage.__mapper__)
            failed = outbox.deliver_ids(bind, ids, self, current_app.config)
            session.info[UNDELIVERED] = [message for message, _ in failed]
        except Exception:
            logger.exception("mail failed after the commit")

    def _deliver(self, message: Message) -> Message:
        config = current_app.config
        backend = config["MAIL_BACKEND"]
        if backend == "memory":
            self.outbox.append(message)
        elif backend == "console":
            # Plain text, not MIME: a link stays on one line and can be copied.
            print(
                f"----- mail -----\nFrom: {message.sender or config['MAIL_DEFAULT_SENDER']}\n"
                f"To: {', '.join(message.to)}\nSubject: {message.subject}\n\n{message.body}\n"
                "----- end of mail -----",
                file=sys.stderr,
                flush=True,
            )
        elif backend == "smtp":
            self._send_smtp(message.as_email(config["MAIL_DEFAULT_SENDER"]), config)
        else:
            raise RuntimeError(f"unknown MAIL_BACKEND {backend!r}")
        return message

    @staticmethod
    def _send_smtp(email: EmailMessage, config) -> None:
        # A verifying context: smtplib's own default for STARTTLS checks no certificate.
        context = ssl.create_default_context()
        host, port = config["MAIL_SERVER"], config["MAIL_PORT"]
        try:
            if config.get("MAIL_USE_SSL"):
                smtp = smtplib.SMTP_SSL(host, port, timeout=30, context=context)
            else:
                smtp = smtplib.SMTP(host, port, timeout=30)
            with smtp:
                if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
                    smtp.starttls(context=context)
                if config.get("MAIL_USERNAME"):
                    smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
                smtp.send_message(email)
        except (smtplib.SMTPException, OSError) as exc:
            # Log the failure, never the message (it may carry a sign-in link).
            logger.error("mail to the SMTP server %s:%s failed: %r", host, port, exc)
            raise MailError("The email could not be sent. Please try again later.") from exc
