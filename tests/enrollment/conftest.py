"""Fixtures for the enrollment tests: applicants in any stage, form data for the public
application, and counters that prove a request wrote nothing."""

from datetime import timedelta

import pytest

from coop.auth.models import Role, User
from coop.core.audit import DISCLOSURES
from coop.core.models import AuditEvent
from coop.db import utcnow
from coop.enrollment.models import Enrollment, EnrollmentEvent, HeardVia, Stage
from coop.extensions import db
from coop.programs.models import CohortStatus
from tests.factories import application_form


def commit_setup() -> None:
    """Commit the test's setup (a savepoint release here), so a view that rolls back
    after refusing something keeps it; loaded objects stay loaded."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


@pytest.fixture
def applicant(factory):
    """``applicant(cohort, stage=Stage.APPLIED, **user_kw)``: a password-less participant
    with an enrollment in ``stage`` (seats and waitlist kept consistent)."""
    positions: dict[int, int] = {}

    def _make(cohort, stage=Stage.APPLIED, password_hash=None, referred_by=None, **kw):
        user = factory.user(Role.PARTICIPANT, password_hash=password_hash, **kw)
        now = utcnow() - timedelta(minutes=100 - len(positions))
        extra = {}
        if stage == Stage.WAITLISTED:
            positions[cohort.id] = positions.get(cohort.id, 0) + 1
            extra = dict(waitlisted_at=now, waitlist_position=positions[cohort.id])
        enrollment = factory.enrollment(
            cohort=cohort,
            user=user,
            stage=stage,
            college="Hunter College",
            graduation_year=2024,
            first_generation=True,
            low_income=False,
            job_title="Barista",
            salary_band="25-35k",
            heard_via=HeardVia.ALUMNUS if referred_by else HeardVia.OTHER,
            referred_by_id=referred_by.id if referred_by else None,
            referrer_text=referred_by.email if referred_by else None,
            created_at=now,
            **extra,
        )
        if stage == Stage.ENROLLED:
            cohort.seats_taken += 1
        commit_setup()
        return enrollment

    return _make


@pytest.fixture
def recruiting(factory):
    """A recruiting cohort (capacity 16 unless told)."""

    def _make(**kw):
        kw.setdefault("status", CohortStatus.RECRUITING)
        cohort = factory.cohort(**kw)
        commit_setup()
        return cohort

    return _make


@pytest.fixture
def form_data():
    """Valid public application form data for ``cohort`` (``tests.factories``)."""
    return application_form


@pytest.fixture
def snapshot():
    """``snapshot()`` -> counts of users, enrollments, events and audit rows of changes
    (not the rows recording that a page showed someone's personal data)."""

    def _snap():
        changes = (
            db.select(db.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action.not_in(DISCLOSURES))
        )
        return tuple(
            db.session.scalar(db.select(db.func.count()).select_from(m))
            for m in (User, Enrollment, EnrollmentEvent)
        ) + (db.session.scalar(changes),)

    return _snap


@pytest.fixture
def stage_of():
    def _stage(enrollment) -> Stage:
        return db.session.scalar(db.select(Enrollment.stage).where(Enrollment.id == enrollment.id))

    return _stage


@pytest.fixture
def seats():
    def _seats(cohort) -> int:
        from coop.programs.models import Cohort

        return db.session.scalar(db.select(Cohort.seats_taken).where(Cohort.id == cohort.id))

    return _seats
