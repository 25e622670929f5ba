"""Completing a cohort with enrolled participants goes through graduation."""

from coop.enrollment.models import Enrollment, Stage
from coop.programs.models import Cohort, CohortStatus
from coop.referrals.models import FollowUp


def test_mark_completed_is_refused_while_participants_are_enrolled(client, login_as, factory, db):
    cohort = factory.cohort(status=CohortStatus.ACTIVE)
    enrollment = factory.enrollment(cohort=cohort, stage=Stage.ENROLLED)
    login_as("staff")

    page = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert "Complete and graduate" in page
    assert f"/cohorts/{cohort.id}/graduate" in page

    response = client.post(
        f"/cohorts/{cohort.id}/status", data={"status": "completed"}, follow_redirects=True
    )
    assert "complete it from its Graduation page" in response.get_data(as_text=True)
    assert db.session.get(Cohort, cohort.id).status == CohortStatus.ACTIVE
    assert db.session.get(Enrollment, enrollment.id).stage == Stage.ENROLLED


def test_graduation_completes_the_cohort(client, login_as, factory, db):
    cohort = factory.cohort(status=CohortStatus.ACTIVE)
    enrollment = factory.enrollment(cohort=cohort, stage=Stage.ENROLLED)
    cohort.seats_taken = 1
    login_as("staff")

    response = client.post(f"/cohorts/{cohort.id}/graduate", data={})
    assert response.status_code == 302
    assert db.session.get(Cohort, cohort.id).status == CohortStatus.COMPLETED
    assert db.session.get(Enrollment, enrollment.id).stage == Stage.GRADUATED
    # and the graduate's follow-ups after exit are scheduled
    kinds = db.session.scalars(
        db.select(FollowUp.kind).where(FollowUp.enrollment_id == enrollment.id)
    ).all()
    assert sorted(str(k) for k in kinds) == ["12m", "6m", "q2", "q4"]


def test_an_empty_active_cohort_can_be_marked_completed(client, login_as, factory, db):
    cohort = factory.cohort(status=CohortStatus.ACTIVE)
    login_as("staff")
    client.post(f"/cohorts/{cohort.id}/status", data={"status": "completed"})
    assert db.session.get(Cohort, cohort.id).status == CohortStatus.COMPLETED
