"""Announcements: who writes to whom, where they appear, the delivery status per
recipient, and that nobody reaches beyond their pod or their cities."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from coop.announcements.models import Announcement, AnnouncementRecipient
from coop.core import clock
from coop.core.mail import MailError
from coop.extensions import db, mail


def _post(client, audience, title="Room change", body="We meet in room 4 on Tuesday.", **kw):
    data = {"audience": audience, "title": title, "body": body, "days": "14", **kw}
    return client.post("/announcements/new", data=data)


def _count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_captain_writes_to_their_pod_and_only_their_pod(client, login_as, world, outbox):
    login_as(world.captain)
    form = client.get("/announcements/new").get_data(as_text=True)
    assert f'value="pod:{world.assignment.id}"' in form
    assert f"pod:{world.other_assignment.id}" not in form and "cohort:" not in form
    response = _post(client, f"pod:{world.assignment.id}")
    assert response.status_code == 302
    assert sorted(m.to[0] for m in outbox) == sorted(p.email for p in world.pod)
    assert {m.subject for m in outbox} == {"Room change"}
    assert "room 4" in outbox[0].body and "Cleo Captain" in outbox[0].body
    show = client.get(response.headers["Location"]).get_data(as_text=True)
    for person in world.pod:
        assert person.name in show
    for person in [*world.other_pod, world.unpodded, world.far_person]:
        assert person.name not in show
    assert show.count(">sent<") == 2
    assert "Queued 0 · sent 2 · failed 0" in show


@pytest.mark.parametrize("target", ["other_pod", "cohort", "city", "everyone", "far_cohort"])
def test_a_captain_can_never_reach_anyone_outside_their_pod(
    client, login_as, world, outbox, target
):
    login_as(world.captain)
    key = {
        "other_pod": f"pod:{world.other_assignment.id}",
        "cohort": f"cohort:{world.cohort.id}",
        "city": f"city:{world.cohort.city_id}",
        "everyone": "everyone",
        "far_cohort": f"cohort:{world.far_cohort.id}",
    }[target]
    response = _post(client, key)
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert _count(Announcement) == 0 and _count(AnnouncementRecipient) == 0
    assert outbox == []


def test_the_service_refuses_a_foreign_audience_even_without_the_form(world):
    from coop.announcements import services

    with pytest.raises(services.AnnouncementError):
        services.post_announcement(
            world.captain, f"pod:{world.other_assignment.id}", title="T", body="B", days=3
        )
    assert _count(Announcement) == 0


def test_a_stepped_down_captain_reaches_nobody(client, login_as, world, outbox):
    world.assignment.ended_at = clock.now()
    db.session.commit()
    login_as(world.captain)
    assert "no pod in a running cohort" in client.get("/announcements/new").get_data(as_text=True)
    assert _post(client, f"pod:{world.assignment.id}").status_code == 200
    assert outbox == []


def test_city_staff_write_within_their_cities_only(client, login_as, world, outbox):
    login_as("city_staff", cities=[world.cohort.city])
    form = client.get("/announcements/new").get_data(as_text=True)
    assert f"cohort:{world.cohort.id}" in form and f"city:{world.cohort.city_id}" in form
    assert f"cohort:{world.far_cohort.id}" not in form and 'value="everyone"' not in form
    for key in (f"cohort:{world.far_cohort.id}", f"city:{world.far_cohort.city_id}", "everyone"):
        assert _post(client, key).status_code == 200
    assert outbox == [] and _count(Announcement) == 0
    assert _post(client, f"city:{world.cohort.city_id}").status_code == 302
    reached = {m.to[0] for m in outbox}
    assert world.far_person.email not in reached
    assert {p.email for p in [*world.pod, *world.other_pod, world.unpodded]} <= reached


def test_staff_write_to_a_cohort_and_to_everyone(client, login_as, world, outbox, factory):
    done = factory.cohort(city=world.cohort.city, status="completed")
    graduate = factory.user("participant")
    factory.enrollment(cohort=done, user=graduate)
    login_as("staff")
    assert _post(client, f"cohort:{world.cohort.id}").status_code == 302
    assert len(outbox) == 5  # the cohort's five enrolled participants
    outbox.clear()
    assert _post(client, "everyone", title="Holiday").status_code == 302
    reached = {m.to[0] for m in outbox}
    assert world.far_person.email in reached and graduate.email not in reached
    assert len(reached) == 7


def test_recipients_see_it_on_their_cohort_page_newest_first_until_it_expires(
    client, login_as, world
):
    login_as("staff")
    _post(client, f"cohort:{world.cohort.id}", title="First note", days="3")
    with time_machine.travel(clock.now() + timedelta(minutes=5), tick=False):
        _post(client, f"cohort:{world.cohort.id}", title="Second note", days="10")
    person = world.pod[0]
    login_as(person)
    with time_machine.travel(clock.now() + timedelta(minutes=10), tick=False):
        html = client.get(f"/my-cohort/{world.cohort.id}").get_data(as_text=True)
    assert "Announcements" in html
    assert html.index("Second note") < html.index("First note")
    with time_machine.travel(clock.now() + timedelta(days=5), tick=False):
        login_as(person)  # a new session: the first one has ended by then
        html = client.get(f"/my-cohort/{world.cohort.id}").get_data(as_text=True)
    assert "Second note" in html and "First note" not in html
    with time_machine.travel(clock.now() + timedelta(days=11), tick=False):
        login_as(person)
        html = client.get(f"/my-cohort/{world.cohort.id}").get_data(as_text=True)
    assert "Second note" not in html and "Announcements" not in html


def test_people_outside_the_audience_never_see_it(client, login_as, world):
    login_as(world.captain)
    _post(client, f"pod:{world.assignment.id}", title="Pod only")
    login_as(world.unpodded)
    assert "Pod only" not in client.get(f"/my-cohort/{world.cohort.id}").get_data(as_text=True)
    login_as(world.pod[1])
    assert "Pod only" in client.get(f"/my-cohort/{world.cohort.id}").get_data(as_text=True)


def test_the_author_sees_failed_and_queued_per_recipient(
    app, client, login_as, world, outbox, monkeypatch
):
    real = mail._deliver
    refused = world.pod[0].email

    def server(message):
        if message.to == [refused]:
            raise MailError("The email could not be sent. Please try again later.")
        return real(message)

    monkeypatch.setattr(mail, "_deliver", server)
    login_as(world.captain)
    url = _post(client, f"pod:{world.assignment.id}").headers["Location"]
    html = client.get(url).get_data(as_text=True)
    assert "Queued 0 · sent 1 · failed 1" in html
    assert html.count(">failed<") == 1
    index = client.get("/announcements/").get_data(as_text=True)
    assert "Room change" in index
    monkeypatch.setitem(app.config, "MAIL_DELIVERY", "worker")
    _post(client, f"pod:{world.assignment.id}", title="Later")
    later = db.session.scalar(sa.select(Announcement).where(Announcement.title == "Later"))
    html = client.get(f"/announcements/{later.id}").get_data(as_text=True)
    assert "Queued 2 · sent 0 · failed 0" in html


def test_bad_input_writes_nothing(client, login_as, world, outbox):
    login_as("staff")
    for data in (
        {"title": ""},
        {"body": "   "},
        {"days": "0"},
        {"days": "400"},
        {"days": "x"},
        {"title": "x" * 121},
    ):
        assert _post(client, f"cohort:{world.cohort.id}", **data).status_code == 200
    assert _count(Announcement) == 0 and outbox == []


def test_an_empty_audience_is_refused(client, login_as, factory, outbox):
    empty = factory.cohort(name="Nobody Yet")
    login_as("staff")
    response = _post(client, f"cohort:{empty.id}")
    assert "Nobody is enrolled there yet" in response.get_data(as_text=True)
    assert _count(Announcement) == 0


def test_a_double_submit_sends_once(client, login_as, world, outbox):
    login_as("staff")
    token = "a" * 32
    first = _post(client, f"cohort:{world.cohort.id}", submission_token=token)
    second = _post(client, f"cohort:{world.cohort.id}", submission_token=token)
    assert first.status_code == second.status_code == 302
    assert _count(Announcement) == 1 and len(outbox) == 5


# -- who may open what ------------------------------------------------------------------


def test_who_may_open_an_announcement(client, login_as, world, factory):
    near, far = world.cohort.city, world.far_cohort.city
    login_as(world.captain)
    url = _post(client, f"pod:{world.assignment.id}").headers["Location"]
    assert client.get(url).status_code == 200
    expected = [
        (world.other_captain, 404),
        (world.pod[0], 404),
        (factory.user("staff", cities=[far], all_cities=False), 404),
        (factory.user("staff", cities=[near], all_cities=False), 200),
        (factory.user("staff"), 200),
    ]
    for user, status in expected:
        login_as(user)
        assert client.get(url).status_code == status, user.name
    login_as(world.other_captain)
    assert "Room change" not in client.get("/announcements/").get_data(as_text=True)


def test_an_everyone_announcement_is_hidden_from_city_staff(client, login_as, world, factory):
    near = world.cohort.city
    login_as("staff")
    url = _post(client, "everyone").headers["Location"]
    login_as(factory.user("staff", cities=[near], all_cities=False))
    assert client.get(url).status_code == 404
    assert "Room change" not in client.get("/announcements/").get_data(as_text=True)


ROLES = ("staff", "city_staff", "captain", "participant", "anonymous")
MATRIX = [
    ("GET", "/announcements/", (200, 200, 200, 404, "login")),
    ("GET", "/announcements/new", (200, 200, 200, 404, "login")),
    ("POST", "/announcements/new", (200, 200, 200, 404, "login")),
    ("GET", "/announcements/{id}", (200, 404, 404, 404, "login")),
]


@pytest.mark.parametrize(("method", "route", "expected"), MATRIX, ids=[m[1] for m in MATRIX])
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, login_as, world, factory, method, route, expected, role):
    login_as("staff")
    _post(client, f"cohort:{world.cohort.id}")
    announcement = db.session.scalar(sa.select(Announcement))
    client.get("/logout")
    with client.session_transaction() as s:
        s.clear()
    if role == "city_staff":
        login_as("city_staff", cities=[factory.city(name="Elsewhere")])
    elif role != "anonymous":
        login_as(role)
    before = _count(Announcement)
    url = route.format(id=announcement.id)
    response = client.get(url) if method == "GET" else client.post(url, data={})
    want = expected[ROLES.index(role)]
    if want == "login":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    else:
        assert response.status_code == want
    assert _count(Announcement) == before


def test_the_matrix_covers_every_route(app):
    ours = {
        (rule.rule.replace("<int:announcement_id>", "{id}"), method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("announcements.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert ours == {(route, method) for method, route, _ in MATRIX}


# -- fixed queries ------------------------------------------------------------------------


def test_pages_have_a_fixed_number_of_queries(client, login_as, world, count_queries, factory):
    staff = login_as("staff")

    def counts():
        with count_queries() as q1:
            assert client.get("/announcements/").status_code == 200
        first = db.session.scalar(sa.select(sa.func.min(Announcement.id)))
        with count_queries() as q2:
            assert client.get(f"/announcements/{first}").status_code == 200
        return q1.count, q2.count

    _post(client, f"cohort:{world.cohort.id}")
    one = counts()
    for _ in range(3):
        factory.enrollment(cohort=world.cohort, user=factory.user("participant"))
        _post(client, f"cohort:{world.cohort.id}", title="More")
    assert counts() == one

    login_as(world.pod[0])
    with count_queries() as q:
        client.get(f"/my-cohort/{world.cohort.id}")
    login_as(staff)
    _post(client, f"cohort:{world.cohort.id}", title="Yet more")
    login_as(world.pod[0])
    with count_queries() as again:
        html = client.get(f"/my-cohort/{world.cohort.id}").get_data(as_text=True)
    assert "Yet more" in html and again.count == q.count
