"""Every change to support-service referrals: checked, flushed, audited (field names
only: a need is personal), never committed."""

from datetime import date

from coop.core import audit, clock
from coop.core.errors import DomainError
from coop.extensions import db
from coop.programs.models import Cohort, Partner, PartnerKind
from coop.support.models import Need, SupportReferral, SupportStatus


class SupportError(DomainError):
    """A refused change to a support referral."""


def request_support(
    cohort: Cohort, participant_id: int, actor, *, need: Need, partner: Partner | None
) -> SupportReferral:
    """Record that the participant needs ``need`` and which community partner can help;
    it starts as requested, today in the cohort's city."""
    if partner is None or partner.kind != PartnerKind.COMMUNITY or partner.archived:
        raise SupportError("Choose a community partner.", field="partner")
    if partner.city_id is not None and partner.city_id != cohort.city_id:
        raise SupportError("Choose a community partner in the cohort's city.", field="partner")
    row = SupportReferral(
        participant_id=participant_id,
        cohort_id=cohort.id,
        need=Need(need),
        partner_id=partner.id,
        status=SupportStatus.REQUESTED,
        requested_on=clock.today_for_cohort(cohort),
        created_by_id=actor.id,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "support.request", row, ["need", "partner_id", "status"])
    return row


def advance(referral: SupportReferral, actor, status: SupportStatus, on: date | None = None):
    """Move a referral on: requested → referred → received or not received, dated
    ``on`` (default today in the cohort's city; never in the future nor before it was
    requested)."""
    status = SupportStatus(status)
    if status not in referral.next_statuses:
        raise SupportError(
            f"A {referral.status.label.lower()} referral cannot become {status.label.lower()}."
        )
    today = clock.today_for_cohort(referral.cohort)
    on = on or today
    if on > today:
        raise SupportError("The date cannot be in the future.", field="on")
    if on < referral.requested_on:
        raise SupportError("The date cannot be before it was requested.", field="on")
    referral.status = status
    if status == SupportStatus.REFERRED:
        referral.referred_on = on
        changed = ["status", "referred_on"]
    else:
        referral.closed_on = on
        changed = ["status", "closed_on"]
    db.session.flush()
    audit.record(actor, "support.advance", referral, changed)
    return referral
