"""Withdrawing consent and erasing a person. Services: they never commit."""

import logging
import re

import sqlalchemy as sa

from coop.assessments.models import AssessmentAnswer, AssessmentResponse, PulseResponse
from coop.auth.models import ParticipantProfile, Role, User
from coop.coaching.models import CheckIn
from coop.core import clock
from coop.core.audit import allow_erasing_reasons, record
from coop.core.errors import DomainError
from coop.core.models import AuditEvent
from coop.enrollment.models import Enrollment, EnrollmentEvent
from coop.extensions import db
from coop.plans.models import PlanGoal, PlanStep
from coop.privacy.export import audit_clause
from coop.referrals.models import FollowUp, Outreach, Placement, Referral, ReferralEvent
from coop.sessions.models import CalendarFeed, MeetingReportRow
from coop.talent import search as talent_search
from coop.talent.models import CareerProfile, Introduction, Resume

log = logging.getLogger("coop.privacy")

#: What an erased placement's employer and job title read.
ERASED_TEXT = "(erased)"


class PrivacyError(DomainError):
    """A data-rights request the rules refuse."""


def erased_name(user_id: int) -> str:
    return f"Erased person #{user_id}"


def erased_email(user_id: int) -> str:
    return f"erased-{user_id}@invalid"


# -- consent ---------------------------------------------------------------------------


def withdraw_consent(user: User) -> None:
    """Record that ``user`` withdrew their application consent (once: the first time
    stands)."""
    if user.is_staff:
        raise PrivacyError("Staff accounts have no application consent to withdraw.")
    if user.consent_withdrawn_at is not None:
        raise PrivacyError("You already withdrew your consent.")
    user.consent_withdrawn_at = clock.now()
    db.session.flush()
    record(user, "privacy.consent_withdrawn", user, changed=["consent_withdrawn_at"])


# -- erasure ---------------------------------------------------------------------------

#: Free-text columns written about people (by staff, captains, partners' contacts, the
#: people themselves). An erased person's name, email and phone are cut out of them
#: wherever they appear, even in rows about someone else.
FREE_TEXT = (
    Outreach.summary,
    Outreach.contact_name,
    CheckIn.notes,
    CheckIn.next_steps,
    CheckIn.resolution_note,
    Referral.note,
    ReferralEvent.note,
    FollowUp.note,
    Enrollment.decision_reason,
    Enrollment.referrer_text,
    Enrollment.heard_other,
    EnrollmentEvent.reason,
    AuditEvent.reason,
    AssessmentAnswer.text,
    PulseResponse.help_with,
    PulseResponse.resolution_note,
    PlanGoal.title,
    PlanStep.title,
    PlanStep.comment,
)


def _erase_career_profile(user_id: int) -> None:
    """The talent pool: the profile's content goes, it leaves every search, its résumé (a
    file, not a record) is deleted, and partners' messages to the person are cut."""
    profile_ids = list(
        db.session.scalars(sa.select(CareerProfile.id).where(CareerProfile.user_id == user_id))
    )
    if profile_ids:
        _update(
            CareerProfile,
            CareerProfile.id.in_(profile_ids),
            headline=ERASED_TEXT,
            summary=None,
            skills=[],
            target_roles=None,
            linkedin_url=None,
            portfolio_url=None,
            return_reason=None,
            search_text="",
            visible=False,
        )
        db.session.execute(sa.delete(Resume).where(Resume.profile_id.in_(profile_ids)))
        talent_search.forget(profile_ids)
    _update(Introduction, Introduction.participant_id == user_id, message=None)


def _update(model, where, **values) -> int:
    result = db.session.execute(
        sa.update(model).where(where).values(**values).execution_options(synchronize_session=False)
    )
    return result.rowcount


def _redact(needles: list[str]) -> int:
    """Cut every needle (case-insensitive) out of the free-text columns; rows changed."""
    needles = [n for n in needles if n and len(n) >= 4]
    if not needles:
        return 0
    pattern = re.compile("|".join(re.escape(n) for n in needles), re.IGNORECASE)
    changed = 0
    for column in FREE_TEXT:
        table = column.class_
        pk = table.__mapper__.primary_key[0]
        hits = sa.or_(
            *(sa.func.lower(column).contains(n.lower(), autoescape=True) for n in needles)
        )
        for row_id, text in db.session.execute(sa.select(pk, column).where(hits)).all():
            new = pattern.sub("[erased]", text or "")
            if new != text:
                _update(table, pk == row_id, **{column.key: new})
                changed += 1
    return changed


def erase(user_id: int, actor=None, reason: str = "request") -> bool:
    """Erase the person's personal data; False when someone else already did.

    The claim is one conditional UPDATE (``erased_at IS NULL``), so two erasures of one
    person at once (two purge runs) erase once: the second waits for the first's row
    lock and then finds nothing to claim. What the dashboard counts stays: stages,
    attendance, check-in dates and minutes, referral stages, placements' dates, salaries
    and career-track flags, intake salary and band, the yes/no intake answers, and the
    numbers of assessment answers and pulse checks (their free text goes).
    """
    # The claim comes first: a write, so SQLite queues a concurrent run behind it rather
    # than failing a transaction that read before it wrote.
    claimed = _update(
        User,
        sa.and_(User.id == user_id, User.erased_at.is_(None), User.role != Role.STAFF),
        erased_at=clock.now(),
    )
    target = db.session.get(User, user_id, populate_existing=True)
    if target is None:
        raise PrivacyError("There is no such person.")
    if target.is_staff:
        raise PrivacyError("Staff accounts are closed by deactivating them, not erased.")
    if not claimed:
        return False
    allow_erasing_reasons()  # events' free-text reasons may name the person
    name, email = target.name, target.email
    profile = db.session.get(ParticipantProfile, user_id)
    phones = {profile.phone} if profile and profile.phone else set()
    enrollment_ids = list(
        db.session.scalars(sa.select(Enrollment.id).where(Enrollment.user_id == user_id))
    )
    phones |= set(
        db.session.scalars(
            sa.select(Enrollment.phone).where(
                Enrollment.user_id == user_id, Enrollment.phone.is_not(None)
            )
        )
    )
    _update(
        User,
        User.id == user_id,
        name=erased_name(user_id),
        email=erased_email(user_id),
        password_hash=None,
        timezone=None,
        active=False,
        session_version=User.session_version + 1,
    )
    _update(
        ParticipantProfile,
        ParticipantProfile.user_id == user_id,
        phone=None,
        college=None,
        intake_job_title=None,
        referral_source=None,
        share_email=False,
        share_phone=False,
    )
    _update(
        Enrollment,
        Enrollment.user_id == user_id,
        phone=None,
        college=None,
        job_title=None,
        referrer_text=None,
        heard_other=None,
        decision_reason=None,
    )
    _update(Enrollment, Enrollment.referred_by_id == user_id, referrer_text=None)
    if enrollment_ids:
        _update(EnrollmentEvent, EnrollmentEvent.enrollment_id.in_(enrollment_ids), reason=None)
    _update(
        CheckIn,
        CheckIn.participant_id == user_id,
        notes="",
        next_steps="",
        topics=[],
        resolution_note=None,
    )
    referral_ids = sa.select(Referral.id).where(Referral.participant_id == user_id)
    _update(Referral, Referral.participant_id == user_id, note=None)
    _update(ReferralEvent, ReferralEvent.referral_id.in_(referral_ids), note=None)
    _update(
        Placement,
        Placement.participant_id == user_id,
        title=ERASED_TEXT,
        employer_name=ERASED_TEXT,
    )
    _update(FollowUp, FollowUp.participant_id == user_id, note=None)
    _update(
        MeetingReportRow,
        sa.or_(
            MeetingReportRow.participant_id == user_id,
            sa.func.lower(MeetingReportRow.email) == email,
        ),
        name=erased_name(user_id),
        email=None,
    )
    _update(AuditEvent, audit_clause(user_id), reason=None)
    responses = sa.select(AssessmentResponse.id).where(AssessmentResponse.participant_id == user_id)
    _update(AssessmentAnswer, AssessmentAnswer.response_id.in_(responses), text=None)
    _update(
        PulseResponse, PulseResponse.participant_id == user_id, help_with="", resolution_note=None
    )
    db.session.execute(sa.delete(CalendarFeed).where(CalendarFeed.user_id == user_id))
    _erase_career_profile(user_id)
    _redact([name, email, *phones])
    db.session.expire_all()
    record(
        actor,
        "privacy.erase",
        ("users", user_id),
        changed=[
            "name",
            "email",
            "password_hash",
            "phone",
            "college",
            "job_title",
            "notes",
            "reason",
        ],
        reason=reason,
    )
    log.info("erased person %s (%s)", user_id, reason)
    return True
