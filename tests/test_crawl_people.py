"""Crawl the demo data as the people who use coop outside the office: the demo captain,
the demo participant and an anonymous visitor.

Breadth first from where each one lands, every same-site link the app itself shows is
followed (a bounded number of pages, a few of each kind): none may answer 404 or 500.
The participant's pages never name another cohort (the openings board aside) and never
show the email address of someone outside their pod and captains, nor of anyone in it who
did not choose to share it.
"""

import re
from urllib.parse import urlsplit

import pytest

from coop.auth.models import ParticipantProfile, User
from coop.coaching.models import CaptainAssignment, PodMembership
from coop.demo import seed
from coop.enrollment.models import Enrollment
from coop.extensions import db
from coop.programs.models import Cohort
from tests.crawl import crawl as crawl_site
from tests.crawl import failures

#: At most this many pages per crawl, and this many of one kind (ids collapsed), so the
#: crawl sees every kind of page without reading all 32 sessions of a cohort.
MAX_PAGES = 200
PER_KIND = 4


def crawl(client, *starts: str) -> dict[str, str]:
    """Visit from ``starts``; returns the HTML of every page read, by URL. Fails on any
    response of 400 or more, naming the page that linked there."""
    pages = crawl_site(client, *starts, max_pages=MAX_PAGES, per_kind=PER_KIND)
    assert failures(pages) == {}
    return {url: page.html for url, page in pages.items() if page.html}


@pytest.fixture
def demo(db):
    seed()
    db.session.commit()
    return {
        u.email: u
        for u in db.session.scalars(
            db.select(User).where(
                User.email.in_(["captain@coop.example", "participant@coop.example"])
            )
        )
    }


def test_the_captain_reaches_every_page_they_are_shown(client, login_as, demo):
    login_as(demo["captain@coop.example"])

    pages = crawl(client, "/")

    visited = {urlsplit(u).path for u in pages}
    for path in ("/coaching/", "/roll-call", "/openings", "/referrals", "/outreach", "/account"):
        assert path in visited, path
    for pattern in (
        r"^/coaching/cohorts/\d+/participants/\d+$",  # a participant's check-ins
        r"^/coaching/cohorts/\d+/participants/\d+/checkins/new$",
        r"^/coaching/checkins/\d+$",
        r"^/sessions/\d+/roll-call$",
        r"^/openings/\d+$",
        r"^/referrals/\d+$",
    ):
        assert any(re.match(pattern, p) for p in visited), pattern


def _allowed_emails(participant: User) -> tuple[set[str], set[str]]:
    """(the emails the participant may see, their cohorts' names)."""
    cohort_ids = set(
        db.session.scalars(
            db.select(Enrollment.cohort_id).where(Enrollment.user_id == participant.id)
        )
    )
    names = set(db.session.scalars(db.select(Cohort.name).where(Cohort.id.in_(cohort_ids))))
    mine = (
        db.select(PodMembership.assignment_id)
        .where(PodMembership.participant_id == participant.id)
        .scalar_subquery()
    )
    pod_mates = db.select(PodMembership.participant_id).where(PodMembership.assignment_id.in_(mine))
    captains = db.select(CaptainAssignment.captain_id).where(
        CaptainAssignment.cohort_id.in_(cohort_ids), CaptainAssignment.ended_at.is_(None)
    )
    sharing = set(
        db.session.scalars(
            db.select(User.email)
            .join(ParticipantProfile, ParticipantProfile.user_id == User.id)
            .where(
                ParticipantProfile.share_email.is_(True),
                User.id.in_(pod_mates) | User.id.in_(captains),
            )
        )
    )
    return sharing | {participant.email}, names


def test_the_participant_reaches_every_page_and_sees_only_their_cohort(client, login_as, demo):
    pat = demo["participant@coop.example"]
    login_as(pat)
    allowed, own_names = _allowed_emails(pat)
    others = set(db.session.scalars(db.select(Cohort.name))) - own_names
    hidden = set(db.session.scalars(db.select(User.email))) - allowed
    # The demo has people the check must hide: a pod mate who shares nothing, other pods.
    pod_mates = db.session.scalars(
        db.select(User.email)
        .join(PodMembership, PodMembership.participant_id == User.id)
        .where(
            PodMembership.assignment_id.in_(
                db.select(PodMembership.assignment_id).where(PodMembership.participant_id == pat.id)
            )
        )
    ).all()
    assert set(pod_mates) & hidden and others and len(hidden) > 100

    pages = crawl(client, "/")

    visited = {urlsplit(u).path for u in pages}
    for path in (
        "/my-cohort",
        "/openings",
        "/me/referrals",
        "/me/jobs/new",
        "/sharing",
        "/account",
    ):
        assert path in visited, path
    for pattern in (r"^/my-cohort/\d+/people$", r"^/my-cohort/sessions/\d+$", r"^/referrals/\d+$"):
        assert any(re.match(pattern, p) for p in visited), pattern
    shown = set()
    for url, html in pages.items():
        emails = set(re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", html))
        assert not emails & hidden, f"{url} shows {sorted(emails & hidden)}"
        shown |= emails & allowed
        if not urlsplit(url).path.startswith("/openings"):
            named = [name for name in others if name in html]
            assert not named, f"{url} names another cohort: {named}"
    assert shown - {pat.email}, "no shared email was shown: the check saw no contact details"


@pytest.mark.parametrize("start", ["/login", "/apply"])
def test_an_anonymous_visitor_reaches_every_public_page(client, demo, start):
    pages = crawl(client, start)

    visited = {urlsplit(u).path for u in pages}
    assert {"/login", "/apply", "/reset", "/apply/privacy"} <= visited
    assert any(re.match(r"^/apply/\d+$", p) for p in visited)


def test_the_partner_contact_reaches_their_pages_and_sees_no_private_data(client, login_as, demo):
    partner = db.session.scalar(db.select(User).where(User.email == "partner@coop.example"))
    login_as(partner)

    pages = crawl(client, "/")

    visited = {urlsplit(u).path for u in pages}
    for path in ("/partner", "/talent", "/partner/shortlist", "/partner/openings/new", "/account"):
        assert path in visited, path
    assert any(re.match(r"^/talent/\d+$", p) for p in visited)
    assert not any(
        p.startswith(("/coaching", "/sessions", "/applications", "/reports")) for p in visited
    )
    # No introduction of theirs is accepted in the demo: no one's email or phone shows.
    people = set(db.session.scalars(db.select(User.email).where(User.id != partner.id)))
    phones = set(
        db.session.scalars(
            db.select(ParticipantProfile.phone).where(ParticipantProfile.phone.is_not(None))
        )
    )
    for url, html in pages.items():
        emails = set(re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", html))
        assert not emails & people, f"{url} shows {sorted(emails & people)}"
        assert not [p for p in phones if p in html], url
