"""Coaching factories: graduates, captains, teams, pods and check-ins."""

from datetime import date, timedelta

import pytest

from coop.auth.models import Role
from coop.coaching.models import AlumniCaptain, CaptainAssignment, CheckIn, PodMembership
from coop.enrollment.models import Stage
from coop.extensions import db
from coop.programs.models import City, CohortStatus


class Coaching:
    def __init__(self, factory):
        self.f = factory

    def past_cohort(self, city=None, **kw):
        start = kw.pop("start_date", date.today() - timedelta(days=400))
        return self.f.cohort(city=city, status=CohortStatus.COMPLETED, start_date=start, **kw)

    def graduate(self, cohort=None, city=None, **kw):
        """A participant who graduated from ``cohort`` (a completed one by default)."""
        cohort = cohort or self.past_cohort(city=city)
        user = self.f.user(Role.PARTICIPANT, **kw)
        self.f.enrollment(cohort=cohort, user=user, stage=Stage.GRADUATED)
        return user

    def captain(self, city=None, graduated_from=None, **kw):
        """An appointed alumni captain (role captain, graduate of an earlier cohort)."""
        graduated_from = graduated_from or self.past_cohort(city=city)
        user = self.f.user(Role.CAPTAIN, **kw)
        self.f.enrollment(cohort=graduated_from, user=user, stage=Stage.GRADUATED)
        db.session.add(AlumniCaptain(user_id=user.id, graduated_from_id=graduated_from.id))
        db.session.flush()
        return user

    def assign(self, cohort, captain=None, is_lead=False, max_participants=6):
        captain = captain or self.captain(city=db.session.get(City, cohort.city_id))
        a = CaptainAssignment(
            cohort_id=cohort.id,
            captain_id=captain.id,
            is_lead=is_lead,
            max_participants=max_participants,
        )
        db.session.add(a)
        db.session.flush()
        return a

    def team(self, cohort, n=4, max_participants=6):
        return [
            self.assign(cohort, is_lead=(i == 0), max_participants=max_participants)
            for i in range(n)
        ]

    def enrolled(self, cohort, n=1, stage=Stage.ENROLLED):
        people = []
        for _ in range(n):
            user = self.f.user(Role.PARTICIPANT)
            self.f.enrollment(cohort=cohort, user=user, stage=stage)
            people.append(user)
        return people

    def pod(self, assignment, participants):
        for p in participants:
            db.session.add(
                PodMembership(
                    cohort_id=assignment.cohort_id, participant_id=p.id, assignment_id=assignment.id
                )
            )
        db.session.flush()
        return participants

    def setup(self, n=3, city=None):
        """An active cohort with a captain whose pod holds ``n`` participants."""
        cohort = self.f.cohort(city=city or self.f.city())
        assignment = self.assign(cohort, is_lead=True)
        people = self.pod(assignment, self.enrolled(cohort, n))
        captain = db.session.get(type(people[0]), assignment.captain_id) if people else None
        return cohort, assignment, captain, people

    def checkin(self, cohort, participant, author, held_on=None, **kw):
        c = CheckIn(
            cohort_id=cohort.id,
            participant_id=participant.id,
            author_id=author.id,
            held_on=held_on or date.today(),
            channel=kw.pop("channel", "video"),
            minutes=kw.pop("minutes", 30),
            topics=kw.pop("topics", ["resume"]),
            notes=kw.pop("notes", "Talked about the resume."),
            next_steps=kw.pop("next_steps", "Send a draft."),
            **kw,
        )
        db.session.add(c)
        db.session.flush()
        return c


@pytest.fixture
def coach(factory):
    return Coaching(factory)
