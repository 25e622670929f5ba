"""Every change to assessment templates, schedules, responses, reminders and pulse checks.

Services check their rule first, flush, write an audit event and never commit; a broken
rule raises ``AssessmentError`` and changes nothing.
"""

import math
import re
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from coop.assessments import queries
from coop.assessments.models import (
    PULSE_DAYS_RANGE,
    AssessmentAnswer,
    AssessmentReminder,
    AssessmentResponse,
    AssessmentSchedule,
    AssessmentTemplate,
    ItemKind,
    Point,
    PulseResponse,
    PulseSetting,
    TemplateItem,
    TemplateVersion,
    pulse_period,
)
from coop.core.audit import record
from coop.core.errors import DomainError
from coop.db import utcnow
from coop.enrollment.models import Enrollment, Stage
from coop.extensions import db
from coop.programs.models import Cohort, CohortStatus

#: The most items a template holds, and options a choice item.
MAX_ITEMS = 30
MAX_OPTIONS = 10
#: How the items are written, one a line: ``kind: prompt`` (a choice: ``| option`` after).
KIND_WORDS = {
    "scale": ItemKind.SCALE,
    "yesno": ItemKind.YES_NO,
    "yes/no": ItemKind.YES_NO,
    "number": ItemKind.NUMBER,
    "choice": ItemKind.CHOICE,
    "text": ItemKind.TEXT,
}
WORD_FOR = {
    ItemKind.SCALE: "scale",
    ItemKind.YES_NO: "yesno",
    ItemKind.NUMBER: "number",
    ItemKind.CHOICE: "choice",
    ItemKind.TEXT: "text",
}
#: The largest number an answer may hold (either sign).
MAX_NUMBER = 1_000_000_000


class AssessmentError(DomainError):
    pass


@dataclass(frozen=True)
class ItemSpec:
    kind: ItemKind
    prompt: str
    options: tuple[str, ...] = ()


def _insert(model):
    """An INSERT for the current database that can skip on conflict."""
    dialect = db.session.get_bind().dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert(model)


# -- templates --------------------------------------------------------------------------


def parse_items(text: str) -> list[ItemSpec]:
    """The items written one a line as ``kind: prompt`` (``choice: prompt | a | b``)."""
    specs = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        word, sep, rest = line.partition(":")
        kind = KIND_WORDS.get(re.sub(r"\s+", "", word.lower()))
        if not sep or kind is None:
            raise AssessmentError(
                f"Line {number}: start with scale:, yesno:, number:, choice: or text:.", "items"
            )
        parts = [p.strip() for p in rest.split("|")]
        prompt, options = parts[0], tuple(p for p in parts[1:] if p)
        if not prompt or len(prompt) > 300:
            raise AssessmentError(f"Line {number}: a question of 1 to 300 characters.", "items")
        if kind == ItemKind.CHOICE:
            if len(options) < 2 or len(options) > MAX_OPTIONS or len(set(options)) != len(options):
                raise AssessmentError(
                    f"Line {number}: a choice needs 2 to {MAX_OPTIONS} different options "
                    "after the question, each after a |.",
                    "items",
                )
            if any(len(o) > 100 for o in options):
                raise AssessmentError(f"Line {number}: options of at most 100 characters.", "items")
        elif options:
            raise AssessmentError(f"Line {number}: only a choice has options.", "items")
        specs.append(ItemSpec(kind, prompt, options))
    if not specs:
        raise AssessmentError("Write at least one question.", "items")
    if len(specs) > MAX_ITEMS:
        raise AssessmentError(f"At most {MAX_ITEMS} questions.", "items")
    if len({(s.kind, s.prompt) for s in specs}) != len(specs):
        raise AssessmentError("Each question once.", "items")
    return specs


def items_text(items) -> str:
    """The items of a version written as ``parse_items`` reads them."""
    lines = []
    for item in items:
        line = f"{WORD_FOR[item.kind]}: {item.prompt}"
        if item.kind == ItemKind.CHOICE:
            line += "".join(f" | {o}" for o in item.options)
        lines.append(line)
    return "\n".join(lines)


def _check_title(track_id: int, title: str, template_id: int | None = None) -> str:
    title = (title or "").strip()
    if not title:
        raise AssessmentError("Give the assessment a title.", "title")
    clash = db.select(AssessmentTemplate.id).where(
        AssessmentTemplate.track_id == track_id,
        sa.func.lower(AssessmentTemplate.title) == title.lower(),
    )
    if template_id is not None:
        clash = clash.where(AssessmentTemplate.id != template_id)
    if db.session.scalar(clash) is not None:
        raise AssessmentError("This track has an assessment with that title.", "title")
    return title


def _add_items(version: TemplateVersion, specs: list[ItemSpec], keys: dict) -> None:
    next_key = max(keys.values(), default=0) + 1
    for position, spec in enumerate(specs, start=1):
        key = keys.get((spec.kind, spec.prompt))
        if key is None:
            key, next_key = next_key, next_key + 1
        db.session.add(
            TemplateItem(
                version_id=version.id,
                position=position,
                key=key,
                kind=spec.kind,
                prompt=spec.prompt,
                options=list(spec.options),
            )
        )


def create_template(track, title: str, description: str, items: str, actor) -> AssessmentTemplate:
    """Write a new assessment for ``track`` (version 1)."""
    title = _check_title(track.id, title)
    specs = parse_items(items)
    template = AssessmentTemplate(track_id=track.id, title=title, created_by_id=actor.id)
    db.session.add(template)
    db.session.flush()
    version = TemplateVersion(
        template_id=template.id,
        number=1,
        description=(description or "").strip(),
        created_by_id=actor.id,
    )
    db.session.add(version)
    db.session.flush()
    _add_items(version, specs, {})
    db.session.flush()
    record(actor, "assessment.create", template, ["title", "description", "items"])
    return template


def version_has_answers(version_id: int) -> bool:
    return (
        db.session.scalar(
            db.select(AssessmentResponse.id).where(AssessmentResponse.version_id == version_id)
        )
        is not None
    )


def edit_template(
    template: AssessmentTemplate, title: str, description: str, items: str, actor
) -> TemplateVersion:
    """Change a template. Its current version is changed in place while nobody has answered
    it; once it has answers the change becomes the next version, and the answers keep
    theirs. Returns the version that now holds the template's content."""
    title = _check_title(template.track_id, title, template.id)
    specs = parse_items(items)
    current = db.session.scalar(
        db.select(TemplateVersion).where(
            TemplateVersion.template_id == template.id,
            TemplateVersion.number == template.current_version,
        )
    )
    # Every key the template has used: a question that comes back keeps its key.
    keys = {
        (kind, prompt): key
        for kind, prompt, key in db.session.execute(
            db.select(TemplateItem.kind, TemplateItem.prompt, sa.func.max(TemplateItem.key))
            .join(TemplateVersion, TemplateVersion.id == TemplateItem.version_id)
            .where(TemplateVersion.template_id == template.id)
            .group_by(TemplateItem.kind, TemplateItem.prompt)
        ).all()
    }
    description = (description or "").strip()
    if version_has_answers(current.id):
        version = TemplateVersion(
            template_id=template.id,
            number=current.number + 1,
            description=description,
            created_by_id=actor.id,
        )
        db.session.add(version)
        db.session.flush()
        template.current_version = version.number
        action = "assessment.new_version"
    else:
        version = current
        version.description = description
        db.session.execute(sa.delete(TemplateItem).where(TemplateItem.version_id == version.id))
        action = "assessment.edit"
    template.title = title
    # New questions get keys the template never used, even in versions since replaced.
    _add_items(version, specs, keys)
    db.session.flush()
    db.session.expire(version)
    record(actor, action, template, ["title", "description", "items"])
    return version


def set_archived(template: AssessmentTemplate, archived: bool, actor) -> None:
    """Archive a template (no new schedules) or bring it back."""
    template.archived = archived
    db.session.flush()
    record(actor, "assessment.archive" if archived else "assessment.unarchive", template)


# -- schedules --------------------------------------------------------------------------


def cohort_weeks(cohort: Cohort) -> int:
    """How many weeks the cohort runs (week 1 starts on its start date)."""
    return max(1, (cohort.end_date - cohort.start_date).days // 7 + 1)


def schedule(cohort: Cohort, template: AssessmentTemplate, point: Point, week: int, actor):
    """Give ``template`` in ``cohort`` at ``point``, in week ``week`` of the cohort."""
    if template.track_id != cohort.track_id:
        raise AssessmentError("That assessment belongs to another track.", "template_id")
    if template.archived:
        raise AssessmentError("That assessment is archived.", "template_id")
    if cohort.status in (CohortStatus.COMPLETED, CohortStatus.CANCELLED):
        raise AssessmentError("The cohort is over: nothing new can be scheduled.")
    weeks = cohort_weeks(cohort)
    if not 1 <= week <= weeks:
        raise AssessmentError(f"Choose a week from 1 to {weeks}.", "week")
    existing = db.session.scalars(
        db.select(AssessmentSchedule).where(
            AssessmentSchedule.cohort_id == cohort.id,
            AssessmentSchedule.template_id == template.id,
        )
    ).all()
    if any(s.point == point for s in existing):
        raise AssessmentError(f"It is scheduled at {point.label.lower()} already.", "point")
    order = [Point.INTAKE, Point.MIDPOINT, Point.EXIT]
    for other in existing:
        before = order.index(other.point) < order.index(point)
        if (before and other.week > week) or (not before and other.week < week):
            raise AssessmentError(
                f"{point.label} must come after intake and before exit (week {other.week} "
                f"is its {other.point.label.lower()}).",
                "week",
            )
    row = AssessmentSchedule(cohort_id=cohort.id, template_id=template.id, point=point, week=week)
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:
        raise AssessmentError(
            f"It is scheduled at {point.label.lower()} already.", "point"
        ) from None
    record(actor, "assessment.schedule", row, ["point", "week"])
    return row


def unschedule(row: AssessmentSchedule, actor) -> None:
    """Take a schedule off a cohort, while nobody has answered it."""
    answered = db.session.scalar(
        db.select(AssessmentResponse.id).where(AssessmentResponse.schedule_id == row.id)
    )
    if answered is not None:
        raise AssessmentError("People have answered it: it stays.")
    record(actor, "assessment.unschedule", row)
    db.session.execute(
        sa.delete(AssessmentReminder).where(AssessmentReminder.schedule_id == row.id)
    )
    db.session.delete(row)
    db.session.flush()


# -- answering --------------------------------------------------------------------------


def is_enrolled(cohort_id: int, user_id: int) -> bool:
    return (
        db.session.scalar(
            db.select(Enrollment.id).where(
                Enrollment.cohort_id == cohort_id,
                Enrollment.user_id == user_id,
                Enrollment.stage == Stage.ENROLLED,
            )
        )
        is not None
    )


def _answer_value(item: TemplateItem, raw) -> tuple[float | None, str | None]:
    if item.kind == ItemKind.TEXT:
        text = (raw or "").strip() if isinstance(raw, str) else ""
        if len(text) > 2000:
            raise AssessmentError("At most 2,000 characters.", f"item_{item.id}")
        return None, text or None
    if raw in (None, ""):
        raise AssessmentError("Answer this question.", f"item_{item.id}")
    if item.kind == ItemKind.CHOICE:
        if raw not in item.options:
            raise AssessmentError("Choose one of the options.", f"item_{item.id}")
        return None, raw
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise AssessmentError("Give a number.", f"item_{item.id}") from None
    if not math.isfinite(value) or abs(value) > MAX_NUMBER:
        raise AssessmentError("Give a number.", f"item_{item.id}")
    if item.kind == ItemKind.SCALE and value not in (1, 2, 3, 4, 5):
        raise AssessmentError("Choose 1 to 5.", f"item_{item.id}")
    if item.kind == ItemKind.YES_NO and value not in (0, 1):
        raise AssessmentError("Choose yes or no.", f"item_{item.id}")
    return value, None


def submit_response(
    row: AssessmentSchedule,
    cohort: Cohort,
    version: TemplateVersion,
    participant,
    answers: dict,
    today: date,
) -> AssessmentResponse:
    """Record ``participant``'s answers (``{item id: value}``) to a scheduled assessment,
    once, while it is open (from its week until ``GRACE_DAYS`` after)."""
    if not is_enrolled(cohort.id, participant.id):
        raise AssessmentError("Only participants enrolled in the cohort answer it.")
    state = row.state(cohort.start_date, today)
    if state == "upcoming":
        raise AssessmentError(f"It opens on {row.opens_on(cohort.start_date):%-d %B %Y}.")
    if state == "closed":
        raise AssessmentError("It closed: answers are no longer taken.")
    values = {item.id: _answer_value(item, answers.get(item.id)) for item in version.items}
    response = AssessmentResponse(
        schedule_id=row.id,
        participant_id=participant.id,
        version_id=version.id,
        cohort_id=cohort.id,
        template_id=row.template_id,
        point=row.point,
        answered_on=today,
    )
    db.session.add(response)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise AssessmentError("You answered it already.") from None
    db.session.add_all(
        AssessmentAnswer(
            response_id=response.id, item_id=item.id, item_key=item.key, number=n, text=t
        )
        for item in version.items
        for n, t in [values[item.id]]
    )
    db.session.flush()
    record(participant, "assessment.answer", response, ["answers"])
    return response


# -- reminders --------------------------------------------------------------------------


def claim_reminders(pairs: list[tuple[int, int]]) -> set[tuple[int, int]]:
    """Insert the (schedule, participant) reminder rows that do not exist yet; returns the
    pairs this call inserted, and so must send. A concurrent caller waits on the unique
    index and gets none of them. Sorted, so two callers never deadlock."""
    pairs = sorted(set(pairs))
    if not pairs:
        return set()
    now = utcnow()
    stmt = (
        _insert(AssessmentReminder)
        .values([{"schedule_id": s, "participant_id": p, "sent_at": now} for s, p in pairs])
        .on_conflict_do_nothing(index_elements=["schedule_id", "participant_id"])
        .returning(AssessmentReminder.schedule_id, AssessmentReminder.participant_id)
    )
    return {(s, p) for s, p in db.session.execute(stmt).all()}


def release_reminder(schedule_id: int, participant_id: int) -> None:
    """Forget a claimed reminder whose mail failed, so the next run sends it."""
    db.session.execute(
        sa.delete(AssessmentReminder).where(
            AssessmentReminder.schedule_id == schedule_id,
            AssessmentReminder.participant_id == participant_id,
        )
    )


# -- pulse checks -----------------------------------------------------------------------


def set_pulse_days(cohort: Cohort, days: int, actor) -> None:
    """How often the cohort's pulse checks come, in days."""
    low, high = PULSE_DAYS_RANGE
    if not isinstance(days, int) or not low <= days <= high:
        raise AssessmentError(f"Choose between {low} and {high} days.", "days")
    setting = db.session.scalar(db.select(PulseSetting).where(PulseSetting.cohort_id == cohort.id))
    if setting is None:
        setting = PulseSetting(cohort_id=cohort.id, every_days=days)
        db.session.add(setting)
    else:
        setting.every_days = days
    db.session.flush()
    record(actor, "pulse.cadence", setting, ["every_days"], city_id=cohort.city_id)


def submit_pulse(
    cohort: Cohort,
    participant,
    today: date,
    confidence: int,
    workload: int,
    needs_help: bool,
    help_with: str,
) -> PulseResponse:
    """Record this period's pulse check of ``participant`` (one per period)."""
    if cohort.status != CohortStatus.ACTIVE:
        raise AssessmentError("Pulse checks run while the cohort is active.")
    if not is_enrolled(cohort.id, participant.id):
        raise AssessmentError("Only participants enrolled in the cohort answer it.")
    period = pulse_period(cohort.start_date, today, queries.pulse_days(cohort.id))
    if period is None:
        raise AssessmentError("Pulse checks start with the cohort.")
    for name, value in (("confidence", confidence), ("workload", workload)):
        if value not in (1, 2, 3, 4, 5):
            raise AssessmentError("Choose 1 to 5.", name)
    help_with = (help_with or "").strip()
    if len(help_with) > 500:
        raise AssessmentError("At most 500 characters.", "help_with")
    if needs_help and not help_with:
        raise AssessmentError("Say what you could use help with.", "help_with")
    pulse = PulseResponse(
        cohort_id=cohort.id,
        participant_id=participant.id,
        period_start=period,
        confidence=confidence,
        workload=workload,
        needs_help=bool(needs_help),
        help_with=help_with if needs_help else "",
    )
    db.session.add(pulse)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise AssessmentError("You answered this pulse check already.") from None
    record(participant, "pulse.answer", pulse, ["confidence", "workload", "help_with"])
    return pulse


def resolve_pulse(pulse: PulseResponse, actor, note: str) -> None:
    """Close a pulse check's request for help with a note (staff or the pod's captain)."""
    if not pulse.needs_help:
        raise AssessmentError("This pulse check did not ask for help.")
    if pulse.resolved_at is not None:
        raise AssessmentError("This request for help was resolved already.")
    note = (note or "").strip()
    if not note:
        raise AssessmentError("Say how it was resolved.", "note")
    pulse.resolved_at = utcnow()
    pulse.resolved_by_id = actor.id
    pulse.resolution_note = note
    db.session.flush()
    record(actor, "pulse.resolve", pulse, ["resolved_at", "resolution_note"])
