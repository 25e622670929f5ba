"""Requests to graduates to captain a cohort: they accept, or decline with a reason."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.db import enum_column, utcnow
from coop.extensions import db


class RequestStatus(enum.StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    #: Unanswered past ``expires_at`` (set when next touched; an open row past its
    #: expiry already counts as expired everywhere).
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


class DeclineReason(enum.StrEnum):
    NO_TIME = "no_time"
    SCHEDULE = "schedule"
    OTHER_COHORT = "other_cohort"
    NOT_NOW = "not_now"
    OTHER = "other"

    @property
    def label(self) -> str:
        return DECLINE_LABELS[self]


DECLINE_LABELS = {
    DeclineReason.NO_TIME: "I don't have the time this term",
    DeclineReason.SCHEDULE: "The meeting evenings don't work for me",
    DeclineReason.OTHER_COHORT: "I'd rather captain another cohort",
    DeclineReason.NOT_NOW: "Not this term; ask me again later",
    DeclineReason.OTHER: "Another reason",
}


class CaptainRequest(db.Model):
    """Staff asking one person to join one cohort's captain team."""

    __tablename__ = "captain_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: The cohort they graduated from (what makes them eligible as a captain); None for
    #: a partner volunteer captain, who graduated from none.
    graduated_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cohorts.id"))
    status: Mapped[RequestStatus] = mapped_column(
        enum_column(RequestStatus), default=RequestStatus.OPEN, index=True
    )
    message: Mapped[str | None] = mapped_column(sa.String(1000))
    expires_at: Mapped[datetime] = mapped_column()
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column()
    decline_reason: Mapped[DeclineReason | None] = mapped_column(enum_column(DeclineReason))
    decline_note: Mapped[str | None] = mapped_column(sa.String(500))

    cohort = relationship("Cohort", foreign_keys=[cohort_id], lazy="raise")
    user = relationship("User", foreign_keys=[user_id], lazy="raise")

    __table_args__ = (
        # One open request per person and cohort.
        sa.Index(
            "uq_captain_requests_open",
            "cohort_id",
            "user_id",
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        ),
    )

    def is_open(self, now: datetime | None = None) -> bool:
        return self.status == RequestStatus.OPEN and (now or utcnow()) < self.expires_at

    def shown_status(self, now: datetime | None = None) -> str:
        if self.status == RequestStatus.OPEN and not self.is_open(now):
            return str(RequestStatus.EXPIRED)
        return str(self.status)

    def can_answer(self, user, now: datetime | None = None) -> bool:
        return user.is_authenticated and user.id == self.user_id and self.is_open(now)
