"""Partner volunteers as captains: appointed from a partner's contacts, flagged as such
on the captain lists, the team and the lineage page; the captain rules still hold."""

import sqlalchemy as sa

from coop.auth.models import Role, User
from coop.coaching import services
from coop.coaching.models import AlumniCaptain, CaptainAssignment
from coop.enrollment.models import Stage
from coop.extensions import db
from coop.referrals.models import PartnerContact


def _contact(partner, name="Morgan Lee", email="morgan@acme.example"):
    contact = PartnerContact(partner_id=partner.id, name=name, email=email)
    db.session.add(contact)
    db.session.flush()
    return contact


def test_staff_appoint_a_contact_as_volunteer_and_they_are_invited(
    client, login_as, factory, outbox
):
    city = factory.city()
    acme = factory.partner("Acme Corp", city=city)
    contact = _contact(acme)
    db.session.commit()
    login_as("staff")
    assert (
        client.get(f"/partners/{acme.id}")
        .get_data(as_text=True)
        .count("Appoint a volunteer captain")
    )
    response = client.post(
        f"/partners/{acme.id}/volunteers/new", data={"contact_id": str(contact.id)}
    )
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "morgan@acme.example"))
    assert user.role == Role.CAPTAIN and user.name == "Morgan Lee"
    appt = db.session.scalar(sa.select(AlumniCaptain).where(AlumniCaptain.user_id == user.id))
    assert appt.is_partner_volunteer and appt.partner_id == acme.id
    assert appt.partner_contact_id == contact.id and appt.graduated_from_id is None
    assert any(m.to == [user.email] and "invited" in m.subject for m in outbox)
    detail = client.get(response.location).get_data(as_text=True)
    assert "Volunteer · <strong>Acme Corp</strong>" in detail and "partner volunteer" in detail
    assert "Volunteer · Acme Corp" in client.get("/coaching/captains").get_data(as_text=True)
    # Twice is refused, nothing more written.
    again = client.post(f"/partners/{acme.id}/volunteers/new", data={"contact_id": str(contact.id)})
    assert again.status_code == 200 and "already a captain" in again.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(AlumniCaptain.id))) == 1


def test_an_existing_account_is_reused_and_a_contact_without_email_is_refused(
    client, login_as, factory
):
    acme = factory.partner("Acme Corp")
    existing = factory.user("participant", email="jo@acme.example", name="Jo")
    with_account = _contact(acme, "Jo Acme", "jo@acme.example")
    no_email = _contact(acme, "No Mail", None)
    db.session.commit()
    login_as("staff")
    refused = client.post(
        f"/partners/{acme.id}/volunteers/new", data={"contact_id": str(no_email.id)}
    )
    assert refused.status_code == 200 and "no email" in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(AlumniCaptain.id))) == 0
    client.post(f"/partners/{acme.id}/volunteers/new", data={"contact_id": str(with_account.id)})
    db.session.expire_all()
    assert db.session.get(User, existing.id).role == Role.CAPTAIN
    assert (
        db.session.scalar(sa.select(sa.func.count(User.id)).where(User.email == "jo@acme.example"))
        == 1
    )


def test_city_staff_cannot_appoint_from_another_citys_partner(client, login_as, factory):
    other = factory.partner("Faraway Inc", city=factory.city())
    contact = _contact(other)
    db.session.commit()
    login_as("city_staff")
    for method in ("get", "post"):
        response = getattr(client, method)(
            f"/partners/{other.id}/volunteers/new", data={"contact_id": str(contact.id)}
        )
        assert response.status_code == 404
    login_as("participant")
    assert client.get(f"/partners/{other.id}/volunteers/new").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(AlumniCaptain.id))) == 0


def test_volunteers_join_teams_under_the_usual_rules_and_show_on_team_and_lineage(
    app, client, login_as, factory, coach
):
    city = factory.city()
    acme = factory.partner("Acme Corp", city=city)
    staff = factory.user("staff")
    with app.test_request_context():  # the invitation's link
        appt = services.appoint_partner_volunteer(
            name="Morgan Lee",
            email="morgan@acme.example",
            partner=acme,
            contact_id=_contact(acme).id,
            actor=staff,
        )
    volunteer = db.session.get(User, appt.user_id)
    cohort = factory.cohort(city=city)
    lead = coach.assign(cohort, is_lead=True)
    db.session.commit()
    login_as(staff)
    team_page = client.get(f"/coaching/cohorts/{cohort.id}/team").get_data(as_text=True)
    assert "Morgan Lee (volunteer · Acme Corp)" in team_page  # among the choices
    response = client.post(
        f"/coaching/cohorts/{cohort.id}/team",
        data={"captain": str(volunteer.id), "max_participants": "60", "is_lead": "y"},
    )
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).where(CaptainAssignment.captain_id == volunteer.id)
        )
        == 0
    )  # a pod above the maximum is refused
    response = client.post(
        f"/coaching/cohorts/{cohort.id}/team",
        data={"captain": str(volunteer.id), "max_participants": "5", "is_lead": "y"},
    )
    assert response.status_code == 302
    leads = db.session.scalars(
        sa.select(CaptainAssignment.captain_id).where(
            CaptainAssignment.cohort_id == cohort.id,
            CaptainAssignment.is_lead,
            CaptainAssignment.ended_at.is_(None),
        )
    ).all()
    assert leads == [volunteer.id] and lead.captain_id != volunteer.id  # one lead
    assert "Volunteer · Acme Corp" in client.get(f"/coaching/cohorts/{cohort.id}/team").get_data(
        as_text=True
    )
    lineage = client.get(f"/coaching/lineage?city={city.slug}").get_data(as_text=True)
    assert "Partner volunteers on the team" in lineage and "Volunteer · Acme Corp" in lineage


def test_never_a_cohort_they_are_in(factory, coach):
    city = factory.city()
    acme = factory.partner("Acme Corp", city=city)
    cohort = factory.cohort(city=city)
    person = factory.user("participant", email="lee@acme.example")
    factory.enrollment(cohort=cohort, user=person, stage=Stage.ENROLLED)
    appt = services.appoint_partner_volunteer(
        name="Lee",
        email="lee@acme.example",
        partner=acme,
        contact_id=_contact(acme).id,
        actor=None,
    )
    user = db.session.get(User, appt.user_id)
    try:
        services.add_to_team(cohort, user, None)
    except services.CoachingError as exc:
        assert "cannot be one of its captains" in str(exc)
    else:
        raise AssertionError("a volunteer joined a cohort they are in")
