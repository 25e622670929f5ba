"""Every hiring route x every role, and someone else's event or registration (IDOR)."""

from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from coop.extensions import db
from coop.hiring.models import HiringEvent, HiringRegistration, RegistrationStatus
from coop.referrals.models import PartnerContact

ROLES = [
    "anonymous",
    "staff",
    "city_staff",
    "other_city_staff",
    "captain",
    "participant",
    "other_participant",
    "partner_contact",
    "other_partner_contact",
]


def _contact(factory, partner):
    user = factory.user("partner")
    contact = PartnerContact(partner_id=partner.id, name=user.name, email=user.email)
    contact.user_id = user.id
    db.session.add(contact)
    db.session.flush()
    return user


@pytest.fixture
def world(factory, hiring):
    w = SimpleNamespace()
    w.city, w.other_city = factory.city(), factory.city()
    w.partner = factory.partner()
    w.event = hiring.event(w.city, partners=[w.partner], hours_from_now=-1)
    w.future = hiring.event(w.city, hours_from_now=30)
    w.participant = hiring.member(w.city)
    w.other_participant = hiring.member(w.other_city)
    w.registration = hiring.registration(w.future, w.participant)
    w.captain = factory.user("captain")
    w.staff = factory.user("staff")
    w.city_staff = factory.user("staff", cities=[w.city], all_cities=False)
    w.other_city_staff = factory.user("staff", cities=[w.other_city], all_cities=False)
    # A contact of the partner attending w.event, and one of a partner attending nothing.
    w.partner_contact = _contact(factory, w.partner)
    w.other_partner_contact = _contact(factory, factory.partner())
    db.session.commit()
    return w


STAFF = {"staff": 200, "city_staff": 200}
ROUTES = [
    ("GET", "/hiring-events", {"staff": 200, "city_staff": 200, "other_city_staff": 200}),
    ("GET", "/hiring-events/new", {"staff": 200, "city_staff": 200, "other_city_staff": 200}),
    ("GET", "/hiring-events/{event}", STAFF),
    ("GET", "/hiring-events/{event}/edit", STAFF),
    ("GET", "/hiring-events/{event}/referrals/new", STAFF),
    ("POST", "/hiring-events/{event}/attendance", {"staff": 302, "city_staff": 302}),
    ("GET", "/events", {"participant": 200, "other_participant": 200, "captain": 200}),
    ("POST", "/events/{future}/opt-in", {"participant": 302}),
    ("POST", "/events/{future}/withdraw", {"participant": 302}),
    ("GET", "/partner/events", {"partner_contact": 200, "other_partner_contact": 200}),
    ("GET", "/partner/events/{event}", {"partner_contact": 200}),
    ("GET", "/partner/events/{future}", {}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "url", "allowed"), ROUTES)
def test_matrix(client, login_as, world, role, method, url, allowed):
    if role != "anonymous":
        login_as(getattr(world, role))
    target = url.format(event=world.event.id, future=world.future.id)
    response = client.open(target, method=method, data={})
    if role == "anonymous":
        assert response.status_code == 302 and "/login" in response.location
    else:
        assert response.status_code == allowed.get(role, 404), (role, target)


def test_other_city_staff_change_nothing_on_an_event_they_cannot_see(client, login_as, world):
    login_as(world.other_city_staff)
    before = world.future.title
    data = {"title": "Hijacked", "kind": "job_fair", "capacity": "99"}
    assert client.post(f"/hiring-events/{world.future.id}/edit", data=data).status_code == 404
    assert (
        client.post(
            f"/hiring-events/{world.event.id}/attendance",
            data={f"r{world.registration.id}": "attended"},
        ).status_code
        == 404
    )
    db.session.expire_all()
    assert db.session.get(HiringEvent, world.future.id).title == before


def test_another_participant_cannot_withdraw_someone_else(client, login_as, world):
    login_as(world.other_participant)
    # The event is in another city: not even visible.
    assert client.post(f"/events/{world.future.id}/withdraw").status_code == 404
    stranger = world.other_participant
    assert (
        db.session.scalar(
            sa.select(HiringRegistration.status).where(
                HiringRegistration.id == world.registration.id
            )
        )
        == RegistrationStatus.REGISTERED
    )
    assert stranger.id != world.participant.id


def test_national_events_are_read_only_for_city_staff(client, login_as, hiring, world):
    national = hiring.event(None, title="Org-wide info session")
    db.session.commit()
    login_as(world.city_staff)
    assert client.get(f"/hiring-events/{national.id}").status_code == 200
    assert client.get(f"/hiring-events/{national.id}/edit").status_code == 404
