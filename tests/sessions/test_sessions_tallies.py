"""Attendance tallies (``coop.sessions.tallies``): what the outcomes dashboard sums for
attendance. Each change to attendance or to a cohort's members recounts them in its own
transaction; the suite also checks every tally after every test (``tests/conftest.py``)."""

import sqlalchemy as sa

from coop.auth.models import Role
from coop.coaching import services as coaching_services
from coop.enrollment import roster
from coop.enrollment import services as enrollment_services
from coop.enrollment.models import Enrollment, Stage
from coop.extensions import db
from coop.programs.models import CohortStatus
from coop.reports import queries
from coop.sessions import services, tallies
from coop.sessions.models import Attendance, AttendanceStatus, VirtualSession


def tally(session) -> int:
    return db.session.scalar(
        sa.select(VirtualSession.members_attended).where(VirtualSession.id == session.id)
    )


def dashboard_attended(cohort) -> int:
    """The dashboard's "attended" for the cohort, as its query computes it."""
    from coop.programs.models import Cohort

    scope = sa.select(Cohort.id).where(Cohort.id == cohort.id)
    return queries.attendance(scope, services.utcnow())[cohort.id]["attended"]


def test_roll_call_counts_present_and_late_members(build, factory):
    cohort = build.cohort()
    ana, ben, cleo, dev = build.participants(cohort, 4)
    staff = factory.user(Role.STAFF)
    session = build.session(cohort, hours_from_now=-3)
    allowed = [p.id for p in (ana, ben, cleo, dev)]
    marks = {ana.id: "present", ben.id: "late", cleo.id: "absent", dev.id: "excused"}

    services.record_roll_call(session, marks, allowed_ids=allowed, actor=staff)
    assert tally(session) == 2
    assert dashboard_attended(cohort) == 2

    services.record_roll_call(
        session, {ben.id: "absent", cleo.id: "present"}, allowed_ids=allowed, actor=staff
    )
    assert tally(session) == 2  # Ben no longer, Cleo now
    services.record_roll_call(session, {ana.id: "absent"}, allowed_ids=allowed, actor=staff)
    assert tally(session) == 1
    assert dashboard_attended(cohort) == 1
    assert tallies.stale() == []


def test_leaving_the_cohort_takes_attendance_out_of_the_tally(build, factory):
    cohort = build.cohort()
    ana, ben = build.participants(cohort, 2)
    staff = factory.user(Role.STAFF)
    first = build.session(cohort, hours_from_now=-50)
    second = build.session(cohort, hours_from_now=-3)
    for s in (first, second):
        services.record_roll_call(
            s, {ana.id: "present", ben.id: "present"}, allowed_ids=[ana.id, ben.id], actor=staff
        )
    assert (tally(first), tally(second)) == (2, 2)

    ben_enrollment = db.session.scalar(sa.select(Enrollment).where(Enrollment.user_id == ben.id))
    enrollment_services.withdraw(ben_enrollment, staff, "Moved away")

    assert (tally(first), tally(second)) == (1, 1)
    assert dashboard_attended(cohort) == 2
    # Graduating keeps a member a member: nothing changes.
    ana_enrollment = db.session.scalar(sa.select(Enrollment).where(Enrollment.user_id == ana.id))
    enrollment_services._move(ana_enrollment, Stage.GRADUATED, staff)
    assert (tally(first), tally(second)) == (1, 1)


def test_joining_the_cohort_brings_earlier_attendance_in(app, build, factory):
    """Attendance recorded for someone before they are a member (a meeting-report row
    matched by hand, say) counts once the roster import enrolls them."""
    cohort = build.cohort(status=CohortStatus.RECRUITING, capacity=16)
    staff = factory.user(Role.STAFF)
    newcomer = factory.user(Role.PARTICIPANT, email="newcomer@example.org", name="New Comer")
    session = build.session(cohort, hours_from_now=-3)
    build.attendance(session, newcomer, "present")
    assert tally(session) == 0  # not a member yet

    plan = roster.plan(cohort, roster.parse(b"email,name\nnewcomer@example.org,New Comer\n"))
    with app.test_request_context():  # the welcome email links to the app
        roster.import_roster(cohort, plan, staff)

    assert tally(session) == 1


def test_recording_an_earlier_graduate_counts_their_attendance(build, factory):
    cohort = build.cohort(status=CohortStatus.COMPLETED)
    staff = factory.user(Role.STAFF)
    alumna = factory.user(Role.PARTICIPANT, email="alumna@example.org")
    session = build.session(cohort, hours_from_now=-400)
    build.attendance(session, alumna, "late")
    assert tally(session) == 0

    coaching_services.import_alumnus(
        email="alumna@example.org", name=alumna.name, cohort=cohort, actor=staff
    )

    assert tally(session) == 1


def test_stale_finds_a_tally_changed_behind_the_services_and_recount_fixes_it(app, build, factory):
    cohort = build.cohort()
    (ana,) = build.participants(cohort, 1)
    session = build.session(cohort, hours_from_now=-3)
    build.attendance(session, ana, "present")
    # Someone edits the attendance by hand in SQL: the tally no longer matches.
    db.session.execute(
        sa.update(Attendance)
        .where(Attendance.session_id == session.id)
        .values(status=AttendanceStatus.ABSENT)
    )
    assert tallies.stale() == [(session.id, 1, 0)]

    result = app.test_cli_runner().invoke(args=["sessions", "recount-attendance"])

    assert result.exit_code == 0, result.output
    assert "1 had a wrong tally" in result.output
    assert tallies.stale() == []
    assert tally(session) == 0


def test_placing_applicants_in_a_cohort_counts_their_earlier_attendance(
    client, login_as, build, factory
):
    from datetime import timedelta

    from coop.core import clock
    from coop.programs.cloning import term_of

    start = clock.today_in("America/New_York") + timedelta(weeks=6)
    city = factory.city(timezone="America/New_York")
    track = factory.track()
    cohort = factory.cohort(
        city=city,
        track=track,
        status=CohortStatus.RECRUITING,
        start_date=start,
        capacity=2,
        meeting_days="tue,thu",
    )
    app_ = factory.program_application(
        city=city, track=track, start_term=term_of(start), evenings="tue,thu"
    )
    session = build.session(cohort, hours_from_now=-3)  # an info session, say
    build.attendance(session, app_.user, "present")
    db.session.commit()
    assert tally(session) == 0
    login_as("staff")

    reply = client.post("/program-applications/place", data={"choices": [], "all": "1"})

    assert reply.status_code == 302
    assert db.session.scalar(sa.select(Enrollment.stage)) == Stage.ENROLLED
    assert tally(session) == 1


def test_a_recount_is_not_a_change_to_the_session(build):
    """Calendar clients replace a session when its SEQUENCE or LAST-MODIFIED moves: a
    recount of its attendance moves neither."""
    cohort = build.cohort()
    (ana,) = build.participants(cohort, 1)
    session = build.session(cohort, hours_from_now=-3)
    before = db.session.execute(
        sa.select(VirtualSession.updated_at, VirtualSession.sequence).where(
            VirtualSession.id == session.id
        )
    ).one()

    build.attendance(session, ana, "present")  # recounts, as the services do

    assert tally(session) == 1
    after = db.session.execute(
        sa.select(VirtualSession.updated_at, VirtualSession.sequence).where(
            VirtualSession.id == session.id
        )
    ).one()
    assert after == before
