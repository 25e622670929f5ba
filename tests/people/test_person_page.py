"""The person page: what each viewer may see of one person, and nobody else at all."""

import pytest
import sqlalchemy as sa

from coop.auth.models import Role
from coop.core import audit
from coop.core.models import AuditEvent
from coop.core.person_sections import SECTIONS, person_section
from coop.extensions import db


def _page(client, person):
    return client.get(f"/people/{person.id}")


def test_staff_see_everything_about_a_person_in_their_cities(client, login_as, world):
    staff = login_as("city_staff", cities=[world.city])
    response = _page(client, world.pat)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for text in (
        "Pat Person",
        world.pat.email,
        "Bronx Spring",
        "applied → enrolled",  # the stage history
        "Cleo Captain",  # pod captain and the team
        "(lead)",
        "Otto Captain",
        "present",
        "absent",
        "Open notes about the plan",
        "Private family matter",  # staff read confidential notes
        "Strong fit",  # the referral note
        "$64,000",  # the job's salary
        "$31,000",  # intake salary
        "555-0101",
        "First-generation student",
        "Audit events about them",
    ):
        assert text in html, text
    # Reading salary, phone, demographics and confidential notes is recorded.
    event = db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.action == audit.VIEWED,
            AuditEvent.actor_id == staff.id,
            AuditEvent.subject_user_id == world.pat.id,
        )
    )
    assert event is not None
    assert {"salary", "intake_salary", "phone", "first_generation", "notes"} <= set(event.changed)


def test_the_pod_captain_sees_less(client, login_as, world):
    login_as(world.captain)
    response = _page(client, world.pat)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Pat Person" in html and "Open notes about the plan" in html
    assert "Bronx Spring" in html and "present" in html and "Strong fit" in html
    for hidden in (
        "Private family matter",  # another captain's confidential notes
        "$64,000",
        "$31,000",
        "555-0101",
        "First-generation",
        "Low income",
        "Salary band",
        "Audit events about them",
    ):
        assert hidden not in html, hidden


def test_participants_see_only_themselves(client, login_as, world):
    login_as(world.pat)
    html = _page(client, world.pat).get_data(as_text=True)
    assert "this is your own page" in html and "$64,000" in html
    assert "Private family matter" not in html  # confidential: staff and the author only
    assert "Audit events about them" not in html
    assert _page(client, world.peer).status_code == 404
    assert _page(client, world.captain).status_code == 404
    # On their own page nothing is recorded as disclosed.
    assert not db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == audit.VIEWED, AuditEvent.actor_id == world.pat.id)
    )


@pytest.mark.parametrize(
    "who",
    ["other_city_staff", "other_captain", "unrelated_captain", "peer", "anonymous"],
)
def test_everyone_else_gets_404(client, login_as, world, factory, who):
    if who == "other_city_staff":
        login_as("city_staff", cities=[world.far_city])
    elif who == "other_captain":
        login_as(world.other_captain)  # on the cohort's team, but not Pat's pod
    elif who == "unrelated_captain":
        login_as("captain")
    elif who == "peer":
        login_as(world.peer)
    response = _page(client, world.pat)
    if who == "anonymous":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    else:
        assert response.status_code == 404
    assert not db.session.scalar(
        sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == audit.VIEWED)
    )


def test_idor_city_staff_see_no_record_of_another_city(client, login_as, world, factory):
    """Pat also enrolled in a far cohort: staff of Pat's first city see only that city's
    records; the far city's staff see only theirs."""
    far_enrollment = factory.enrollment(cohort=world.far_cohort, user=world.pat)
    assert far_enrollment.id
    db.session.commit()
    login_as("city_staff", cities=[world.city])
    html = _page(client, world.pat).get_data(as_text=True)
    assert "Bronx Spring" in html and "Oakland Spring" not in html
    login_as("city_staff", cities=[world.far_city])
    html = _page(client, world.pat).get_data(as_text=True)
    assert "Oakland Spring" in html and "Bronx Spring" not in html
    assert "Open notes about the plan" not in html and "Strong fit" not in html


def test_a_captain_who_stepped_down_loses_the_page(client, login_as, world):
    from coop.coaching.models import CaptainAssignment
    from coop.core import clock

    assignment = db.session.scalar(
        sa.select(CaptainAssignment).where(CaptainAssignment.captain_id == world.captain.id)
    )
    assignment.ended_at = clock.now()
    db.session.commit()
    login_as(world.captain)
    assert _page(client, world.pat).status_code == 404


def test_unknown_person_is_404(client, login_as):
    login_as("staff")
    assert client.get("/people/999999").status_code == 404


def test_staff_can_open_a_captains_page(client, login_as, world):
    login_as("staff")
    html = _page(client, world.captain).get_data(as_text=True)
    assert "Cleo Captain" in html and "Bronx Spring" in html


def test_the_page_has_a_fixed_number_of_queries(client, login_as, world, factory, count_queries):
    from tests.people.conftest import checkin
    from tests.referrals.conftest import ReferralFactory
    from tests.sessions.builders import Builder

    login_as("staff")

    def count():
        with count_queries() as q:
            assert _page(client, world.pat).status_code == 200
        return q.count

    first = count()
    build, rf = Builder(factory), ReferralFactory(factory)
    for i in range(3):
        cohort = build.cohort(city=world.city)
        enrollment = factory.enrollment(cohort=cohort, user=world.pat)
        session = build.session(cohort, hours_from_now=-5)
        build.attendance(session, world.pat, "late")
        captain, _ = build.captain(cohort, pod=[world.pat])
        checkin(cohort, world.pat, captain, confidential=bool(i % 2))
        rf.referral(enrollment, captain)
    db.session.commit()
    assert count() == first


def test_other_domains_add_sections(app, client, login_as, world):
    from jinja2 import ChoiceLoader, DictLoader

    original, before = app.jinja_env.loader, list(SECTIONS)
    app.jinja_env.loader = ChoiceLoader(
        [DictLoader({"_test_section.html": "<p>Plan for {{ section.who }}</p>"}), original]
    )
    app.jinja_env.cache.clear()
    try:
        person_section("_test_section.html", lambda view: {"who": view.person.name}, order=45)
        person_section("_test_section.html", lambda view: None, order=46)
        login_as(world.captain)
        html = _page(client, world.pat).get_data(as_text=True)
        assert html.count("Plan for Pat Person") == 1
        assert html.index("Check-ins") < html.index("Plan for") < html.index("Referrals, jobs")
    finally:
        SECTIONS[:] = before
        app.jinja_env.loader = original
        app.jinja_env.cache.clear()


def test_roles_matrix(client, login_as, world, factory):
    """GET /people/<id> for every role (the only route of the blueprint)."""
    expected = {
        "staff": 200,
        "city_staff": 404,  # another city
        "captain": 404,  # not Pat's captain
        "participant": 404,  # not Pat
    }
    for role, status in expected.items():
        if role == "city_staff":
            login_as("city_staff", cities=[world.far_city])
        else:
            login_as(Role(role).value)
        assert _page(client, world.pat).status_code == status, role
    routes = {
        r.rule for r in client.application.url_map.iter_rules() if r.endpoint.startswith("people.")
    }
    assert routes == {"/people/<int:user_id>", "/people/me"}
    login_as(world.pat)
    response = client.get("/people/me")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/people/{world.pat.id}")
    client.get("/logout")
    with client.session_transaction() as s:
        s.clear()
    assert "/login" in client.get("/people/me").headers["Location"]
