"""The outbox (coop/core/outbox.py): mail is written in the change's transaction, sent by
inline delivery or the worker, retried with backoff, dead after MAIL_MAX_ATTEMPTS tries,
and sent again when staff ask."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine
from click.testing import CliRunner

from coop.core import clock, mail_cli
from coop.core import outbox as outbox_mod
from coop.core.mail import MailError
from coop.core.models import AuditEvent
from coop.core.outbox import OutboxMessage, OutboxStatus
from coop.extensions import db, mail


def _rows():
    return db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()


@pytest.fixture
def worker_mode(app, monkeypatch):
    """Production's setting: nothing goes out in the request, the worker sends it."""
    monkeypatch.setitem(app.config, "MAIL_DELIVERY", "worker")


@pytest.fixture
def flaky_server(monkeypatch):
    """A mail server that refuses the first ``failures`` messages handed to it."""
    real = mail._deliver

    class Server:
        failures = 0
        calls = 0

        def __call__(self, message):
            self.calls += 1
            if self.calls <= self.failures:
                raise MailError("The email could not be sent. Please try again later.")
            return real(message)

    server = Server()
    monkeypatch.setattr(mail, "_deliver", server)
    return server


def test_send_writes_a_row_in_the_transaction_and_inline_delivery_marks_it_sent(factory, outbox):
    factory.city()
    message = mail.send("ada@example.org", "Hello", "Body with a link")
    (row,) = _rows()
    assert row.id == message.id and row.status == OutboxStatus.QUEUED
    assert outbox == []
    db.session.commit()
    assert [m.to for m in outbox] == [["ada@example.org"]]
    (row,) = _rows()
    assert row.status == OutboxStatus.SENT and row.attempts == 1
    assert row.body is None  # a sent body (maybe a sign-in link) is not kept
    assert row.sent_at is not None


def test_a_rolled_back_change_leaves_no_message(factory, outbox):
    factory.city()
    mail.send("ada@example.org", "Hello", "Body")
    db.session.rollback()
    factory.city()
    db.session.commit()
    assert _rows() == []
    assert outbox == []


def test_a_rolled_back_change_leaves_no_message_for_the_worker(factory, outbox, worker_mode):
    factory.city()
    mail.send("ada@example.org", "Hello", "Body")
    db.session.rollback()
    assert _rows() == []
    assert outbox_deliver().tried == 0
    assert outbox == []


def outbox_deliver(**kw):
    """The worker's delivery, on the test's connection (where the test's rows are)."""
    return outbox_mod.deliver(bind=db.session.get_bind(), **kw)


def test_worker_mode_waits_for_the_worker(factory, outbox, worker_mode):
    factory.city()
    mail.send("ada@example.org", "Hello", "Body")
    db.session.commit()
    assert outbox == []
    assert [r.status for r in _rows()] == [OutboxStatus.QUEUED]
    done = outbox_deliver()
    assert (done.sent, done.failed, done.dead) == (1, 0, 0)
    assert [m.subject for m in outbox] == ["Hello"]
    db.session.expire_all()
    assert [r.status for r in _rows()] == [OutboxStatus.SENT]
    assert outbox_deliver().tried == 0  # sent once, never again


def test_server_fails_three_times_then_works_delivered_exactly_once(
    app, factory, outbox, worker_mode, flaky_server, monkeypatch
):
    monkeypatch.setitem(app.config, "MAIL_RETRY_SECONDS", 60)
    flaky_server.failures = 3
    factory.city()
    mail.send("ada@example.org", "Hello", "Body")
    db.session.commit()
    waits = []
    with time_machine.travel(clock.now(), tick=False) as traveller:
        for _ in range(3):
            done = outbox_deliver()
            assert (done.sent, done.failed) == (0, 1)
            # Not due again before its backoff ends: a poll now sends nothing.
            assert outbox_deliver().tried == 0
            db.session.expire_all()
            (row,) = _rows()
            waits.append(row.next_attempt_at - clock.now())
            traveller.shift(row.next_attempt_at - clock.now())
        done = outbox_deliver()
        assert (done.sent, done.failed) == (1, 0)
        for _ in range(3):
            traveller.shift(timedelta(days=1))
            assert outbox_deliver().tried == 0
    assert waits == [timedelta(seconds=60), timedelta(seconds=120), timedelta(seconds=240)]
    assert [m.to for m in outbox] == [["ada@example.org"]]
    assert flaky_server.calls == 4
    db.session.expire_all()
    (row,) = _rows()
    assert row.status == OutboxStatus.SENT and row.attempts == 4 and row.last_error is None


def test_after_max_attempts_the_message_is_dead_and_staff_send_it_again(
    app, client, login_as, factory, outbox, worker_mode, flaky_server, monkeypatch
):
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 3)
    flaky_server.failures = 3
    factory.city()
    mail.send("ada@example.org", "Your invitation", "secret link https://x/reset/abc")
    db.session.commit()
    with time_machine.travel(clock.now(), tick=False) as traveller:
        outcomes = []
        for _ in range(4):
            done = outbox_deliver()
            outcomes.append((done.failed, done.dead))
            traveller.shift(timedelta(hours=7))
    assert outcomes == [(1, 0), (1, 0), (0, 1), (0, 0)]  # dead: never tried again
    db.session.expire_all()
    (row,) = _rows()
    assert row.status == OutboxStatus.DEAD and row.attempts == 3
    assert "could not be sent" in row.last_error

    staff = login_as("staff", all_cities=True)
    html = client.get("/mail/undelivered").get_data(as_text=True)
    assert "Your invitation" in html and "ada@example.org" in html and "dead" in html
    assert "reset/abc" not in html  # the body is never shown
    response = client.post(f"/mail/{row.id}/retry", follow_redirects=True)
    assert "Queued again" in response.get_data(as_text=True)
    db.session.expire_all()
    (row,) = _rows()
    assert row.status == OutboxStatus.QUEUED and row.attempts == 0
    assert db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "mail.retry", AuditEvent.actor_id == staff.id)
    )
    assert outbox_deliver().sent == 1
    assert [m.subject for m in outbox] == ["Your invitation"]
    assert "Every message went out" in client.get("/mail/undelivered").get_data(as_text=True)


def test_staff_retry_in_inline_mode_sends_at_once(
    app, client, login_as, factory, outbox, flaky_server, monkeypatch
):
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 1)
    flaky_server.failures = 1
    factory.city()
    mail.send("ada@example.org", "Hello", "Body")
    db.session.commit()  # inline: tried once, failed, dead (max 1)
    (row,) = _rows()
    assert row.status == OutboxStatus.DEAD and outbox == []
    login_as("staff", all_cities=True)
    client.post(f"/mail/{row.id}/retry")
    assert [m.subject for m in outbox] == ["Hello"]
    db.session.expire_all()
    assert _rows()[0].status == OutboxStatus.SENT


def test_inline_failure_stays_queued_and_the_worker_sends_it_later(factory, outbox, flaky_server):
    flaky_server.failures = 1
    factory.city()
    mail.send("ada@example.org", "Hello", "Body")
    db.session.commit()
    assert outbox == [] and [m.to for m in mail.undelivered()] == [["ada@example.org"]]
    (row,) = _rows()
    assert row.status == OutboxStatus.QUEUED and row.attempts == 1
    with time_machine.travel(row.next_attempt_at + timedelta(seconds=1), tick=False):
        assert outbox_deliver().sent == 1
    assert len(outbox) == 1


def test_sending_a_sent_message_again_is_refused(client, login_as, factory, outbox):
    factory.city()
    mail.send("ada@example.org", "Hello", "Body")
    db.session.commit()
    (row,) = _rows()
    login_as("staff", all_cities=True)
    response = client.post(f"/mail/{row.id}/retry", follow_redirects=True)
    assert "sent already" in response.get_data(as_text=True)
    assert len(outbox) == 1


def test_city_staff_and_others_cannot_see_the_outbox(client, login_as, factory):
    factory.city()
    mail.send("ada@example.org", "Hello", "Body")
    db.session.commit()
    (row,) = _rows()
    for who in ("city_staff", "captain", "participant"):
        login_as(who)
        assert client.get("/mail/undelivered").status_code == 404, who
        assert client.post(f"/mail/{row.id}/retry").status_code == 404, who
    client.get("/logout")
    login_as("staff", all_cities=True)
    assert client.post("/mail/999999/retry").status_code == 404


def test_undelivered_page_has_a_fixed_number_of_queries(
    app, client, login_as, factory, count_queries, worker_mode, monkeypatch
):
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 1)
    login_as("staff", all_cities=True)

    def page_queries():
        with count_queries() as q:
            assert client.get("/mail/undelivered").status_code == 200
        return q.count

    def add_dead(n):
        for i in range(n):
            db.session.add(
                OutboxMessage(
                    to=[f"p{i}@example.org"], subject="S", body="B", status=OutboxStatus.DEAD
                )
            )
        db.session.commit()

    add_dead(1)
    one = page_queries()
    add_dead(5)
    assert page_queries() == one


def test_backoff_doubles_and_is_capped():
    assert outbox_mod.backoff(1, 60) == timedelta(seconds=60)
    assert outbox_mod.backoff(2, 60) == timedelta(seconds=120)
    assert outbox_mod.backoff(20, 60) == outbox_mod.MAX_BACKOFF


def test_the_cli_delivers_and_the_loop_is_bounded(app, factory, outbox, worker_mode, monkeypatch):
    factory.city()
    mail.send("ada@example.org", "Hello", "Body")
    db.session.commit()
    real, bind = outbox_mod.deliver, db.session.get_bind()
    monkeypatch.setattr(outbox_mod, "deliver", lambda limit=None: real(limit, bind=bind))
    result = CliRunner().invoke(
        app.cli, ["mail", "deliver", "--loop", "--interval", "0", "--max-polls", "3"]
    )
    assert result.exit_code == 0, result.output
    assert "Sent 1, failed 0 (to retry), dead 0." in result.output
    assert len(outbox) == 1


def test_a_stop_signal_ends_the_loop(app, worker_mode, monkeypatch):
    polls = []
    stop = mail_cli.Stop()

    def fake_deliver(limit=None):
        polls.append(1)
        stop.asked = len(polls) >= 2
        return outbox_mod.Delivered()

    monkeypatch.setattr(outbox_mod, "deliver", fake_deliver)
    mail_cli.run(loop=True, interval=0, max_polls=None, limit=None, stop=stop)
    assert len(polls) == 2


def test_outside_a_transaction_send_commits_and_delivers_at_once(outbox):
    assert db.session().get_transaction() is None
    mail.send("ada@example.org", "Hello", "Body")
    assert len(outbox) == 1
    assert _rows()[0].status == OutboxStatus.SENT


def test_a_view_whose_commit_fails_leaves_no_outbox_row(
    app, client, login_as, factory, outbox, monkeypatch
):
    """Inviting someone writes an invitation to the outbox; when the commit then fails,
    the outbox holds nothing and nothing is sent."""
    from coop.auth import services as auth_services
    from coop.programs.models import City

    login_as("staff")
    taken = factory.city().slug
    db.session.commit()
    real_invite = auth_services.invite_user

    def invite_then_break_the_commit(*args, **kwargs):
        user = real_invite(*args, **kwargs)
        db.session.add(City(name="Clash", slug=taken, timezone="UTC"))
        return user

    monkeypatch.setattr(auth_services, "invite_user", invite_then_break_the_commit)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    before = len(_rows())
    response = client.post(
        "/people/invite", data={"name": "Ada", "email": "ada@example.org", "role": "participant"}
    )
    assert response.status_code == 500
    assert len(_rows()) == before
    assert outbox == []
