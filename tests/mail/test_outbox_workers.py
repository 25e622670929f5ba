"""Several workers at once (PostgreSQL): each claims with FOR UPDATE SKIP LOCKED, so every
message goes out exactly once. On SQLite one worker is the rule (README), so this runs
only with ``COOP_TEST_DATABASE_URL``."""

import os
import threading
import time

import pytest
import sqlalchemy as sa

from coop.core import outbox
from coop.core.outbox import OutboxMessage, OutboxStatus
from coop.extensions import db, mail
from tests.concurrency import separate_app

pytestmark = pytest.mark.skipif(
    not os.environ.get("COOP_TEST_DATABASE_URL"), reason="several workers need PostgreSQL"
)

MESSAGES = 120


@pytest.fixture
def live(tmp_path, monkeypatch):
    with separate_app(tmp_path, monkeypatch, "outbox_workers") as app:
        app.config["MAIL_DELIVERY"] = "worker"
        yield app


def test_two_workers_send_each_message_once(live, monkeypatch):
    with live.app_context():
        for i in range(MESSAGES):
            mail.send(f"p{i}@example.org", f"Message {i}", "Body")  # committed one by one
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == (
            MESSAGES
        )
    mail.outbox.clear()
    real = mail._deliver
    handed = []
    lock = threading.Lock()

    def slow_server(message):
        time.sleep(0.002)  # the workers overlap while a message is being handed over
        with lock:
            handed.append((threading.current_thread().name, message.subject))
        return real(message)

    monkeypatch.setattr(mail, "_deliver", slow_server)
    barrier = threading.Barrier(2)
    results = {}

    def worker(name):
        with live.app_context():
            barrier.wait()
            results[name] = outbox.deliver()  # its own session and connection

    threads = [threading.Thread(target=worker, args=(n,), name=n) for n in ("w1", "w2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    subjects = [s for _, s in handed]
    assert sorted(subjects) == sorted(f"Message {i}" for i in range(MESSAGES))  # each once
    assert results["w1"].sent + results["w2"].sent == MESSAGES
    assert {name for name, _ in handed} == {"w1", "w2"}  # both really worked
    with live.app_context():
        statuses = db.session.scalars(sa.select(OutboxMessage.status)).all()
        assert set(statuses) == {OutboxStatus.SENT}
