"""Demo programs: the cities, tracks and partners, three years of cohorts (more sections of
the same terms for a program bigger than the base one), and the audit trail of the
cohorts' launch and status changes."""

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

from coop.core.models import AuditEvent
from coop.demo.base import SeedContext
from coop.extensions import db
from coop.programs.models import City, Cohort, CohortStatus, Partner, PartnerKind, Track

CITIES = [
    ("New York", "new-york", "America/New_York"),
    ("Los Angeles", "los-angeles", "America/Los_Angeles"),
    ("San Francisco", "san-francisco", "America/Los_Angeles"),
    ("Chicago", "chicago", "America/Chicago"),
]
TRACKS = [
    (
        "Digital Marketing",
        "digital-marketing",
        "Paid search, social, analytics and campaign craft.",
    ),
    (
        "Data Analytics",
        "data-analytics",
        "Spreadsheets, SQL, dashboards and storytelling with data.",
    ),
]
PARTNERS = [
    ("Google", PartnerKind.SPONSOR, None),
    ("Brightline Media", PartnerKind.EMPLOYER, "New York"),
    ("Northwind Analytics", PartnerKind.EMPLOYER, "Chicago"),
    ("Pacific Retail Group", PartnerKind.EMPLOYER, "Los Angeles"),
    ("Bay Area Youth Jobs", PartnerKind.COMMUNITY, "San Francisco"),
    ("City College Career Center", PartnerKind.COMMUNITY, "New York"),
]
#: Terms start every 26 weeks and last 16.
TERM = timedelta(weeks=26)
TERM_LENGTH = timedelta(weeks=16)

#: Up to this many participants the demo is the hand-made program above. Beyond it, more
#: sections of the same terms (``· B``, ``· C``…) take the extra people in, as a bigger
#: organisation would run them.
BASE_PARTICIPANTS = 200
#: People one extra section takes: a roster of 15 and one declined applicant (a running
#: cohort has no declined applicant yet). The enrollment demo fills rosters of 15.
SECTION_PEOPLE = 16
#: The extra people left over to apply to the recruiting cohorts: a twentieth, at most 200.
MAX_EXTRA_APPLICANTS = 200


def seed(ctx: SeedContext, participants: int = BASE_PARTICIPANTS) -> None:
    for name, slug, zone in CITIES:
        ctx.cities[name] = City(name=name, slug=slug, timezone=zone)
    for name, slug, description in TRACKS:
        ctx.tracks[name] = Track(name=name, slug=slug, description=description)
    for name, kind, city in PARTNERS:
        ctx.partners[name] = Partner(name=name, kind=kind, city=ctx.cities.get(city))
    db.session.add_all([*ctx.cities.values(), *ctx.tracks.values(), *ctx.partners.values()])

    # Three years of cohorts, a term every 26 weeks, placed relative to today so every
    # status is there whatever the date: the current term began six weeks ago (active),
    # the five before it are completed, the next one is recruiting, one is still planned.
    sponsor = ctx.partners["Google"]
    current = ctx.today - timedelta(weeks=6, days=ctx.today.weekday())
    plans = [
        [("New York", "Digital Marketing"), ("Chicago", "Data Analytics")],
        [("Los Angeles", "Digital Marketing")],
    ]
    for k in range(5, -1, -1):
        for city, track in plans[k % 2]:
            _add_cohort(ctx, city, track, current - TERM * k, sponsor)
    nxt = current + TERM
    for city, track in [
        ("New York", "Data Analytics"),
        ("Los Angeles", "Digital Marketing"),
        ("Chicago", "Data Analytics"),
    ]:
        _add_cohort(ctx, city, track, nxt, sponsor, status=CohortStatus.RECRUITING)
    _add_cohort(
        ctx, "San Francisco", "Data Analytics", nxt + TERM, None, status=CohortStatus.PLANNED
    )
    _add_sections(ctx, participants, [current - TERM * k for k in range(5, -1, -1)], sponsor)
    db.session.add_all(ctx.cohorts)


def _add_sections(ctx: SeedContext, participants: int, terms: list[date], sponsor) -> None:
    """More past and current cohorts for a program bigger than the base one.

    Sections (``· B``, ``· C``…) of the six terms in every city and track, a growing
    program (each term has a few more than the one before), until the extra people are
    spread over rosters, leaving a few hundred at most as applicants of the recruiting
    cohorts. Nothing is added up to ``BASE_PARTICIPANTS`` participants.
    """
    extra = participants - BASE_PARTICIPANTS
    if extra <= 0:
        return
    people = extra - min(MAX_EXTRA_APPLICANTS, extra // 20)
    weight = {start: n + 3 for n, start in enumerate(sorted(terms))}
    places = [(city, track) for city, *_ in CITIES for track, *_ in TRACKS]
    sections = Counter((c.city.name, c.track.name, c.start_date) for c in ctx.cohorts)
    added: Counter = Counter()
    while True:
        start = min(terms, key=lambda s: ((added[s] + 1) / weight[s], s))
        city, track = places[added[start] % len(places)]
        need = SECTION_PEOPLE if start + TERM_LENGTH < ctx.today else SECTION_PEOPLE - 1
        if people < need:
            return
        people -= need
        added[start] += 1
        _add_cohort(ctx, city, track, start, sponsor, section=sections[city, track, start])
        sections[city, track, start] += 1


def _section_label(n: int) -> str:
    """A section's letters: 1 -> "B", 25 -> "Z", 26 -> "AA" (the first, 0, goes unlabelled)."""
    label = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        label = chr(ord("A") + r) + label
    return label


def _add_cohort(ctx, city, track, start, sponsor, status=None, section=0) -> Cohort:
    end = start + TERM_LENGTH
    if status is None:
        if end < ctx.today:
            status = CohortStatus.COMPLETED
        elif start <= ctx.today:
            status = CohortStatus.ACTIVE
        else:
            status = CohortStatus.RECRUITING
    cohort = Cohort(
        city=ctx.cities[city],
        track=ctx.tracks[track],
        sponsor=sponsor,
        name=f"{track} · {start:%B %Y}" + (f" · {_section_label(section)}" if section else ""),
        start_date=start,
        end_date=end,
        capacity=16,
        status=status,
        meeting_days="tue,thu",
        meeting_time=time(18, 30),
        video_link=f"https://meet.example.org/coop-{ctx.cities[city].slug}-{start:%Y%m}"
        + (f"-{_section_label(section).lower()}" if section else ""),
    )
    ctx.cohorts.append(cohort)
    return cohort


def seed_history(ctx: SeedContext) -> None:
    """Audit events for the cohorts' launch and status changes, by the demo staff."""
    db.session.flush()
    staff = ctx.accounts["staff@coop.example"]
    steps = [
        (CohortStatus.RECRUITING, lambda c: c.start_date - timedelta(weeks=8)),
        (CohortStatus.ACTIVE, lambda c: c.start_date),
        (CohortStatus.COMPLETED, lambda c: c.end_date),
    ]
    fields = ["capacity", "city_id", "end_date", "meeting_days", "meeting_time", "name"]
    fields += ["sponsor_id", "start_date", "track_id", "video_link"]
    events = []
    order = list(CohortStatus)
    recent = ctx.today - timedelta(days=7)
    for cohort in ctx.cohorts:
        created = min(cohort.start_date - timedelta(weeks=12), recent - timedelta(days=7))
        events.append(_event(staff, "cohort.create", cohort, fields, created))
        for status, when in steps:
            if order.index(status) <= order.index(cohort.status):
                day = min(when(cohort), recent)
                events.append(_event(staff, f"cohort.{status}", cohort, ["status"], day))
    db.session.add_all(events)


def _event(actor, action, target, changed, day: date) -> AuditEvent:
    return AuditEvent(
        actor_id=actor.id,
        action=action,
        target_type=target.__tablename__,
        target_id=target.id,
        changed=changed,
        created_at=datetime.combine(day, time(14, 0), tzinfo=UTC),
    )
