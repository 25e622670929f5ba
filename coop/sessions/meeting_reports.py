"""Reading the participant reports that video-meeting services export.

Two layouts are accepted: the plain table (one header row, one row per connection) and
the export "with meeting data" (a block of meeting details, a blank line, then the
table). A person who drops and rejoins has several rows; the email may be missing or
differ in case; names may carry the original name in parentheses. Times are naive (in
the host account's zone, which the file does not state): the caller localises them.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from coop.core.csvsafe import CSVReadError, read_rows
from coop.core.errors import DomainError

#: The longest email a row may carry (the column's length).
MAX_EMAIL = 254


class ReportError(DomainError):
    """The file cannot be read as a meeting participant report."""


TIME_FORMATS = (
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
)


@dataclass(frozen=True)
class ReportRow:
    """One connection of one person."""

    name: str
    email: str | None
    joined: datetime | None
    left: datetime | None
    minutes: int | None


@dataclass(frozen=True)
class ParsedReport:
    rows: list[ReportRow]
    #: The meeting host's email, from the meeting details when the export has them.
    host_email: str | None = None


@dataclass
class Person:
    """Everyone's connections added up, within the session."""

    name: str
    email: str | None
    minutes: int


def decode(data: bytes) -> str:
    """UTF-8 (with or without a byte-order mark), else Windows-1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _norm(cell: str) -> str:
    return " ".join(cell.replace("\ufeff", "").strip().lower().split())


def _find(header: list[str], *prefixes: str, contains: str | None = None) -> int | None:
    for i, cell in enumerate(header):
        if cell.startswith(prefixes) or (contains and contains in cell):
            return i
    return None


def parse_time(value: str) -> datetime | None:
    value = value.strip()
    for fmt in TIME_FORMATS:
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    return None


def _minutes(value: str) -> int | None:
    try:
        return max(0, round(float(value.strip())))
    except ValueError:
        return None


_ORIGINAL_NAME = re.compile(r"^(?P<shown>.*?)\s*\((?P<original>[^()]*)\)\s*$")


def display_name(raw: str) -> str:
    """``"Ana Lopez (Ana L)"`` -> ``"Ana Lopez"``: the name shown, without the original."""
    raw = " ".join(raw.split())
    m = _ORIGINAL_NAME.match(raw)
    if m and m.group("shown"):
        return m.group("shown")
    return raw


def parse(data: bytes) -> ParsedReport:
    """Read the report's rows; raise ReportError when the layout is not recognised."""
    text = decode(data)
    try:
        table = read_rows(text)
    except CSVReadError as exc:
        raise ReportError(str(exc)) from exc
    header_at = None
    for i, row in enumerate(table):
        cells = [_norm(c) for c in row]
        if _find(cells, "join time") is not None and _find(cells, "leave time") is not None:
            header_at = i
            break
    if header_at is None:
        raise ReportError(
            "This does not look like a meeting participant report: it has no "
            "“Join Time” and “Leave Time” columns."
        )
    header = [_norm(c) for c in table[header_at]]
    col_name = _find(header, "name", "participant")
    col_email = _find(header, "user email", "email", contains="email")
    col_join = _find(header, "join time")
    col_leave = _find(header, "leave time")
    col_minutes = _find(header, "duration")
    if col_name is None and col_email is None:
        raise ReportError("The report has neither a Name nor an Email column.")

    host_email = _host_email(table[:header_at])

    def cell(row: list[str], col: int | None) -> str:
        return row[col].strip() if col is not None and col < len(row) else ""

    rows = []
    for number, row in enumerate(table[header_at + 1 :], start=header_at + 2):
        if not any(c.strip() for c in row):
            continue
        name = display_name(cell(row, col_name))
        email = cell(row, col_email).lower() or None
        if email and len(email) > MAX_EMAIL:
            raise ReportError(
                f"Row {number} has an email longer than {MAX_EMAIL} characters: "
                "this does not look like a meeting participant report."
            )
        if not name and not email:
            continue
        rows.append(
            ReportRow(
                name=name or (email or ""),
                email=email,
                joined=parse_time(cell(row, col_join)),
                left=parse_time(cell(row, col_leave)),
                minutes=_minutes(cell(row, col_minutes)),
            )
        )
    if not rows:
        raise ReportError("The report lists nobody.")
    return ParsedReport(rows=rows, host_email=host_email)


def _host_email(meeting_block: list[list[str]]) -> str | None:
    """The host's email from the meeting details above the table, if present."""
    for i, row in enumerate(meeting_block[:-1]):
        cells = [_norm(c) for c in row]
        col = _find(cells, "user email", "host email")
        if col is not None:
            values = meeting_block[i + 1]
            if col < len(values) and "@" in values[col]:
                return values[col].strip().lower()
    return None


def span(report: ParsedReport, zone: str) -> tuple[datetime, datetime] | None:
    """The first join and last leave in the report, in UTC (None without times)."""
    tz = ZoneInfo(zone)
    joins = [r.joined.replace(tzinfo=tz) for r in report.rows if r.joined]
    leaves = [r.left.replace(tzinfo=tz) for r in report.rows if r.left]
    if not joins or not leaves:
        return None
    return min(joins), max(leaves)


def people(report: ParsedReport, zone: str, starts_at: datetime, ends_at: datetime) -> list[Person]:
    """Each person's minutes within [starts_at, ends_at], their connections added up.

    Rows are grouped by email (case-insensitive), or by name when the email is missing.
    Overlapping connections (two devices) count once; rows without times add their
    stated duration. Times are read in ``zone``.
    """
    tz = ZoneInfo(zone)
    groups: dict[str, list[ReportRow]] = {}
    for row in report.rows:
        key = f"email:{row.email}" if row.email else f"name:{row.name.casefold()}"
        groups.setdefault(key, []).append(row)
    session_minutes = int((ends_at - starts_at).total_seconds() // 60)
    out = []
    for rows in groups.values():
        intervals = []
        untimed = 0
        for r in rows:
            if r.joined and r.left:
                a = max(r.joined.replace(tzinfo=tz), starts_at)
                b = min(r.left.replace(tzinfo=tz), ends_at)
                if b > a:
                    intervals.append((a, b))
            else:
                untimed += r.minutes or 0
        total = _union(intervals) + timedelta(minutes=untimed)
        minutes = min(session_minutes, round(total.total_seconds() / 60))
        first = rows[0]
        out.append(Person(name=first.name, email=first.email, minutes=minutes))
    return out


def _union(intervals: list[tuple[datetime, datetime]]) -> timedelta:
    total = timedelta(0)
    end = None
    for a, b in sorted(intervals):
        if end is None or a > end:
            total += b - a
            end = b
        elif b > end:
            total += b - end
            end = b
    return total
