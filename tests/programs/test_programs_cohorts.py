"""Staff create, edit, list, move and archive cohorts."""

import re
from datetime import UTC, date, datetime, time

import pytest
import time_machine

from coop.core import nav
from coop.enrollment.models import Stage
from coop.extensions import db
from coop.programs.models import Cohort, CohortStatus


def _cohort(name):
    return db.session.scalar(db.select(Cohort).where(Cohort.name == name))


# -- list ----------------------------------------------------------------------------------


def test_list_shows_cohorts_with_status_badges(login_as, client, factory):
    city = factory.city(name="Chicago", timezone="America/Chicago")
    factory.cohort(city=city, name="Analytics Spring", status=CohortStatus.RECRUITING)
    factory.cohort(city=city, name="Marketing Fall", status=CohortStatus.COMPLETED)
    login_as("staff")
    page = client.get("/cohorts").get_data(as_text=True)
    assert "Analytics Spring" in page and "Marketing Fall" in page
    assert 'badge text-bg-info">recruiting' in page
    assert 'badge text-bg-dark">completed' in page
    assert "table-responsive" in page


def test_list_filters_by_city_track_and_status(login_as, client, factory):
    nyc, chi = factory.city(name="New York"), factory.city(name="Chicago")
    data, marketing = factory.track(name="Data"), factory.track(name="Marketing")
    factory.cohort(city=nyc, track=data, name="NYC data", status=CohortStatus.ACTIVE)
    factory.cohort(city=nyc, track=marketing, name="NYC mkt", status=CohortStatus.PLANNED)
    factory.cohort(city=chi, track=data, name="CHI data", status=CohortStatus.ACTIVE)
    login_as("staff")

    def names(query):
        page = client.get(f"/cohorts?{query}").get_data(as_text=True)
        return {n for n in ("NYC data", "NYC mkt", "CHI data") if n in page}

    assert names(f"city={nyc.id}") == {"NYC data", "NYC mkt"}
    assert names(f"track={data.id}") == {"NYC data", "CHI data"}
    assert names("status=active") == {"NYC data", "CHI data"}
    assert names(f"city={nyc.id}&status=planned") == {"NYC mkt"}
    # Nonsense filter values are ignored rather than failing.
    assert names("city=abc&status=bogus") == {"NYC data", "NYC mkt", "CHI data"}
    assert names(f"city={chi.id}&status=completed") == set()
    assert "No cohort matches these filters." in client.get(
        f"/cohorts?city={chi.id}&status=completed"
    ).get_data(as_text=True)


def test_list_hides_archived_unless_asked(login_as, client, factory):
    factory.cohort(name="Old one", status=CohortStatus.COMPLETED, archived=True)
    factory.cohort(name="Running one")
    login_as("staff")
    page = client.get("/cohorts").get_data(as_text=True)
    assert "Running one" in page and "Old one" not in page
    page = client.get("/cohorts?archived=y").get_data(as_text=True)
    assert "Old one" in page and "archived</span>" in page


def test_list_empty_state(login_as, client, factory):
    factory.city()
    login_as("staff")
    page = client.get("/cohorts").get_data(as_text=True)
    assert "No cohorts yet." in page
    assert "Launch the first cohort" in page


def test_list_paginates(login_as, client, factory, app):
    city, track = factory.city(), factory.track()
    for n in range(app.config["PER_PAGE"] + 5):
        factory.cohort(city=city, track=track, name=f"Cohort number {n:02d}")
    login_as("staff")
    first = client.get("/cohorts").get_data(as_text=True)
    second = client.get("/cohorts?page=2").get_data(as_text=True)
    assert first.count("Cohort number") == app.config["PER_PAGE"]
    assert second.count("Cohort number") == 5
    assert f"{app.config['PER_PAGE'] + 5} in all" in first
    assert 'href="/cohorts?page=2"' in first


def test_city_staff_list_only_their_cities(login_as, client, factory):
    mine, other = factory.city(name="Mine"), factory.city(name="Elsewhere")
    factory.cohort(city=mine, name="Visible cohort")
    factory.cohort(city=other, name="Hidden cohort")
    login_as("city_staff", cities=[mine])
    page = client.get("/cohorts").get_data(as_text=True)
    assert "Visible cohort" in page and "Hidden cohort" not in page
    # Filtering by the other city shows nothing (and its name is not offered).
    page = client.get(f"/cohorts?city={other.id}").get_data(as_text=True)
    assert "Hidden cohort" not in page and "Elsewhere" not in page


@pytest.mark.parametrize("size", [3, 30])
def test_list_query_count_is_fixed(login_as, client, factory, count_queries, size):
    cities = [factory.city() for _ in range(3)]
    tracks = [factory.track() for _ in range(2)]
    sponsor = factory.partner()
    for n in range(size):
        factory.cohort(city=cities[n % 3], track=tracks[n % 2], sponsor=sponsor)
    login_as("staff")
    with count_queries() as q:
        response = client.get("/cohorts")
    assert response.status_code == 200
    # the user, the filter choices (cities, tracks), the page and its count,
    # the menu's flagged check-ins count.
    assert q.count == 6


# -- create --------------------------------------------------------------------------------


def test_create_cohort(login_as, client, factory, cohort_data, events):
    city, track = factory.city(timezone="America/Chicago"), factory.track()
    sponsor = factory.partner(name="Google")
    staff = login_as("staff")
    form = client.get("/cohorts/new").get_data(as_text=True)
    assert 'type="checkbox" value="mon"' in form
    assert f"{city.name} (America/Chicago)" in form
    response = client.post(
        "/cohorts/new", data=cohort_data(city, track, sponsor_id=str(sponsor.id))
    )
    cohort = _cohort("Data Analytics · Fall 2027")
    assert response.status_code == 302
    assert response.location == f"/cohorts/{cohort.id}"
    assert cohort.city_id == city.id and cohort.track_id == track.id
    assert cohort.sponsor_id == sponsor.id
    assert cohort.status == CohortStatus.PLANNED
    assert (cohort.start_date, cohort.end_date) == (date(2027, 9, 6), date(2027, 12, 20))
    assert cohort.meeting_days == "tue,thu" and cohort.meeting_time == time(18, 30)
    [event] = events(cohort)
    assert (event.actor_id, event.action) == (staff.id, "cohort.create")
    assert {"name", "capacity", "meeting_days", "video_link"} <= set(event.changed)
    page = client.get(response.location).get_data(as_text=True)
    assert "is created" in page


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"end_date": "2027-09-01"}, "end_date", "The end date must be after the start date."),
        ({"end_date": "2027-09-06"}, "end_date", "The end date must be after the start date."),
        ({"capacity": "0"}, "capacity", "Capacity must be between 1 and 200."),
        ({"capacity": "201"}, "capacity", "Capacity must be between 1 and 200."),
        ({"video_link": "http://meet.example.org/x"}, "video_link", "https://"),
        ({"video_link": "javascript:alert(1)"}, "video_link", "https://"),
        ({"name": "  "}, "name", "This field is required."),
        ({"start_date": "next week"}, "start_date", "Enter the first day"),
        ({"meeting_days": [], "meeting_time": "18:30"}, "meeting_days", "meeting day"),
        ({"meeting_days": ["tue"], "meeting_time": ""}, "meeting_time", "meeting time"),
        ({"meeting_days": ["someday"]}, "meeting_days", "not a valid choice"),
        ({"track_id": ""}, "track_id", "Choose a track."),
    ],
)
def test_create_rejects_bad_input(
    login_as, client, factory, cohort_data, counts, overrides, field, message
):
    city, track = factory.city(), factory.track()
    login_as("staff")
    before = counts()
    response = client.post("/cohorts/new", data=cohort_data(city, track, **overrides))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Please correct the fields marked below." in page
    # The message sits with its field.
    block = re.search(rf'id="{field}[-"].*?(?=<div class="mb-3">|<fieldset|</form>)', page, re.S)
    assert block and message.lower() in block.group(0).lower()
    assert counts() == before


def test_create_reports_every_bad_field_at_once(login_as, client, factory, cohort_data, counts):
    city, track = factory.city(), factory.track()
    login_as("staff")
    before = counts()
    page = client.post(
        "/cohorts/new",
        data=cohort_data(
            city, track, end_date="2027-01-01", capacity="500", video_link="http://x.org"
        ),
    ).get_data(as_text=True)
    assert "The end date must be after the start date." in page
    assert "Capacity must be between 1 and 200." in page
    assert "Use a full https:// link" in page
    assert page.count("is-invalid") == 3
    assert counts() == before


def test_name_unique_within_city_only(login_as, client, factory, cohort_data, counts):
    city, other, track = factory.city(name="Here"), factory.city(), factory.track()
    factory.cohort(city=city, track=track, name="Data Analytics · Fall 2027")
    login_as("staff")
    before = counts()
    page = client.post("/cohorts/new", data=cohort_data(city, track)).get_data(as_text=True)
    assert "Here already has a cohort called Data Analytics · Fall 2027." in page
    assert counts() == before
    assert client.post("/cohorts/new", data=cohort_data(other, track)).status_code == 302
    assert counts()[0] == before[0] + 1


def test_city_staff_create_only_in_their_cities(login_as, client, factory, cohort_data, counts):
    mine, other, track = factory.city(name="Mine"), factory.city(name="Theirs"), factory.track()
    login_as("city_staff", cities=[mine])
    form = client.get("/cohorts/new").get_data(as_text=True)
    assert "Mine (" in form and "Theirs" not in form
    before = counts()
    response = client.post("/cohorts/new", data=cohort_data(other, track))
    assert response.status_code == 200 and "Not a valid choice" in response.get_data(True)
    assert counts() == before
    assert client.post("/cohorts/new", data=cohort_data(mine, track)).status_code == 302


def test_city_staff_without_cities_cannot_create(login_as, client, factory):
    factory.city()
    login_as(factory.user("staff", cities=[], all_cities=False))
    assert client.get("/cohorts/new").status_code == 404
    assert "New cohort" not in client.get("/cohorts").get_data(as_text=True)


def test_archived_city_is_not_offered_for_new_cohorts(login_as, client, factory):
    factory.city(name="Closed City", archived=True)
    factory.city(name="Open City")
    login_as("staff")
    page = client.get("/cohorts/new").get_data(as_text=True)
    assert "Open City" in page and "Closed City" not in page


def test_meeting_time_help_names_the_city_zone(login_as, client, factory, cohort_data):
    city = factory.city(timezone="America/Chicago")
    cohort = factory.cohort(city=city)
    login_as("staff")
    page = client.get(f"/cohorts/{cohort.id}/edit").get_data(as_text=True)
    assert "Meeting time is local to the city&#39;s time zone (America/Chicago)." in page
    # On a failed create, the help names the chosen city's zone too.
    page = client.post(
        "/cohorts/new", data=cohort_data(city, factory.track(), capacity="0")
    ).get_data(as_text=True)
    assert "(America/Chicago)." in page


def test_city_staff_pick_sponsors_from_their_cities_or_without_a_city(
    login_as, client, factory, cohort_data
):
    home, away, track = factory.city(), factory.city(), factory.track()
    local = factory.partner(name="Home Bank", city_id=home.id)
    national = factory.partner(name="Nationwide Fund")
    foreign = factory.partner(name="Away Works", city_id=away.id)
    login_as("city_staff", cities=[home])
    form = client.get("/cohorts/new").get_data(as_text=True)
    assert "Home Bank" in form and "Nationwide Fund" in form
    assert "Away Works" not in form
    response = client.post(
        "/cohorts/new", data=cohort_data(home, track, sponsor_id=str(foreign.id))
    )
    assert response.status_code != 302
    assert _cohort("Data Analytics · Fall 2027") is None
    for ok in (local, national):
        data = cohort_data(home, track, name=f"With {ok.name}", sponsor_id=str(ok.id))
        assert client.post("/cohorts/new", data=data).status_code == 302
        assert _cohort(f"With {ok.name}").sponsor_id == ok.id
    # A cohort keeps its current sponsor in the list when edited, even from another city.
    cohort = factory.cohort(city=home, track=track, sponsor=foreign)
    db.session.commit()
    page = client.get(f"/cohorts/{cohort.id}/edit").get_data(as_text=True)
    assert "Away Works" in page


def test_org_wide_staff_pick_sponsors_of_every_city(login_as, client, factory):
    home, away = factory.city(), factory.city()
    factory.partner(name="Home Bank", city_id=home.id)
    factory.partner(name="Away Works", city_id=away.id)
    factory.partner(name="Nationwide Fund")
    login_as("staff")
    form = client.get("/cohorts/new").get_data(as_text=True)
    assert "Home Bank" in form and "Away Works" in form and "Nationwide Fund" in form


# -- edit ----------------------------------------------------------------------------------


def test_edit_cohort_records_changed_fields(login_as, client, factory, cohort_data, events):
    city, track = factory.city(), factory.track()
    cohort = factory.cohort(city=city, track=track, status=CohortStatus.PLANNED)
    staff = login_as("staff")
    page = client.get(f"/cohorts/{cohort.id}/edit").get_data(as_text=True)
    assert (
        'value="tue" checked' in page
        or 'checked class="form-check-input" id="meeting_days-1"' in page
    )
    data = cohort_data(
        city,
        track,
        name=cohort.name,
        start_date=cohort.start_date.isoformat(),
        end_date=cohort.end_date.isoformat(),
        capacity="20",
        meeting_days=["mon", "wed"],
        video_link=cohort.video_link,
        status="recruiting",
    )
    response = client.post(f"/cohorts/{cohort.id}/edit", data=data)
    assert response.status_code == 302
    cohort = db.session.get(Cohort, cohort.id)
    assert cohort.capacity == 20 and cohort.meeting_days == "mon,wed"
    assert cohort.status == CohortStatus.RECRUITING
    [event] = events(cohort)
    assert (event.actor_id, event.action) == (staff.id, "cohort.update")
    assert event.changed == ["capacity", "meeting_days", "status"]
    # Saving again unchanged writes no event.
    client.post(f"/cohorts/{cohort.id}/edit", data=data)
    assert len(events(cohort)) == 1


def test_edit_refuses_a_status_jump(login_as, client, factory, cohort_data, counts):
    city, track = factory.city(), factory.track()
    cohort = factory.cohort(city=city, track=track, status=CohortStatus.PLANNED)
    login_as("staff")
    page = client.get(f"/cohorts/{cohort.id}/edit").get_data(as_text=True)
    assert '<option disabled value="completed">' in page
    before = counts()
    data = cohort_data(
        city,
        track,
        name="Renamed",
        start_date=cohort.start_date.isoformat(),
        end_date=cohort.end_date.isoformat(),
        status="completed",
    )
    response = client.post(f"/cohorts/{cohort.id}/edit", data=data)
    assert response.status_code == 200
    assert (
        "A planned cohort can become recruiting or cancelled, not completed."
        in response.get_data(True)
    )
    assert counts() == before
    cohort = db.session.get(Cohort, cohort.id)
    assert cohort.status == CohortStatus.PLANNED and cohort.name != "Renamed"


def test_capacity_cannot_drop_below_enrolled(login_as, client, factory, cohort_data, counts):
    city, track = factory.city(), factory.track()
    cohort = factory.cohort(city=city, track=track, capacity=16)
    for _ in range(3):
        factory.enrollment(cohort=cohort, stage=Stage.ENROLLED)
    factory.enrollment(cohort=cohort, stage=Stage.WITHDRAWN)
    login_as("staff")
    data = cohort_data(
        city,
        track,
        name=cohort.name,
        start_date=cohort.start_date.isoformat(),
        end_date=cohort.end_date.isoformat(),
        status="active",
        capacity="2",
    )
    before = counts()
    page = client.post(f"/cohorts/{cohort.id}/edit", data=data).get_data(as_text=True)
    assert "3 participants are enrolled; capacity cannot be lower." in page
    assert counts() == before
    data["capacity"] = "3"
    assert client.post(f"/cohorts/{cohort.id}/edit", data=data).status_code == 302
    assert db.session.get(Cohort, cohort.id).capacity == 3


def test_city_staff_cannot_move_cohort_to_another_city(
    login_as, client, factory, cohort_data, counts
):
    mine, other, track = factory.city(), factory.city(), factory.track()
    cohort = factory.cohort(city=mine, track=track, status=CohortStatus.PLANNED)
    login_as("city_staff", cities=[mine])
    before = counts()
    data = cohort_data(
        other,
        track,
        name=cohort.name,
        start_date=cohort.start_date.isoformat(),
        end_date=cohort.end_date.isoformat(),
        status="planned",
    )
    response = client.post(f"/cohorts/{cohort.id}/edit", data=data)
    assert response.status_code == 200 and "Not a valid choice" in response.get_data(True)
    assert counts() == before
    assert db.session.get(Cohort, cohort.id).city_id == mine.id


# -- status and archive ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "start, target",
    [
        (CohortStatus.PLANNED, CohortStatus.RECRUITING),
        (CohortStatus.RECRUITING, CohortStatus.ACTIVE),
        (CohortStatus.ACTIVE, CohortStatus.COMPLETED),
        (CohortStatus.PLANNED, CohortStatus.CANCELLED),
        (CohortStatus.RECRUITING, CohortStatus.CANCELLED),
        (CohortStatus.ACTIVE, CohortStatus.CANCELLED),
    ],
)
def test_allowed_status_changes(login_as, client, factory, events, start, target):
    cohort = factory.cohort(status=start)
    staff = login_as("staff")
    response = client.post(f"/cohorts/{cohort.id}/status", data={"status": target.value})
    assert response.status_code == 302
    assert db.session.get(Cohort, cohort.id).status == target
    [event] = events(cohort)
    assert (event.actor_id, event.action, event.changed) == (
        staff.id,
        f"cohort.{target}",
        ["status"],
    )
    assert f"is now {target}" in client.get(response.location).get_data(as_text=True)


@pytest.mark.parametrize(
    "start, target",
    [
        (CohortStatus.PLANNED, CohortStatus.ACTIVE),
        (CohortStatus.PLANNED, CohortStatus.COMPLETED),
        (CohortStatus.RECRUITING, CohortStatus.PLANNED),
        (CohortStatus.ACTIVE, CohortStatus.RECRUITING),
        (CohortStatus.COMPLETED, CohortStatus.ACTIVE),
        (CohortStatus.CANCELLED, CohortStatus.PLANNED),
        (CohortStatus.ACTIVE, CohortStatus.ACTIVE),
    ],
)
def test_refused_status_changes(login_as, client, factory, counts, start, target):
    cohort = factory.cohort(status=start)
    login_as("staff")
    before = counts()
    response = client.post(
        f"/cohorts/{cohort.id}/status", data={"status": target.value}, follow_redirects=True
    )
    assert response.status_code == 200
    assert "alert-danger" in response.get_data(as_text=True)
    assert db.session.get(Cohort, cohort.id).status == start
    assert counts() == before


def test_bogus_status_is_refused(login_as, client, factory, counts):
    cohort = factory.cohort(status=CohortStatus.PLANNED)
    login_as("staff")
    before = counts()
    client.post(f"/cohorts/{cohort.id}/status", data={"status": "deleted"})
    assert counts() == before


def test_detail_offers_the_allowed_next_statuses(login_as, client, factory):
    cohort = factory.cohort(status=CohortStatus.RECRUITING)
    login_as("staff")
    page = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    buttons = re.findall(r'name="status" value="(\w+)"', page)
    assert buttons == ["active", "cancelled"]
    cancel_form = re.search(r'<form[^>]*data-confirm="([^"]+)"[^>]*>\s*<input[^>]*csrf', page)
    assert cancel_form and "Cancel this cohort?" in cancel_form.group(1)
    done = factory.cohort(status=CohortStatus.COMPLETED)
    page = client.get(f"/cohorts/{done.id}").get_data(as_text=True)
    assert re.findall(r'name="status" value="(\w+)"', page) == []
    assert "its status no longer changes" in page


@pytest.mark.parametrize("status", [CohortStatus.COMPLETED, CohortStatus.CANCELLED])
def test_archive_and_unarchive(login_as, client, factory, events, status):
    cohort = factory.cohort(status=status, name="Finished cohort")
    login_as("staff")
    response = client.post(f"/cohorts/{cohort.id}/archive")
    assert response.status_code == 302
    assert "is archived" in client.get(response.location).get_data(as_text=True)
    assert db.session.get(Cohort, cohort.id).archived is True
    assert "Finished cohort" not in client.get("/cohorts").get_data(as_text=True)
    page = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert "Unarchive" in page
    response = client.post(f"/cohorts/{cohort.id}/unarchive")
    assert response.status_code == 302
    assert "back in the lists" in client.get(response.location).get_data(as_text=True)
    assert db.session.get(Cohort, cohort.id).archived is False
    assert "Finished cohort" in client.get("/cohorts").get_data(as_text=True)
    assert [(e.action, e.changed) for e in events(cohort)] == [
        ("cohort.archive", ["archived"]),
        ("cohort.unarchive", ["archived"]),
    ]
    # The row is still there: nothing is hard-deleted.
    assert db.session.get(Cohort, cohort.id) is not None


@pytest.mark.parametrize("status", [CohortStatus.PLANNED, CohortStatus.ACTIVE])
def test_running_cohorts_cannot_be_archived(login_as, client, factory, counts, status):
    cohort = factory.cohort(status=status)
    login_as("staff")
    assert ">Archive</button>" not in client.get(f"/cohorts/{cohort.id}").get_data(True)
    before = counts()
    page = client.post(f"/cohorts/{cohort.id}/archive", follow_redirects=True).get_data(True)
    assert "Only completed or cancelled cohorts can be archived" in page
    assert db.session.get(Cohort, cohort.id).archived is False
    assert counts() == before


def test_status_post_needs_csrf_token(login_as, client, factory, csrf_enabled, counts):
    cohort = factory.cohort(status=CohortStatus.PLANNED)
    login_as("staff")
    before = counts()
    response = client.post(f"/cohorts/{cohort.id}/status", data={"status": "recruiting"})
    assert response.status_code == 400
    assert counts() == before
    page = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(
        f"/cohorts/{cohort.id}/status", data={"status": "recruiting", "csrf_token": token}
    )
    assert response.status_code == 302
    assert db.session.get(Cohort, cohort.id).status == CohortStatus.RECRUITING


# -- detail --------------------------------------------------------------------------------


@time_machine.travel(datetime(2027, 5, 3, 15, tzinfo=UTC), tick=False)
def test_detail_shows_facts_and_history(login_as, client, factory, cohort_data):
    """Before the Fall 2027 cohort's dates (an ended cohort cannot start recruiting)."""
    city = factory.city(name="Chicago", timezone="America/Chicago")
    track = factory.track(name="Data Analytics")
    login_as("staff", name="Dana Director")
    client.post("/cohorts/new", data=cohort_data(city, track))
    cohort = _cohort("Data Analytics · Fall 2027")
    client.post(f"/cohorts/{cohort.id}/status", data={"status": "recruiting"})
    page = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    for fact in (
        "Chicago",
        "Central Time",  # the friendly name people read (the form keeps IANA)
        "Data Analytics",
        "6 Sep 2027",
        "20 Dec 2027",
        "Tue, Thu at 18:30",
        "https://meet.example.org/fall-2027",
        "0 enrolled of 16 seats",
    ):
        assert fact in page
    history = page[page.index("History") :]
    assert history.count("Dana Director") == 2
    assert history.index("Started recruiting") < history.index("Created")
    assert "capacity, city, end date" in history


def test_next_meeting_shown_in_city_zone_and_viewer_zone(login_as, client, factory):
    city = factory.city(timezone="America/Chicago")
    cohort = factory.cohort(
        city=city,
        start_date=date.today(),
        end_date=date(date.today().year + 1, 12, 31),
        meeting_days="mon,tue,wed,thu,fri,sat,sun",
        meeting_time=time(18, 30),
    )
    login_as("staff", timezone="Europe/Paris")
    page = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert re.search(r"Next: \w{3} \d+ \w{3} \d{4}, 18:30 C[SD]T", page)
    assert "your time" in page


def test_detail_tabs_come_from_the_registry(login_as, client, factory, monkeypatch):
    cohort = factory.cohort()
    monkeypatch.setattr(
        nav,
        "COHORT_TABS",
        [
            nav.NavItem("Settings", "programs.edit_cohort", frozenset({"staff"}), 10),
        ],
    )
    login_as("staff")
    page = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    tabs = re.findall(r'class="nav-link text-nowrap[^"]*"[^>]*href="([^"]+)">([^<]+)<', page)
    assert tabs == [
        (f"/cohorts/{cohort.id}", "Overview"),
        (f"/cohorts/{cohort.id}/edit", "Settings"),
    ]


@pytest.mark.parametrize("size", [3, 30])
def test_detail_query_count_is_fixed(login_as, client, factory, count_queries, size):
    cohort = factory.cohort(sponsor=factory.partner())
    for _ in range(size):
        factory.enrollment(cohort=cohort)
    staff = login_as("staff")
    actors = [staff, factory.user("staff"), None]
    from coop.core.audit import record

    for n in range(size):
        record(actors[n % 3], "cohort.update", cohort, ["name"])
    db.session.commit()
    url = f"/cohorts/{cohort.id}"
    with count_queries() as q:
        response = client.get(url)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count('<td>Edited<div class="small text-body-secondary">name</div></td>') == size
    # the user, the cohort with city/track/sponsor, stage counts, history,
    # the menu's flagged check-ins count.
    assert q.count == 5


@pytest.mark.parametrize(
    "url, data, checks, message",
    [
        ("/cohorts/new", None, 1, "already has a cohort called Data Analytics · Fall 2027."),
        ("/cities/new", {"name": "Racing", "timezone": "America/Chicago"}, 2, "city called Racing"),
        ("/tracks/new", {"name": "Racing"}, 2, "There is already a track called Racing."),
    ],
)
def test_double_submit_race_gets_a_message_not_an_error(
    login_as, client, factory, cohort_data, monkeypatch, url, data, checks, message
):
    """The name check passes (a concurrent request has not committed yet), then the
    unique constraint refuses the INSERT: the person sees the message, nothing is saved."""
    from coop.core.models import AuditEvent
    from coop.programs import services

    city, track = factory.city(), factory.track()
    factory.cohort(city=city, track=track, name="Data Analytics · Fall 2027")
    factory.city(name="Racing", slug="racing")
    factory.track(name="Racing", slug="racing")
    real_taken, calls = services._taken, []

    def first_check_misses(*args, **kw):
        calls.append(args)
        return False if len(calls) <= checks else real_taken(*args, **kw)

    monkeypatch.setattr(services, "_taken", first_check_misses)
    login_as("staff")
    tables = (Cohort, AuditEvent)
    before = [db.session.scalar(db.select(db.func.count()).select_from(t)) for t in tables]
    response = client.post(url, data=data or cohort_data(city, track))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    after = [db.session.scalar(db.select(db.func.count()).select_from(t)) for t in tables]
    assert after == before


def test_cohort_page_shares_the_application_link_and_links_its_audit_trail(
    login_as, client, factory
):
    recruiting = factory.cohort(status=CohortStatus.RECRUITING)
    login_as("staff")
    page = client.get(f"/cohorts/{recruiting.id}").get_data(as_text=True)
    assert "Application link" in page
    assert f'value="http://localhost/apply/{recruiting.id}"' in page
    assert f"/audit?target_type=cohorts&amp;target_id={recruiting.id}" in page
    # The link leads to that cohort's form, which anyone may open.
    client.get("/logout")
    assert client.get(f"/apply/{recruiting.id}").status_code == 200

    active = factory.cohort(status=CohortStatus.ACTIVE)
    login_as("staff")
    page = client.get(f"/cohorts/{active.id}").get_data(as_text=True)
    assert "Facts" in page and "Application link" not in page
