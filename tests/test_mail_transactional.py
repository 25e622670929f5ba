"""Mail goes out only after the transaction that "sent" it commits.

A request that fails after a service queued mail (its commit fails, or it is rolled back
and retried) sends nothing for the change that never happened.
"""

import pytest
import sqlalchemy as sa

from coop.extensions import db, mail
from coop.programs.models import City
from coop.sessions import services as sessions_services
from coop.sessions.models import SessionStatus, VirtualSession
from tests.sessions.builders import Builder


def test_mail_waits_for_the_commit(factory, outbox):
    factory.city()  # the session is now inside a transaction
    mail.send("ada@example.org", "Hello", "Body")
    assert outbox == []
    db.session.commit()
    assert [m.to for m in outbox] == [["ada@example.org"]]
    # Sent once: the next commit sends nothing again.
    factory.city()
    db.session.commit()
    assert len(outbox) == 1


def test_a_rollback_drops_the_mail(factory, outbox):
    factory.city()
    mail.send("ada@example.org", "Hello", "Body")
    db.session.rollback()
    factory.city()
    db.session.commit()
    assert outbox == []


def test_a_rolled_back_savepoint_drops_only_its_own_mail(factory, outbox):
    factory.city()
    mail.send("before@example.org", "Hello", "Body")
    with pytest.raises(RuntimeError), db.session.begin_nested():
        mail.send("inside@example.org", "Hello", "Body")
        raise RuntimeError("refused")
    with db.session.begin_nested():
        mail.send("released@example.org", "Hello", "Body")
    assert outbox == []
    db.session.commit()
    assert [m.to[0] for m in outbox] == ["before@example.org", "released@example.org"]


def test_mail_outside_a_transaction_goes_out_at_once(outbox):
    assert db.session().get_transaction() is None
    mail.send("ada@example.org", "Hello", "Body")
    assert len(outbox) == 1


def test_a_view_whose_commit_fails_sends_nothing(
    app, client, login_as, factory, outbox, monkeypatch
):
    """Cancelling a session emails the cohort; when the commit then fails, the request
    answers 500, the session stays scheduled and nobody is told it was cancelled."""
    build = Builder(factory)
    cohort = build.cohort()
    build.participants(cohort, 2)
    session = build.session(cohort, hours_from_now=30, title="Resume clinic")
    login_as("staff")
    taken = db.session.scalar(sa.select(City.slug).limit(1))
    real_cancel = sessions_services.cancel_session

    def cancel_then_break_the_commit(*args, **kwargs):
        emailed = real_cancel(*args, **kwargs)
        # A row the commit cannot write (a duplicate city slug): the commit fails.
        db.session.add(City(name="Clash", slug=taken, timezone="UTC"))
        return emailed

    monkeypatch.setattr(sessions_services, "cancel_session", cancel_then_break_the_commit)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = client.post(f"/sessions/{session.id}/cancel", data={"reason": "Snow"})
    assert response.status_code == 500
    assert outbox == []
    db.session.commit()  # a later commit does not send them either
    assert outbox == []
    assert db.session.get(VirtualSession, session.id).status == SessionStatus.SCHEDULED
