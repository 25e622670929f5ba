"""Credentials: the catalogue per track, recording one (participant or captain),
verifying it (staff of the city), and verified ones as measurable skill gains."""

from datetime import timedelta

import sqlalchemy as sa

from coop.core import clock, events
from coop.extensions import db
from coop.plans.models import Credential, CredentialType
from tests.plans.world import credential, credential_type


def url(cohort, person):
    return f"/plans/cohorts/{cohort.id}/participants/{person.id}/credentials"


def form(ctype, **kw):
    data = {
        "credential_type": ctype.id,
        "earned_on": (clock.today_in() - timedelta(days=3)).isoformat(),
        "credential_ref": "GA-123",
        "link": "",
    }
    data.update(kw)
    return data


def credentials():
    return list(db.session.scalars(sa.select(Credential).order_by(Credential.id)))


def test_participant_records_and_city_staff_verify(client, login_as, world):
    ctype = credential_type(world.cohort.track_id)
    login_as(world.pat)
    page = f"/plans/cohorts/{world.cohort.id}/participants/{world.pat.id}"
    assert "Record a credential" in client.get(page).get_data(as_text=True)
    r = client.post(
        url(world.cohort, world.pat),
        data=form(ctype, **{"link": "HTTPS://www.credly.com/badges/1"}),
    )
    assert r.status_code == 302
    (row,) = credentials()
    assert (row.participant_id, row.verified_at, row.link) == (
        world.pat.id,
        None,
        "https://www.credly.com/badges/1",
    )
    assert "Waiting for staff" in client.get(page).get_data(as_text=True)
    # Not theirs to verify, nor the captain's, nor staff of another city.
    for who in (world.pat, world.captain, world.far_staff):
        login_as(who)
        assert client.post(f"/plans/credentials/{row.id}/verify").status_code == 404
        db.session.refresh(row)
        assert row.verified_at is None
    login_as(world.staff)
    html = client.get("/plans/credentials").get_data(as_text=True)
    assert world.pat.name in html and "Google Analytics" in html
    assert client.post(f"/plans/credentials/{row.id}/verify").status_code == 302
    db.session.refresh(row)
    assert row.verified_at is not None and row.verified_by_id == world.staff.id
    assert world.pat.name not in client.get("/plans/credentials").get_data(as_text=True)
    login_as(world.far_staff)
    assert world.pat.name not in client.get("/plans/credentials").get_data(as_text=True)


def test_captain_records_for_their_pod_only(client, login_as, world):
    ctype = credential_type(world.cohort.track_id)
    login_as(world.captain)
    assert client.post(url(world.cohort, world.pat), data=form(ctype)).status_code == 302
    login_as(world.other_captain)
    assert client.post(url(world.cohort, world.pia), data=form(ctype)).status_code == 404
    login_as(world.pia)
    assert client.post(url(world.cohort, world.pat), data=form(ctype)).status_code == 404
    assert [c.participant_id for c in credentials()] == [world.pat.id]


def test_refused_credentials_write_nothing(client, login_as, world, factory):
    ctype = credential_type(world.cohort.track_id)
    elsewhere = credential_type(factory.track().id, name="Other track's")
    login_as(world.pat)
    future = (clock.today_in() + timedelta(days=5)).isoformat()
    for bad, message in [
        ({"earned_on": future}, "cannot be in the future"),
        ({"credential_ref": "", "link": ""}, "credential ID or a https:// link"),
        ({"link": "http://example.org/x"}, "https://"),
        ({"credential_type": elsewhere.id}, "Not a valid choice"),
        ({"credential_ref": "x" * 121}, "120"),
    ]:
        r = client.post(url(world.cohort, world.pat), data=form(ctype, **bad))
        assert r.status_code == 400, bad
        assert message in r.get_data(as_text=True), bad
    assert credentials() == []
    # Recorded once: the same credential again is refused.
    assert client.post(url(world.cohort, world.pat), data=form(ctype)).status_code == 302
    r = client.post(url(world.cohort, world.pat), data=form(ctype))
    assert r.status_code == 400 and "already recorded" in r.get_data(as_text=True)
    assert len(credentials()) == 1


def test_catalogue_is_edited_by_organisation_wide_staff(client, login_as, world, factory):
    track = world.cohort.track_id
    data = {"track": track, "name": "HubSpot Content Marketing", "issuer": "HubSpot Academy"}
    login_as(world.staff)  # city staff: read only
    assert client.get("/plans/credentials/catalogue").status_code == 200
    assert client.post("/plans/credentials/catalogue", data=data).status_code == 404
    login_as(world.captain)
    assert client.get("/plans/credentials/catalogue").status_code == 404
    login_as("staff")
    assert client.post("/plans/credentials/catalogue", data=data).status_code == 302
    r = client.post("/plans/credentials/catalogue", data=data)
    assert r.status_code == 400 and "already has" in r.get_data(as_text=True)
    rows = db.session.scalars(sa.select(CredentialType).where(CredentialType.track_id == track))
    assert [(t.name, t.issuer) for t in rows] == [("HubSpot Content Marketing", "HubSpot Academy")]


def test_verified_credentials_answer_skill_gains(world):
    ctype = credential_type(world.cohort.track_id)
    day = clock.today_in() - timedelta(days=10)
    credential(world.pat, world.cohort, ctype, day, verified=True)
    credential(world.pia, world.cohort, ctype, day, verified=False)
    credential(world.fay, world.far_cohort, credential_type(world.far_cohort.track_id), day)
    scope = sa.select(sa.literal(world.cohort.id))
    rows = []
    for answer in events.answers(events.skill_gains, cohort_ids=scope):
        rows += db.session.execute(answer).all()
    assert [tuple(r) for r in rows if r[3] == "credential"] == [
        (world.pat.id, world.cohort.id, day, "credential")
    ]


def test_staff_pages_refuse_other_roles(client, login_as, world):
    for who in (world.pat, world.captain):
        login_as(who)
        assert client.get("/plans/credentials").status_code == 404
    login_as("participant")
    assert (
        client.get(f"/plans/cohorts/{world.cohort.id}/participants/{world.pat.id}").status_code
        == 404
    )
