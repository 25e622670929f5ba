"""The staff review queue: filtering, one or many decisions, capacity, invitations, the
stage machine and its history."""

import pytest
from sqlalchemy.orm.attributes import set_committed_value

from coop.auth.models import Role
from coop.core.models import AuditEvent
from coop.enrollment import services
from coop.enrollment.models import TRANSITIONS, EnrollmentEvent, Stage
from coop.extensions import db
from coop.programs.models import CohortStatus


def _decide(client, cohort, enrollments, decision, reason="", stage="applied"):
    return client.post(
        f"/cohorts/{cohort.id}/applications/decide",
        data={
            "ids": [str(e.id) for e in enrollments],
            "decision": decision,
            "reason": reason,
            "next_stage": stage,
        },
    )


def test_queue_filters_by_stage(client, login_as, recruiting, applicant):
    login_as("staff")
    cohort = recruiting()
    applicant(cohort, Stage.APPLIED, name="Ada Applied")
    applicant(cohort, Stage.WAITLISTED, name="Wes Waitlisted")
    applicant(cohort, Stage.DECLINED, name="Dee Declined")

    applied = client.get(f"/cohorts/{cohort.id}/applications").get_data(as_text=True)
    waitlisted = client.get(f"/cohorts/{cohort.id}/applications?stage=waitlisted").get_data(
        as_text=True
    )
    everyone = client.get(f"/cohorts/{cohort.id}/applications?stage=all").get_data(as_text=True)

    assert "Ada Applied" in applied and "Wes Waitlisted" not in applied
    assert "Wes Waitlisted" in waitlisted and "Ada Applied" not in waitlisted
    assert all(n in everyone for n in ("Ada Applied", "Wes Waitlisted", "Dee Declined"))
    # The cohort's tabs lead to this domain's pages.
    for tab in ("applications", "waitlist", "roster", "alumni-referrals"):
        assert f'href="/cohorts/{cohort.id}/{tab}"' in applied


def test_accepting_many_enrolls_until_full_then_waitlists_and_says_so(
    client, login_as, recruiting, applicant, outbox, stage_of, seats
):
    login_as("staff")
    cohort = recruiting(capacity=2)
    people = [applicant(cohort, name=f"Person {i}") for i in range(4)]
    emails = [e.user.email for e in people]

    response = _decide(client, cohort, people, "accept")

    assert response.status_code == 302
    assert [stage_of(e) for e in people] == [Stage.ENROLLED] * 2 + [Stage.WAITLISTED] * 2
    assert seats(cohort) == 2
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Enrolled and emailed: Person 0, Person 1." in page
    assert "The cohort is full, so these applicants were waitlisted: Person 2, Person 3." in page
    # One email each on acceptance: the seat and the link to set a password together.
    invited = [m for m in outbox if m.subject.startswith("You are enrolled in")]
    assert sorted(m.to[0] for m in invited) == sorted(emails[:2])
    assert sorted(m.to[0] for m in outbox if m.to[0] in emails[:2]) == sorted(emails[:2])
    assert "/invite/" in invited[0].body
    # The waitlist is in the order they were waitlisted.
    positions = [db.session.get(type(e), e.id).waitlist_position for e in people[2:]]
    assert positions == [1, 2]


def test_accepting_records_the_stage_history_and_audit(client, login_as, recruiting, applicant):
    staff = login_as("staff")
    cohort = recruiting()
    e = applicant(cohort)

    _decide(client, cohort, [e], "accept", reason="Strong application")

    events = db.session.scalars(
        db.select(EnrollmentEvent)
        .where(EnrollmentEvent.enrollment_id == e.id)
        .order_by(EnrollmentEvent.id)
    ).all()
    assert [(ev.from_stage, ev.to_stage) for ev in events] == [
        (Stage.APPLIED, Stage.ACCEPTED),
        (Stage.ACCEPTED, Stage.ENROLLED),
    ]
    assert {ev.actor_id for ev in events} == {staff.id}
    assert events[0].reason == "Strong application"
    assert all(ev.created_at is not None for ev in events)
    actions = db.session.scalars(
        db.select(AuditEvent.action).where(
            AuditEvent.target_type == "enrollments", AuditEvent.target_id == e.id
        )
    ).all()
    assert actions == ["enrollment.accepted", "enrollment.enrolled"]


def test_enrolling_someone_with_a_password_sends_no_invitation(
    client, login_as, recruiting, applicant, outbox
):
    login_as("staff")
    cohort = recruiting()
    e = applicant(cohort, password_hash="already-has-one")
    place = f"{cohort.name} ({cohort.city.name})"

    _decide(client, cohort, [e], "accept")

    assert [m.subject for m in outbox] == [f"You are enrolled in {place}"]
    assert "/login" in outbox[0].body


def test_decline_needs_a_reason(client, login_as, recruiting, applicant, stage_of, snapshot):
    login_as("staff")
    cohort = recruiting()
    e = applicant(cohort)
    before = snapshot()

    response = _decide(client, cohort, [e], "decline", reason="  ")

    assert "Give a reason for declining." in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert stage_of(e) == Stage.APPLIED
    assert snapshot() == before


def test_decline_many_with_a_reason(client, login_as, recruiting, applicant, stage_of, outbox):
    login_as("staff")
    cohort = recruiting()
    people = [applicant(cohort) for _ in range(3)]

    _decide(client, cohort, people, "decline", reason="Not a recent graduate")

    assert {stage_of(e) for e in people} == {Stage.DECLINED}
    assert {db.session.get(type(e), e.id).decision_reason for e in people} == {
        "Not a recent graduate"
    }
    assert len(outbox) == 3


def test_waitlisting_by_choice(client, login_as, recruiting, applicant, stage_of):
    login_as("staff")
    cohort = recruiting()
    e = applicant(cohort)
    _decide(client, cohort, [e], "waitlist", reason="Strong, but later")
    assert stage_of(e) == Stage.WAITLISTED


def test_an_impossible_change_in_a_batch_changes_nothing(
    client, login_as, recruiting, applicant, stage_of, snapshot, seats
):
    login_as("staff")
    cohort = recruiting()
    fine = applicant(cohort, name="Fine Applicant")
    declined = applicant(cohort, Stage.DECLINED, name="Dana Declined")
    before = snapshot()

    response = _decide(client, cohort, [fine, declined], "accept")

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nothing was changed: cannot accept Dana Declined (declined)." in page
    assert stage_of(fine) == Stage.APPLIED and stage_of(declined) == Stage.DECLINED
    assert seats(cohort) == 0
    assert snapshot() == before


def test_full_cohort_accepting_a_waitlisted_person_leaves_them_waitlisted(
    client, login_as, recruiting, applicant, stage_of
):
    login_as("staff")
    cohort = recruiting(capacity=1)
    applicant(cohort, Stage.ENROLLED)
    waiting = applicant(cohort, Stage.WAITLISTED, name="Wai Ting")

    response = _decide(client, cohort, [waiting], "accept", stage="waitlisted")

    assert stage_of(waiting) == Stage.WAITLISTED
    assert "still waitlisted: Wai Ting" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )


def test_completed_cohort_takes_no_acceptances(client, login_as, factory, applicant, stage_of):
    login_as("staff")
    cohort = factory.cohort(status=CohortStatus.COMPLETED)
    e = applicant(cohort)
    response = _decide(client, cohort, [e], "accept")
    assert "it takes no new participants" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert stage_of(e) == Stage.APPLIED


def test_application_page_shows_answers_and_history(
    client, login_as, factory, recruiting, applicant
):
    login_as("staff")
    old = factory.cohort(status=CohortStatus.COMPLETED)
    alumna = applicant(old, Stage.GRADUATED, name="Alum Na").user
    cohort = recruiting()
    e = applicant(cohort, name="Nia Applicant", referred_by=alumna)
    _decide(client, cohort, [e], "decline", reason="Already in a career-track role")

    page = client.get(f"/cohorts/{cohort.id}/applications/{e.id}").get_data(as_text=True)

    assert "Nia Applicant" in page and "Hunter College" in page
    assert "$25,000 – $34,999" in page
    assert "linked to Alum Na" in page
    assert "applied → <strong>declined</strong>" in page
    assert "Already in a career-track role" in page


def test_decide_one_from_the_application_page(client, login_as, recruiting, applicant, stage_of):
    login_as("staff")
    cohort = recruiting()
    e = applicant(cohort)
    response = client.post(
        f"/cohorts/{cohort.id}/applications/{e.id}/decide",
        data={"decision": "accept", "reason": ""},
    )
    assert response.headers["Location"].endswith(f"/cohorts/{cohort.id}/applications/{e.id}")
    assert stage_of(e) == Stage.ENROLLED


# -- the stage machine -------------------------------------------------------------------

IMPOSSIBLE = [(start, new) for start in Stage for new in Stage if new not in TRANSITIONS[start]]


@pytest.mark.parametrize(("start", "new"), IMPOSSIBLE)
def test_every_impossible_change_is_refused_and_changes_nothing(
    factory, recruiting, applicant, stage_of, snapshot, start, new
):
    cohort = recruiting()
    e = applicant(cohort, start)
    staff = factory.user(Role.STAFF)
    before = snapshot()
    with pytest.raises(services.StageError):
        services._move(e, new, staff, "because", name="X")
    assert stage_of(e) == start
    assert snapshot() == before


def test_graduating_an_applicant_or_enrolling_a_declined_one_is_refused(
    factory, recruiting, applicant, stage_of
):
    cohort = recruiting()
    staff = factory.user(Role.STAFF)
    applied = applicant(cohort, Stage.APPLIED, name="App Licant")
    declined = applicant(cohort, Stage.DECLINED, name="Dec Lined")

    with pytest.raises(
        services.StageError, match="App Licant is applied, so they cannot be graduated"
    ):
        services._move(applied, Stage.GRADUATED, staff, name="App Licant")
    with pytest.raises(services.StageError, match="cannot accept Dec Lined"):
        services.decide(cohort, [declined], "accept", staff)
    with pytest.raises(services.StageError, match="declined; that is final"):
        services._move(declined, Stage.ENROLLED, staff, name="Dec Lined")
    assert stage_of(applied) == Stage.APPLIED and stage_of(declined) == Stage.DECLINED


def test_a_stale_stage_raises_conflict(factory, recruiting, applicant, stage_of):
    """Two requests deciding the same applicant: the second's UPDATE matches nothing."""
    cohort = recruiting()
    e = applicant(cohort)
    # Another request declined them after this one read the row.
    db.session.execute(
        db.update(type(e).__table__).where(type(e).__table__.c.id == e.id).values(stage="declined")
    )
    set_committed_value(e, "stage", Stage.APPLIED)

    with pytest.raises(services.Conflict):
        services._move(e, Stage.WAITLISTED, None, name="X")
    assert stage_of(e) == Stage.DECLINED


def test_a_serving_captain_cannot_be_accepted_into_their_own_cohort(client, login_as, factory, db):
    from coop.auth.models import Role
    from coop.coaching.models import CaptainAssignment
    from coop.enrollment.models import Enrollment, Stage
    from coop.programs.models import CohortStatus

    cohort = factory.cohort(status=CohortStatus.RECRUITING)
    captain = factory.user(Role.CAPTAIN, name="Cam Captain")
    db.session.add(CaptainAssignment(cohort_id=cohort.id, captain_id=captain.id))
    enrollment = factory.enrollment(cohort=cohort, user=captain, stage=Stage.APPLIED)
    login_as("staff")

    response = client.post(
        f"/cohorts/{cohort.id}/applications/decide",
        data={"decision": "accept", "ids": [str(enrollment.id)]},
        follow_redirects=True,
    )
    assert "Cam Captain serve on this cohort" in response.get_data(as_text=True)
    assert db.session.get(Enrollment, enrollment.id).stage == Stage.APPLIED
