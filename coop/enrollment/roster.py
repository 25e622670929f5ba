"""Roster CSV files: the documented columns, reading and checking an upload, importing it,
and the columns of an export.

Reading happens in two steps so staff see every problem before anything is written:
``parse`` checks each row on its own (no database), ``plan`` matches the rows to existing
people and enrollments by email (a fixed number of queries whatever the file's size).
``import_roster`` then writes a clean plan, all or nothing, moving stages through
``coop.enrollment.services`` (seats, stage changes, welcome mail) like every other
enrollment.
"""

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.orm import joinedload

from coop.auth.models import ParticipantProfile, Role, User
from coop.core import clock, events
from coop.core.audit import record
from coop.core.csvsafe import CSVReadError, read_rows
from coop.core.models import AuditEvent
from coop.db import utcnow
from coop.enrollment import history
from coop.enrollment.models import Enrollment, EnrollmentEvent, Source, Stage, salary_band_for
from coop.enrollment.services import EnrollmentError, _move, _require_open, _welcome, take_seats
from coop.extensions import db
from coop.programs.models import Cohort

#: Most bytes and data rows in one upload.
MAX_BYTES = 1_000_000
MAX_ROWS = 1000

YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    help: str
    required: bool = False


#: The columns an import reads (in this order in the template). Others are ignored.
IMPORT_COLUMNS = [
    Column("email", "Email", "The person's email address; matches existing people.", True),
    Column("name", "Full name", "Up to 120 characters.", True),
    Column("phone", "Phone", "Optional."),
    Column("college", "College", "Optional."),
    Column("graduation_year", "Graduation year", "Optional; a year such as 2024."),
    Column("first_generation", "First-generation graduate", "Optional; yes or no."),
    Column("low_income", "Low-income / Pell", "Optional; yes or no."),
    Column("job_title", "Current job title", "Optional; the intake baseline."),
    Column("salary", "Annual salary", "Optional; whole dollars, e.g. 34000."),
]


@dataclass
class RosterRow:
    #: The row's number as a spreadsheet shows it (the header is row 1).
    number: int
    email: str = ""
    name: str = ""
    phone: str | None = None
    college: str | None = None
    graduation_year: int | None = None
    first_generation: bool | None = None
    low_income: bool | None = None
    job_title: str | None = None
    salary: int | None = None
    errors: list[str] = field(default_factory=list)
    #: Set by ``plan``: "new" (a new person), "add" (an existing person joins),
    #: "enroll" (their application here is enrolled), "already" (on the roster).
    action: str | None = None
    user: User | None = None
    enrollment: Enrollment | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class RosterPlan:
    rows: list[RosterRow] = field(default_factory=list)
    #: Problems with the file as a whole (encoding, header, capacity).
    errors: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def bad_rows(self) -> list[RosterRow]:
        return [r for r in self.rows if r.errors]

    @property
    def ok(self) -> bool:
        return not self.errors and not self.bad_rows

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.ok and r.action == action)

    @property
    def seats_needed(self) -> int:
        return sum(1 for r in self.rows if r.ok and r.action in ("new", "add", "enroll"))


def _header_key(text: str) -> str:
    return text.strip().lower().replace(" ", "_").replace("-", "_")


def _text(row: RosterRow, raw: str | None, label: str, max_len: int) -> str | None:
    value = (raw or "").strip()
    if len(value) > max_len:
        row.errors.append(f"{label} is longer than {max_len} characters.")
        return None
    return value or None


def _yes_no(row: RosterRow, raw: str | None, label: str) -> bool | None:
    value = (raw or "").strip().lower()
    if not value:
        return None
    if value in YES:
        return True
    if value in NO:
        return False
    row.errors.append(f"{label} must be yes or no, not {value!r}.")
    return None


def _whole(row: RosterRow, raw: str | None, label: str, low: int, high: int) -> int | None:
    value = (raw or "").strip().replace(",", "").replace("$", "")
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        row.errors.append(f"{label} must be a whole number, not {raw.strip()!r}.")
        return None
    if not low <= number <= high:
        row.errors.append(f"{label} must be between {low} and {high}.")
        return None
    return number


def parse(data: bytes, today: date | None = None) -> RosterPlan:
    """Read and check an uploaded CSV, row by row, without touching the database."""
    plan = RosterPlan()
    today = today or clock.today_for()  # the year as the importing staff member sees it
    if len(data) > MAX_BYTES:
        plan.errors.append(f"The file is larger than {MAX_BYTES // 1000} kB.")
        return plan
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        plan.errors.append("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")
        return plan
    try:
        table = read_rows(text)
    except CSVReadError as exc:
        plan.errors.append(str(exc))
        return plan
    if not table:
        plan.errors.append("The file is empty.")
        return plan
    header = table[0]
    keys = [_header_key(h) for h in header]
    known = {c.name for c in IMPORT_COLUMNS}
    missing = [c.name for c in IMPORT_COLUMNS if c.required and c.name not in keys]
    if missing:
        plan.errors.append(
            "The first row must name the columns; missing: " + ", ".join(missing) + "."
        )
        return plan
    plan.ignored_columns = [h for h, k in zip(header, keys, strict=True) if k not in known and k]
    seen: dict[str, int] = {}
    for index, cells in enumerate(table[1:]):
        number = index + 2
        if not any(c.strip() for c in cells):
            continue
        if len(plan.rows) >= MAX_ROWS:
            plan.errors.append(f"The file has more than {MAX_ROWS} rows.")
            return plan
        values = dict(zip(keys, cells, strict=False))
        plan.rows.append(_parse_row(number, values, seen, today))
    if not plan.rows and not plan.errors:
        plan.errors.append("The file has a header but no rows.")
    return plan


def _parse_row(number: int, values: dict, seen: dict[str, int], today: date) -> RosterRow:
    row = RosterRow(number=number)
    raw_email = (values.get("email") or "").strip()
    if not raw_email:
        row.errors.append("Email is missing.")
    else:
        try:
            row.email = validate_email(raw_email, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            row.errors.append(f"{raw_email!r} is not a valid email address.")
        else:
            if row.email in seen:
                row.errors.append(f"The same email is on row {seen[row.email]}.")
            else:
                seen[row.email] = number
    row.name = _text(row, values.get("name"), "Full name", 120) or ""
    if not row.name and not any(e.startswith("Full name") for e in row.errors):
        row.errors.append("Full name is missing.")
    row.phone = _text(row, values.get("phone"), "Phone", 40)
    row.college = _text(row, values.get("college"), "College", 160)
    row.graduation_year = _whole(
        row, values.get("graduation_year"), "Graduation year", 1950, today.year + 1
    )
    row.first_generation = _yes_no(row, values.get("first_generation"), "First-generation")
    row.low_income = _yes_no(row, values.get("low_income"), "Low-income")
    row.job_title = _text(row, values.get("job_title"), "Job title", 160)
    row.salary = _whole(row, values.get("salary"), "Annual salary", 0, 1_000_000)
    return row


def plan(cohort: Cohort, roster: RosterPlan) -> RosterPlan:
    """Match the checked rows to people (by email) and this cohort's enrollments, and
    check the cohort has the seats. Two queries, whatever the number of rows."""
    from coop.enrollment.services import OPEN_COHORT

    if cohort.status not in OPEN_COHORT:
        roster.errors.append(f"This cohort is {cohort.status}; it takes no new participants.")
    emails = [r.email for r in roster.rows if r.email]
    users = {}
    enrollments = {}
    if emails:
        users = {
            u.email: u
            for u in db.session.scalars(
                sa.select(User).where(User.email.in_(emails)).options(joinedload(User.profile))
            ).unique()
        }
        ids = [u.id for u in users.values()]
        if ids:
            enrollments = {
                e.user_id: e
                for e in db.session.scalars(
                    sa.select(Enrollment).where(
                        Enrollment.cohort_id == cohort.id, Enrollment.user_id.in_(ids)
                    )
                )
            }
    for row in roster.rows:
        if not row.email:
            continue
        user = users.get(row.email)
        row.user = user
        if user is None:
            row.action = "new"
            continue
        if user.is_staff:
            row.errors.append("This email belongs to a staff account.")
            continue
        enrollment = enrollments.get(user.id)
        row.enrollment = enrollment
        if enrollment is None:
            row.action = "add"
        elif enrollment.stage in (Stage.ENROLLED, Stage.GRADUATED):
            row.action = "already"
        elif enrollment.stage in (Stage.APPLIED, Stage.ACCEPTED, Stage.WAITLISTED):
            row.action = "enroll"
        else:
            row.errors.append(
                f"This person is {enrollment.stage} in this cohort and cannot be enrolled."
            )
    free = max(cohort.capacity - cohort.seats_taken, 0)
    if roster.seats_needed > free:
        roster.errors.append(
            f"The file would enroll {roster.seats_needed} people but the cohort has "
            f"{free} free seats (capacity {cohort.capacity})."
        )
    return roster


# -- import ------------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: int = 0
    added: int = 0
    enrolled: int = 0
    already: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.added + self.enrolled


def import_roster(cohort: Cohort, roster: RosterPlan, actor) -> ImportResult:
    """Enroll everyone on a checked roster (``plan``), all or nothing.

    Rows are matched by email: new people become participant users (invited to set a
    password), existing people join, applicants of this cohort are enrolled, and people
    already on the roster are left alone, so importing the same file twice changes
    nothing. Any bad row, or too few seats, and nothing is written.
    """
    if not roster.ok:
        raise EnrollmentError("The file has problems; nothing was imported.")
    _require_open(cohort)
    result = ImportResult(already=roster.count("already"))
    todo = [r for r in roster.rows if r.action in ("new", "add", "enroll")]
    if not todo:
        return result
    if not take_seats(cohort, len(todo)):
        raise EnrollmentError(
            f"The cohort no longer has {len(todo)} free seats; nothing was imported."
        )
    now = utcnow()
    actor_id = getattr(actor, "id", None)

    new_users = []
    for row in todo:
        if row.action == "new":
            row.user = User(email=row.email, name=row.name, role=Role.PARTICIPANT)
            row.user.profile = ParticipantProfile()
            new_users.append(row.user)
        _fill_profile_from_row(row.user, row)
    db.session.add_all(new_users)
    db.session.flush()

    fresh = []
    for row in todo:
        if row.action == "enroll":
            if row.enrollment.stage == Stage.APPLIED:
                _move(row.enrollment, Stage.ACCEPTED, actor, "Roster import", name=row.user.name)
            _move(row.enrollment, Stage.ENROLLED, actor, "Roster import", name=row.user.name)
            result.enrolled += 1
            continue
        row.enrollment = Enrollment(
            cohort_id=cohort.id,
            user_id=row.user.id,
            stage=Stage.ENROLLED,
            **history.marks(None, Stage.ENROLLED),  # its history: the event below
            source=Source.IMPORT,
            created_at=now,
            stage_changed_at=now,
            phone=row.phone,
            college=row.college,
            graduation_year=row.graduation_year,
            first_generation=row.first_generation,
            low_income=row.low_income,
            job_title=row.job_title,
            salary_band=salary_band_for(row.salary),
        )
        fresh.append(row.enrollment)
        if row.action == "new":
            result.created += 1
        else:
            result.added += 1
    db.session.add_all(fresh)
    db.session.flush()
    if fresh:
        events.cohort_members_changed.send(cohort.id)
    db.session.add_all(
        [
            EnrollmentEvent(
                enrollment_id=e.id,
                from_stage=None,
                to_stage=Stage.ENROLLED,
                actor_id=actor_id,
                reason="Roster import",
                created_at=now,
            )
            for e in fresh
        ]
    )
    db.session.add_all(
        [
            AuditEvent(
                actor_id=actor_id,
                action="user.create",
                target_type="users",
                target_id=u.id,
                changed=["email", "name", "role"],
            )
            for u in new_users
        ]
    )
    record(
        actor,
        "enrollment.import",
        cohort,
        ["seats_taken"],
        reason=f"{result.changed} enrolled from a roster file",
    )
    for row in todo:
        _welcome(row.user, cohort, actor)
    return result


def _fill_profile_from_row(user: User, row) -> None:
    profile = user.profile
    if profile is None:
        profile = user.profile = ParticipantProfile()
    answers = {
        "phone": row.phone,
        "college": row.college,
        "graduation_year": row.graduation_year,
        "first_generation": row.first_generation,
        "low_income": row.low_income,
        "intake_job_title": row.job_title,
        "intake_salary": row.salary,
    }
    for key, value in answers.items():
        if getattr(profile, key) is None and value is not None:
            setattr(profile, key, value)


# -- export ------------------------------------------------------------------------------


def _profile(e, key):
    profile = e.user.profile
    return getattr(profile, key, None) if profile else None


#: Export columns: name -> (label, value of an Enrollment with user and profile loaded).
#: The first nine match the import columns, so an export can be imported again.
EXPORT_COLUMNS = {
    "email": ("Email", lambda e: e.user.email),
    "name": ("Full name", lambda e: e.user.name),
    "phone": ("Phone", lambda e: _profile(e, "phone") or e.phone),
    "college": ("College", lambda e: _profile(e, "college") or e.college),
    "graduation_year": (
        "Graduation year",
        lambda e: _profile(e, "graduation_year") or e.graduation_year,
    ),
    "first_generation": (
        "First-generation graduate",
        lambda e: _first(_profile(e, "first_generation"), e.first_generation),
    ),
    "low_income": (
        "Low-income / Pell",
        lambda e: _first(_profile(e, "low_income"), e.low_income),
    ),
    "job_title": ("Current job title", lambda e: _profile(e, "intake_job_title") or e.job_title),
    "salary": ("Annual salary", lambda e: _profile(e, "intake_salary")),
    "stage": ("Stage", lambda e: str(e.stage)),
    "stage_changed": ("Stage changed (UTC)", lambda e: e.stage_changed_at.date()),
    "applied": ("Joined (UTC)", lambda e: e.created_at.date()),
    "source": ("Source", lambda e: str(e.source)),
}
DEFAULT_EXPORT = ["email", "name", "phone", "college", "stage"]
#: Export columns holding personal data whose export is audited -> the field it comes from.
PERSONAL_EXPORT = {
    "phone": "phone",
    "first_generation": "first_generation",
    "low_income": "low_income",
    "salary": "intake_salary",
}


def personal_columns(columns) -> list[str]:
    """The audited field names among the export ``columns``."""
    return [PERSONAL_EXPORT[c] for c in columns if c in PERSONAL_EXPORT]


def _first(*values):
    for v in values:
        if v is not None:
            return v
    return None
