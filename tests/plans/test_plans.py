"""Career plans: who sees and changes what, the forms and their refusals, the panels on
the cohort page, the captain's home and the check-in form, and fixed query counts."""

from datetime import timedelta

import pytest

from coop.core import clock
from coop.extensions import db
from coop.plans.models import CareerPlan, PlanGoal, PlanStep, StepStatus
from tests.plans.world import make_world, plan, steps


def url(cohort, person):
    return f"/plans/cohorts/{cohort.id}/participants/{person.id}"


@pytest.fixture
def today():
    return clock.today_in()


@pytest.fixture
def pats_plan(world, today):
    return plan(
        world.pat,
        world.cohort,
        [
            ("Update the resume", "participant", today + timedelta(days=7), "open"),
            ("Introduce to recruiters", "captain", today - timedelta(days=3), "open"),
            ("Pick a certification", "participant", today - timedelta(days=30), "done"),
        ],
    )


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


# -- the participant ---------------------------------------------------------------------


def test_participant_sees_their_plan_and_ticks_their_own_step(client, login_as, world, pats_plan):
    login_as(world.pat)
    html = client.get(url(world.cohort, world.pat)).get_data(as_text=True)
    assert "My career plan" in html
    assert "Update the resume" in html and "Introduce to recruiters" in html
    assert "overdue" in html  # the captain's step is past due
    own, captains, _done = steps(pats_plan)
    r = client.post(f"/plans/steps/{own.id}", data={"status": "done", "comment": "Sent it"})
    assert r.status_code == 302
    db.session.refresh(own)
    assert own.status == StepStatus.DONE and own.comment == "Sent it" and own.done_at
    # The captain's step is not theirs to tick: 404, unchanged.
    r = client.post(f"/plans/steps/{captains.id}", data={"status": "done"})
    assert r.status_code == 404
    db.session.refresh(captains)
    assert captains.status == StepStatus.OPEN


def test_participant_cannot_write_goals_or_steps(client, login_as, world, pats_plan):
    login_as(world.pat)
    goals = count(PlanGoal)
    r = client.post(
        url(world.cohort, world.pat) + "/goals", data={"kind": "skill", "goal_title": "X"}
    )
    assert r.status_code == 404
    assert count(PlanGoal) == goals
    assert "Add a goal" not in client.get(url(world.cohort, world.pat)).get_data(as_text=True)


def test_a_participant_sees_only_their_own_plan(client, login_as, world, pats_plan, today):
    other = plan(world.pia, world.cohort, [("Pia's step", "participant", today, "open")])
    login_as(world.pat)
    assert client.get(url(world.cohort, world.pia)).status_code == 404
    assert client.get(url(world.far_cohort, world.pat)).status_code == 404  # not their cohort
    (step,) = steps(other)
    assert client.post(f"/plans/steps/{step.id}", data={"status": "done"}).status_code == 404
    db.session.refresh(step)
    assert step.status == StepStatus.OPEN
    assert client.get("/plans/").status_code == 404  # the list is for captains and staff


def test_cohort_page_links_to_the_plan_with_open_steps(client, login_as, world, pats_plan):
    login_as(world.pat)
    html = client.get(f"/my-cohort/{world.cohort.id}").get_data(as_text=True)
    assert "My career plan" in html
    assert "Update the resume" in html and "Pick a certification" not in html
    assert url(world.cohort, world.pat) in html


# -- the captain -------------------------------------------------------------------------


def test_captain_writes_goals_and_steps(client, login_as, world, today):
    login_as(world.captain)
    page = url(world.cohort, world.pat)
    assert "No goals yet" in client.get(page).get_data(as_text=True)
    r = client.post(
        page + "/goals",
        data={"kind": "employment", "goal_title": "Analyst role", "target_date": ""},
    )
    assert r.status_code == 302
    plan_row = db.session.scalar(
        db.select(CareerPlan).where(CareerPlan.participant_id == world.pat.id)
    )
    assert plan_row.cohort_id == world.cohort.id
    goal = db.session.scalar(db.select(PlanGoal).where(PlanGoal.plan_id == plan_row.id))
    due = (today + timedelta(days=14)).isoformat()
    r = client.post(
        page + "/steps",
        data={
            "goal": goal.id,
            "step_title": "Mock interview",
            "owner": "captain",
            "due_date": due,
        },
    )
    assert r.status_code == 302
    (step,) = steps(plan_row)
    assert (step.title, step.owner, step.status) == ("Mock interview", "captain", "open")
    html = client.get(page).get_data(as_text=True)
    assert "Analyst role" in html and "Mock interview" in html


def test_refused_goal_and_step_write_nothing(client, login_as, world, pats_plan):
    login_as(world.captain)
    page = url(world.cohort, world.pat)
    goals, all_steps = count(PlanGoal), count(PlanStep)
    r = client.post(page + "/goals", data={"kind": "employment", "goal_title": ""})
    assert r.status_code == 400 and "This field is required." in r.get_data(as_text=True)
    r = client.post(page + "/goals", data={"kind": "nonsense", "goal_title": "x" * 300})
    assert r.status_code == 400
    r = client.post(
        page + "/steps",
        data={
            "goal": "999999",
            "step_title": "X",
            "owner": "captain",
            "due_date": "",
        },
    )
    assert r.status_code == 400
    assert (count(PlanGoal), count(PlanStep)) == (goals, all_steps)


def test_captain_of_another_pod_gets_404_and_changes_nothing(client, login_as, world, pats_plan):
    for who in (world.other_captain, world.far_captain):
        login_as(who)
        page = url(world.cohort, world.pat)
        assert client.get(page).status_code == 404
        r = client.post(page + "/goals", data={"kind": "skill", "goal_title": "Sneaky"})
        assert r.status_code == 404
        own, _, _ = steps(pats_plan)
        r = client.post(f"/plans/steps/{own.id}", data={"status": "dropped"})
        assert r.status_code == 404
        db.session.refresh(own)
        assert own.status == StepStatus.OPEN
    assert count(PlanGoal) == 1


def test_plans_list_is_scoped(client, login_as, world, pats_plan, today):
    plan(world.pia, world.cohort)
    plan(world.olga, world.cohort)
    plan(world.fay, world.far_cohort)
    login_as(world.captain)
    html = client.get("/plans/").get_data(as_text=True)
    assert world.pat.name in html and world.pia.name in html
    assert world.olga.name not in html and world.fay.name not in html
    login_as(world.staff)
    html = client.get("/plans/").get_data(as_text=True)
    assert world.olga.name in html and world.fay.name not in html
    assert client.get(url(world.far_cohort, world.fay)).status_code == 404
    login_as(world.far_staff)
    assert client.get(url(world.cohort, world.pat)).status_code == 404


def test_captain_home_lists_overdue_steps(client, login_as, world, pats_plan):
    login_as(world.captain)
    html = client.get("/coaching/").get_data(as_text=True)
    assert "Overdue plan steps" in html
    assert "Introduce to recruiters" in html and "Update the resume" not in html
    login_as(world.other_captain)
    assert "Introduce to recruiters" not in client.get("/coaching/").get_data(as_text=True)


# -- reviewed at check-ins -----------------------------------------------------------------


def checkin_form(today, **kw):
    data = {
        "held_on": (today - timedelta(days=1)).isoformat(),
        "channel": "video",
        "minutes": "30",
        "topics": ["resume"],
        "notes": "Plan review.",
        "next_steps": "",
    }
    data.update(kw)
    return data


def test_checkin_form_shows_open_steps_and_ticks_them(client, login_as, world, pats_plan, today):
    olgas = plan(world.olga, world.cohort, [("Olga's step", "participant", today, "open")])
    login_as(world.captain)
    page = f"/coaching/cohorts/{world.cohort.id}/participants/{world.pat.id}/checkins/new"
    html = client.get(page).get_data(as_text=True)
    assert "Career plan: open steps" in html
    assert "Done: Update the resume" in html and "Done: Introduce to recruiters" in html
    assert "Pick a certification" not in html
    own, captains, _ = steps(pats_plan)
    (olga_step,) = steps(olgas)
    r = client.post(
        page,
        data=checkin_form(
            clock.today_for(world.captain),
            **{
                f"step-{captains.id}-done": "y",
                f"step-{own.id}-comment": "Draft looks good",
                f"step-{olga_step.id}-done": "y",  # not Pat's: ignored
            },
        ),
    )
    assert r.status_code == 302
    for row in (own, captains, olga_step):
        db.session.refresh(row)
    assert captains.status == StepStatus.DONE
    assert own.status == StepStatus.OPEN and own.comment == "Draft looks good"
    assert olga_step.status == StepStatus.OPEN


def test_refused_checkin_ticks_nothing(client, login_as, world, pats_plan):
    login_as(world.captain)
    page = f"/coaching/cohorts/{world.cohort.id}/participants/{world.pat.id}/checkins/new"
    _, captains, _ = steps(pats_plan)
    r = client.post(
        page, data=checkin_form(clock.today_in(), held_on="", **{f"step-{captains.id}-done": "y"})
    )
    assert r.status_code == 200
    db.session.refresh(captains)
    assert captains.status == StepStatus.OPEN


# -- query counts --------------------------------------------------------------------------


def test_plan_page_and_list_query_counts_are_fixed(client, login_as, factory, count_queries):
    counts = []
    for n in (2, 12):
        w = make_world(factory)
        today = clock.today_in()
        plan(w.pat, w.cohort, [(f"Step {i}", "participant", today, "open") for i in range(n)])
        plan(w.pia, w.cohort, [(f"Step {i}", "captain", today, "open") for i in range(n)])
        login_as(w.captain)
        row = []
        for page in (url(w.cohort, w.pat), "/plans/", "/coaching/"):
            client.get(page)
            with count_queries() as q:
                assert client.get(page).status_code == 200
            row.append(q.count)
        counts.append(row)
    assert counts[0] == counts[1]
    # plan page: the session's user and session rows, cohort, participant, pod check,
    # membership, plan + goals + steps, catalogue, credentials; the list: count, page,
    # step counts; the captain's home with every domain's panels (as pinned in
    # tests/coaching/test_coaching_home.py, the menu badge included)
    assert counts[0] == [10, 4, 11], counts
