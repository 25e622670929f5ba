"""Every page issues a fixed number of queries whatever the number of rows: the count
with 3 rows of everything equals the count with 30 (more than one page)."""

from datetime import date, timedelta

import pytest

from coop.enrollment.models import Stage
from coop.extensions import db
from coop.programs.models import CohortStatus
from coop.referrals import services
from coop.referrals.models import FollowUp
from coop.referrals.models import ReferralStage as S

STAGES = [S.REFERRED, S.APPLIED, S.INTERVIEWING, S.OFFER, S.HIRED, S.NOT_SELECTED, S.WITHDRAWN]


class Data:
    """Grows the world's data by ``n`` rows of every kind each call."""

    def __init__(self, world, rf, factory):
        self.world, self.rf, self.f = world, rf, factory
        self.graduated_cohort = factory.cohort(
            city=world.city,
            status=CohortStatus.COMPLETED,
            start_date=date.today() - timedelta(weeks=50),
        )
        self.count = 0

    def grow(self, n):
        w, rf, f = self.world, self.rf, self.f
        for _ in range(n):
            i = self.count = self.count + 1
            partner = f.partner(name=f"Employer {i:03d}", city=w.city)
            opening = rf.opening(partner=partner, city=w.city, title=f"Role {i:03d}")
            rf.opening(partner=w.employer, city=w.city, title=f"Initech role {i:03d}")
            person = rf.enrolled(w.cohort, f.user(name=f"Person {i:03d}"))
            rf.pod(w.assignment, person.user)
            # Referrals of every stage: to the new opening, and one to Initech's opening.
            rf.referral(person, w.captain, opening=opening, stage=STAGES[i % len(STAGES)])
            rf.referral(person, w.captain, opening=w.opening, stage=STAGES[(i + 3) % len(STAGES)])
            # Pat (a participant we sign in as) gets referred and refers (as an alumnus).
            rf.referral(w.pat_enrollment, w.captain, opening=opening)
            rf.placement(person, partner_id=w.employer.id, employer_name="Initech")
            rf.placement(w.pat_enrollment, actor=w.pat, title=f"Job {i:03d}")
            rf.contact(w.employer, name=f"Contact {i:03d}")
            rf.outreach(w.employer, w.captain, summary=f"Visit {i:03d}")
            grad = rf.enrolled(
                self.graduated_cohort, f.user(name=f"Grad {i:03d}"), stage=Stage.GRADUATED
            )
            services.ensure_followups([grad])
            if w.alumnus_enrollment:
                rf.referral(person, w.alumnus, partner=partner)
        db.session.commit()


@pytest.fixture
def data(world, rf, factory):
    return Data(world, rf, factory)


def _count(client, count_queries, url):
    # A first request settles the shared test session (the signed-in user loaded), so
    # the counted one starts where every production request does.
    client.get(url)
    with count_queries() as q:
        response = client.get(url)
    assert response.status_code == 200, url
    return q.count


PAGES = {
    "staff": [
        "/partners",
        "/partners/{employer}",
        "/outreach",
        "/openings",
        "/openings?show=all",
        "/openings/{opening}",
        "/referrals",
        "/referrals?stage=open",
        "/referrals/{referral}",
        "/referrals/new",
        "/placements",
        "/placements/new",
        "/follow-ups",
        "/follow-ups?when=open",
        "/follow-ups/{follow_up}",
    ],
    "captain": [
        "/openings",
        "/openings/{opening}",
        "/referrals",
        "/referrals/{referral}",
        "/referrals/new",
        "/outreach",
    ],
    "pat": ["/openings", "/openings/{opening}", "/me/referrals", "/referrals/{referral}"],
    "alumnus": ["/me/referrals", "/referrals/new"],
}


@pytest.mark.parametrize("who", list(PAGES))
def test_pages_issue_a_fixed_number_of_queries(client, login_as, count_queries, world, data, who):
    user = {"staff": None, "captain": world.captain, "pat": world.pat, "alumnus": world.alumnus}[
        who
    ]
    data.grow(3)
    login_as(user or "staff")

    def urls():
        from coop.referrals.models import Referral

        referral = db.session.scalar(
            db.select(Referral.id)
            .where(Referral.participant_id == world.pat.id)
            .order_by(Referral.id)
        )
        follow_up = db.session.scalar(db.select(FollowUp.id).order_by(FollowUp.id))
        ids = {
            "employer": world.employer.id,
            "opening": world.opening.id,
            "referral": referral,
            "follow_up": follow_up,
        }
        return [u.format(**ids) for u in PAGES[who]]

    small = {u: _count(client, count_queries, u) for u in urls()}
    data.grow(27)
    large = {u: _count(client, count_queries, u) for u in urls()}
    assert large == small
    # And the numbers stay small.
    # (A partner's page is 23: it records who saw its hires' salaries, see
    # coop.core.audit.record_view, and the commit reloads the signed-in user; and the
    # menu's flagged check-ins count.)
    assert max(small.values()) <= 23, small


def test_lists_paginate(client, login_as, world, data):
    data.grow(30)
    login_as("staff")
    page = client.get("/referrals")
    assert b"Next" in page.data and b"in all" in page.data
    assert page.data.count(b'href="/referrals/') <= 25 + 2
    page2 = client.get("/referrals?page=2")
    assert page2.status_code == 200
    for url in ("/partners", "/outreach", "/openings", "/placements", "/follow-ups?when=open"):
        first = client.get(url)
        assert b"in all" in first.data, url
    login_as(world.pat)
    mine = client.get("/me/referrals")
    assert b"referrals_page=2" in mine.data and b"jobs_page=2" in mine.data
