"""The referral stage machine and follow-up due dates (pure rules), and creating the
follow-up tasks (service and CLI)."""

from datetime import date, timedelta

import pytest

from coop.enrollment.models import Stage
from coop.extensions import db
from coop.programs.models import Cohort, CohortStatus
from coop.referrals import services
from coop.referrals.models import (
    CLOSED_STAGES,
    FollowUp,
    FollowUpKind,
    ReferralStage,
    add_months,
    follow_up_due,
    quarter_end_after,
    transition_error,
)

S = ReferralStage

ALLOWED = {
    (S.REFERRED, S.APPLIED),
    (S.REFERRED, S.INTERVIEWING),
    (S.REFERRED, S.OFFER),
    (S.REFERRED, S.HIRED),
    (S.REFERRED, S.NOT_SELECTED),
    (S.REFERRED, S.WITHDRAWN),
    (S.APPLIED, S.INTERVIEWING),
    (S.APPLIED, S.OFFER),
    (S.APPLIED, S.HIRED),
    (S.APPLIED, S.NOT_SELECTED),
    (S.APPLIED, S.WITHDRAWN),
    (S.INTERVIEWING, S.OFFER),
    (S.INTERVIEWING, S.HIRED),
    (S.INTERVIEWING, S.NOT_SELECTED),
    (S.INTERVIEWING, S.WITHDRAWN),
    (S.OFFER, S.HIRED),
    (S.OFFER, S.NOT_SELECTED),
    (S.OFFER, S.WITHDRAWN),
}


@pytest.mark.parametrize("current", list(S))
@pytest.mark.parametrize("new", list(S))
def test_stage_machine_allows_exactly_forward_moves(current, new):
    problem = transition_error(current, new)
    if (current, new) in ALLOWED:
        assert problem is None
    else:
        assert problem, f"{current} -> {new} should be refused"


def test_refusals_say_why():
    assert transition_error(S.HIRED, S.APPLIED) == (
        "This referral is closed (hired); it cannot move to “applied”."
    )
    assert transition_error(S.INTERVIEWING, S.APPLIED) == (
        "A referral at “interviewing” cannot go back to “applied”."
    )
    assert transition_error(S.OFFER, S.OFFER) == "This referral is already at “offer”."
    assert transition_error(S.NOT_SELECTED, S.HIRED).startswith("This referral is closed")


def test_closed_stages_are_the_three_endings():
    assert {S.HIRED, S.NOT_SELECTED, S.WITHDRAWN} == CLOSED_STAGES


# -- due dates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 8, 31), 6, date(2026, 2, 28)),  # month end, common year
        (date(2023, 8, 31), 6, date(2024, 2, 29)),  # month end, leap year
        (date(2024, 2, 29), 12, date(2025, 2, 28)),  # leap day, a year on
        (date(2024, 8, 30), 6, date(2025, 2, 28)),
        (date(2025, 3, 31), 6, date(2025, 9, 30)),  # 31st into a 30-day month
        (date(2025, 5, 31), 6, date(2025, 11, 30)),
        (date(2025, 7, 15), 6, date(2026, 1, 15)),  # across the year
        (date(2025, 12, 31), 12, date(2026, 12, 31)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
    ],
)
def test_add_months_clamps_to_month_end(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("exit_date", "q2", "q4"),
    [
        # Exit in Q1 (Jan-Mar): Q2 after exit is Jul-Sep, Q4 the next Jan-Mar.
        (date(2025, 1, 1), date(2025, 9, 30), date(2026, 3, 31)),
        (date(2025, 3, 31), date(2025, 9, 30), date(2026, 3, 31)),
        # A day later, Q2 (Apr-Jun): everything moves a quarter.
        (date(2025, 4, 1), date(2025, 12, 31), date(2026, 6, 30)),
        (date(2025, 6, 30), date(2025, 12, 31), date(2026, 6, 30)),
        (date(2025, 7, 1), date(2026, 3, 31), date(2026, 9, 30)),
        (date(2025, 9, 30), date(2026, 3, 31), date(2026, 9, 30)),
        # Q4 exits land in the next year and the year after.
        (date(2025, 10, 1), date(2026, 6, 30), date(2026, 12, 31)),
        (date(2025, 12, 31), date(2026, 6, 30), date(2026, 12, 31)),
    ],
)
def test_quarters_after_exit_follow_wioa(exit_date, q2, q4):
    assert quarter_end_after(exit_date, 2) == q2
    assert quarter_end_after(exit_date, 4) == q4
    assert follow_up_due(FollowUpKind.Q2, exit_date) == q2
    assert follow_up_due(FollowUpKind.Q4, exit_date) == q4


def test_six_and_twelve_months_from_the_cohort_end():
    assert follow_up_due(FollowUpKind.SIX_MONTHS, date(2025, 8, 31)) == date(2026, 2, 28)
    assert follow_up_due(FollowUpKind.TWELVE_MONTHS, date(2025, 8, 31)) == date(2026, 8, 31)


# -- creating the tasks ------------------------------------------------------------------


def _graduate_on(factory, rf, end: date):
    cohort = factory.cohort(
        status=CohortStatus.COMPLETED, start_date=end - timedelta(weeks=16), end_date=end
    )
    return rf.graduate(cohort)


def test_ensure_followups_creates_four_tasks_per_graduate_once(factory, rf, db):
    grad = _graduate_on(factory, rf, date(2025, 8, 31))
    enrolled = rf.enrolled(factory.cohort())
    assert services.ensure_followups([grad, enrolled]) == 4
    rows = db.session.scalars(db.select(FollowUp).order_by(FollowUp.due_date)).all()
    assert [(f.kind, f.due_date) for f in rows] == [
        (FollowUpKind.SIX_MONTHS, date(2026, 2, 28)),
        (FollowUpKind.Q2, date(2026, 3, 31)),
        (FollowUpKind.TWELVE_MONTHS, date(2026, 8, 31)),
        (FollowUpKind.Q4, date(2026, 9, 30)),
    ]
    assert {f.participant_id for f in rows} == {grad.user_id}
    assert {f.cohort_id for f in rows} == {grad.cohort_id}
    # Idempotent: a second call (and one with a task missing) adds only what lacks.
    assert services.ensure_followups([grad]) == 0
    db.session.delete(rows[0])
    db.session.flush()
    assert services.ensure_followups([grad]) == 1
    assert db.session.scalar(db.select(db.func.count(FollowUp.id))) == 4


def test_only_graduates_get_follow_ups(factory, rf, db):
    cohort = factory.cohort()
    people = [rf.enrolled(cohort, stage=s) for s in (Stage.ENROLLED, Stage.WITHDRAWN)]
    assert services.ensure_followups(people) == 0
    assert db.session.scalar(db.select(db.func.count(FollowUp.id))) == 0


def test_follow_up_kind_is_unique_per_enrollment(factory, rf, db):
    from sqlalchemy.exc import IntegrityError

    grad = _graduate_on(factory, rf, date(2025, 3, 31))
    services.ensure_followups([grad])
    db.session.add(
        FollowUp(
            enrollment_id=grad.id,
            participant_id=grad.user_id,
            cohort_id=grad.cohort_id,
            kind=FollowUpKind.Q2,
            due_date=date(2025, 9, 30),
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_cli_creates_follow_ups_idempotently(app, factory, rf, db):
    grads = [_graduate_on(factory, rf, date(2025, 6, 30)) for _ in range(3)]
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["referrals", "create-followups"])
    assert result.exit_code == 0, result.output
    assert "Created 12 follow-up tasks." in result.output
    result = runner.invoke(args=["referrals", "create-followups"])
    assert "Created 0 follow-up tasks." in result.output
    count = db.session.scalar(
        db.select(db.func.count(FollowUp.id)).where(
            FollowUp.enrollment_id.in_([g.id for g in grads])
        )
    )
    assert count == 12


def test_follow_up_state_by_date(factory, rf, db):
    grad = _graduate_on(factory, rf, date(2025, 8, 31))
    services.ensure_followups([grad])
    six = db.session.scalar(db.select(FollowUp).where(FollowUp.kind == FollowUpKind.SIX_MONTHS))
    assert six.state(date(2026, 3, 1)) == "overdue"
    assert six.state(date(2026, 2, 28)) == "due"
    assert six.state(date(2025, 11, 30)) == "due"  # 90 days before
    assert six.state(date(2025, 11, 29)) == "upcoming"


def test_follow_up_lists_by_date_in_sql(factory, rf, login_as):
    """The staff lists put each task in one bucket, on the same boundaries as the model."""
    from coop.referrals import queries
    from coop.referrals.models import FollowUp as F

    grad = _graduate_on(factory, rf, date(2025, 8, 31))
    services.ensure_followups([grad])
    staff = login_as("staff")

    def kinds(when, on):
        rows = db.session.scalars(queries.follow_up_list(staff, when, None, on)).all()
        return sorted(f.kind.value for f in rows if f.enrollment_id == grad.id)

    # 6m due Feb 28 2026, Q2 Mar 31 2026, 12m Aug 31 2026, Q4 Sep 30 2026.
    on = date(2026, 3, 1)
    assert kinds("overdue", on) == ["6m"]
    assert kinds("due", on) == ["q2"]  # within 90 days: up to May 30
    assert kinds("upcoming", on) == ["12m", "q4"]
    assert kinds("open", on) == ["12m", "6m", "q2", "q4"]
    for when in ("overdue", "due", "upcoming"):
        for f in db.session.scalars(queries.follow_up_list(staff, when, None, on)):
            assert f.state(on) == when
    # On its date a task is due, not overdue; the day after, overdue.
    assert kinds("due", date(2026, 2, 28)) == ["6m", "q2"]
    assert kinds("overdue", date(2026, 2, 28)) == []
    # Closed ones leave the open buckets.
    six = db.session.scalar(db.select(F).where(F.enrollment_id == grad.id, F.kind == "6m"))
    services.close_follow_up(six, staff, "unemployed")
    assert kinds("overdue", on) == [] and kinds("closed", on) == ["6m"]
    summary = queries.follow_up_summary(staff, on)
    city_id = db.session.scalar(db.select(Cohort.city_id).where(Cohort.id == grad.cohort_id))
    assert [(row.overdue, row.due) for row in summary if row.id == city_id] == [(0, 1)]
