"""Demo enrollments: rosters for past and current cohorts, applications in every stage for
the recruiting ones, a waitlist on a full cohort, and applicants referred by alumni.

Bulk-inserted (one executemany for the enrollments, one for their events), so
``seed-demo --participants 10000`` stays quick. Every past and current cohort gets a
roster (the foundation adds cohorts for a bigger program); participants beyond the rosters
(a few hundred at most) become applicants of the recruiting cohorts.
"""

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from coop.auth.models import Role, User
from coop.demo.base import insert_rows
from coop.enrollment.history import marks_of as history_marks
from coop.enrollment.models import (
    Enrollment,
    EnrollmentEvent,
    HeardVia,
    Source,
    Stage,
    salary_band_for,
)
from coop.extensions import db
from coop.programs.models import Cohort, CohortStatus, Partner, PartnerKind

#: People per past or current cohort (the capacity is 16).
ROSTER_SIZE = 15
DECLINE_REASONS = [
    "Not a recent graduate.",
    "Already in a career-track role.",
    "Could not attend the weeknight sessions.",
]
WITHDRAW_REASONS = [
    "Took a full-time job with evening shifts.",
    "Family responsibilities.",
    "Moved away from the city.",
]
FRIENDS = ["my cousin Dee", "a friend from college", "Marcus (2023 cohort)", "my old manager"]
HEARD = {"alumnus": HeardVia.ALUMNUS, "community partner": HeardVia.PARTNER}


def _at(day: date, hour: int = 15) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


class _Builder:
    """Collects enrollment rows and their stage histories, then inserts them in bulk."""

    def __init__(self, ctx, staff_by_city, partners):
        self.ctx = ctx
        self.partners = partners
        self.rng = ctx.rng
        self.staff_by_city = staff_by_city
        self.rows: list[dict] = []
        self.histories: list[list[dict]] = []
        self.now = _at(ctx.today, 12)

    def add(self, cohort, user, stages, *, applied_on, reason=None, referred_by=None, **extra):
        """``stages`` after ``applied``, e.g. [ACCEPTED, ENROLLED, GRADUATED]."""
        profile = user.profile
        heard = HEARD.get(profile.referral_source if profile else None, HeardVia.OTHER)
        referrer_text = partner_id = heard_other = None
        if referred_by is not None:
            heard = HeardVia.ALUMNUS
            referrer_text = referred_by.email if self.rng.random() < 0.5 else referred_by.name
        elif heard == HeardVia.ALUMNUS:
            # Someone we cannot match to an account: staff see the name only.
            referrer_text = self.rng.choice(FRIENDS)
        elif heard == HeardVia.PARTNER and self.partners:
            local = [p for p in self.partners if p.city_id == cohort.city_id] or self.partners
            partner_id = self.rng.choice(local).id
        else:
            heard = HeardVia.OTHER
            heard_other = profile.referral_source if profile else None
        created = min(_at(applied_on, self.rng.randint(9, 20)), self.now)
        staff = self.staff_by_city.get(cohort.city_id) or self.staff_by_city[None]
        history = [dict(from_stage=None, to_stage=Stage.APPLIED, actor_id=None, at=created)]
        when = created
        previous = Stage.APPLIED
        for stage in stages:
            when = self._next_time(cohort, stage, when)
            why = None
            if stage == Stage.DECLINED:
                why = reason or self.rng.choice(DECLINE_REASONS)
            elif stage == Stage.WITHDRAWN:
                why = reason or self.rng.choice(WITHDRAW_REASONS)
            elif stage == Stage.WAITLISTED:
                why = "The cohort is full."
            history.append(
                dict(from_stage=previous, to_stage=stage, actor_id=staff.id, at=when, reason=why)
            )
            previous = stage
        final = stages[-1] if stages else Stage.APPLIED
        row = dict(
            cohort_id=cohort.id,
            user_id=user.id,
            stage=final,
            created_at=created,
            stage_changed_at=when,
            source=Source.APPLICATION,
            decision_reason=history[-1].get("reason"),
            phone=profile.phone if profile else None,
            college=profile.college if profile else None,
            graduation_year=profile.graduation_year if profile else None,
            first_generation=profile.first_generation if profile else None,
            low_income=profile.low_income if profile else None,
            job_title=profile.intake_job_title if profile else None,
            salary_band=salary_band_for(profile.intake_salary) if profile else None,
            preferred_city_id=cohort.city_id,
            preferred_track_id=cohort.track_id,
            heard_via=heard,
            referrer_text=referrer_text,
            referred_by_id=referred_by.id if referred_by else None,
            referral_partner_id=partner_id,
            heard_other=heard_other,
            consented_at=created,
            waitlisted_at=None,
            waitlist_position=None,
        )
        row.update(history_marks((h["from_stage"], h["to_stage"]) for h in history))
        row.update(extra)
        self.rows.append(row)
        self.histories.append(history)
        return row

    def _next_time(self, cohort, stage, after: datetime) -> datetime:
        if stage == Stage.GRADUATED:
            return max(_at(cohort.end_date, 20), after)
        if stage == Stage.WITHDRAWN:
            middle = cohort.start_date + (cohort.end_date - cohort.start_date) / 2
            return min(max(_at(middle), after + timedelta(days=1)), self.now)
        return min(after + timedelta(days=self.rng.randint(2, 9)), self.now)

    def insert(self) -> None:
        if not self.rows:
            return
        # A plain executemany, then one SELECT for the ids (RETURNING in many small
        # batches is slow on SQLite); (cohort, user) is unique.
        insert_rows(Enrollment, self.rows)
        keys = dict(
            ((cohort_id, user_id), enrollment_id)
            for enrollment_id, cohort_id, user_id in db.session.execute(
                sa.select(Enrollment.id, Enrollment.cohort_id, Enrollment.user_id)
            )
        )
        ids = [keys[(r["cohort_id"], r["user_id"])] for r in self.rows]
        events = []
        for enrollment_id, history in zip(ids, self.histories, strict=True):
            for step in history:
                events.append(
                    dict(
                        enrollment_id=enrollment_id,
                        from_stage=step["from_stage"],
                        to_stage=step["to_stage"],
                        actor_id=step["actor_id"],
                        reason=step.get("reason"),
                        created_at=step["at"],
                    )
                )
        insert_rows(EnrollmentEvent, events)


def seed(ctx) -> None:
    cohorts = db.session.scalars(
        sa.select(Cohort).options(joinedload(Cohort.city)).order_by(Cohort.start_date, Cohort.id)
    ).all()
    people = list(
        db.session.scalars(
            sa.select(User)
            .where(User.role == Role.PARTICIPANT)
            .options(joinedload(User.profile))
            .order_by(User.id)
        ).unique()
    )
    pat = next((u for u in people if u.email == "participant@coop.example"), None)
    pool = [u for u in people if u is not pat]
    pool.reverse()  # pop() hands them out in id order
    staff = {None: _account(ctx, "staff@coop.example")}
    nyc_staff = _account(ctx, "nyc.staff@coop.example")
    for city in {c.city for c in cohorts}:
        if nyc_staff is not None and city.name == "New York":
            staff[city.id] = nyc_staff
    partners = db.session.scalars(
        sa.select(Partner).where(Partner.kind == PartnerKind.COMMUNITY).order_by(Partner.id)
    ).all()
    build = _Builder(ctx, staff, partners)
    rng = ctx.rng

    def take(n):
        out = []
        while pool and len(out) < n:
            out.append(pool.pop())
        return out

    completed = [c for c in cohorts if c.status == CohortStatus.COMPLETED]
    active = [c for c in cohorts if c.status == CohortStatus.ACTIVE]
    recruiting = [c for c in cohorts if c.status == CohortStatus.RECRUITING]
    graduates: dict[int, list[User]] = {}  # city id -> alumni

    # Past cohorts: mostly graduated, a few withdrew.
    captain = _account(ctx, "captain@coop.example")
    first_ny = next((c for c in completed if c.city.name == "New York"), None)
    for cohort in completed:
        members = take(ROSTER_SIZE)
        if cohort is first_ny and captain is not None:
            members.append(captain)
        for i, user in enumerate(members):
            applied = cohort.start_date - timedelta(weeks=rng.randint(5, 10))
            if user is not captain and i % 7 == 3:
                build.add(
                    cohort,
                    user,
                    [Stage.ACCEPTED, Stage.ENROLLED, Stage.WITHDRAWN],
                    applied_on=applied,
                )
            else:
                build.add(
                    cohort,
                    user,
                    [Stage.ACCEPTED, Stage.ENROLLED, Stage.GRADUATED],
                    applied_on=applied,
                )
                graduates.setdefault(cohort.city_id, []).append(user)
        # A couple of applicants who were declined.
        for user in take(1):
            build.add(
                cohort, user, [Stage.DECLINED], applied_on=cohort.start_date - timedelta(weeks=6)
            )

    # Current cohorts: enrolled, one withdrew; Pat is in the New York one.
    ny_current = _current_new_york(active, recruiting)
    for cohort in active:
        members = take(ROSTER_SIZE - (1 if cohort is ny_current and pat else 0))
        if cohort is ny_current and pat is not None:
            members.insert(0, pat)
        for i, user in enumerate(members):
            applied = cohort.start_date - timedelta(weeks=rng.randint(4, 9))
            stages = [Stage.ACCEPTED, Stage.ENROLLED]
            if i == len(members) - 1 and user is not pat:
                stages.append(Stage.WITHDRAWN)
            build.add(cohort, user, stages, applied_on=applied)

    # Recruiting cohorts: applications in every stage; the first is full with a waitlist.
    for n, cohort in enumerate(recruiting):
        alumni = graduates.get(cohort.city_id, [])

        def referrer(alumni=alumni):
            return rng.choice(alumni) if alumni and rng.random() < 0.35 else None

        def recent(cohort=cohort):
            return min(ctx.today, cohort.start_date) - timedelta(days=rng.randint(3, 40))

        full = n == 0
        if cohort is ny_current and pat is not None:  # no active New York cohort today
            build.add(cohort, pat, [Stage.ACCEPTED, Stage.ENROLLED], applied_on=recent())
        plan = (
            [[Stage.ACCEPTED, Stage.ENROLLED]] * cohort.capacity
            + [[Stage.WAITLISTED]] * 4
            + [[]] * 3
            + [[Stage.DECLINED]]
            if full
            else [[Stage.ACCEPTED, Stage.ENROLLED]] * 5
            + [[Stage.ACCEPTED]]
            + [[]] * 6
            + [[Stage.DECLINED]] * 2
            + [[Stage.WITHDRAWN]]
        )
        if cohort is ny_current and pat is not None:
            plan = plan[1:]
        position = 0
        for stages, user in zip(plan, take(len(plan)), strict=False):
            extra = {}
            if stages == [Stage.WAITLISTED]:
                position += 1
                extra = dict(waitlist_position=position)
            row = build.add(
                cohort, user, stages, applied_on=recent(), referred_by=referrer(), **extra
            )
            if stages == [Stage.WAITLISTED]:
                row["waitlisted_at"] = row["stage_changed_at"]
            if stages == [Stage.WITHDRAWN]:
                row["decision_reason"] = "Found a full-time role in the field."
    # Everyone left (benchmarks) applies to a recruiting cohort.
    for i, user in enumerate(pool[::-1]):
        if not recruiting:
            break
        cohort = recruiting[i % len(recruiting)]
        build.add(
            cohort,
            user,
            [],
            applied_on=min(ctx.today, cohort.start_date) - timedelta(days=rng.randint(1, 40)),
        )
    pool.clear()
    build.insert()

    # Seats follow the rosters.
    seats = Counter(r["cohort_id"] for r in build.rows if r["stage"] == Stage.ENROLLED)
    for cohort in cohorts:
        cohort.seats_taken = seats[cohort.id]
    db.session.flush()


def _account(ctx, email):
    return ctx.accounts.get(email) or db.session.scalar(sa.select(User).where(User.email == email))


def _current_new_york(active, recruiting):
    """The active New York cohort; if none is running today, the next recruiting one."""
    for group in (active, recruiting):
        for cohort in group:
            if cohort.city.name == "New York":
                return cohort
    return None
