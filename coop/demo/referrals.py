"""Demo data for referral tracking: partner contacts and outreach, openings (open, closed,
expired), referrals in every stage with their history, placements (career-track or not,
verified or waiting) and follow-ups after exit (due, overdue, closed).

Runs after the enrollment, coaching and sessions seeds; finds what it needs by query.
Deterministic (``ctx.rng``) and bulk-inserted, so it stays quick with 10,000 people.
"""

from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from coop.auth.models import Role, User
from coop.coaching.models import CaptainAssignment
from coop.demo.base import bulk_insert, insert_rows
from coop.enrollment.models import Enrollment, Stage
from coop.extensions import db
from coop.programs.models import City, Cohort, Partner, PartnerKind, Track
from coop.referrals import services
from coop.referrals.models import (
    PIPELINE,
    EmploymentStatus,
    FollowUp,
    Opening,
    Outreach,
    PartnerContact,
    Placement,
    PlacementSource,
    Referral,
    ReferralEvent,
    ReferralKind,
    ReferralStage,
)

CONTACT_NAMES = [
    ("Alicia Moreno", "Campus recruiter"),
    ("Ben Okoro", "Talent acquisition lead"),
    ("Chloe Park", "HR business partner"),
    ("Dev Raman", "Hiring manager, analytics"),
    ("Erin Walsh", "Community partnerships"),
    ("Felix Grant", "Program director"),
]
OUTREACH_NOTES = [
    "Coffee chat about spring hiring; they want two analysts by March.",
    "Presented coop at their all-hands; three alumni volunteered as mock interviewers.",
    "Site visit with the cohort; Q&A with their marketing team.",
    "Call about a sponsored workshop on resume writing.",
    "Tabled at their career fair; 14 sign-ups for the info session.",
    "Introduced our captains; they will share openings monthly.",
]
TITLES = {
    "Digital Marketing": [
        "Marketing Coordinator",
        "Social Media Associate",
        "Paid Search Analyst",
        "Content Marketing Associate",
        "Email Marketing Specialist",
    ],
    "Data Analytics": [
        "Junior Data Analyst",
        "Business Intelligence Analyst",
        "Reporting Analyst",
        "Operations Analyst",
        "Data Quality Associate",
    ],
}
OTHER_JOBS = [
    ("Retail associate", 33000),
    ("Customer service rep", 37000),
    ("Administrative assistant", 40000),
    ("Barista", 30000),
]
EMPLOYERS_ELSEWHERE = ["Acme Health", "Metro Transit Authority", "Sunrise Bank", "Urban Outfit Co"]

#: How referrals end up, by weight (every stage appears).
FINAL_STAGES = [
    (ReferralStage.REFERRED, 18),
    (ReferralStage.APPLIED, 16),
    (ReferralStage.INTERVIEWING, 12),
    (ReferralStage.OFFER, 6),
    (ReferralStage.HIRED, 16),
    (ReferralStage.NOT_SELECTED, 16),
    (ReferralStage.WITHDRAWN, 6),
]


def seed(ctx) -> None:
    now = datetime.combine(ctx.today, time(17, 0), tzinfo=UTC)
    staff = _user("staff@coop.example")
    if staff is None:
        return
    captain = _user("captain@coop.example")
    partners = db.session.scalars(sa.select(Partner).order_by(Partner.id)).all()
    cities = db.session.scalars(sa.select(City).order_by(City.id)).all()
    tracks = db.session.scalars(sa.select(Track).order_by(Track.id)).all()
    if not partners or not cities:
        return

    _seed_contacts(ctx, partners)
    _seed_outreach(ctx, partners, [u for u in (staff, captain) if u], now)
    openings = _seed_openings(
        ctx, partners, cities, tracks, [u for u in (staff, captain) if u], now
    )
    referrals = _seed_referrals(ctx, staff, openings, partners, now)
    _seed_placements(ctx, staff, referrals, partners, now)
    _seed_follow_ups(ctx, staff, now)


def _user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email))


def _at(day: date, rng) -> datetime:
    return datetime.combine(day, time(rng.randint(13, 23), rng.randint(0, 59)), tzinfo=UTC)


def _seed_contacts(ctx, partners) -> None:
    rows = []
    for partner in partners:
        for name, title in ctx.rng.sample(CONTACT_NAMES, ctx.rng.randint(1, 3)):
            first = name.split()[0].lower()
            domain = partner.name.lower().replace(" ", "") + ".example"
            rows.append(
                {
                    "partner_id": partner.id,
                    "name": name,
                    "title": title,
                    "email": f"{first}@{domain}",
                    "phone": f"(555) 02{ctx.rng.randint(0, 99):02d}",
                    "archived": ctx.rng.random() < 0.1,
                }
            )
    insert_rows(PartnerContact, rows)


def _seed_outreach(ctx, partners, people, now) -> None:
    rows = []
    for partner in partners:
        for _ in range(ctx.rng.randint(1, 4)):
            occurred = ctx.today - timedelta(days=ctx.rng.randint(3, 300))
            follow_up = None
            if ctx.rng.random() < 0.5:
                follow_up = occurred + timedelta(days=ctx.rng.choice([14, 30, 60, 90]))
            if not rows:  # whatever the draws: one outreach whose follow-up is due now
                occurred, follow_up = ctx.today - timedelta(days=20), ctx.today - timedelta(days=6)
            rows.append(
                {
                    "partner_id": partner.id,
                    "logged_by_id": ctx.rng.choice(people).id,
                    "occurred_on": occurred,
                    "contact_name": ctx.rng.choice(CONTACT_NAMES)[0],
                    "summary": ctx.rng.choice(OUTREACH_NOTES),
                    "follow_up_on": follow_up,
                    "created_at": _at(occurred, ctx.rng),
                }
            )
    insert_rows(Outreach, rows)


def _seed_openings(ctx, partners, cities, tracks, posters, now) -> list[dict]:
    """A handful per hiring partner: most open, some closed by hand, some expired."""
    rows = []
    hiring = [p for p in partners if p.kind in (PartnerKind.EMPLOYER, PartnerKind.SPONSOR)]
    for partner in hiring:
        for n in range(ctx.rng.randint(3, 5)):
            track = ctx.rng.choice(tracks) if tracks else None
            titles = TITLES.get(track.name if track else "") or [
                t for ts in TITLES.values() for t in ts
            ]
            state = "open" if n < 2 else ctx.rng.choice(["open", "closed", "expired"])
            remote = ctx.rng.random() < 0.25
            city = None
            if not remote or ctx.rng.random() < 0.5:
                city_id = partner.city_id or ctx.rng.choice(cities).id
                city = city_id
            created = ctx.today - timedelta(days=ctx.rng.randint(5, 120))
            closes_on = None
            closed_at = None
            if state == "open":
                if ctx.rng.random() < 0.7:
                    closes_on = ctx.today + timedelta(days=ctx.rng.randint(7, 60))
            elif state == "expired":
                closes_on = ctx.today - timedelta(days=ctx.rng.randint(1, 40))
            else:
                closed_at = now - timedelta(days=ctx.rng.randint(1, 30))
            slug = partner.name.lower().replace(" ", "-")
            rows.append(
                {
                    "partner_id": partner.id,
                    "title": ctx.rng.choice(titles),
                    "city_id": city,
                    "remote": remote or city is None,
                    "url": f"https://careers.{slug}.example/jobs/{1000 + len(rows)}",
                    "track_id": track.id if track and ctx.rng.random() < 0.85 else None,
                    "description": "Entry-level role on a friendly team; a degree is required.",
                    "closes_on": closes_on,
                    "closed_at": closed_at,
                    "posted_by_id": ctx.rng.choice(posters).id,
                    "created_at": _at(created, ctx.rng),
                }
            )
    # Whatever the draws, one opening closed by hand and one past its closing date (by
    # more than a day, so it has expired in every city's zone).
    for state, partner in (("closed", hiring[0]), ("expired", hiring[-1])):
        slug = partner.name.lower().replace(" ", "-")
        rows.append(
            {
                "partner_id": partner.id,
                "title": TITLES["Data Analytics"][len(rows) % 5],
                "city_id": partner.city_id or cities[0].id,
                "remote": False,
                "url": f"https://careers.{slug}.example/jobs/{1000 + len(rows)}",
                "track_id": None,
                "description": "Entry-level role on a friendly team; a degree is required.",
                "closes_on": ctx.today - timedelta(days=5) if state == "expired" else None,
                "closed_at": now - timedelta(days=3) if state == "closed" else None,
                "posted_by_id": posters[0].id,
                "created_at": now - timedelta(days=40),
            }
        )
    # One well-known opening nobody is referred to yet (the browser test uses it).
    northwind = next((p for p in hiring if p.name == "Northwind Analytics"), hiring[0])
    rows.append(
        {
            "partner_id": northwind.id,
            "title": "Associate Data Analyst",
            "city_id": northwind.city_id or cities[0].id,
            "remote": True,
            "url": "https://careers.northwind-analytics.example/jobs/associate-data-analyst",
            "track_id": next((t.id for t in tracks if t.name == "Data Analytics"), None),
            "description": "SQL, dashboards and curiosity. Mentored by two coop alumni.",
            "closes_on": ctx.today + timedelta(days=45),
            "closed_at": None,
            "posted_by_id": posters[0].id,
            "created_at": now - timedelta(days=2),
        }
    )
    ids = db.session.scalars(
        bulk_insert(Opening).returning(Opening.id, sort_by_parameter_order=True), rows
    ).all()
    for row, oid in zip(rows, ids, strict=True):
        row["id"] = oid
    return rows[:-1]


def _path(final: ReferralStage, rng) -> list[ReferralStage]:
    """Stages a referral went through to reach ``final``."""
    if final in PIPELINE:
        stages = PIPELINE[: PIPELINE.index(final) + 1]
    else:
        stages = PIPELINE[: rng.randint(1, 3)] + [final]
    # People often skip telling us they applied.
    if len(stages) > 2 and rng.random() < 0.2:
        stages.remove(ReferralStage.APPLIED)
    return stages


def _seed_referrals(ctx, staff, openings, partners, now) -> list[dict]:
    rng = ctx.rng
    enrollments = db.session.execute(
        sa.select(
            Enrollment.id,
            Enrollment.user_id,
            Enrollment.cohort_id,
            Enrollment.stage,
            Cohort.city_id,
            Cohort.start_date,
            Cohort.end_date,
        )
        .join(Cohort, Cohort.id == Enrollment.cohort_id)
        .join(User, User.id == Enrollment.user_id)
        .where(
            Enrollment.stage.in_([Stage.ENROLLED, Stage.GRADUATED]), User.role == Role.PARTICIPANT
        )
        .order_by(Enrollment.id)
    ).all()
    if not enrollments:
        return []
    captains: dict[int, list[int]] = {}
    for cohort_id, captain_id in db.session.execute(
        sa.select(CaptainAssignment.cohort_id, CaptainAssignment.captain_id).order_by(
            CaptainAssignment.id
        )
    ):
        captains.setdefault(cohort_id, []).append(captain_id)
    alumni: dict[int, list[int]] = {}
    places: dict[int, dict[int, list[int]]] = {}  # city -> alumnus -> places in alumni[city]
    for e in enrollments:
        if e.stage == Stage.GRADUATED:
            city = alumni.setdefault(e.city_id, [])
            places.setdefault(e.city_id, {}).setdefault(e.user_id, []).append(len(city))
            city.append(e.user_id)
    employer_ids = [p.id for p in partners if p.kind != PartnerKind.COMMUNITY]
    stage_pool = [s for s, w in FINAL_STAGES for _ in range(w)]
    participant = _user("participant@coop.example")
    demo_person = participant.id if participant else None

    chosen = [e for e in enrollments if e.user_id == demo_person]
    others = [e for e in enrollments if e.user_id != demo_person]
    chosen += rng.sample(others, max(min(len(others), 7), len(others) // 3))
    referrals, taken = [], set()
    for i, e in enumerate(chosen):
        mine = e.user_id == demo_person
        for _ in range(2 if mine else rng.choice([1, 1, 1, 2])):
            if mine:
                final = ReferralStage.APPLIED if not referrals else ReferralStage.REFERRED
            else:
                final = FINAL_STAGES[i % len(FINAL_STAGES)][0] if i < 14 else rng.choice(stage_pool)
            candidates = [o for o in openings if (e.user_id, o["id"]) not in taken]
            use_opening = candidates and (rng.random() < 0.8 or (mine and not referrals))
            opening = rng.choice(candidates) if use_opening else None
            if opening is None and not employer_ids:
                continue
            start = e.start_date + timedelta(days=21)
            if e.stage == Stage.GRADUATED and rng.random() < 0.5:
                start = e.end_date - timedelta(days=14)
            start = min(start, ctx.today - timedelta(days=2))
            created_day = start + timedelta(days=rng.randint(0, max((ctx.today - start).days, 0)))
            created_day = min(created_day, ctx.today - timedelta(days=1))
            pool = captains.get(e.cohort_id) or [staff.id]
            city_alumni = alumni.get(e.city_id, [])
            own = places.get(e.city_id, {}).get(e.user_id, [])
            if mine:
                referrer = pool[0]
            elif len(city_alumni) > len(own) and rng.random() < 0.2:
                referrer = _choose_peer(rng, city_alumni, own)
            elif rng.random() < 0.75:
                referrer = rng.choice(pool)
            else:
                referrer = staff.id
            if opening is not None:
                taken.add((e.user_id, opening["id"]))
            referrals.append(
                {
                    "kind": ReferralKind.EMPLOYMENT,
                    "referrer_id": referrer,
                    "participant_id": e.user_id,
                    "cohort_id": e.cohort_id,
                    "opening_id": opening["id"] if opening else None,
                    "partner_id": opening["partner_id"] if opening else rng.choice(employer_ids),
                    "note": rng.choice(
                        [
                            None,
                            "Strong Excel and SQL from the cohort project; great presenter.",
                            "Met the hiring manager at our alumni night; she asked for a resume.",
                            "Ready for a client-facing role; ask about flexible start dates.",
                        ]
                    ),
                    "_final": final,
                    "_created": _at(created_day, rng),
                }
            )
    events = []
    for r in referrals:
        stages = _path(r.pop("_final"), rng)
        at = r.pop("_created")
        r["created_at"] = at
        steps = []
        for n, stage in enumerate(stages):
            if n:
                at = min(at + timedelta(days=rng.randint(2, 12), hours=rng.randint(0, 8)), now)
            steps.append((stages[n - 1] if n else None, stage, at))
        r["stage"] = stages[-1]
        r["stage_changed_at"] = steps[-1][2]
        r["_steps"] = steps
    rows = [{k: v for k, v in r.items() if not k.startswith("_")} for r in referrals]
    ids = db.session.scalars(
        bulk_insert(Referral).returning(Referral.id, sort_by_parameter_order=True), rows
    ).all()
    for r, rid in zip(referrals, ids, strict=True):
        r["id"] = rid
        for n, (old, new, at) in enumerate(r.pop("_steps")):
            by_participant = new in (ReferralStage.APPLIED, ReferralStage.INTERVIEWING)
            events.append(
                {
                    "referral_id": rid,
                    "from_stage": old,
                    "to_stage": new,
                    "actor_id": r["referrer_id"]
                    if n == 0
                    else (r["participant_id"] if by_participant else staff.id),
                    "at": at,
                    "note": "Offer letter received." if new == ReferralStage.OFFER else None,
                }
            )
    for start in range(0, len(events), 5000):
        insert_rows(ReferralEvent, events[start : start + 5000])
    return referrals


def _choose_peer(rng, alumni: list[int], own: list[int]) -> int:
    """``rng.choice`` among ``alumni`` but the entries at the (ascending) places ``own``,
    without building that list for every referral: same draw, same result."""
    index = rng.randrange(len(alumni) - len(own))
    for place in own:
        if place <= index:
            index += 1
    return alumni[index]


def _seed_placements(ctx, staff, referrals, partners, now) -> None:
    rng = ctx.rng
    names = {p.id: p.name for p in partners}
    titles = {}
    for oid, title in db.session.execute(sa.select(Opening.id, Opening.title)):
        titles[oid] = title
    rows = []
    placed = set()
    for r in referrals:
        if r["stage"] != ReferralStage.HIRED:
            continue
        career = rng.random() < 0.75
        start = min(r["stage_changed_at"].date() + timedelta(days=14), ctx.today)
        verified = rng.random() < 0.85
        rows.append(
            {
                "participant_id": r["participant_id"],
                "cohort_id": r["cohort_id"],
                "partner_id": r["partner_id"],
                "employer_name": names[r["partner_id"]],
                "title": titles.get(r["opening_id"]) or "Associate",
                "start_date": start,
                "salary": rng.randrange(52000, 78000, 500)
                if career
                else rng.randrange(34000, 45000, 500),
                "full_time": career or rng.random() < 0.6,
                "career_track": career,
                "source": PlacementSource.REFERRAL,
                "referral_id": r["id"],
                "reported_by_id": staff.id,
                "verified_by_id": staff.id if verified else None,
                "verified_at": now if verified else None,
                "created_at": now,
            }
        )
        placed.add(r["participant_id"])
    # Graduates who found jobs on their own and told us (some not yet verified).
    graduates = db.session.execute(
        sa.select(Enrollment.user_id, Enrollment.cohort_id, Cohort.end_date)
        .join(Cohort, Cohort.id == Enrollment.cohort_id)
        .where(Enrollment.stage == Stage.GRADUATED)
        .order_by(Enrollment.id)
    ).all()
    # Whatever the draws, the first three graduates who found a job on their own show a
    # verified career-track job, a job off the career track and one waiting for staff.
    forced = iter([(True, PlacementSource.STAFF), (False, PlacementSource.STAFF), (None, None)])
    for user_id, cohort_id, end_date in graduates:
        if user_id in placed or rng.random() > 0.35:
            continue
        placed.add(user_id)
        career = rng.random() < 0.55
        force_career, force_source = next(forced, (None, PlacementSource.STAFF))
        if force_career is not None:
            career = force_career
        start = min(end_date + timedelta(days=rng.randint(10, 150)), ctx.today)
        if career:
            title = rng.choice([t for ts in TITLES.values() for t in ts])
            salary = rng.randrange(50000, 80000, 500)
        else:
            title, base = rng.choice(OTHER_JOBS)
            salary = base + rng.randint(-2, 3) * 1000
        self_reported = rng.random() < 0.5
        verified = not self_reported or rng.random() < 0.5
        if force_source is None:  # the third: reported by the graduate, not yet verified
            self_reported, verified = True, False
        elif force_career is not None:
            self_reported, verified = False, True
        rows.append(
            {
                "participant_id": user_id,
                "cohort_id": cohort_id,
                "partner_id": None,
                "employer_name": rng.choice(EMPLOYERS_ELSEWHERE),
                "title": title,
                "start_date": start,
                "salary": salary,
                "full_time": career or rng.random() < 0.5,
                "career_track": career,
                "source": PlacementSource.SELF_REPORTED if self_reported else PlacementSource.STAFF,
                "referral_id": None,
                "reported_by_id": user_id if self_reported else staff.id,
                "verified_by_id": staff.id if verified else None,
                "verified_at": now if verified else None,
                "created_at": now,
            }
        )
    for start in range(0, len(rows), 5000):
        insert_rows(Placement, rows[start : start + 5000])


def _seed_follow_ups(ctx, staff, now) -> None:
    """Tasks for every graduate; most of those long past due are done, the rest wait."""
    graduates = db.session.scalars(
        sa.select(Enrollment).where(Enrollment.stage == Stage.GRADUATED).order_by(Enrollment.id)
    ).all()
    services.ensure_followups(graduates)
    career = set(
        db.session.scalars(
            sa.select(Placement.participant_id).where(
                Placement.career_track.is_(True), Placement.verified_at.is_not(None)
            )
        )
    )
    past = db.session.execute(
        sa.select(FollowUp.id, FollowUp.participant_id, FollowUp.due_date)
        .where(FollowUp.due_date < ctx.today)
        .order_by(FollowUp.id)
    ).all()
    updates = []
    # Whatever the draws: the first one is done, and the latest one more than a day past
    # its date (overdue in every city's zone) is still open.
    waiting = max(
        (f for f in past[1:] if (ctx.today - f[2]).days > 1), key=lambda f: f[2], default=None
    )
    for n, (fid, participant_id, due) in enumerate(past):
        # Recent ones are often still open (overdue); older ones are mostly done.
        done = ctx.rng.random() < (0.3 if (ctx.today - due).days < 45 else 0.85)
        if n == 0 or (fid, participant_id, due) == waiting:
            done = n == 0
        if done:
            if participant_id in career:
                status = EmploymentStatus.CAREER_TRACK
            else:
                status = ctx.rng.choice(
                    [
                        EmploymentStatus.EMPLOYED_OTHER,
                        EmploymentStatus.EMPLOYED_OTHER,
                        EmploymentStatus.UNEMPLOYED,
                        EmploymentStatus.IN_EDUCATION,
                        EmploymentStatus.UNREACHABLE,
                    ]
                )
            closed = datetime.combine(
                min(due + timedelta(days=ctx.rng.randint(0, 20)), ctx.today),
                time(18, 0),
                tzinfo=UTC,
            )
            updates.append(
                {
                    "id": fid,
                    "status": status,
                    "closed_at": min(closed, now),
                    "closed_by_id": staff.id,
                }
            )
    for start in range(0, len(updates), 5000):
        db.session.execute(sa.update(FollowUp), updates[start : start + 5000])
