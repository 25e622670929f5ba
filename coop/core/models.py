"""The audit trail: who changed what, when. Never the personal data itself."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.db import utcnow
from coop.extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Who did it; None for the system (CLI, scheduled jobs, public forms).
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: A dotted verb such as ``cohort.create`` or ``enrollment.stage``.
    action: Mapped[str] = mapped_column(sa.String(80))
    target_type: Mapped[str] = mapped_column(sa.String(40))
    target_id: Mapped[int | None] = mapped_column()
    #: Names of the fields that changed, never their values.
    changed: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: A short free-text reason given by the actor (e.g. a decline reason), if any.
    reason: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    actor = relationship("User", lazy="raise")

    __table_args__ = (sa.Index("ix_audit_events_target", "target_type", "target_id"),)


class FormSubmission(db.Model):
    """A create form's one-time token, saved in the transaction that saved what it made.

    A second submission with the same token (a double click, a retried request) finds this
    row, or runs into its unique constraint when both arrive at once, and is sent to
    ``url`` instead of making a second record (see ``coop.core.once``). Keyed by user, so
    another user's token matches nothing. Rows older than a day are pruned.
    """

    __tablename__ = "form_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    #: The endpoint of the form, e.g. ``coaching.log_checkin``.
    form: Mapped[str] = mapped_column(sa.String(80))
    token: Mapped[str] = mapped_column(sa.String(64))
    #: The record the first submission made (its table is the form's), and where its
    #: response sent the user.
    record_id: Mapped[int | None] = mapped_column()
    url: Mapped[str] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.UniqueConstraint("user_id", "form", "token"),)
