"""Captain requests: staff ask a graduate; they accept (joining the team) or decline with
a reason; requests expire; the rules of the team still hold; permissions and IDOR."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine
from flask import current_app

from coop.auth.models import Role
from coop.coaching import requests
from coop.coaching.models import AlumniCaptain, CaptainAssignment
from coop.coaching.request_models import CaptainRequest, RequestStatus
from coop.core import clock
from coop.enrollment.models import Stage
from coop.extensions import db
from coop.programs.models import CohortStatus
from tests.enrollment.conftest import commit_setup


@pytest.fixture
def setting(factory, coach):
    city = factory.city()
    old = coach.past_cohort(city=city)
    grad = coach.graduate(cohort=old, name="Gia Graduate", email="gia@example.org")
    new = factory.cohort(
        city=city,
        track=None,
        status=CohortStatus.PLANNED,
        start_date=clock.today_in(city.timezone) + timedelta(weeks=8),
    )
    return dict(city=city, old=old, grad=grad, new=new)


def _ask(cohort, user, actor):
    """The service, as a view calls it (its mail's link is built with ``url_for``)."""
    with current_app.test_request_context():
        return requests.ask(cohort, user, actor)


def _count(model):
    return db.session.scalar(sa.select(sa.func.count(model.id)))


def test_staff_ask_and_the_graduate_is_emailed_and_sees_it_at_home(
    client, login_as, setting, outbox
):
    new = setting["new"]
    login_as("staff")
    page = client.get(f"/cohorts/{new.id}/captain-requests")
    assert page.status_code == 200 and "The team so far (0)" in page.text
    reply = client.post(f"/cohorts/{new.id}/captain-requests", data={"email": "GIA@example.org"})
    assert reply.status_code == 302
    assert outbox[-1].to == ["gia@example.org"] and new.name in outbox[-1].subject
    overview = client.get("/captain-requests")
    assert "Gia Graduate" in overview.text and "0 captains" in overview.text
    login_as(setting["grad"])
    home = client.get("/my-cohort", follow_redirects=True)
    assert "You are asked to captain" in home.text
    mine = client.get("/my-captain-requests")
    assert "Accept: join the team" in mine.text


def test_accepting_puts_them_on_the_team(client, login_as, setting):
    grad, new = setting["grad"], setting["new"]
    req = _ask(new, grad, None)
    login_as(grad)
    reply = client.post(f"/my-captain-requests/{req.id}/accept")
    assert reply.status_code == 302 and reply.location.endswith("/coaching/")
    db.session.expire_all()
    assert req.status == RequestStatus.ACCEPTED
    assignment = db.session.scalar(
        sa.select(CaptainAssignment).where(CaptainAssignment.captain_id == grad.id)
    )
    assert assignment.cohort_id == new.id and assignment.max_participants == 6
    assert db.session.scalar(sa.select(AlumniCaptain.user_id)) == grad.id
    assert grad.role == Role.CAPTAIN
    # Twice: the request is no longer open; nothing more is written.
    again = client.post(f"/my-captain-requests/{req.id}/accept", follow_redirects=True)
    assert "no longer open" in again.text
    assert _count(CaptainAssignment) == 1


def test_declining_needs_a_reason_and_keeps_it(client, login_as, setting):
    grad, new = setting["grad"], setting["new"]
    req = _ask(new, grad, None)
    login_as(grad)
    client.post(f"/my-captain-requests/{req.id}/decline", data={"reason": "other"})
    db.session.expire_all()
    assert req.status == RequestStatus.OPEN  # "another reason" needs a note
    client.post(f"/my-captain-requests/{req.id}/decline", data={"reason": "bogus"})
    db.session.expire_all()
    assert req.status == RequestStatus.OPEN
    client.post(
        f"/my-captain-requests/{req.id}/decline", data={"reason": "other", "note": "Moving away"}
    )
    db.session.expire_all()
    assert req.status == RequestStatus.DECLINED and req.decline_note == "Moving away"
    assert _count(CaptainAssignment) == 0
    login_as("staff")
    assert "Moving away" in client.get(f"/cohorts/{new.id}/captain-requests").text


def test_requests_expire_after_the_configured_days(client, login_as, app, setting):
    grad, new = setting["grad"], setting["new"]
    app.config["CAPTAIN_REQUEST_DAYS"] = 3
    req = _ask(new, grad, None)
    assert req.expires_at - req.created_at == timedelta(days=3)
    commit_setup()
    with time_machine.travel(clock.now() + timedelta(days=4)):
        login_as(grad)
        reply = client.post(f"/my-captain-requests/{req.id}/accept", follow_redirects=True)
        assert "no longer open" in reply.text
        assert "expired" in client.get("/my-captain-requests").text
        # A new request can be made once the old one expired.
        assert _ask(new, grad, None).id != req.id
    assert _count(CaptainAssignment) == 0


def test_one_open_request_per_person_and_cohort(client, login_as, setting):
    new = setting["new"]
    login_as("staff")
    client.post(f"/cohorts/{new.id}/captain-requests", data={"email": "gia@example.org"})
    page = client.post(f"/cohorts/{new.id}/captain-requests", data={"email": "gia@example.org"})
    assert "has an open request" in page.text
    assert _count(CaptainRequest) == 1


def test_never_a_cohort_they_are_in(client, login_as, factory, setting):
    grad, new = setting["grad"], setting["new"]
    factory.enrollment(cohort=new, user=grad, stage=Stage.APPLIED)
    login_as("staff")
    page = client.post(f"/cohorts/{new.id}/captain-requests", data={"email": "gia@example.org"})
    assert "cannot captain it" in page.text
    assert _count(CaptainRequest) == 0


def test_nobody_who_has_not_graduated(client, login_as, factory, setting):
    factory.user(Role.PARTICIPANT, email="new@example.org")
    login_as("staff")
    page = client.post(
        f"/cohorts/{setting['new'].id}/captain-requests", data={"email": "new@example.org"}
    )
    assert "has not graduated" in page.text
    page = client.post(
        f"/cohorts/{setting['new'].id}/captain-requests", data={"email": "nobody@example.org"}
    )
    assert "Nobody has that email" in page.text
    assert _count(CaptainRequest) == 0


def test_ask_the_old_team_back(client, login_as, factory, coach, setting):
    old, new = setting["old"], setting["new"]
    old.track_id = new.track_id
    first = coach.assign(old).captain_id
    second = coach.assign(old).captain_id
    login_as("staff")
    reply = client.post(
        f"/cohorts/{new.id}/captain-requests/team",
        data={"source": str(old.id)},
        follow_redirects=True,
    )
    assert "Asked and emailed" in reply.text
    asked = set(db.session.scalars(sa.select(CaptainRequest.user_id)))
    assert asked == {first, second}


def test_someone_elses_request_is_404_and_unchanged(client, login_as, coach, setting):
    req = _ask(setting["new"], setting["grad"], None)
    other = coach.graduate()
    login_as(other)
    assert client.post(f"/my-captain-requests/{req.id}/accept").status_code == 404
    assert (
        client.post(
            f"/my-captain-requests/{req.id}/decline", data={"reason": "no_time"}
        ).status_code
        == 404
    )
    db.session.expire_all()
    assert req.status == RequestStatus.OPEN


def test_another_citys_staff_get_404(client, login_as, factory, setting):
    req = _ask(setting["new"], setting["grad"], None)
    login_as("city_staff", cities=[factory.city()])
    new = setting["new"]
    assert client.get(f"/cohorts/{new.id}/captain-requests").status_code == 404
    assert client.post(f"/cohorts/{new.id}/captain-requests/{req.id}/withdraw").status_code == 404
    assert "Gia Graduate" not in client.get("/captain-requests").text
    db.session.expire_all()
    assert req.status == RequestStatus.OPEN


def test_staff_withdraw(client, login_as, setting):
    req = _ask(setting["new"], setting["grad"], None)
    login_as("staff")
    client.post(f"/cohorts/{setting['new'].id}/captain-requests/{req.id}/withdraw")
    db.session.expire_all()
    assert req.status == RequestStatus.WITHDRAWN


@pytest.mark.parametrize("role", ["captain", "participant"])
def test_staff_pages_are_404_for_other_roles(client, login_as, setting, role):
    login_as(role)
    assert client.get(f"/cohorts/{setting['new'].id}/captain-requests").status_code == 404
    assert client.get("/captain-requests").status_code == 404


def test_staff_cannot_use_the_graduate_page(client, login_as):
    login_as("staff")
    assert client.get("/my-captain-requests").status_code == 404


@pytest.mark.parametrize("page", ["cohort", "overview"])
def test_pages_have_a_fixed_number_of_queries(
    client, login_as, coach, setting, count_queries, page
):
    new = setting["new"]
    url = f"/cohorts/{new.id}/captain-requests" if page == "cohort" else "/captain-requests"
    counts = []
    for n in (1, 4):
        for _ in range(n):
            _ask(new, coach.graduate(), None)
        login_as("staff")
        with count_queries() as q:
            assert client.get(url).status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1]


# -- partner volunteers (issue 17 §4: "or a partner volunteer, where those exist") ----------


@pytest.fixture
def volunteer(app, factory, setting):
    from coop.coaching import services
    from tests.referrals.conftest import ReferralFactory

    acme = factory.partner("Acme Corp", city=setting["city"])
    contact = ReferralFactory(factory).contact(acme, name="Morgan Lee", email="morgan@acme.example")
    with app.test_request_context():  # the invitation's link
        appt = services.appoint_partner_volunteer(
            name="Morgan Lee",
            email="morgan@acme.example",
            partner=acme,
            contact_id=contact.id,
            actor=factory.user("staff"),
        )
    db.session.commit()
    return db.session.get(type(setting["grad"]), appt.user_id)


def test_staff_ask_a_partner_volunteer_from_the_choice_list(
    client, login_as, setting, volunteer, outbox
):
    new = setting["new"]
    login_as("staff")
    page = client.get(f"/cohorts/{new.id}/captain-requests").text
    assert "Or a partner volunteer" in page
    assert f'<option value="{volunteer.id}">Morgan Lee — Volunteer · Acme Corp</option>' in page
    assert "Gia Graduate — " not in page  # graduates are asked by email
    reply = client.post(f"/cohorts/{new.id}/captain-requests", data={"volunteer": volunteer.id})
    assert reply.status_code == 302
    assert outbox[-1].to == ["morgan@acme.example"]
    req = db.session.scalar(sa.select(CaptainRequest).where(CaptainRequest.user_id == volunteer.id))
    assert req.cohort_id == new.id and req.graduated_from_id is None
    # They accept and join the team under the usual rules.
    login_as(volunteer)
    assert client.post(f"/my-captain-requests/{req.id}/accept").status_code == 302
    db.session.expire_all()
    assert req.status == RequestStatus.ACCEPTED
    assert (
        db.session.scalar(
            sa.select(CaptainAssignment.cohort_id).where(
                CaptainAssignment.captain_id == volunteer.id
            )
        )
        == new.id
    )


def test_a_volunteer_by_email_too(client, login_as, setting, volunteer):
    login_as("staff")
    reply = client.post(
        f"/cohorts/{setting['new'].id}/captain-requests", data={"email": "morgan@acme.example"}
    )
    assert reply.status_code == 302 and _count(CaptainRequest) == 1


@pytest.mark.parametrize(
    "data,error",
    [
        ({}, "Enter a graduate&#39;s email address or choose a volunteer."),
        ({"volunteer": "999999"}, "Not a valid choice"),
        ({"volunteer": "abc"}, "Invalid Choice"),
    ],
)
def test_the_form_needs_one_person(client, login_as, setting, volunteer, data, error):
    login_as("staff")
    reply = client.post(f"/cohorts/{setting['new'].id}/captain-requests", data=data)
    assert reply.status_code in (200, 422) and error in reply.text
    assert _count(CaptainRequest) == 0


def test_a_volunteer_who_stepped_down_is_not_offered_and_cannot_accept(
    client, login_as, setting, volunteer
):
    req = _ask(setting["new"], volunteer, None)
    appt = db.session.scalar(sa.select(AlumniCaptain).where(AlumniCaptain.user_id == volunteer.id))
    appt.stepped_down_at = clock.now()
    db.session.commit()
    login_as("staff")
    assert (
        "Morgan Lee — Volunteer"
        not in client.get(f"/cohorts/{setting['new'].id}/captain-requests").text
    )
    login_as(volunteer)
    reply = client.post(f"/my-captain-requests/{req.id}/accept", follow_redirects=True)
    assert "no longer a volunteer captain" in reply.text
    db.session.expire_all()
    assert req.status == RequestStatus.OPEN and _count(CaptainAssignment) == 0
