"""Search-then-pick: the referral and placement forms find a person through a search
rather than listing everyone (a program has thousands of referable people)."""

import re

import pytest

from coop.auth.models import Role
from coop.core import clock
from coop.extensions import db
from coop.referrals.models import Placement, Referral
from coop.referrals.queries import PICK_LIMIT

FORMS = ["/referrals/new", "/placements/new"]


def _listed(page: str) -> list[str]:
    """The names offered as radio choices (before " · cohort (city)")."""
    return re.findall(r'<label class="form-check-label" for="participant_id-\d+">([^<·]+) · ', page)


@pytest.fixture
def crowd(world, rf):
    """More referable people in the world's city than a picker lists at once."""
    people = [
        rf.enrolled(world.cohort, rf.f.user(name=f"Crowd Person {i:02d}")).user
        for i in range(PICK_LIMIT + 5)
    ]
    db.session.commit()
    return people


@pytest.mark.parametrize("url", FORMS)
def test_a_long_list_is_cut_and_a_search_finds_the_rest(client, login_as, world, crowd, url):
    login_as("staff")
    page = client.get(url).get_data(as_text=True)
    assert len(_listed(page)) == PICK_LIMIT
    assert "More people match" in page
    assert 'role="search"' in page and 'name="q"' in page
    assert "<script>" not in page and "style=" not in page
    last = crowd[-1]  # "Crowd Person 24": not among the first 20 by name
    assert last.name not in _listed(page)
    found = client.get(f"{url}?q=person 24").get_data(as_text=True)
    assert [n.strip() for n in _listed(found)] == ["Crowd Person 24"]
    assert "More people match" not in found
    # By email too.
    assert [n.strip() for n in _listed(client.get(f"{url}?q={last.email}").text)] == [last.name]


def test_picking_a_person_found_by_search_refers_them(client, login_as, world, crowd):
    login_as("staff")
    last = crowd[-1]
    response = client.post(
        "/referrals/new?q=person 24",
        data={"participant_id": last.id, "opening_id": world.opening.id},
    )
    assert response.status_code == 302
    assert db.session.scalars(db.select(Referral.participant_id)).all() == [last.id]
    # Posted from the unfiltered page, the person is accepted too (they are referable).
    other = crowd[-2]
    response = client.post(
        "/referrals/new", data={"participant_id": other.id, "partner_id": world.employer.id}
    )
    assert response.status_code == 302
    assert other.id in db.session.scalars(db.select(Referral.participant_id)).all()


def test_placement_for_a_person_found_by_search(client, login_as, world, crowd):
    login_as("staff")
    last = crowd[-1]
    response = client.post(
        "/placements/new?q=24",
        data={
            "participant_id": last.id,
            "employer_name": "Acme",
            "title": "Analyst",
            "start_date": clock.today_in().isoformat(),
            "salary": "50000",
        },
    )
    assert response.status_code == 302
    assert db.session.scalars(db.select(Placement.participant_id)).all() == [last.id]


def test_the_participant_argument_preselects_the_person(client, login_as, world, crowd):
    login_as("staff")
    last = crowd[-1]
    page = client.get(f"/referrals/new?participant={last.id}").get_data(as_text=True)
    assert re.search(rf'value="{last.id}" checked', page)


@pytest.mark.parametrize("url", FORMS)
def test_consent_withdrawn_people_are_never_found(client, login_as, world, url):
    world.sam.consent_withdrawn_at = clock.now()
    db.session.commit()
    login_as("staff")
    assert _listed(client.get(f"{url}?q=Sam").text) == []
    assert "Nobody you can pick matches" in client.get(f"{url}?q=Sam").text
    # Nor picked by posting the id.
    client.post(url, data={"participant_id": world.sam.id, "opening_id": world.opening.id})
    assert db.session.scalars(db.select(Referral)).all() == []
    assert db.session.scalars(db.select(Placement)).all() == []


@pytest.mark.parametrize("url", FORMS)
def test_city_staff_find_only_people_of_their_cities(client, login_as, world, url):
    login_as("city_staff", cities=[world.city])
    assert _listed(client.get(f"{url}?q=Olly").text) == []
    page = client.get(f"{url}?participant={world.outsider.id}").text
    assert "Olly Out" not in page
    assert [n.strip() for n in _listed(client.get(f"{url}?q=pat").text)] == ["Pat Doe"]


def test_captains_search_only_their_pods(client, login_as, world):
    login_as(world.captain)
    assert sorted(n.strip() for n in _listed(client.get("/referrals/new").text)) == [
        "Pat Doe",
        "Sam Roe",
    ]
    assert _listed(client.get("/referrals/new?q=Olly").text) == []


@pytest.mark.parametrize("q", ["%", "_", "%%%'\"<b>", "x" * 500, "\\"])
def test_wildcards_and_hostile_searches_match_literally(client, login_as, world, q):
    login_as("staff")
    response = client.get("/referrals/new", query_string={"q": q})
    assert response.status_code == 200
    assert _listed(response.text) == []
    assert "<b>" not in response.text


@pytest.mark.parametrize("url", FORMS)
def test_the_picker_runs_a_fixed_number_of_queries(client, login_as, world, rf, count_queries, url):
    login_as("staff")
    with count_queries() as small:
        assert client.get(f"{url}?q=e").status_code == 200
    for i in range(PICK_LIMIT * 2):
        rf.enrolled(world.cohort, rf.f.user(Role.PARTICIPANT, name=f"Extra {i}"))
    db.session.commit()
    with count_queries() as large:
        assert client.get(f"{url}?q=e").status_code == 200
    assert small.count == large.count
