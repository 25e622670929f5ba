"""Reads for support-service referrals, each a fixed number of queries, and who may see
them: staff of the cohort's city, the captain of the participant's current pod, and the
participant themself. Nobody else learns that one exists."""

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from coop.coaching.models import CaptainAssignment, PodMembership
from coop.enrollment.models import Enrollment, Stage
from coop.extensions import db
from coop.programs.models import Cohort, Partner, PartnerKind
from coop.support.models import Need, SupportReferral, SupportStatus

IN_COHORT = (Stage.ENROLLED, Stage.GRADUATED)


def _in_pod(captain_id: int, cohort_col, participant_col):
    return (
        sa.select(PodMembership.id)
        .join(CaptainAssignment, CaptainAssignment.id == PodMembership.assignment_id)
        .where(
            PodMembership.cohort_id == cohort_col,
            PodMembership.participant_id == participant_col,
            CaptainAssignment.captain_id == captain_id,
            CaptainAssignment.ended_at.is_(None),
        )
        .exists()
    )


def can_manage(user, cohort: Cohort, participant_id: int) -> bool:
    """Staff of the cohort's city, or the captain of the participant's current pod (who
    must belong to the cohort)."""
    if not user.is_authenticated:
        return False
    if user.is_staff:
        allowed = cohort.can_manage(user)
    elif user.is_captain:
        allowed = bool(db.session.scalar(sa.select(_in_pod(user.id, cohort.id, participant_id))))
    else:
        return False
    return allowed and bool(
        db.session.scalar(
            sa.select(Enrollment.id).where(
                Enrollment.cohort_id == cohort.id,
                Enrollment.user_id == participant_id,
                Enrollment.stage.in_(IN_COHORT),
            )
        )
    )


def visible(user, stmt):
    """Narrow a select of support referrals to those ``user`` manages."""
    if user.is_staff:
        return user.scope_to_cities(
            stmt, Cohort.city_id, through=(SupportReferral.cohort_id, Cohort.id)
        )
    if user.is_captain:
        return stmt.where(
            _in_pod(user.id, SupportReferral.cohort_id, SupportReferral.participant_id)
        )
    return stmt.where(sa.false())


def _loaded(stmt):
    return stmt.options(
        joinedload(SupportReferral.partner),
        joinedload(SupportReferral.participant),
        joinedload(SupportReferral.cohort).joinedload(Cohort.city),
    )


def referral_list(user):
    """Referrals the viewer manages, open ones first (a select to paginate)."""
    is_open = SupportReferral.status.in_([SupportStatus.REQUESTED, SupportStatus.REFERRED])
    stmt = _loaded(sa.select(SupportReferral)).order_by(
        sa.case((is_open, 0), else_=1), SupportReferral.requested_on.desc(), SupportReferral.id
    )
    return visible(user, stmt)


def of_participant(cohort_id: int, participant_id: int) -> list[SupportReferral]:
    return list(
        db.session.scalars(
            _loaded(sa.select(SupportReferral))
            .where(
                SupportReferral.cohort_id == cohort_id,
                SupportReferral.participant_id == participant_id,
            )
            .order_by(SupportReferral.requested_on.desc(), SupportReferral.id.desc())
        )
    )


def referral_or_none(referral_id: int) -> SupportReferral | None:
    return db.session.scalar(
        _loaded(sa.select(SupportReferral)).where(SupportReferral.id == referral_id)
    )


def partner_choices(cohort: Cohort) -> list[tuple[int, str]]:
    """Community partners of the cohort's city, and national ones."""
    return [
        (pid, name)
        for pid, name in db.session.execute(
            sa.select(Partner.id, Partner.name)
            .where(
                Partner.kind == PartnerKind.COMMUNITY,
                Partner.archived.is_(False),
                sa.or_(Partner.city_id.is_(None), Partner.city_id == cohort.city_id),
            )
            .order_by(Partner.name)
        )
    ]


def counts(scope) -> list[tuple[Need, SupportStatus, int]]:
    """Support referrals of the cohorts in ``scope`` (a select of cohort ids) by need and
    outcome: rows of (need, status, people), one query. People, not referrals: a
    person referred twice for one need counts once in each outcome they reached."""
    rows = db.session.execute(
        sa.select(
            SupportReferral.need,
            SupportReferral.status,
            sa.func.count(sa.distinct(SupportReferral.participant_id)),
        )
        .where(SupportReferral.cohort_id.in_(scope))
        .group_by(SupportReferral.need, SupportReferral.status)
    ).all()
    return [(Need(n), SupportStatus(s), c) for n, s, c in rows]
