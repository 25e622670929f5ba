"""A small hand-computed data set for the outcomes dashboard.

Every number the tests expect is worked out by hand in the comments of ``outcome_data``.
"Now" is fixed at ``NOW`` (figures that depend on the date get it passed in).
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import pytest

from coop.auth.models import Role, User
from coop.coaching.models import AlumniCaptain, Channel, CheckIn
from coop.enrollment import history
from coop.enrollment.models import Enrollment, EnrollmentEvent, Stage
from coop.extensions import db
from coop.programs.models import Cohort, CohortStatus, PartnerKind
from coop.referrals.models import (
    EmploymentStatus,
    FollowUp,
    FollowUpKind,
    Placement,
    Referral,
    ReferralEvent,
    ReferralStage,
)
from coop.sessions import tallies
from coop.sessions.models import Attendance, AttendanceStatus, SessionStatus, VirtualSession

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
TODAY = NOW.date()


@dataclass
class OutcomeData:
    cities: dict = field(default_factory=dict)
    tracks: dict = field(default_factory=dict)
    cohorts: dict[str, Cohort] = field(default_factory=dict)
    people: dict[str, User] = field(default_factory=dict)
    enrollments: dict[str, Enrollment] = field(default_factory=dict)


class Builder:
    """Small helpers over the other domains' models (their rows, made directly)."""

    def __init__(self, factory):
        self.factory = factory
        self.data = OutcomeData()
        self.captain = factory.user(Role.CAPTAIN, name="Cap Tain")
        self.partner = factory.partner(kind=PartnerKind.EMPLOYER)

    def person(self, key, intake=None) -> User:
        user = self.factory.user(Role.PARTICIPANT, name=f"Person {key}")
        user.profile.intake_salary = intake
        self.data.people[key] = user
        return user

    def enroll(self, key, cohort_key, stage, path=(), band=None, referred_by=None, intake=None):
        """Enroll person ``key`` (made if new) at ``stage``; ``path`` is the history
        of stages it went through, written as enrollment events."""
        user = self.data.people.get(key) or self.person(key, intake)
        e = Enrollment(
            cohort=self.data.cohorts[cohort_key],
            user=user,
            stage=stage,
            salary_band=band,
            referred_by_id=referred_by.id if referred_by else None,
            # What the events below say, as the services write it with each event.
            **history.marks_of(zip((None, *path), path, strict=False)),
        )
        db.session.add(e)
        db.session.flush()
        previous = None
        for step in path:
            db.session.add(EnrollmentEvent(enrollment_id=e.id, from_stage=previous, to_stage=step))
            previous = step
        self.data.enrollments[f"{key}@{cohort_key}"] = e
        return e

    def session(self, cohort_key, start: datetime, status=SessionStatus.SCHEDULED, minutes=120):
        s = VirtualSession(
            cohort=self.data.cohorts[cohort_key],
            title="Session",
            starts_at=start,
            duration_minutes=minutes,
            local_date=start.date(),
            local_time=start.time(),
            status=status,
        )
        db.session.add(s)
        db.session.flush()
        return s

    def attend(self, session, key, status):
        db.session.add(
            Attendance(
                session_id=session.id,
                participant_id=self.data.people[key].id,
                status=status,
            )
        )
        db.session.flush()
        tallies.refresh(session_ids=[session.id])  # as the services that record attendance do

    def checkin(self, cohort_key, key, held_on, flag=False, resolved=False):
        db.session.add(
            CheckIn(
                cohort_id=self.data.cohorts[cohort_key].id,
                participant_id=self.data.people[key].id,
                author_id=self.captain.id,
                held_on=held_on,
                channel=Channel.VIDEO,
                minutes=30,
                needs_attention=flag,
                resolved_at=NOW - timedelta(days=1) if resolved else None,
            )
        )

    def placement(self, key, start, salary, career_track=True, verified=True):
        db.session.add(
            Placement(
                participant_id=self.data.people[key].id,
                employer_name="Employer Co",
                title="Analyst",
                start_date=start,
                salary=salary,
                career_track=career_track,
                verified_at=NOW - timedelta(days=30) if verified else None,
            )
        )

    def follow_up(self, key, cohort_key, kind, status, closed=True):
        e = self.data.enrollments[f"{key}@{cohort_key}"]
        db.session.add(
            FollowUp(
                enrollment_id=e.id,
                participant_id=e.user_id,
                cohort_id=e.cohort_id,
                kind=kind,
                due_date=TODAY - timedelta(days=10),
                status=status if closed else None,
                closed_at=NOW - timedelta(days=5) if closed else None,
            )
        )

    def referral(self, key, cohort_key, stage, path):
        r = Referral(
            referrer_id=self.captain.id,
            participant_id=self.data.people[key].id,
            cohort_id=self.data.cohorts[cohort_key].id,
            partner_id=self.partner.id,
            stage=stage,
        )
        db.session.add(r)
        db.session.flush()
        previous = None
        for step in path:
            db.session.add(ReferralEvent(referral_id=r.id, from_stage=previous, to_stage=step))
            previous = step
        return r

    def appoint(self, key, cohort_key, stepped_down=False):
        db.session.add(
            AlumniCaptain(
                user_id=self.data.people[key].id,
                graduated_from_id=self.data.cohorts[cohort_key].id,
                stepped_down_at=NOW - timedelta(days=60) if stepped_down else None,
            )
        )


def at(day: date, hh=22, mm=30) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=UTC)


A, AC, W, D, E, G, X = (
    Stage.APPLIED,
    Stage.ACCEPTED,
    Stage.WAITLISTED,
    Stage.DECLINED,
    Stage.ENROLLED,
    Stage.GRADUATED,
    Stage.WITHDRAWN,
)


@pytest.fixture
def outcome_data(factory) -> OutcomeData:
    """Two cities, four cohorts; the figures each part adds up to are in the comments,
    and in ``tests/reports/test_reports_figures.py``."""
    b = Builder(factory)
    d = b.data
    d.cities = {"alpha": factory.city(name="Alpha"), "beta": factory.city(name="Beta")}
    d.tracks = {"dm": factory.track(name="Marketing"), "da": factory.track(name="Analytics")}

    def cohort(key, city, track, start, end, status):
        d.cohorts[key] = factory.cohort(
            city=d.cities[city],
            track=d.tracks[track],
            name=f"Cohort {key}",
            start_date=start,
            end_date=end,
            status=status,
        )

    cohort("A1", "alpha", "dm", date(2024, 9, 1), date(2024, 12, 20), CohortStatus.COMPLETED)
    cohort("A2", "alpha", "da", date(2026, 4, 1), date(2026, 7, 22), CohortStatus.ACTIVE)
    cohort("B1", "beta", "dm", date(2025, 1, 10), date(2025, 5, 1), CohortStatus.COMPLETED)
    cohort("B2", "beta", "da", date(2025, 9, 1), date(2025, 12, 22), CohortStatus.COMPLETED)

    # -- enrollments --------------------------------------------------------------------
    # A1: 8 graduated, 2 withdrew after enrolling, 1 withdrew as an applicant, 1 declined
    # after being accepted, 1 declined straight away, 1 still waitlisted.
    # applicants 14, accepted 11, enrolled 10, graduated 8, withdrawn 2, completion 8/10.
    intakes = {"g1": 30000, "g2": 32000, "g3": None, "g5": 28000, "g6": 0, "g7": 36000}
    for i in range(1, 9):
        key = f"g{i}"
        b.enroll(
            key,
            "A1",
            G,
            path=(A, AC, E, G),
            band="35-45k" if key == "g3" else None,
            intake=intakes.get(key, 31000),
        )
    b.enroll("w1", "A1", X, path=(A, AC, E, X))
    b.enroll("w2", "A1", X, path=(A, E, X))
    b.enroll("w3", "A1", X, path=(A, X))
    b.enroll("d1", "A1", D, path=(A, AC, D))
    b.enroll("d2", "A1", D, path=(A, D))
    b.enroll("wl1", "A1", W, path=(A, W))
    # B1: 5 graduated (no history recorded at all), 1 withdrawn with no history (counts
    # as leaving the program), 1 declined. applicants 7, accepted 6, enrolled 6,
    # graduated 5, withdrawn 1, completion 5/6.
    for i, intake in enumerate([31000, None, 33000, 34000, 35000], start=1):
        b.enroll(f"h{i}", "B1", G, intake=intake)
    b.enroll("hw", "B1", X)
    b.enroll("hd", "B1", D, path=(A, D))
    # B2: 3 graduated, 1 withdrew as an applicant. applicants 4, accepted 3, enrolled 3.
    for i in range(1, 4):
        b.enroll(f"k{i}", "B2", G, path=(A, E, G), intake=29000 if i == 1 else 30000)
    b.enroll("kw", "B2", X, path=(A, X), referred_by=d.people["g1"])
    # A2 (active): 6 enrolled (p1, p2 referred by alumni), 2 applied (one of them h5,
    # a B1 graduate: counted once in the totals), 1 waitlisted.
    # applicants 9, accepted 6, enrolled 6.
    for i in range(1, 7):
        b.enroll(f"p{i}", "A2", E, path=(A, E), referred_by=d.people["g2"] if i <= 2 else None)
    b.enroll("q1", "A2", A, path=(A,))
    b.enroll("h5", "A2", A, path=(A,))
    b.enroll("q2", "A2", W, path=(A, W))
    # Totals: applicants 14 + 9 + 7 + 4 - 1 (h5 twice) = 33; accepted 11+6+6+3 = 26;
    # enrolled 10+6+6+3 = 25; graduated 16; withdrawn 3; completion 16/19;
    # referred by alumni: p1, p2, kw = 3.

    # -- attendance (now 2026-06-15 12:00 UTC) -----------------------------------------
    # A2: 2 sessions held (one cancelled, one still running, one future).
    # Members (enrolled or graduated) 6, so 12 person-sessions; attended 5 + 3 = 8.
    s1 = b.session("A2", at(date(2026, 4, 7)))
    s2 = b.session("A2", at(date(2026, 4, 9)))
    s3 = b.session("A2", at(date(2026, 4, 14)), status=SessionStatus.CANCELLED)
    s4 = b.session("A2", datetime(2026, 6, 15, 11, 0, tzinfo=UTC))  # ends 13:00, running
    s5 = b.session("A2", at(date(2026, 6, 20)))
    for key, status in [
        ("p1", AttendanceStatus.PRESENT),
        ("p2", AttendanceStatus.PRESENT),
        ("p3", AttendanceStatus.PRESENT),
        ("p4", AttendanceStatus.PRESENT),
        ("p5", AttendanceStatus.LATE),
        ("p6", AttendanceStatus.ABSENT),
        ("q1", AttendanceStatus.PRESENT),  # an applicant, not a member: ignored
    ]:
        b.attend(s1, key, status)
    for key, status in [
        ("p1", AttendanceStatus.PRESENT),
        ("p2", AttendanceStatus.PRESENT),
        ("p3", AttendanceStatus.PRESENT),
        ("p4", AttendanceStatus.EXCUSED),
    ]:
        b.attend(s2, key, status)
    b.attend(s3, "p1", AttendanceStatus.PRESENT)  # cancelled: ignored
    b.attend(s4, "p1", AttendanceStatus.PRESENT)  # not over yet: ignored
    b.attend(s5, "p2", AttendanceStatus.PRESENT)  # future: ignored
    # A1: 1 session held, 8 members (the graduates; withdrawn are not members): 7 of 8.
    a1s = b.session("A1", at(date(2024, 9, 3)))
    for i in range(1, 9):
        b.attend(a1s, f"g{i}", AttendanceStatus.ABSENT if i == 8 else AttendanceStatus.PRESENT)
    b.attend(a1s, "w1", AttendanceStatus.PRESENT)  # withdrawn: not a member, ignored
    # B1, B2: members but no sessions held: nothing possible, and they do not count.
    # Total 15 / 20, resting on 6 + 8 = 14 people.

    # -- check-ins (today 2026-06-15, the last 14 days start 2026-06-01) ----------------
    # Active cohort A2, 6 enrolled: covered p1, p2 (on the boundary), p4 = 3 of 6.
    # Open flags: p4 (recent), p3 (old) = 2. p5's flag is resolved.
    b.checkin("A2", "p1", date(2026, 6, 10))
    b.checkin("A2", "p2", date(2026, 6, 1))
    b.checkin("A2", "p3", date(2026, 5, 31))
    b.checkin("A2", "p3", date(2026, 5, 2), flag=True)
    b.checkin("A2", "p4", date(2026, 6, 12), flag=True)
    b.checkin("A2", "p5", date(2026, 5, 1), flag=True, resolved=True)
    b.checkin("A1", "g1", date(2026, 6, 14), flag=True)  # completed cohort: ignored

    # -- placements ---------------------------------------------------------------------
    # A1 ends 2024-12-20: its 12 months end 2025-12-20 (over). Overcame: g1, g2 (on the
    # deadline), g6 (during the program), g7 (second placement) = 4 of 8.
    b.placement("g1", date(2025, 3, 1), 60000)
    b.placement("g2", date(2025, 12, 20), 52000)
    b.placement("g3", date(2025, 12, 21), 70000)  # a day late
    b.placement("g4", date(2025, 2, 1), 65000, verified=False)  # not verified
    b.placement("g5", date(2025, 1, 15), 40000, career_track=False)
    b.placement("g6", date(2024, 11, 1), 58000)
    b.placement("g7", date(2025, 2, 1), 38000, career_track=False)
    b.placement("g7", date(2025, 6, 1), 62000)
    # B1 ends 2025-05-01, 12 months over on 2026-05-01: h1, h2 = 2 of 5.
    b.placement("h1", date(2025, 6, 1), 55000)
    b.placement("h2", date(2026, 4, 30), 50000)
    # B2 ends 2025-12-22: its 12 months are not over; nobody eligible yet.
    b.placement("k1", date(2026, 2, 1), 57000)
    # A2's p1 is not a graduate: ignored everywhere.
    b.placement("p1", date(2026, 5, 1), 99000)
    # Totals: 6 of 13.
    #
    # Salaries (first verified placement; intake from the profile, else the band):
    # A1: 38000, 40000, 52000, 58000, 60000, 70000 -> 55000 (n 6);
    #     intake 0, 28000, 30000, 32000, 36000, 40000 (g3's band) -> 31000 (n 6).
    # B1: 50000, 55000 (n 2, withheld); intake h1 31000 only (n 1).
    # B2: 57000 (n 1); intake 29000 (n 1).
    # Total: 9 placed -> 55000; intake 8 -> (30000 + 31000) / 2 = 30500.

    # -- follow-ups ---------------------------------------------------------------------
    # A1 Q2: reached g1, g2, g3, g5 (g4 unreachable, g6 open) = 4, employed g1, g2 = 2.
    # A1 Q4: reached g1, g2, g3, g4, g5 = 5, employed g1, g2, g3, g5 = 4.
    # B1 Q2: reached 5, employed h1, h3, h4, h5 = 4. Totals Q2 6 / 9, Q4 4 / 5.
    fu = FollowUpKind
    es = EmploymentStatus
    for key, status in [
        ("g1", es.CAREER_TRACK),
        ("g2", es.EMPLOYED_OTHER),
        ("g3", es.UNEMPLOYED),
        ("g4", es.UNREACHABLE),
        ("g5", es.IN_EDUCATION),
    ]:
        b.follow_up(key, "A1", fu.Q2, status)
    b.follow_up("g6", "A1", fu.Q2, None, closed=False)
    for key, status in [
        ("g1", es.CAREER_TRACK),
        ("g2", es.CAREER_TRACK),
        ("g3", es.EMPLOYED_OTHER),
        ("g4", es.UNEMPLOYED),
        ("g5", es.CAREER_TRACK),
        ("g7", es.UNREACHABLE),
    ]:
        b.follow_up(key, "A1", fu.Q4, status)
    for key, status in [
        ("h1", es.CAREER_TRACK),
        ("h2", es.UNEMPLOYED),
        ("h3", es.EMPLOYED_OTHER),
        ("h4", es.CAREER_TRACK),
        ("h5", es.CAREER_TRACK),
    ]:
        b.follow_up(key, "B1", fu.Q2, status)
    b.follow_up("h1", "B1", fu.SIX_MONTHS, es.CAREER_TRACK)  # not a quarter: ignored

    # -- referrals ----------------------------------------------------------------------
    # A1: 7 referrals of 6 people; interviews r1, r2, r5, r6, r7 = 5; hires r1, r7 = 2.
    rs = ReferralStage
    b.referral("g1", "A1", rs.HIRED, (rs.REFERRED, rs.APPLIED, rs.INTERVIEWING, rs.OFFER, rs.HIRED))
    b.referral("g2", "A1", rs.NOT_SELECTED, (rs.REFERRED, rs.INTERVIEWING, rs.NOT_SELECTED))
    b.referral("g3", "A1", rs.NOT_SELECTED, (rs.REFERRED, rs.APPLIED, rs.NOT_SELECTED))
    b.referral("g3", "A1", rs.WITHDRAWN, (rs.REFERRED, rs.WITHDRAWN))
    b.referral("g4", "A1", rs.INTERVIEWING, (rs.REFERRED, rs.INTERVIEWING))
    b.referral("g5", "A1", rs.OFFER, (rs.REFERRED, rs.OFFER))
    b.referral("g6", "A1", rs.HIRED, (rs.REFERRED, rs.APPLIED, rs.HIRED))
    # A2: 2 referrals of 2 people, no interviews yet. Totals 9 of 8 people, 5, 2.
    b.referral("p1", "A2", rs.REFERRED, (rs.REFERRED,))
    b.referral("p2", "A2", rs.APPLIED, (rs.REFERRED, rs.APPLIED))

    # -- alumni captains ----------------------------------------------------------------
    # A1: g1, and g2 twice (stepped down, appointed again) = 2 people; B1: h1 = 1.
    b.appoint("g1", "A1")
    b.appoint("g2", "A1", stepped_down=True)
    b.appoint("g2", "A1")
    b.appoint("h1", "B1")
    db.session.flush()
    return d
