"""The public application: the list of recruiting cohorts, the form, its validation,
duplicates, matching existing people and alumni referrals."""

import pytest

from coop.auth.models import ParticipantProfile, Role, User
from coop.enrollment.models import Enrollment, EnrollmentEvent, HeardVia, Stage
from coop.extensions import db
from coop.programs.models import CohortStatus, PartnerKind


def _enrollments(cohort):
    return list(db.session.scalars(db.select(Enrollment).where(Enrollment.cohort_id == cohort.id)))


def test_public_list_shows_recruiting_cohorts_only(client, factory, recruiting):
    city = factory.city(name="Oakland")
    open_one = recruiting(city=city, track=factory.track(name="Data Analytics"))
    factory.cohort(city=city, name="Running now", status=CohortStatus.ACTIVE)
    factory.cohort(city=city, name="Later", status=CohortStatus.PLANNED)
    recruiting(city=city, name="Hidden", archived=True)

    response = client.get("/apply")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Oakland" in page and "Data Analytics" in page
    assert f"/apply/{open_one.id}" in page
    assert "Running now" not in page and "Later" not in page and "Hidden" not in page


def test_form_only_for_recruiting_cohorts(client, factory, form_data, snapshot):
    active = factory.cohort(status=CohortStatus.ACTIVE)
    before = snapshot()
    for response in (
        client.get(f"/apply/{active.id}"),
        client.get("/apply/999999"),
        client.post(f"/apply/{active.id}", data=form_data(active)),
    ):
        # An old link lands on the cohorts open now, with a word on why.
        assert response.status_code == 302 and response.headers["Location"] == "/apply"
    assert snapshot() == before
    assert "That cohort is not taking applications" in client.get("/apply").get_data(as_text=True)


def test_application_creates_a_password_less_participant(client, recruiting, form_data, outbox):
    cohort = recruiting()

    response = client.post(f"/apply/{cohort.id}", data=form_data(cohort))

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/apply/{cohort.id}/thanks")
    user = db.session.scalar(db.select(User).where(User.email == "rosa.alvarez@example.org"))
    assert user.role == Role.PARTICIPANT and user.password_hash is None
    assert user.name == "Rosa Alvarez"
    profile = db.session.get(ParticipantProfile, user.id)
    assert profile.college == "Lehman College" and profile.graduation_year == 2024
    assert profile.first_generation is True and profile.low_income is True
    assert profile.intake_job_title == "Retail associate" and profile.intake_salary == 30000
    [enrollment] = _enrollments(cohort)
    assert enrollment.stage == Stage.APPLIED and enrollment.user_id == user.id
    assert enrollment.salary_band == "25-35k" and enrollment.heard_via == HeardVia.OTHER
    assert enrollment.heard_other == "A flyer at the library"
    assert enrollment.consented_at is not None
    [event] = db.session.scalars(
        db.select(EnrollmentEvent).where(EnrollmentEvent.enrollment_id == enrollment.id)
    ).all()
    assert event.from_stage is None and event.to_stage == Stage.APPLIED
    assert [m.to for m in outbox] == [["rosa.alvarez@example.org"]]
    thanks = client.get(response.headers["Location"])
    assert "Thank you for applying" in thanks.get_data(as_text=True)


def test_same_email_twice_answers_as_the_first_time_and_reminds_the_address(
    client, recruiting, form_data, snapshot, outbox
):
    cohort = recruiting()
    first = client.post(f"/apply/{cohort.id}", data=form_data(cohort))
    before = snapshot()
    outbox.clear()

    response = client.post(
        f"/apply/{cohort.id}", data=form_data(cohort, email="ROSA.alvarez@example.org ")
    )

    # A visitor cannot learn from the form whether some address has applied: the same
    # answer as a first application. The address's owner is told by email instead.
    assert response.status_code == 302
    assert response.headers["Location"] == first.headers["Location"]
    assert snapshot() == before
    assert len(_enrollments(cohort)) == 1
    [reminder] = outbox
    assert reminder.to == ["rosa.alvarez@example.org"]
    assert reminder.subject.startswith("You have already applied to")
    assert "no need to apply again" in reminder.body


def test_existing_person_is_matched_by_email_and_keeps_their_profile(
    client, factory, recruiting, form_data
):
    alumna = factory.user(Role.PARTICIPANT, email="rosa.alvarez@example.org", name="Rosa A.")
    alumna.profile.intake_salary = 28000
    alumna.profile.college = "Hunter College"
    db.session.flush()
    cohort = recruiting()

    client.post(f"/apply/{cohort.id}", data=form_data(cohort))

    assert db.session.scalar(db.select(db.func.count(User.id))) >= 1
    [enrollment] = _enrollments(cohort)
    assert enrollment.user_id == alumna.id
    db.session.refresh(alumna)
    # A public form never overwrites an account: only blanks are filled.
    assert alumna.name == "Rosa A."
    assert alumna.profile.intake_salary == 28000 and alumna.profile.college == "Hunter College"
    assert alumna.profile.intake_job_title == "Retail associate"
    # The application keeps what was said.
    assert enrollment.college == "Lehman College"


def test_staff_email_cannot_apply(client, factory, recruiting, form_data, snapshot):
    staff = factory.user(Role.STAFF)
    cohort = recruiting()
    before = snapshot()

    response = client.post(f"/apply/{cohort.id}", data=form_data(cohort, email=staff.email))

    assert response.status_code == 200
    assert "cannot be used for an application" in response.get_data(as_text=True)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Tell us your name."),
        ("email", "", "Enter your email address: we write to you there."),
        ("email", "not-an-email", "Enter a valid email address."),
        ("phone", "call me", "Use digits, spaces"),
        ("college", "", "Enter the college you graduated from."),
        ("graduation_year", "", "Enter the year you graduated."),
        ("graduation_year", "1890", "Enter a year between 1950"),
        ("graduation_year", "soon", "Not a valid integer value."),
        ("first_generation", None, "Choose yes or no."),
        ("low_income", "maybe", "Choose yes or no."),
        ("job_title", "", "Enter your job title, or “Not working”."),
        ("salary_band", "", "Choose a salary range."),
        ("salary_band", "a-million", "Not a valid choice."),
        ("heard_via", None, "Tell us how you heard about coop."),
        ("consent", None, "You must agree to the privacy notice to apply."),
        ("name", "x" * 121, "Field cannot be longer than 120 characters."),
    ],
)
def test_bad_input_redisplays_with_a_message_and_saves_nothing(
    client, recruiting, form_data, snapshot, outbox, field, value, message
):
    cohort = recruiting()
    before = snapshot()

    response = client.post(f"/apply/{cohort.id}", data=form_data(cohort, **{field: value}))

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page
    assert "Please correct the fields marked below." in page
    # The rest of what was typed is still there.
    assert "Lehman College" in page or field == "college"
    assert snapshot() == before
    assert outbox == []


def test_alumnus_needs_a_name_and_partner_needs_a_choice(client, recruiting, form_data, snapshot):
    cohort = recruiting()
    before = snapshot()

    one = client.post(f"/apply/{cohort.id}", data=form_data(cohort, heard_via="alumnus"))
    two = client.post(f"/apply/{cohort.id}", data=form_data(cohort, heard_via="partner"))

    assert "Tell us the alumnus’s name or email." in one.get_data(as_text=True)
    assert "Choose the community partner." in two.get_data(as_text=True)
    assert snapshot() == before


def test_community_partner_is_recorded(client, factory, recruiting, form_data):
    partner = factory.partner(name="Bronx Works", kind=PartnerKind.COMMUNITY)
    factory.partner(name="Acme Corp", kind=PartnerKind.EMPLOYER)
    cohort = recruiting()
    page = client.get(f"/apply/{cohort.id}").get_data(as_text=True)
    assert "Bronx Works" in page and "Acme Corp" not in page

    client.post(
        f"/apply/{cohort.id}",
        data=form_data(cohort, heard_via="partner", partner=str(partner.id)),
    )

    [enrollment] = _enrollments(cohort)
    assert enrollment.heard_via == HeardVia.PARTNER
    assert enrollment.referral_partner_id == partner.id


@pytest.mark.parametrize("named_by", ["email", "name"])
def test_naming_an_alumnus_links_the_application(
    client, factory, applicant, recruiting, form_data, named_by
):
    old = factory.cohort(status=CohortStatus.COMPLETED)
    graduate = applicant(old, Stage.GRADUATED, name="Imani Okafor").user
    cohort = recruiting()
    text = graduate.email.upper() if named_by == "email" else "imani okafor"

    client.post(f"/apply/{cohort.id}", data=form_data(cohort, heard_via="alumnus", referrer=text))

    [enrollment] = _enrollments(cohort)
    assert enrollment.referred_by_id == graduate.id
    assert enrollment.referrer_text == text


def test_unknown_or_ambiguous_alumnus_is_kept_as_text_only(
    client, factory, applicant, recruiting, form_data
):
    old = factory.cohort(status=CohortStatus.COMPLETED)
    applicant(old, Stage.GRADUATED, name="Sam Lee")
    applicant(old, Stage.GRADUATED, name="Sam Lee")
    not_a_graduate = applicant(old, Stage.WITHDRAWN, name="Jo Park").user
    cohort = recruiting()

    client.post(
        f"/apply/{cohort.id}", data=form_data(cohort, heard_via="alumnus", referrer="Sam Lee")
    )
    client.post(
        f"/apply/{cohort.id}",
        data=form_data(
            cohort, email="other@example.org", heard_via="alumnus", referrer=not_a_graduate.email
        ),
    )

    rows = _enrollments(cohort)
    assert len(rows) == 2
    assert all(e.referred_by_id is None for e in rows)
    assert {e.referrer_text for e in rows} == {"Sam Lee", not_a_graduate.email}


def test_form_has_csrf_protection(client, recruiting, form_data, csrf_enabled, snapshot):
    cohort = recruiting()
    before = snapshot()
    response = client.post(f"/apply/{cohort.id}", data=form_data(cohort))
    assert response.status_code == 400
    assert snapshot() == before


def test_applying_is_rate_limited(client, recruiting, form_data):
    cohort = recruiting()
    statuses = [
        client.post(f"/apply/{cohort.id}", data=form_data(cohort, email="")).status_code
        for _ in range(21)
    ]
    assert statuses[:20] == [200] * 20
    assert statuses[20] == 429


def test_privacy_notice_is_public(client):
    response = client.get("/apply/privacy")
    assert response.status_code == 200
    assert "Privacy notice" in response.get_data(as_text=True)


def test_the_root_page_sends_visitors_to_the_cohorts_recruiting(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.location == "/apply"
    page = client.get("/apply").get_data(as_text=True)
    assert 'href="/login">Sign in</a>' in page


def test_the_root_page_still_sends_people_signed_in_home(client, login_as):
    login_as("staff")
    assert client.get("/").location != "/apply"
