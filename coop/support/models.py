"""Support-service referrals to community partners."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.db import enum_column, utcnow
from coop.extensions import db


class Need(enum.StrEnum):
    TRANSPORT = "transport"
    LAPTOP_INTERNET = "laptop_internet"
    CHILDCARE = "childcare"
    HOUSING = "housing"
    FOOD = "food"
    MENTAL_HEALTH = "mental_health"
    BENEFITS = "benefits"

    @property
    def label(self) -> str:
        return {"laptop_internet": "Laptop or internet"}.get(
            self.value, self.value.replace("_", " ").capitalize()
        )


class SupportStatus(enum.StrEnum):
    REQUESTED = "requested"
    REFERRED = "referred"
    RECEIVED = "received"
    NOT_RECEIVED = "not_received"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


#: requested → referred → received / not received; closed referrals stay closed.
SUPPORT_TRANSITIONS = {
    SupportStatus.REQUESTED: {SupportStatus.REFERRED, SupportStatus.NOT_RECEIVED},
    SupportStatus.REFERRED: {SupportStatus.RECEIVED, SupportStatus.NOT_RECEIVED},
    SupportStatus.RECEIVED: set(),
    SupportStatus.NOT_RECEIVED: set(),
}


class SupportReferral(db.Model):
    """A participant referred to a community partner for one need.

    Confidential: staff of the cohort's city, the captain of the participant's current
    pod, and the participant themself (see ``coop.support.queries``)."""

    __tablename__ = "support_referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id"), index=True)
    need: Mapped[Need] = mapped_column(enum_column(Need))
    #: The community partner they are referred to.
    partner_id: Mapped[int] = mapped_column(sa.ForeignKey("partners.id"), index=True)
    status: Mapped[SupportStatus] = mapped_column(
        enum_column(SupportStatus), default=SupportStatus.REQUESTED
    )
    requested_on: Mapped[date] = mapped_column()
    referred_on: Mapped[date | None] = mapped_column()
    #: When it was received, or found not received.
    closed_on: Mapped[date | None] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    participant = relationship("User", foreign_keys=[participant_id], lazy="raise")
    cohort = relationship("Cohort", lazy="raise")
    partner = relationship("Partner", lazy="raise")

    @property
    def next_statuses(self) -> list[SupportStatus]:
        allowed = SUPPORT_TRANSITIONS[self.status]
        return [s for s in SupportStatus if s in allowed]

    @property
    def is_open(self) -> bool:
        return bool(SUPPORT_TRANSITIONS[self.status])
