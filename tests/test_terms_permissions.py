"""The permission matrix of the "terms at scale" pages (cloning, program applications and
placement, captain requests, pairings and pods by fit): every route, every role and an
anonymous visitor, with staff of another city getting 404. Routes are compared with the
app's URL map, so a new one must be added here."""

from datetime import timedelta

import pytest

from coop.coaching.request_models import CaptainRequest, RequestStatus
from coop.core import clock
from coop.db import utcnow
from coop.enrollment.program_models import ProgramStatus
from coop.extensions import db
from coop.programs.models import CohortStatus

BLUEPRINTS = ("cloning.", "placement.", "captain_requests.", "pairings.")
PUBLIC = {"placement.apply", "placement.thanks"}
#: Staff pages any staff member opens (each shows only their own cities).
ANY_STAFF = {
    "cloning.clone_term",
    "placement.applications",
    "placement.place",
    "placement.confirm",
    "captain_requests.overview",
}
#: The graduate's own pages (participants and captains).
OWN = {"captain_requests.mine"}
#: Someone else's request: 404 for everyone.
OTHERS = {"captain_requests.accept", "captain_requests.decline"}


@pytest.fixture
def world(factory):
    city = factory.city()
    cohort = factory.cohort(
        city=city,
        status=CohortStatus.PLANNED,
        start_date=clock.today_in(city.timezone) + timedelta(weeks=6),
    )
    grad = factory.user("participant")
    app = factory.program_application(city=city, status=ProgramStatus.APPLIED)
    req = CaptainRequest(
        cohort_id=cohort.id,
        user_id=grad.id,
        graduated_from_id=cohort.id,
        status=RequestStatus.OPEN,
        expires_at=utcnow() + timedelta(days=3),
    )
    db.session.add(req)
    db.session.flush()
    return dict(city=city, cohort=cohort, app=app, req=req)


def routes(w):
    c, r = w["cohort"].id, w["req"].id
    return {
        "cloning.clone_cohort": ("GET", f"/cohorts/{c}/clone", None),
        "cloning.clone_term": ("GET", "/terms/clone", None),
        "cloning.confirm_clone_term": (
            "POST",
            "/terms/clone",
            {"city": str(w["city"].id), "term": "Fall 2031"},
        ),
        "placement.apply": ("GET", "/apply/program", None),
        "placement.thanks": ("GET", "/apply/program/thanks", None),
        "placement.applications": ("GET", "/program-applications", None),
        "placement.decide": (
            "POST",
            "/program-applications/decide",
            {"ids": [str(w["app"].id)], "decision": "decline", "reason": "x"},
        ),
        "placement.place": ("GET", "/program-applications/place", None),
        "placement.confirm": ("POST", "/program-applications/place", {"all": "1"}),
        "captain_requests.cohort_requests": ("GET", f"/cohorts/{c}/captain-requests", None),
        "captain_requests.ask_team": (
            "POST",
            f"/cohorts/{c}/captain-requests/team",
            {"source": "1"},
        ),
        "captain_requests.withdraw": ("POST", f"/cohorts/{c}/captain-requests/{r}/withdraw", {}),
        "captain_requests.overview": ("GET", "/captain-requests", None),
        "captain_requests.mine": ("GET", "/my-captain-requests", None),
        "captain_requests.accept": ("POST", f"/my-captain-requests/{r}/accept", {}),
        "captain_requests.decline": (
            "POST",
            f"/my-captain-requests/{r}/decline",
            {"reason": "no_time"},
        ),
        "pairings.import_pairings": ("GET", f"/cohorts/{c}/pairings/import", None),
        "pairings.confirm_pairings": ("POST", f"/cohorts/{c}/pairings/import/confirm", {}),
        "pairings.export_pairings": ("GET", f"/cohorts/{c}/pairings.csv", None),
        "pairings.pods_by_fit": ("GET", f"/cohorts/{c}/pods/fit", None),
        "pairings.accept_pods_by_fit": ("POST", f"/cohorts/{c}/pods/fit", {}),
    }


def expected(role: str, endpoint: str, method: str) -> int:
    ok = 200 if method == "GET" else 302
    if endpoint in PUBLIC:
        return 200
    if endpoint in OTHERS:
        return 404
    if endpoint in OWN:
        return ok if role in ("participant", "captain") else 404
    if role in ("participant", "captain"):
        return 404
    if role == "city_staff" and endpoint not in ANY_STAFF:
        return 404
    return ok


def test_every_route_is_in_the_matrix(app, world):
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith(BLUEPRINTS)}
    assert endpoints == set(routes(world))


@pytest.mark.parametrize("role", ["anonymous", "participant", "captain", "staff", "city_staff"])
def test_matrix(client, login_as, factory, world, role):
    if role == "city_staff":
        login_as("city_staff", cities=[factory.city()])
    elif role != "anonymous":
        login_as(role)
    for endpoint, (method, url, data) in routes(world).items():
        r = client.get(url) if method == "GET" else client.post(url, data=data)
        if role == "anonymous" and endpoint not in PUBLIC:
            assert r.status_code == 302 and "/login" in r.headers["Location"], endpoint
            continue
        assert r.status_code == expected(role, endpoint, method), (role, endpoint, r.status_code)
    db.session.expire_all()
    if role != "staff":  # staff withdrew the request and declined the applicant
        assert world["req"].status == RequestStatus.OPEN
        assert world["app"].status == ProgramStatus.APPLIED
