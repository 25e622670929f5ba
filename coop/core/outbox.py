"""The outbox: every message ``mail.send`` writes, and the worker that sends them.

``mail.send`` inserts an ``OutboxMessage`` in the transaction of the change that causes it
(so a rolled-back change leaves no message, and a committed one never loses its mail).
``deliver`` sends what is due, one message per transaction: it claims the oldest due row
(on PostgreSQL with ``SELECT … FOR UPDATE SKIP LOCKED``, so several workers on several
machines never take the same row; SQLite has no row locks, so run one worker there), hands
it to the mail backend, and marks it sent, or counts the failure and waits
``MAIL_RETRY_SECONDS * 2 ** (attempts - 1)`` (at most ``MAX_BACKOFF``) before trying again.
After ``MAIL_MAX_ATTEMPTS`` tries the message is dead: staff see it on ``/mail/undelivered``
and can send it again (``retry``).

Delivery is at least once: a worker that dies after the mail server accepted a message but
before its commit leaves the row queued, and it goes out again. The lock is held while the
message is handed over, so no two workers send it at the same time.

The body of a sent message is dropped (it may carry a sign-in link); the row keeps who it
went to, the subject and when, which announcements read as the delivery status.
"""

import enum
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from coop.core import audit, clock
from coop.core.errors import DomainError
from coop.db import enum_column, utcnow
from coop.extensions import db

logger = logging.getLogger("coop.mail")

#: The longest wait between two tries of one message.
MAX_BACKOFF = timedelta(hours=6)


class OutboxStatus(enum.StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    DEAD = "dead"


class OutboxMessage(db.Model):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The recipients' addresses.
    to: Mapped[list] = mapped_column(sa.JSON)
    subject: Mapped[str] = mapped_column(sa.String(300))
    #: Dropped once sent (it may hold a sign-in link).
    body: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[OutboxStatus] = mapped_column(
        enum_column(OutboxStatus), default=OutboxStatus.QUEUED, server_default="queued"
    )
    #: How many times it was handed to the mail server (successfully or not).
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Not tried before this time (now when queued, later after a failure).
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Why the last try failed (the error's kind and text, never the message body).
    last_error: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (sa.Index("ix_outbox_due", "status", "next_attempt_at"),)

    @property
    def failing(self) -> bool:
        """Queued again after a failed try, or dead."""
        return self.status == OutboxStatus.DEAD or (
            self.status == OutboxStatus.QUEUED and self.attempts > 0
        )

    @property
    def shown_status(self) -> str:
        """What an author reads: queued, sent or failed (retrying or dead)."""
        if self.status == OutboxStatus.SENT:
            return "sent"
        return "failed" if self.failing else "queued"


def insert(session: Session, to: list[str], subject: str, body: str) -> int:
    """Write one queued message in ``session``'s current transaction; its id. A plain
    INSERT (no flush of the session's other pending changes)."""
    now = clock.now()
    result = session.execute(
        sa.insert(OutboxMessage.__table__).values(
            to=to,
            subject=subject[:300],
            body=body,
            status=OutboxStatus.QUEUED.value,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
    )
    return result.inserted_primary_key[0]


def backoff(attempts: int, base_seconds: int) -> timedelta:
    """The wait after the ``attempts``-th failed try: base, 2×base, 4×base, … (capped)."""
    return min(timedelta(seconds=base_seconds * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


@dataclass
class Delivered:
    """What one ``deliver`` run did."""

    sent: int = 0
    failed: int = 0
    dead: int = 0

    @property
    def tried(self) -> int:
        return self.sent + self.failed + self.dead


def _session_on(bind) -> Session:
    """A short session of its own on ``bind``: an engine (a new connection), or the
    connection a test's transaction runs on (then inside a savepoint of it)."""
    if isinstance(bind, sa.engine.Connection):
        return Session(bind=bind, join_transaction_mode="create_savepoint")
    return Session(bind=bind)


def deliver_one(session: Session, mailer, config, only_id: int | None = None):
    """Claim the oldest due message (or message ``only_id`` if due), hand it to the mail
    backend and record the outcome, committing ``session``. Returns the outcome
    (``"sent"``, ``"failed"``, ``"dead"``), the message and the error (or None), or None
    when nothing was due."""
    from coop.core.mail import Message

    now = clock.now()
    stmt = (
        sa.select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.QUEUED, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if only_id is not None:
        stmt = stmt.where(OutboxMessage.id == only_id)
    row = session.scalars(stmt).first()
    if row is None:
        session.rollback()
        return None
    message = Message(to=list(row.to), subject=row.subject, body=row.body or "", id=row.id)
    row.attempts += 1
    error = None
    try:
        mailer._deliver(message)
    except Exception as exc:  # any failure of the server or backend: try again later
        error = exc
        row.last_error = f"{type(exc).__name__}: {exc}"[:300]
        if row.attempts >= config["MAIL_MAX_ATTEMPTS"]:
            row.status = OutboxStatus.DEAD
            outcome = "dead"
            logger.error("mail %s is dead after %s tries", row.id, row.attempts)
        else:
            row.next_attempt_at = now + backoff(row.attempts, config["MAIL_RETRY_SECONDS"])
            outcome = "failed"
            logger.warning("mail %s failed (try %s), retried later", row.id, row.attempts)
    else:
        row.status = OutboxStatus.SENT
        row.sent_at = now
        row.body = None
        row.last_error = None
        outcome = "sent"
    session.commit()
    return outcome, message, error


def deliver(limit: int | None = None, *, bind=None) -> Delivered:
    """Send every due message (at most ``limit``), each in its own transaction."""
    from flask import current_app

    from coop.extensions import mail

    config = current_app.config
    done = Delivered()
    session = _session_on(bind if bind is not None else db.engine)
    try:
        while limit is None or done.tried < limit:
            result = deliver_one(session, mail, config)
            if result is None:
                break
            setattr(done, result[0], getattr(done, result[0]) + 1)
    finally:
        session.close()
    return done


def deliver_ids(bind, ids: list[int], mailer, config) -> list:
    """Send the given messages now, if still due (inline delivery right after a commit);
    ``(message, error)`` for each that failed."""
    failed = []
    session = _session_on(bind)
    try:
        for message_id in ids:
            try:
                result = deliver_one(session, mailer, config, only_id=message_id)
            except Exception:
                logger.exception("inline delivery of mail %s failed", message_id)
                session.rollback()
                continue
            if result is not None and result[0] != "sent":
                failed.append((result[1], result[2]))
    finally:
        session.close()
    return failed


# -- what staff see and do ---------------------------------------------------------------


def undelivered_stmt():
    """Dead messages, and queued ones that failed at least once, oldest first."""
    return (
        sa.select(OutboxMessage)
        .where(
            sa.or_(
                OutboxMessage.status == OutboxStatus.DEAD,
                sa.and_(OutboxMessage.status == OutboxStatus.QUEUED, OutboxMessage.attempts > 0),
            )
        )
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    )


def retry(message: OutboxMessage, actor) -> None:
    """Queue a dead (or failing) message again, due now, with its tries counted afresh."""
    if message.status == OutboxStatus.SENT:
        raise DomainError("This message was sent already.")
    message.status = OutboxStatus.QUEUED
    message.attempts = 0
    message.next_attempt_at = clock.now()
    db.session.flush()
    audit.record(actor, "mail.retry", message, changed=["status"])
    from coop.extensions import mail

    mail.requeue(message.id)  # inline delivery sends it right after the commit
