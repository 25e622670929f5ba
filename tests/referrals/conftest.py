"""Factories for referral tracking: openings, people in cohorts, captains and pods,
referrals, placements."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from coop.auth.models import Role
from coop.coaching.models import CaptainAssignment, PodMembership
from coop.enrollment.models import Stage
from coop.extensions import db
from coop.programs.models import CohortStatus, PartnerKind
from coop.referrals import services
from coop.referrals.models import Opening, Outreach, PartnerContact, ReferralStage


class ReferralFactory:
    def __init__(self, factory):
        self.f = factory

    def opening(self, partner=None, city=None, posted_by=None, **kw) -> Opening:
        partner = partner or self.f.partner()
        if city is None and not kw.get("remote"):
            city = partner.city if partner.city_id else self.f.city()
        opening = Opening(
            partner_id=partner.id,
            title=kw.pop("title", "Junior Analyst"),
            city_id=city.id if city else None,
            remote=kw.pop("remote", False),
            url=kw.pop("url", "https://jobs.example.org/1"),
            posted_by_id=(posted_by or self.f.user(Role.STAFF)).id,
            **kw,
        )
        db.session.add(opening)
        db.session.flush()
        return opening

    def enrolled(self, cohort, user=None, stage=Stage.ENROLLED, **kw):
        return self.f.enrollment(cohort=cohort, user=user, stage=stage, **kw)

    def graduate(self, cohort=None, user=None, **kw):
        cohort = cohort or self.f.cohort(
            status=CohortStatus.COMPLETED,
            start_date=date.today() - timedelta(weeks=40),
        )
        return self.f.enrollment(cohort=cohort, user=user, stage=Stage.GRADUATED, **kw)

    def captain_for(self, cohort, captain=None, ended=False) -> CaptainAssignment:
        from coop.db import utcnow

        assignment = CaptainAssignment(
            cohort_id=cohort.id,
            captain_id=(captain or self.f.user(Role.CAPTAIN)).id,
            ended_at=utcnow() if ended else None,
        )
        db.session.add(assignment)
        db.session.flush()
        return assignment

    def pod(self, assignment, participant) -> PodMembership:
        membership = PodMembership(
            cohort_id=assignment.cohort_id,
            participant_id=participant.id,
            assignment_id=assignment.id,
        )
        db.session.add(membership)
        db.session.flush()
        return membership

    def referral(self, enrollment, referrer=None, opening=None, partner=None, stage=None, **kw):
        referrer = referrer or self.f.user(Role.STAFF)
        if opening is None and partner is None:
            opening = self.opening()
        referral, _ = services.refer(
            referrer, enrollment, opening=opening, partner=partner, note=kw.get("note")
        )
        if stage is not None and stage != ReferralStage.REFERRED:
            services.change_stage(referral, stage, self.staff())
        return referral

    def staff(self):
        if not hasattr(self, "_staff"):
            self._staff = self.f.user(Role.STAFF)
        return self._staff

    def placement(self, enrollment, actor=None, **values):
        data = {
            "employer_name": "Acme",
            "title": "Analyst",
            "start_date": date.today() - timedelta(days=30),
            "salary": 60000,
            "full_time": True,
            "career_track": True,
        }
        data.update(values)
        return services.record_placement(
            actor or self.staff(),
            enrollment.user_id,
            cohort_id=enrollment.cohort_id,
            **data,
        )

    def contact(self, partner, **kw) -> PartnerContact:
        contact = PartnerContact(partner_id=partner.id, name=kw.pop("name", "Jo Contact"), **kw)
        db.session.add(contact)
        db.session.flush()
        return contact

    def outreach(self, partner, by, **kw) -> Outreach:
        outreach = Outreach(
            partner_id=partner.id,
            logged_by_id=by.id,
            occurred_on=kw.pop("occurred_on", date.today()),
            summary=kw.pop("summary", "Met their HR team."),
            **kw,
        )
        db.session.add(outreach)
        db.session.flush()
        return outreach


@pytest.fixture
def rf(factory):
    return ReferralFactory(factory)


@dataclass
class World:
    """Two cities; in the first an active cohort with a captain, a pod of two, a
    graduate alumnus; an employer with an open opening."""

    city: object
    other_city: object
    cohort: object
    other_cohort: object
    captain: object
    assignment: object
    pat: object  # enrolled, in the captain's pod
    pat_enrollment: object
    sam: object  # enrolled in the same cohort, in the pod too
    sam_enrollment: object
    alumnus: object
    alumnus_enrollment: object
    outsider: object  # enrolled in the other city's cohort
    outsider_enrollment: object
    employer: object
    opening: object


@pytest.fixture
def world(factory, rf) -> World:
    city = factory.city(name="Metropolis")
    other_city = factory.city(name="Gotham")
    track = factory.track()
    cohort = factory.cohort(city=city, track=track)
    other_cohort = factory.cohort(city=other_city, track=track)
    old = factory.cohort(
        city=city,
        track=track,
        status=CohortStatus.COMPLETED,
        start_date=date.today() - timedelta(weeks=60),
    )
    captain = factory.user(Role.CAPTAIN, name="Cap Tain")
    assignment = rf.captain_for(cohort, captain)
    pat_e = rf.enrolled(cohort, factory.user(name="Pat Doe"))
    sam_e = rf.enrolled(cohort, factory.user(name="Sam Roe"))
    rf.pod(assignment, pat_e.user)
    rf.pod(assignment, sam_e.user)
    alumnus_e = rf.graduate(old, factory.user(name="Alex Alum"))
    outsider_e = rf.enrolled(other_cohort, factory.user(name="Olly Out"))
    employer = factory.partner(name="Initech", kind=PartnerKind.EMPLOYER, city=city)
    opening = rf.opening(partner=employer, city=city, title="Data Analyst")
    return World(
        city=city,
        other_city=other_city,
        cohort=cohort,
        other_cohort=other_cohort,
        captain=captain,
        assignment=assignment,
        pat=pat_e.user,
        pat_enrollment=pat_e,
        sam=sam_e.user,
        sam_enrollment=sam_e,
        alumnus=alumnus_e.user,
        alumnus_enrollment=alumnus_e,
        outsider=outsider_e.user,
        outsider_enrollment=outsider_e,
        employer=employer,
        opening=opening,
    )
