"""Every route of plans, support, the at-risk list and the WIOA report, for every role:
the status each gets, and that a refused POST writes nothing (IDOR: another pod, another
city, another person gets 404)."""

from datetime import timedelta

import pytest

from coop.core import clock
from coop.extensions import db
from coop.plans.models import CareerPlan, StepStatus
from coop.programs.models import PartnerKind
from coop.support.models import SupportReferral
from tests.fuzz import table_counts
from tests.plans.world import credential, credential_type, plan, steps

#: Who, by role in the world: pat (the participant), pia (pat's pod-mate), captain (pat's
#: pod), other (another pod of pat's cohort), far (captain in another city), staff (pat's
#: city), far_staff (another city), org (organisation-wide staff).
WHO = ["anon", "pat", "pia", "captain", "other", "far", "staff", "far_staff", "org"]


def expected(row: str) -> dict[str, int]:
    codes = row.split()
    assert len(codes) == len(WHO)
    return {who: int(c) for who, c in zip(WHO, codes, strict=True)}


#                    anon pat pia cap oth far stf fst org
GETS = {
    "plan": expected("302 200 404 200 404 404 200 404 200"),
    "/plans/": expected("302 404 404 200 200 200 200 200 200"),
    "/plans/credentials": expected("302 404 404 404 404 404 200 200 200"),
    "/plans/credentials/catalogue": expected("302 404 404 404 404 404 200 200 200"),
    "support": expected("302 404 404 200 404 404 200 404 200"),
    "/support/": expected("302 404 404 200 200 200 200 200 200"),
    "/at-risk/": expected("302 404 404 200 200 200 200 200 200"),
    "/reports/wioa/": expected("302 404 404 404 404 404 200 200 200"),
    "/reports/wioa/wioa.csv": expected("302 404 404 404 404 404 200 200 200"),
}

POSTS = {
    "goal": expected("302 404 404 302 404 404 302 404 302"),
    "step_update": expected("302 302 404 302 404 404 302 404 302"),
    "captain_step": expected("302 404 404 302 404 404 302 404 302"),
    "credential": expected("302 302 404 302 404 404 302 404 302"),
    "verify": expected("302 404 404 404 404 404 302 404 302"),
    "refer": expected("302 404 404 302 404 404 302 404 302"),
    "advance": expected("302 404 404 302 404 404 302 404 302"),
    "catalogue": expected("302 404 404 404 404 404 404 404 302"),
}


@pytest.fixture
def setup(world, factory):
    today = clock.today_in()
    row = plan(
        world.pat,
        world.cohort,
        [
            ("Own step", "participant", today + timedelta(days=3), "open"),
            ("Captain step", "captain", today + timedelta(days=3), "open"),
        ],
    )
    ctype = credential_type(world.cohort.track_id)
    other_type = credential_type(world.cohort.track_id, name="Second")
    waiting = credential(world.pat, world.cohort, other_type, today, verified=False)
    partner = factory.partner(kind=PartnerKind.COMMUNITY)
    support = SupportReferral(
        participant_id=world.pat.id,
        cohort_id=world.cohort.id,
        need="transport",
        partner_id=partner.id,
        requested_on=today,
    )
    db.session.add(support)
    db.session.flush()
    own, captains = steps(row)
    base = f"/plans/cohorts/{world.cohort.id}/participants/{world.pat.id}"
    sup = f"/support/cohorts/{world.cohort.id}/participants/{world.pat.id}"
    people = {
        "pat": world.pat,
        "pia": world.pia,
        "captain": world.captain,
        "other": world.other_captain,
        "far": world.far_captain,
        "staff": world.staff,
        "far_staff": world.far_staff,
    }
    posts = {
        "goal": (base + "/goals", {"kind": "skill", "goal_title": "New goal"}),
        "step_update": (f"/plans/steps/{own.id}", {"status": "done"}),
        "captain_step": (f"/plans/steps/{captains.id}", {"status": "done"}),
        "credential": (
            base + "/credentials",
            {
                "credential_type": ctype.id,
                "earned_on": today.isoformat(),
                "credential_ref": "R-1",
            },
        ),
        "verify": (f"/plans/credentials/{waiting.id}/verify", {}),
        "refer": (sup, {"need": "food", "partner": partner.id}),
        "advance": (f"/support/{support.id}/status", {"status": "referred"}),
        "catalogue": (
            "/plans/credentials/catalogue",
            {"track": world.cohort.track_id, "name": "Brand new", "issuer": "X"},
        ),
    }
    return {"gets": {"plan": base, "support": sup}, "posts": posts, "people": people}


def sign_in(login_as, setup, who):
    if who == "anon":
        return
    if who == "org":
        login_as("staff")
    else:
        login_as(setup["people"][who])


@pytest.mark.parametrize("who", WHO)
def test_pages(client, login_as, setup, who):
    sign_in(login_as, setup, who)
    for page, codes in GETS.items():
        url = setup["gets"].get(page, page)
        assert client.get(url).status_code == codes[who], (who, page)


@pytest.mark.parametrize("who", WHO)
def test_posts_and_nothing_written_when_refused(client, login_as, setup, who):
    sign_in(login_as, setup, who)
    for name, codes in POSTS.items():
        url, data = setup["posts"][name]
        before = table_counts()
        r = client.post(url, data=data)
        assert r.status_code == codes[who], (who, name, r.status_code)
        if codes[who] != 302 or who == "anon":
            assert table_counts() == before, (who, name)


def test_refused_step_update_keeps_the_step(client, login_as, setup, world):
    login_as(world.other_captain)
    url, data = setup["posts"]["step_update"]
    client.post(url, data=data)
    (own, _) = steps_of(world)
    assert own.status == StepStatus.OPEN


def steps_of(world):
    row = db.session.scalar(db.select(CareerPlan).where(CareerPlan.participant_id == world.pat.id))
    return steps(row)
