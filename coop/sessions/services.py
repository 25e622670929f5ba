"""Every change to sessions and attendance. Services check the rule once, flush, write
the audit event and never commit; the view or command commits."""

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload

from coop.auth.models import Role, User
from coop.coaching.models import CaptainAssignment
from coop.core import events
from coop.core.audit import changed_fields, record
from coop.core.errors import DomainError
from coop.core.links import https_url
from coop.core.timezones import format_local
from coop.db import utcnow
from coop.enrollment.models import Enrollment, Stage
from coop.extensions import db, mail
from coop.programs.models import WEEKDAYS, Cohort
from coop.sessions import meeting_reports, tallies
from coop.sessions.meeting_reports import ReportError
from coop.sessions.models import (
    Attendance,
    AttendanceSource,
    AttendanceStatus,
    CalendarFeed,
    MeetingReportImport,
    MeetingReportRow,
    SessionReminder,
    SessionStatus,
    VirtualSession,
)
from coop.sessions.queries import MEMBER_STAGES

#: Most sessions one generation makes.
MAX_GENERATED = 200


class ScheduleError(DomainError):
    """A scheduling rule was broken; the message is shown to staff."""


class AttendanceError(DomainError):
    """Attendance cannot be recorded as asked."""


# -- time zones -----------------------------------------------------------------------


def cohort_zone(cohort: Cohort) -> str:
    """The zone the cohort meets in: its city's."""
    return cohort.city.timezone


def local_to_utc(day: date, at: time, zone: str) -> datetime:
    """The UTC instant of a wall-clock time in ``zone``.

    Ambiguous times (the repeated hour in autumn) take the first occurrence; times that do
    not exist (the skipped hour in spring) move forward by the gap, as PEP 495 defines.
    """
    local = datetime.combine(day, at, tzinfo=ZoneInfo(zone))
    return local.astimezone(UTC)


def _insert(model):
    """An INSERT for the current database that can skip or update on conflict."""
    dialect = db.session.get_bind().dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert(model)


# -- schedules ------------------------------------------------------------------------


def schedule_dates(
    weekdays: Iterable[str], first: date, count: int | None, until: date | None
) -> list[date]:
    """The dates from ``first`` falling on ``weekdays``, ``count`` of them or up to
    ``until`` (whichever comes first)."""
    wanted = {WEEKDAYS.index(d) for d in weekdays}
    if not wanted:
        raise ScheduleError("Choose at least one weekday.")
    if count is None and until is None:
        raise ScheduleError("Give a number of sessions or an end date.")
    if until is not None and until < first:
        raise ScheduleError("The end date is before the first date.")
    limit = min(count or MAX_GENERATED, MAX_GENERATED)
    out: list[date] = []
    day = first
    while len(out) < limit and (until is None or day <= until):
        if day.weekday() in wanted:
            out.append(day)
        day += timedelta(days=1)
    return out


def generate_sessions(
    cohort: Cohort,
    *,
    weekdays: Iterable[str],
    start_time: time,
    duration_minutes: int,
    first_date: date,
    count: int | None = None,
    end_date: date | None = None,
    title: str = "Session",
    video_link: str | None = None,
    actor=None,
) -> int:
    """Create the cohort's sessions from a meeting pattern; returns how many were made.

    Each session is at ``start_time`` in the cohort's zone on its own date, so it stays at
    the same local time across daylight-saving changes. Dates that already have a session
    at that local time (cancelled ones too) are skipped, so generating again is harmless.
    """
    video_link = _video_link(video_link)
    days = schedule_dates(weekdays, first_date, count, end_date)
    zone = cohort_zone(cohort)
    existing = set(
        db.session.scalars(
            db.select(VirtualSession.local_date).where(
                VirtualSession.cohort_id == cohort.id,
                VirtualSession.local_time == start_time,
                VirtualSession.local_date.in_(days or [first_date]),
            )
        )
    )
    numbered = db.session.scalar(
        db.select(sa.func.count(VirtualSession.id)).where(VirtualSession.cohort_id == cohort.id)
    )
    now = utcnow()
    rows = []
    for day in days:
        if day in existing:
            continue
        numbered += 1
        rows.append(
            {
                "cohort_id": cohort.id,
                "title": f"{title.strip()} {numbered}",
                "starts_at": local_to_utc(day, start_time, zone),
                "duration_minutes": duration_minutes,
                "local_date": day,
                "local_time": start_time,
                "video_link": video_link or None,
                "status": SessionStatus.SCHEDULED,
                "sequence": 0,
                "created_at": now,
                "updated_at": now,
            }
        )
    if rows:
        db.session.execute(sa.insert(VirtualSession), rows)
        record(
            actor,
            "session.generate",
            cohort,
            ["starts_at", "duration_minutes", "title"],
            reason=f"{len(rows)} sessions",
        )
    return len(rows)


#: A generated session's length when nobody said (the generate form's default).
DEFAULT_DURATION = 120


@events.cohort_schedule_wanted.connect
def generate_on_creation(cohort: Cohort, *, actor) -> int:
    """A cohort just created asked for its schedule: one session per meeting day from its
    start to its end date, at its meeting time; how many were made (0 when none fit)."""
    if not (cohort.meeting_day_list and cohort.meeting_time):
        return 0
    cohort = db.session.scalar(  # with its city (its zone), in one query
        db.select(Cohort).options(joinedload(Cohort.city)).where(Cohort.id == cohort.id)
    )
    try:
        return generate_sessions(
            cohort,
            weekdays=cohort.meeting_day_list,
            start_time=cohort.meeting_time,
            duration_minutes=DEFAULT_DURATION,
            first_date=cohort.start_date,
            end_date=cohort.end_date,
            actor=actor,
        )
    except ScheduleError:
        return 0


def _video_link(value: str | None) -> str | None:
    """The session's own video link as saved (None: the cohort's), or ``ScheduleError``."""
    try:
        return https_url(value)
    except ValueError as exc:
        raise ScheduleError(str(exc)) from None


def _check_free(cohort: Cohort, day: date, at: time, exclude_id: int | None = None) -> None:
    stmt = db.select(VirtualSession.id).where(
        VirtualSession.cohort_id == cohort.id,
        VirtualSession.local_date == day,
        VirtualSession.local_time == at,
    )
    if exclude_id is not None:
        stmt = stmt.where(VirtualSession.id != exclude_id)
    if db.session.scalar(stmt) is not None:
        raise ScheduleError("The cohort already has a session at that date and time.")


def add_session(
    cohort: Cohort,
    *,
    title: str,
    local_date: date,
    local_time: time,
    duration_minutes: int,
    agenda: str | None = None,
    video_link: str | None = None,
    actor=None,
) -> VirtualSession:
    """Add one session at a local date and time in the cohort's zone."""
    _check_free(cohort, local_date, local_time)
    video_link = _video_link(video_link)
    session = VirtualSession(
        cohort_id=cohort.id,
        title=title.strip(),
        agenda=(agenda or "").strip() or None,
        local_date=local_date,
        local_time=local_time,
        starts_at=local_to_utc(local_date, local_time, cohort_zone(cohort)),
        duration_minutes=duration_minutes,
        video_link=video_link or None,
    )
    db.session.add(session)
    db.session.flush()
    record(actor, "session.create", session, ["title", "starts_at", "duration_minutes"])
    return session


EDITABLE = ("title", "agenda", "local_date", "local_time", "duration_minutes", "video_link")


def update_session(session: VirtualSession, cohort: Cohort, *, actor=None, **values) -> list[str]:
    """Change a session's details; returns the names of the fields that changed.
    A cancelled session cannot be edited."""
    if session.is_cancelled:
        raise ScheduleError("A cancelled session cannot be edited.")
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    day = values.get("local_date", session.local_date)
    at = values.get("local_time", session.local_time)
    if (day, at) != (session.local_date, session.local_time):
        _check_free(cohort, day, at, exclude_id=session.id)
    if "title" in values and not (values["title"] or "").strip():
        raise ScheduleError("A session needs a title.")
    if "video_link" in values:
        values["video_link"] = _video_link(values["video_link"])
    for name, value in values.items():
        if isinstance(value, str):
            value = value.strip() or None
        setattr(session, name, value)
    session.starts_at = local_to_utc(session.local_date, session.local_time, cohort_zone(cohort))
    changed = changed_fields(session, [*EDITABLE, "starts_at"])
    if changed:
        session.sequence += 1
        db.session.flush()
        record(actor, "session.update", session, changed)
    return changed


def cohort_recipients(cohort_id: int) -> list[User]:
    """Who hears about a cohort's sessions: its enrolled participants and current captains
    (active accounts only), by name."""
    enrolled = db.select(Enrollment.user_id).where(
        Enrollment.cohort_id == cohort_id, Enrollment.stage == Stage.ENROLLED
    )
    captains = db.select(CaptainAssignment.captain_id).where(
        CaptainAssignment.cohort_id == cohort_id, CaptainAssignment.ended_at.is_(None)
    )
    stmt = (
        db.select(User)
        .where(User.active.is_(True), sa.or_(User.id.in_(enrolled), User.id.in_(captains)))
        .order_by(User.name, User.id)
    )
    return list(db.session.scalars(stmt))


def _app_link(endpoint: str, **values) -> str | None:
    """An absolute link to a page, or None where none can be built (a CLI run without
    SERVER_NAME)."""
    try:
        return url_for(endpoint, _external=True, **values)
    except RuntimeError:
        return None


def cancel_session(
    session: VirtualSession, cohort: Cohort, *, actor=None, reason: str | None = None
) -> int:
    """Cancel a session: the row and its attendance stay, it shows as cancelled, and the
    cohort is emailed. Returns how many people were emailed."""
    if session.is_cancelled:
        raise ScheduleError("The session is already cancelled.")
    session.status = SessionStatus.CANCELLED
    session.cancelled_at = utcnow()
    session.sequence += 1
    db.session.flush()
    record(actor, "session.cancel", session, ["status"], reason=reason or None)
    zone = cohort_zone(cohort)
    when = format_local(session.starts_at, zone)
    people = cohort_recipients(cohort.id)
    for person in people:
        lines = [
            f"Hello {person.name},",
            "",
            f"The session “{session.title}” of {cohort.name} on {when} is cancelled.",
        ]
        if person.timezone and person.timezone != zone:
            lines.append(f"(That is {format_local(session.starts_at, person.timezone)} your time.)")
        if reason:
            lines += ["", f"Reason: {reason}"]
        mail.send(person.email, f"Cancelled: {session.title} ({cohort.name})", "\n".join(lines))
    return len(people)


# -- attendance -----------------------------------------------------------------------


def record_roll_call(
    session: VirtualSession,
    statuses: dict[int, AttendanceStatus],
    *,
    allowed_ids: Iterable[int],
    actor,
    now: datetime | None = None,
) -> int:
    """Save a roll call: one status per participant, in one statement whatever the
    number. ``allowed_ids`` are the participants the actor takes roll call for.
    Returns how many rows were written (unchanged ones are left alone)."""
    now = now or utcnow()
    if session.is_cancelled:
        raise AttendanceError("The session is cancelled: there is no roll call.")
    if not session.roll_call_open(now):
        if now < session.starts_at:
            raise AttendanceError("Roll call opens when the session starts.")
        raise AttendanceError("Roll call closed 7 days after the session.")
    allowed = set(allowed_ids)
    if not set(statuses) <= allowed:
        raise AttendanceError("You can take roll call only for your own participants.")
    existing = dict(
        db.session.execute(
            db.select(Attendance.participant_id, Attendance.status).where(
                Attendance.session_id == session.id,
                Attendance.participant_id.in_(list(statuses) or [-1]),
            )
        ).all()
    )
    rows = [
        {
            "session_id": session.id,
            "participant_id": pid,
            "status": AttendanceStatus(status),
            "source": AttendanceSource.ROLL_CALL,
            "recorded_by_id": actor.id,
            "recorded_at": now,
        }
        for pid, status in sorted(statuses.items())
        if existing.get(pid) != AttendanceStatus(status)
    ]
    if rows:
        stmt = _insert(Attendance)
        stmt = stmt.on_conflict_do_update(
            index_elements=["session_id", "participant_id"],
            set_={
                "status": stmt.excluded.status,
                "source": stmt.excluded.source,
                "recorded_by_id": stmt.excluded.recorded_by_id,
                "recorded_at": stmt.excluded.recorded_at,
            },
        )
        db.session.execute(stmt, rows)
        tallies.refresh(session_ids=[session.id])
        record(actor, "attendance.roll_call", session, ["status"], reason=f"{len(rows)} rows")
    return len(rows)


def _previous_import(session_id: int, digest: str) -> int | None:
    return db.session.scalar(
        db.select(MeetingReportImport.id).where(
            MeetingReportImport.session_id == session_id,
            MeetingReportImport.file_sha256 == digest,
        )
    )


def import_meeting_report(
    session: VirtualSession,
    cohort: Cohort,
    data: bytes,
    *,
    filename: str,
    zone: str,
    actor=None,
) -> MeetingReportImport:
    """Import a meeting participant report into the session's attendance.

    Rows are matched to the cohort's participants by email; someone in the meeting for
    at least half the session is marked present (a missing or absent row becomes present;
    present, late and excused ones recorded by people are left alone). The host and the
    cohort's captains and staff are skipped; everyone else unmatched is kept for staff to
    match by hand. The same file twice changes nothing.
    """
    if session.is_cancelled:
        raise ReportError("The session is cancelled.")
    if utcnow() < session.starts_at:
        raise ReportError("The session has not started yet.")
    digest = hashlib.sha256(data).hexdigest()
    if _previous_import(session.id, digest) is not None:
        raise ReportError("This report was already imported for this session; nothing changed.")
    report = meeting_reports.parse(data)
    starts_at, ends_at = session.starts_at, session.ends_at
    window = meeting_reports.span(report, zone)
    if window is not None and (window[1] <= starts_at or window[0] >= ends_at):
        raise ReportError(
            f"The report's times ({format_local(window[0], zone)} to "
            f"{format_local(window[1], zone, '%H:%M')}) do not overlap this session "
            f"({format_local(starts_at, zone)}). Check the session and the report's time zone."
        )
    persons = [
        p
        for p in meeting_reports.people(report, zone, starts_at, ends_at)
        if not (p.email and p.email == report.host_email)
    ]
    emails = {p.email for p in persons if p.email}
    users = {
        u.email: u
        for u in db.session.scalars(db.select(User).where(User.email.in_(emails or [""])))
    }
    member_ids = set(
        db.session.scalars(
            db.select(Enrollment.user_id).where(
                Enrollment.cohort_id == cohort.id, Enrollment.stage.in_(MEMBER_STAGES)
            )
        )
    )
    entry = MeetingReportImport(
        session_id=session.id,
        file_sha256=digest,
        filename=(filename or "report.csv")[:255],
        timezone=zone,
        imported_by_id=getattr(actor, "id", None),
    )
    try:
        with db.session.begin_nested():
            db.session.add(entry)
            db.session.flush()
    except sa.exc.IntegrityError as exc:  # the same file, uploaded twice at once
        raise ReportError(
            "This report was already imported for this session; nothing changed."
        ) from exc
    now = utcnow()
    present_rows = []
    report_rows = []
    for person in persons:
        user = users.get(person.email) if person.email else None
        if user is not None and user.role != Role.PARTICIPANT and user.id not in member_ids:
            continue  # a captain or staff member in the meeting
        participant_id = user.id if user is not None and user.id in member_ids else None
        report_rows.append(
            {
                "import_id": entry.id,
                "name": person.name[:200],
                "email": person.email,
                "minutes": person.minutes,
                "participant_id": participant_id,
            }
        )
        if participant_id is not None and 2 * person.minutes >= session.duration_minutes:
            present_rows.append(
                {
                    "session_id": session.id,
                    "participant_id": participant_id,
                    "status": AttendanceStatus.PRESENT,
                    "source": AttendanceSource.IMPORT,
                    "minutes": person.minutes,
                    "recorded_by_id": getattr(actor, "id", None),
                    "recorded_at": now,
                }
            )
    if report_rows:
        db.session.execute(sa.insert(MeetingReportRow), report_rows)
    if present_rows:
        stmt = _insert(Attendance)
        stmt = stmt.on_conflict_do_update(
            index_elements=["session_id", "participant_id"],
            set_={
                "status": stmt.excluded.status,
                "source": stmt.excluded.source,
                "minutes": stmt.excluded.minutes,
                "recorded_by_id": stmt.excluded.recorded_by_id,
                "recorded_at": stmt.excluded.recorded_at,
            },
            where=Attendance.status == AttendanceStatus.ABSENT,
        )
        db.session.execute(stmt, present_rows)
        tallies.refresh(session_ids=[session.id])
    entry.people = len(report_rows)
    entry.matched = sum(1 for r in report_rows if r["participant_id"] is not None)
    entry.marked_present = len(present_rows)
    db.session.flush()
    record(actor, "attendance.import", session, ["status"], reason=f"report {entry.id}")
    return entry


def match_report_row(
    row: MeetingReportRow,
    session: VirtualSession,
    participant: User,
    status: AttendanceStatus,
    *,
    actor,
) -> Attendance:
    """Match an unmatched report row to a participant by hand and record their status."""
    if row.participant_id is not None:
        raise AttendanceError("This row is already matched.")
    if session.is_cancelled:
        raise AttendanceError("The session is cancelled.")
    now = utcnow()
    row.participant_id = participant.id
    row.matched_by_id = actor.id
    row.matched_at = now
    attendance = db.session.scalar(
        db.select(Attendance).where(
            Attendance.session_id == session.id, Attendance.participant_id == participant.id
        )
    )
    if attendance is None:
        attendance = Attendance(session_id=session.id, participant_id=participant.id)
        db.session.add(attendance)
    attendance.status = status
    attendance.source = AttendanceSource.IMPORT
    attendance.minutes = row.minutes
    attendance.recorded_by_id = actor.id
    attendance.recorded_at = now
    db.session.flush()
    tallies.refresh(session_ids=[session.id])
    record(actor, "attendance.match", session, ["status", "participant_id"])
    return attendance


# -- calendar feeds -------------------------------------------------------------------


def new_token() -> str:
    return secrets.token_urlsafe(32)


def regenerate_feed(*, user: User | None = None, cohort: Cohort | None = None, actor=None):
    """Create the user's (or cohort's) calendar feed, or give it a new token: the old URL
    stops working at once."""
    if (user is None) == (cohort is None):
        raise TypeError("a feed belongs to a user or a cohort")
    column = CalendarFeed.user_id if user is not None else CalendarFeed.cohort_id
    owner = user if user is not None else cohort
    feed = db.session.scalar(db.select(CalendarFeed).where(column == owner.id))
    if feed is None:
        feed = CalendarFeed(
            user_id=getattr(user, "id", None), cohort_id=getattr(cohort, "id", None)
        )
        db.session.add(feed)
        action = "calendar.create"
    else:
        action = "calendar.regenerate"
    feed.token = new_token()
    feed.created_at = utcnow()
    db.session.flush()
    record(actor, action, feed, ["token"])
    return feed


# -- reminders ------------------------------------------------------------------------


@dataclass(frozen=True)
class Reminder:
    """A reminder ready to send: plain values, so it survives the commit that claims it."""

    session_id: int
    user_id: int
    email: str
    subject: str
    body: str


def due_reminders(now: datetime) -> list[Reminder]:
    """A reminder for every scheduled session starting in the next 24 hours and each of
    its enrolled participants and current captains not yet reminded (three queries)."""
    sessions = list(
        db.session.scalars(
            db.select(VirtualSession)
            .options(joinedload(VirtualSession.cohort).joinedload(Cohort.city))
            .where(
                VirtualSession.status == SessionStatus.SCHEDULED,
                VirtualSession.starts_at > now,
                VirtualSession.starts_at <= now + timedelta(hours=24),
            )
            .order_by(VirtualSession.starts_at, VirtualSession.id)
        )
    )
    if not sessions:
        return []
    cohort_ids = {s.cohort_id for s in sessions}
    enrolled = db.select(Enrollment.cohort_id, Enrollment.user_id).where(
        Enrollment.cohort_id.in_(cohort_ids), Enrollment.stage == Stage.ENROLLED
    )
    captains = db.select(CaptainAssignment.cohort_id, CaptainAssignment.captain_id).where(
        CaptainAssignment.cohort_id.in_(cohort_ids), CaptainAssignment.ended_at.is_(None)
    )
    pairs = sa.union(enrolled, captains).subquery()
    rows = db.session.execute(
        db.select(pairs.c.cohort_id, User)
        .join(User, User.id == pairs.c.user_id)
        .where(User.active.is_(True))
        .order_by(User.id)
    ).all()
    people: dict[int, list[User]] = {}
    for cohort_id, user in rows:
        people.setdefault(cohort_id, []).append(user)
    sent = set(
        db.session.execute(
            db.select(SessionReminder.session_id, SessionReminder.user_id).where(
                SessionReminder.session_id.in_([s.id for s in sessions])
            )
        ).all()
    )
    return [
        Reminder(
            session_id=s.id,
            user_id=u.id,
            email=u.email,
            subject=f"Reminder: {s.title} ({s.cohort.name})",
            body=reminder_body(s, s.cohort, u),
        )
        for s in sessions
        for u in people.get(s.cohort_id, [])
        if (s.id, u.id) not in sent
    ]


def reminder_body(session: VirtualSession, cohort: Cohort, person: User) -> str:
    zone = cohort_zone(cohort)
    lines = [
        f"Hello {person.name},",
        "",
        f"A reminder: “{session.title}” of {cohort.name} starts "
        f"{format_local(session.starts_at, zone)}.",
    ]
    if person.timezone and person.timezone != zone:
        lines.append(f"That is {format_local(session.starts_at, person.timezone)} your time.")
    lines.append(f"It lasts {session.duration_minutes} minutes.")
    link = session.link(cohort)
    if link:
        lines += ["", f"Join here (the link works from 15 minutes before the start): {link}"]
    page = _app_link("portal.my_cohort")
    if page and person.role == Role.PARTICIPANT:
        lines += ["", f"Your cohort page: {page}"]
    return "\n".join(lines)


def claim_reminders(reminders: list[Reminder], now: datetime) -> set[tuple[int, int]]:
    """Insert the reminder log rows, skipping those that exist; returns the (session,
    user) pairs this call inserted, and so must send. A concurrent caller waits on the
    unique index and gets none of them. Pairs go in sorted so two callers never
    deadlock."""
    pairs = sorted({(r.session_id, r.user_id) for r in reminders})
    if not pairs:
        return set()
    stmt = (
        _insert(SessionReminder)
        .values([{"session_id": s, "user_id": u, "sent_at": now} for s, u in pairs])
        .on_conflict_do_nothing(index_elements=["session_id", "user_id"])
        .returning(SessionReminder.session_id, SessionReminder.user_id)
    )
    return {(s, u) for s, u in db.session.execute(stmt).all()}


def release_reminder(session_id: int, user_id: int) -> None:
    """Forget a claimed reminder whose mail failed, so the next run sends it."""
    db.session.execute(
        sa.delete(SessionReminder).where(
            SessionReminder.session_id == session_id, SessionReminder.user_id == user_id
        )
    )
