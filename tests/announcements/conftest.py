from dataclasses import dataclass

import pytest

from coop.auth.models import Role
from tests.sessions.builders import Builder


@dataclass
class World:
    cohort: object
    other_cohort: object
    far_cohort: object
    captain: object
    other_captain: object
    pod: list
    other_pod: list
    unpodded: object
    far_person: object
    assignment: object
    other_assignment: object


@pytest.fixture
def world(factory):
    """Two cohorts in one city (a captain's pod, another captain's pod, a participant in
    no pod) and a cohort in a far city."""
    build = Builder(factory)
    cohort = build.cohort("America/New_York", name="Bronx Spring")
    other_cohort = build.cohort(city=cohort.city, name="Bronx Fall")
    far_cohort = build.cohort("America/Los_Angeles", name="Oakland Spring")
    pod = build.participants(cohort, 2)
    other_pod = build.participants(cohort, 2)
    unpodded = build.participants(cohort, 1)[0]
    far_person = build.participants(far_cohort, 1)[0]
    build.participants(other_cohort, 1)
    captain, assignment = build.captain(cohort, pod=pod, name="Cleo Captain")
    other_captain, other_assignment = build.captain(cohort, pod=other_pod)
    factory.user(Role.STAFF)  # noise
    return World(
        cohort,
        other_cohort,
        far_cohort,
        captain,
        other_captain,
        pod,
        other_pod,
        unpodded,
        far_person,
        assignment,
        other_assignment,
    )
