"""Flagged check-ins: their own queue for staff, and the number waiting beside it in the
staff menu (one count per page, in the viewer's cities)."""

import re

from coop.auth.models import User
from coop.coaching.models import CheckIn
from coop.extensions import db


def _waiting_badge(html: str) -> str | None:
    match = re.search(
        r'href="/coaching/flags">Flagged check-ins <span class="badge[^"]*">(\d+\+?)<', html
    )
    return match.group(1) if match else None


def _flag(coach, factory, city, *, name, notes="Needs help with rent."):
    cohort = factory.cohort(city=city)
    a = coach.assign(cohort)
    (person,) = coach.pod(a, coach.enrolled(cohort, 1))
    person.name = name
    captain = db.session.get(User, a.captain_id)
    return coach.checkin(cohort, person, captain, needs_attention=True, notes=notes)


def test_staff_see_the_queue_and_the_number_waiting(client, login_as, coach, factory):
    city, other = factory.city(), factory.city()
    _flag(coach, factory, city, name="Flora Flagged")
    _flag(coach, factory, city, name="Fred Flagged")
    _flag(coach, factory, other, name="Olga Elsewhere")
    resolved = _flag(coach, factory, city, name="Rita Resolved")
    db.session.commit()

    login_as("city_staff", cities=[city])
    page = client.get("/coaching/flags").get_data(as_text=True)
    assert "<h1" in page and "Flagged check-ins" in page
    assert "Flora Flagged" in page and "Fred Flagged" in page
    assert "Olga Elsewhere" not in page  # another city
    assert _waiting_badge(page) == "3"
    # The number is on every staff page.
    assert _waiting_badge(client.get("/cohorts").get_data(as_text=True)) == "3"

    response = client.post(
        f"/coaching/checkins/{resolved.id}/resolve", data={"note": "Called", "next": "flags"}
    )
    assert response.status_code == 302 and response.location == "/coaching/flags"
    page = client.get("/coaching/flags").get_data(as_text=True)
    assert "Resolved the flag on Rita Resolved" in page
    assert "Rita Resolved</a>" not in page
    assert _waiting_badge(page) == "2"
    assert db.session.get(CheckIn, resolved.id).resolved_at is not None


def test_the_number_stops_at_the_cap(client, login_as, coach, factory, monkeypatch):
    """The badge counts at most ``BADGE_CAP`` rows (99+ in use); here the cap is 3."""
    from coop.core import nav

    monkeypatch.setattr(nav, "BADGE_CAP", 3)
    city = factory.city()
    flags = [_flag(coach, factory, city, name=f"Person {i}") for i in range(4)]
    db.session.commit()
    login_as("city_staff", cities=[city])

    assert _waiting_badge(client.get("/cohorts").get_data(as_text=True)) == "2+"

    for flag in flags[:2]:
        client.post(f"/coaching/checkins/{flag.id}/resolve", data={"note": "Called"})
    assert _waiting_badge(client.get("/cohorts").get_data(as_text=True)) == "2"


def test_no_number_when_nothing_waits(client, login_as, factory):
    factory.city()
    login_as("staff")
    page = client.get("/coaching/flags").get_data(as_text=True)
    assert "No check-ins waiting for staff." in page
    assert 'href="/coaching/flags">Flagged check-ins</a>' in page


def test_captains_and_participants_have_neither(client, login_as, coach, factory):
    city = factory.city()
    checkin = _flag(coach, factory, city, name="Flora Flagged")
    db.session.commit()
    captain = db.session.get(User, checkin.author_id)
    login_as(captain)
    assert client.get("/coaching/flags").status_code == 404
    assert "Flagged check-ins" not in client.get("/coaching/").get_data(as_text=True)
    login_as("participant")
    assert client.get("/coaching/flags").status_code == 404
