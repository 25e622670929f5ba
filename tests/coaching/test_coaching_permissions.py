"""Who may use each coaching route, and IDOR: someone else's object id answers 404 and
changes nothing."""

from dataclasses import dataclass
from datetime import date

import pytest
import sqlalchemy as sa

from coop.auth.models import User
from coop.coaching.models import AlumniCaptain, CaptainAssignment, CheckIn, PodMembership
from coop.enrollment.models import Enrollment
from coop.extensions import db


@dataclass
class World:
    city: object
    other_city: object
    cohort: object
    other_cohort: object
    captain: User  # X: their pod holds ``mine``
    co_captain: User  # Y: same cohort, their pod holds ``theirs``
    mine: User
    theirs: User
    lead: CaptainAssignment
    co: CaptainAssignment
    other_assignment: CaptainAssignment
    my_checkin: CheckIn
    their_checkin: CheckIn
    graduation: Enrollment


@pytest.fixture
def world(coach, factory):
    city, other_city = factory.city(), factory.city()
    cohort = factory.cohort(city=city)
    other_cohort = factory.cohort(city=city)
    lead = coach.assign(cohort, is_lead=True)
    co = coach.assign(cohort)
    other_assignment = coach.assign(other_cohort)
    captain, co_captain = db.session.get(User, lead.captain_id), db.session.get(User, co.captain_id)
    (mine,) = coach.pod(lead, coach.enrolled(cohort, 1))
    (theirs,) = coach.pod(co, coach.enrolled(cohort, 1))
    coach.pod(other_assignment, coach.enrolled(other_cohort, 1))
    my_checkin = coach.checkin(cohort, mine, captain, needs_attention=True, notes="mine")
    their_checkin = coach.checkin(cohort, theirs, co_captain, needs_attention=True, notes="theirs")
    grad = coach.graduate(city=city)
    graduation = db.session.scalar(sa.select(Enrollment).where(Enrollment.user_id == grad.id))
    db.session.commit()
    return World(
        city,
        other_city,
        cohort,
        other_cohort,
        captain,
        co_captain,
        mine,
        theirs,
        lead,
        co,
        other_assignment,
        my_checkin,
        their_checkin,
        graduation,
    )


def routes(w: World):
    """endpoint -> (method, url, form data)."""
    c = w.cohort.id
    return {
        "coaching.captain_home": ("GET", "/coaching/", None),
        "coaching.history": ("GET", f"/coaching/cohorts/{c}/participants/{w.mine.id}", None),
        "coaching.log_checkin": (
            "GET",
            f"/coaching/cohorts/{c}/participants/{w.mine.id}/checkins/new",
            None,
        ),
        "coaching.checkin_detail": ("GET", f"/coaching/checkins/{w.my_checkin.id}", None),
        "coaching.edit_checkin": ("GET", f"/coaching/checkins/{w.my_checkin.id}/edit", None),
        "coaching.resolve": (
            "POST",
            f"/coaching/checkins/{w.my_checkin.id}/resolve",
            {"note": "done"},
        ),
        "coaching.coverage": ("GET", "/coaching/coverage", None),
        "coaching.flags": ("GET", "/coaching/flags", None),
        "coaching.cohort_coverage": ("GET", f"/coaching/cohorts/{c}/coverage", None),
        "coaching.overdue_days": ("POST", f"/coaching/cohorts/{c}/overdue-days", {"days": "20"}),
        "coaching.cohort_team": ("GET", f"/coaching/cohorts/{c}/team", None),
        "coaching.add_captain": (
            "POST",
            f"/coaching/cohorts/{c}/team",
            {"captain": "0", "max_participants": "6"},
        ),
        "coaching.update_assignment": (
            "POST",
            f"/coaching/cohorts/{c}/team/{w.co.id}",
            {"max_participants": "7"},
        ),
        "coaching.remove_captain": ("GET", f"/coaching/cohorts/{c}/team/{w.co.id}/remove", None),
        "coaching.balance": ("POST", f"/coaching/cohorts/{c}/pods/balance", {"full": "1"}),
        "coaching.move": (
            "POST",
            f"/coaching/cohorts/{c}/pods/move",
            {"participant_id": str(w.theirs.id), "assignment_id": str(w.lead.id)},
        ),
        "coaching.captains": ("GET", "/coaching/captains", None),
        "coaching.graduates": ("GET", "/coaching/graduates", None),
        "coaching.appoint": (
            "POST",
            "/coaching/captains/appoint",
            {"enrollment_id": str(w.graduation.id)},
        ),
        "coaching.import_alumnus": ("GET", "/coaching/alumni/import", None),
        "coaching.captain_detail": ("GET", f"/coaching/captains/{w.captain.id}", None),
        "coaching.step_down": ("GET", f"/coaching/captains/{w.captain.id}/step-down", None),
        "coaching.lineage": ("GET", "/coaching/lineage", None),
    }


OK = {"GET": 200, "POST": 302}
CAPTAIN_ROUTES = {"coaching.captain_home", "coaching.log_checkin", "coaching.edit_checkin"}
SHARED_ROUTES = {"coaching.history", "coaching.checkin_detail"}
#: Staff pages about a cohort or person in the world's city: 404 for other cities' staff.
CITY_ROUTES = {
    "coaching.resolve",
    "coaching.cohort_coverage",
    "coaching.overdue_days",
    "coaching.cohort_team",
    "coaching.add_captain",
    "coaching.update_assignment",
    "coaching.remove_captain",
    "coaching.balance",
    "coaching.move",
    "coaching.appoint",
    "coaching.captain_detail",
    "coaching.step_down",
    "coaching.history",
    "coaching.checkin_detail",
}


def expected(role: str, endpoint: str, method: str) -> int:
    if endpoint in CAPTAIN_ROUTES:
        return OK[method] if role == "captain" else 404
    if endpoint in SHARED_ROUTES:
        return OK[method] if role in ("captain", "staff") else 404
    # Staff only.
    if role == "staff":
        return 200 if endpoint == "coaching.add_captain" else OK[method]
    if role == "other_city_staff":
        return 404 if endpoint in CITY_ROUTES else OK[method]
    return 404


def test_every_coaching_route_is_in_the_matrix(app, world):
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("coaching.")}
    assert endpoints == set(routes(world))


@pytest.mark.parametrize(
    "role", ["staff", "other_city_staff", "captain", "participant", "anonymous"]
)
def test_permission_matrix(client, login_as, world, role):
    if role == "staff":
        login_as("city_staff", cities=[world.city])
    elif role == "other_city_staff":
        login_as("city_staff", cities=[world.other_city])
    elif role == "captain":
        login_as(world.captain)
    elif role == "participant":
        login_as(world.mine)
    for endpoint, (method, url, data) in routes(world).items():
        r = client.open(url, method=method, data=data)
        if role == "anonymous":
            assert r.status_code == 302, endpoint
            assert "/login" in r.headers["Location"], endpoint
            continue
        want = expected(role, endpoint, method)
        # add_captain with no valid captain gets its form back (422) for allowed staff.
        if role == "staff" and endpoint == "coaching.add_captain":
            want = 422
        assert r.status_code == want, (role, endpoint, r.status_code)


# -- IDOR -------------------------------------------------------------------------------


def snapshot():
    """Everything a coaching request could change."""
    return (
        sorted(
            db.session.execute(
                sa.select(
                    CheckIn.id, CheckIn.notes, CheckIn.resolved_at, CheckIn.held_on, CheckIn.minutes
                )
            ).all()
        ),
        sorted(
            db.session.execute(
                sa.select(PodMembership.participant_id, PodMembership.assignment_id)
            ).all()
        ),
        sorted(
            db.session.execute(
                sa.select(
                    CaptainAssignment.id,
                    CaptainAssignment.max_participants,
                    CaptainAssignment.is_lead,
                    CaptainAssignment.ended_at,
                )
            ).all()
        ),
        sorted(
            db.session.execute(sa.select(AlumniCaptain.id, AlumniCaptain.stepped_down_at)).all()
        ),
    )


def checkin_form():
    return {"held_on": date.today().isoformat(), "channel": "video", "minutes": "30", "notes": "x"}


def test_captain_cannot_touch_another_pods_participant(client, login_as, world):
    login_as(world.captain)
    before = snapshot()
    c = world.cohort.id
    attempts = [
        ("GET", f"/coaching/cohorts/{c}/participants/{world.theirs.id}", None),
        ("GET", f"/coaching/cohorts/{c}/participants/{world.theirs.id}/checkins/new", None),
        (
            "POST",
            f"/coaching/cohorts/{c}/participants/{world.theirs.id}/checkins/new",
            checkin_form(),
        ),
        ("GET", f"/coaching/checkins/{world.their_checkin.id}", None),
        ("GET", f"/coaching/checkins/{world.their_checkin.id}/edit", None),
        ("POST", f"/coaching/checkins/{world.their_checkin.id}/edit", checkin_form()),
        # Their own participant, in another cohort's id: not in their pod there.
        ("GET", f"/coaching/cohorts/{world.other_cohort.id}/participants/{world.mine.id}", None),
        (
            "POST",
            f"/coaching/cohorts/{world.other_cohort.id}/participants/{world.mine.id}/checkins/new",
            checkin_form(),
        ),
    ]
    for method, url, data in attempts:
        r = client.open(url, method=method, data=data)
        assert r.status_code == 404, url
    assert snapshot() == before
    html = client.get("/coaching/").get_data(as_text=True)
    assert world.theirs.email not in html and "theirs" not in html


def test_captain_loses_access_when_the_participant_moves_away(client, login_as, world):
    db.session.execute(
        sa.update(PodMembership)
        .where(PodMembership.participant_id == world.mine.id)
        .values(assignment_id=world.co.id)
    )
    db.session.commit()
    login_as(world.captain)
    before = snapshot()
    c = world.cohort.id
    for method, url, data in [
        ("GET", f"/coaching/cohorts/{c}/participants/{world.mine.id}", None),
        ("GET", f"/coaching/checkins/{world.my_checkin.id}", None),
        ("POST", f"/coaching/checkins/{world.my_checkin.id}/edit", checkin_form()),
        (
            "POST",
            f"/coaching/cohorts/{c}/participants/{world.mine.id}/checkins/new",
            checkin_form(),
        ),
    ]:
        assert client.open(url, method=method, data=data).status_code == 404, url
    assert snapshot() == before


def test_co_captain_cannot_edit_a_check_in_they_did_not_write(client, login_as, world):
    # Both captains' pods: Y now coaches ``mine`` but X wrote the check-in.
    db.session.execute(
        sa.update(PodMembership)
        .where(PodMembership.participant_id == world.mine.id)
        .values(assignment_id=world.co.id)
    )
    db.session.commit()
    login_as(world.co_captain)
    before = snapshot()
    assert client.get(f"/coaching/checkins/{world.my_checkin.id}").status_code == 200
    r = client.post(f"/coaching/checkins/{world.my_checkin.id}/edit", data=checkin_form())
    assert r.status_code == 404
    assert snapshot() == before


def test_other_city_staff_change_nothing(client, login_as, world):
    login_as("city_staff", cities=[world.other_city])
    before = snapshot()
    c = world.cohort.id
    for url, data in [
        (f"/coaching/checkins/{world.my_checkin.id}/resolve", {"note": "x"}),
        (f"/coaching/cohorts/{c}/overdue-days", {"days": "3"}),
        (f"/coaching/cohorts/{c}/team/{world.co.id}", {"max_participants": "9", "is_lead": "y"}),
        (f"/coaching/cohorts/{c}/team/{world.co.id}/remove", {"fingerprint": "x"}),
        (f"/coaching/cohorts/{c}/pods/balance", {"full": "1"}),
        (
            f"/coaching/cohorts/{c}/pods/move",
            {"participant_id": world.theirs.id, "assignment_id": world.lead.id},
        ),
        ("/coaching/captains/appoint", {"enrollment_id": world.graduation.id}),
        (f"/coaching/captains/{world.captain.id}/step-down", {"fingerprint": "x"}),
    ]:
        assert client.post(url, data=data).status_code == 404, url
    assert snapshot() == before
    assert client.get(f"/coaching/lineage?city={world.city.slug}").status_code == 404


def test_staff_cannot_mix_one_cohorts_ids_into_another(client, login_as, world):
    login_as("staff")
    before = snapshot()
    c = world.cohort.id
    # The other cohort's assignment through this cohort's URL.
    for url, data in [
        (f"/coaching/cohorts/{c}/team/{world.other_assignment.id}", {"max_participants": "9"}),
        (f"/coaching/cohorts/{c}/team/{world.other_assignment.id}/remove", {"fingerprint": "x"}),
    ]:
        assert client.post(url, data=data).status_code == 404, url
    r = client.post(
        f"/coaching/cohorts/{c}/pods/move",
        data={"participant_id": world.theirs.id, "assignment_id": world.other_assignment.id},
    )
    assert r.status_code == 302
    assert snapshot() == before


def test_participants_never_see_check_ins(client, login_as, world):
    login_as(world.mine)
    for url in [
        f"/coaching/cohorts/{world.cohort.id}/participants/{world.mine.id}",
        f"/coaching/checkins/{world.my_checkin.id}",
    ]:
        assert client.get(url).status_code == 404
