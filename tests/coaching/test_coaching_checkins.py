"""Captains log and edit check-ins; confidential notes; staff resolve flags."""

from datetime import date, timedelta

import sqlalchemy as sa

from coop.auth.models import Role
from coop.coaching.models import CheckIn, PodMembership
from coop.core.models import AuditEvent
from coop.db import utcnow
from coop.extensions import db


def form(**kw):
    data = {
        "held_on": (date.today() - timedelta(days=1)).isoformat(),
        "channel": "phone",
        "minutes": "25",
        "topics": ["resume", "networking"],
        "notes": "Worked on the summary line.",
        "next_steps": "Send two applications.",
    }
    data.update(kw)
    return data


def checkins():
    return db.session.scalars(sa.select(CheckIn).order_by(CheckIn.id)).all()


def test_captain_logs_a_check_in(client, login_as, coach):
    cohort, _, captain, (p, *_) = coach.setup(2)
    login_as(captain)
    url = f"/coaching/cohorts/{cohort.id}/participants/{p.id}/checkins/new"
    page = client.get(url).get_data(as_text=True)
    for label in [
        "Date",
        "Channel",
        "Minutes",
        "Topics",
        "Notes",
        "Next steps",
        "Needs staff attention",
        "Confidential",
    ]:
        assert f">{label}</" in page
    r = client.post(url, data=form(needs_attention="y"))
    assert r.status_code == 302
    (c,) = checkins()
    assert (c.cohort_id, c.participant_id, c.author_id) == (cohort.id, p.id, captain.id)
    assert (c.channel, c.minutes, c.topics) == ("phone", 25, ["resume", "networking"])
    assert c.held_on == date.today() - timedelta(days=1)
    assert c.needs_attention and not c.confidential and c.resolved_at is None
    assert (
        db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.target_type == "check_ins"))
        == "checkin.create"
    )
    history = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Worked on the summary line." in history
    assert "Needs staff attention" in history


def test_a_check_in_cannot_be_in_the_future(client, login_as, coach):
    cohort, _, captain, (p, *_) = coach.setup(1)
    login_as(captain)
    url = f"/coaching/cohorts/{cohort.id}/participants/{p.id}/checkins/new"
    r = client.post(url, data=form(held_on=(date.today() + timedelta(days=3)).isoformat()))
    assert r.status_code == 200
    assert "cannot be in the future" in r.get_data(as_text=True)
    assert checkins() == []


def test_a_mistyped_year_long_before_the_cohort_is_refused(client, login_as, coach):
    cohort, _, captain, (p, *_) = coach.setup(1)
    login_as(captain)
    url = f"/coaching/cohorts/{cohort.id}/participants/{p.id}/checkins/new"
    typo = cohort.start_date.replace(year=cohort.start_date.year - 10)
    r = client.post(url, data=form(held_on=typo.isoformat()))
    assert r.status_code == 200
    assert "long before the cohort started" in r.get_data(as_text=True)
    assert checkins() == []
    # An introductory call in the weeks before the first session is fine.
    r = client.post(url, data=form(held_on=(cohort.start_date - timedelta(days=14)).isoformat()))
    assert r.status_code == 302
    assert len(checkins()) == 1


def test_bad_values_get_the_form_back(client, login_as, coach):
    cohort, _, captain, (p, *_) = coach.setup(1)
    login_as(captain)
    url = f"/coaching/cohorts/{cohort.id}/participants/{p.id}/checkins/new"
    for bad in [
        {"minutes": "0"},
        {"channel": "carrier-pigeon"},
        {"held_on": ""},
        {"topics": ["gossip"]},
    ]:
        r = client.post(url, data=form(**bad))
        assert r.status_code == 200
        assert "Please correct the fields marked below." in r.get_data(as_text=True)
    assert checkins() == []


def test_captain_edits_their_check_in_for_seven_days(client, login_as, coach):
    cohort, _, captain, (p, *_) = coach.setup(1)
    c = coach.checkin(cohort, p, captain, notes="First draft")
    login_as(captain)
    url = f"/coaching/checkins/{c.id}/edit"
    assert "First draft" in client.get(url).get_data(as_text=True)
    r = client.post(url, data=form(notes="Second draft", confidential="y"))
    assert r.status_code == 302
    db.session.refresh(c)
    assert c.notes == "Second draft" and c.confidential
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "checkin.update"))
    assert {"notes", "confidential"} <= set(event.changed)

    c.created_at = utcnow() - timedelta(days=7, minutes=1)
    db.session.commit()
    r = client.get(url, follow_redirects=True)
    assert "edited for 7 days" in r.get_data(as_text=True)
    client.post(url, data=form(notes="Too late"))
    db.session.refresh(c)
    assert c.notes == "Second draft"
    history = client.get(f"/coaching/cohorts/{cohort.id}/participants/{p.id}").get_data(
        as_text=True
    )
    assert f"/coaching/checkins/{c.id}/edit" not in history


def test_confidential_notes_are_for_staff_and_the_author(client, login_as, coach, factory):
    city = factory.city()
    cohort, mine, author, (p, *_) = coach.setup(1, city=city)
    c = coach.checkin(
        cohort, p, author, notes="Private matter", next_steps="Call back", confidential=True
    )
    open_note = coach.checkin(cohort, p, author, notes="Open note")
    db.session.commit()
    url = f"/coaching/cohorts/{cohort.id}/participants/{p.id}"
    login_as(author)
    assert "Private matter" in client.get(url).get_data(as_text=True)
    # The participant moves to another captain's pod: that captain sees the history, but
    # not the confidential notes.
    other = coach.assign(cohort)
    db.session.execute(
        sa.update(PodMembership)
        .where(PodMembership.participant_id == p.id)
        .values(assignment_id=other.id)
    )
    db.session.commit()
    other_captain = db.session.get(type(p), other.captain_id)
    login_as(other_captain)
    for page in [client.get(url), client.get(f"/coaching/checkins/{c.id}")]:
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        assert "Private matter" not in html and "Call back" not in html
        assert "The notes are confidential" in html
    assert "Open note" in client.get(url).get_data(as_text=True)
    login_as("city_staff", cities=[city])
    assert "Private matter" in client.get(url).get_data(as_text=True)
    assert open_note.id


def test_staff_resolve_a_flag_with_a_note(client, login_as, coach):
    cohort, _, captain, (p, *_) = coach.setup(1)
    c = coach.checkin(cohort, p, captain, needs_attention=True, notes="Lost their housing")
    staff = login_as("city_staff", cities=[cohort.city])
    coverage = client.get("/coaching/coverage").get_data(as_text=True)
    assert "Lost their housing" in coverage
    r = client.post(f"/coaching/checkins/{c.id}/resolve", data={"note": ""}, follow_redirects=True)
    assert "Say how it was resolved." in r.get_data(as_text=True)
    db.session.refresh(c)
    assert c.resolved_at is None
    r = client.post(
        f"/coaching/checkins/{c.id}/resolve",
        data={"note": "Referred to the housing partner.", "next": "coverage"},
    )
    assert r.headers["Location"].endswith("/coaching/coverage")
    db.session.refresh(c)
    assert (c.resolved_by_id, c.resolution_note) == (staff.id, "Referred to the housing partner.")
    assert c.resolved_at is not None
    assert "Lost their housing" not in client.get("/coaching/coverage").get_data(as_text=True)
    # Resolving twice changes nothing.
    client.post(f"/coaching/checkins/{c.id}/resolve", data={"note": "Again"})
    db.session.refresh(c)
    assert c.resolution_note == "Referred to the housing partner."
    # The captain sees it was resolved.
    login_as(captain)
    html = client.get(f"/coaching/checkins/{c.id}").get_data(as_text=True)
    assert "Resolved" in html and "Referred to the housing partner." in html


def test_history_lists_newest_first(client, login_as, coach):
    cohort, _, captain, (p, *_) = coach.setup(1)
    coach.checkin(cohort, p, captain, held_on=date.today() - timedelta(days=20), notes="Older one")
    coach.checkin(cohort, p, captain, held_on=date.today() - timedelta(days=2), notes="Newer one")
    login_as(captain)
    html = client.get(f"/coaching/cohorts/{cohort.id}/participants/{p.id}").get_data(as_text=True)
    assert html.index("Newer one") < html.index("Older one")


def test_staff_see_check_in_pages_only_for_people_of_the_cohort(client, login_as, coach, factory):
    """The history page names the person and their email: through a cohort of their own
    city, city staff must not read the name and email of anyone else by id."""
    cohort, _, _, (member,) = coach.setup(1)
    stranger = factory.user(Role.PARTICIPANT, name="Faraway Person")
    coach.enrolled(factory.cohort(), 1)  # another city's cohort exists too
    login_as("city_staff", cities=[cohort.city])
    ok = client.get(f"/coaching/cohorts/{cohort.id}/participants/{member.id}")
    assert ok.status_code == 200
    response = client.get(f"/coaching/cohorts/{cohort.id}/participants/{stranger.id}")
    assert response.status_code == 404
    assert "Faraway Person" not in response.get_data(as_text=True)
