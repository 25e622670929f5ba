"""Who may use every referral-tracking route (the permission matrix), IDOR checks on
referrals, placements and follow-ups, and who sees notes and salaries."""

import pytest

from coop.auth.models import Role
from coop.extensions import db
from coop.referrals import services
from coop.referrals.models import FollowUp, Placement, Referral
from coop.referrals.models import ReferralStage as S

ROLES = ("staff", "city_staff", "captain", "participant", "anonymous")
LOGIN = "login"

# route -> expected status per role, in ROLES order. The objects belong to the world's
# city; "city_staff" is staff of another city, "captain" and "participant" are unrelated
# to the objects (no cohort, no pod, no referral of their own).
MATRIX = [
    ("GET", "/partners", (200, 200, 404, 404, LOGIN)),
    ("GET", "/partners/new", (200, 200, 404, 404, LOGIN)),
    ("GET", "/partners/{partner}", (200, 404, 404, 404, LOGIN)),
    ("GET", "/partners/{partner}/edit", (200, 404, 404, 404, LOGIN)),
    ("GET", "/partners/{partner}/contacts/new", (200, 404, 404, 404, LOGIN)),
    ("GET", "/partners/{partner}/volunteers/new", (200, 404, 404, 404, LOGIN)),
    ("GET", "/contacts/{contact}/edit", (200, 404, 404, 404, LOGIN)),
    ("GET", "/outreach", (200, 200, 200, 404, LOGIN)),
    ("GET", "/outreach/new", (200, 200, 200, 404, LOGIN)),
    ("GET", "/outreach/{outreach}/edit", (200, 404, 404, 404, LOGIN)),
    ("GET", "/openings", (200, 200, 200, 200, LOGIN)),
    ("GET", "/openings/{opening}", (200, 200, 200, 200, LOGIN)),
    ("GET", "/openings/{closed}", (200, 404, 404, 404, LOGIN)),
    ("GET", "/openings/new", (200, 200, 200, 404, LOGIN)),
    ("GET", "/openings/{opening}/edit", (200, 404, 404, 404, LOGIN)),
    ("POST", "/openings/{opening}/close", (302, 404, 404, 404, LOGIN)),
    ("POST", "/openings/{closed}/reopen", (302, 404, 404, 404, LOGIN)),
    ("GET", "/referrals", (200, 200, 200, 404, LOGIN)),
    ("GET", "/referrals/new", (200, 200, 200, 404, LOGIN)),
    ("GET", "/referrals/{referral}", (200, 404, 404, 404, LOGIN)),
    ("POST", "/referrals/{referral}/stage", (302, 404, 404, 404, LOGIN)),
    ("GET", "/placements", (200, 200, 404, 404, LOGIN)),
    ("GET", "/placements/new", (200, 200, 404, 404, LOGIN)),
    ("GET", "/placements/new?referral={hired}", (200, 404, 404, 404, LOGIN)),
    ("GET", "/placements/{placement}/edit", (200, 404, 404, 404, LOGIN)),
    ("POST", "/placements/{placement}/verify", (302, 404, 404, 404, LOGIN)),
    ("GET", "/me/referrals", (404, 404, 404, 200, LOGIN)),
    ("GET", "/me/jobs/new", (404, 404, 404, 200, LOGIN)),
    ("GET", "/follow-ups", (200, 200, 404, 404, LOGIN)),
    ("GET", "/follow-ups/{follow_up}", (200, 404, 404, 404, LOGIN)),
]


@pytest.fixture
def objects(world, rf):
    referral = rf.referral(world.pat_enrollment, world.captain, opening=world.opening)
    hired = rf.referral(world.sam_enrollment, world.captain, opening=world.opening, stage=S.HIRED)
    placement = rf.placement(world.pat_enrollment, actor=world.pat)  # waiting for staff
    closed = rf.opening(partner=world.employer, city=world.city, title="Old role")
    services.close_opening(closed, rf.staff())
    services.ensure_followups([world.alumnus_enrollment])
    follow_up = db.session.scalar(
        db.select(FollowUp).where(FollowUp.enrollment_id == world.alumnus_enrollment.id)
    )
    return {
        "partner": world.employer.id,
        "contact": rf.contact(world.employer).id,
        "outreach": rf.outreach(world.employer, world.captain).id,
        "opening": world.opening.id,
        "closed": closed.id,
        "referral": referral.id,
        "hired": hired.id,
        "placement": placement.id,
        "follow_up": follow_up.id,
    }


def _sign_in(login_as, role, factory):
    if role == "anonymous":
        return None
    if role == "city_staff":
        return login_as("city_staff", cities=[factory.city(name="Elsewhere")])
    return login_as(role)


POST_DATA = {"/stage": {"stage": "applied"}}


@pytest.mark.parametrize(("method", "route", "expected"), MATRIX, ids=[m[1] for m in MATRIX])
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, login_as, factory, objects, method, route, expected, role):
    _sign_in(login_as, role, factory)
    url = route.format(**objects)
    data = next((d for suffix, d in POST_DATA.items() if url.endswith(suffix)), {})
    response = client.get(url) if method == "GET" else client.post(url, data=data)
    want = expected[ROLES.index(role)]
    if want == LOGIN:
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]
    else:
        assert response.status_code == want, f"{role} {method} {url}"


def test_matrix_covers_every_route(app):
    ours = {
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("referrals.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    covered = set()
    for method, route, _ in MATRIX:
        path = route.split("?")[0]
        for name in (
            "partner",
            "contact",
            "outreach",
            "opening",
            "closed",
            "referral",
            "hired",
            "placement",
            "follow_up",
        ):
            kind = {"closed": "opening", "hired": "referral"}.get(name, name)
            path = path.replace("{" + name + "}", f"<int:{kind}_id>")
        covered.add((path, method))
    # Every GET route is in the matrix; POST routes are either in it or share a GET
    # form route that is (the form posts to itself).
    missing = {(r, m) for r, m in ours if (r, m) not in covered and (r, "GET") not in covered}
    assert missing == set()


# -- IDOR: someone else's object id -> 404 and nothing changes -----------------------------


def test_participant_cannot_see_or_move_someone_elses_referral(client, login_as, world, rf):
    referral = rf.referral(world.pat_enrollment, world.captain, opening=world.opening)
    login_as(world.sam)
    assert client.get(f"/referrals/{referral.id}").status_code == 404
    assert (
        client.post(f"/referrals/{referral.id}/stage", data={"stage": "applied"}).status_code == 404
    )
    db.session.refresh(referral)
    assert referral.stage == S.REFERRED
    page = client.get("/me/referrals")
    assert b"Data Analyst" not in page.data


def test_participant_cannot_touch_someone_elses_job(client, login_as, world, rf):
    placement = rf.placement(world.pat_enrollment, actor=world.pat, salary=45000)
    login_as(world.sam)
    assert client.get(f"/placements/{placement.id}/edit").status_code == 404
    response = client.post(
        f"/placements/{placement.id}/edit",
        data={"employer_name": "X", "title": "Y", "start_date": "2026-01-01", "salary": "1"},
    )
    assert response.status_code == 404
    assert client.post(f"/placements/{placement.id}/verify").status_code == 404
    db.session.refresh(placement)
    assert (placement.salary, placement.employer_name, placement.verified) == (45000, "Acme", False)


def test_city_staff_of_another_city_change_nothing(client, login_as, world, rf, factory):
    referral = rf.referral(world.pat_enrollment, world.captain, opening=world.opening)
    placement = rf.placement(world.pat_enrollment, actor=world.pat)
    services.ensure_followups([world.alumnus_enrollment])
    follow_up = db.session.scalar(
        db.select(FollowUp).where(FollowUp.enrollment_id == world.alumnus_enrollment.id)
    )
    login_as("city_staff", cities=[world.other_city])
    assert (
        client.post(f"/referrals/{referral.id}/stage", data={"stage": "hired"}).status_code == 404
    )
    assert client.post(f"/placements/{placement.id}/verify").status_code == 404
    assert (
        client.post(f"/follow-ups/{follow_up.id}", data={"status": "unemployed"}).status_code == 404
    )
    assert client.post(f"/openings/{world.opening.id}/close").status_code == 404
    response = client.post(
        f"/partners/{world.employer.id}/edit", data={"name": "Hijacked", "kind": "employer"}
    )
    assert response.status_code == 404
    db.session.expire_all()
    assert referral.stage == S.REFERRED and not placement.verified
    assert follow_up.closed_at is None and world.opening.closed_at is None
    assert world.employer.name == "Initech"
    # Their lists do not show the other city's referrals, placements or follow-ups.
    assert b"Pat Doe" not in client.get("/referrals").data
    assert b"Pat Doe" not in client.get("/placements").data
    assert b"Alex Alum" not in client.get("/follow-ups?when=open").data
    # Nor can they refer that city's participants.
    response = client.post(
        "/referrals/new", data={"participant_id": world.sam.id, "opening_id": world.opening.id}
    )
    assert response.status_code == 200
    assert db.session.scalar(db.select(db.func.count(Referral.id))) == 1


def test_captain_sees_their_pods_referrals_not_others(client, login_as, world, rf, factory):
    by_staff = rf.referral(world.sam_enrollment, opening=world.opening)  # Sam is in the pod
    other = rf.referral(world.outsider_enrollment, opening=world.opening)
    login_as(world.captain)
    assert client.get(f"/referrals/{by_staff.id}").status_code == 200
    assert client.get(f"/referrals/{other.id}").status_code == 404
    listing = client.get("/referrals")
    assert b"Sam Roe" in listing.data and b"Olly Out" not in listing.data
    # Another captain sees neither.
    login_as(factory.user(Role.CAPTAIN))
    assert client.get(f"/referrals/{by_staff.id}").status_code == 404


def test_captain_cannot_edit_someone_elses_outreach_or_opening(
    client, login_as, world, rf, factory
):
    staff_outreach = rf.outreach(world.employer, rf.staff(), summary="Staff visit")
    login_as(world.captain)
    assert client.get(f"/outreach/{staff_outreach.id}/edit").status_code == 404
    response = client.post(
        f"/outreach/{staff_outreach.id}/edit",
        data={"partner_id": world.employer.id, "occurred_on": "2026-01-01", "summary": "Mine now"},
    )
    assert response.status_code == 404
    assert client.post(f"/openings/{world.opening.id}/close").status_code == 404
    db.session.expire_all()
    assert staff_outreach.summary == "Staff visit" and world.opening.closed_at is None


# -- privacy: salaries and notes -----------------------------------------------------------


@pytest.fixture
def hired(world, rf):
    referral = rf.referral(
        world.pat_enrollment, world.captain, opening=world.opening, note="Captain's own note"
    )
    staff = rf.staff()
    services.change_stage(referral, S.HIRED, staff, note="Background check cleared")
    services.record_placement(
        staff,
        world.pat.id,
        referral=referral,
        partner_id=world.employer.id,
        employer_name="Initech",
        title="Data Analyst",
        start_date=referral.created_at.date(),
        salary=73500,
        full_time=True,
        career_track=True,
    )
    return referral


def test_staff_and_the_participant_see_salary_and_notes(client, login_as, world, hired):
    for who in ("staff", world.pat):
        login_as(who)
        page = client.get(f"/referrals/{hired.id}")
        assert b"$73,500" in page.data
        assert b"Background check cleared" in page.data
        assert b"Captain&#39;s own note" in page.data


def test_captains_see_stages_not_salaries(client, login_as, world, hired, factory, rf):
    login_as(world.captain)  # the referrer, and Pat's pod captain
    page = client.get(f"/referrals/{hired.id}")
    assert page.status_code == 200 and b"hired" in page.data
    assert b"73,500" not in page.data and b"73500" not in page.data
    assert b"Background check cleared" not in page.data  # staff's note
    assert b"Captain&#39;s own note" in page.data  # they wrote it
    assert b"73,500" not in client.get("/referrals").data
    # A second captain of the same cohort (Pat not in their pod) sees nothing at all;
    # one who has Pat in a pod sees the stage but not the referrer's note.
    co = rf.captain_for(world.cohort)
    login_as(db.session.get(type(world.captain), co.captain_id))
    assert client.get(f"/referrals/{hired.id}").status_code == 404
    rf.pod(rf.captain_for(factory.cohort(city=world.city)), world.pat)
    pod_captain = db.session.scalar(
        db.select(type(world.captain)).order_by(type(world.captain).id.desc())
    )
    login_as(pod_captain)
    page = client.get(f"/referrals/{hired.id}")
    assert page.status_code == 200
    assert b"Captain&#39;s own note" not in page.data and b"73,500" not in page.data


def test_other_participants_never_see_salaries(client, login_as, world, hired):
    login_as(world.sam)
    for url in ("/me/referrals", "/openings", f"/openings/{world.opening.id}"):
        page = client.get(url)
        assert page.status_code == 200
        assert b"73,500" not in page.data and b"Pat Doe" not in page.data


def test_placements_are_staff_and_self_only(world, hired, rf, factory):
    placement = db.session.scalar(db.select(Placement))
    assert placement.can_see(rf.staff()) and placement.can_see(world.pat)
    assert not placement.can_see(world.captain) and not placement.can_see(world.sam)
