"""Importing video-meeting participant reports (the samples in tests/sessions/data)."""

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from coop.extensions import db
from coop.sessions import meeting_reports, services
from coop.sessions.meeting_reports import ReportError
from coop.sessions.models import (
    Attendance,
    AttendanceStatus,
    MeetingReportImport,
    MeetingReportRow,
)

DATA = Path(__file__).parent / "data"
WITH_MEETING = (DATA / "meeting-report-with-meeting-data.csv").read_bytes()
PARTICIPANTS_ONLY = (DATA / "meeting-report-participants-only.csv").read_bytes()


@pytest.fixture
def chicago(build, factory):
    """The Chicago cohort of the samples: Ana, Marcus and Tomás enrolled; Kim in another
    cohort; sessions on 9 and 10 March 2026 at 18:30 (three hours)."""
    cohort = build.cohort("America/Chicago")
    people = {}
    for key, email, name in [
        ("ana", "ana.lopez@example.org", "Ana Lopez"),
        ("marcus", "marcus.reed@example.org", "Marcus Reed"),
        ("tomas", "tomas.diaz@example.org", "Tomás Díaz"),
    ]:
        people[key] = factory.user("participant", email=email, name=name)
        factory.enrollment(cohort=cohort, user=people[key])
    people["kim"] = factory.user("participant", email="jaewon.kim@example.org")
    factory.enrollment(cohort=build.cohort(), user=people["kim"])
    people["captain"], _ = build.captain(cohort, email="host@program.example")
    mon = build.local_session(cohort, 2026, 3, 9, duration=180)
    tue = build.local_session(cohort, 2026, 3, 10, duration=180)
    return cohort, people, mon, tue


def attendance(session):
    return {
        a.participant_id: (a.status, a.minutes)
        for a in db.session.scalars(
            db.select(Attendance).where(Attendance.session_id == session.id)
        )
    }


def table_counts():
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(m))
        for m in (Attendance, MeetingReportImport, MeetingReportRow)
    )


def test_report_with_meeting_data(chicago, factory):
    cohort, people, mon, _ = chicago
    staff = factory.user("staff")
    entry = services.import_meeting_report(
        mon, cohort, WITH_MEETING, filename="week3.csv", zone="America/Chicago", actor=staff
    )
    # Ana dropped and rejoined: 75 + 98 minutes within the session make her present.
    # Marcus (email in capitals) matched but stayed 39 minutes: not marked.
    assert attendance(mon) == {people["ana"].id: (AttendanceStatus.PRESENT, 173)}
    rows = {r.name: r for r in db.session.scalars(db.select(MeetingReportRow))}
    assert set(rows) == {"Ana Lopez", "Marcus Reed", "Priya N", "Kim, Jae-won"}  # no host
    assert rows["Marcus Reed"].participant_id == people["marcus"].id
    assert rows["Marcus Reed"].minutes == 39
    assert rows["Priya N"].participant_id is None and rows["Priya N"].email is None
    assert rows["Kim, Jae-won"].participant_id is None  # someone from another cohort
    assert (entry.people, entry.matched, entry.marked_present) == (4, 2, 1)


def test_participants_only_report(chicago):
    cohort, people, _, tue = chicago
    services.import_meeting_report(
        tue, cohort, PARTICIPANTS_ONLY, filename="tue.csv", zone="America/Chicago"
    )
    assert attendance(tue) == {
        people["ana"].id: (AttendanceStatus.PRESENT, 180),
        people["marcus"].id: (AttendanceStatus.PRESENT, 180),
    }
    tomas = db.session.scalar(
        db.select(MeetingReportRow).where(MeetingReportRow.email == "tomas.diaz@example.org")
    )
    assert tomas.name == "Tomás Díaz" and tomas.minutes == 75
    assert tomas.participant_id == people["tomas"].id


def test_same_report_twice_changes_nothing(chicago):
    cohort, _, mon, tue = chicago
    services.import_meeting_report(
        mon, cohort, WITH_MEETING, filename="a.csv", zone="America/Chicago"
    )
    before = (table_counts(), attendance(mon))
    with pytest.raises(ReportError, match="already imported"):
        services.import_meeting_report(
            mon, cohort, WITH_MEETING, filename="again.csv", zone="America/Chicago"
        )
    assert (table_counts(), attendance(mon)) == before


def test_same_report_twice_through_the_page(client, login_as, chicago):
    cohort, people, mon, _ = chicago
    login_as("staff")

    def upload():
        return client.post(
            f"/sessions/{mon.id}/import",
            data={
                "report": (io.BytesIO(WITH_MEETING), "week3.csv"),
                "timezone": "America/Chicago",
            },
            content_type="multipart/form-data",
        )

    response = upload()
    assert response.status_code == 302
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 of 4 people matched, 1 marked present" in detail
    assert "Priya N" in detail and "Kim, Jae-won" in detail
    before = (table_counts(), attendance(mon))
    response = upload()
    assert response.status_code == 200
    assert "already imported" in response.get_data(as_text=True)
    assert (table_counts(), attendance(mon)) == before


def test_unmatched_rows_are_matched_by_hand(client, login_as, chicago):
    cohort, people, mon, _ = chicago
    entry = services.import_meeting_report(
        mon, cohort, WITH_MEETING, filename="a.csv", zone="America/Chicago"
    )
    priya = db.session.scalar(db.select(MeetingReportRow).where(MeetingReportRow.name == "Priya N"))
    db.session.commit()
    staff = login_as("staff")
    page = client.get(f"/imports/{entry.id}").get_data(as_text=True)
    # Priya was there 175 minutes: the form suggests present.
    assert f'id="row{priya.id}-status"' in page
    response = client.post(
        f"/imports/{entry.id}/rows/{priya.id}/match",
        data={
            f"row{priya.id}-participant": str(people["tomas"].id),
            f"row{priya.id}-status": "present",
        },
    )
    assert response.status_code == 302
    db.session.refresh(priya)
    assert priya.participant_id == people["tomas"].id and priya.matched_by_id == staff.id
    assert attendance(mon)[people["tomas"].id] == (AttendanceStatus.PRESENT, priya.minutes)
    # Someone outside the cohort cannot be chosen; a matched row cannot be matched again.
    kim_row = db.session.scalar(
        db.select(MeetingReportRow).where(MeetingReportRow.email == "jaewon.kim@example.org")
    )
    client.post(
        f"/imports/{entry.id}/rows/{kim_row.id}/match",
        data={
            f"row{kim_row.id}-participant": str(people["kim"].id),
            f"row{kim_row.id}-status": "present",
        },
    )
    assert people["kim"].id not in attendance(mon)
    client.post(
        f"/imports/{entry.id}/rows/{priya.id}/match",
        data={
            f"row{priya.id}-participant": str(people["marcus"].id),
            f"row{priya.id}-status": "present",
        },
    )
    assert people["marcus"].id not in attendance(mon)


def test_roll_call_statuses_other_than_absent_are_kept(chicago, build, factory):
    cohort, people, _, tue = chicago
    build.attendance(tue, people["ana"], "excused")
    build.attendance(tue, people["marcus"], "absent")
    services.import_meeting_report(
        tue, cohort, PARTICIPANTS_ONLY, filename="t.csv", zone="America/Chicago"
    )
    got = attendance(tue)
    assert got[people["ana"].id][0] == AttendanceStatus.EXCUSED
    assert got[people["marcus"].id] == (AttendanceStatus.PRESENT, 180)


def test_report_for_another_time_or_zone_is_refused(chicago):
    cohort, _, mon, tue = chicago
    with pytest.raises(ReportError, match="do not overlap this session"):
        services.import_meeting_report(
            mon, cohort, PARTICIPANTS_ONLY, filename="t.csv", zone="America/Chicago"
        )
    # Read as London time, the meeting would be 12:29-15:31 in Chicago: no overlap.
    with pytest.raises(ReportError, match="do not overlap"):
        services.import_meeting_report(
            tue, cohort, PARTICIPANTS_ONLY, filename="t.csv", zone="Europe/London"
        )
    assert table_counts() == (0, 0, 0)


def test_report_zone_changes_minutes(chicago):
    """Read in New York time the report is an hour earlier: Ana then overlaps the Chicago
    session by about two hours, still present; Tomás by half an hour."""
    cohort, people, _, tue = chicago
    services.import_meeting_report(
        tue, cohort, PARTICIPANTS_ONLY, filename="t.csv", zone="America/New_York"
    )
    assert attendance(tue)[people["ana"].id] == (AttendanceStatus.PRESENT, 121)
    tomas = db.session.scalar(
        db.select(MeetingReportRow).where(MeetingReportRow.email == "tomas.diaz@example.org")
    )
    assert tomas.minutes == 30


def test_encodings_and_byte_order_mark():
    with_bom = b"\xef\xbb\xbf" + PARTICIPANTS_ONLY
    cp1252 = PARTICIPANTS_ONLY.decode("utf-8").encode("cp1252")
    for data in (with_bom, cp1252):
        report = meeting_reports.parse(data)
        assert [r.name for r in report.rows] == ["Ana Lopez", "Marcus Reed", "Tomás Díaz"]
        assert report.rows[0].joined == datetime(2026, 3, 10, 18, 30, 2)


def test_parser_reads_the_meeting_block():
    report = meeting_reports.parse(WITH_MEETING)
    assert report.host_email == "host@program.example"
    assert [r.email for r in report.rows][:3] == [
        "host@program.example",
        "ana.lopez@example.org",
        "ana.lopez@example.org",
    ]
    assert report.rows[3].email == "marcus.reed@example.org"
    assert report.rows[-1].name == "Kim, Jae-won"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"name,email\nAna,ana@example.org\n",
        b"Name,Email,Join Time,Leave Time\n\n\n",
        b"\xff\xfe\x00",
    ],
)
def test_unreadable_files_are_refused(chicago, data):
    cohort, _, mon, _ = chicago
    with pytest.raises(ReportError):
        services.import_meeting_report(mon, cohort, data, filename="x.csv", zone="America/Chicago")
    assert table_counts() == (0, 0, 0)


def test_overlapping_connections_count_once(chicago):
    cohort, people, mon, _ = chicago
    csv = (
        b"Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes)\n"
        b"Marcus Reed,marcus.reed@example.org,03/09/2026 06:30:00 PM,03/09/2026 07:30:00 PM,60\n"
        b"Marcus (phone),Marcus.Reed@example.org,03/09/2026 06:30:00 PM,03/09/2026 07:30:00 PM,60\n"
        b"Marcus Reed,marcus.reed@example.org,03/09/2026 07:20:00 PM,03/09/2026 07:45:00 PM,25\n"
    )
    services.import_meeting_report(mon, cohort, csv, filename="x.csv", zone="America/Chicago")
    # 18:30-19:45 is 75 minutes, under half of 180: matched, not marked.
    row = db.session.scalar(db.select(MeetingReportRow))
    assert row.minutes == 75
    assert attendance(mon) == {}


def test_future_or_cancelled_session_cannot_import(chicago, build):
    cohort, _, mon, _ = chicago
    future = build.session(cohort, hours_from_now=48)
    with pytest.raises(ReportError, match="not started"):
        services.import_meeting_report(future, cohort, WITH_MEETING, filename="x", zone="UTC")
    assert datetime.now(UTC) < future.starts_at
    services.cancel_session(mon, cohort)
    with pytest.raises(ReportError, match="cancelled"):
        services.import_meeting_report(
            mon, cohort, WITH_MEETING, filename="x", zone="America/Chicago"
        )
    assert table_counts() == (0, 0, 0)


def test_same_report_twice_at_once_changes_nothing(chicago, monkeypatch):
    """The other upload committed between our look and our insert: the unique (session,
    file hash) refuses ours and nothing is written (deterministic stand-in for the race)."""
    cohort, people, mon, _ = chicago
    services.import_meeting_report(
        mon, cohort, WITH_MEETING, filename="a.csv", zone="America/Chicago"
    )
    before = (table_counts(), attendance(mon))
    monkeypatch.setattr(services, "_previous_import", lambda session_id, digest: None)
    with pytest.raises(ReportError, match="already imported"):
        services.import_meeting_report(
            mon, cohort, WITH_MEETING, filename="b.csv", zone="America/Chicago"
        )
    assert (table_counts(), attendance(mon)) == before
