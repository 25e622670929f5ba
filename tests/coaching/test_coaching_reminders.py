"""``flask --app coop coaching remind-overdue``: once a day at most per captain."""

from datetime import timedelta

import sqlalchemy as sa

from coop.auth.models import Role, User
from coop.coaching.cli import remind_overdue_command
from coop.coaching.models import ReminderLog
from coop.core import clock
from coop.core.mail import MailError
from coop.extensions import db, mail

TODAY = clock.today_in()  # the organisation's date, as the pages and jobs read it


def overdue_pod(coach, factory, n=2, **captain_kw):
    cohort = factory.cohort(start_date=TODAY - timedelta(days=40))
    a = coach.assign(cohort, captain=coach.captain(**captain_kw) if captain_kw else None)
    captain = db.session.get(User, a.captain_id)
    people = coach.pod(a, coach.enrolled(cohort, n))
    return cohort, captain, people


def run(app, *args):
    result = app.test_cli_runner().invoke(remind_overdue_command, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_each_captain_gets_one_email_listing_their_overdue(app, coach, factory, outbox):
    cohort, captain, people = overdue_pod(coach, factory, 2)
    coach.checkin(cohort, people[0], captain, held_on=TODAY - timedelta(days=16))
    # A captain whose pod is up to date gets nothing.
    fine_cohort, fine, (ok,) = overdue_pod(coach, factory, 1)
    coach.checkin(fine_cohort, ok, fine, held_on=TODAY - timedelta(days=1))
    db.session.commit()
    output = run(app, "--date", TODAY.isoformat())
    assert "Sent 1 reminder(s)" in output
    (message,) = outbox
    assert message.to == [captain.email]
    assert message.subject == "2 participants in your pod need a check-in"
    for p in people:
        assert p.name in message.body
    assert "no check-in yet" in message.body and "last check-in" in message.body
    log = db.session.scalar(sa.select(ReminderLog))
    assert (log.captain_id, log.day, log.participant_count) == (captain.id, TODAY, 2)


def test_running_twice_the_same_day_sends_nothing_more(app, coach, factory, outbox):
    overdue_pod(coach, factory)
    overdue_pod(coach, factory)
    db.session.commit()
    assert "Sent 2 reminder(s)" in run(app, "--date", TODAY.isoformat())
    output = run(app, "--date", TODAY.isoformat())
    assert "Sent 0 reminder(s); 2 captain(s) already reminded" in output
    assert len(outbox) == 2
    # The next day, they are reminded again.
    run(app, "--date", (TODAY + timedelta(days=1)).isoformat())
    assert len(outbox) == 4
    assert db.session.scalar(sa.select(sa.func.count(ReminderLog.id))) == 4


def test_no_reminders_for_inactive_or_former_captains(app, coach, factory, outbox):
    _, gone, _ = overdue_pod(coach, factory)
    gone.active = False
    _, former, _ = overdue_pod(coach, factory)
    former.role = Role.PARTICIPANT
    db.session.commit()
    assert "Sent 0 reminder(s)" in run(app)
    assert outbox == []


def test_default_day_is_today(app, coach, factory, outbox):
    _, captain, _ = overdue_pod(coach, factory)
    db.session.commit()
    run(app)
    assert db.session.scalar(sa.select(ReminderLog.day)) in {TODAY, TODAY + timedelta(days=1)}


def test_a_failed_mail_is_retried_next_run_and_does_not_stop_the_others(
    app, coach, factory, outbox, monkeypatch
):
    _, failing, _ = overdue_pod(coach, factory)
    _, fine, _ = overdue_pod(coach, factory)
    db.session.commit()
    real_send = mail.send_now

    def flaky(to, subject, body):
        if to == failing.email:
            raise MailError("The email could not be sent. Please try again later.")
        return real_send(to, subject, body)

    monkeypatch.setattr(mail, "send_now", flaky)
    assert "Sent 1 reminder(s); 0 captain(s) already reminded" in run(app)
    assert [m.to[0] for m in outbox] == [fine.email]
    assert db.session.scalars(sa.select(ReminderLog.captain_id)).all() == [fine.id]
    monkeypatch.setattr(mail, "send_now", real_send)
    assert "Sent 1 reminder(s); 1 captain(s) already reminded" in run(app)
    assert [m.to[0] for m in outbox] == [fine.email, failing.email]
