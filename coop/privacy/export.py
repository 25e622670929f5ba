"""A copy of one's own data: ``data.json`` and one CSV per kind, in one zip.

Only rows about the person (or written by them) are read, and of other people only ids
appear: a check-in a captain wrote about someone else names that participant by id, and
confidential notes the person may not read in the app are left out here too.
"""

import io
import json
import zipfile
from datetime import date, datetime

import sqlalchemy as sa

from coop.assessments.models import (
    AssessmentAnswer,
    AssessmentResponse,
    AssessmentTemplate,
    PulseResponse,
    TemplateItem,
)
from coop.auth.models import ParticipantProfile, User
from coop.coaching.models import CheckIn
from coop.core.csvsafe import to_csv
from coop.core.models import AuditEvent
from coop.enrollment.models import Enrollment, EnrollmentEvent
from coop.extensions import db
from coop.plans.models import CareerPlan, Credential, CredentialType, PlanGoal, PlanStep
from coop.programs.models import Cohort, Partner
from coop.referrals.models import FollowUp, Placement, Referral, ReferralEvent
from coop.sessions.models import Attendance, VirtualSession
from coop.support.models import SupportReferral
from coop.talent.models import CareerProfile, Introduction

#: The kinds, in the order of the CSV files and of ``data.json``.
KINDS = (
    "applications",
    "stages",
    "attendance",
    "checkins",
    "referrals",
    "jobs",
    "follow_ups",
    "assessments",
    "pulse_checks",
    "career_plan",
    "credentials",
    "support",
    "consents",
    "career_profile",
    "introductions",
    "audit",
)


def _value(v):
    if isinstance(v, datetime | date):
        return v.isoformat()
    if hasattr(v, "value"):  # enums
        return v.value
    return v


def _rows(dicts: list[dict]) -> list[dict]:
    return [{k: _value(v) for k, v in d.items()} for d in dicts]


def _account(user: User) -> dict:
    profile = db.session.get(ParticipantProfile, user.id)
    out = {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "role": str(user.role),
        "timezone": user.timezone,
        "created_at": user.created_at,
        "last_login_at": user.last_login_at,
        "consent_withdrawn_at": user.consent_withdrawn_at,
    }
    if profile is not None:
        for column in ParticipantProfile.__table__.columns:
            if column.name != "user_id":
                out[f"profile_{column.name}"] = getattr(profile, column.key)
    return {k: _value(v) for k, v in out.items()}


def _applications(user: User) -> list[dict]:
    rows = db.session.execute(
        sa.select(Enrollment, Cohort.name)
        .join(Cohort, Cohort.id == Enrollment.cohort_id)
        .where(Enrollment.user_id == user.id)
        .order_by(Enrollment.id)
    ).all()
    out = []
    for e, cohort_name in rows:
        out.append(
            {
                "id": e.id,
                "cohort": cohort_name,
                "stage": e.stage,
                "source": e.source,
                "applied_at": e.created_at,
                "stage_changed_at": e.stage_changed_at,
                "decision_reason": e.decision_reason,
                "waitlist_position": e.waitlist_position,
                "phone": e.phone,
                "college": e.college,
                "graduation_year": e.graduation_year,
                "first_generation": e.first_generation,
                "low_income": e.low_income,
                "job_title": e.job_title,
                "salary_band": e.salary_band,
                "heard_via": e.heard_via,
                "referrer_text": e.referrer_text,
                "heard_other": e.heard_other,
                "consented_at": e.consented_at,
            }
        )
    return _rows(out)


def _stages(user: User) -> list[dict]:
    events = db.session.scalars(
        sa.select(EnrollmentEvent)
        .join(Enrollment, Enrollment.id == EnrollmentEvent.enrollment_id)
        .where(Enrollment.user_id == user.id)
        .order_by(EnrollmentEvent.id)
    )
    return _rows(
        [
            {
                "application_id": ev.enrollment_id,
                "from_stage": ev.from_stage,
                "to_stage": ev.to_stage,
                "at": ev.created_at,
                "reason": ev.reason,
            }
            for ev in events
        ]
    )


def _attendance(user: User) -> list[dict]:
    rows = db.session.execute(
        sa.select(Attendance, VirtualSession.title, VirtualSession.starts_at)
        .join(VirtualSession, VirtualSession.id == Attendance.session_id)
        .where(Attendance.participant_id == user.id)
        .order_by(VirtualSession.starts_at, Attendance.id)
    ).all()
    return _rows(
        [
            {
                "session": title,
                "starts_at": starts_at,
                "status": a.status,
                "source": a.source,
                "minutes": a.minutes,
            }
            for a, title, starts_at in rows
        ]
    )


def _checkins(user: User) -> list[dict]:
    """Check-ins about the person, and those they wrote (as a captain): the notes only
    where the app would show them to this person."""
    checkins = db.session.scalars(
        sa.select(CheckIn)
        .where(sa.or_(CheckIn.participant_id == user.id, CheckIn.author_id == user.id))
        .order_by(CheckIn.held_on, CheckIn.id)
    )
    out = []
    for c in checkins:
        readable = c.can_read_notes(user)
        out.append(
            {
                "id": c.id,
                "about_you": c.participant_id == user.id,
                "written_by_you": c.author_id == user.id,
                "participant_id": c.participant_id,
                "held_on": c.held_on,
                "channel": c.channel,
                "minutes": c.minutes,
                "topics": " ".join(c.topics or []),
                "notes": c.notes if readable else "(confidential)",
                "next_steps": c.next_steps if readable else "(confidential)",
            }
        )
    return _rows(out)


def _assessments(user: User) -> list[dict]:
    """The person's answers to assessments, one row per question."""
    rows = db.session.execute(
        sa.select(AssessmentResponse, AssessmentTemplate.title, TemplateItem, AssessmentAnswer)
        .join(AssessmentTemplate, AssessmentTemplate.id == AssessmentResponse.template_id)
        .join(AssessmentAnswer, AssessmentAnswer.response_id == AssessmentResponse.id)
        .join(TemplateItem, TemplateItem.id == AssessmentAnswer.item_id)
        .where(AssessmentResponse.participant_id == user.id)
        .order_by(AssessmentResponse.answered_on, AssessmentResponse.id, TemplateItem.position)
    ).all()
    return _rows(
        [
            {
                "cohort_id": r.cohort_id,
                "assessment": title,
                "point": r.point,
                "answered_on": r.answered_on,
                "question": item.prompt,
                "number": a.number,
                "text": a.text,
            }
            for r, title, item, a in rows
        ]
    )


def _pulse_checks(user: User) -> list[dict]:
    pulses = db.session.scalars(
        sa.select(PulseResponse)
        .where(PulseResponse.participant_id == user.id)
        .order_by(PulseResponse.period_start, PulseResponse.id)
    )
    return _rows(
        [
            {
                "cohort_id": p.cohort_id,
                "period_start": p.period_start,
                "confidence": p.confidence,
                "workload": p.workload,
                "needs_help": p.needs_help,
                "help_with": p.help_with,
                "resolved_at": p.resolved_at,
            }
            for p in pulses
        ]
    )


def _referrals(user: User) -> list[dict]:
    referrals = db.session.scalars(
        sa.select(Referral)
        .where(sa.or_(Referral.participant_id == user.id, Referral.referrer_id == user.id))
        .order_by(Referral.id)
    ).all()
    notes: dict[int, list[str]] = {}
    for ev in db.session.scalars(
        sa.select(ReferralEvent)
        .where(ReferralEvent.referral_id.in_([r.id for r in referrals] or [-1]))
        .order_by(ReferralEvent.id)
    ):
        if ev.note:
            notes.setdefault(ev.referral_id, []).append(ev.note)
    out = []
    for r in referrals:
        visible = r.can_see_note(user)
        out.append(
            {
                "id": r.id,
                "about_you": r.participant_id == user.id,
                "made_by_you": r.referrer_id == user.id,
                "participant_id": r.participant_id,
                "kind": r.kind,
                "partner_id": r.partner_id,
                "opening_id": r.opening_id,
                "stage": r.stage,
                "created_at": r.created_at,
                "note": r.note if visible else None,
                "step_notes": " | ".join(notes.get(r.id, [])) if visible else None,
            }
        )
    return _rows(out)


def _jobs(user: User) -> list[dict]:
    placements = db.session.scalars(
        sa.select(Placement).where(Placement.participant_id == user.id).order_by(Placement.id)
    )
    return _rows(
        [
            {
                "employer": p.employer_name,
                "title": p.title,
                "start_date": p.start_date,
                "end_date": p.end_date,
                "salary": p.salary,
                "full_time": p.full_time,
                "career_track": p.career_track,
                "source": p.source,
                "verified": p.verified,
            }
            for p in placements
        ]
    )


def _career_profile(user: User) -> list[dict]:
    """The talent pool's profile (the résumé itself is on the career profile page)."""
    profiles = db.session.scalars(sa.select(CareerProfile).where(CareerProfile.user_id == user.id))
    return _rows(
        [
            {
                "headline": p.headline,
                "summary": p.summary,
                "skills": ", ".join(p.skills or []),
                "target_roles": p.target_roles,
                "remote": p.remote,
                "relocate": p.relocate,
                "available_from": p.available_from,
                "linkedin_url": p.linkedin_url,
                "portfolio_url": p.portfolio_url,
                "status": p.status,
                "return_reason": p.return_reason,
                "visible_to_partners": p.visible,
                "updated_at": p.updated_at,
            }
            for p in profiles
        ]
    )


def _introductions(user: User) -> list[dict]:
    rows = db.session.execute(
        sa.select(Introduction, Partner.name)
        .join(Partner, Partner.id == Introduction.partner_id)
        .where(Introduction.participant_id == user.id)
        .order_by(Introduction.id)
    )
    return _rows(
        [
            {
                "partner": name,
                "message": i.message,
                "status": i.status,
                "asked_at": i.created_at,
                "answered_at": i.answered_at,
            }
            for i, name in rows
        ]
    )


def _follow_ups(user: User) -> list[dict]:
    follow_ups = db.session.scalars(
        sa.select(FollowUp).where(FollowUp.participant_id == user.id).order_by(FollowUp.id)
    )
    return _rows(
        [
            {
                "kind": f.kind,
                "due_date": f.due_date,
                "status": f.status,
                "note": f.note,
                "closed_at": f.closed_at,
            }
            for f in follow_ups
        ]
    )


def _plan(user: User) -> list[dict]:
    """The career plan: each step with its goal (issue 15)."""
    rows = db.session.execute(
        sa.select(PlanGoal.kind, PlanGoal.title, PlanGoal.target_date, PlanStep)
        .join(CareerPlan, CareerPlan.id == PlanGoal.plan_id)
        .outerjoin(PlanStep, PlanStep.goal_id == PlanGoal.id)
        .where(CareerPlan.participant_id == user.id)
        .order_by(PlanGoal.id, PlanStep.id)
    ).all()
    return _rows(
        [
            {
                "goal_kind": kind,
                "goal": title,
                "target_date": target,
                "step": s.title if s else None,
                "owner": s.owner if s else None,
                "due_date": s.due_date if s else None,
                "status": s.status if s else None,
                "comment": s.comment if s else None,
            }
            for kind, title, target, s in rows
        ]
    )


def _credentials(user: User) -> list[dict]:
    rows = db.session.execute(
        sa.select(Credential, CredentialType.name, CredentialType.issuer)
        .join(CredentialType, CredentialType.id == Credential.credential_type_id)
        .where(Credential.participant_id == user.id)
        .order_by(Credential.id)
    ).all()
    return _rows(
        [
            {
                "credential": name,
                "issuer": issuer,
                "earned_on": c.earned_on,
                "credential_id": c.credential_ref,
                "link": c.link,
                "verified_at": c.verified_at,
            }
            for c, name, issuer in rows
        ]
    )


def _support(user: User) -> list[dict]:
    rows = db.session.execute(
        sa.select(SupportReferral, Partner.name)
        .join(Partner, Partner.id == SupportReferral.partner_id)
        .where(SupportReferral.participant_id == user.id)
        .order_by(SupportReferral.id)
    ).all()
    return _rows(
        [
            {
                "need": r.need,
                "partner": partner,
                "status": r.status,
                "requested_on": r.requested_on,
                "referred_on": r.referred_on,
                "closed_on": r.closed_on,
            }
            for r, partner in rows
        ]
    )


def _consents(user: User, applications: list[dict]) -> list[dict]:
    out = [
        {"consent": "application privacy notice", "cohort": a["cohort"], "at": a["consented_at"]}
        for a in applications
        if a["consented_at"]
    ]
    if user.consent_withdrawn_at:
        out.append(
            {"consent": "withdrawn", "cohort": None, "at": _value(user.consent_withdrawn_at)}
        )
    profile = db.session.get(ParticipantProfile, user.id)
    if profile is not None:
        out.append({"consent": "share email with pod", "cohort": None, "at": profile.share_email})
        out.append({"consent": "share phone with pod", "cohort": None, "at": profile.share_phone})
    return out


def audit_clause(user_id: int):
    """Audit events about the person: those naming them as their subject (views, exports
    and changes of their personal data), and those whose target is their user row, their
    profile or one of their applications (events older than the subject column)."""
    enrollment_ids = sa.select(Enrollment.id).where(Enrollment.user_id == user_id)
    return sa.or_(
        AuditEvent.subject_user_id == user_id,
        sa.and_(
            AuditEvent.target_type.in_(("users", "participant_profiles")),
            AuditEvent.target_id == user_id,
        ),
        sa.and_(AuditEvent.target_type == "enrollments", AuditEvent.target_id.in_(enrollment_ids)),
    )


def _audit(user: User) -> list[dict]:
    events = db.session.scalars(
        sa.select(AuditEvent).where(audit_clause(user.id)).order_by(AuditEvent.id)
    )
    return _rows(
        [
            {
                "at": e.created_at,
                "action": e.action,
                "target_type": e.target_type,
                "target_id": e.target_id,
                "changed": " ".join(e.changed or []),
                "by_user_id": e.actor_id,
            }
            for e in events
        ]
    )


def collect(user: User) -> dict:
    """Everything coop holds about ``user``, by kind."""
    applications = _applications(user)
    return {
        "account": _account(user),
        "applications": applications,
        "stages": _stages(user),
        "attendance": _attendance(user),
        "checkins": _checkins(user),
        "referrals": _referrals(user),
        "jobs": _jobs(user),
        "follow_ups": _follow_ups(user),
        "assessments": _assessments(user),
        "pulse_checks": _pulse_checks(user),
        "career_plan": _plan(user),
        "credentials": _credentials(user),
        "support": _support(user),
        "consents": _consents(user, applications),
        "career_profile": _career_profile(user),
        "introductions": _introductions(user),
        "audit": _audit(user),
    }


def _csv(rows: list[dict]) -> str:
    header = list(rows[0]) if rows else []
    return to_csv(header, ([row[k] for k in header] for row in rows))


def build_zip(user: User) -> bytes:
    """The zip: ``data.json`` (everything) and a CSV per kind, built in memory."""
    data = collect(user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("data.json", json.dumps(data, indent=2, ensure_ascii=False, default=str))
        zf.writestr("account.csv", _csv([data["account"]]))
        for kind in KINDS:
            zf.writestr(f"{kind}.csv", _csv(data[kind]))
    return buffer.getvalue()
