"""Outgoing mail through a configurable backend.

``console`` prints messages (development), ``smtp`` sends them (production) and
``memory`` appends them to ``mail.outbox`` (tests).  Services call ``mail.send`` and
never care which.

Mail is transactional: ``send`` inside a database transaction queues the message on the
session, and it goes out only after that transaction commits; a rollback (of the whole
transaction, or of a savepoint the message was queued in) drops it.  So a request that
fails after a service "sent" mail sends nothing.  A message that cannot be delivered after
the commit is logged, and ``mail.undelivered()`` lists it (the data stays committed).
Outside a transaction, and with ``send_now``, the message goes out at once and a failure
raises ``MailError``: jobs that commit a claim first and then send (the reminder commands)
use that to release the claim of a message that failed.
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
        """Send after the current transaction commits (at once if none is in progress)."""
        from coop.extensions import db

        message = Message(to=[to] if isinstance(to, str) else list(to), subject=subject, body=body)
        session = db.session()
        root = session.get_transaction()
        if root is None:
            return self._deliver(message)
        innermost = session.get_nested_transaction() or root
        session.info.setdefault(QUEUE, []).append((innermost, message))
        return message

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
        failed = session.info[UNDELIVERED] = []
        for _, message in session.info.pop(QUEUE, []):
            # Never raise here: the data is committed, and an exception would leave the
            # session half-closed.
            try:
                self._deliver(message)
            except MailError:
                failed.append(message)  # _send_smtp has logged why
            except Exception:
                logger.exception("mail failed after the commit")
                failed.append(message)

    @staticmethod
    def _after_soft_rollback(session: Session, previous_transaction) -> None:
        queue = session.info.get(QUEUE)
        if queue:
            queue[:] = [(t, m) for t, m in queue if not _within(t, previous_transaction)]

    @staticmethod
    def _after_transaction_end(session: Session, transaction) -> None:
        # The outermost transaction ended without a commit (rollback, close): drop all.
        if transaction.parent is None:
            session.info.pop(QUEUE, None)

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
