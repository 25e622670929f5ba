"""Canary people: every free-text field about them holds a planted phrase of their own,
so a leak of one person's data into another's export (or a survivor of erasure) shows."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest

from coop.auth.models import Role, User
from coop.coaching.models import CaptainAssignment, CheckIn, PodMembership
from coop.core.audit import record
from coop.enrollment import history
from coop.enrollment.models import Enrollment, EnrollmentEvent, HeardVia, Stage
from coop.extensions import db
from coop.referrals.models import (
    FollowUp,
    FollowUpKind,
    Outreach,
    Placement,
    Referral,
    ReferralEvent,
    ReferralStage,
)
from coop.sessions import tallies
from coop.sessions.models import (
    Attendance,
    AttendanceStatus,
    MeetingReportImport,
    MeetingReportRow,
    VirtualSession,
)


@dataclass
class Canary:
    user: User
    enrollment: Enrollment
    name: str
    email: str
    phone: str
    phrase: str

    @property
    def needles(self) -> list[str]:
        return [self.name, self.email, self.phone, self.phrase]


def plant(factory, cohort, captain, staff, partner, session, tag: str) -> Canary:
    phrase = f"canary-{tag}-zebra"
    name = f"Quentin {tag.title()}worth"
    email = f"quentin.{tag}@canary.example"
    phone = f"555-01{ord(tag[0]) % 100:02d}-7{ord(tag[0]) % 1000:03d}"
    user = factory.user(Role.PARTICIPANT, name=name, email=email)
    p = user.profile
    p.phone, p.college = phone, f"{phrase} college"
    p.intake_job_title, p.referral_source = f"{phrase} job", f"{phrase} source"
    p.intake_salary = 30000
    e = factory.enrollment(
        cohort=cohort,
        user=user,
        stage=Stage.ENROLLED,
        phone=phone,
        college=f"{phrase} college",
        job_title=f"{phrase} barista",
        salary_band="25-35k",
        heard_via=HeardVia.OTHER,
        heard_other=f"{phrase} flyer",
        referrer_text=f"{phrase} referrer",
        decision_reason=f"{phrase} decision",
        consented_at=datetime(2026, 1, 5, tzinfo=UTC),
        **history.marks(Stage.APPLIED, Stage.ENROLLED),  # the event below
    )
    db.session.add(
        EnrollmentEvent(
            enrollment_id=e.id,
            from_stage=Stage.APPLIED,
            to_stage=Stage.ENROLLED,
            actor_id=staff.id,
            reason=f"{phrase} stage reason",
        )
    )
    a = db.session.scalar(
        db.select(CaptainAssignment).where(CaptainAssignment.captain_id == captain.id)
    )
    db.session.add(PodMembership(cohort_id=cohort.id, participant_id=user.id, assignment_id=a.id))
    db.session.add_all(
        [
            CheckIn(
                cohort_id=cohort.id,
                participant_id=user.id,
                author_id=captain.id,
                held_on=date.today() - timedelta(days=3),
                channel="video",
                minutes=30,
                topics=["resume"],
                notes=f"{phrase} notes about {name}",
                next_steps=f"{phrase} next steps",
            ),
            CheckIn(
                cohort_id=cohort.id,
                participant_id=user.id,
                author_id=captain.id,
                held_on=date.today() - timedelta(days=2),
                channel="phone",
                minutes=20,
                topics=["wellbeing"],
                notes=f"{phrase} secret confidential",
                next_steps="",
                confidential=True,
                needs_attention=True,
                resolution_note=f"{phrase} resolution",
            ),
            Attendance(
                session_id=session.id,
                participant_id=user.id,
                status=AttendanceStatus.PRESENT,
                recorded_by_id=staff.id,
            ),
        ]
    )
    db.session.flush()
    tallies.refresh(session_ids=[session.id])  # as the services that record attendance do
    referral = Referral(
        referrer_id=captain.id,
        participant_id=user.id,
        cohort_id=cohort.id,
        partner_id=partner.id,
        stage=ReferralStage.INTERVIEWING,
        note=f"{phrase} referral note",
    )
    db.session.add(referral)
    db.session.flush()
    db.session.add(
        ReferralEvent(
            referral_id=referral.id,
            to_stage=ReferralStage.INTERVIEWING,
            actor_id=staff.id,
            note=f"{phrase} step note",
        )
    )
    db.session.add_all(
        [
            Placement(
                participant_id=user.id,
                cohort_id=cohort.id,
                employer_name=f"{phrase} employer",
                title=f"{phrase} analyst",
                start_date=date.today() - timedelta(days=30),
                salary=52000,
                career_track=True,
                verified_at=datetime.now(UTC),
                verified_by_id=staff.id,
            ),
            FollowUp(
                enrollment_id=e.id,
                participant_id=user.id,
                cohort_id=cohort.id,
                kind=FollowUpKind.SIX_MONTHS,
                due_date=date.today() + timedelta(days=100),
                note=f"{phrase} follow-up note",
            ),
            Outreach(
                partner_id=partner.id,
                logged_by_id=staff.id,
                occurred_on=date.today(),
                contact_name="Pat at the partner",
                summary=f"Talked about {name} ({email}, {phone}) with the partner.",
            ),
        ]
    )
    report = MeetingReportImport(
        session_id=session.id,
        file_sha256=f"{tag:0<64}"[:64],
        filename="report.csv",
        timezone="America/New_York",
    )
    db.session.add(report)
    db.session.flush()
    db.session.add(MeetingReportRow(import_id=report.id, name=name, email=email, minutes=40))
    db.session.flush()
    record(staff, "enrollment.stage", e, changed=["stage"], reason=f"{phrase} audit reason")
    return Canary(user, e, name, email, phone, phrase)


@pytest.fixture
def canaries(factory):
    """Two enrolled participants of one cohort, A and B, with a captain and staff."""
    cohort = factory.cohort()
    staff = factory.user(Role.STAFF, name="Staff Sam")
    captain = factory.user(Role.CAPTAIN, name="Captain Cleo")
    db.session.add(CaptainAssignment(cohort_id=cohort.id, captain_id=captain.id))
    partner = factory.partner()
    session = VirtualSession(
        cohort_id=cohort.id,
        title="Week 1",
        starts_at=datetime.now(UTC) - timedelta(days=7),
        local_date=date.today() - timedelta(days=7),
        local_time=time(18, 30),
    )
    db.session.add(session)
    db.session.flush()
    a = plant(factory, cohort, captain, staff, partner, session, "alpha")
    b = plant(factory, cohort, captain, staff, partner, session, "bravo")
    db.session.flush()
    return a, b, staff, captain, cohort
