"""One rule for links (coop.core.links), the same in forms, services and the database:
``HTTPS://`` is accepted and saved as ``https://``; http, javascript: and an https link
with no host are refused with a message, and nothing is written."""

from datetime import date, time

import pytest
import sqlalchemy as sa

from coop.core.links import https_url, is_https_url
from coop.extensions import db
from coop.programs import services as programs
from coop.programs.models import Cohort, Partner, PartnerKind
from coop.referrals import services as referrals
from coop.referrals.models import Opening
from coop.sessions import services as sessions
from coop.sessions.models import VirtualSession

BAD = ["http://meet.example.org/x", "javascript:alert(1)", "https://", "https:///path"]


@pytest.mark.parametrize(
    ("given", "saved"),
    [
        ("https://meet.example.org/x", "https://meet.example.org/x"),
        (" HTTPS://meet.example.org/x ", "https://meet.example.org/x"),
        ("Https://jobs.example.com:8443/a?b=c#d", "https://jobs.example.com:8443/a?b=c#d"),
        ("", None),
        (None, None),
    ],
)
def test_accepted_links_are_saved_with_a_lower_case_scheme(given, saved):
    assert https_url(given) == saved


@pytest.mark.parametrize(
    "given",
    [
        *BAD,
        "ftp://jobs.example/1",
        "https://not a link",
        "https://user:secret@meet.example.org/x",
        "https://meet.example.org:port/x",
        "https://localhost/x",
        "meet.example.org/x",
        "https:meet.example.org",
    ],
)
def test_refused_links_say_what_to_give(given):
    assert not is_https_url(given)
    with pytest.raises(ValueError, match="Use a full https:// link"):
        https_url(given)


# -- forms -------------------------------------------------------------------------------


def _cohort_form(city, track, link):
    return {
        "name": "Linked cohort",
        "city_id": str(city.id),
        "track_id": str(track.id),
        "sponsor_id": "",
        "start_date": "2027-09-06",
        "end_date": "2027-12-20",
        "capacity": "16",
        "meeting_days": ["tue"],
        "meeting_time": "18:30",
        "video_link": link,
    }


def _cohort_links():
    return list(db.session.scalars(sa.select(Cohort.video_link).where(Cohort.name.like("Linked%"))))


def test_cohort_form_accepts_upper_case_https_and_saves_it_lower_case(login_as, client, factory):
    city, track = factory.city(), factory.track()
    login_as("staff")
    response = client.post(
        "/cohorts/new", data=_cohort_form(city, track, "HTTPS://meet.example.org/Fall")
    )
    assert response.status_code == 302
    assert _cohort_links() == ["https://meet.example.org/Fall"]


@pytest.mark.parametrize("link", BAD)
def test_cohort_form_refuses_bad_links(login_as, client, factory, link):
    city, track = factory.city(), factory.track()
    login_as("staff")
    response = client.post("/cohorts/new", data=_cohort_form(city, track, link))
    assert response.status_code == 200
    assert "Use a full https:// link" in response.get_data(as_text=True)
    assert _cohort_links() == []


def test_opening_and_partner_forms_follow_the_same_rule(login_as, client, factory):
    city, employer = factory.city(), factory.partner()
    login_as("staff")
    opening = {"partner_id": employer.id, "title": "Linked", "city_id": city.id}
    for link in BAD:
        response = client.post("/openings/new", data={**opening, "url": link})
        assert response.status_code == 200, link
        assert "starts with https://" in response.get_data(as_text=True)
        response = client.post(
            "/partners/new", data={"name": "Linked Co", "kind": "employer", "website": link}
        )
        assert response.status_code == 200, link
        assert "starts with https://" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Opening.id))) == 0
    assert db.session.scalar(sa.select(Partner.id).where(Partner.name == "Linked Co")) is None

    response = client.post("/openings/new", data={**opening, "url": "HTTPS://jobs.example.com/7"})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Opening.url)) == "https://jobs.example.com/7"
    response = client.post(
        "/partners/new",
        data={"name": "Linked Co", "kind": "employer", "website": "HTTPS://linked.example.com"},
    )
    assert response.status_code == 302
    website = db.session.scalar(sa.select(Partner.website).where(Partner.name == "Linked Co"))
    assert website == "https://linked.example.com"


def test_session_form_follows_the_same_rule(login_as, client, factory):
    cohort = factory.cohort()
    login_as("staff")
    data = {
        "title": "Extra",
        "local_date": "2027-03-02",
        "local_time": "18:30",
        "duration_minutes": "60",
    }
    for link in BAD:
        response = client.post(
            f"/cohorts/{cohort.id}/sessions/new", data={**data, "video_link": link}
        )
        assert response.status_code == 200, link
        assert "Use an https:// link." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(VirtualSession.id))) == 0
    response = client.post(
        f"/cohorts/{cohort.id}/sessions/new",
        data={**data, "video_link": "HTTPS://meet.example.org/extra"},
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(VirtualSession.video_link)) == (
        "https://meet.example.org/extra"
    )


# -- services ----------------------------------------------------------------------------


def _cohort_values(link):
    return {
        "name": "Linked cohort",
        "start_date": date(2027, 9, 6),
        "end_date": date(2027, 12, 20),
        "capacity": 16,
        "meeting_days": "tue",
        "meeting_time": time(18, 30),
        "video_link": link,
    }


def test_services_save_upper_case_https_lower_case(factory):
    staff, city, track = factory.user("staff"), factory.city(), factory.track()
    cohort = programs.create_cohort(
        actor=staff, city=city, track=track, **_cohort_values("HTTPS://meet.example.org/a")
    )
    assert cohort.video_link == "https://meet.example.org/a"
    session = sessions.add_session(
        factory.cohort(city=city, track=track),
        title="Kickoff",
        local_date=date(2027, 9, 7),
        local_time=time(18, 30),
        duration_minutes=60,
        video_link="HTTPS://meet.example.org/b",
    )
    assert session.video_link == "https://meet.example.org/b"
    partner = referrals.create_partner(
        staff, name="Linked Co", kind=PartnerKind.EMPLOYER, website="HTTPS://linked.example.com"
    )
    assert partner.website == "https://linked.example.com"
    opening = referrals.post_opening(
        staff, partner_id=partner.id, title="Analyst", city_id=city.id, url="HTTPS://x.example/1"
    )
    db.session.flush()
    assert db.session.scalar(sa.select(Opening.url).where(Opening.id == opening.id)) == (
        "https://x.example/1"
    )


@pytest.mark.parametrize("link", BAD)
def test_services_refuse_bad_links(factory, link):
    staff, city, track = factory.user("staff"), factory.city(), factory.track()
    with pytest.raises(programs.ProgramError, match="Use a full https:// link") as refused:
        programs.create_cohort(actor=staff, city=city, track=track, **_cohort_values(link))
    assert refused.value.field == "video_link"
    cohort = factory.cohort(city=city, track=track)
    with pytest.raises(sessions.ScheduleError, match="Use a full https:// link"):
        sessions.add_session(
            cohort,
            title="Kickoff",
            local_date=date(2027, 9, 7),
            local_time=time(18, 30),
            duration_minutes=60,
            video_link=link,
        )
    partner = factory.partner()
    with pytest.raises(referrals.ReferralError, match="Use a full https:// link"):
        referrals.post_opening(staff, partner_id=partner.id, title="A", city_id=city.id, url=link)
    with pytest.raises(referrals.ReferralError, match="Use a full https:// link"):
        referrals.update_partner(partner, staff, website=link)
    assert db.session.scalar(sa.select(sa.func.count(Opening.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(VirtualSession.id))) == 0


# -- the database ------------------------------------------------------------------------


@pytest.mark.parametrize("link", ["http://jobs.example.com/1", "javascript:alert(1)"])
def test_the_database_refuses_links_that_do_not_start_with_https(factory, link):
    staff, city, partner = factory.user("staff"), factory.city(), factory.partner()
    row = {"partner_id": partner.id, "title": "Raw", "city_id": city.id, "posted_by_id": staff.id}
    db.session.execute(sa.insert(Opening), [{**row, "url": "https://jobs.example.com/1"}])
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.execute(sa.insert(Opening), [{**row, "url": link}])
    assert db.session.scalar(sa.select(sa.func.count(Opening.id))) == 1
