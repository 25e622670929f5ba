"""Factories for the foundation's models. Each call makes a valid row and flushes it."""

import itertools
from datetime import date, time, timedelta

from coop.auth.models import ParticipantProfile, Role, User
from coop.enrollment.models import Enrollment, Stage
from coop.extensions import db
from coop.programs.models import City, Cohort, CohortStatus, Partner, PartnerKind, Track

_seq = itertools.count(1)


class Factory:
    def city(self, name=None, timezone="America/New_York", **kw) -> City:
        n = next(_seq)
        city = City(
            name=name or f"City {n}", slug=kw.pop("slug", f"city-{n}"), timezone=timezone, **kw
        )
        db.session.add(city)
        db.session.flush()
        return city

    def track(self, name=None, **kw) -> Track:
        n = next(_seq)
        track = Track(name=name or f"Track {n}", slug=kw.pop("slug", f"track-{n}"), **kw)
        db.session.add(track)
        db.session.flush()
        return track

    def partner(self, name=None, kind=PartnerKind.EMPLOYER, **kw) -> Partner:
        partner = Partner(name=name or f"Partner {next(_seq)}", kind=kind, **kw)
        db.session.add(partner)
        db.session.flush()
        return partner

    def cohort(
        self,
        city=None,
        track=None,
        name=None,
        status=CohortStatus.ACTIVE,
        start_date=None,
        capacity=16,
        **kw,
    ) -> Cohort:
        start = start_date or date.today() - timedelta(weeks=4)
        cohort = Cohort(
            city=city or self.city(),
            track=track or self.track(),
            name=name or f"Cohort {next(_seq)}",
            start_date=start,
            end_date=kw.pop("end_date", start + timedelta(weeks=16)),
            capacity=capacity,
            status=status,
            meeting_days=kw.pop("meeting_days", "tue,thu"),
            meeting_time=kw.pop("meeting_time", time(18, 30)),
            video_link=kw.pop("video_link", "https://meet.example.org/cohort"),
            **kw,
        )
        db.session.add(cohort)
        db.session.flush()
        return cohort

    def user(
        self,
        role=Role.PARTICIPANT,
        email=None,
        name=None,
        cities=(),
        all_cities=None,
        password_hash="not-a-real-hash",
        **kw,
    ) -> User:
        n = next(_seq)
        role = Role(role)
        user = User(
            email=email or f"{role.value}{n}@example.org",
            name=name or f"{role.value.title()} {n}",
            role=role,
            password_hash=password_hash,
            all_cities=(role == Role.STAFF and not cities) if all_cities is None else all_cities,
            **kw,
        )
        user.cities = list(cities)
        if role != Role.STAFF:
            user.profile = ParticipantProfile()
        db.session.add(user)
        db.session.flush()
        return user

    def enrollment(self, cohort=None, user=None, stage=Stage.ENROLLED, **kw) -> Enrollment:
        enrollment = Enrollment(
            cohort=cohort or self.cohort(), user=user or self.user(), stage=stage, **kw
        )
        db.session.add(enrollment)
        db.session.flush()
        return enrollment

    def program_application(self, city=None, track=None, user=None, **kw):
        """An accepted program application (the pre-program survey), ready to place."""
        from coop.enrollment.program_models import ProgramApplication, ProgramStatus

        city = city or self.city()
        app = ProgramApplication(
            user=user or self.user(),
            city_id=city.id,
            track_id=(track or self.track()).id,
            evenings=kw.pop("evenings", "mon,tue,wed,thu"),
            timezone=kw.pop("timezone", city.timezone),
            start_term=kw.pop("start_term", "Spring 2027"),
            status=kw.pop("status", ProgramStatus.ACCEPTED),
            **kw,
        )
        db.session.add(app)
        db.session.flush()
        return app


def application_form(cohort, **overrides) -> dict:
    """Valid public application form data for ``cohort``; override with keywords (None
    drops a field)."""
    data = {
        "name": "Rosa Alvarez",
        "email": "Rosa.Alvarez@Example.org",
        "phone": "(555) 010-2030",
        "college": "Lehman College",
        "graduation_year": "2024",
        "first_generation": "yes",
        "low_income": "yes",
        "job_title": "Retail associate",
        "salary_band": "25-35k",
        "preferred_track": str(cohort.track_id),
        "preferred_city": str(cohort.city_id),
        "heard_via": "other",
        "referrer": "",
        "partner": "",
        "heard_other": "A flyer at the library",
        "consent": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
