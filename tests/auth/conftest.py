"""Helpers for the account tests: users with real passwords, signing in through the form,
and a clock for the signed links."""

import re
from urllib.parse import urlencode, urlsplit

import pytest
from itsdangerous.timed import TimestampSigner

from coop.auth.models import Role
from coop.auth.passwords import hash_password
from coop.extensions import db

PASSWORD = "correct horse battery"


@pytest.fixture
def member(factory):
    """``member(role="staff", password=PASSWORD, **factory_kwargs)``: a committed user who
    can sign in with ``password``."""

    def _make(role=Role.STAFF, password=PASSWORD, **kw):
        user = factory.user(Role(role), password_hash=hash_password(password), **kw)
        db.session.commit()
        return user

    return _make


@pytest.fixture
def sign_in():
    """``sign_in(client, email, password=PASSWORD, next=None)``: POST the sign-in form as a
    browser would (the form posts back to its own URL, ``next`` included)."""

    def _sign_in(client, email, password=PASSWORD, next=None):
        url = "/login" if next is None else "/login?" + urlencode({"next": next})
        return client.post(url, data={"email": email, "password": password})

    return _sign_in


@pytest.fixture
def link_clock(monkeypatch):
    """Move the clock that signs and checks invitation and reset links:
    ``link_clock.advance(seconds)``."""

    class Clock:
        offset = 0

        def advance(self, seconds: int) -> None:
            self.offset += seconds

    clock = Clock()
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: real(self) + clock.offset)
    return clock


@pytest.fixture
def link_path():
    """``link_path(message)``: the path of the one link in an email's body."""

    def _path(message) -> str:
        urls = re.findall(r"https?://\S+", message.body)
        assert len(urls) == 1, message.body
        return urlsplit(urls[0]).path

    return _path


@pytest.fixture
def world(factory):
    """Two cities and the people tied to them, for visibility and permission tests.

    New York: a cohort with an enrolled participant and a captain, staff for New York, and
    staff for New York and Chicago. Chicago: a participant and staff. Plus org-wide staff
    and a participant with no cohort yet.
    """
    from types import SimpleNamespace

    from coop.coaching.models import CaptainAssignment

    nyc = factory.city("New York")
    chicago = factory.city("Chicago", timezone="America/Chicago")
    nyc_cohort = factory.cohort(city=nyc)
    chicago_cohort = factory.cohort(city=chicago)
    w = SimpleNamespace(nyc=nyc, chicago=chicago, nyc_cohort=nyc_cohort)
    w.nyc_participant = factory.user(Role.PARTICIPANT, name="Nina Participant")
    factory.enrollment(cohort=nyc_cohort, user=w.nyc_participant)
    w.nyc_captain = factory.user(Role.CAPTAIN, name="Carl Captain")
    db.session.add(CaptainAssignment(cohort=nyc_cohort, captain=w.nyc_captain))
    w.nyc_staff = factory.user(Role.STAFF, name="Nora Staff", cities=[nyc], all_cities=False)
    w.two_city_staff = factory.user(
        Role.STAFF, name="Tom Twocity", cities=[nyc, chicago], all_cities=False
    )
    w.chicago_participant = factory.user(Role.PARTICIPANT, name="Chad Participant")
    factory.enrollment(cohort=chicago_cohort, user=w.chicago_participant)
    w.chicago_staff = factory.user(
        Role.STAFF, name="Cleo Staff", cities=[chicago], all_cities=False
    )
    w.org_staff = factory.user(Role.STAFF, name="Olga Orgwide")
    w.loose_participant = factory.user(Role.PARTICIPANT, name="Lou Nocohort")
    db.session.commit()
    return w
