"""A double click or a retried request makes one record (check-ins, partners, contacts,
outreach, openings, referrals, jobs), on SQLite and PostgreSQL.

Each create form renders a one-time token; the record and the token are saved together,
and a repeat with the same token, later or at the same moment, is sent to what the first
submission made. Different tokens are different submissions.
"""

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from coop.auth.models import Role, User
from coop.coaching.models import CaptainAssignment, CheckIn, PodMembership
from coop.core import once
from coop.core.models import FormSubmission
from coop.extensions import db
from coop.programs.models import Partner
from coop.referrals.models import Opening, Outreach, PartnerContact, Placement, Referral
from tests.concurrency import separate_app, signed_in_client
from tests.factories import Factory

SAVED = "That was already saved."
TOKEN_INPUT = re.compile(r'<input[^>]*name="submission_token"[^>]*>')
YESTERDAY = (date.today() - timedelta(days=1)).isoformat()


@dataclass
class World:
    """Ids of the people and things every create form here needs."""

    staff: int
    captain: int
    member: int  # a participant in the captain's pod, and a reporter of their own job
    cohort: int
    city: int
    partner: int

    def user(self, who: str) -> User:
        return db.session.get(User, getattr(self, who))


def build(f: Factory) -> World:
    city = f.city()
    cohort = f.cohort(city=city)
    staff = f.user(Role.STAFF)
    captain = f.user(Role.CAPTAIN)
    assignment = CaptainAssignment(
        cohort_id=cohort.id, captain_id=captain.id, is_lead=True, max_participants=6
    )
    db.session.add(assignment)
    db.session.flush()
    member = f.user(Role.PARTICIPANT)
    f.enrollment(cohort=cohort, user=member)
    db.session.add(
        PodMembership(cohort_id=cohort.id, participant_id=member.id, assignment_id=assignment.id)
    )
    partner = f.partner(city=city)
    return World(staff.id, captain.id, member.id, cohort.id, city.id, partner.id)


@dataclass
class Case:
    who: str
    model: type
    url: object  # World -> str
    data: object  # World -> dict
    #: What changes for a second, legitimate submission (partner names are unique).
    again: dict | None = None


CASES = {
    "checkin": Case(
        "captain",
        CheckIn,
        lambda w: f"/coaching/cohorts/{w.cohort}/participants/{w.member}/checkins/new",
        lambda w: {
            "held_on": YESTERDAY,
            "channel": "phone",
            "minutes": "25",
            "topics": ["resume"],
            "notes": "Worked on the summary line.",
        },
    ),
    "partner": Case(
        "staff",
        Partner,
        lambda w: "/partners/new",
        lambda w: {"name": "Double Click Ltd", "kind": "employer", "city_id": str(w.city)},
        again={"name": "Second Click Ltd"},
    ),
    "contact": Case(
        "staff",
        PartnerContact,
        lambda w: f"/partners/{w.partner}/contacts/new",
        lambda w: {"name": "Jane Doe", "title": "HR lead", "email": "jane@example.org"},
    ),
    "outreach": Case(
        "staff",
        Outreach,
        lambda w: "/outreach/new",
        lambda w: {
            "partner_id": str(w.partner),
            "occurred_on": YESTERDAY,
            "summary": "Coffee with their hiring manager.",
        },
    ),
    "opening": Case(
        "staff",
        Opening,
        lambda w: "/openings/new",
        lambda w: {"partner_id": str(w.partner), "title": "Analyst", "city_id": str(w.city)},
    ),
    "referral": Case(
        "staff",
        Referral,
        lambda w: "/referrals/new",
        lambda w: {"participant_id": str(w.member), "partner_id": str(w.partner)},
    ),
    "placement": Case(
        "staff",
        Placement,
        lambda w: "/placements/new",
        lambda w: {
            "participant_id": str(w.member),
            "employer_name": "Acme",
            "title": "Analyst",
            "start_date": YESTERDAY,
            "salary": "52000",
            "full_time": "y",
        },
    ),
    "job report": Case(
        "member",
        Placement,
        lambda w: "/me/jobs/new",
        lambda w: {
            "employer_name": "Acme",
            "title": "Analyst",
            "start_date": YESTERDAY,
            "salary": "52000",
        },
    ),
}


def token_of(page: str) -> str:
    (tag,) = TOKEN_INPUT.findall(page)
    assert 'type="hidden"' in tag
    return re.search(r'value="([^"]+)"', tag).group(1)


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# -- one after the other (the suite's rolled-back session) -----------------------------------


@pytest.fixture
def world(factory):
    return build(factory)


@pytest.mark.parametrize("name", CASES)
def test_a_repeat_with_the_same_token_is_sent_to_the_first_record(name, world, client, login_as):
    case = CASES[name]
    login_as(world.user(case.who))
    url = case.url(world)
    page = client.get(url)
    assert page.status_code == 200
    data = {**case.data(world), "submission_token": token_of(page.get_data(as_text=True))}
    before = count(case.model)

    first = client.post(url, data=data)
    assert first.status_code == 302
    assert SAVED not in client.get(first.location).get_data(as_text=True)
    again = client.post(url, data=data)
    assert again.status_code == 302
    assert again.location == first.location
    assert SAVED in client.get(again.location).get_data(as_text=True)
    assert count(case.model) == before + 1


@pytest.mark.parametrize("name", CASES)
def test_different_tokens_are_different_submissions(name, world, client, login_as):
    case = CASES[name]
    login_as(world.user(case.who))
    url = case.url(world)
    tokens = [token_of(client.get(url).get_data(as_text=True)) for _ in range(2)]
    assert tokens[0] != tokens[1]
    data = case.data(world)
    before = count(case.model)
    for token, extra in zip(tokens, [{}, case.again or {}], strict=True):
        r = client.post(url, data={**data, **extra, "submission_token": token})
        assert r.status_code == 302
        assert SAVED not in client.get(r.location).get_data(as_text=True)
    assert count(case.model) == before + 2


def test_a_form_shown_again_keeps_its_token(world, client, login_as):
    """A refused submission saved nothing: the corrected one is the same submission."""
    login_as(world.user("staff"))
    token = token_of(client.get("/outreach/new").get_data(as_text=True))
    data = {**CASES["outreach"].data(world), "submission_token": token}
    refused = client.post("/outreach/new", data={**data, "summary": ""})
    assert refused.status_code == 200
    assert token_of(refused.get_data(as_text=True)) == token
    assert client.post("/outreach/new", data=data).status_code == 302
    assert count(Outreach) == 1


def test_without_a_token_or_with_a_malformed_one_forms_save_as_before(world, client, login_as):
    login_as(world.user("staff"))
    data = CASES["outreach"].data(world)
    for extra in [{}, {}, {"submission_token": "x"}, {"submission_token": "a" * 65}]:
        r = client.post("/outreach/new", data={**data, **extra})
        assert r.status_code == 302
    assert count(Outreach) == 4
    assert count(FormSubmission) == 0
    # A refused tokenless submission gets a token for the next try.
    refused = client.post("/outreach/new", data={**data, "summary": ""})
    assert once.TOKEN.fullmatch(token_of(refused.get_data(as_text=True)))


def test_another_users_token_finds_nothing_of_theirs(world, client, login_as, factory):
    case = CASES["outreach"]
    login_as(world.user("staff"))
    token = token_of(client.get("/outreach/new").get_data(as_text=True))
    data = {**case.data(world), "submission_token": token}
    assert client.post("/outreach/new", data=data).status_code == 302

    other = login_as(factory.user(Role.STAFF))
    r = client.post("/outreach/new", data=data)
    assert r.status_code == 302
    assert SAVED not in client.get(r.location).get_data(as_text=True)
    assert db.session.scalars(sa.select(Outreach.logged_by_id).order_by(Outreach.id)).all() == [
        world.staff,
        other.id,
    ]


def test_the_same_token_on_another_form_is_another_submission(world, client, login_as):
    login_as(world.user("staff"))
    token = token_of(client.get("/outreach/new").get_data(as_text=True))
    for name in ("outreach", "opening"):
        case = CASES[name]
        r = client.post(case.url(world), data={**case.data(world), "submission_token": token})
        assert r.status_code == 302
    assert (count(Outreach), count(Opening)) == (1, 1)


def test_lost_race_is_answered_with_the_winners_record(world, client, login_as, monkeypatch):
    """The other request committed between our look and our insert: the unique constraint
    refuses our token, our check-in is rolled back, and we are sent to theirs
    (deterministic stand-in for the race)."""
    case = CASES["checkin"]
    login_as(world.user("captain"))
    url = case.url(world)
    data = {
        **case.data(world),
        "submission_token": token_of(client.get(url).get_data(as_text=True)),
    }
    first = client.post(url, data=data)

    real = once.saved_url
    calls = []

    def not_yet(form):
        calls.append(1)
        return None if len(calls) == 1 else real(form)

    monkeypatch.setattr(once, "saved_url", not_yet)
    again = client.post(url, data=data)
    assert len(calls) == 2  # looked, lost, ran again and found it
    assert (again.status_code, again.location) == (302, first.location)
    assert SAVED in client.get(again.location).get_data(as_text=True)
    assert count(CheckIn) == 1
    assert count(FormSubmission) == 1


def test_tokens_are_forgotten_after_a_day(world, client, login_as, time_machine):
    case = CASES["outreach"]
    time_machine.move_to(datetime(2026, 3, 2, 15, tzinfo=UTC), tick=False)
    login_as(world.user("staff"))
    tokens = [token_of(client.get("/outreach/new").get_data(as_text=True)) for _ in range(2)]
    data = case.data(world)
    assert client.post("/outreach/new", data={**data, "submission_token": tokens[0]}).location
    time_machine.move_to(datetime(2026, 3, 3, 16, tzinfo=UTC), tick=False)
    login_as(world.user("staff"))  # a day later: the session has ended (idle limit)
    assert client.post("/outreach/new", data={**data, "submission_token": tokens[1]}).location
    # Saving the second forgot the first, a day and an hour old.
    assert db.session.scalars(sa.select(FormSubmission.token)).all() == [tokens[1]]


# -- at the same moment (separate apps with real sessions, SQLite and PostgreSQL) ------------


@pytest.fixture
def live(tmp_path, monkeypatch):
    with separate_app(tmp_path, monkeypatch, "once") as app:
        yield app


@pytest.mark.parametrize("name", CASES)
def test_a_double_click_makes_one_record(name, live):
    """The same submission (same token) twice at the same moment: one record, both
    requests answered with a redirect to it, the second told it was saved already."""
    case = CASES[name]
    with live.app_context():
        w = build(Factory())
        db.session.commit()
        before = count(case.model)
        token = w.user(case.who).get_id()
        db.session.remove()
    clients = [signed_in_client(live, token) for _ in range(2)]
    url = case.url(w)
    page = clients[0].get(url)
    assert page.status_code == 200
    data = {**case.data(w), "submission_token": token_of(page.get_data(as_text=True))}

    barrier = threading.Barrier(len(clients))

    def submit(client):
        barrier.wait()
        return client.post(url, data=data)

    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        responses = list(pool.map(submit, clients))

    assert [r.status_code for r in responses] == [302, 302]
    assert len({r.location for r in responses}) == 1
    pages = [
        c.get(r.location).get_data(as_text=True) for c, r in zip(clients, responses, strict=True)
    ]
    assert sum(SAVED in p for p in pages) == 1
    with live.app_context():
        assert count(case.model) == before + 1
        assert count(FormSubmission) == 1
        db.session.remove()
