"""Cities and tracks: organisation-wide staff create and edit them; city staff only look."""

import pytest

from coop.core.models import AuditEvent
from coop.extensions import db
from coop.programs.models import City, Track


def _count(model):
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def _audit_count():
    return _count(AuditEvent)


# -- cities --------------------------------------------------------------------------------


def test_cities_list_with_cohort_counts(login_as, client, factory):
    chicago = factory.city(name="Chicago", timezone="America/Chicago")
    factory.city(name="Boston", timezone="America/New_York", archived=True)
    factory.cohort(city=chicago)
    factory.cohort(city=chicago, status="completed")
    login_as("staff")
    page = client.get("/cities").get_data(as_text=True)
    assert "Chicago" in page and "America/Chicago" in page
    row = page[page.index("Chicago</a>") : page.index("</tr>", page.index("Chicago</a>"))]
    assert '<td class="text-end">2</td>' in row
    assert '<td class="text-end d-none d-sm-table-cell">1</td>' in row
    assert "archived</span>" in page
    assert f'href="/cities/{chicago.id}/edit"' in page
    assert 'href="/cities/new"' in page


def test_create_city(login_as, client, events):
    staff = login_as("staff")
    form = client.get("/cities/new").get_data(as_text=True)
    assert '<option value="America/Chicago">' in form
    assert "Archived" not in form
    response = client.post(
        "/cities/new", data={"name": "Saint Louis", "slug": "", "timezone": "America/Chicago"}
    )
    assert response.status_code == 302 and response.location == "/cities"
    city = db.session.scalar(db.select(City).where(City.name == "Saint Louis"))
    assert (city.slug, city.timezone, city.archived) == ("saint-louis", "America/Chicago", False)
    [event] = events(city)
    assert (event.actor_id, event.action) == (staff.id, "city.create")
    assert event.changed == ["name", "slug", "timezone"]


@pytest.mark.parametrize(
    "data, message",
    [
        ({"name": "", "timezone": "America/Chicago"}, "This field is required."),
        ({"name": "Atlantis", "timezone": ""}, "Choose the city&#39;s time zone."),
        ({"name": "Atlantis", "timezone": "Mars/Olympus"}, "Not a valid choice"),
        ({"name": "Atlantis", "timezone": "EST5EDT"}, "Not a valid choice"),
        ({"name": "Atlantis", "slug": "Not A Slug", "timezone": "UTC"}, "Not a valid choice"),
        (
            {"name": "Atlantis", "slug": "not a slug!", "timezone": "America/Chicago"},
            "lower-case letters",
        ),
        ({"name": "Taken", "timezone": "America/Chicago"}, "There is already a city called Taken."),
        (
            {"name": "Other", "slug": "taken", "timezone": "America/Chicago"},
            "Another city already uses taken.",
        ),
    ],
)
def test_create_city_rejects_bad_input(login_as, client, factory, data, message):
    factory.city(name="Taken", slug="taken")
    login_as("staff")
    before = (_count(City), _audit_count())
    response = client.post("/cities/new", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page and "is-invalid" in page
    assert (_count(City), _audit_count()) == before


def test_edit_city_and_archive(login_as, client, factory, events):
    city = factory.city(name="Chicgo", slug="chicgo", timezone="America/New_York")
    staff = login_as("staff")
    page = client.get(f"/cities/{city.id}/edit").get_data(as_text=True)
    assert 'value="Chicgo"' in page and '<option selected value="America/New_York">' in page
    response = client.post(
        f"/cities/{city.id}/edit",
        data={"name": "Chicago", "slug": "chicago", "timezone": "America/Chicago", "archived": "y"},
    )
    assert response.status_code == 302
    city = db.session.get(City, city.id)
    assert (city.name, city.slug, city.timezone, city.archived) == (
        "Chicago",
        "chicago",
        "America/Chicago",
        True,
    )
    [event] = events(city)
    assert (event.actor_id, event.action) == (staff.id, "city.update")
    assert event.changed == ["archived", "name", "slug", "timezone"]


def test_edit_city_keeps_names_unique(login_as, client, factory):
    factory.city(name="Chicago", slug="chicago")
    city = factory.city(name="Boston", slug="boston")
    login_as("staff")
    before = _audit_count()
    page = client.post(
        f"/cities/{city.id}/edit", data={"name": "Chicago", "timezone": "America/Chicago"}
    ).get_data(as_text=True)
    assert "There is already a city called Chicago." in page
    assert db.session.get(City, city.id).name == "Boston"
    assert _audit_count() == before


def test_city_staff_see_only_their_cities_and_cannot_edit(login_as, client, factory):
    mine, other = factory.city(name="Mine"), factory.city(name="Theirs")
    login_as("city_staff", cities=[mine])
    page = client.get("/cities").get_data(as_text=True)
    assert "Mine" in page and "Theirs" not in page
    assert "/edit" not in page and "New city" not in page
    before = (_count(City), _audit_count())
    assert client.get("/cities/new").status_code == 404
    assert client.post("/cities/new", data={"name": "X", "timezone": "UTC"}).status_code == 404
    for city in (mine, other):
        assert client.get(f"/cities/{city.id}/edit").status_code == 404
        response = client.post(
            f"/cities/{city.id}/edit", data={"name": "Renamed", "timezone": "America/Chicago"}
        )
        assert response.status_code == 404
    assert (_count(City), _audit_count()) == before
    assert {c.name for c in db.session.scalars(db.select(City))} >= {"Mine", "Theirs"}


def test_unknown_city_is_404(login_as, client):
    login_as("staff")
    assert client.get("/cities/999999/edit").status_code == 404


# -- tracks --------------------------------------------------------------------------------


def test_tracks_list(login_as, client, factory):
    track = factory.track(name="Data Analytics", description="SQL and dashboards.")
    factory.cohort(track=track)
    login_as("staff")
    page = client.get("/tracks").get_data(as_text=True)
    assert "Data Analytics" in page and "SQL and dashboards." in page
    assert f'href="/tracks/{track.id}/edit"' in page
    assert f'href="/cohorts?track={track.id}"' in page


def test_create_and_edit_track(login_as, client, events):
    staff = login_as("staff")
    response = client.post(
        "/tracks/new", data={"name": "Software Sales", "description": " Pipeline and demos. "}
    )
    assert response.status_code == 302
    track = db.session.scalar(db.select(Track).where(Track.name == "Software Sales"))
    assert (track.slug, track.description) == ("software-sales", "Pipeline and demos.")
    response = client.post(
        f"/tracks/{track.id}/edit",
        data={"name": "Software Sales", "slug": "sales", "description": "Pipeline and demos."},
    )
    assert response.status_code == 302
    assert db.session.get(Track, track.id).slug == "sales"
    assert [(e.actor_id, e.action, e.changed) for e in events(track)] == [
        (staff.id, "track.create", ["description", "name", "slug"]),
        (staff.id, "track.update", ["slug"]),
    ]


def test_track_validation(login_as, client, factory):
    factory.track(name="Data Analytics", slug="data-analytics")
    login_as("staff")
    before = (_count(Track), _audit_count())
    page = client.post("/tracks/new", data={"name": "Data Analytics"}).get_data(as_text=True)
    assert "There is already a track called Data Analytics." in page
    page = client.post("/tracks/new", data={"name": ""}).get_data(as_text=True)
    assert "This field is required." in page
    page = client.post("/tracks/new", data={"name": "X", "slug": "data-analytics"}).get_data(True)
    assert "Another track already uses data-analytics." in page
    assert (_count(Track), _audit_count()) == before


def test_city_staff_see_tracks_but_cannot_change_them(login_as, client, factory):
    track = factory.track(name="Data Analytics")
    login_as("city_staff")
    page = client.get("/tracks").get_data(as_text=True)
    assert "Data Analytics" in page and "/edit" not in page and "New track" not in page
    before = (_count(Track), _audit_count())
    assert client.get("/tracks/new").status_code == 404
    assert client.post("/tracks/new", data={"name": "Sneaky"}).status_code == 404
    assert client.get(f"/tracks/{track.id}/edit").status_code == 404
    assert client.post(f"/tracks/{track.id}/edit", data={"name": "Renamed"}).status_code == 404
    assert (_count(Track), _audit_count()) == before
    assert db.session.get(Track, track.id).name == "Data Analytics"


@pytest.mark.parametrize("url", ["/cities", "/tracks"])
def test_catalog_query_counts_are_fixed(login_as, client, factory, count_queries, url):
    login_as("staff")
    counts = []
    for _ in range(2):
        for _ in range(10):
            factory.cohort()
        db.session.commit()
        with count_queries() as q:
            assert client.get(url).status_code == 200
        counts.append(q.count)
    # the user, one grouped query, the menu's flagged check-ins count.
    assert counts == [3, 3]
