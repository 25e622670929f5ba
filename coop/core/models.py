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
    #: Names of the fields that changed, or were viewed or exported; never their values.
    changed: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: The person whose data it is (viewed, exported or changed), if one person's.
    subject_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: The city the event belongs to (staff of other cities do not see it), if any.
    city_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cities.id"), index=True)
    #: The id of the request that did it (``X-Request-ID``); None outside a request.
    request_id: Mapped[str | None] = mapped_column(sa.String(64))
    #: A short free-text reason given by the actor (e.g. a decline reason), if any.
    reason: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    actor = relationship("User", foreign_keys=[actor_id], lazy="raise")
    subject = relationship("User", foreign_keys=[subject_user_id], lazy="raise")

    __table_args__ = (sa.Index("ix_audit_events_target", "target_type", "target_id"),)


#: On PostgreSQL the audit table is append-only: a trigger refuses UPDATE, DELETE and
#: TRUNCATE. ``flask audit purge`` deletes old rows after ``SET LOCAL coop.audit_purge =
#: 'on'``, a setting that lasts only until its transaction ends; erasing a person clears
#: the free-text ``reason`` of events about them (and nothing else) after ``SET LOCAL
#: coop.audit_erase = 'on'``. The migration 0006 runs
#: the same statements; ``create_all`` (the tests) runs them through the DDL events below.
APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('coop.audit_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND current_setting('coop.audit_erase', true) = 'on'
       AND (to_jsonb(NEW) - 'reason') = (to_jsonb(OLD) - 'reason') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION USING
        MESSAGE = 'audit_events is append-only: ' || TG_OP || ' refused',
        ERRCODE = 'insufficient_privilege';
END
$$
"""
APPEND_ONLY_TRIGGERS = (
    "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
    "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()",
    "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()",
)
#: Name of the transaction-local setting that lets ``flask audit purge`` delete rows.
PURGE_SETTING = "coop.audit_purge"
#: The transaction-local setting that lets an erasure clear events' ``reason`` text.
ERASE_SETTING = "coop.audit_erase"

for _statement in (APPEND_ONLY_FUNCTION, *APPEND_ONLY_TRIGGERS):
    sa.event.listen(
        AuditEvent.__table__,
        "after_create",
        sa.DDL(_statement).execute_if(dialect="postgresql"),
    )


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
