"""What the history says, stored on the enrollment (``coop.enrollment.history``): every
service that writes an event writes its marks, a stale mark is found, and the command
rebuilds them from the events."""

import pytest
import sqlalchemy as sa

from coop.auth.models import Role
from coop.enrollment import history, services
from coop.enrollment.models import Enrollment, EnrollmentEvent, Stage
from coop.extensions import db
from tests.enrollment.conftest import commit_setup


def marks_in_database(enrollment) -> tuple[bool, bool]:
    return db.session.execute(
        sa.select(Enrollment.was_accepted, Enrollment.withdrew_early).where(
            Enrollment.id == enrollment.id
        )
    ).one()


@pytest.mark.parametrize(
    ("from_stage", "to_stage", "marks"),
    [
        (None, Stage.APPLIED, {}),
        (Stage.APPLIED, Stage.ACCEPTED, {"was_accepted": True}),
        (Stage.WAITLISTED, Stage.ENROLLED, {"was_accepted": True}),
        (None, Stage.ENROLLED, {"was_accepted": True}),  # a roster import
        (Stage.APPLIED, Stage.DECLINED, {}),
        (Stage.APPLIED, Stage.WITHDRAWN, {"withdrew_early": True}),
        (Stage.ACCEPTED, Stage.WITHDRAWN, {"withdrew_early": True}),
        (Stage.WAITLISTED, Stage.WITHDRAWN, {"withdrew_early": True}),
        (Stage.ENROLLED, Stage.WITHDRAWN, {}),  # left the program: not before a seat
        (Stage.ENROLLED, Stage.GRADUATED, {}),
    ],
)
def test_each_move_marks_what_it_says(from_stage, to_stage, marks):
    assert history.marks(from_stage, to_stage) == marks


def test_marks_only_turn_true_over_a_history():
    steps = [(None, Stage.APPLIED), (Stage.APPLIED, Stage.ACCEPTED)]
    steps += [(Stage.ACCEPTED, Stage.WITHDRAWN)]
    assert history.marks_of(steps) == {"was_accepted": True, "withdrew_early": True}
    assert history.marks_of([(None, Stage.APPLIED)]) == {
        "was_accepted": False,
        "withdrew_early": False,
    }


def test_accepting_then_withdrawing_is_written_with_the_events(app, factory, applicant, recruiting):
    staff = factory.user(Role.STAFF)
    cohort = recruiting(capacity=1)
    applicant(cohort, Stage.ENROLLED)  # the only seat: accepting puts them on the waitlist
    person = applicant(cohort)

    with app.test_request_context():  # emails carry links
        services.decide(cohort, [person], services.Decision.ACCEPT, staff)
    assert person.stage == Stage.WAITLISTED
    assert marks_in_database(person) == (False, False)

    services.decide(cohort, [person], services.Decision.DECLINE, staff, reason="No seat")
    assert marks_in_database(person) == (False, False)

    seated = recruiting(capacity=1)
    other = applicant(seated)
    with app.test_request_context():
        services.decide(seated, [other], services.Decision.ACCEPT, staff)
    assert other.stage == Stage.ENROLLED
    assert marks_in_database(other) == (True, False)
    services.withdraw(other, staff, "Took a job")
    assert marks_in_database(other) == (True, False)  # left after enrolling
    assert history.stale() == []


def test_withdrawing_while_waiting_is_withdrawing_early(factory, applicant, recruiting):
    staff = factory.user(Role.STAFF)
    person = applicant(recruiting(), Stage.APPLIED)

    services.withdraw(person, staff, "Moved away")

    assert marks_in_database(person) == (False, True)
    assert history.stale() == []


def test_stale_finds_marks_changed_behind_the_services_and_the_command_rebuilds_them(
    app, factory, applicant, recruiting
):
    staff = factory.user(Role.STAFF)
    cohort = recruiting(capacity=1)
    person = applicant(cohort)
    with app.test_request_context():
        services.decide(cohort, [person], services.Decision.ACCEPT, staff)
    untouched = applicant(recruiting())
    commit_setup()
    # Someone edits the enrollment by hand in SQL: its mark no longer matches its events.
    db.session.execute(
        sa.update(Enrollment).where(Enrollment.id == person.id).values(was_accepted=False)
    )
    assert history.stale() == [(person.id, (False, False), (True, False))]

    result = app.test_cli_runner().invoke(args=["enrollment", "rebuild-history"])

    assert result.exit_code == 0, result.output
    assert "1 had a wrong history mark" in result.output
    assert history.stale() == []
    assert marks_in_database(person) == (True, False)
    assert marks_in_database(untouched) == (False, False)


def test_an_event_written_without_its_marks_is_found(factory, applicant, recruiting):
    person = applicant(recruiting())
    db.session.add(
        EnrollmentEvent(enrollment_id=person.id, from_stage=Stage.APPLIED, to_stage=Stage.WITHDRAWN)
    )
    db.session.flush()

    assert history.stale() == [(person.id, (False, False), (False, True))]
    assert history.rebuild() == 1
    assert marks_in_database(person) == (False, True)
