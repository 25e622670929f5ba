from dataclasses import dataclass
from datetime import timedelta

import pytest

from coop.auth.models import Role
from coop.coaching.models import Channel, CheckIn
from coop.core import clock
from coop.enrollment import history
from coop.enrollment.models import EnrollmentEvent, Stage
from coop.extensions import db
from coop.sessions.models import AttendanceStatus
from tests.referrals.conftest import ReferralFactory
from tests.sessions.builders import Builder


@dataclass
class World:
    cohort: object
    far_cohort: object
    pat: object
    enrollment: object
    peer: object
    far_person: object
    captain: object
    other_captain: object
    sessions: list
    city: object = None
    far_city: object = None


def checkin(cohort, participant, author, *, confidential=False, notes="Talked resumes"):
    row = CheckIn(
        cohort_id=cohort.id,
        participant_id=participant.id,
        author_id=author.id,
        held_on=clock.today_for_cohort(cohort),
        channel=list(Channel)[0],
        minutes=30,
        topics=[],
        notes=notes,
        next_steps="Send two applications",
        confidential=confidential,
    )
    db.session.add(row)
    db.session.flush()
    return row


@pytest.fixture
def world(factory):
    """Pat: enrolled in a cohort, in Cleo's pod, with sessions (one attended), check-ins
    (one confidential, by another captain), a referral and a job. A peer in another pod,
    and a person in a far city."""
    build = Builder(factory)
    cohort = build.cohort("America/New_York", name="Bronx Spring")
    far_cohort = build.cohort("America/Los_Angeles", name="Oakland Spring")
    pat = factory.user(Role.PARTICIPANT, name="Pat Person")
    pat.profile.phone = "555-0101"
    pat.profile.intake_salary = 31000
    pat.profile.first_generation = True
    enrollment = factory.enrollment(
        cohort=cohort,
        user=pat,
        salary_band="25-35k",
        **history.marks(Stage.APPLIED, Stage.ENROLLED),  # the events below
    )
    db.session.add(
        EnrollmentEvent(enrollment_id=enrollment.id, from_stage=None, to_stage=Stage.APPLIED)
    )
    db.session.add(
        EnrollmentEvent(
            enrollment_id=enrollment.id, from_stage=Stage.APPLIED, to_stage=Stage.ENROLLED
        )
    )
    peer = build.participants(cohort, 1, name="Peer Other")[0]
    far_person = build.participants(far_cohort, 1, name="Far Person")[0]
    captain, _ = build.captain(cohort, pod=[pat], name="Cleo Captain", is_lead=True)
    other_captain, _ = build.captain(cohort, pod=[peer], name="Otto Captain")
    sessions = [build.session(cohort, hours_from_now=-24 * (i + 1)) for i in range(3)]
    build.attendance(sessions[0], pat, AttendanceStatus.PRESENT)
    build.attendance(sessions[1], pat, AttendanceStatus.ABSENT)
    checkin(cohort, pat, captain, notes="Open notes about the plan")
    checkin(cohort, pat, other_captain, confidential=True, notes="Private family matter")
    rf = ReferralFactory(factory)
    rf.referral(enrollment, captain, note="Strong fit")
    rf.placement(enrollment, salary=64000, start_date=clock.now().date() - timedelta(days=10))
    city, far_city = cohort.city, far_cohort.city
    db.session.commit()
    return World(
        cohort,
        far_cohort,
        pat,
        enrollment,
        peer,
        far_person,
        captain,
        other_captain,
        sessions,
        city,
        far_city,
    )
