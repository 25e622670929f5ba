"""The employment referral pipeline through its pages: who refers whom, the same
referral twice, stage changes by role with their history, and hired -> placement."""

import pytest

from coop.core.models import AuditEvent
from coop.db import utcnow
from coop.extensions import db
from coop.referrals.models import Placement, PlacementSource, Referral, ReferralEvent
from coop.referrals.models import ReferralStage as S


def _referrals(participant=None):
    stmt = db.select(Referral).order_by(Referral.id)
    if participant is not None:
        stmt = stmt.where(Referral.participant_id == participant.id)
    return db.session.scalars(stmt).all()


def _events(referral):
    return db.session.scalars(
        db.select(ReferralEvent)
        .where(ReferralEvent.referral_id == referral.id)
        .order_by(ReferralEvent.id)
    ).all()


def test_captain_refers_a_pod_participant_to_an_opening(client, login_as, world):
    login_as(world.captain)
    page = client.get(f"/referrals/new?opening={world.opening.id}")
    assert page.status_code == 200
    assert b"Pat Doe" in page.data and b"Olly Out" not in page.data
    response = client.post(
        "/referrals/new",
        data={"participant_id": world.pat.id, "opening_id": world.opening.id, "note": "Great"},
    )
    assert response.status_code == 302
    (referral,) = _referrals()
    assert response.headers["Location"].endswith(f"/referrals/{referral.id}")
    assert (referral.referrer_id, referral.participant_id) == (world.captain.id, world.pat.id)
    assert referral.partner_id == world.employer.id
    assert referral.cohort_id == world.cohort.id
    assert referral.stage == S.REFERRED and referral.note == "Great"
    (event,) = _events(referral)
    assert (event.from_stage, event.to_stage, event.actor_id) == (
        None,
        S.REFERRED,
        world.captain.id,
    )
    assert event.at is not None
    assert db.session.scalar(
        db.select(AuditEvent).where(
            AuditEvent.action == "referral.create", AuditEvent.target_id == referral.id
        )
    )


def test_same_person_same_opening_is_one_referral(client, login_as, world, factory):
    login_as(world.captain)
    data = {"participant_id": world.pat.id, "opening_id": world.opening.id}
    first = client.post("/referrals/new", data=data)
    (referral,) = _referrals()
    assert first.headers["Location"].endswith(f"/referrals/{referral.id}")
    # The captain again: the same referral, shown to them.
    again = client.post("/referrals/new", data=data)
    assert again.headers["Location"].endswith(f"/referrals/{referral.id}")
    # An alumnus: told so, and sent to the opening (the referral is not theirs to see).
    login_as(world.alumnus)
    second = client.post("/referrals/new", data=data)
    assert second.headers["Location"].endswith(f"/openings/{world.opening.id}")
    page = client.get(second.headers["Location"])
    assert b"was referred to this opening already by someone else" in page.data
    assert _referrals() == [referral]
    assert referral.referrer_id == world.captain.id
    assert len(_events(referral)) == 1


def test_referral_to_an_employer_without_opening(client, login_as, world):
    login_as("staff")
    response = client.post(
        "/referrals/new",
        data={"participant_id": world.outsider.id, "partner_id": world.employer.id},
    )
    assert response.status_code == 302
    (referral,) = _referrals()
    assert referral.opening_id is None and referral.partner_id == world.employer.id


def test_opening_or_employer_but_not_both_nor_neither(client, login_as, world):
    login_as("staff")
    for data in (
        {"participant_id": world.pat.id},
        {
            "participant_id": world.pat.id,
            "opening_id": world.opening.id,
            "partner_id": world.employer.id,
        },
    ):
        response = client.post("/referrals/new", data=data)
        assert response.status_code == 200
        assert b"Choose either an opening or an employer." in response.data
    assert _referrals() == []


def test_captain_cannot_refer_outside_their_current_cohorts(client, login_as, world, rf, factory):
    login_as(world.captain)
    response = client.post(
        "/referrals/new", data={"participant_id": world.outsider.id, "opening_id": world.opening.id}
    )
    assert response.status_code == 200
    assert b"Not a valid choice" in response.data
    # A cohort they no longer serve does not count either.
    old = factory.cohort(city=world.city)
    rf.captain_for(old, world.captain, ended=True)
    former = rf.enrolled(old, factory.user(name="Fay Former"))
    response = client.post(
        "/referrals/new", data={"participant_id": former.user_id, "opening_id": world.opening.id}
    )
    assert b"Not a valid choice" in response.data
    assert _referrals() == []


def test_alumnus_refers_in_their_city_only(client, login_as, world):
    login_as(world.alumnus)
    page = client.get("/referrals/new")
    assert b"Pat Doe" in page.data and b"Olly Out" not in page.data
    ok = client.post(
        "/referrals/new", data={"participant_id": world.sam.id, "opening_id": world.opening.id}
    )
    assert ok.status_code == 302
    refused = client.post(
        "/referrals/new", data={"participant_id": world.outsider.id, "opening_id": world.opening.id}
    )
    assert refused.status_code == 200
    assert [r.participant_id for r in _referrals()] == [world.sam.id]
    # They see the referral they made on their own page.
    mine = client.get("/me/referrals")
    assert b"Referrals I made" in mine.data and b"Sam Roe" in mine.data


def test_participant_who_is_not_an_alumnus_cannot_refer(client, login_as, world):
    login_as(world.pat)
    assert client.get("/referrals/new").status_code == 404
    response = client.post(
        "/referrals/new", data={"participant_id": world.sam.id, "opening_id": world.opening.id}
    )
    assert response.status_code == 404
    assert _referrals() == []


def test_closed_or_expired_opening_takes_no_referrals(client, login_as, world, rf):
    from datetime import date, timedelta

    closed = rf.opening(partner=world.employer, city=world.city, closed_at=utcnow())
    expired = rf.opening(
        partner=world.employer, city=world.city, closes_on=date.today() - timedelta(days=3)
    )
    login_as("staff")
    for opening in (closed, expired):
        response = client.post(
            "/referrals/new", data={"participant_id": world.pat.id, "opening_id": opening.id}
        )
        assert response.status_code == 200  # not among the choices
    assert _referrals() == []


def test_participant_moves_own_referral_to_applied_and_interviewing(client, login_as, world, rf):
    referral = rf.referral(world.pat_enrollment, world.captain, opening=world.opening)
    login_as(world.pat)
    page = client.get(f"/referrals/{referral.id}")
    assert b"How is it going?" in page.data
    assert b"Only you and coop staff see it." in page.data
    response = client.post(f"/referrals/{referral.id}/stage", data={"stage": "interviewing"})
    assert response.status_code == 302
    db.session.refresh(referral)
    assert referral.stage == S.INTERVIEWING
    last = _events(referral)[-1]
    assert (last.from_stage, last.to_stage, last.actor_id) == (
        S.REFERRED,
        S.INTERVIEWING,
        world.pat.id,
    )
    # Back to applied: refused, with the reason, and nothing written.
    response = client.post(
        f"/referrals/{referral.id}/stage", data={"stage": "applied"}, follow_redirects=True
    )
    assert "A referral at “interviewing” cannot go back to “applied”.".encode() in response.data
    db.session.refresh(referral)
    assert referral.stage == S.INTERVIEWING
    assert len(_events(referral)) == 2


@pytest.mark.parametrize("stage", ["offer", "hired", "not_selected", "withdrawn"])
def test_participant_cannot_record_staff_stages(client, login_as, world, rf, stage):
    referral = rf.referral(world.pat_enrollment, world.captain, opening=world.opening)
    login_as(world.pat)
    response = client.post(
        f"/referrals/{referral.id}/stage", data={"stage": stage}, follow_redirects=True
    )
    assert b"You can mark your referral as applied or interviewing" in response.data
    db.session.refresh(referral)
    assert referral.stage == S.REFERRED
    assert len(_events(referral)) == 1


def test_captain_sees_the_stage_but_cannot_change_it(client, login_as, world, rf):
    referral = rf.referral(world.pat_enrollment, world.captain, opening=world.opening)
    login_as(world.captain)
    page = client.get(f"/referrals/{referral.id}")
    assert page.status_code == 200 and b"referred" in page.data
    assert b"Update the stage" not in page.data
    response = client.post(f"/referrals/{referral.id}/stage", data={"stage": "applied"})
    assert response.status_code == 404
    db.session.refresh(referral)
    assert referral.stage == S.REFERRED


def test_staff_refusal_writes_nothing(client, login_as, world, rf):
    referral = rf.referral(world.pat_enrollment, opening=world.opening, stage=S.NOT_SELECTED)
    before = len(_events(referral))
    login_as("staff")
    response = client.post(
        f"/referrals/{referral.id}/stage", data={"stage": "hired"}, follow_redirects=True
    )
    assert (
        "This referral is closed (not selected); it cannot move to “hired”.".encode()
        in response.data
    )
    db.session.refresh(referral)
    assert referral.stage == S.NOT_SELECTED
    assert len(_events(referral)) == before
    assert not db.session.scalar(
        db.select(AuditEvent).where(
            AuditEvent.action == "referral.stage",
            AuditEvent.target_id == referral.id,
            AuditEvent.reason == "not_selected -> hired",
        )
    )


def test_unknown_stage_is_refused(client, login_as, world, rf):
    referral = rf.referral(world.pat_enrollment, opening=world.opening)
    login_as("staff")
    client.post(f"/referrals/{referral.id}/stage", data={"stage": "promoted"})
    db.session.refresh(referral)
    assert referral.stage == S.REFERRED


def test_whole_pipeline_to_a_career_track_placement(client, login_as, world, rf):
    referral = rf.referral(world.pat_enrollment, world.captain, opening=world.opening)
    staff = login_as("staff")
    for stage in ("applied", "interviewing", "offer"):
        assert (
            client.post(f"/referrals/{referral.id}/stage", data={"stage": stage}).status_code == 302
        )
    hired = client.post(
        f"/referrals/{referral.id}/stage", data={"stage": "hired", "note": "Starts in March"}
    )
    assert hired.headers["Location"].endswith(f"/placements/new?referral={referral.id}")
    form = client.get(hired.headers["Location"])
    assert b"Data Analyst" in form.data  # the title comes from the opening
    assert f'<option selected value="{world.employer.id}">'.encode() in form.data
    response = client.post(
        f"/placements/new?referral={referral.id}",
        data={
            "participant_id": world.pat.id,
            "partner_id": world.employer.id,
            "title": "Data Analyst",
            "start_date": "2026-03-02",
            "salary": "62000",
            "full_time": "y",
            "career_track": "y",
        },
    )
    assert response.status_code == 302
    placement = db.session.scalar(db.select(Placement).where(Placement.referral_id == referral.id))
    assert placement.source == PlacementSource.REFERRAL
    assert placement.employer_name == "Initech" and placement.salary == 62000
    assert placement.career_track and placement.verified_by_id == staff.id
    assert [(e.from_stage, e.to_stage) for e in _events(referral)] == [
        (None, S.REFERRED),
        (S.REFERRED, S.APPLIED),
        (S.APPLIED, S.INTERVIEWING),
        (S.INTERVIEWING, S.OFFER),
        (S.OFFER, S.HIRED),
    ]
    assert all(e.actor_id == staff.id for e in _events(referral)[1:])
    # A second placement from the same referral is refused.
    again = client.post(
        f"/placements/new?referral={referral.id}",
        data={
            "participant_id": world.pat.id,
            "employer_name": "X",
            "title": "Y",
            "start_date": "2026-03-02",
            "salary": "1",
        },
    )
    assert b"placement is recorded already" in again.data
    # The participant sees it, salary included.
    login_as(world.pat)
    mine = client.get("/me/referrals")
    assert b"Data Analyst" in mine.data and b"$62,000" in mine.data and b"career-track" in mine.data


def test_placement_needs_a_hired_referral(client, login_as, world, rf):
    referral = rf.referral(world.pat_enrollment, opening=world.opening, stage=S.OFFER)
    login_as("staff")
    response = client.post(
        f"/placements/new?referral={referral.id}",
        data={
            "participant_id": world.pat.id,
            "employer_name": "Initech",
            "title": "Analyst",
            "start_date": "2026-03-02",
            "salary": "50000",
        },
    )
    assert b"Only a hired referral becomes a placement." in response.data
    assert db.session.scalar(db.select(db.func.count(Placement.id))) == 0


def test_stage_change_loses_to_a_concurrent_one(world, rf):
    """The update only applies when the stage is still the one read."""
    from coop.referrals import services

    referral = rf.referral(world.pat_enrollment, opening=world.opening)
    db.session.execute(
        db.update(Referral)
        .where(Referral.id == referral.id)
        .values(stage=S.WITHDRAWN)
        .execution_options(synchronize_session=False)
    )
    assert referral.stage == S.REFERRED
    # ``referral`` still believes it is at "referred".
    with pytest.raises(services.ReferralError, match="changed this referral meanwhile"):
        services.change_stage(referral, S.APPLIED, rf.staff())
    db.session.expire_all()
    assert referral.stage == S.WITHDRAWN
    assert len(_events(referral)) == 1
