"""Support-service referrals: staff of the city and the pod's captain refer a participant
to a community partner and follow it through; confidential to them and the participant;
counts by need and outcome on the dashboard with small groups withheld."""

import sqlalchemy as sa

from coop.extensions import db
from coop.programs.models import PartnerKind
from coop.support.models import SupportReferral, SupportStatus
from tests.sessions.builders import Builder


def page(cohort, person):
    return f"/support/cohorts/{cohort.id}/participants/{person.id}"


def referrals():
    return list(db.session.scalars(sa.select(SupportReferral).order_by(SupportReferral.id)))


def community(factory, city=None, **kw):
    return factory.partner(kind=PartnerKind.COMMUNITY, city_id=getattr(city, "id", None), **kw)


def test_captain_refers_and_follows_it_to_received(client, login_as, world, factory):
    partner = community(factory, world.cohort.city, name="Metro Food Bank")
    login_as(world.captain)
    html = client.get(page(world.cohort, world.pat)).get_data(as_text=True)
    assert "Metro Food Bank" in html and "No support referrals yet." in html
    r = client.post(page(world.cohort, world.pat), data={"need": "food", "partner": partner.id})
    assert r.status_code == 302
    (row,) = referrals()
    assert (row.need, row.status, row.partner_id) == ("food", SupportStatus.REQUESTED, partner.id)
    assert row.requested_on is not None
    assert client.post(f"/support/{row.id}/status", data={"status": "referred"}).status_code == 302
    assert client.post(f"/support/{row.id}/status", data={"status": "received"}).status_code == 302
    db.session.refresh(row)
    assert row.status == SupportStatus.RECEIVED and row.referred_on and row.closed_on
    # Closed: nothing more.
    client.post(f"/support/{row.id}/status", data={"status": "not_received"})
    db.session.refresh(row)
    assert row.status == SupportStatus.RECEIVED


def test_refusals_write_nothing(client, login_as, world, factory):
    employer = factory.partner(kind=PartnerKind.EMPLOYER)
    far = community(factory, world.far_cohort.city)
    login_as(world.staff)
    for data in (
        {"need": "food", "partner": employer.id},
        {"need": "food", "partner": far.id},
        {"need": "gossip", "partner": employer.id},
    ):
        assert client.post(page(world.cohort, world.pat), data=data).status_code == 400
    assert referrals() == []


def test_confidential_to_staff_of_the_city_the_pod_captain_and_the_participant(
    client, login_as, world, factory
):
    partner = community(factory, name="Safe Homes Coalition")
    login_as(world.staff)
    client.post(page(world.cohort, world.pat), data={"need": "housing", "partner": partner.id})
    (row,) = referrals()
    for who in (world.other_captain, world.far_captain, world.far_staff, world.pia):
        login_as(who)
        assert client.get(page(world.cohort, world.pat)).status_code == 404
        r = client.post(f"/support/{row.id}/status", data={"status": "referred"})
        assert r.status_code == 404
        if who is not world.pia:  # participants have no list
            assert "Safe Homes Coalition" not in client.get("/support/").get_data(as_text=True)
        html = client.get(f"/my-cohort/{world.cohort.id}").get_data(as_text=True)
        assert "Safe Homes Coalition" not in html
    db.session.refresh(row)
    assert row.status == SupportStatus.REQUESTED
    login_as(world.captain)
    assert "Safe Homes Coalition" in client.get("/support/").get_data(as_text=True)
    login_as(world.pat)
    html = client.get(f"/my-cohort/{world.cohort.id}").get_data(as_text=True)
    assert "My support referrals" in html and "Safe Homes Coalition" in html
    assert client.get("/support/").status_code == 404
    assert client.get(page(world.cohort, world.pat)).status_code == 404


def test_dashboard_counts_by_need_and_outcome_withhold_small_groups(
    client, login_as, world, factory
):
    partner = community(factory)
    people = Builder(factory).participants(world.cohort, 6)
    for n, person in enumerate(people):
        db.session.add(
            SupportReferral(
                participant_id=person.id,
                cohort_id=world.cohort.id,
                need="transport",
                partner_id=partner.id,
                status="received" if n < 5 else "not_received",
                requested_on=world.cohort.start_date,
            )
        )
    db.session.flush()
    login_as(world.staff)
    html = client.get("/reports/outcomes").get_data(as_text=True)
    assert "Support services" in html and "Credentials" in html
    assert 'data-figure="support_transport_received">5<' in html
    assert 'data-figure="support_transport_not_received">&lt;5<' in html
    assert 'data-figure="support_food_received">0<' in html
    login_as(world.far_staff)
    html = client.get("/reports/outcomes").get_data(as_text=True)
    assert 'data-figure="support_transport_received">0<' in html
