"""Hiring events: staff schedule them, people opt in (waitlist when full) and withdraw,
staff record attendance and log referrals that the dashboard counts per event."""

from datetime import timedelta

import sqlalchemy as sa

from coop.core.models import AuditEvent
from coop.db import utcnow
from coop.extensions import db
from coop.hiring import services
from coop.hiring.models import (
    Attendance,
    HiringEvent,
    HiringEventReferral,
    HiringRegistration,
    RegistrationStatus,
)
from coop.referrals.models import Referral, ReferralStage


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _status(event, user):
    return db.session.scalar(
        sa.select(HiringRegistration.status).where(
            HiringRegistration.event_id == event.id, HiringRegistration.user_id == user.id
        )
    )


def _form(city, partners=(), **over):
    day = (utcnow() + timedelta(days=10)).date()
    data = {
        "title": "Data careers fair",
        "kind": "job_fair",
        "city_id": str(city.id) if city else "",
        "local_date": day.isoformat(),
        "local_time": "18:30",
        "timezone": "America/Chicago",
        "duration_minutes": "90",
        "online_link": "https://meet.example.org/data-fair",
        "place": "",
        "partners": [str(p.id) for p in partners],
        "capacity": "25",
        "description": "Meet the recruiters.",
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


# -- staff: scheduling ---------------------------------------------------------------------


def test_staff_schedule_an_event_in_a_zone_stored_utc(client, login_as, factory):
    city = factory.city(timezone="America/Chicago")
    acme, globex = factory.partner("Acme Corp"), factory.partner("Globex")
    login_as("staff", timezone="America/New_York")
    response = client.post("/hiring-events/new", data=_form(city, [acme, globex]))
    assert response.status_code == 302
    event = db.session.scalar(sa.select(HiringEvent))
    local = event.starts_at.astimezone(__import__("zoneinfo").ZoneInfo("America/Chicago"))
    assert (local.hour, local.minute) == (18, 30)
    assert event.starts_at.utcoffset() == timedelta(0)
    assert event.capacity == 25 and event.seats_taken == 0
    page = client.get(response.location).get_data(as_text=True)
    assert "Data careers fair" in page and "Acme Corp" in page and "Globex" in page
    assert "18:30" in page and "your time" in page  # the event's zone and the viewer's
    listing = client.get("/hiring-events").get_data(as_text=True)
    assert "Data careers fair" in listing


def test_bad_event_input_writes_nothing(client, login_as, factory):
    city = factory.city()
    login_as("staff")
    before = _count(HiringEvent)
    for bad in (
        {"online_link": "http://insecure.example.org", "place": ""},
        {"online_link": "", "place": ""},
        {"capacity": "0"},
        {"timezone": "Mars/Olympus"},
        {"local_date": (utcnow() - timedelta(days=3)).date().isoformat()},
        {"kind": "hard_coded_fair"},
        {"title": "x" * 200},
    ):
        response = client.post("/hiring-events/new", data=_form(city, **bad))
        assert response.status_code == 200, bad
    assert _count(HiringEvent) == before


def test_city_staff_cannot_schedule_for_another_city_or_organisation_wide(
    client, login_as, factory
):
    mine, other = factory.city(), factory.city()
    login_as("city_staff", cities=[mine])
    assert client.post("/hiring-events/new", data=_form(other)).status_code == 200
    assert client.post("/hiring-events/new", data=_form(None)).status_code == 200
    assert _count(HiringEvent) == 0
    assert client.post("/hiring-events/new", data=_form(mine)).status_code == 302
    assert _count(HiringEvent) == 1


def test_capacity_cannot_drop_below_registrations_and_raising_it_promotes(
    client, login_as, factory, hiring, outbox
):
    city = factory.city()
    event = hiring.event(city, capacity=1)
    first, second = hiring.member(city), hiring.member(city)
    services.opt_in(event, first)
    services.opt_in(event, second)
    db.session.commit()
    login_as("staff")
    data = _form(city, capacity="0")
    data.update(
        local_date=event.local_date.isoformat(), local_time=event.local_time.strftime("%H:%M")
    )
    data["timezone"] = event.timezone
    assert client.post(f"/hiring-events/{event.id}/edit", data=data).status_code == 200
    data["capacity"] = "2"
    assert client.post(f"/hiring-events/{event.id}/edit", data=data).status_code == 302
    assert _status(event, second) == RegistrationStatus.REGISTERED
    assert any(second.email in m.to for m in outbox)


# -- opting in, the waitlist -----------------------------------------------------------------


def test_participant_opts_in_from_the_cohort_page_and_withdraws(client, login_as, factory, hiring):
    city = factory.city()
    event = hiring.event(city, title="Mock interview night")
    pat = hiring.member(city)
    login_as(pat)
    page = client.get("/my-cohort").get_data(as_text=True)
    assert "Upcoming hiring events" in page and "Mock interview night" in page
    response = client.post(f"/events/{event.id}/opt-in", data={"back": "cohort"})
    assert response.status_code == 302 and response.location.endswith("/my-cohort")
    assert _status(event, pat) == RegistrationStatus.REGISTERED
    db.session.refresh(event)
    assert event.seats_taken == 1
    assert "Registered" in client.get("/events").get_data(as_text=True)
    # Twice is once.
    client.post(f"/events/{event.id}/opt-in")
    assert _count(HiringRegistration) == 1
    client.post(f"/events/{event.id}/withdraw")
    assert _status(event, pat) == RegistrationStatus.WITHDRAWN
    db.session.refresh(event)
    assert event.seats_taken == 0
    # Opting in again reuses the row.
    client.post(f"/events/{event.id}/opt-in")
    assert _status(event, pat) == RegistrationStatus.REGISTERED
    assert _count(HiringRegistration) == 1


def test_alumni_may_opt_in(client, login_as, factory, hiring):
    from coop.enrollment.models import Stage

    city = factory.city()
    event = hiring.event(city)
    alum = hiring.member(city, stage=Stage.GRADUATED)
    login_as(alum)
    assert client.post(f"/events/{event.id}/opt-in").status_code == 302
    assert _status(event, alum) == RegistrationStatus.REGISTERED


def test_full_event_waitlists_and_a_withdrawal_promotes_in_order(
    client, login_as, factory, hiring, outbox
):
    city = factory.city()
    event = hiring.event(city, capacity=2)
    a, b, c, d = (hiring.member(city) for _ in range(4))
    for person in (a, b, c, d):
        services.opt_in(event, person)
    assert [_status(event, p) for p in (a, b, c, d)] == [
        RegistrationStatus.REGISTERED,
        RegistrationStatus.REGISTERED,
        RegistrationStatus.WAITLISTED,
        RegistrationStatus.WAITLISTED,
    ]
    db.session.commit()
    outbox.clear()
    login_as(a)
    page = client.get("/events").get_data(as_text=True)
    assert "Withdraw" in page
    client.post(f"/events/{event.id}/withdraw")
    assert _status(event, c) == RegistrationStatus.REGISTERED  # first in the queue
    assert _status(event, d) == RegistrationStatus.WAITLISTED
    db.session.refresh(event)
    assert event.seats_taken == 2
    [message] = outbox
    assert message.to == [c.email] and "You have a place" in message.subject
    # A waitlisted person who withdraws frees no seat and promotes nobody.
    services.withdraw(
        db.session.scalar(sa.select(HiringRegistration).filter_by(user_id=d.id)), event, d
    )
    assert _status(event, b) == RegistrationStatus.REGISTERED
    db.session.refresh(event)
    assert event.seats_taken == 2


def test_refusals_write_nothing(client, login_as, factory, hiring):
    city = factory.city()
    past = hiring.event(city, hours_from_now=-1)
    elsewhere = hiring.event(factory.city())
    pat = hiring.member(city)
    outsider = factory.user("participant")  # no cohort: not in the program
    db.session.commit()
    login_as(pat)
    before = _count(HiringRegistration)
    assert client.post(f"/events/{past.id}/opt-in").status_code == 302
    assert client.post(f"/events/{elsewhere.id}/opt-in").status_code == 404
    assert client.post(f"/events/{past.id}/withdraw").status_code == 404  # never opted in
    login_as(outsider)
    ok = hiring.event(None)
    db.session.commit()
    assert client.post(f"/events/{ok.id}/opt-in").status_code == 404
    assert _count(HiringRegistration) == before
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "hiring.opt_in"))
        == 0
    )


def test_organisation_wide_events_are_open_to_every_city(client, login_as, factory, hiring):
    event = hiring.event(None, title="National info session")
    pat = hiring.member(factory.city())
    login_as(pat)
    assert "National info session" in client.get("/events").get_data(as_text=True)
    assert client.post(f"/events/{event.id}/opt-in").status_code == 302
    assert _status(event, pat) == RegistrationStatus.REGISTERED


# -- afterwards ------------------------------------------------------------------------------


def test_staff_record_attendance_after_the_start(client, login_as, factory, hiring):
    city = factory.city()
    event = hiring.event(city, hours_from_now=-2)
    came, missed = hiring.member(city, name="Ana Came"), hiring.member(city, name="Bo Missed")
    r1, r2 = hiring.registration(event, came), hiring.registration(event, missed)
    waiting = hiring.registration(event, hiring.member(city), RegistrationStatus.WAITLISTED)
    db.session.commit()
    login_as("city_staff", cities=[city])
    page = client.get(f"/hiring-events/{event.id}").get_data(as_text=True)
    assert "Save attendance" in page and "Ana Came" in page
    response = client.post(
        f"/hiring-events/{event.id}/attendance",
        data={f"r{r1.id}": "attended", f"r{r2.id}": "no_show"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(HiringRegistration, r1.id).attendance == Attendance.ATTENDED
    assert db.session.get(HiringRegistration, r2.id).attendance == Attendance.NO_SHOW
    # The waitlist has no attendance; a bad value changes nothing.
    client.post(f"/hiring-events/{event.id}/attendance", data={f"r{waiting.id}": "attended"})
    client.post(f"/hiring-events/{event.id}/attendance", data={f"r{r1.id}": "maybe"})
    db.session.expire_all()
    assert db.session.get(HiringRegistration, waiting.id).attendance is None
    assert db.session.get(HiringRegistration, r1.id).attendance == Attendance.ATTENDED


def test_attendance_is_refused_before_the_event(client, login_as, factory, hiring):
    city = factory.city()
    event = hiring.event(city, hours_from_now=5)
    r = hiring.registration(event, hiring.member(city))
    db.session.commit()
    login_as("staff")
    assert "Save attendance" not in client.get(f"/hiring-events/{event.id}").get_data(as_text=True)
    client.post(f"/hiring-events/{event.id}/attendance", data={f"r{r.id}": "attended"})
    db.session.expire_all()
    assert db.session.get(HiringRegistration, r.id).attendance is None


def test_a_referral_from_an_event_carries_it_and_counts_on_the_dashboard(
    client, login_as, factory, hiring
):
    city = factory.city()
    acme = factory.partner("Acme Corp")
    event = hiring.event(city, hours_from_now=-3, partners=[acme], title="Acme fair")
    person = hiring.member(city)
    hiring.registration(event, person)
    stranger = hiring.member(city)  # not registered
    db.session.commit()
    login_as("staff")
    assert client.get(f"/hiring-events/{event.id}/referrals/new").status_code == 200
    refused = client.post(
        f"/hiring-events/{event.id}/referrals/new",
        data={"participant_id": str(stranger.id), "partner_id": str(acme.id)},
    )
    assert refused.status_code == 200 and _count(Referral) == 0
    other = factory.partner("Not attending")
    db.session.commit()
    client.post(
        f"/hiring-events/{event.id}/referrals/new",
        data={"participant_id": str(person.id), "partner_id": str(other.id)},
    )
    assert _count(Referral) == 0
    response = client.post(
        f"/hiring-events/{event.id}/referrals/new",
        data={"participant_id": str(person.id), "partner_id": str(acme.id), "note": "Great fit"},
    )
    assert response.status_code == 302
    referral = db.session.scalar(sa.select(Referral))
    assert referral.partner_id == acme.id and referral.stage == ReferralStage.REFERRED
    link = db.session.scalar(sa.select(HiringEventReferral))
    assert (link.event_id, link.referral_id) == (event.id, referral.id)
    assert person.name in client.get(f"/hiring-events/{event.id}").get_data(as_text=True)

    def hires_cell():
        page = client.get("/reports/outcomes").get_data(as_text=True)
        assert "Acme fair" in page
        row = page.split(f'data-event="{event.id}"', 1)[1].split("</tr>", 1)[0]
        return row.split('data-col="hires">', 1)[1].split("<", 1)[0].strip()

    assert hires_cell() == "0"
    client.post(f"/referrals/{referral.id}/stage", data={"stage": "hired"})
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).stage == ReferralStage.HIRED
    assert hires_cell() == "&lt;5"  # small counts stay anonymous


def test_seam_for_partners_lists_the_registered_people_of_attending_partners(factory, hiring):
    from coop.hiring.queries import opted_in_for_partner

    city = factory.city()
    acme, other = factory.partner(), factory.partner()
    event = hiring.event(city, partners=[acme])
    yes = hiring.member(city)
    hiring.registration(event, yes)
    hiring.registration(event, hiring.member(city), RegistrationStatus.WAITLISTED)
    assert db.session.scalars(opted_in_for_partner(event, acme)).all() == [yes]
    assert db.session.scalars(opted_in_for_partner(event, other)).all() == []


def test_event_page_query_count_is_fixed(client, login_as, factory, hiring, count_queries):
    counts = []
    for size in (2, 8):
        city = factory.city()
        event = hiring.event(
            city, hours_from_now=-1, partners=[factory.partner() for _ in range(3)]
        )
        for _ in range(size):
            hiring.registration(event, hiring.member(city))
            hiring.registration(event, hiring.member(city), RegistrationStatus.WAITLISTED)
        db.session.commit()
        login_as("staff")
        pages = {}
        for url in (f"/hiring-events/{event.id}", "/hiring-events"):
            client.get(url)
            with count_queries() as q:
                assert client.get(url).status_code == 200
            pages[url.split("/")[-1].isdigit()] = q.count
        counts.append(pages)
    assert counts[0] == counts[1]


def test_participant_events_page_query_count_is_fixed(
    client, login_as, factory, hiring, count_queries
):
    counts = []
    for size in (1, 6):
        city = factory.city()
        pat = hiring.member(city)
        for n in range(size):
            event = hiring.event(city, hours_from_now=10 + n, partners=[factory.partner()])
            if n % 2:
                hiring.registration(event, pat)
        db.session.commit()
        login_as(pat)
        client.get("/events")
        with count_queries() as q:
            page = client.get("/events")
        assert page.status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1]
