"""Reads for assessments and pulse checks: templates, what a participant has due, results
(paired intake-to-exit changes, small groups withheld), response rates, open requests for
help; and this domain's answers to ``events.at_risk_reasons`` and ``events.skill_gains``."""

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased, contains_eager, joinedload, lazyload, selectinload

from coop.assessments.models import (
    DEFAULT_PULSE_DAYS,
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
)
from coop.auth.models import User
from coop.coaching.models import CaptainAssignment, PodMembership
from coop.core import events
from coop.core.disclosure import SMALL_LABEL, small
from coop.enrollment.models import Enrollment, Stage
from coop.extensions import db
from coop.programs.models import City, Cohort, Track

NUMERIC = (ItemKind.SCALE, ItemKind.NUMBER)


# -- templates --------------------------------------------------------------------------


def templates_stmt(track_id: int | None = None):
    stmt = (
        db.select(AssessmentTemplate)
        .join(Track, Track.id == AssessmentTemplate.track_id)
        .options(contains_eager(AssessmentTemplate.track))
        .order_by(Track.name, AssessmentTemplate.archived, AssessmentTemplate.title)
    )
    if track_id is not None:
        stmt = stmt.where(AssessmentTemplate.track_id == track_id)
    return stmt


def template_or_none(template_id: int) -> AssessmentTemplate | None:
    return db.session.scalar(
        db.select(AssessmentTemplate)
        .options(joinedload(AssessmentTemplate.track))
        .where(AssessmentTemplate.id == template_id)
    )


def versions(template_id: int) -> list[TemplateVersion]:
    """Every version of the template, newest first, with its items."""
    return list(
        db.session.scalars(
            db.select(TemplateVersion)
            .options(selectinload(TemplateVersion.items))
            .where(TemplateVersion.template_id == template_id)
            .order_by(TemplateVersion.number.desc())
        )
    )


def answer_counts(template_id: int) -> dict[int, int]:
    """``{version id: responses}`` of the template."""
    return dict(
        db.session.execute(
            db.select(AssessmentResponse.version_id, sa.func.count())
            .where(AssessmentResponse.template_id == template_id)
            .group_by(AssessmentResponse.version_id)
        ).all()
    )


def current_version(template_id: int) -> TemplateVersion:
    return db.session.scalar(
        db.select(TemplateVersion)
        .join(AssessmentTemplate, AssessmentTemplate.id == TemplateVersion.template_id)
        .options(selectinload(TemplateVersion.items))
        .where(
            TemplateVersion.template_id == template_id,
            TemplateVersion.number == AssessmentTemplate.current_version,
        )
    )


# -- schedules --------------------------------------------------------------------------


def cohort_schedules(cohort_id: int) -> list[AssessmentSchedule]:
    """The cohort's schedules with their templates, in week order."""
    return list(
        db.session.scalars(
            db.select(AssessmentSchedule)
            .options(joinedload(AssessmentSchedule.template))
            .where(AssessmentSchedule.cohort_id == cohort_id)
            .order_by(AssessmentSchedule.week, AssessmentSchedule.id)
        )
    )


def response_counts(cohort_id: int) -> dict[int, int]:
    """``{schedule id: responses}`` in the cohort."""
    return dict(
        db.session.execute(
            db.select(AssessmentResponse.schedule_id, sa.func.count())
            .where(AssessmentResponse.cohort_id == cohort_id)
            .group_by(AssessmentResponse.schedule_id)
        ).all()
    )


def enrolled_count(cohort_id: int) -> int:
    return db.session.scalar(
        db.select(sa.func.count())
        .select_from(Enrollment)
        .where(Enrollment.cohort_id == cohort_id, Enrollment.stage == Stage.ENROLLED)
    )


@dataclass
class Due:
    schedule: AssessmentSchedule
    state: str
    opens_on: date
    due_on: date
    answered: bool


def due_for(user, cohort: Cohort, today: date) -> list[Due]:
    """The participant's scheduled assessments that are open (or answered), in order."""
    rows = db.session.execute(
        db.select(AssessmentSchedule, AssessmentResponse.id)
        .options(joinedload(AssessmentSchedule.template))
        .outerjoin(
            AssessmentResponse,
            sa.and_(
                AssessmentResponse.schedule_id == AssessmentSchedule.id,
                AssessmentResponse.participant_id == user.id,
            ),
        )
        .where(AssessmentSchedule.cohort_id == cohort.id)
        .order_by(AssessmentSchedule.week, AssessmentSchedule.id)
    ).all()
    found = []
    for row, response_id in rows:
        state = row.state(cohort.start_date, today)
        if response_id is None and state in ("upcoming", "closed"):
            continue
        found.append(
            Due(
                row,
                state,
                row.opens_on(cohort.start_date),
                row.due_on(cohort.start_date),
                response_id is not None,
            )
        )
    return found


def schedule_in_cohort(schedule_id: int, cohort_id: int) -> AssessmentSchedule | None:
    return db.session.scalar(
        db.select(AssessmentSchedule)
        .options(joinedload(AssessmentSchedule.template))
        .where(AssessmentSchedule.id == schedule_id, AssessmentSchedule.cohort_id == cohort_id)
    )


def own_response(schedule_id: int, user_id: int) -> AssessmentResponse | None:
    return db.session.scalar(
        db.select(AssessmentResponse).where(
            AssessmentResponse.schedule_id == schedule_id,
            AssessmentResponse.participant_id == user_id,
        )
    )


# -- results ----------------------------------------------------------------------------


@dataclass
class ItemChange:
    key: int
    prompt: str
    kind: ItemKind
    #: {point: value shown}
    values: dict = field(default_factory=dict)
    change: float | None = None


@dataclass
class PersonResult:
    template: AssessmentTemplate
    items: list[ItemChange]


def person_results(cohort_id: int, participant_id: int) -> list[PersonResult]:
    """Each assessment the person answered in the cohort: every item with its answer at
    intake, midpoint and exit, and the change from intake to exit of number items. One
    query."""
    rows = db.session.execute(
        db.select(AssessmentResponse, AssessmentAnswer, TemplateItem, AssessmentTemplate)
        .join(AssessmentAnswer, AssessmentAnswer.response_id == AssessmentResponse.id)
        .join(TemplateItem, TemplateItem.id == AssessmentAnswer.item_id)
        .join(AssessmentTemplate, AssessmentTemplate.id == AssessmentResponse.template_id)
        .where(
            AssessmentResponse.cohort_id == cohort_id,
            AssessmentResponse.participant_id == participant_id,
        )
        .order_by(AssessmentTemplate.title, AssessmentTemplate.id, TemplateItem.position)
    ).all()
    results: dict[int, PersonResult] = {}
    for response, answer, item, template in rows:
        result = results.setdefault(template.id, PersonResult(template, []))
        change = next((c for c in result.items if c.key == answer.item_key), None)
        if change is None:
            change = ItemChange(answer.item_key, item.prompt, item.kind)
            result.items.append(change)
        if response.point == Point.EXIT or not change.prompt:
            change.prompt = item.prompt
        change.values[response.point] = (
            answer.number if item.kind in NUMERIC else display_answer(item.kind, answer)
        )
    for result in results.values():
        for change in result.items:
            before, after = change.values.get(Point.INTAKE), change.values.get(Point.EXIT)
            if change.kind in NUMERIC and before is not None and after is not None:
                change.change = after - before
            for point, value in change.values.items():
                if change.kind in NUMERIC and value is not None:
                    change.values[point] = _num(value)
    return list(results.values())


def display_answer(kind: ItemKind, answer: AssessmentAnswer) -> str:
    if kind == ItemKind.YES_NO:
        return "—" if answer.number is None else ("Yes" if answer.number else "No")
    return answer.text or "—"


def _num(value: float) -> str:
    return f"{value:g}"


def paired_changes_stmt(cohort_ids):
    """One row per person, assessment and number item answered at both intake and exit:
    ``(cohort_id, template_id, item_key, participant_id, before, after, answered_on)``."""
    intake, leaving = aliased(AssessmentResponse), aliased(AssessmentResponse)
    before, after = aliased(AssessmentAnswer), aliased(AssessmentAnswer)
    return (
        sa.select(
            intake.cohort_id.label("cohort_id"),
            intake.template_id.label("template_id"),
            before.item_key.label("item_key"),
            intake.participant_id.label("participant_id"),
            before.number.label("before"),
            after.number.label("after"),
            leaving.answered_on.label("answered_on"),
        )
        .join(
            leaving,
            sa.and_(
                leaving.template_id == intake.template_id,
                leaving.participant_id == intake.participant_id,
                leaving.cohort_id == intake.cohort_id,
                leaving.point == Point.EXIT,
            ),
        )
        .join(before, before.response_id == intake.id)
        .join(after, sa.and_(after.response_id == leaving.id, after.item_key == before.item_key))
        .join(TemplateItem, TemplateItem.id == after.item_id)
        .where(
            intake.point == Point.INTAKE,
            intake.cohort_id.in_(cohort_ids),
            TemplateItem.kind.in_(NUMERIC),
            before.number.is_not(None),
            after.number.is_not(None),
        )
    )


@dataclass
class PairedChange:
    template_id: int
    template_title: str
    key: int
    prompt: str
    n: int
    before: float | None
    after: float | None
    change: float | None

    @property
    def withheld(self) -> bool:
        return small(self.n)

    @property
    def n_text(self) -> str:
        return SMALL_LABEL if self.withheld else f"{self.n:,}"

    def shown(self, value) -> str:
        if self.withheld or value is None:
            return "withheld" if self.withheld else "—"
        return f"{value:+.2f}" if value is self.change else f"{value:.2f}"


def paired_changes(cohort_ids) -> list[PairedChange]:
    """Per assessment and number item, over the cohorts in ``cohort_ids`` (a list or a
    select): how many people answered it at intake and exit (n), their mean at each and
    the mean change. Groups under 5 are withheld. Two queries."""
    pairs = paired_changes_stmt(cohort_ids).subquery()
    rows = db.session.execute(
        sa.select(
            pairs.c.template_id,
            pairs.c.item_key,
            sa.func.count(),
            sa.func.avg(pairs.c.before),
            sa.func.avg(pairs.c.after),
            sa.func.avg(pairs.c.after - pairs.c.before),
        )
        .group_by(pairs.c.template_id, pairs.c.item_key)
        .order_by(pairs.c.template_id, pairs.c.item_key)
    ).all()
    if not rows:
        return []
    names = item_names({r[0] for r in rows})
    found = []
    for template_id, key, n, before, after, change in rows:
        title, prompt = names.get((template_id, key), ("", ""))
        withheld = small(n)
        found.append(
            PairedChange(
                template_id,
                title,
                key,
                prompt,
                n,
                None if withheld else float(before),
                None if withheld else float(after),
                None if withheld else float(change),
            )
        )
    return found


def item_names(template_ids) -> dict[tuple[int, int], tuple[str, str]]:
    """``{(template id, item key): (template title, newest prompt)}``; one query."""
    rows = db.session.execute(
        db.select(
            AssessmentTemplate.id, AssessmentTemplate.title, TemplateItem.key, TemplateItem.prompt
        )
        .join(TemplateVersion, TemplateVersion.template_id == AssessmentTemplate.id)
        .join(TemplateItem, TemplateItem.version_id == TemplateVersion.id)
        .where(AssessmentTemplate.id.in_(list(template_ids)))
        .order_by(TemplateVersion.number)
    ).all()
    return {(t, k): (title, prompt) for t, title, k, prompt in rows}


def track_cohort_ids(user, track_id: int):
    """A select of the ids of the track's cohorts in the viewer's cities."""
    stmt = sa.select(Cohort.id).where(Cohort.track_id == track_id)
    return user.scope_to_cities(stmt, Cohort.city_id)


# -- pulse checks -----------------------------------------------------------------------


def pulse_days(cohort_id: int) -> int:
    days = db.session.scalar(
        db.select(PulseSetting.every_days).where(PulseSetting.cohort_id == cohort_id)
    )
    return days or DEFAULT_PULSE_DAYS


def pulse_state(cohort_id: int, user_id: int) -> tuple[bool, int, date | None]:
    """(enrolled in the cohort, the cadence in days, the period of their latest pulse
    check) in one query."""
    latest = (
        sa.select(sa.func.max(PulseResponse.period_start))
        .where(PulseResponse.cohort_id == cohort_id, PulseResponse.participant_id == user_id)
        .scalar_subquery()
    )
    every = (
        sa.select(PulseSetting.every_days)
        .where(PulseSetting.cohort_id == cohort_id)
        .scalar_subquery()
    )
    row = db.session.execute(
        sa.select(Enrollment.id, every, latest).where(
            Enrollment.cohort_id == cohort_id,
            Enrollment.user_id == user_id,
            Enrollment.stage == Stage.ENROLLED,
        )
    ).first()
    if row is None:
        return False, DEFAULT_PULSE_DAYS, None
    return True, row[1] or DEFAULT_PULSE_DAYS, row[2]


def own_pulse(cohort_id: int, user_id: int, period: date) -> PulseResponse | None:
    return db.session.scalar(
        db.select(PulseResponse).where(
            PulseResponse.cohort_id == cohort_id,
            PulseResponse.participant_id == user_id,
            PulseResponse.period_start == period,
        )
    )


def periods_so_far(cohort: Cohort, today: date, every_days: int) -> int:
    """How many pulse periods have started by ``today`` (none past the cohort's end)."""
    last = min(today, cohort.end_date)
    if last < cohort.start_date:
        return 0
    return (last - cohort.start_date).days // every_days + 1


@dataclass
class RateRow:
    label: str
    enrolled: int
    answered_now: int
    answered: int
    expected: int

    @property
    def rate_now(self) -> float | None:
        return self.answered_now / self.enrolled if self.enrolled else None

    @property
    def rate(self) -> float | None:
        return self.answered / self.expected if self.expected else None


def pod_rates(cohorts: list[Cohort], today: date, assignment_ids=None):
    """Response rates of the cohorts' pulse checks: ``{cohort id: (whole cohort, [per
    pod])}``, each in the current period and over all periods so far (only the pods in
    ``assignment_ids`` when given). One query however many cohorts, counted in SQL.

    The current period is the one that started within the last ``every_days`` days (the
    periods follow each other without gaps), so no date arithmetic is needed in SQL: the
    cut-off for each possible cadence is a literal date."""
    if not cohorts:
        return {}
    low, high = PULSE_DAYS_RANGE
    every = sa.func.coalesce(PulseSetting.every_days, DEFAULT_PULSE_DAYS)
    cutoff = sa.case({d: today - timedelta(days=d) for d in range(low, high + 1)}, value=every)
    per_person = (
        sa.select(
            PulseResponse.cohort_id.label("cid"),
            PulseResponse.participant_id.label("pid"),
            sa.func.count().label("answered"),
            sa.func.sum(
                sa.case(
                    (
                        sa.and_(
                            PulseResponse.period_start > cutoff,
                            PulseResponse.period_start <= today,
                        ),
                        1,
                    ),
                    else_=0,
                )
            ).label("now"),
        )
        .outerjoin(PulseSetting, PulseSetting.cohort_id == PulseResponse.cohort_id)
        .where(PulseResponse.cohort_id.in_([c.id for c in cohorts]))
        .group_by(PulseResponse.cohort_id, PulseResponse.participant_id)
        .subquery()
    )
    captain = aliased(User)
    rows = db.session.execute(
        sa.select(
            Enrollment.cohort_id,
            every,
            PodMembership.assignment_id,
            captain.name,
            sa.func.count(Enrollment.id),
            sa.func.coalesce(sa.func.sum(per_person.c.now), 0),
            sa.func.coalesce(sa.func.sum(per_person.c.answered), 0),
        )
        .select_from(Enrollment)
        .outerjoin(PulseSetting, PulseSetting.cohort_id == Enrollment.cohort_id)
        .outerjoin(
            PodMembership,
            sa.and_(
                PodMembership.cohort_id == Enrollment.cohort_id,
                PodMembership.participant_id == Enrollment.user_id,
            ),
        )
        .outerjoin(CaptainAssignment, CaptainAssignment.id == PodMembership.assignment_id)
        .outerjoin(captain, captain.id == CaptainAssignment.captain_id)
        .outerjoin(
            per_person,
            sa.and_(
                per_person.c.cid == Enrollment.cohort_id, per_person.c.pid == Enrollment.user_id
            ),
        )
        .where(
            Enrollment.cohort_id.in_([c.id for c in cohorts]), Enrollment.stage == Stage.ENROLLED
        )
        .group_by(Enrollment.cohort_id, every, PodMembership.assignment_id, captain.name)
        .order_by(Enrollment.cohort_id, captain.name)
    ).all()
    by_id = {c.id: c for c in cohorts}
    found = {c.id: (RateRow("Whole cohort", 0, 0, 0, 0), []) for c in cohorts}
    for cohort_id, every_days, assignment_id, name, enrolled, now, answered in rows:
        periods = periods_so_far(by_id[cohort_id], today, every_days)
        total, pods = found[cohort_id]
        total.enrolled += enrolled
        total.answered_now += int(now)
        total.answered += int(answered)
        total.expected += enrolled * periods
        if assignment_ids is not None and assignment_id not in assignment_ids:
            continue
        label = f"{name}'s pod" if assignment_id is not None else "Not in a pod"
        pods.append(RateRow(label, enrolled, int(now), int(answered), enrolled * periods))
    return found


def cohort_people_stmt(cohort_id: int):
    """The cohort's enrolled and graduated participants, by name."""
    return (
        db.select(User)
        .join(Enrollment, Enrollment.user_id == User.id)
        .options(lazyload(User.cities))
        .where(
            Enrollment.cohort_id == cohort_id,
            Enrollment.stage.in_([Stage.ENROLLED, Stage.GRADUATED]),
        )
        .order_by(User.name, User.id)
    )


def open_help_stmt():
    """Pulse checks asking for help that nobody resolved yet, oldest first, with the
    participant and the cohort (and its city)."""
    return (
        db.select(PulseResponse)
        .join(Cohort, Cohort.id == PulseResponse.cohort_id)
        .join(City, City.id == Cohort.city_id)
        .options(
            contains_eager(PulseResponse.cohort).contains_eager(Cohort.city),
            joinedload(PulseResponse.participant).lazyload(User.cities),
        )
        .where(PulseResponse.needs_help, PulseResponse.resolved_at.is_(None))
        .order_by(PulseResponse.submitted_at, PulseResponse.id)
    )


def staff_help_stmt(viewer, cohort_id: int | None = None):
    stmt = open_help_stmt()
    if cohort_id is not None:
        stmt = stmt.where(PulseResponse.cohort_id == cohort_id)
    return viewer.scope_to_cities(stmt, Cohort.city_id)


def pod_help(assignment_ids: list[int]) -> list[PulseResponse]:
    """The open requests for help of the participants in these pods."""
    if not assignment_ids:
        return []
    return list(
        db.session.scalars(
            open_help_stmt()
            .join(
                PodMembership,
                sa.and_(
                    PodMembership.cohort_id == PulseResponse.cohort_id,
                    PodMembership.participant_id == PulseResponse.participant_id,
                ),
            )
            .where(PodMembership.assignment_id.in_(assignment_ids))
        )
    )


def pulse_or_none(pulse_id: int) -> PulseResponse | None:
    return db.session.scalar(
        db.select(PulseResponse)
        .options(
            joinedload(PulseResponse.cohort).joinedload(Cohort.city),
            joinedload(PulseResponse.participant).lazyload(User.cities),
            joinedload(PulseResponse.resolved_by).lazyload(User.cities),
        )
        .where(PulseResponse.id == pulse_id)
    )


# -- reminders --------------------------------------------------------------------------


@dataclass(frozen=True)
class Reminder:
    schedule_id: int
    participant_id: int
    email: str
    name: str
    title: str
    cohort_name: str
    cohort_id: int
    due_on: date


def due_reminders(today_by_zone) -> list[Reminder]:
    """A reminder for every enrolled, active participant of an active cohort whose
    scheduled assessment is open (its week has begun in the cohort's city and it is not
    past due) and who has neither answered nor been reminded. ``today_by_zone(zone)`` is
    today in a zone. Two queries."""
    schedules = db.session.execute(
        db.select(AssessmentSchedule, Cohort, City.timezone, AssessmentTemplate.title)
        .join(Cohort, Cohort.id == AssessmentSchedule.cohort_id)
        .join(City, City.id == Cohort.city_id)
        .join(AssessmentTemplate, AssessmentTemplate.id == AssessmentSchedule.template_id)
        .where(Cohort.status == "active", Cohort.archived.is_(False))
        .order_by(AssessmentSchedule.id)
    ).all()
    open_now = {}
    for row, cohort, zone, title in schedules:
        if row.state(cohort.start_date, today_by_zone(zone)) == "open":
            open_now[row.id] = (cohort, title, row.due_on(cohort.start_date))
    if not open_now:
        return []
    answered = sa.exists().where(
        AssessmentResponse.schedule_id == AssessmentSchedule.id,
        AssessmentResponse.participant_id == User.id,
    )
    reminded = sa.exists().where(
        AssessmentReminder.schedule_id == AssessmentSchedule.id,
        AssessmentReminder.participant_id == User.id,
    )
    rows = db.session.execute(
        db.select(AssessmentSchedule.id, User.id, User.email, User.name)
        .join(Enrollment, Enrollment.cohort_id == AssessmentSchedule.cohort_id)
        .join(User, User.id == Enrollment.user_id)
        .where(
            AssessmentSchedule.id.in_(list(open_now)),
            Enrollment.stage == Stage.ENROLLED,
            User.active.is_(True),
            ~answered,
            ~reminded,
        )
        .order_by(AssessmentSchedule.id, User.id)
    ).all()
    return [
        Reminder(
            schedule_id,
            uid,
            email,
            name,
            open_now[schedule_id][1],
            open_now[schedule_id][0].name,
            open_now[schedule_id][0].id,
            open_now[schedule_id][2],
        )
        for schedule_id, uid, email, name in rows
    ]


# -- answers to other domains' questions ------------------------------------------------


@events.at_risk_reasons.connect
def pulse_help_reasons(sender, cohort_ids, today=None, thresholds=None, **kw):
    """``pulse_help``: an open pulse request for help (one row per request)."""
    return sa.select(
        PulseResponse.participant_id,
        PulseResponse.cohort_id,
        sa.literal("pulse_help"),
        sa.literal("Asked for help: ") + PulseResponse.help_with,
    ).where(
        PulseResponse.cohort_id.in_(cohort_ids),
        PulseResponse.needs_help,
        PulseResponse.resolved_at.is_(None),
    )


#: Points on scale items an answer may fall below intake before it counts as a drop.
DEFAULT_DROP = 1


@events.at_risk_reasons.connect
def assessment_drop_reasons(sender, cohort_ids, today=None, thresholds=None, **kw):
    """``assessment_drop``: a midpoint or exit answer to a scale item lower than the same
    person's intake answer by more than ``thresholds["assessment_drop"]`` points (default
    1). One row per person and cohort, with the largest drop."""
    limit = (thresholds or {}).get("assessment_drop", DEFAULT_DROP)
    intake, later = aliased(AssessmentResponse), aliased(AssessmentResponse)
    before, after = aliased(AssessmentAnswer), aliased(AssessmentAnswer)
    drop = before.number - after.number
    return (
        sa.select(
            intake.participant_id,
            intake.cohort_id,
            sa.literal("assessment_drop"),
            sa.literal("Scale answers fell since intake, by up to ")
            + sa.cast(sa.cast(sa.func.max(drop), sa.Integer), sa.String)
            + sa.literal(" points"),
        )
        .join(
            later,
            sa.and_(
                later.template_id == intake.template_id,
                later.participant_id == intake.participant_id,
                later.cohort_id == intake.cohort_id,
                later.point.in_([Point.MIDPOINT, Point.EXIT]),
            ),
        )
        .join(before, before.response_id == intake.id)
        .join(after, sa.and_(after.response_id == later.id, after.item_key == before.item_key))
        .join(TemplateItem, TemplateItem.id == after.item_id)
        .where(
            intake.point == Point.INTAKE,
            intake.cohort_id.in_(cohort_ids),
            TemplateItem.kind == ItemKind.SCALE,
            drop > limit,
        )
        .group_by(intake.participant_id, intake.cohort_id)
    )


@events.skill_gains.connect
def assessment_gains(sender, cohort_ids, threshold=1, **kw):
    """``assessment``: the mean change from intake to exit over an assessment's number
    items is above ``threshold``. One row per person and cohort (the first exit day)."""
    pairs = paired_changes_stmt(cohort_ids).subquery()
    per_template = (
        sa.select(
            pairs.c.participant_id,
            pairs.c.cohort_id,
            sa.func.min(pairs.c.answered_on).label("gained_on"),
        )
        .group_by(pairs.c.participant_id, pairs.c.cohort_id, pairs.c.template_id)
        .having(sa.func.avg(pairs.c.after - pairs.c.before) > threshold)
        .subquery()
    )
    return sa.select(
        per_template.c.participant_id,
        per_template.c.cohort_id,
        sa.func.min(per_template.c.gained_on).label("gained_on"),
        sa.literal("assessment"),
    ).group_by(per_template.c.participant_id, per_template.c.cohort_id)
