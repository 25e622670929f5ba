"""Assessment builders: templates, schedules, responses and pulse checks."""

from datetime import timedelta

import pytest

from coop.assessments import queries, services
from coop.assessments.models import Point, PulseResponse, pulse_period
from coop.auth.models import Role
from coop.core import clock
from coop.extensions import db
from tests.sessions.builders import Builder

ITEMS = (
    "scale: How confident are you writing SQL?\n"
    "scale: How confident are you presenting data?\n"
    "yesno: Have you built a dashboard before?\n"
    "number: Hours a week you can study\n"
    "choice: Your main tool | Excel | Sheets | SQL\n"
    "text: Anything else?"
)


class Assess(Builder):
    def __init__(self, factory):
        super().__init__(factory)
        self._staff = None

    @property
    def staff(self):
        if self._staff is None:
            self._staff = self.factory.user(Role.STAFF)
        return self._staff

    def template(self, track, title="Skills check", items=ITEMS, description="How sure you feel"):
        return services.create_template(track, title, description, items, self.staff)

    def active_cohort(self, weeks_in=4, zone="America/New_York", **kw):
        """An active cohort that started ``weeks_in`` weeks ago today (in its city)."""
        city = kw.pop("city", None) or self.factory.city(timezone=zone)
        start = clock.today_in(city.timezone) - timedelta(weeks=weeks_in)
        return self.factory.cohort(city=city, start_date=start, **kw)

    def schedule(self, cohort, template, point=Point.INTAKE, week=1):
        return services.schedule(cohort, template, Point(point), week, self.staff)

    def answer(self, row, cohort, person, values: dict, today=None):
        """Answer ``row`` with ``values`` by position (1-based) of the current version's
        items, e.g. ``{1: 3, 2: 4}``; the other items get a default."""
        version = queries.current_version(row.template_id)
        defaults = {"scale": "3", "yes_no": "1", "number": "5", "choice": None, "text": ""}
        answers = {}
        for item in version.items:
            value = values.get(item.position)
            if value is None:
                value = defaults[item.kind.value] if item.kind != "choice" else item.options[0]
            answers[item.id] = str(value)
        # Answer within the window: on its first day, unless told otherwise.
        today = today or row.opens_on(cohort.start_date)
        return services.submit_response(row, cohort, version, person, answers, today)

    def pulse(self, cohort, person, confidence=3, workload=3, help_with="", period=None):
        period = period or pulse_period(
            cohort.start_date, clock.today_for_cohort(cohort), queries.pulse_days(cohort.id)
        )
        pulse = PulseResponse(
            cohort_id=cohort.id,
            participant_id=person.id,
            period_start=period,
            confidence=confidence,
            workload=workload,
            needs_help=bool(help_with),
            help_with=help_with,
        )
        db.session.add(pulse)
        db.session.flush()
        return pulse


@pytest.fixture
def assess(factory):
    return Assess(factory)
