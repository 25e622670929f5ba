"""Who may use every enrollment route, and someone else's ids (IDOR)."""

import pytest

from coop.enrollment.models import Enrollment, Stage
from coop.extensions import db
from coop.programs.models import CohortStatus

#: (method, path, status for organisation-wide staff). ``{c}`` is a recruiting cohort,
#: ``{e}`` an applicant of it, ``{w}`` a waitlisted one.
STAFF_ROUTES = [
    ("GET", "/cohorts/{c}/applications", 200),
    ("GET", "/cohorts/{c}/applications?stage=all", 200),
    ("POST", "/cohorts/{c}/applications/decide", 302),
    ("GET", "/cohorts/{c}/applications/{e}", 200),
    ("POST", "/cohorts/{c}/applications/{e}/decide", 302),
    ("POST", "/cohorts/{c}/applications/{e}/withdraw", 302),
    ("GET", "/cohorts/{c}/waitlist", 200),
    ("POST", "/cohorts/{c}/waitlist/{w}/move", 302),
    ("POST", "/cohorts/{c}/waitlist/auto-promote", 302),
    ("POST", "/cohorts/{c}/waitlist/promote", 302),
    ("GET", "/cohorts/{c}/roster", 200),
    ("GET", "/cohorts/{c}/roster.csv?columns=email", 200),
    ("GET", "/cohorts/{c}/roster/import", 200),
    ("POST", "/cohorts/{c}/roster/import", 200),
    ("POST", "/cohorts/{c}/roster/import/confirm", 302),
    ("GET", "/cohorts/{c}/roster/template.csv", 200),
    ("GET", "/cohorts/{c}/graduate", 200),
    ("POST", "/cohorts/{c}/graduate", 302),
    ("GET", "/cohorts/{c}/alumni-referrals", 200),
    ("GET", "/alumni-referrals", 200),
]
PUBLIC_ROUTES = [
    ("GET", "/apply"),
    ("GET", "/apply/privacy"),
    ("GET", "/apply/{c}"),
    ("POST", "/apply/{c}"),  # an empty form comes back with its messages
    ("GET", "/apply/{c}/thanks"),
]
ROLES = ["staff", "other_city_staff", "city_staff", "captain", "participant", "anonymous"]


@pytest.fixture
def world(factory, recruiting, applicant):
    city = factory.city()
    cohort = recruiting(city=city)
    e = applicant(cohort)
    w = applicant(cohort, Stage.WAITLISTED)
    return {"city": city, "c": cohort.id, "e": e.id, "w": w.id}


def _who(login_as, factory, role, city):
    if role == "anonymous":
        return
    if role == "other_city_staff":
        login_as("city_staff", cities=[factory.city()])
    elif role == "city_staff":
        login_as("city_staff", cities=[city])
    else:
        login_as(role)


def _expected(role, path, staff_status):
    if role in ("staff", "city_staff"):
        return staff_status
    if role == "other_city_staff":
        # Cohort pages are someone else's; the org-wide figures page is theirs (scoped).
        return 200 if path == "/alumni-referrals" else 404
    if role == "anonymous":
        return 302
    return 404  # captains and participants never see applications or rosters


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path", "staff_status"), STAFF_ROUTES)
def test_staff_routes(client, login_as, factory, world, role, method, path, staff_status):
    _who(login_as, factory, role, world["city"])
    url = path.format(**world)

    response = client.open(url, method=method, data={})

    assert response.status_code == _expected(role, path, staff_status), url
    if role == "anonymous":
        assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path"), PUBLIC_ROUTES)
def test_public_routes(client, login_as, factory, world, role, method, path):
    _who(login_as, factory, role, world["city"])
    assert client.open(path.format(**world), method=method).status_code == 200


def test_nobody_sees_the_public_form_of_a_cohort_that_is_not_recruiting(client, factory):
    cohort = factory.cohort(status=CohortStatus.ACTIVE)
    response = client.get(f"/apply/{cohort.id}")
    assert response.status_code == 302 and response.headers["Location"] == "/apply"
    assert client.get(f"/apply/{cohort.id}/thanks").status_code == 404


def test_another_cohorts_enrollment_ids_are_404_and_change_nothing(
    client, login_as, recruiting, applicant, stage_of, snapshot
):
    login_as("staff")
    mine, theirs = recruiting(), recruiting()
    other = applicant(theirs)
    waiting = applicant(theirs, Stage.WAITLISTED)
    enrolled = applicant(theirs, Stage.ENROLLED)
    before = snapshot()

    responses = [
        client.get(f"/cohorts/{mine.id}/applications/{other.id}"),
        client.post(
            f"/cohorts/{mine.id}/applications/{other.id}/decide", data={"decision": "accept"}
        ),
        client.post(
            f"/cohorts/{mine.id}/applications/{enrolled.id}/withdraw", data={"reason": "x"}
        ),
        client.post(f"/cohorts/{mine.id}/waitlist/{waiting.id}/move", data={"direction": "top"}),
        client.post(
            f"/cohorts/{mine.id}/applications/decide",
            data={"ids": [str(other.id)], "decision": "accept"},
        ),
    ]

    assert [r.status_code for r in responses] == [404] * 5
    assert stage_of(other) == Stage.APPLIED
    assert stage_of(enrolled) == Stage.ENROLLED
    assert snapshot() == before


def test_city_staff_cannot_act_on_another_citys_applicants(
    client, login_as, factory, recruiting, applicant, stage_of
):
    cohort = recruiting()
    e = applicant(cohort)
    login_as("city_staff", cities=[factory.city()])

    response = client.post(
        f"/cohorts/{cohort.id}/applications/decide",
        data={"ids": [str(e.id)], "decision": "accept"},
    )

    assert response.status_code == 404
    assert stage_of(e) == Stage.APPLIED


def test_a_mixed_batch_with_a_foreign_id_is_refused_whole(
    client, login_as, recruiting, applicant, stage_of
):
    login_as("staff")
    mine, theirs = recruiting(), recruiting()
    own = applicant(mine)
    foreign = applicant(theirs)

    response = client.post(
        f"/cohorts/{mine.id}/applications/decide",
        data={"ids": [str(own.id), str(foreign.id)], "decision": "decline", "reason": "x"},
    )

    assert response.status_code == 404
    assert stage_of(own) == Stage.APPLIED and stage_of(foreign) == Stage.APPLIED


def test_city_staff_figures_cover_only_their_cities(
    client, login_as, factory, applicant, recruiting
):
    home, away = factory.city(), factory.city()
    old_home = factory.cohort(city=home, status=CohortStatus.COMPLETED)
    old_away = factory.cohort(city=away, status=CohortStatus.COMPLETED)
    home_alum = applicant(old_home, Stage.GRADUATED, name="Home Alum").user
    away_alum = applicant(old_away, Stage.GRADUATED, name="Away Alum").user
    applicant(recruiting(city=home), referred_by=home_alum)
    applicant(recruiting(city=away), referred_by=away_alum)
    login_as("city_staff", cities=[home])

    page = client.get("/alumni-referrals").get_data(as_text=True)

    assert "Home Alum" in page and "Away Alum" not in page
    assert db.session.scalar(db.select(db.func.count(Enrollment.id))) >= 4


def test_the_matrix_covers_every_enrollment_route(app):
    listed = {(m, p.split("?")[0]) for m, p, _ in STAFF_ROUTES} | set(PUBLIC_ROUTES)
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("enrollment."):
            path = rule.rule.replace("<int:cohort_id>", "{c}").replace("<int:enrollment_id>", "{e}")
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                routes.add((method, path))
    listed = {(m, p.replace("{w}", "{e}")) for m, p in listed}
    listed.add(("GET", "/apply/status/<token>"))  # signed links: test_enrollment_status.py
    assert routes == listed
