"""Career profiles: the person writes, submits, hides; staff approve or return with a
reason; the résumé is a real PDF of at most 2 MB, served as an attachment with no-store
to the person, staff, and partners whose introduction the person accepted."""

import io

import pytest

from coop.extensions import db
from coop.talent import services
from coop.talent.models import CareerProfile, ProfileStatus, Resume
from tests.talent.conftest import PDF


def _profile(user):
    return db.session.scalar(db.select(CareerProfile).where(CareerProfile.user_id == user.id))


def test_participant_writes_and_submits_a_profile(client, login_as, tw):
    new = tw.dana  # enrolled, with a draft
    login_as(new)
    page = client.get("/me/career").get_data(as_text=True)
    assert "Your career profile" in page and "Tableau" in page  # the track's vocabulary
    response = client.post(
        "/me/career",
        data={
            "headline": "Analyst with a retail past",
            "summary": "Five years in stores.",
            "skills": ["SQL", "Tableau"],
            "tags": "Looker, looker , dbt",
            "target_roles": "Data analyst",
            "city_id": str(tw.city.id),
            "remote": "y",
            "linkedin_url": "HTTPS://www.linkedin.com/in/dana",
        },
    )
    assert response.status_code == 302
    profile = _profile(new)
    assert profile.headline == "Analyst with a retail past"
    assert profile.skills == ["SQL", "Tableau", "Looker", "dbt"]
    assert profile.linkedin_url == "https://www.linkedin.com/in/dana"
    assert profile.status == ProfileStatus.DRAFT
    assert client.post("/me/career/submit").status_code == 302
    assert _profile(new).status == ProfileStatus.SUBMITTED
    assert "waiting for review" in client.get("/me/career").get_data(as_text=True)


def test_a_link_that_is_not_https_is_refused_and_nothing_changes(client, login_as, tw):
    login_as(tw.pat)
    before = _profile(tw.pat).linkedin_url
    response = client.post(
        "/me/career",
        data={"headline": "New headline", "linkedin_url": "http://example.org/me"},
    )
    assert response.status_code == 200
    assert "https://" in response.get_data(as_text=True)
    db.session.expire_all()
    assert _profile(tw.pat).headline != "New headline"
    assert _profile(tw.pat).linkedin_url == before


def test_editing_an_approved_profile_sends_it_back_to_review(client, login_as, tw):
    login_as(tw.pat)
    response = client.post("/me/career", data={"headline": "Senior-ish data analyst"})
    assert response.status_code == 302
    db.session.expire_all()
    assert _profile(tw.pat).status == ProfileStatus.SUBMITTED


def test_staff_approve_and_return_with_a_reason(client, login_as, tw, tf):
    profile = tw.dana_profile
    services.submit_profile(profile, tw.dana)
    db.session.commit()
    login_as("staff")
    review = client.get("/talent/review").get_data(as_text=True)
    assert "Dana Draft" in review
    assert client.post(f"/talent/{profile.id}/return", data={"reason": ""}).status_code == 302
    db.session.expire_all()
    assert _profile(tw.dana).status == ProfileStatus.SUBMITTED  # no reason: nothing changed
    client.post(f"/talent/{profile.id}/return", data={"reason": "Add your target roles."})
    db.session.expire_all()
    assert _profile(tw.dana).status == ProfileStatus.RETURNED
    login_as(tw.dana)
    assert "Add your target roles." in client.get("/me/career").get_data(as_text=True)
    client.post("/me/career/submit")
    login_as("staff")
    client.post(f"/talent/{profile.id}/approve")
    db.session.expire_all()
    assert _profile(tw.dana).status == ProfileStatus.APPROVED


def test_city_staff_of_another_city_cannot_review(client, login_as, tw, factory):
    services.submit_profile(tw.dana_profile, tw.dana)
    db.session.commit()
    login_as("city_staff", cities=[factory.city(name="Elsewhere")])
    assert client.post(f"/talent/{tw.dana_profile.id}/approve").status_code == 404
    assert "Dana Draft" not in client.get("/talent/review").get_data(as_text=True)
    db.session.expire_all()
    assert _profile(tw.dana).status == ProfileStatus.SUBMITTED


def test_hiding_takes_the_profile_away_from_partners_at_once(client, login_as, tw):
    login_as(tw.partner_user)
    assert client.get(f"/talent/{tw.pat_profile.id}").status_code == 200
    login_as(tw.pat)
    client.post("/me/career/hide")
    login_as(tw.partner_user)
    assert client.get(f"/talent/{tw.pat_profile.id}").status_code == 404
    assert "Pat Doe" not in client.get("/talent").get_data(as_text=True)
    login_as(tw.pat)
    client.post("/me/career/show")
    login_as(tw.partner_user)
    assert client.get(f"/talent/{tw.pat_profile.id}").status_code == 200


def test_a_resume_over_2_mb_is_refused(tw):
    big = b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024) + b"\n%%EOF"
    with pytest.raises(services.TalentError, match="2 MB"):
        services.upload_resume(tw.pat_profile, tw.pat, "big.pdf", big)
    assert db.session.get(Resume, tw.pat_profile.id) is None


def _upload(client, data, name="cv.pdf"):
    return client.post(
        "/me/career/resume",
        data={"resume": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize(
    "data,name",
    [
        (b"GIF89a not a pdf at all", "cv.pdf"),  # the name says PDF, the bytes do not
        (b"", "empty.pdf"),
    ],
)
def test_a_resume_that_is_not_a_small_pdf_is_refused(client, login_as, tw, data, name):
    login_as(tw.pat)
    response = _upload(client, data, name)
    assert response.status_code in (302, 413)
    assert db.session.get(Resume, tw.pat_profile.id) is None


def test_the_resume_goes_only_to_allowed_viewers_as_a_no_store_attachment(
    client, login_as, tw, app
):
    login_as(tw.pat)
    assert _upload(client, PDF, "Pat Doe CV.pdf").status_code == 302
    own = client.get("/me/career/resume")
    assert own.status_code == 200 and own.data == PDF
    assert own.headers["Content-Type"] == "application/pdf"
    assert own.headers["Content-Disposition"].startswith("attachment;")
    assert "no-store" in own.headers["Cache-Control"]

    # A partner sees it only after the person accepted their introduction.
    login_as(tw.partner_user)
    assert client.get(f"/talent/{tw.pat_profile.id}/resume").status_code == 404
    with app.test_request_context():
        intro = services.request_introduction(tw.contact, tw.partner_user, tw.pat_profile)
        services.answer_introduction(intro, tw.pat, True)
    db.session.commit()
    got = client.get(f"/talent/{tw.pat_profile.id}/resume")
    assert got.status_code == 200 and got.data == PDF
    assert "no-store" in got.headers["Cache-Control"]
    # The other partner, who was never introduced, does not.
    login_as(tw.other_partner_user)
    assert client.get(f"/talent/{tw.pat_profile.id}/resume").status_code == 404
    # Staff of the person's city do; another participant does not.
    login_as("staff")
    assert client.get(f"/talent/{tw.pat_profile.id}/resume").status_code == 200
    login_as(tw.sam)
    assert client.get(f"/talent/{tw.pat_profile.id}/resume").status_code == 404


def test_partners_never_see_private_fields(client, login_as, tw):
    tw.pat.profile.phone = "+1 555 0100"
    tw.pat.profile.intake_salary = 31234
    tw.pat.profile.first_generation = True
    db.session.commit()
    login_as(tw.partner_user)
    page = client.get(f"/talent/{tw.pat_profile.id}").get_data(as_text=True)
    assert "Data analyst who loves SQL dashboards" in page
    for secret in ("555 0100", "31234", "31,234", "irst-gen", "ttendance", tw.pat.email):
        assert secret not in page
