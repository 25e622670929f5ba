"""Fixtures for the programs tests: a valid cohort form and audit/row counters."""

import pytest

from coop.core.models import AuditEvent
from coop.extensions import db
from coop.programs.models import Cohort


@pytest.fixture
def cohort_data():
    """Form data for a valid cohort in ``city`` on ``track``; override with keywords."""

    def _data(city, track, **overrides):
        data = {
            "name": "Data Analytics · Fall 2027",
            "city_id": str(city.id),
            "track_id": str(track.id),
            "sponsor_id": "",
            "start_date": "2027-09-06",
            "end_date": "2027-12-20",
            "capacity": "16",
            "meeting_days": ["tue", "thu"],
            "meeting_time": "18:30",
            "video_link": "https://meet.example.org/fall-2027",
        }
        data.update(overrides)
        return {k: v for k, v in data.items() if v is not None}

    return _data


@pytest.fixture
def counts():
    """``counts()`` -> (cohorts, audit events): to prove a request wrote nothing."""

    def _counts():
        return (
            db.session.scalar(db.select(db.func.count(Cohort.id))),
            db.session.scalar(db.select(db.func.count(AuditEvent.id))),
        )

    return _counts


@pytest.fixture
def events():
    """``events(target)`` -> the audit events on a row, oldest first."""

    def _events(target):
        return list(
            db.session.scalars(
                db.select(AuditEvent)
                .where(
                    AuditEvent.target_type == target.__tablename__,
                    AuditEvent.target_id == target.id,
                )
                .order_by(AuditEvent.id)
            )
        )

    return _events
