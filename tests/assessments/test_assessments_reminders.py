"""`flask --app coop assessments send-reminders`: once per person and scheduled
assessment while it is open, however often it runs; a failed mail is tried again."""

import sqlalchemy as sa

from coop.assessments.models import AssessmentReminder
from coop.enrollment.models import Stage
from coop.extensions import db, mail


def run_command(app):
    result = app.test_cli_runner().invoke(args=["assessments", "send-reminders"])
    assert result.exit_code == 0, result.output
    return result.output


def test_reminds_once_those_who_have_not_answered(app, factory, assess, outbox):
    cohort = assess.active_cohort(weeks_in=2)  # week 3 starts today
    template = assess.template(cohort.track, title="Midway check")
    row = assess.schedule(cohort, template, "midpoint", 3)
    assess.schedule(cohort, assess.template(cohort.track, title="Later"), "exit", 10)
    early = assess.active_cohort(weeks_in=5, track=cohort.track)
    assess.schedule(early, template, "intake", 1)  # past due: no reminder
    a, b, done = assess.participants(cohort, 3)
    assess.participants(cohort, 1, stage=Stage.WITHDRAWN)
    assess.participants(early, 2)
    assess.answer(row, cohort, done, {})
    db.session.commit()

    assert "Sent 2 assessment reminders." in run_command(app)
    assert sorted(m.to[0] for m in outbox) == sorted([a.email, b.email])
    assert all(m.subject == "Reminder: Midway check is open" for m in outbox)
    assert "Midway check" in outbox[0].body and cohort.name in outbox[0].body
    assert "Sent 0 assessment reminders." in run_command(app)
    assert len(outbox) == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AssessmentReminder)) == 2


def test_a_failed_mail_is_tried_again(app, factory, assess, outbox, monkeypatch):
    cohort = assess.active_cohort(weeks_in=0)
    assess.schedule(cohort, assess.template(cohort.track), "intake", 1)
    a, b = assess.participants(cohort, 2)
    db.session.commit()
    real = mail.send_now

    def flaky(to, subject, body):
        if to == a.email:
            raise OSError("mail server down")
        return real(to, subject, body)

    monkeypatch.setattr(mail, "send_now", flaky)
    output = run_command(app)
    assert "Sent 1 assessment reminder." in output and "1 failed" in output
    assert [m.to[0] for m in outbox] == [b.email]
    monkeypatch.setattr(mail, "send_now", real)
    assert "Sent 1 assessment reminder." in run_command(app)
    assert sorted(m.to[0] for m in outbox) == sorted([a.email, b.email])
