"""Someone who only applied has an account without a password: "forgot your password"
must not open it before an enrollment (or staff) invites them."""

from coop.auth import services
from coop.auth.models import User
from coop.extensions import db
from coop.programs.models import CohortStatus


def _apply(client, cohort, email):
    form = {
        "name": "Nia Applicant",
        "email": email,
        "college": "Hunter College",
        "graduation_year": "2024",
        "first_generation": "yes",
        "low_income": "yes",
        "job_title": "Barista",
        "salary_band": "25-35k",
        "preferred_track": str(cohort.track_id),
        "preferred_city": str(cohort.city_id),
        "heard_via": "other",
        "consent": "y",
    }
    assert client.post(f"/apply/{cohort.id}", data=form).status_code == 302
    return db.session.scalar(db.select(User).where(User.email == email))


def test_an_applicant_gets_no_password_link_until_invited(app, client, factory, outbox):
    cohort = factory.cohort(status=CohortStatus.RECRUITING)
    db.session.commit()
    applicant = _apply(client, cohort, "nia@example.org")
    assert applicant.password_hash is None
    outbox.clear()

    response = client.post("/reset", data={"email": "nia@example.org"})

    # The same answer as for any address, and no link.
    assert (response.status_code, response.location) == (302, "/login")
    assert outbox == []

    # Enrolled, they are invited; a lost or expired invitation can then be replaced.
    with app.test_request_context():
        services.send_invitation(applicant)
    db.session.commit()
    outbox.clear()
    client.post("/reset", data={"email": "nia@example.org"})
    [message] = outbox
    assert message.to == ["nia@example.org"] and "/reset/" in message.body


def test_people_with_a_password_still_get_their_link(client, factory, outbox):
    user = factory.user(email="ada@example.org")
    db.session.commit()
    client.post("/reset", data={"email": user.email})
    assert [m.to for m in outbox] == [["ada@example.org"]]
