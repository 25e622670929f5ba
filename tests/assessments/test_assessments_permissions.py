"""Who may open what: every assessment page for every role, other cities' cohorts and
other pods' people answer 404 and change nothing (IDOR), and pinned query counts."""

import pytest
import sqlalchemy as sa

from coop.assessments.models import AssessmentResponse, AssessmentSchedule, PulseResponse
from coop.extensions import db


@pytest.fixture
def world(factory, assess):
    """A cohort in city A with an intake due now, a pod (Pat and Sam, captain Cleo) and
    Sam's open request for help; a second cohort in city B with its own."""
    here = assess.active_cohort(weeks_in=0, name="Here")
    there = assess.active_cohort(weeks_in=0, name="There")
    template = assess.template(here.track)
    row = assess.schedule(here, template, "intake", 1)
    far_template = assess.template(there.track, title="Far")
    far_row = assess.schedule(there, far_template, "intake", 1)
    pat, sam = assess.participants(here, 2)
    [far] = assess.participants(there, 1)
    cleo, _ = assess.captain(here, pod=[pat, sam])
    dan, _ = assess.captain(there, pod=[far])
    pulse = assess.pulse(here, sam, help_with="Help here")
    far_pulse = assess.pulse(there, far, help_with="Help there")
    return {
        "here": here,
        "there": there,
        "template": template,
        "row": row,
        "far_row": far_row,
        "pat": pat,
        "far": far,
        "cleo": cleo,
        "dan": dan,
        "pulse": pulse,
        "far_pulse": far_pulse,
    }


def pages(w):
    here, row = w["here"], w["row"]
    return {
        "templates": "/assessments/templates",
        "new": "/assessments/templates/new",
        "template": f"/assessments/templates/{w['template'].id}",
        "edit": f"/assessments/templates/{w['template'].id}/edit",
        "cohort": f"/assessments/cohorts/{here.id}",
        "person": f"/assessments/cohorts/{here.id}/people/{w['pat'].id}",
        "track": f"/assessments/tracks/{here.track_id}",
        "help": "/assessments/help",
        "answer": f"/assessments/my/{here.id}/{row.id}",
        "pulse": f"/assessments/my/{here.id}/pulse",
    }


#: The status of each page for each role (city staff: of the cohort's city).
MATRIX = {
    #            staff city  captain participant
    "templates": (200, 200, 404, 404),
    "new": (200, 404, 404, 404),
    "template": (200, 200, 404, 404),
    "edit": (200, 404, 404, 404),
    "cohort": (200, 200, 404, 404),
    "person": (200, 200, 200, 404),
    "track": (200, 200, 404, 404),
    "help": (200, 200, 404, 404),
    "answer": (404, 404, 404, 200),
    "pulse": (404, 404, 404, 200),
}


@pytest.mark.parametrize("role", ["staff", "city_staff", "captain", "participant"])
def test_permission_matrix(client, login_as, world, role):
    column = ["staff", "city_staff", "captain", "participant"].index(role)
    if role == "city_staff":
        login_as("city_staff", cities=[world["here"].city])
    elif role == "captain":
        login_as(world["cleo"])
    elif role == "participant":
        login_as(world["pat"])
    else:
        login_as("staff")
    got = {name: client.get(url).status_code for name, url in pages(world).items()}
    assert got == {name: statuses[column] for name, statuses in MATRIX.items()}


def test_city_staff_of_another_city_get_404(client, login_as, world):
    login_as("city_staff", cities=[world["there"].city])
    here = world["here"]
    for url in [
        f"/assessments/cohorts/{here.id}",
        f"/assessments/cohorts/{here.id}/people/{world['pat'].id}",
    ]:
        assert client.get(url).status_code == 404, url
    writes = [
        (
            f"/assessments/cohorts/{here.id}/schedules",
            {"template_id": world["template"].id, "point": "exit", "week": 16},
        ),
        (f"/assessments/schedules/{world['row'].id}/remove", {}),
        (f"/assessments/cohorts/{here.id}/pulse-days", {"days": "7"}),
        (f"/assessments/pulse/{world['pulse'].id}/resolve", {"note": "mine now"}),
    ]
    for url, data in writes:
        assert client.post(url, data=data).status_code == 404, url
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AssessmentSchedule)) == 2
    assert db.session.get(PulseResponse, world["pulse"].id).resolved_at is None
    assert "Help here" not in client.get("/assessments/help").get_data(as_text=True)


def test_captains_see_only_their_pods_people(client, login_as, world):
    login_as(world["dan"])
    here = world["here"]
    assert client.get(f"/assessments/cohorts/{here.id}/people/{world['pat'].id}").status_code == 404
    home = client.get("/coaching/").get_data(as_text=True)
    assert "Help there" in home and "Help here" not in home


def test_participants_answer_only_their_own_cohort(client, login_as, world):
    login_as(world["pat"])
    there, far_row = world["there"], world["far_row"]
    # Another cohort's assessment, or this cohort's page with another cohort's schedule
    for url in [
        f"/assessments/my/{there.id}/{far_row.id}",
        f"/assessments/my/{world['here'].id}/{far_row.id}",
        f"/assessments/my/{there.id}/pulse",
    ]:
        assert client.get(url).status_code == 404, url
        assert client.post(url, data={"confidence": "3"}).status_code == 404, url
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AssessmentResponse)) == 0
    assert (
        client.post(
            f"/assessments/pulse/{world['pulse'].id}/resolve", data={"note": "x"}
        ).status_code
        == 404
    )
    home = client.get("/my-cohort").get_data(as_text=True)
    assert "Far" not in home


def grow(factory, assess, w, n):
    """``n`` more people answering, asking for help, in pods; ``n`` more templates."""
    here = w["here"]
    people = assess.participants(here, n)
    assess.captain(here, pod=people)
    for i, p in enumerate(people):
        assess.answer(w["row"], here, p, {1: 1 + i % 5})
        assess.pulse(here, p, help_with=f"Need {i}")
    for i in range(n):
        assess.template(here.track, title=f"Extra {n}-{i}")


STAFF_PAGES = ["templates", "template", "edit", "cohort", "person", "track", "help"]


@pytest.mark.parametrize("page", STAFF_PAGES + ["answer", "pulse", "captain_home", "coverage"])
def test_query_counts_are_pinned(client, login_as, factory, assess, count_queries, page):
    counts = []
    for n in (2, 12):
        w = world.__wrapped__(factory, assess)
        grow(factory, assess, w, n)
        db.session.commit()
        if page in STAFF_PAGES or page == "coverage":
            login_as("staff")
        elif page == "captain_home":
            login_as(w["cleo"])
        else:
            login_as(w["pat"])
        url = {"captain_home": "/coaching/", "coverage": "/coaching/coverage"}.get(page) or pages(
            w
        )[page]
        client.get(url)
        with count_queries() as q:
            assert client.get(url).status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1], counts
    assert counts[0] == PINNED[page], counts


#: Queries per page, whatever the size (the first of every page: the signed-in user
#: with their session; staff pages count the menu's flagged check-ins badge; captain_home
#: and coverage include the other domains' sections).
PINNED = {
    "templates": 4,
    "template": 6,
    "edit": 6,
    "cohort": 13,
    "person": 5,
    "track": 4,
    "help": 4,
    "answer": 6,
    "pulse": 4,
    "captain_home": 11,
    "coverage": 7,
}
