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
