"""Participants and captains choose what contact details their cohort sees."""

from coop.core.models import AuditEvent
from coop.extensions import db


def test_participant_changes_only_their_two_sharing_fields(client, login_as, factory, build):
    cohort = build.cohort()
    (pat,) = build.participants(cohort, 1)
    pat.profile.phone = "(555) 0100"
    pat.profile.college = "Hunter College"
    login_as(pat)
    page = client.get("/sharing").get_data(as_text=True)
    assert "Show my email address" in page and "(555) 0100" in page
    response = client.post(
        "/sharing",
        data={
            "share_email": "y",
            "share_phone": "y",
            # Not on the form: ignored.
            "phone": "(555) 9999",
            "college": "Elsewhere",
            "user_id": "1",
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == "/my-cohort"
    db.session.refresh(pat.profile)
    assert (pat.profile.share_email, pat.profile.share_phone) == (True, True)
    assert (pat.profile.phone, pat.profile.college) == ("(555) 0100", "Hunter College")
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "profile.sharing"))
    assert event.actor_id == pat.id and event.target_id == pat.id
    assert event.changed == ["share_email", "share_phone"]
    # Unticking both.
    client.post("/sharing", data={"submit": "Save"})  # as a browser sends it
    db.session.refresh(pat.profile)
    assert (pat.profile.share_email, pat.profile.share_phone) == (False, False)


def test_captain_sharing_reaches_participants(client, login_as, build):
    cohort = build.cohort()
    (pat,) = build.participants(cohort, 1)
    captain, _ = build.captain(cohort, pod=[pat])
    captain.profile.phone = "(555) 0177"
    db.session.commit()
    login_as(pat)
    assert "(555) 0177" not in client.get("/my-cohort").get_data(as_text=True)
    login_as(captain)
    response = client.post("/sharing", data={"share_phone": "y"})
    assert response.headers["Location"] == "/roll-call"
    login_as(pat)
    page = client.get("/my-cohort").get_data(as_text=True)
    assert "(555) 0177" in page
    assert f"mailto:{captain.email}" not in page


def test_sharing_needs_csrf(client, login_as, build, csrf_enabled):
    cohort = build.cohort()
    (pat,) = build.participants(cohort, 1)
    login_as(pat)
    response = client.post("/sharing", data={"share_email": "y"})
    assert response.status_code == 400
    db.session.refresh(pat.profile)
    assert pat.profile.share_email is False
