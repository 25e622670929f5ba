"""Demo assessments and pulse checks: a skills assessment for every track, given at intake
and exit in every completed cohort (both answered), and at intake, at the current week
(a midpoint, open now) and at exit in every active cohort (intake answered); pulse checks
every two weeks in active cohorts, with one open request for help in the demo captain's
pod.

Runs after the coaching seed and finds what it needs with queries. Responses, answers and
pulse checks are bulk-inserted; deterministic through ``ctx.rng``.
"""

from collections import defaultdict
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa

from coop.assessments import services
from coop.assessments.models import (
    DEFAULT_PULSE_DAYS,
    AssessmentAnswer,
    AssessmentResponse,
    AssessmentSchedule,
    ItemKind,
    Point,
    PulseResponse,
    TemplateItem,
    TemplateVersion,
)
from coop.auth.models import User
from coop.coaching.models import CaptainAssignment, PodMembership
from coop.demo.base import bulk_insert
from coop.enrollment.models import Enrollment, Stage
from coop.extensions import db
from coop.programs.models import Cohort, CohortStatus, Track

ITEMS = {
    "default": [
        "scale: How confident are you explaining your skills to an employer?",
        "scale: How confident are you with the track's main tools?",
        "scale: How ready do you feel to apply for jobs?",
        "scale: How strong is your professional network?",
        "yesno: Have you finished a portfolio project?",
        "number: Hours a week you can give to the program",
        "text: What would you most like to get out of the program?",
    ],
}
HELP = [
    "My laptop keeps crashing during sessions.",
    "I am struggling to keep up with the SQL module.",
    "Childcare on session evenings fell through.",
    "I need advice on a job offer I received.",
]
RESOLVED = "Talked it through on a call; a follow-up is booked."


def _at(day, hour=18) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


def _clip(value: int) -> int:
    return max(1, min(5, value))


def seed(ctx) -> None:
    rng = ctx.rng
    staff = ctx.accounts.get("staff@coop.example") or db.session.scalar(
        sa.select(User).where(User.email == "staff@coop.example")
    )
    tracks = db.session.scalars(sa.select(Track).order_by(Track.id)).all()
    if staff is None or not tracks:
        return
    templates = {}
    for track in tracks:
        template = services.create_template(
            track,
            f"{track.name} skills check",
            "A few minutes on where you stand: answered at the start and at the end of "
            "the program, so you and your captain can see what changed.",
            "\n".join(ITEMS["default"]),
            staff,
        )
        templates[track.id] = template
    items = defaultdict(list)
    for template_id, item in db.session.execute(
        sa.select(TemplateVersion.template_id, TemplateItem)
        .join(TemplateItem, TemplateItem.version_id == TemplateVersion.id)
        .order_by(TemplateItem.position)
    ):
        items[template_id].append(item)
    versions = dict(
        db.session.execute(sa.select(TemplateVersion.template_id, TemplateVersion.id)).all()
    )

    cohorts = db.session.scalars(
        sa.select(Cohort)
        .where(Cohort.status.in_([CohortStatus.ACTIVE, CohortStatus.COMPLETED]))
        .order_by(Cohort.start_date, Cohort.id)
    ).all()
    members = defaultdict(list)
    for cohort_id, user_id in db.session.execute(
        sa.select(Enrollment.cohort_id, Enrollment.user_id)
        .where(
            Enrollment.cohort_id.in_([c.id for c in cohorts]),
            Enrollment.stage.in_([Stage.ENROLLED, Stage.GRADUATED]),
        )
        .order_by(Enrollment.user_id)
    ):
        members[cohort_id].append(user_id)

    # -- schedules ------------------------------------------------------------------------
    planned = []
    for cohort in cohorts:
        weeks = services.cohort_weeks(cohort)
        template_id = templates[cohort.track_id].id
        points = [(Point.INTAKE, 1), (Point.EXIT, weeks)]
        if cohort.status == CohortStatus.ACTIVE:
            current = (ctx.today - cohort.start_date).days // 7 + 1
            if 1 < current < weeks:
                points.append((Point.MIDPOINT, current))
        for point, week in points:
            planned.append(
                {"cohort_id": cohort.id, "template_id": template_id, "point": point, "week": week}
            )
    if planned:
        db.session.execute(bulk_insert(AssessmentSchedule), planned)
    schedule_ids = {
        (c, p): i
        for i, c, p in db.session.execute(
            sa.select(AssessmentSchedule.id, AssessmentSchedule.cohort_id, AssessmentSchedule.point)
        )
    }

    # -- responses: intake (and exit in completed cohorts) --------------------------------
    pat = ctx.accounts.get("participant@coop.example")
    responses, values = [], {}
    for cohort in cohorts:
        template_id = templates[cohort.track_id].id
        done = cohort.status == CohortStatus.COMPLETED
        for user_id in members[cohort.id]:
            if not done and rng.random() < 0.15:
                continue  # a few have not answered intake yet
            base = [rng.choice([1, 2, 2, 3, 3, 4]) for _ in range(4)]
            key = (cohort.id, user_id)
            values[(key, Point.INTAKE)] = base
            points = [(Point.INTAKE, 1)]
            if done:
                gains = [_clip(v + rng.choice([-1, 0, 1, 1, 2, 2])) for v in base]
                values[(key, Point.EXIT)] = gains
                points.append((Point.EXIT, services.cohort_weeks(cohort)))
            for point, week in points:
                day = cohort.start_date + timedelta(weeks=week - 1, days=rng.randint(0, 5))
                responses.append(
                    {
                        "schedule_id": schedule_ids[(cohort.id, point)],
                        "participant_id": user_id,
                        "version_id": versions[template_id],
                        "cohort_id": cohort.id,
                        "template_id": template_id,
                        "point": point,
                        "answered_on": day,
                        "submitted_at": _at(day),
                    }
                )
    if responses:
        db.session.execute(bulk_insert(AssessmentResponse), responses)
    answers = []
    for rid, cohort_id, user_id, template_id, point in db.session.execute(
        sa.select(
            AssessmentResponse.id,
            AssessmentResponse.cohort_id,
            AssessmentResponse.participant_id,
            AssessmentResponse.template_id,
            AssessmentResponse.point,
        )
    ):
        scales = iter(values[((cohort_id, user_id), point)])
        for item in items[template_id]:
            number, text = None, None
            if item.kind == ItemKind.SCALE:
                number = next(scales)
            elif item.kind == ItemKind.YES_NO:
                number = 1 if point == Point.EXIT or rng.random() < 0.3 else 0
            elif item.kind == ItemKind.NUMBER:
                number = rng.choice([5, 8, 10, 12, 15])
            elif point == Point.INTAKE:
                text = rng.choice(["A job in the field", "Confidence in interviews", ""]) or None
            answers.append(
                {
                    "response_id": rid,
                    "item_id": item.id,
                    "item_key": item.key,
                    "number": number,
                    "text": text,
                }
            )
    if answers:
        db.session.execute(bulk_insert(AssessmentAnswer), answers)

    # -- pulse checks in active cohorts ---------------------------------------------------
    captain = ctx.accounts.get("captain@coop.example")
    captain_pod = set()
    if captain is not None:
        captain_pod = set(
            db.session.execute(
                sa.select(PodMembership.cohort_id, PodMembership.participant_id)
                .join(CaptainAssignment, CaptainAssignment.id == PodMembership.assignment_id)
                .join(Cohort, Cohort.id == PodMembership.cohort_id)
                .where(
                    CaptainAssignment.captain_id == captain.id,
                    CaptainAssignment.ended_at.is_(None),
                    Cohort.status == CohortStatus.ACTIVE,
                )
                .order_by(PodMembership.participant_id)
            ).all()
        )
    helper = min(
        (p for p in captain_pod if pat is None or p[1] != pat.id), default=None
    )  # who asks for help now
    pulses = []
    for cohort in cohorts:
        if cohort.status != CohortStatus.ACTIVE or cohort.start_date > ctx.today:
            continue
        period = cohort.start_date
        while period <= ctx.today:
            current = period + timedelta(days=DEFAULT_PULSE_DAYS) > ctx.today
            for user_id in members[cohort.id]:
                if pat is not None and user_id == pat.id and current:
                    continue  # the demo participant's pulse check is waiting for them
                ask = (cohort.id, user_id) == helper and current
                if not ask and rng.random() > (0.6 if current else 0.8):
                    continue
                needs = ask or (not current and rng.random() < 0.05)
                day = min(period + timedelta(days=rng.randint(0, 3)), ctx.today)
                pulses.append(
                    {
                        "cohort_id": cohort.id,
                        "participant_id": user_id,
                        "period_start": period,
                        "confidence": 2 if ask else rng.choice([2, 3, 3, 4, 4, 5]),
                        "workload": 4 if ask else rng.choice([2, 3, 3, 4, 5]),
                        "needs_help": needs,
                        "help_with": rng.choice(HELP) if needs else "",
                        "submitted_at": _at(day, 14),
                        "resolved_at": None if (ask or not needs) else _at(day, 20),
                        "resolved_by_id": None if (ask or not needs) else staff.id,
                        "resolution_note": None if (ask or not needs) else RESOLVED,
                    }
                )
            period += timedelta(days=DEFAULT_PULSE_DAYS)
    if pulses:
        db.session.execute(bulk_insert(PulseResponse), pulses)
