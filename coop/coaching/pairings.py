"""Captain ↔ participant pod assignments by CSV: checking an upload, importing it, and
exporting the same columns.

As with the roster import (``coop.enrollment.roster``): ``parse`` checks each row on its
own, ``plan`` matches the rows to the cohort's participants and current captains (a fixed
number of queries whatever the file's size) and checks every pod stays within its
captain's maximum once the file is applied; the preview names every bad row, and nothing
is written unless every row is right. Importing the same file again changes nothing.
"""

from dataclasses import dataclass, field

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email

from coop.auth.models import User
from coop.coaching import balancing
from coop.coaching.models import CaptainAssignment
from coop.coaching.queries import OPEN_STATUSES
from coop.coaching.services import CoachingError, _apply, pod_state
from coop.core.audit import record
from coop.core.csvsafe import CSVReadError, read_rows
from coop.extensions import db
from coop.programs.models import Cohort

MAX_BYTES = 500_000
MAX_ROWS = 1000
COLUMNS = ["participant_email", "captain_email"]


@dataclass
class PairingRow:
    number: int
    participant_email: str = ""
    captain_email: str = ""
    errors: list[str] = field(default_factory=list)
    #: Set by ``plan``: "place" (into a pod), "move" (from another pod), "already".
    action: str | None = None
    participant_name: str = ""
    captain_name: str = ""
    participant_id: int | None = None
    assignment_id: int | None = None


@dataclass
class PairingPlan:
    rows: list[PairingRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def bad_rows(self) -> list[PairingRow]:
        return [r for r in self.rows if r.errors]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.errors and not self.bad_rows

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def changes(self) -> int:
        return self.count("place") + self.count("move")


def _email(row: PairingRow, raw: str | None, label: str) -> str:
    raw = (raw or "").strip()
    if not raw:
        row.errors.append(f"{label} is missing.")
        return ""
    try:
        return validate_email(raw, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        row.errors.append(f"{label} {raw[:80]!r} is not a valid email address.")
        return ""


def parse(data: bytes) -> PairingPlan:
    """Check the file's shape and each row on its own (no database)."""
    out = PairingPlan()
    if len(data) > MAX_BYTES:
        out.errors.append(f"The file is larger than {MAX_BYTES // 1000} kB.")
        return out
    try:
        table = read_rows(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        out.errors.append("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")
        return out
    except CSVReadError as exc:
        out.errors.append(str(exc))
        return out
    if not table:
        out.errors.append("The file is empty.")
        return out
    keys = [h.strip().lower().replace(" ", "_") for h in table[0]]
    missing = [c for c in COLUMNS if c not in keys]
    if missing:
        out.errors.append(
            "The first row must name the columns; missing: " + ", ".join(missing) + "."
        )
        return out
    seen: dict[str, int] = {}
    for index, cells in enumerate(table[1:]):
        if not any(c.strip() for c in cells):
            continue
        if len(out.rows) >= MAX_ROWS:
            out.errors.append(f"The file has more than {MAX_ROWS} rows.")
            return out
        values = dict(zip(keys, cells, strict=False))
        row = PairingRow(number=index + 2)
        row.participant_email = _email(row, values.get("participant_email"), "Participant email")
        row.captain_email = _email(row, values.get("captain_email"), "Captain email")
        if row.participant_email:
            if row.participant_email in seen:
                row.errors.append(f"The same participant is on row {seen[row.participant_email]}.")
            else:
                seen[row.participant_email] = row.number
        out.rows.append(row)
    if not out.rows and not out.errors:
        out.errors.append("The file has a header but no rows.")
    return out


def plan(cohort: Cohort, pairing: PairingPlan) -> PairingPlan:
    """Match the rows to this cohort's participants and current captains, and check no
    pod ends up over its captain's maximum. A few queries, whatever the file's size."""
    if cohort.status not in OPEN_STATUSES:
        pairing.errors.append(f"{cohort.name} is {cohort.status}: its pods are closed.")
    state = pod_state(cohort.id)
    pods = {p.key: p for p in state.pods}
    in_cohort = set(state.unassigned) | {m for p in state.pods for m in p.members}
    pod_of = {m: p.key for p in state.pods for m in p.members}
    emails = {r.participant_email for r in pairing.rows} | {r.captain_email for r in pairing.rows}
    emails.discard("")
    users = {}
    if emails:
        users = {
            u.email: u for u in db.session.scalars(sa.select(User).where(User.email.in_(emails)))
        }
    assignments = {
        a.captain_id: a
        for a in db.session.scalars(
            sa.select(CaptainAssignment).where(
                CaptainAssignment.cohort_id == cohort.id, CaptainAssignment.ended_at.is_(None)
            )
        )
    }
    final = {key: set(p.members) for key, p in pods.items()}
    for row in pairing.rows:
        person = users.get(row.participant_email) if row.participant_email else None
        captain = users.get(row.captain_email) if row.captain_email else None
        if row.participant_email and (person is None or person.id not in in_cohort):
            row.errors.append(f"{row.participant_email} is not enrolled in this cohort.")
        if row.captain_email and (captain is None or captain.id not in assignments):
            row.errors.append(f"{row.captain_email} is not on this cohort's captain team.")
        if row.errors:
            continue
        row.participant_id, row.participant_name = person.id, person.name
        row.assignment_id, row.captain_name = assignments[captain.id].id, captain.name
        current = pod_of.get(person.id)
        if current == row.assignment_id:
            row.action = "already"
            continue
        row.action = "move" if current is not None else "place"
        if current is not None:
            final[current].discard(person.id)
        final[row.assignment_id].add(person.id)
    for key, members in final.items():
        capacity = pods[key].capacity
        if len(members) > capacity:
            over = [
                r for r in pairing.rows if r.assignment_id == key and r.action in ("place", "move")
            ]
            for r in over:
                r.errors.append(
                    f"{r.captain_name}'s pod would have {len(members)} participants; their "
                    f"maximum is {capacity}."
                )
    return pairing


class PairingConflict(Exception):  # noqa: N818 - a condition
    """Another request wrote the same pod memberships first; the request is retried (and
    then finds them in place)."""


@dataclass
class ImportResult:
    placed: int = 0
    moved: int = 0
    already: int = 0


def import_pairings(cohort: Cohort, pairing: PairingPlan, actor) -> ImportResult:
    """Write a clean plan, all or nothing: each row's participant joins its captain's pod."""
    if not pairing.ok:
        raise CoachingError("The file does not pass the checks; nothing was imported.")
    state = pod_state(cohort.id)
    placements = {
        r.participant_id: r.assignment_id for r in pairing.rows if r.action in ("place", "move")
    }
    if placements:
        try:
            with db.session.begin_nested():
                _apply(cohort.id, balancing.Plan(placements=placements), state, [])
        except sa.exc.IntegrityError as exc:
            raise PairingConflict("pod memberships written meanwhile") from exc
        record(
            actor,
            "pods.import",
            cohort,
            ["pod_memberships"],
            reason=f"{len(placements)} pod assignments from a CSV file",
        )
    return ImportResult(pairing.count("place"), pairing.count("move"), pairing.count("already"))


def export_rows(cohort: Cohort) -> list[tuple[str, str]]:
    """``(participant email, captain email)`` of every participant in a current pod."""
    state = pod_state(cohort.id)
    pairs = [(m, p.key) for p in state.pods for m in p.members]
    if not pairs:
        return []
    people = dict(
        db.session.execute(
            sa.select(User.id, User.email).where(User.id.in_({m for m, _ in pairs}))
        ).all()
    )
    captains = dict(
        db.session.execute(
            sa.select(CaptainAssignment.id, User.email)
            .join(User, User.id == CaptainAssignment.captain_id)
            .where(CaptainAssignment.cohort_id == cohort.id)
        ).all()
    )
    return sorted((people[m], captains[key]) for m, key in pairs)
