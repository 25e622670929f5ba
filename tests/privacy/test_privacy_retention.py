"""The retention policy: ``flask --app coop privacy purge [--dry-run]``."""

from datetime import UTC, datetime

import pytest
import time_machine

from coop.auth.models import Role, User
from coop.enrollment.models import Stage
from coop.extensions import db
from coop.privacy.cli import purge

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def people(factory):
    with time_machine.travel(START, tick=False):
        cohort = factory.cohort()
        applicant = factory.user(Role.PARTICIPANT, name="Old Applicant", created_at=START)
        factory.enrollment(cohort=cohort, user=applicant, stage=Stage.DECLINED)
        graduate = factory.user(Role.PARTICIPANT, name="Old Graduate", created_at=START)
        factory.enrollment(cohort=cohort, user=graduate, stage=Stage.GRADUATED)
        staff = factory.user(Role.STAFF, name="Old Staff", created_at=START)
        db.session.commit()
    return applicant, graduate, staff


def _erased(user) -> bool:
    db.session.expire_all()
    return db.session.get(User, user.id).erased_at is not None


def test_applicants_go_after_two_years_graduates_after_seven(app, people):
    applicant, graduate, staff = people
    with time_machine.travel(datetime(2028, 2, 1, tzinfo=UTC), tick=False):
        due, erased = purge()
    assert (due, erased) == ([], 0)
    with time_machine.travel(datetime(2028, 3, 2, tzinfo=UTC), tick=False):
        due, erased = purge()
    assert [d.user_id for d in due] == [applicant.id] and erased == 1
    assert _erased(applicant) and not _erased(graduate)
    with time_machine.travel(datetime(2033, 3, 2, tzinfo=UTC), tick=False):
        due, erased = purge()
    assert [d.user_id for d in due] == [graduate.id] and erased == 1
    assert _erased(graduate) and not _erased(staff)


def test_a_dry_run_lists_and_changes_nothing_and_a_second_run_does_nothing(app, people):
    applicant, *_ = people
    runner = app.test_cli_runner()
    with time_machine.travel(datetime(2028, 3, 2, tzinfo=UTC), tick=False):
        result = runner.invoke(args=["privacy", "purge", "--dry-run"])
        assert result.exit_code == 0, result.output
        assert f"user {applicant.id} (participant, applicant)" in result.output
        assert "Dry run: 1 would be erased" in result.output
        assert not _erased(applicant)
        result = runner.invoke(args=["privacy", "purge"])
        assert "Erased 1 of 1 due" in result.output
        assert _erased(applicant)
        result = runner.invoke(args=["privacy", "purge"])
        assert "Erased 0 of 0 due" in result.output


def test_recent_activity_keeps_an_applicant(app, people, factory):
    applicant, *_ = people
    with time_machine.travel(datetime(2027, 6, 1, tzinfo=UTC), tick=False):
        applicant.last_login_at = datetime(2027, 6, 1, tzinfo=UTC)
        db.session.commit()
    with time_machine.travel(datetime(2028, 3, 2, tzinfo=UTC), tick=False):
        assert purge() == ([], 0)


def test_the_limits_are_configurable(app, people, monkeypatch):
    applicant, graduate, _ = people
    monkeypatch.setitem(app.config, "RETENTION_INACTIVE_YEARS", 1)
    with time_machine.travel(datetime(2027, 3, 2, tzinfo=UTC), tick=False):
        due, erased = purge()
    assert {d.user_id for d in due} == {applicant.id, graduate.id} and erased == 2
