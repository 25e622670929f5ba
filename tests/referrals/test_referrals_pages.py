"""Partners, outreach, the openings board, placements and follow-ups through their pages."""

from datetime import date, timedelta

import pytest

from coop.auth.models import Role
from coop.core.clock import today_in as today  # New York: the test cities' and readers' zone
from coop.db import utcnow
from coop.extensions import db
from coop.programs.models import Partner, PartnerKind
from coop.referrals import services
from coop.referrals.forms import latest_start_date
from coop.referrals.models import (
    EmploymentStatus,
    FollowUp,
    FollowUpKind,
    Opening,
    Outreach,
    PartnerContact,
    Placement,
    PlacementSource,
    overcame_underemployment_clause,
)
from coop.referrals.models import ReferralStage as S

# -- partners and contacts -----------------------------------------------------------------


def test_staff_add_and_edit_a_partner(client, login_as, factory):
    city = factory.city(name="Springfield")
    login_as("staff")
    response = client.post(
        "/partners/new",
        data={
            "name": "Globex",
            "kind": "employer",
            "city_id": city.id,
            "website": "https://globex.example",
        },
    )
    assert response.status_code == 302
    partner = db.session.scalar(db.select(Partner).where(Partner.name == "Globex"))
    assert (partner.kind, partner.city_id) == (PartnerKind.EMPLOYER, city.id)
    response = client.post(
        f"/partners/{partner.id}/edit",
        data={"name": "Globex Corp", "kind": "sponsor", "city_id": "", "website": ""},
    )
    assert response.status_code == 302
    db.session.refresh(partner)
    assert (partner.name, partner.kind, partner.city_id, partner.website) == (
        "Globex Corp",
        PartnerKind.SPONSOR,
        None,
        None,
    )


def test_partner_names_are_unique_and_websites_https(client, login_as, factory):
    factory.partner(name="Hooli")
    login_as("staff")
    response = client.post("/partners/new", data={"name": "hooli", "kind": "employer"})
    assert "A partner called “hooli” exists already.".encode() in response.data
    response = client.post(
        "/partners/new",
        data={"name": "Pied Piper", "kind": "employer", "website": "http://pp.example"},
    )
    assert b"starts with https://" in response.data
    assert db.session.scalar(db.select(db.func.count(Partner.id))) == 1


def test_city_staff_see_their_cities_and_national_partners(client, login_as, factory):
    mine, other = factory.city(name="Mine"), factory.city(name="Other")
    factory.partner(name="Local Co", city=mine)
    factory.partner(name="Far Co", city=other)
    national = factory.partner(name="National Co")
    login_as("city_staff", cities=[mine])
    page = client.get("/partners")
    assert b"Local Co" in page.data and b"National Co" in page.data
    assert b"Far Co" not in page.data
    # They see the national partner but cannot edit it, nor create one without a city.
    assert client.get(f"/partners/{national.id}").status_code == 200
    assert client.get(f"/partners/{national.id}/edit").status_code == 404
    response = client.post(
        "/partners/new", data={"name": "New Co", "kind": "employer", "city_id": ""}
    )
    assert b"Choose one of your cities." in response.data
    response = client.post(
        "/partners/new", data={"name": "New Co", "kind": "employer", "city_id": other.id}
    )
    assert b"Not a valid choice" in response.data
    assert not db.session.scalar(db.select(Partner).where(Partner.name == "New Co"))


def test_contacts_are_added_and_archived(client, login_as, factory):
    partner = factory.partner(name="Vandelay")
    login_as("staff")
    client.post(
        f"/partners/{partner.id}/contacts/new",
        data={"name": "Art Vandelay", "title": "Importer", "email": "Art@Vandelay.example"},
    )
    contact = db.session.scalar(db.select(PartnerContact))
    assert (contact.partner_id, contact.email) == (partner.id, "art@vandelay.example")
    client.post(f"/contacts/{contact.id}/edit", data={"name": "Art Vandelay", "archived": "y"})
    db.session.refresh(contact)
    assert contact.archived
    page = client.get(f"/partners/{partner.id}")
    assert b"Art Vandelay" in page.data and b"former" in page.data


def test_partner_page_shows_openings_referrals_hires_and_outreach(client, login_as, world, rf):
    referral = rf.referral(world.pat_enrollment, opening=world.opening, stage=S.HIRED)
    services.record_placement(
        rf.staff(),
        world.pat.id,
        referral=referral,
        employer_name="Initech",
        partner_id=world.employer.id,
        title="Data Analyst",
        start_date=today(),
        salary=61000,
        full_time=True,
        career_track=True,
    )
    rf.outreach(world.employer, world.captain, summary="Lunch with the data team")
    rf.contact(world.employer, name="Bill Lumbergh")
    login_as("staff")
    page = client.get(f"/partners/{world.employer.id}")
    assert page.status_code == 200
    for text in (
        b"Data Analyst",
        b"Pat Doe",
        b"$61,000",
        b"Lunch with the data team",
        b"Bill Lumbergh",
    ):
        assert text in page.data


def test_partner_page_sections_page_separately(client, login_as, world, rf):
    for n in range(12):
        rf.opening(partner=world.employer, city=world.city, title=f"Role {n:02d}")
        rf.contact(world.employer, name=f"Contact {n:02d}")
    login_as("staff")
    first = client.get(f"/partners/{world.employer.id}")
    assert b"Role 11" in first.data and b"Role 00" not in first.data
    second = client.get(f"/partners/{world.employer.id}?openings_page=2")
    assert b"Role 00" in second.data
    assert b"Contact 00" in second.data  # contacts stay on their own first page
    assert b"contacts_page=2" in second.data and b"openings_page=1" in second.data


# -- outreach ------------------------------------------------------------------------------


def test_captain_logs_outreach_and_sees_only_their_own(client, login_as, world, rf, factory):
    other_staff = factory.user(Role.STAFF)
    rf.outreach(world.employer, other_staff, summary="Staff-only visit")
    login_as(world.captain)
    response = client.post(
        "/outreach/new",
        data={
            "partner_id": world.employer.id,
            "occurred_on": "2026-01-15",
            "contact_name": "Peter Gibbons",
            "summary": "Career fair table",
            "follow_up_on": "2026-02-01",
        },
    )
    assert response.status_code == 302
    outreach = db.session.scalar(
        db.select(Outreach).where(Outreach.logged_by_id == world.captain.id)
    )
    assert (outreach.occurred_on, outreach.follow_up_on) == (date(2026, 1, 15), date(2026, 2, 1))
    page = client.get("/outreach")
    assert b"Career fair table" in page.data and b"Staff-only visit" not in page.data


def test_outreach_follow_up_cannot_precede_it(client, login_as, world):
    login_as("staff")
    response = client.post(
        "/outreach/new",
        data={
            "partner_id": world.employer.id,
            "occurred_on": "2026-01-15",
            "summary": "x",
            "follow_up_on": "2026-01-01",
        },
    )
    assert b"cannot be before the outreach" in response.data
    assert db.session.scalar(db.select(db.func.count(Outreach.id))) == 0


def test_outreach_due_for_follow_up(client, login_as, world, rf):
    rf.outreach(
        world.employer,
        world.captain,
        summary="Call back soon",
        follow_up_on=today() - timedelta(days=1),
    )
    rf.outreach(
        world.employer, world.captain, summary="Later on", follow_up_on=today() + timedelta(days=20)
    )
    login_as("staff")
    page = client.get("/outreach?follow_up=1")
    assert b"Call back soon" in page.data and b"Later on" not in page.data


# -- openings ------------------------------------------------------------------------------


def _board_titles(client, query=""):
    page = client.get("/openings" + query)
    assert page.status_code == 200
    return page.data


def test_board_shows_open_openings_only(client, login_as, world, rf):
    rf.opening(partner=world.employer, city=world.city, title="Closed Role", closed_at=utcnow())
    rf.opening(
        partner=world.employer,
        city=world.city,
        title="Expired Role",
        closes_on=today() - timedelta(days=1),
    )
    rf.opening(partner=world.employer, city=world.city, title="Last Day Role", closes_on=today())
    login_as(world.pat)
    data = _board_titles(client)
    assert b"Data Analyst" in data and b"Last Day Role" in data
    assert b"Closed Role" not in data and b"Expired Role" not in data
    # Participants cannot ask for the records view.
    assert b"Closed Role" not in _board_titles(client, "?show=all")


def test_closed_and_expired_stay_in_the_records(client, login_as, world, rf):
    closed = rf.opening(
        partner=world.employer, city=world.city, title="Closed Role", closed_at=utcnow()
    )
    login_as("staff")
    data = _board_titles(client, "?show=all")
    assert b"Closed Role" in data and b"closed" in data
    assert client.get(f"/openings/{closed.id}").status_code == 200


def test_board_filters_by_track_city_and_remote(client, login_as, world, rf, factory):
    track = factory.track(name="Analytics")
    rf.opening(
        partner=world.employer, city=world.other_city, title="Gotham Role", track_id=track.id
    )
    rf.opening(partner=world.employer, city=None, remote=True, title="Remote Role")
    login_as(world.pat)
    by_track = _board_titles(client, f"?track={track.id}")
    assert b"Gotham Role" in by_track and b"Data Analyst" not in by_track
    by_city = _board_titles(client, f"?city={world.city.id}")
    assert b"Data Analyst" in by_city and b"Gotham Role" not in by_city
    remote = _board_titles(client, "?remote=1")
    assert b"Remote Role" in remote and b"Data Analyst" not in remote
    on_site = _board_titles(client, "?remote=0")
    assert b"Remote Role" not in on_site and b"Data Analyst" in on_site


def test_captain_posts_an_opening_https_only(client, login_as, world):
    login_as(world.captain)
    data = {
        "partner_id": world.employer.id,
        "title": "Growth Marketer",
        "city_id": world.city.id,
        "url": "http://jobs.example/1",
    }
    response = client.post("/openings/new", data=data)
    assert b"starts with https://" in response.data
    data["url"] = "javascript:alert(1)"
    assert b"starts with https://" in client.post("/openings/new", data=data).data
    assert db.session.scalar(db.select(db.func.count(Opening.id))) == 1
    data["url"] = "https://jobs.example/1"
    response = client.post("/openings/new", data=data)
    assert response.status_code == 302
    opening = db.session.scalar(db.select(Opening).where(Opening.title == "Growth Marketer"))
    assert opening.posted_by_id == world.captain.id and opening.url == "https://jobs.example/1"


def test_opening_needs_a_city_or_remote(client, login_as, world):
    login_as("staff")
    response = client.post(
        "/openings/new", data={"partner_id": world.employer.id, "title": "Nowhere", "city_id": ""}
    )
    assert b"Give the opening a city, or mark it remote." in response.data
    response = client.post(
        "/openings/new",
        data={"partner_id": world.employer.id, "title": "Anywhere", "city_id": "", "remote": "y"},
    )
    assert response.status_code == 302


def test_captain_cannot_post_in_a_city_they_do_not_serve(client, login_as, world):
    login_as(world.captain)
    response = client.post(
        "/openings/new",
        data={
            "partner_id": world.employer.id,
            "title": "Elsewhere",
            "city_id": world.other_city.id,
        },
    )
    assert b"Not a valid choice" in response.data


def test_close_and_reopen_an_opening(client, login_as, world):
    login_as("staff")
    client.post(f"/openings/{world.opening.id}/close")
    db.session.refresh(world.opening)
    assert world.opening.closed_at is not None and world.opening.status == "closed"
    assert b"Data Analyst" not in _board_titles(client)
    client.post(f"/openings/{world.opening.id}/reopen")
    db.session.refresh(world.opening)
    assert world.opening.closed_at is None


def test_closed_opening_still_visible_to_people_referred_to_it(client, login_as, world, rf):
    rf.referral(world.pat_enrollment, opening=world.opening)
    services.close_opening(world.opening, rf.staff())
    login_as(world.pat)
    assert client.get(f"/openings/{world.opening.id}").status_code == 200
    login_as(world.sam)
    assert client.get(f"/openings/{world.opening.id}").status_code == 404


# -- placements ----------------------------------------------------------------------------


JOB = {
    "employer_name": "Dunder Mifflin",
    "title": "Sales Associate",
    "start_date": "2026-01-05",
    "salary": "41000",
    "full_time": "y",
}


def test_participant_reports_a_job_staff_verify_it(client, login_as, world):
    login_as(world.pat)
    response = client.post("/me/jobs/new", data=JOB)
    assert response.status_code == 302
    placement = db.session.scalar(db.select(Placement))
    assert placement.source == PlacementSource.SELF_REPORTED
    assert placement.participant_id == world.pat.id and placement.cohort_id == world.cohort.id
    assert not placement.verified
    # They may correct it while it waits.
    edit = client.post(f"/placements/{placement.id}/edit", data={**JOB, "salary": "42000"})
    assert edit.status_code == 302
    db.session.refresh(placement)
    assert placement.salary == 42000
    staff = login_as("staff")
    assert b"Dunder Mifflin" in client.get("/placements?verified=0").data
    client.post(f"/placements/{placement.id}/verify")
    db.session.refresh(placement)
    assert placement.verified_by_id == staff.id and placement.verified_at is not None
    # Once verified the participant can no longer change it.
    login_as(world.pat)
    assert client.get(f"/placements/{placement.id}/edit").status_code == 404
    response = client.post(f"/placements/{placement.id}/edit", data={**JOB, "salary": "99000"})
    assert response.status_code == 404
    db.session.refresh(placement)
    assert placement.salary == 42000


def test_placement_form_checks_its_fields(client, login_as, world):
    login_as(world.pat)
    response = client.post(
        "/me/jobs/new", data={**JOB, "employer_name": "", "salary": "-5", "end_date": "2025-01-01"}
    )
    assert (
        b"Choose a partner employer or type the employer" not in response.data
    )  # other errors first
    assert b"Number must be between 0 and 10000000" in response.data
    assert b"The end date cannot be before the start date." in response.data
    response = client.post("/me/jobs/new", data={**JOB, "employer_name": ""})
    assert b"Choose a partner employer or type the employer" in response.data
    assert db.session.scalar(db.select(db.func.count(Placement.id))) == 0


@pytest.mark.parametrize("as_staff", [False, True])
def test_a_job_cannot_start_more_than_12_months_ahead(client, login_as, world, as_staff):
    if as_staff:
        login_as("staff")
        url, extra = "/placements/new", {"participant_id": world.outsider.id}
    else:
        login_as(world.pat)
        url, extra = "/me/jobs/new", {}
    limit = latest_start_date()
    too_far = limit + timedelta(days=1)
    for start in (limit + timedelta(days=3 * 365), too_far):  # years ahead, or a day too far
        response = client.post(url, data={**JOB, **extra, "start_date": start.isoformat()})
        assert response.status_code != 302
        assert b"The start date cannot be more than 12 months from today." in response.data
    assert db.session.scalar(db.select(db.func.count(Placement.id))) == 0
    response = client.post(url, data={**JOB, **extra, "start_date": limit.isoformat()})
    assert response.status_code == 302
    assert db.session.scalar(db.select(Placement.start_date)) == limit


def test_staff_record_a_job_for_a_participant(client, login_as, world):
    staff = login_as("staff")
    response = client.post(
        "/placements/new",
        data={
            **JOB,
            "participant_id": world.outsider.id,
            "partner_id": world.employer.id,
            "employer_name": "",
            "career_track": "y",
            "salary": "58000",
        },
    )
    assert response.status_code == 302
    placement = db.session.scalar(db.select(Placement))
    assert placement.employer_name == "Initech" and placement.partner_id == world.employer.id
    assert placement.source == PlacementSource.STAFF and placement.verified_by_id == staff.id
    assert placement.cohort_id == world.other_cohort.id


def test_overcoming_underemployment_needs_a_current_verified_career_track_job(world, rf, db):
    def overcame(user):
        stmt = db.select(db.literal(1)).where(overcame_underemployment_clause(user.id))
        return db.session.scalar(stmt) is not None

    e = world.alumnus_enrollment
    assert not overcame(world.alumnus)
    rf.placement(e, career_track=False)
    assert not overcame(world.alumnus)
    self_reported = rf.placement(e, actor=world.alumnus)
    assert not self_reported.verified and not overcame(world.alumnus)
    services.verify_placement(self_reported, rf.staff())
    assert overcame(world.alumnus) and self_reported.overcomes_underemployment
    self_reported.end_date = today() - timedelta(days=1)
    db.session.flush()
    assert not overcame(world.alumnus)


# -- follow-ups ----------------------------------------------------------------------------


@pytest.fixture
def follow_up_world(factory, rf):
    """A graduate in each of two cities, exit dates that make their 6-month follow-up
    overdue (Metropolis) and due within days (Gotham); their other tasks removed."""
    from coop.programs.models import CohortStatus

    def grad(city, end):
        cohort = factory.cohort(
            city=city,
            status=CohortStatus.COMPLETED,
            start_date=end - timedelta(weeks=16),
            end_date=end,
        )
        return rf.graduate(cohort, factory.user(name=f"Grad of {city.name}"))

    metro, gotham = factory.city(name="Metropolis"), factory.city(name="Gotham")
    overdue = grad(metro, today() - timedelta(days=200))
    due = grad(gotham, today() - timedelta(days=170))
    services.ensure_followups([overdue, due])
    # Keep only the 6-month tasks: the quarterly ones' dates depend on today's quarter.
    db.session.execute(db.delete(FollowUp).where(FollowUp.kind != FollowUpKind.SIX_MONTHS))
    return metro, gotham, overdue, due


def test_follow_ups_overdue_and_due_by_city(client, login_as, follow_up_world):
    metro, gotham, overdue, due = follow_up_world
    login_as("staff")
    page = client.get("/follow-ups")  # overdue by default
    assert b"Grad of Metropolis" in page.data and b"Grad of Gotham" not in page.data
    page = client.get("/follow-ups?when=due")
    assert b"Grad of Gotham" in page.data and b"Grad of Metropolis" not in page.data
    assert b"Metropolis" in client.get("/follow-ups").data  # the per-city summary
    login_as("city_staff", cities=[gotham])
    page = client.get("/follow-ups?when=open")
    assert b"Grad of Gotham" in page.data and b"Grad of Metropolis" not in page.data


def test_recording_the_status_closes_the_follow_up(client, login_as, follow_up_world, db):
    _, _, overdue, _ = follow_up_world
    task = db.session.scalar(
        db.select(FollowUp).where(
            FollowUp.enrollment_id == overdue.id, FollowUp.kind == FollowUpKind.SIX_MONTHS
        )
    )
    staff = login_as("staff")
    assert client.post(f"/follow-ups/{task.id}", data={"status": ""}).status_code == 200
    db.session.refresh(task)
    assert task.closed_at is None
    response = client.post(
        f"/follow-ups/{task.id}", data={"status": "employed_other", "note": "Retail, looking"}
    )
    assert response.status_code == 302
    db.session.refresh(task)
    assert task.status == EmploymentStatus.EMPLOYED_OTHER and task.closed_by_id == staff.id
    assert task.closed_at is not None and task.note == "Retail, looking"
    page = client.get("/follow-ups?when=closed")
    assert b"Employed, not career-track" in page.data
    assert b"Grad of Metropolis" not in client.get("/follow-ups?when=overdue").data
    # Closed stays closed.
    client.post(f"/follow-ups/{task.id}", data={"status": "unemployed"})
    db.session.refresh(task)
    assert task.status == EmploymentStatus.EMPLOYED_OTHER


def test_follow_up_pages_do_not_write(client, login_as, factory, rf, db):
    """No writes on GET: a graduate without tasks stays without them until the CLI runs."""
    grad = rf.graduate()
    login_as("staff")
    client.get("/follow-ups?when=open")
    assert (
        db.session.scalar(
            db.select(db.func.count(FollowUp.id)).where(FollowUp.enrollment_id == grad.id)
        )
        == 0
    )


@pytest.mark.parametrize(
    ("role", "labels"),
    [
        ("staff", ["Partners", "Openings", "Referrals", "Follow-ups"]),
        ("captain", ["Openings", "Referrals", "Outreach"]),
        ("participant", ["Opportunities", "My referrals & jobs"]),
    ],
)
def test_navigation_by_role(factory, role, labels):
    from coop.core.nav import nav_for

    user = factory.user(Role(role))
    ours = [i.label for i in nav_for(user) if i.endpoint.startswith("referrals.")]
    assert ours == labels


def test_opening_links_are_full_https_addresses(client, login_as, world):
    login_as("staff")
    base = {"partner_id": world.employer.id, "title": "Linked", "city_id": world.city.id}
    for bad in ("https://", "https://not a link", "ftp://jobs.example/1"):
        response = client.post("/openings/new", data={**base, "url": bad})
        assert response.status_code == 200, bad
    response = client.post("/openings/new", data={**base, "url": " HTTPS://jobs.example/7 "})
    assert response.status_code == 302
    opening = db.session.scalar(db.select(Opening).where(Opening.title == "Linked"))
    assert opening.url == "https://jobs.example/7"
