"""The exchange: partner contacts shortlist people and ask for introductions; the person
accepts (the partner sees the email and résumé, a referral is made) or declines (the
partner reads "not available"); staff see every request. "I'm interested" on an opening
goes to the captain and staff, who refer in one click or decline with a reason. Partner
contacts post and close their organisation's openings, which may wait for staff."""

from datetime import timedelta

import time_machine

from coop.core import clock
from coop.extensions import db
from coop.referrals.models import Opening, Referral, ReferralStage
from coop.talent.models import (
    InterestRequest,
    InterestStatus,
    Introduction,
    IntroductionStatus,
    ShortlistEntry,
)


def _shortlist(contact):
    return set(
        db.session.scalars(
            db.select(ShortlistEntry.profile_id).where(ShortlistEntry.contact_id == contact.id)
        )
    )


def test_shortlist_add_and_remove(client, login_as, tw):
    login_as(tw.partner_user)
    client.post(f"/talent/{tw.pat_profile.id}/shortlist", data={"next": "/talent"})
    client.post(f"/talent/{tw.sam_profile.id}/shortlist")
    assert _shortlist(tw.contact) == {tw.pat_profile.id, tw.sam_profile.id}
    page = client.get("/partner/shortlist").get_data(as_text=True)
    assert "Pat Doe" in page and "Sam Roe" in page
    client.post(f"/talent/{tw.sam_profile.id}/shortlist")
    assert _shortlist(tw.contact) == {tw.pat_profile.id}
    # Hidden later: off the shortlist page too.
    login_as(tw.pat)
    client.post("/me/career/hide")
    login_as(tw.partner_user)
    assert "Pat Doe" not in client.get("/partner/shortlist").get_data(as_text=True)


def test_an_off_site_next_is_not_followed(client, login_as, tw):
    login_as(tw.partner_user)
    response = client.post(
        f"/talent/{tw.pat_profile.id}/shortlist", data={"next": "//evil.example/x"}
    )
    assert response.location.endswith(f"/talent/{tw.pat_profile.id}")


def _request(client, profile, opening=None, message="We would love to talk."):
    data = {"message": message}
    if opening is not None:
        data["opening_id"] = str(opening.id)
    return client.post(f"/talent/{profile.id}/introduce", data=data)


def test_introduction_accepted_makes_a_referral_to_the_opening(client, login_as, tw, outbox):
    login_as(tw.partner_user)
    page = client.get(f"/talent/{tw.pat_profile.id}/introduce").get_data(as_text=True)
    assert "Data Analyst" in page and "BI Developer" not in page  # only their openings
    assert _request(client, tw.pat_profile, tw.opening).status_code == 302
    intro = db.session.scalar(db.select(Introduction))
    assert intro.status == IntroductionStatus.PENDING and intro.opening_id == tw.opening.id
    assert outbox[-1].to == [tw.pat.email]
    assert "Initech would like to meet you" in outbox[-1].subject
    profile_page = client.get(f"/talent/{tw.pat_profile.id}").get_data(as_text=True)
    assert tw.pat.email not in profile_page and "waiting for an answer" in profile_page

    login_as(tw.pat)
    cohort_page = client.get("/my-cohort").get_data(as_text=True)
    assert "Initech" in cohort_page and "We would love to talk." in cohort_page
    assert client.post(f"/me/introductions/{intro.id}/accept").status_code == 302

    db.session.expire_all()
    referral = db.session.scalar(db.select(Referral).where(Referral.participant_id == tw.pat.id))
    assert referral.opening_id == tw.opening.id and referral.partner_id == tw.initech.id
    assert referral.stage == ReferralStage.REFERRED
    assert db.session.get(Introduction, intro.id).referral_id == referral.id

    login_as(tw.partner_user)
    profile_page = client.get(f"/talent/{tw.pat_profile.id}").get_data(as_text=True)
    assert tw.pat.email in profile_page and "accepted" in profile_page
    home = client.get("/partner").get_data(as_text=True)
    assert "Pat Doe" in home and "referred" in home

    login_as("staff")
    review = client.get("/talent/review").get_data(as_text=True)
    assert "Initech" in review and "accepted" in review
    assert "Pat Doe" in client.get("/referrals").get_data(as_text=True)


def test_introduction_declined_shows_only_not_available(client, login_as, tw):
    login_as(tw.partner_user)
    _request(client, tw.sam_profile)
    intro = db.session.scalar(db.select(Introduction))
    login_as(tw.sam)
    client.post(f"/me/introductions/{intro.id}/decline")
    assert client.post(f"/me/introductions/{intro.id}/accept").status_code == 302
    db.session.expire_all()
    assert db.session.get(Introduction, intro.id).status == IntroductionStatus.DECLINED
    assert db.session.scalar(db.select(db.func.count(Referral.id))) == 0
    login_as(tw.partner_user)
    page = client.get(f"/talent/{tw.sam_profile.id}").get_data(as_text=True)
    assert "not available" in page and tw.sam.email not in page
    assert "declined" not in client.get("/partner").get_data(as_text=True)


def test_asking_twice_or_for_another_partners_opening_is_refused(client, login_as, tw):
    login_as(tw.partner_user)
    _request(client, tw.pat_profile, tw.opening)
    again = _request(client, tw.pat_profile, tw.opening)
    assert again.status_code == 200 and "asked this person already" in again.get_data(as_text=True)
    foreign = _request(client, tw.pat_profile, tw.other_opening)
    assert foreign.status_code == 200
    assert db.session.scalar(db.select(db.func.count(Introduction.id))) == 1


def test_nobody_answers_someone_elses_introduction(client, login_as, tw):
    login_as(tw.partner_user)
    _request(client, tw.pat_profile)
    intro = db.session.scalar(db.select(Introduction))
    for who in (tw.sam, tw.partner_user, tw.captain):
        login_as(who)
        assert client.post(f"/me/introductions/{intro.id}/accept").status_code == 404
    db.session.expire_all()
    assert db.session.get(Introduction, intro.id).status == IntroductionStatus.PENDING


def test_interest_goes_to_the_captain_who_refers_in_one_click(client, login_as, tw, outbox):
    login_as(tw.pat)
    board = client.get("/openings").get_data(as_text=True)
    assert "I'm interested" in board
    assert client.post(f"/openings/{tw.opening.id}/interest").status_code == 302
    again = client.post(f"/openings/{tw.opening.id}/interest", follow_redirects=True)
    assert "You told us already" in again.get_data(as_text=True)
    request = db.session.scalar(db.select(InterestRequest))
    assert outbox[-1].to == [tw.captain.email]

    login_as(tw.captain)
    home = client.get("/coaching/").get_data(as_text=True)
    assert "Pat Doe" in home and "Data Analyst" in home
    assert client.post(f"/interest/{request.id}/refer").status_code == 302
    db.session.expire_all()
    assert db.session.get(InterestRequest, request.id).status == InterestStatus.REFERRED
    referral = db.session.scalar(db.select(Referral))
    assert referral.participant_id == tw.pat.id and referral.opening_id == tw.opening.id
    assert referral.referrer_id == tw.captain.id


def test_staff_decline_interest_with_a_reason(client, login_as, tw):
    login_as(tw.sam)  # not in the captain's pod: only staff see it
    client.post(f"/openings/{tw.opening.id}/interest")
    request = db.session.scalar(db.select(InterestRequest))
    login_as(tw.captain)
    assert client.post(f"/interest/{request.id}/refer").status_code == 404
    login_as("staff")
    assert "Sam Roe" in client.get("/talent/review").get_data(as_text=True)
    client.post(f"/interest/{request.id}/decline", data={"reason": ""})
    db.session.expire_all()
    assert db.session.get(InterestRequest, request.id).status == InterestStatus.PENDING
    client.post(f"/interest/{request.id}/decline", data={"reason": "Needs two years of SQL."})
    db.session.expire_all()
    item = db.session.get(InterestRequest, request.id)
    assert item.status == InterestStatus.DECLINED and item.reason == "Needs two years of SQL."
    assert db.session.scalar(db.select(db.func.count(Referral.id))) == 0


def _post_opening(client, **extra):
    data = {"title": "Junior SEO specialist", "city_id": "", "remote": "y"}
    data.update(extra)
    return client.post("/partner/openings/new", data=data)


def test_partner_posts_and_closes_an_opening(client, login_as, tw):
    login_as(tw.partner_user)
    assert _post_opening(client).status_code == 302
    opening = db.session.scalar(db.select(Opening).where(Opening.title == "Junior SEO specialist"))
    assert opening.partner_id == tw.initech.id and opening.is_open()
    login_as(tw.pat)
    assert "Junior SEO specialist" in client.get("/openings").get_data(as_text=True)
    login_as(tw.partner_user)
    client.post(f"/partner/openings/{opening.id}/close")
    db.session.expire_all()
    assert db.session.get(Opening, opening.id).closed_at is not None


def test_openings_wait_for_staff_when_the_partner_says_so(client, login_as, tw):
    login_as("staff")
    client.post(f"/partners/{tw.initech.id}/opening-approval", data={"openings_need_approval": "y"})
    login_as(tw.partner_user)
    _post_opening(client)
    opening = db.session.scalar(db.select(Opening).where(Opening.title == "Junior SEO specialist"))
    assert opening.awaiting_approval
    login_as(tw.pat)
    assert "Junior SEO specialist" not in client.get("/openings").get_data(as_text=True)
    assert client.get(f"/openings/{opening.id}").status_code == 404
    login_as("staff")
    assert "Junior SEO specialist" in client.get("/talent/review").get_data(as_text=True)
    client.post(f"/talent/openings/{opening.id}/approve")
    login_as(tw.pat)
    assert "Junior SEO specialist" in client.get("/openings").get_data(as_text=True)


def test_a_partners_opening_expires_as_staff_openings_do(client, login_as, tw):
    closes = clock.today_in() + timedelta(days=3)
    login_as(tw.partner_user)
    _post_opening(client, closes_on=closes.isoformat())
    opening = db.session.scalar(db.select(Opening).where(Opening.title == "Junior SEO specialist"))
    assert opening.is_open()
    with time_machine.travel(clock.now() + timedelta(days=6)):
        login_as(tw.pat)
        assert "Junior SEO specialist" not in client.get("/openings").get_data(as_text=True)
        login_as(tw.partner_user)
        assert "expired" in client.get("/partner").get_data(as_text=True)


def test_past_closing_date_is_refused(client, login_as, tw):
    login_as(tw.partner_user)
    past = (clock.today_in() - timedelta(days=3)).isoformat()
    response = _post_opening(client, closes_on=past)
    assert response.status_code == 200 and "passed already" in response.get_data(as_text=True)
    assert (
        db.session.scalar(db.select(Opening).where(Opening.title == "Junior SEO specialist"))
        is None
    )


def test_staff_invite_a_contact_who_then_signs_in_as_partner(client, login_as, tw, tf, outbox):
    contact = tf.rf.contact(tw.initech, name="New Person", email="new.person@initech.example")
    db.session.commit()
    login_as("staff")
    page = client.get(f"/partners/{tw.initech.id}").get_data(as_text=True)
    assert "Invite to sign in" in page
    client.post(f"/contacts/{contact.id}/invite")
    db.session.expire_all()
    from coop.auth.models import Role, User

    user = db.session.scalar(db.select(User).where(User.email == "new.person@initech.example"))
    assert (
        user.role == Role.PARTNER and db.session.get(type(contact), contact.id).user_id == user.id
    )
    assert outbox[-1].to == ["new.person@initech.example"]
    assert "can sign in" in client.get(f"/partners/{tw.initech.id}").get_data(as_text=True)
    login_as(user)
    assert "Initech" in client.get("/partner").get_data(as_text=True)
