"""Appointing graduates as alumni captains, recording alumni, stepping down."""

import re

import pytest
import sqlalchemy as sa

from coop.auth.models import Role, User
from coop.coaching import services
from coop.coaching.cli import import_alumnus_command
from coop.coaching.models import AlumniCaptain, CaptainAssignment, PodMembership
from coop.core.models import AuditEvent
from coop.enrollment.models import Enrollment, Stage
from coop.extensions import db
from coop.programs.models import CohortStatus


def appointments(user):
    return db.session.scalars(
        sa.select(AlumniCaptain).where(AlumniCaptain.user_id == user.id).order_by(AlumniCaptain.id)
    ).all()


def graduation_id(user):
    return db.session.scalar(
        sa.select(Enrollment.id).where(
            Enrollment.user_id == user.id, Enrollment.stage == Stage.GRADUATED
        )
    )


def test_staff_appoint_a_graduate_and_the_cohort_is_recorded(client, login_as, coach):
    staff = login_as("staff")
    past = coach.past_cohort()
    grad = coach.graduate(cohort=past)
    db.session.commit()
    page = client.get("/coaching/graduates").get_data(as_text=True)
    assert grad.name in page and past.name in page
    r = client.post("/coaching/captains/appoint", data={"enrollment_id": graduation_id(grad)})
    assert r.headers["Location"].endswith(f"/coaching/captains/{grad.id}")
    (appt,) = appointments(grad)
    assert (appt.graduated_from_id, appt.appointed_by_id, appt.stepped_down_at) == (
        past.id,
        staff.id,
        None,
    )
    db.session.refresh(grad)
    assert grad.role == Role.CAPTAIN
    assert grad.profile is not None  # they keep their profile
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "captain.appoint"))
    assert event.actor_id == staff.id and "role" in event.changed
    detail = client.get(f"/coaching/captains/{grad.id}").get_data(as_text=True)
    assert f"Graduated from <strong>{past.name}</strong>" in detail
    # Once a captain, they leave the list of graduates to appoint.
    assert grad.email not in client.get("/coaching/graduates").get_data(as_text=True)


def test_only_graduates_can_be_appointed(client, login_as, coach, factory):
    staff = login_as("staff")
    cohort = factory.cohort()
    person = factory.user()
    enrolled = factory.enrollment(cohort=cohort, user=person, stage=Stage.ENROLLED)
    db.session.commit()
    r = client.post("/coaching/captains/appoint", data={"enrollment_id": enrolled.id})
    assert r.status_code == 404
    with pytest.raises(services.CoachingError, match="did not graduate from"):
        services.appoint_captain(person, cohort, staff)
    assert db.session.scalar(sa.select(sa.func.count(AlumniCaptain.id))) == 0
    db.session.refresh(person)
    assert person.role == Role.PARTICIPANT


def test_appointment_rules(login_as, coach, factory):
    staff = login_as("staff")
    past = coach.past_cohort()
    captain = coach.captain(graduated_from=past)
    with pytest.raises(services.CoachingError, match="already a captain"):
        services.appoint_captain(captain, past, staff)
    staff_member = factory.user(Role.STAFF)
    factory.enrollment(cohort=past, user=staff_member, stage=Stage.GRADUATED)
    with pytest.raises(services.CoachingError, match="Staff cannot"):
        services.appoint_captain(staff_member, past, staff)
    returning = coach.graduate(cohort=past)
    factory.enrollment(cohort=factory.cohort(), user=returning, stage=Stage.ENROLLED)
    with pytest.raises(services.CoachingError, match="appoint them once they graduate"):
        services.appoint_captain(returning, past, staff)
    assert len(appointments(returning)) == 0


def test_two_current_appointments_are_refused_by_the_database(coach):
    captain = coach.captain()
    past = coach.past_cohort()
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.add(AlumniCaptain(user_id=captain.id, graduated_from_id=past.id))
        db.session.flush()


def test_city_staff_appoint_only_graduates_of_their_cities(client, login_as, coach, factory):
    home, away = factory.city(), factory.city()
    mine = coach.graduate(city=home)
    theirs = coach.graduate(city=away)
    login_as("city_staff", cities=[home])
    page = client.get("/coaching/graduates").get_data(as_text=True)
    assert mine.email in page and theirs.email not in page
    r = client.post("/coaching/captains/appoint", data={"enrollment_id": graduation_id(theirs)})
    assert r.status_code == 404
    assert appointments(theirs) == []


def test_graduates_search(client, login_as, coach):
    login_as("staff")
    a = coach.graduate(name="Zora Neale")
    b = coach.graduate(name="Quentin Blake")
    db.session.commit()
    page = client.get("/coaching/graduates?q=zora").get_data(as_text=True)
    assert a.email in page and b.email not in page


def test_graduates_search_matches_email_in_any_case(client, login_as, coach):
    login_as("staff")
    a = coach.graduate(name="Ann Lee", email="Zora.Hurston@Example.org")
    b = coach.graduate(name="Bo Lee")
    db.session.commit()
    page = client.get("/coaching/graduates?q=zora.hurston@example").get_data(as_text=True)
    assert a.email in page and b.email not in page


def test_graduates_search_takes_percent_and_underscore_literally(client, login_as, coach):
    login_as("staff")
    a = coach.graduate(name="Ann_Lee")
    b = coach.graduate(name="AnnxLee")
    db.session.commit()
    page = client.get("/coaching/graduates?q=ann_lee").get_data(as_text=True)
    assert a.email in page and b.email not in page
    page = client.get("/coaching/graduates?q=%25").get_data(as_text=True)
    assert a.email not in page and b.email not in page


def test_record_an_alumnus_with_the_form(client, login_as, coach, factory):
    staff = login_as("staff")
    past = coach.past_cohort()
    factory.cohort(status=CohortStatus.ACTIVE, name="Running now")
    db.session.commit()
    page = client.get("/coaching/alumni/import").get_data(as_text=True)
    assert past.name in page and "Running now" not in page
    r = client.post(
        "/coaching/alumni/import",
        data={"name": "Ana Alumna", "email": "Ana@Example.org", "cohort": past.id, "appoint": "y"},
    )
    assert r.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "ana@example.org"))
    assert user.role == Role.CAPTAIN and user.password_hash is None
    enrollment = db.session.scalar(sa.select(Enrollment).where(Enrollment.user_id == user.id))
    assert (enrollment.cohort_id, enrollment.stage) == (past.id, Stage.GRADUATED)
    (appt,) = appointments(user)
    assert appt.graduated_from_id == past.id
    events = set(
        db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.actor_id == staff.id))
    )
    assert {"user.create", "alumnus.import", "captain.appoint"} <= events


def test_recording_an_existing_enrollment_again_is_refused(client, login_as, coach, factory):
    login_as("staff")
    past = coach.past_cohort()
    grad = coach.graduate(cohort=past)
    withdrawn = factory.user()
    factory.enrollment(cohort=past, user=withdrawn, stage=Stage.WITHDRAWN)
    db.session.commit()
    for person, message in [(grad, "already a graduate"), (withdrawn, "already has an enrollment")]:
        r = client.post(
            "/coaching/alumni/import",
            data={"name": person.name, "email": person.email, "cohort": past.id},
        )
        assert r.status_code == 200
        assert message in r.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Enrollment.id))) == 2


def test_record_an_alumnus_from_the_command_line(app, coach):
    past = coach.past_cohort()
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(
        import_alumnus_command,
        ["old.timer@example.org", "--name", "Old Timer", "--cohort-id", str(past.id), "--appoint"],
    )
    assert result.exit_code == 0, result.output
    assert "and an alumni captain" in result.output
    user = db.session.scalar(sa.select(User).where(User.email == "old.timer@example.org"))
    assert user.role == Role.CAPTAIN
    result = runner.invoke(
        import_alumnus_command,
        ["old.timer@example.org", "--name", "Old Timer", "--cohort-id", str(past.id)],
    )
    assert result.exit_code != 0 and "already a graduate" in result.output


def fingerprint(html):
    return re.search(r'name="fingerprint" type="hidden" value="([0-9a-f]+)"', html).group(1)


def test_step_down_previews_then_ends_every_running_team(client, login_as, coach, factory):
    staff = login_as("staff")
    captain = coach.captain()
    running = factory.cohort()
    mine = coach.assign(running, captain=captain, is_lead=True)
    other = coach.assign(running)
    pod = coach.pod(mine, coach.enrolled(running, 2))
    done = factory.cohort(status=CohortStatus.COMPLETED)
    past_team = coach.assign(done, captain=captain)
    db.session.commit()
    url = f"/coaching/captains/{captain.id}/step-down"
    html = client.get(url).get_data(as_text=True)
    assert running.name in html and done.name not in html
    for p in pod:
        assert p.name in html
    r = client.post(url, data={"fingerprint": fingerprint(html)})
    assert r.status_code == 302
    (appt,) = appointments(captain)
    assert appt.stepped_down_at is not None and appt.stepped_down_by_id == staff.id
    db.session.refresh(mine)
    db.session.refresh(past_team)
    assert mine.ended_at is not None
    assert past_team.ended_at is None  # past cohorts keep their team (lineage)
    members = set(
        db.session.scalars(
            sa.select(PodMembership.participant_id).where(PodMembership.assignment_id == other.id)
        )
    )
    assert members == {p.id for p in pod}
    db.session.refresh(captain)
    assert captain.role == Role.PARTICIPANT
    # History is kept: appoint again, and both appointments are listed.
    client.post("/coaching/captains/appoint", data={"enrollment_id": graduation_id(captain)})
    assert [a.stepped_down_at is None for a in appointments(captain)] == [False, True]
    detail = client.get(f"/coaching/captains/{captain.id}").get_data(as_text=True)
    assert detail.count("Graduated from <strong>") == 2
    assert "stepped down" in detail
    assert captain.name in client.get("/coaching/captains?show=past").get_data(as_text=True)


def test_step_down_with_a_stale_preview_changes_nothing(client, login_as, coach, factory):
    login_as("staff")
    captain = coach.captain()
    cohort = factory.cohort()
    mine = coach.assign(cohort, captain=captain)
    other = coach.assign(cohort, max_participants=4)
    coach.pod(mine, coach.enrolled(cohort, 2))
    db.session.commit()
    url = f"/coaching/captains/{captain.id}/step-down"
    stale = fingerprint(client.get(url).get_data(as_text=True))
    # Now only one of the two fits in the other pod: the plan differs from the preview.
    coach.pod(other, coach.enrolled(cohort, 3))
    db.session.commit()
    r = client.post(url, data={"fingerprint": stale})
    assert "The pods changed since the preview" in r.get_data(as_text=True)
    assert appointments(captain)[0].stepped_down_at is None
    db.session.refresh(mine)
    assert mine.ended_at is None


def test_city_staff_cannot_step_down_a_captain_serving_elsewhere(client, login_as, coach, factory):
    home, away = factory.city(), factory.city()
    captain = coach.captain(city=home)
    coach.assign(factory.cohort(city=away), captain=captain)
    login_as("city_staff", cities=[home])
    url = f"/coaching/captains/{captain.id}/step-down"
    r = client.get(url, follow_redirects=True)
    assert "serves cohorts in cities you do not manage" in r.get_data(as_text=True)
    r = client.post(url, data={"fingerprint": "0" * 16}, follow_redirects=True)
    assert appointments(captain)[0].stepped_down_at is None
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(CaptainAssignment.ended_at.is_not(None)))
        == 0
    )


def test_captains_list_shows_current_captains_in_the_viewers_cities(
    client, login_as, coach, factory
):
    home, away = factory.city(), factory.city()
    mine = coach.captain(city=home)
    theirs = coach.captain(city=away)
    login_as("city_staff", cities=[home])
    page = client.get("/coaching/captains").get_data(as_text=True)
    assert mine.name in page and theirs.name not in page
    assert client.get(f"/coaching/captains/{theirs.id}").status_code == 404


def test_a_refused_import_writes_nothing(client, login_as, coach, factory):
    login_as("staff")
    past = coach.past_cohort()
    person = factory.user(email="busy@example.org")
    factory.enrollment(cohort=factory.cohort(), user=person, stage=Stage.ENROLLED)
    db.session.commit()
    r = client.post(
        "/coaching/alumni/import",
        data={"name": "Busy", "email": "busy@example.org", "cohort": past.id, "appoint": "y"},
    )
    assert "appoint them once they graduate" in r.get_data(as_text=True)
    db.session.commit()  # what the request left behind would be written now
    assert not db.session.scalar(
        sa.select(Enrollment.id).where(
            Enrollment.user_id == person.id, Enrollment.cohort_id == past.id
        )
    )
