"""The person page's career plan and credentials sections (issue 16 §1), added by the
plans package through ``coop.core.person_sections``: staff of the city, the pod's
captain and the person see them; nobody else reaches the page."""

from datetime import timedelta

import pytest

from coop.core import clock
from coop.extensions import db
from tests.plans.world import credential, credential_type, plan


@pytest.fixture
def planned(world):
    today = clock.today_in()
    plan(
        world.pat,
        world.cohort,
        steps=[
            ("Polish the résumé", "participant", today - timedelta(days=3), "open"),
            ("Mock interview", "captain", today + timedelta(days=5), "done"),
        ],
    )
    analytics = credential_type(world.cohort.track_id, "Google Analytics", "Google")
    hubspot = credential_type(world.cohort.track_id, "HubSpot Content Marketing", "HubSpot")
    credential(world.pat, world.cohort, analytics, today - timedelta(days=20))
    credential(world.pat, world.cohort, hubspot, today - timedelta(days=2), verified=False)
    db.session.commit()
    return world


def _html(client, person):
    response = client.get(f"/people/{person.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize("who", ["staff", "captain", "self"])
def test_those_who_see_the_person_see_plan_and_credentials(client, login_as, planned, who):
    w = planned
    login_as(
        {"staff": "city_staff", "captain": w.captain, "self": w.pat}[who],
        **({"cities": [w.city]} if who == "staff" else {}),
    )
    html = _html(client, w.pat)
    assert 'id="plan-heading">Career plan</h2>' in html
    assert "Employment goal: A career-track job" in html
    assert "Polish the résumé · Participant" in html and "· Open" in html
    assert "overdue" in html
    assert "Mock interview · Captain" in html and "· Done" in html
    assert 'id="credentials-heading">Credentials</h2>' in html
    assert "Google Analytics, Google" in html and "verified</span>" in html
    assert "HubSpot Content Marketing, HubSpot" in html and "not verified yet" in html
    assert f"/plans/cohorts/{w.cohort.id}/participants/{w.pat.id}" in html


def test_without_a_plan_or_credentials_there_are_no_sections(client, login_as, world):
    login_as("city_staff", cities=[world.city])
    html = _html(client, world.pat)
    assert "Career plan</h2>" not in html and "Credentials</h2>" not in html


def test_another_citys_staff_see_no_plan_of_a_cohort_they_do_not_manage(
    client, login_as, planned, factory
):
    """Pat is also enrolled in the far city: its staff reach the page, but the plan and
    the credentials were written in the first city's cohort."""
    w = planned
    factory.enrollment(cohort=w.far_cohort, user=w.pat)
    db.session.commit()
    login_as("city_staff", cities=[w.far_city])
    html = _html(client, w.pat)
    assert "Career plan</h2>" not in html and "Google Analytics" not in html


@pytest.mark.parametrize("who", ["other_captain", "peer", "other_city_staff"])
def test_nobody_else_sees_them(client, login_as, planned, who):
    w = planned
    if who == "other_city_staff":
        login_as("city_staff", cities=[w.far_city])
    else:
        login_as({"other_captain": w.other_captain, "peer": w.peer}[who])
    response = client.get(f"/people/{w.pat.id}")
    assert response.status_code == 404
    assert "Google Analytics" not in response.get_data(as_text=True)


def test_the_sections_have_a_fixed_number_of_queries(
    client, login_as, planned, factory, count_queries
):
    from tests.plans.world import PlanGoal, PlanStep, StepOwner

    w = planned
    login_as("city_staff", cities=[w.city])

    def count():
        with count_queries() as q:
            _html(client, w.pat)
        return q.count

    first = count()
    row = db.session.scalar(db.select(PlanGoal.plan_id).limit(1))
    for i in range(3):
        goal = PlanGoal(plan_id=row, kind="skill", title=f"Skill {i}")
        db.session.add(goal)
        db.session.flush()
        db.session.add(
            PlanStep(
                plan_id=row,
                goal_id=goal.id,
                title=f"Step {i}",
                owner=StepOwner.STAFF,
                due_date=clock.today_in(),
            )
        )
        ctype = credential_type(w.cohort.track_id, f"Cert {i}", "Issuer")
        credential(w.pat, w.cohort, ctype, clock.today_in() - timedelta(days=1))
    db.session.commit()
    assert count() == first
    assert "Skill 2" in _html(client, w.pat)
