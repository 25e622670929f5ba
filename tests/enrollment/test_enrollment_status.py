"""Applicants: the cohort's form asks no track or city, the "how did you hear" follow-ups
show for the answer picked (CSS, no script), the receipt links to a status page (a signed
link) where they follow their application, and acceptance is one email, not three."""

import re
from datetime import timedelta
from pathlib import Path

import time_machine

from coop.enrollment import status as application_status
from coop.enrollment.models import Enrollment, Stage
from coop.extensions import db


def _apply(client, cohort, form_data, outbox, email="rosa.alvarez@example.org"):
    response = client.post(f"/apply/{cohort.id}", data=form_data(cohort))
    assert response.status_code == 302
    [receipt] = [m for m in outbox if m.to == [email]]
    return receipt


def _status_link(mail) -> str:
    return re.search(r"https?://[^/\s]+(/apply/status/\S+)", mail.body).group(1)


def test_the_cohort_form_asks_no_track_or_city(client, recruiting, form_data):
    cohort = recruiting()
    page = client.get(f"/apply/{cohort.id}").get_data(as_text=True)
    assert 'name="preferred_track"' not in page and 'name="preferred_city"' not in page
    data = form_data(cohort, preferred_track=None, preferred_city=None)
    assert client.post(f"/apply/{cohort.id}", data=data).status_code == 302
    enrollment = db.session.scalar(db.select(Enrollment).where(Enrollment.cohort_id == cohort.id))
    assert enrollment.preferred_city_id == cohort.city_id
    assert enrollment.preferred_track_id == cohort.track_id


def test_the_follow_up_questions_are_tied_to_their_answer_without_script(app, client, recruiting):
    cohort = recruiting()
    page = client.get(f"/apply/{cohort.id}").get_data(as_text=True)
    for answer, field in (
        ("alumnus", "referrer"),
        ("partner", "partner"),
        ("other", "heard_other"),
    ):
        assert re.search(
            rf'class="heard-follow heard-follow-{answer}">\s*<div[^>]*>\s*<label[^>]*for="{field}"',
            page,
        )
    assert "<script>" not in page and " onclick=" not in page
    css = (Path(app.static_folder) / "app.css").read_text(encoding="utf-8")
    assert '.heard:has(input[name="heard_via"]:checked) .heard-follow { display: none; }' in css
    assert '[value="partner"]:checked) .heard-follow-partner' in css


def test_the_receipt_links_to_a_status_page_that_follows_the_application(
    client, login_as, recruiting, form_data, outbox
):
    cohort = recruiting()
    receipt = _apply(client, cohort, form_data, outbox)
    link = _status_link(receipt)
    page = client.get(link).get_data(as_text=True)
    assert "Received: under review" in page
    assert cohort.name in page

    enrollment = db.session.scalar(db.select(Enrollment).where(Enrollment.cohort_id == cohort.id))
    login_as("staff")
    client.post(
        f"/cohorts/{cohort.id}/applications/decide",
        data={"ids": [str(enrollment.id)], "decision": "accept"},
    )
    client.get("/logout")
    page = client.get(link).get_data(as_text=True)
    assert "Accepted: you have a seat" in page
    history = page.split("History", 1)[1]
    assert history.index("Applied") < history.index("Enrolled")


def test_acceptance_is_one_email_with_the_password_link(
    client, login_as, recruiting, form_data, outbox
):
    cohort = recruiting()
    _apply(client, cohort, form_data, outbox)
    outbox.clear()
    enrollment = db.session.scalar(db.select(Enrollment).where(Enrollment.cohort_id == cohort.id))
    login_as("staff")
    client.post(
        f"/cohorts/{cohort.id}/applications/decide",
        data={"ids": [str(enrollment.id)], "decision": "accept"},
    )
    [mail] = [m for m in outbox if m.to == ["rosa.alvarez@example.org"]]
    assert mail.subject.startswith("You are enrolled in")
    assert "You have a seat in" in mail.body and "/invite/" in mail.body
    assert db.session.get(Enrollment, enrollment.id).stage == Stage.ENROLLED


def test_a_bad_or_tampered_or_expired_link_is_404(client, recruiting, form_data, outbox, app):
    cohort = recruiting()
    link = _status_link(_apply(client, cohort, form_data, outbox))
    assert client.get(link[:-3] + "abc").status_code == 404
    assert client.get("/apply/status/nonsense").status_code == 404
    enrollment = db.session.scalar(db.select(Enrollment).where(Enrollment.cohort_id == cohort.id))
    with app.test_request_context():
        # Someone else's enrollment id under this person's signature does not open.
        forged = application_status._serializer().dumps({"e": enrollment.id, "u": 999999})
    assert client.get(f"/apply/status/{forged}").status_code == 404
    # Past its lifetime (a year): the link no longer opens.
    later = db.session.get(Enrollment, enrollment.id).created_at + timedelta(days=400)
    with time_machine.travel(later, tick=False):
        assert client.get(link).status_code == 404
