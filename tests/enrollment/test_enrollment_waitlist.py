"""The waitlist: its order, reordering, withdrawal with automatic promotion, and
graduation."""

from coop.auth.models import Role
from coop.enrollment import services
from coop.enrollment.models import Enrollment, EnrollmentEvent, Stage
from coop.extensions import db
from coop.programs.models import Cohort, CohortStatus
from tests.enrollment.conftest import commit_setup


def _order(cohort):
    return list(
        db.session.scalars(
            db.select(Enrollment.id)
            .where(Enrollment.cohort_id == cohort.id, Enrollment.stage == Stage.WAITLISTED)
            .order_by(*services.waitlist_order())
        )
    )


def test_waitlist_page_lists_people_in_order(client, login_as, recruiting, applicant):
    login_as("staff")
    cohort = recruiting(capacity=1)
    applicant(cohort, Stage.ENROLLED)
    applicant(cohort, Stage.WAITLISTED, name="First Waiting")
    applicant(cohort, Stage.WAITLISTED, name="Second Waiting")

    page = client.get(f"/cohorts/{cohort.id}/waitlist").get_data(as_text=True)

    assert page.index("First Waiting") < page.index("Second Waiting")
    assert "1 of 1 seats taken" in page


def test_staff_reorder_the_waitlist(client, login_as, recruiting, applicant):
    login_as("staff")
    cohort = recruiting(capacity=1)
    a, b, c = (applicant(cohort, Stage.WAITLISTED) for _ in range(3))

    client.post(f"/cohorts/{cohort.id}/waitlist/{c.id}/move", data={"direction": "up"})
    assert _order(cohort) == [a.id, c.id, b.id]
    client.post(f"/cohorts/{cohort.id}/waitlist/{b.id}/move", data={"direction": "top"})
    assert _order(cohort) == [b.id, a.id, c.id]
    client.post(f"/cohorts/{cohort.id}/waitlist/{b.id}/move", data={"direction": "down"})
    assert _order(cohort) == [a.id, b.id, c.id]
    positions = db.session.scalars(
        db.select(Enrollment.waitlist_position)
        .where(Enrollment.cohort_id == cohort.id, Enrollment.stage == Stage.WAITLISTED)
        .order_by(Enrollment.waitlist_position)
    ).all()
    assert positions == [1, 2, 3]


def test_moving_someone_not_waitlisted_is_refused(client, login_as, recruiting, applicant):
    login_as("staff")
    cohort = recruiting()
    e = applicant(cohort, Stage.APPLIED)
    response = client.post(f"/cohorts/{cohort.id}/waitlist/{e.id}/move", data={"direction": "up"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "not on this cohort&#39;s waitlist" in page


def test_withdrawal_from_a_full_cohort_promotes_the_first_waitlisted(
    client, login_as, recruiting, applicant, outbox, stage_of, seats
):
    staff = login_as("staff")
    cohort = recruiting(capacity=2)
    leaving = applicant(cohort, Stage.ENROLLED, name="Leaving Person")
    applicant(cohort, Stage.ENROLLED)
    second = applicant(cohort, Stage.WAITLISTED, name="Second Inline")
    first = applicant(cohort, Stage.WAITLISTED, name="First Inline")
    # Staff put First Inline at the top.
    services.move_on_waitlist(cohort, first, "top", staff)
    commit_setup()
    first_email = first.user.email

    response = client.post(
        f"/cohorts/{cohort.id}/applications/{leaving.id}/withdraw",
        data={"reason": "Took a job with evening shifts"},
    )

    assert stage_of(leaving) == Stage.WITHDRAWN
    assert stage_of(first) == Stage.ENROLLED
    assert stage_of(second) == Stage.WAITLISTED
    assert seats(cohort) == 2
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "First Inline was promoted from the waitlist" in page
    # Visible in the review queue ...
    queue = client.get(f"/cohorts/{cohort.id}/applications?stage=enrolled").get_data(as_text=True)
    assert "First Inline" in queue
    # ... and in the outbox: the enrollment news with the link to set a password, in one.
    to_first = [m for m in outbox if m.to == [first_email]]
    assert [m.subject.startswith("You are enrolled in") for m in to_first] == [True]
    assert "/invite/" in to_first[0].body
    # The history says why, and that nobody in particular did it.
    event = db.session.scalars(
        db.select(EnrollmentEvent)
        .where(EnrollmentEvent.enrollment_id == first.id)
        .order_by(EnrollmentEvent.id.desc())
    ).first()
    assert (event.from_stage, event.to_stage, event.actor_id) == (
        Stage.WAITLISTED,
        Stage.ENROLLED,
        None,
    )
    assert "promoted automatically" in event.reason
    withdrawal = db.session.scalars(
        db.select(EnrollmentEvent).where(
            EnrollmentEvent.enrollment_id == leaving.id,
            EnrollmentEvent.to_stage == Stage.WITHDRAWN,
        )
    ).one()
    assert withdrawal.reason == "Took a job with evening shifts"
    assert withdrawal.actor_id == staff.id


def test_no_promotion_when_auto_promote_is_off(
    client, login_as, recruiting, applicant, stage_of, seats
):
    login_as("staff")
    cohort = recruiting(capacity=1)
    leaving = applicant(cohort, Stage.ENROLLED)
    waiting = applicant(cohort, Stage.WAITLISTED)

    client.post(f"/cohorts/{cohort.id}/waitlist/auto-promote", data={})
    assert db.session.get(Cohort, cohort.id).auto_promote is False
    client.post(
        f"/cohorts/{cohort.id}/applications/{leaving.id}/withdraw", data={"reason": "Moved"}
    )

    assert stage_of(waiting) == Stage.WAITLISTED
    assert seats(cohort) == 0
    # Staff promote by hand.
    client.post(f"/cohorts/{cohort.id}/waitlist/promote", data={})
    assert stage_of(waiting) == Stage.ENROLLED
    assert seats(cohort) == 1


def test_withdrawal_needs_a_reason(client, login_as, recruiting, applicant, stage_of, snapshot):
    login_as("staff")
    cohort = recruiting()
    e = applicant(cohort, Stage.ENROLLED)
    before = snapshot()

    response = client.post(
        f"/cohorts/{cohort.id}/applications/{e.id}/withdraw", data={"reason": " "}
    )

    assert "Give a reason for the withdrawal" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert stage_of(e) == Stage.ENROLLED
    assert snapshot() == before


def test_withdrawing_an_applicant_frees_no_seat(
    client, login_as, recruiting, applicant, stage_of, seats
):
    login_as("staff")
    cohort = recruiting(capacity=1)
    applicant(cohort, Stage.ENROLLED)
    waiting = applicant(cohort, Stage.WAITLISTED)
    other = applicant(cohort, Stage.WAITLISTED)

    client.post(
        f"/cohorts/{cohort.id}/applications/{waiting.id}/withdraw",
        data={"reason": "No longer interested"},
    )

    assert stage_of(waiting) == Stage.WITHDRAWN
    assert stage_of(other) == Stage.WAITLISTED
    assert seats(cohort) == 1


def test_withdrawing_a_graduate_is_refused(client, login_as, factory, applicant, stage_of):
    login_as("staff")
    cohort = factory.cohort(status=CohortStatus.COMPLETED)
    e = applicant(cohort, Stage.GRADUATED)
    response = client.post(
        f"/cohorts/{cohort.id}/applications/{e.id}/withdraw", data={"reason": "Oops"}
    )
    assert "graduated; that is final" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert stage_of(e) == Stage.GRADUATED


def test_withdraw_service_for_other_domains(app, factory, recruiting, applicant, stage_of):
    cohort = recruiting(capacity=1)
    leaving = applicant(cohort, Stage.ENROLLED)
    waiting = applicant(cohort, Stage.WAITLISTED)
    with app.test_request_context():  # emails carry links
        promoted = services.withdraw(leaving, factory.user(Role.STAFF), "Moved away")
    assert promoted.id == waiting.id
    assert stage_of(waiting) == Stage.ENROLLED


# -- graduation --------------------------------------------------------------------------


def test_completing_graduates_everyone_but_the_excluded(
    client, login_as, factory, applicant, stage_of, seats
):
    login_as("staff")
    cohort = factory.cohort(status=CohortStatus.ACTIVE, capacity=5)
    commit_setup()
    stays = applicant(cohort, Stage.ENROLLED, name="Not Yet")
    others = [applicant(cohort, Stage.ENROLLED) for _ in range(3)]
    gone = applicant(cohort, Stage.WITHDRAWN)
    page = client.get(f"/cohorts/{cohort.id}/graduate").get_data(as_text=True)
    assert "Not Yet" in page

    response = client.post(f"/cohorts/{cohort.id}/graduate", data={"exclude": [str(stays.id)]})

    assert response.status_code == 302
    assert [stage_of(e) for e in others] == [Stage.GRADUATED] * 3
    assert stage_of(stays) == Stage.ENROLLED
    assert stage_of(gone) == Stage.WITHDRAWN
    assert db.session.get(Cohort, cohort.id).status == CohortStatus.COMPLETED
    assert seats(cohort) == 1
    done = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "3 participants graduated; 1 stay enrolled." in done


def test_a_recruiting_cohort_cannot_graduate(client, login_as, recruiting, applicant, stage_of):
    login_as("staff")
    cohort = recruiting()
    e = applicant(cohort, Stage.ENROLLED)
    response = client.post(f"/cohorts/{cohort.id}/graduate", data={})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "only an active cohort can be completed" in page
    assert stage_of(e) == Stage.ENROLLED
