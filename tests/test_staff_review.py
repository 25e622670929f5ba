"""What the staff review fixed, checked on the demo data: links between a participant's
pages, filters that say what they hide, and pages that fit and explain themselves."""

import re

import pytest

from coop.auth.models import User
from coop.demo import seed
from coop.enrollment.models import Enrollment, Stage
from coop.extensions import db
from coop.programs.models import City, Cohort, CohortStatus
from coop.referrals.models import Placement, Referral


@pytest.fixture
def demo():
    seed()
    db.session.commit()


@pytest.fixture
def staff(demo, login_as):
    return login_as(db.session.scalar(db.select(User).where(User.email == "staff@coop.example")))


def enrollment_in(stage: Stage, status: CohortStatus = CohortStatus.ACTIVE) -> Enrollment:
    return db.session.scalar(
        db.select(Enrollment)
        .options(db.joinedload(Enrollment.user), db.joinedload(Enrollment.cohort))
        .join(Cohort, Cohort.id == Enrollment.cohort_id)
        .join(City, City.id == Cohort.city_id)
        .where(Enrollment.stage == stage, Cohort.status == status, City.name == "New York")
        .order_by(Enrollment.id)
        .limit(1)
    )


def hrefs(html: str) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', html))


def test_an_enrolled_participants_application_links_to_their_other_pages(staff, client):
    e = enrollment_in(Stage.ENROLLED)
    name, cohort_id, user_id = e.user.name, e.cohort_id, e.user_id
    page = client.get(f"/cohorts/{cohort_id}/applications/{e.id}").text
    assert f"More about {name}" in page
    expected = {
        f"/coaching/cohorts/{cohort_id}/participants/{user_id}",
        f"/cohorts/{cohort_id}/attendance",
        f"/referrals?participant={user_id}",
        f"/placements?participant={user_id}",
    }
    assert expected <= hrefs(page)
    for url in expected:
        assert client.get(url).status_code == 200, url


def test_an_applicants_page_has_no_links_to_pages_they_have_no_data_on(staff, client):
    e = enrollment_in(Stage.APPLIED, CohortStatus.RECRUITING)
    name, user_id = e.user.name, e.user_id
    page = client.get(f"/cohorts/{e.cohort_id}/applications/{e.id}").text
    assert name in page
    assert "More about" not in page
    assert f"/referrals?participant={user_id}" not in page


def test_referrals_and_jobs_filtered_to_one_person_say_so(staff, client):
    placed = db.session.scalar(db.select(Placement.participant_id).order_by(Placement.id))
    name = db.session.get(User, placed).name
    page = client.get(f"/placements?participant={placed}").text
    assert f"Only the jobs of {name}." in page
    assert 'href="/placements">Show every job' in page
    assert "Only the jobs" not in client.get("/placements").text

    referred = db.session.scalar(db.select(Referral.participant_id).order_by(Referral.id))
    name = db.session.get(User, referred).name
    page = client.get(f"/referrals?participant={referred}").text
    assert f"Only the referrals of {name}." in page
    assert 'href="/referrals">Show every referral' in page
    assert "Only the referrals" not in client.get("/referrals").text


def test_a_day_alone_is_shown_without_a_zone_name_and_a_time_with_one():
    from datetime import UTC, datetime

    from coop.core.timezones import format_local

    when = datetime(2026, 9, 7, 16, 0, tzinfo=UTC)
    assert format_local(when, "America/New_York", "%-d %b %Y") == "7 Sep 2026"
    assert format_local(when, "America/New_York") == "Mon 7 Sep 2026, 12:00 EDT"


def test_cohort_pages_link_counts_and_names_to_the_detail(staff, client):
    e = enrollment_in(Stage.ENROLLED)
    cohort_id, user_id = e.cohort_id, e.user_id
    overview = client.get(f"/cohorts/{cohort_id}").text
    # Each stage count opens the applications at that stage.
    for stage in Stage:
        assert f'href="/cohorts/{cohort_id}/applications?stage={stage.value}"' in overview
    attendance = client.get(f"/cohorts/{cohort_id}/attendance").text
    assert f'href="/coaching/cohorts/{cohort_id}/participants/{user_id}"' in attendance
    roster = client.get(f"/cohorts/{cohort_id}/roster").text
    assert not re.search(r"\d{4} E[DS]T<", roster)  # join dates carry no zone name


def test_a_cancelled_session_says_so_rather_than_upcoming(staff, client):
    from coop.sessions.models import SessionStatus, VirtualSession

    session = db.session.scalar(
        db.select(VirtualSession).where(VirtualSession.status == SessionStatus.CANCELLED)
    )
    page = client.get(f"/cohorts/{session.cohort_id}/sessions").text
    row = page[page.index(session.title) :].split("</tr>", 1)[0]
    assert "no session" in row and "upcoming" not in row


def test_each_cohort_in_the_outcomes_table_opens_its_page(staff, client):
    ids = list(db.session.scalars(db.select(Cohort.id)))
    page = client.get("/reports/outcomes").text
    for cohort_id in ids:
        assert f'<a href="/cohorts/{cohort_id}">' in page


def test_lineage_links_each_cohort_and_returning_captain(staff, client):
    from coop.coaching.models import AlumniCaptain

    chicago = db.session.scalar(db.select(City).where(City.name == "Chicago"))
    captain_ids = set(
        db.session.scalars(
            db.select(AlumniCaptain.user_id)
            .join(Cohort, Cohort.id == AlumniCaptain.graduated_from_id)
            .where(Cohort.city_id == chicago.id)
        )
    )
    cohort_ids = set(db.session.scalars(db.select(Cohort.id).where(Cohort.city_id == chicago.id)))
    assert captain_ids and cohort_ids
    page = client.get(f"/coaching/lineage?city={chicago.slug}").text
    links = hrefs(page)
    assert {f"/cohorts/{i}" for i in cohort_ids} <= links
    assert {f"/coaching/captains/{i}" for i in captain_ids} <= links
    for i in captain_ids:
        assert client.get(f"/coaching/captains/{i}").status_code == 200


def test_withdrawing_says_who_left_which_cohort(staff, client):
    e = enrollment_in(Stage.ENROLLED)
    name, cohort_id, cohort_name = e.user.name, e.cohort_id, e.cohort.name
    r = client.post(
        f"/cohorts/{cohort_id}/applications/{e.id}/withdraw",
        data={"reason": "Moved away"},
        follow_redirects=True,
    )
    assert f"{name} is withdrawn from {cohort_name}." in r.text
    assert db.session.get(Enrollment, e.id).stage == Stage.WITHDRAWN


def test_saving_a_cohort_names_the_changed_fields_in_words(staff, client, factory):
    cohort = db.session.scalar(db.select(Cohort).where(Cohort.status == CohortStatus.PLANNED))
    new_track = factory.track()
    db.session.commit()
    data = {
        "name": cohort.name,
        "city_id": str(cohort.city_id),
        "track_id": str(new_track.id),
        "sponsor_id": "",
        "start_date": cohort.start_date.isoformat(),
        "end_date": cohort.end_date.isoformat(),
        "capacity": "20",
        "meeting_days": cohort.meeting_days.split(","),
        "meeting_time": cohort.meeting_time.strftime("%H:%M"),
        "video_link": cohort.video_link,
        "status": cohort.status.value,
    }
    r = client.post(f"/cohorts/{cohort.id}/edit", data=data, follow_redirects=True)
    assert "Saved: track, capacity." in r.text


def test_graduate_search_has_a_visible_label(staff, client):
    page = client.get("/coaching/graduates").text
    assert '<label class="form-label small mb-1" for="q">Search by name or email</label>' in page
    assert "placeholder=" not in page


def test_coverage_on_a_phone_keeps_the_share_and_its_base_together(staff, client):
    page = client.get("/coaching/coverage").text
    # The enrolled and checked-in columns hide on a phone; their figures follow the share.
    assert re.search(r'\d+%<div class="small[^"]*d-sm-none">\d+ of \d+</div>', page)


def test_long_paginations_wrap_on_a_phone(staff, client):
    page = client.get("/people?page=4").text
    assert '<ul class="pagination flex-wrap mb-0">' in page
    assert 'class="d-flex flex-wrap align-items-center gap-3 mt-3"' in page


@pytest.mark.parametrize(
    ("url", "phone_line"),
    [
        # Hidden columns on a phone come back as a line under the name or title.
        ("/referrals", r'<div class="small text-body-secondary d-md-none">[^<]+</div></td>'),
        ("/placements", r'<div class="small text-body-secondary d-md-none">[^<]+ · from '),
        ("/follow-ups", r'<div class="small text-body-secondary text-nowrap d-md-none">due '),
    ],
)
def test_job_lists_fold_their_columns_on_a_phone(staff, client, url, phone_line):
    page = client.get(url).text
    assert 'class="d-none d-md-table-cell"' in page
    assert re.search(phone_line, page)


def test_more_staff_tables_fold_their_columns_on_a_phone(staff, client):
    e = enrollment_in(Stage.WAITLISTED, CohortStatus.RECRUITING)
    waitlist = client.get(f"/cohorts/{e.cohort_id}/waitlist").text
    assert re.search(r'<div class="small text-body-secondary d-md-none">waitlisted \d', waitlist)
    outreach = client.get("/outreach").text
    assert re.search(r'd-md-none">[^<]+ · <a href="/outreach/\d+/edit">Edit</a>', outreach)
    partners = client.get("/partners").text
    assert '<div class="small text-body-secondary d-md-none">employer · ' in partners
    cities = client.get("/cities").text
    assert '<div class="small text-body-secondary d-sm-none">America/New_York</div>' in cities


def test_the_application_queue_summarises_each_applicant_on_a_phone(staff, client):
    e = enrollment_in(Stage.APPLIED, CohortStatus.RECRUITING)
    page = client.get(f"/cohorts/{e.cohort_id}/applications?stage=applied").text
    assert re.search(r'<div class="small d-lg-none">[^<]+ · first-gen (yes|no|—), low-income', page)
    assert '<th scope="col" class="d-none d-lg-table-cell">Education</th>' in page


def test_attendance_is_a_cohort_tab_of_its_own(staff, client):
    e = enrollment_in(Stage.ENROLLED)
    cohort_id = e.cohort_id
    overview = client.get(f"/cohorts/{cohort_id}").text
    assert f'href="/cohorts/{cohort_id}/attendance">Attendance</a>' in overview
    page = client.get(f"/cohorts/{cohort_id}/attendance").text
    active = re.search(r'nav-link text-nowrap active"\s+aria-current="page"\s+href="([^"]+)"', page)
    assert active and active.group(1) == f"/cohorts/{cohort_id}/attendance"


def test_the_cohort_list_shows_seats_taken_of_capacity(staff, client):
    cohort = db.session.scalar(db.select(Cohort).where(Cohort.status == CohortStatus.ACTIVE))
    taken, capacity = cohort.seats_taken, cohort.capacity
    assert taken
    page = client.get("/cohorts").text
    assert "Seats taken" in page
    assert f">{taken} / {capacity}</td>" in page


def test_people_role_filters_are_plural(staff, client):
    page = client.get("/people").text
    assert 'href="/people?role=captain">Captains</a>' in page
    assert 'href="/people?role=participant">Participants</a>' in page


def test_a_referral_links_to_its_cohort_and_the_persons_other_referrals(staff, client):
    r = db.session.scalar(db.select(Referral).order_by(Referral.id))
    rid, cohort_id, pid = r.id, r.cohort_id, r.participant_id
    page = client.get(f"/referrals/{rid}").text
    links = hrefs(page)
    assert {
        f"/cohorts/{cohort_id}",
        f"/referrals?participant={pid}",
        f"/placements?participant={pid}",
    } <= links


def test_a_team_without_captains_says_what_to_do_about_pods(staff, client):
    cohort_id = db.session.scalar(
        db.select(Cohort.id).where(Cohort.status == CohortStatus.PLANNED).order_by(Cohort.id)
    )
    page = client.get(f"/coaching/cohorts/{cohort_id}/team").text
    assert "No captains on this team yet." in page
    assert "Add captains to the team, then balance the pods" in page
    assert '"Balance pods" places the people in no pod' not in page


def test_cohort_coverage_says_what_its_numbers_count(staff, client):
    cohort = db.session.scalar(db.select(Cohort).where(Cohort.status == CohortStatus.ACTIVE))
    cohort_id, days = cohort.id, cohort.checkin_overdue_days
    page = client.get(f"/coaching/cohorts/{cohort_id}/coverage").text
    assert re.search(r"\d+ of \d+ people", page)
    assert f"no check-in for {days} days or more" in page


@pytest.mark.parametrize("url", ["/referrals/new", "/placements/new"])
def test_people_pickers_name_the_cohorts_city(staff, client, url):
    # "Data Analytics · April 2027" runs in New York and in Chicago.
    page = client.get(url).text
    assert re.search(
        r"<label class=\"form-check-label\" for=\"participant_id-\d+\">[^<]+ · [^<]+ "
        r"\((New York|Chicago)\)</label>",
        page,
    )
