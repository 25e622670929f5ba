"""A decision request that is retried after losing a race emails each person once."""

import sqlite3

import sqlalchemy as sa

from coop.auth.models import User
from coop.enrollment.models import Stage
from coop.extensions import db


def test_a_retried_request_mails_once(client, login_as, recruiting, applicant, outbox):
    """Accepting applicants emails them; a commit that loses a race (SQLite's "database is
    locked", PostgreSQL's serialization failure) is rolled back and the view runs again:
    each applicant gets one email, not one per attempt."""
    login_as("staff")
    cohort = recruiting()
    people = [applicant(cohort, password_hash="set") for _ in range(2)]
    failures = [1]

    def lose_the_first_race(session):
        if failures:
            failures.pop()
            raise sa.exc.OperationalError(
                "COMMIT", {}, sqlite3.OperationalError("database is locked")
            )

    sa.event.listen(db.session(), "before_commit", lose_the_first_race)
    try:
        response = client.post(
            f"/cohorts/{cohort.id}/applications/decide",
            data={"ids": [str(e.id) for e in people], "decision": "accept", "reason": ""},
        )
    finally:
        sa.event.remove(db.session(), "before_commit", lose_the_first_race)
    assert response.status_code == 302
    assert failures == []
    emails = [db.session.get(User, e.user_id).email for e in people]
    assert sorted(m.to[0] for m in outbox) == sorted(emails)
    for e in people:
        db.session.refresh(e)
        assert e.stage == Stage.ENROLLED
