"""Role x route matrix for the foundation's pages: programs, and auth's people and account.

Roles: organisation-wide staff, city staff of *another* city, captain, participant and
anonymous. Every refused request (404, or the sign-in redirect) must change nothing.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from coop.auth.models import Role
from coop.extensions import db
from coop.programs.models import CohortStatus

ROLES = ["staff", "city_staff", "captain", "participant", "anonymous"]


@dataclass
class World:
    city: object
    other_city: object
    track: object
    planned: object
    completed: object
    archived: object


@pytest.fixture
def world(factory):
    city = factory.city(name="Home City", timezone="America/Chicago")
    other = factory.city(name="Other City")
    track = factory.track(name="Home Track")
    return World(
        city=city,
        other_city=other,
        track=track,
        planned=factory.cohort(
            city=city, track=track, name="Planned one", status=CohortStatus.PLANNED
        ),
        completed=factory.cohort(
            city=city, track=track, name="Completed one", status=CohortStatus.COMPLETED
        ),
        archived=factory.cohort(
            city=city,
            track=track,
            name="Archived one",
            status=CohortStatus.COMPLETED,
            archived=True,
        ),
    )


def cohort_form(w):
    return {
        "name": "Brand new cohort",
        "city_id": w.city.id,
        "track_id": w.track.id,
        "start_date": "2027-09-06",
        "end_date": "2027-12-20",
        "capacity": "16",
        "meeting_days": ["tue"],
        "meeting_time": "18:00",
        "video_link": "https://meet.example.org/x",
    }


def cohort_edit_form(w):
    return {**cohort_form(w), "name": "Planned one, renamed", "status": "planned"}


#: (method, url, form data, expected status for staff, city_staff, captain, participant,
#: anonymous). 302 for anonymous always means "to the sign-in page".
MATRIX = [
    ("GET", "/cohorts", None, [200, 200, 404, 404, 302]),
    ("GET", "/cohorts/new", None, [200, 200, 404, 404, 302]),
    ("POST", "/cohorts/new", cohort_form, [302, 200, 404, 404, 302]),
    ("GET", "/cohorts/{w.planned.id}", None, [200, 404, 404, 404, 302]),
    ("GET", "/cohorts/{w.planned.id}/edit", None, [200, 404, 404, 404, 302]),
    ("POST", "/cohorts/{w.planned.id}/edit", cohort_edit_form, [302, 404, 404, 404, 302]),
    (
        "POST",
        "/cohorts/{w.planned.id}/status",
        lambda w: {"status": "recruiting"},
        [302, 404, 404, 404, 302],
    ),
    ("POST", "/cohorts/{w.completed.id}/archive", None, [302, 404, 404, 404, 302]),
    ("POST", "/cohorts/{w.archived.id}/unarchive", None, [302, 404, 404, 404, 302]),
    ("GET", "/cities", None, [200, 200, 404, 404, 302]),
    ("GET", "/cities/new", None, [200, 404, 404, 404, 302]),
    (
        "POST",
        "/cities/new",
        lambda w: {"name": "New Town", "timezone": "America/Denver"},
        [302, 404, 404, 404, 302],
    ),
    ("GET", "/cities/{w.city.id}/edit", None, [200, 404, 404, 404, 302]),
    (
        "POST",
        "/cities/{w.city.id}/edit",
        lambda w: {"name": "Renamed City", "timezone": "America/Chicago"},
        [302, 404, 404, 404, 302],
    ),
    ("GET", "/tracks", None, [200, 200, 404, 404, 302]),
    ("GET", "/tracks/new", None, [200, 404, 404, 404, 302]),
    ("POST", "/tracks/new", lambda w: {"name": "New Track"}, [302, 404, 404, 404, 302]),
    ("GET", "/tracks/{w.track.id}/edit", None, [200, 404, 404, 404, 302]),
    (
        "POST",
        "/tracks/{w.track.id}/edit",
        lambda w: {"name": "Renamed Track"},
        [302, 404, 404, 404, 302],
    ),
    ("GET", "/people", None, [200, 200, 404, 404, 302]),
    ("GET", "/people/invite", None, [200, 200, 404, 404, 302]),
    (
        "POST",
        "/people/invite",
        lambda w: {"name": "New Person", "email": "new.person@example.org", "role": "participant"},
        [302, 302, 404, 404, 302],
    ),
    ("GET", "/account", None, [200, 200, 200, 200, 302]),
    ("POST", "/account", lambda w: {"name": "Renamed Me", "timezone": ""}, [302] * 5),
]

CASES = [
    pytest.param(method, url, data, role, codes[i], id=f"{method} {url} as {role}")
    for method, url, data, codes in MATRIX
    for i, role in enumerate(ROLES)
]


def snapshot():
    """Rows per table: a refused request must leave every count unchanged."""
    return {
        table.name: db.session.scalar(db.select(db.func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


@pytest.mark.parametrize("method, url, data, role, expected", CASES)
def test_role_route_matrix(client, login_as, world, outbox, method, url, data, role, expected):
    if role == "city_staff":
        login_as("city_staff", cities=[world.other_city])
    elif role != "anonymous":
        login_as(Role(role).value)
    db.session.commit()
    url = url.format(w=world)
    form = data(world) if data else {}
    before = snapshot()

    response = client.open(url, method=method, data=form)

    assert response.status_code == expected
    if role == "anonymous" and response.status_code == 302:
        target = urlsplit(response.location)
        assert target.path == "/login" and "next=" in target.query
    if response.status_code in (302, 200) and method == "POST" and role != "anonymous":
        # Allowed writes go through; a 200 on POST is a form shown again with errors.
        changed = snapshot() != before
        assert changed == (response.status_code == 302)
    else:
        assert snapshot() == before
        assert not outbox
