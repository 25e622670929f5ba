"""Withdrawing the application consent: recorded, shown to staff, and the person is no
longer put forward for referrals."""

from coop.auth.models import Role, User
from coop.core.models import AuditEvent
from coop.enrollment.models import Stage
from coop.extensions import db
from coop.referrals.queries import referable_people


def test_a_participant_withdraws_and_staff_see_it(client, login_as, factory):
    cohort = factory.cohort()
    person = factory.user(Role.PARTICIPANT, name="Wanda Withdrawn")
    enrollment = factory.enrollment(cohort=cohort, user=person, stage=Stage.ENROLLED)
    staff = factory.user(Role.STAFF)
    assert person.id in referable_people(staff)
    login_as(person)
    assert "Withdraw my consent" in client.get("/account").get_data(as_text=True)
    response = client.post("/account/consent", data={"confirm": "nope"})
    assert response.status_code == 200 and "Type WITHDRAW" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, person.id).consent_withdrawn_at is None
    response = client.post("/account/consent", data={"confirm": "withdraw"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, person.id).consent_withdrawn_at is not None
    assert db.session.scalar(
        db.select(AuditEvent).where(AuditEvent.action == "privacy.consent_withdrawn")
    )
    assert "You withdrew your consent" in client.get("/account").get_data(as_text=True)
    # Staff see it where they see the person, and cannot pick them for a referral.
    assert person.id not in referable_people(staff)
    login_as(staff)
    for url in (
        f"/cohorts/{cohort.id}/applications/{enrollment.id}",
        f"/cohorts/{cohort.id}/roster",
        "/people",
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        assert "onsent withdrawn on" in page.get_data(as_text=True), url


def test_staff_have_no_consent_to_withdraw(client, login_as):
    login_as("staff")
    assert client.get("/account/consent").status_code == 404
    assert "Withdraw my consent" not in client.get("/account").get_data(as_text=True)
