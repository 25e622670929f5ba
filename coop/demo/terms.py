"""Demo data for running terms at scale: a dozen accepted program applicants awaiting
placement, and an open captain request for a demo graduate."""

from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa

from coop.auth.models import ParticipantProfile, Role, User
from coop.coaching.models import AlumniCaptain, CaptainAssignment
from coop.coaching.request_models import CaptainRequest, RequestStatus
from coop.demo.base import SeedContext
from coop.enrollment.models import Enrollment, Stage
from coop.enrollment.program_models import ProgramApplication, ProgramStatus
from coop.extensions import db
from coop.programs.cloning import term_of
from coop.programs.models import City, Cohort, CohortStatus

NAMES = [
    "Amara Okafor",
    "Bruno Castillo",
    "Chloe Nguyen",
    "Dev Patel",
    "Esme Johnson",
    "Felix Ramos",
    "Grace Kim",
    "Hugo Mendes",
    "Ines Dubois",
    "Jamal Carter",
    "Keiko Tanaka",
    "Lena Fischer",
]
#: Ten of the twelve can make the demo cohorts' Tuesdays and Thursdays; two cannot (their
#: proposal says why).
EVENINGS = ["tue,thu", "mon,tue,wed,thu", "tue,wed,thu", "tue,thu", "mon,tue,wed,thu", "mon,wed"]


def seed(ctx: SeedContext) -> None:
    open_cohorts = db.session.execute(
        sa.select(Cohort, City.timezone)
        .join(City, City.id == Cohort.city_id)
        .where(
            Cohort.status.in_([CohortStatus.RECRUITING, CohortStatus.PLANNED]),
            Cohort.seats_taken + 4 <= Cohort.capacity,  # room for the applicants
        )
        .order_by(Cohort.start_date, Cohort.id)
    ).all()
    if not open_cohorts:
        return
    now = datetime.combine(ctx.today, time(12), tzinfo=UTC)
    for i, name in enumerate(NAMES):
        cohort, zone = open_cohorts[i % len(open_cohorts)]
        slug = name.lower().replace(" ", ".")
        user = User(
            email=f"{slug}@applicant.example",
            name=name,
            role=Role.PARTICIPANT,
            profile=ParticipantProfile(first_generation=i % 2 == 0),
        )
        db.session.add(user)
        db.session.add(
            ProgramApplication(
                user=user,
                city_id=cohort.city_id,
                track_id=cohort.track_id,
                evenings=EVENINGS[i % len(EVENINGS)],
                timezone=zone,
                start_term=term_of(cohort.start_date),
                first_generation=i % 2 == 0,
                goals="A career-track role in my field",
                status=ProgramStatus.ACCEPTED,
                consented_at=now - timedelta(days=10 - i % 5),
                created_at=now - timedelta(days=10 - i % 5, minutes=i),
            )
        )
    _captain_request(ctx, open_cohorts[0][0], now)


def _captain_request(ctx: SeedContext, cohort: Cohort, now: datetime) -> None:
    """Ask a graduate who is not a captain yet (the first by id) to captain ``cohort``;
    they sign in with the demo password (staff see who on /captain-requests)."""
    busy = sa.select(Enrollment.user_id).where(
        sa.or_(Enrollment.stage == Stage.ENROLLED, Enrollment.cohort_id == cohort.id)
    )
    row = db.session.execute(
        sa.select(Enrollment.user_id, Enrollment.cohort_id)
        .join(User, User.id == Enrollment.user_id)
        .where(
            Enrollment.stage == Stage.GRADUATED,
            User.role == Role.PARTICIPANT,
            User.active,
            User.id.not_in(busy),
            User.id.not_in(sa.select(AlumniCaptain.user_id)),
            User.id.not_in(sa.select(CaptainAssignment.captain_id)),
        )
        .order_by(Enrollment.user_id)
        .limit(1)
    ).first()
    if row is None:
        return
    staff = ctx.accounts.get("staff@coop.example")
    # The graduate signs in with the demo password, to answer the request.
    db.session.get(User, row.user_id).password_hash = ctx.password_hash
    db.session.add(
        CaptainRequest(
            cohort_id=cohort.id,
            user_id=row.user_id,
            graduated_from_id=row.cohort_id,
            status=RequestStatus.OPEN,
            message="You were a great peer in your cohort; would you come back as a captain?",
            expires_at=now + timedelta(days=14),
            requested_by_id=staff.id if staff else None,
            created_at=now,
        )
    )
