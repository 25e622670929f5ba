"""Who may use every talent route (the role × route matrix, with the partner role), IDOR
checks between partner organisations, and a walk of every page of the app as a partner
contact: they reach their organisation's pages and the talent search, nothing else."""

import pytest

from coop.extensions import db
from coop.referrals.models import Opening
from coop.talent import services
from coop.talent.models import Introduction, ShortlistEntry
from tests.talent.conftest import PDF
from tests.test_route_walk import build, real_ids, routes

ROLES = ("staff", "city_staff", "captain", "participant", "partner", "other_partner", "anonymous")
LOGIN = "login"

# route -> expected status per role, in ROLES order. "partner" is Initech's contact, whose
# opening and introduction these are; "other_partner" is Globex's. "city_staff" is staff of
# another city; "captain" and "participant" are unrelated to the objects.
MATRIX = [
    ("GET", "/me/career", (404, 404, 404, 200, 404, 404, LOGIN)),
    ("GET", "/me/career/resume", (404, 404, 404, 404, 404, 404, LOGIN)),
    ("POST", "/me/career/submit", (404, 404, 404, 404, 404, 404, LOGIN)),
    ("POST", "/me/career/hide", (404, 404, 404, 404, 404, 404, LOGIN)),
    ("POST", "/me/career/resume", (404, 404, 404, 404, 404, 404, LOGIN)),
    ("POST", "/me/introductions/{intro}/accept", (404, 404, 404, 404, 404, 404, LOGIN)),
    ("POST", "/openings/{opening}/interest", (404, 404, 404, 302, 404, 404, LOGIN)),
    ("GET", "/partner", (404, 404, 404, 404, 200, 200, LOGIN)),
    ("GET", "/partner/openings/new", (404, 404, 404, 404, 200, 200, LOGIN)),
    ("POST", "/partner/openings/{opening}/close", (404, 404, 404, 404, 302, 404, LOGIN)),
    ("GET", "/partner/shortlist", (404, 404, 404, 404, 200, 200, LOGIN)),
    ("GET", "/talent", (200, 200, 404, 404, 200, 200, LOGIN)),
    ("GET", "/talent/{profile}", (200, 404, 404, 404, 200, 200, LOGIN)),
    ("GET", "/talent/{draft}", (200, 404, 404, 404, 404, 404, LOGIN)),
    ("GET", "/talent/{profile}/resume", (200, 404, 404, 404, 404, 404, LOGIN)),
    ("POST", "/talent/{profile}/shortlist", (404, 404, 404, 404, 302, 302, LOGIN)),
    ("POST", "/talent/{draft}/shortlist", (404, 404, 404, 404, 404, 404, LOGIN)),
    ("GET", "/talent/{profile}/introduce", (404, 404, 404, 404, 200, 200, LOGIN)),
    ("GET", "/talent/{draft}/introduce", (404, 404, 404, 404, 404, 404, LOGIN)),
    ("GET", "/talent/review", (200, 200, 404, 404, 404, 404, LOGIN)),
    ("POST", "/talent/{draft}/approve", (302, 404, 404, 404, 404, 404, LOGIN)),
    ("POST", "/talent/{profile}/return", (302, 404, 404, 404, 404, 404, LOGIN)),
    ("POST", "/talent/openings/{opening}/approve", (302, 404, 404, 404, 404, 404, LOGIN)),
    ("POST", "/contacts/{contact}/invite", (302, 404, 404, 404, 404, 404, LOGIN)),
    ("POST", "/partners/{partner}/opening-approval", (302, 404, 404, 404, 404, 404, LOGIN)),
    ("POST", "/interest/{interest}/refer", (302, 404, 404, 404, 404, 404, LOGIN)),
    ("POST", "/interest/{interest}/decline", (302, 404, 404, 404, 404, 404, LOGIN)),
]


@pytest.fixture
def objects(app, tw, tf):
    services.upload_resume(tw.pat_profile, tw.pat, "cv.pdf", PDF)
    with app.test_request_context():
        intro = services.request_introduction(
            tw.contact, tw.partner_user, tw.pat_profile, opening=tw.opening
        )
        interest = services.express_interest(tw.sam, tw.opening)
    contact = tf.rf.contact(tw.initech, name="Not Yet", email="not.yet@initech.example")
    db.session.commit()
    return {
        "profile": tw.pat_profile.id,
        "draft": tw.dana_profile.id,
        "opening": tw.opening.id,
        "intro": intro.id,
        "interest": interest.id,
        "contact": contact.id,
        "partner": tw.initech.id,
    }


def _sign_in(login_as, role, factory, tw):
    if role == "anonymous":
        return None
    if role == "city_staff":
        return login_as("city_staff", cities=[factory.city(name="Elsewhere")])
    if role == "partner":
        return login_as(tw.partner_user)
    if role == "other_partner":
        return login_as(tw.other_partner_user)
    return login_as(role)


@pytest.mark.parametrize(("method", "route", "expected"), MATRIX, ids=[m[1] for m in MATRIX])
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, login_as, factory, tw, objects, method, route, expected, role):
    _sign_in(login_as, role, factory, tw)
    url = route.format(**objects)
    data = {"reason": "Because."} if url.endswith(("/return", "/decline")) else {}
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
        if rule.endpoint.startswith("talent.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    names = {
        "profile": "profile",
        "draft": "profile",
        "opening": "opening",
        "intro": "introduction",
        "interest": "request",
        "contact": "contact",
        "partner": "partner",
    }
    covered = set()
    for method, route, _ in MATRIX:
        path = route
        for name, kind in names.items():
            path = path.replace("{" + name + "}", f"<int:{kind}_id>")
        path = path.replace("/me/career/hide", "/me/career/<any(hide,show):choice>")
        path = path.replace(
            "<int:introduction_id>/accept", "<int:introduction_id>/<any(accept,decline):answer>"
        )
        covered.add((path, method))
    missing = {(r, m) for r, m in ours if (r, m) not in covered and (r, "GET") not in covered}
    assert missing == set()


# -- IDOR between partners: 404 and nothing changes ------------------------------------------


def test_another_partner_cannot_close_the_opening(client, login_as, tw):
    login_as(tw.other_partner_user)
    assert client.post(f"/partner/openings/{tw.opening.id}/close").status_code == 404
    db.session.expire_all()
    assert db.session.get(Opening, tw.opening.id).closed_at is None


def test_introductions_and_shortlists_stay_with_their_partner(client, login_as, tw, objects):
    login_as(tw.partner_user)
    client.post(f"/talent/{tw.sam_profile.id}/shortlist")
    login_as(tw.other_partner_user)
    home = client.get("/partner").get_data(as_text=True)
    assert "Pat Doe" not in home and "Data Analyst" not in home
    assert "Sam Roe" not in client.get("/partner/shortlist").get_data(as_text=True)
    profile_page = client.get(f"/talent/{tw.pat_profile.id}").get_data(as_text=True)
    assert "waiting for an answer" not in profile_page  # Initech's request is not theirs
    # Asking for Initech's opening is refused, and nothing is written.
    before = db.session.scalar(db.select(db.func.count(Introduction.id)))
    response = client.post(
        f"/talent/{tw.pat_profile.id}/introduce", data={"opening_id": str(tw.opening.id)}
    )
    assert response.status_code == 200
    assert db.session.scalar(db.select(db.func.count(Introduction.id))) == before
    assert (
        db.session.scalar(
            db.select(db.func.count(ShortlistEntry.id)).where(
                ShortlistEntry.contact_id == tw.other_contact.id
            )
        )
        == 0
    )


def test_an_archived_contact_reaches_nothing(client, login_as, tw):
    tw.contact.archived = True
    db.session.commit()
    login_as(tw.partner_user)
    for url in ("/partner", "/talent", f"/talent/{tw.pat_profile.id}", "/partner/shortlist"):
        assert client.get(url).status_code == 404, url


#: What a partner contact may open: their organisation's pages, the talent search, their
#: own account (sign-in security, data export), and the front door.
PARTNER_PAGES = {
    "talent.partner_home",
    "talent.new_opening",
    "talent.search",
    "talent.profile",
    "talent.shortlist",
    "talent.introduce",
    "auth.account",
    "account_sessions.sessions",
    "mfa.setup",
    "mfa.qr",
    "audit.disclosures",
    "privacy.download",
    "hiring.partner_events",
    "hiring.partner_event",
}


def test_a_partner_contact_reaches_only_their_pages(app, client, login_as, tw, objects):
    ids = real_ids()
    ids.update({"profile": objects["profile"], "careerprofile": objects["profile"]})
    login_as(tw.partner_user)
    reached = set()
    for rule in routes(app):
        if "GET" not in rule.methods or rule.endpoint.endswith("static"):
            continue
        if getattr(app.view_functions[rule.endpoint], "is_public", False):
            continue
        response = client.get(build(app, rule, ids))
        assert response.status_code < 500, rule.rule
        if response.status_code == 200:
            reached.add(rule.endpoint)
    assert reached - PARTNER_PAGES == set()
    assert {"talent.partner_home", "talent.search", "talent.profile"} <= reached
