"""Program applications and placement: the public survey, staff decisions, the
proposals page, confirming (seats by the conditional UPDATE), refusals and permissions."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from coop.core import clock
from coop.enrollment import placement
from coop.enrollment.models import Enrollment, Stage
from coop.enrollment.program_models import ProgramApplication, ProgramStatus
from coop.extensions import db
from coop.programs.cloning import next_term, term_of
from coop.programs.models import CohortStatus
from tests.enrollment.conftest import commit_setup


@pytest.fixture
def world(factory):
    """Two cities in one zone and one elsewhere; a track; cohorts a few weeks out."""
    start = clock.today_in("America/New_York") + timedelta(weeks=6)
    ny = factory.city(timezone="America/New_York")
    nj = factory.city(timezone="America/New_York")
    la = factory.city(timezone="America/Los_Angeles")
    track = factory.track()
    mk = dict(track=track, status=CohortStatus.RECRUITING, start_date=start)
    cohorts = {
        "ny": factory.cohort(city=ny, capacity=2, meeting_days="tue,thu", **mk),
        "nj": factory.cohort(city=nj, capacity=1, meeting_days="tue", **mk),
        "la": factory.cohort(city=la, capacity=5, meeting_days="tue", **mk),
        "ny_mw": factory.cohort(city=ny, capacity=5, meeting_days="mon,wed", **mk),
    }
    return dict(ny=ny, nj=nj, la=la, track=track, term=term_of(start), cohorts=cohorts)


def _apps(factory, world, n, **kw):
    kw.setdefault("evenings", "tue,thu")
    return [
        factory.program_application(
            city=world["ny"], track=world["track"], start_term=world["term"], **kw
        )
        for _ in range(n)
    ]


def test_the_public_survey_records_an_application(client, world, outbox):
    page = client.get("/apply/program")
    assert page.status_code == 200
    assert "Evenings you can make" in page.text
    data = {
        "name": "Ana Ruiz",
        "email": "Ana@Example.org",
        "city": str(world["ny"].id),
        "track": str(world["track"].id),
        "evenings": ["tue", "thu"],
        "timezone": "America/New_York",
        "start_term": term_of(clock.today_for()),
        "consent": "y",
    }
    reply = client.post("/apply/program", data=data)
    assert reply.status_code == 302 and reply.location.endswith("/apply/program/thanks")
    app = db.session.scalar(sa.select(ProgramApplication))
    assert app.evenings == "tue,thu" and app.status == ProgramStatus.APPLIED
    assert outbox[-1].to == ["ana@example.org"]
    # The same address and term again: answered alike, nothing more written.
    assert client.post("/apply/program", data=data).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(ProgramApplication.id))) == 1


def test_the_survey_refuses_missing_evenings_and_writes_nothing(client, world):
    data = {
        "name": "Ana",
        "email": "ana@example.org",
        "city": str(world["ny"].id),
        "track": str(world["track"].id),
        "timezone": "America/New_York",
        "start_term": term_of(clock.today_for()),
        "consent": "y",
    }
    page = client.post("/apply/program", data=data)
    assert page.status_code == 200
    assert "Choose at least one evening" in page.text
    assert db.session.scalar(sa.select(sa.func.count(ProgramApplication.id))) == 0


def test_staff_accept_then_see_proposals_with_reasons(client, login_as, factory, world):
    apps = _apps(factory, world, 4, status=ProgramStatus.APPLIED)
    login_as("staff")
    reply = client.post(
        "/program-applications/decide",
        data={"ids": [str(a.id) for a in apps], "decision": "accept"},
    )
    assert reply.status_code == 302
    page = client.get("/program-applications/place")
    assert page.status_code == 200
    # Two seats in their city, one nearby (same zone, Tuesday only), then none: Los
    # Angeles is another zone and the Mon/Wed cohort meets on evenings they cannot make.
    assert page.text.count("Their city and track") == 2
    assert page.text.count("Nearby") == 1
    assert "are full" in page.text  # the fourth: the cohorts they could attend are full
    assert "3 of 4 accepted applicants have a proposal" in page.text


def test_confirming_places_takes_seats_and_never_overfills(client, login_as, factory, world):
    apps = _apps(factory, world, 3)
    ny = world["cohorts"]["ny"]
    login_as("staff")
    reply = client.post("/program-applications/place", data={"choices": [], "all": "1"})
    assert reply.status_code == 302
    db.session.expire_all()
    assert ny.seats_taken == 2 and world["cohorts"]["nj"].seats_taken == 1
    placed = db.session.scalars(sa.select(ProgramApplication).order_by(ProgramApplication.id)).all()
    assert [a.status for a in placed] == [ProgramStatus.PLACED] * 3
    stages = db.session.scalars(sa.select(Enrollment.stage)).all()
    assert stages == [Stage.ENROLLED] * 3
    assert len(apps) == 3


def test_seats_gone_meanwhile_are_reproposed_not_overfilled(client, login_as, factory, world):
    first, second = _apps(factory, world, 2)
    ny, nj = world["cohorts"]["ny"], world["cohorts"]["nj"]
    staff = login_as("staff")
    # Staff saw both proposed to New York; meanwhile someone else took both seats.
    ny.seats_taken = 2
    commit_setup()
    reply = client.post(
        "/program-applications/place",
        data={"choices": [f"{first.id}:{ny.id}", f"{second.id}:{ny.id}"]},
        follow_redirects=True,
    )
    assert "new proposal" in reply.text
    db.session.expire_all()
    assert ny.seats_taken == 2
    assert first.status == second.status == ProgramStatus.ACCEPTED
    # The new proposal is the nearby cohort, for the first of them; the second waits.
    rows = placement.proposals_for(staff)
    assert [r.proposal.cohort_id for r in rows] == [nj.id, None]


def test_a_full_cohort_with_nothing_else_waitlists(client, login_as, factory, world):
    (only,) = _apps(factory, world, 1, evenings="mon,wed")
    mw = world["cohorts"]["ny_mw"]
    login_as("staff")
    mw.seats_taken = mw.capacity
    commit_setup()
    client.post("/program-applications/place", data={"choices": [f"{only.id}:{mw.id}"]})
    db.session.expire_all()
    assert only.status == ProgramStatus.WAITLISTED and mw.seats_taken == mw.capacity
    stage = db.session.scalar(sa.select(Enrollment.stage).where(Enrollment.cohort_id == mw.id))
    assert stage == Stage.WAITLISTED


def test_a_cohort_they_cannot_attend_is_refused_and_nothing_written(
    client, login_as, factory, world
):
    (app,) = _apps(factory, world, 1)  # tue, thu
    mw = world["cohorts"]["ny_mw"]  # mon, wed
    login_as("staff")
    reply = client.post(
        "/program-applications/place",
        data={"choices": [f"{app.id}:{mw.id}"]},
        follow_redirects=True,
    )
    assert "cannot be placed in that cohort" in reply.text
    db.session.expire_all()
    assert mw.seats_taken == 0 and app.status == ProgramStatus.ACCEPTED
    assert db.session.scalar(sa.select(sa.func.count(Enrollment.id))) == 0


def test_confirming_twice_places_once(client, login_as, factory, world):
    (app,) = _apps(factory, world, 1)
    ny = world["cohorts"]["ny"]
    login_as("staff")
    data = {"choices": [f"{app.id}:{ny.id}"]}
    client.post("/program-applications/place", data=data)
    again = client.post("/program-applications/place", data=data, follow_redirects=True)
    assert "no longer waiting for placement" in again.text
    db.session.expire_all()
    assert ny.seats_taken == 1
    assert db.session.scalar(sa.select(sa.func.count(Enrollment.id))) == 1


@pytest.mark.parametrize("role", ["captain", "participant"])
def test_other_roles_get_404(client, login_as, role):
    login_as(role)
    for url in ("/program-applications", "/program-applications/place"):
        assert client.get(url).status_code == 404
    assert client.post("/program-applications/place", data={"all": "1"}).status_code == 404


def test_city_staff_see_and_place_only_their_cities(client, login_as, factory, world):
    (theirs,) = _apps(factory, world, 1)
    other_city = factory.city()
    other = factory.program_application(city=other_city, track=world["track"])
    theirs_name, other_name = theirs.user.name, other.user.name
    login_as("city_staff", cities=[world["ny"]])
    listed = client.get("/program-applications?status=accepted")
    assert theirs_name in listed.text and other_name not in listed.text
    # Another city's applicant, by id: 404, nothing changes.
    other.status = ProgramStatus.APPLIED
    commit_setup()
    reply = client.post(
        "/program-applications/decide", data={"ids": [str(other.id)], "decision": "accept"}
    )
    assert reply.status_code == 404
    db.session.expire_all()
    assert other.status == ProgramStatus.APPLIED
    reply = client.post(
        "/program-applications/place",
        data={"choices": [f"{theirs.id}:{world['cohorts']['ny'].id}", f"{other.id}:1"]},
        follow_redirects=True,
    )
    assert "no longer waiting" in reply.text
    db.session.expire_all()
    assert theirs.status == ProgramStatus.ACCEPTED


def test_declining_needs_a_reason(client, login_as, factory, world):
    (app,) = _apps(factory, world, 1, status=ProgramStatus.APPLIED)
    login_as("staff")
    reply = client.post(
        "/program-applications/decide",
        data={"ids": [str(app.id)], "decision": "decline"},
        follow_redirects=True,
    )
    assert "Give a reason" in reply.text
    db.session.expire_all()
    assert app.status == ProgramStatus.APPLIED


def test_the_place_page_has_a_fixed_number_of_queries(
    client, login_as, factory, world, count_queries
):
    login_as("staff")
    _apps(factory, world, 2)
    with count_queries() as few:
        assert client.get("/program-applications/place").status_code == 200
    _apps(factory, world, 12)
    with count_queries() as many:
        assert client.get("/program-applications/place").status_code == 200
    assert few.count == many.count


def test_later_terms_come_after_nearby(factory, world):
    later = factory.cohort(
        city=world["ny"],
        track=world["track"],
        status=CohortStatus.PLANNED,
        start_date=world["cohorts"]["ny"].start_date + timedelta(weeks=26),
        meeting_days="tue",
    )
    assert term_of(later.start_date) == next_term(world["term"])
    apps = _apps(factory, world, 4)
    staff = factory.user("staff")
    got = [r.proposal.cohort_id for r in placement.proposals_for(staff)]
    c = world["cohorts"]
    assert got == [c["ny"].id, c["ny"].id, c["nj"].id, later.id]
    assert apps
