"""`flask --app coop sessions send-reminders`: once per session and person, however often
and however concurrently it runs."""

import os
import threading
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from coop import create_app
from coop.auth.models import ParticipantProfile, Role, User
from coop.coaching.models import CaptainAssignment
from coop.db import utcnow
from coop.enrollment.models import Enrollment, Stage
from coop.extensions import db, mail
from coop.programs.models import City, Cohort, Track
from coop.sessions import cli as sessions_cli
from coop.sessions.models import SessionReminder, SessionStatus, VirtualSession
from tests.sessions.builders import Builder

NY, LA = "America/New_York", "America/Los_Angeles"


def run_command(app):
    result = app.test_cli_runner().invoke(args=["sessions", "send-reminders"])
    assert result.exit_code == 0, result.output
    return result.output


def test_reminds_participants_and_captains_of_the_next_24_hours(app, build, factory, outbox):
    cohort = build.cohort("America/New_York", video_link="https://meet.example.org/r")
    a, b = build.participants(cohort, 2)
    b.timezone = "America/Los_Angeles"
    build.participants(cohort, 1, stage=Stage.WITHDRAWN)
    build.participants(cohort, 1, stage=Stage.GRADUATED)
    inactive = build.participants(cohort, 1)[0]
    inactive.active = False
    captain, _ = build.captain(cohort, pod=[a, b])
    former, assignment = build.captain(cohort)
    assignment.ended_at = utcnow()
    soon = build.session(cohort, hours_from_now=3, title="Soon")
    build.session(cohort, hours_from_now=23, title="Tomorrow")
    build.session(cohort, hours_from_now=25, title="Too far")
    build.session(cohort, hours_from_now=-1, title="Started")
    build.session(cohort, hours_from_now=5, title="Called off", status=SessionStatus.CANCELLED)
    db.session.commit()

    assert "Sent 6 session reminders." in run_command(app)
    got = sorted((m.to[0], m.subject.split(" (")[0]) for m in outbox)
    expected = sorted(
        (p.email, f"Reminder: {title}") for p in (a, b, captain) for title in ("Soon", "Tomorrow")
    )
    assert got == expected
    mail_b = next(m for m in outbox if m.to == [b.email] and "Soon" in m.subject)
    # The zones' names at the session's start: EST and PST in winter, EDT and PDT in summer.
    east, west = (soon.starts_at.astimezone(ZoneInfo(z)).tzname() for z in (NY, LA))
    assert east in mail_b.body and west in mail_b.body and "your time" in mail_b.body
    assert "https://meet.example.org/r" in mail_b.body
    assert (
        db.session.scalar(
            db.select(sa.func.count(SessionReminder.id)).where(
                SessionReminder.session_id == soon.id
            )
        )
        == 3
    )
    assert former.email not in {m.to[0] for m in outbox}

    # Again, and again: nothing more.
    outbox.clear()
    assert "Sent 0 session reminders." in run_command(app)
    assert "Sent 0 session reminders." in run_command(app)
    assert outbox == []


def test_new_participant_still_gets_the_reminder(build, outbox):
    cohort = build.cohort()
    (a,) = build.participants(cohort, 1)
    build.session(cohort, hours_from_now=10)
    db.session.commit()
    assert sessions_cli.send_reminders() == 1
    (late,) = build.participants(cohort, 1)
    db.session.commit()
    assert sessions_cli.send_reminders() == 1
    assert [m.to[0] for m in outbox] == [a.email, late.email]


def test_failed_mail_is_retried_next_run(build, outbox, monkeypatch):
    cohort = build.cohort()
    a, b = build.participants(cohort, 2)
    build.session(cohort, hours_from_now=10)
    db.session.commit()
    real_send = mail.send_now

    def flaky(to, subject, body):
        if to == b.email:
            raise OSError("mail server down")
        return real_send(to, subject, body)

    monkeypatch.setattr(mail, "send_now", flaky)
    assert sessions_cli.send_reminders() == 1
    assert [m.to[0] for m in outbox] == [a.email]
    monkeypatch.setattr(mail, "send_now", real_send)
    assert sessions_cli.send_reminders() == 1
    assert [m.to[0] for m in outbox] == [a.email, b.email]


@pytest.fixture
def real_sessions():
    """Real sessions (one per app context) instead of the test's rolled-back one, for
    threads that need their own transactions."""
    saved = db.session
    db.session = db._make_scoped_session({})
    try:
        yield
    finally:
        db.session = saved


def test_concurrent_runs_send_each_reminder_once(tmp_path, real_sessions, outbox):
    url = os.environ.get("COOP_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'race.sqlite'}"
    other = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    made: dict[str, list[int]] = {}
    with other.app_context():
        db.create_all()
        city = City(name="Reminder City", slug="reminder-city", timezone="America/Chicago")
        track = Track(name="Reminder Track", slug="reminder-track")
        cohort = Cohort(
            city=city,
            track=track,
            name="Reminder cohort",
            start_date=date.today() - timedelta(days=30),
            end_date=date.today() + timedelta(days=60),
        )
        people = [
            User(email=f"remind{n}@example.org", name=f"Remind {n}", role=Role.PARTICIPANT)
            for n in range(8)
        ]
        captain = User(email="remind-captain@example.org", name="Cap", role=Role.CAPTAIN)
        db.session.add_all([city, track, cohort, *people, captain])
        db.session.flush()
        db.session.add_all(
            [Enrollment(cohort_id=cohort.id, user_id=p.id, stage=Stage.ENROLLED) for p in people]
            + [ParticipantProfile(user_id=p.id) for p in people]
            + [CaptainAssignment(cohort_id=cohort.id, captain_id=captain.id)]
        )
        db.session.flush()
        builder = Builder(None)
        sessions = [
            builder.session(cohort, hours_from_now=h, title=f"Race {h}") for h in (2, 6, 20)
        ]
        db.session.commit()
        made = {
            "users": [p.id for p in people] + [captain.id],
            "cohort": [cohort.id],
            "city": [city.id],
            "track": [track.id],
            "sessions": [s.id for s in sessions],
        }

    runners = 4
    barrier = threading.Barrier(runners)
    results, errors = [], []

    def run():
        try:
            with other.app_context():
                barrier.wait()
                results.append(sessions_cli.send_reminders())
                db.session.remove()
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(runners)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert errors == []
        expected = 3 * 9
        assert sum(results) == expected
        ours = [m for m in outbox if m.to[0].startswith("remind")]
        assert len(ours) == expected
        assert len({(m.to[0], m.subject) for m in ours}) == expected
        with other.app_context():
            logged = db.session.scalar(
                sa.select(sa.func.count(SessionReminder.id)).where(
                    SessionReminder.session_id.in_(made["sessions"])
                )
            )
            assert logged == expected
    finally:
        with other.app_context():
            db.session.execute(
                sa.delete(SessionReminder).where(SessionReminder.session_id.in_(made["sessions"]))
            )
            db.session.execute(
                sa.delete(VirtualSession).where(VirtualSession.id.in_(made["sessions"]))
            )
            db.session.execute(
                sa.delete(Enrollment).where(Enrollment.cohort_id.in_(made["cohort"]))
            )
            db.session.execute(
                sa.delete(CaptainAssignment).where(CaptainAssignment.cohort_id.in_(made["cohort"]))
            )
            db.session.execute(sa.delete(Cohort).where(Cohort.id.in_(made["cohort"])))
            db.session.execute(
                sa.delete(ParticipantProfile).where(ParticipantProfile.user_id.in_(made["users"]))
            )
            db.session.execute(sa.delete(User).where(User.id.in_(made["users"])))
            db.session.execute(sa.delete(City).where(City.id.in_(made["city"])))
            db.session.execute(sa.delete(Track).where(Track.id.in_(made["track"])))
            db.session.commit()
            db.session.remove()
            db.engine.dispose()
