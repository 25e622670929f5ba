"""Demo data for the talent pool: the two demo partner contacts (tied to Brightline Media
and Northwind Analytics), 60 approved career profiles (the demo participant's among
them), a few waiting for review or still drafts, a pending introduction request and an
"I'm interested" request.

Runs after the referrals seed. Profiles go in with one bulk INSERT, and their full-text
rows (SQLite) with another; ``seed_profiles`` is also what ``make bench-talent`` uses.
"""

from datetime import timedelta

import sqlalchemy as sa

from coop.auth.models import User
from coop.demo.base import bulk_insert
from coop.enrollment.models import Enrollment, Stage
from coop.extensions import db
from coop.programs.models import Cohort, Partner, Track
from coop.referrals.models import Opening, PartnerContact
from coop.talent import search
from coop.talent.models import (
    CareerProfile,
    InterestRequest,
    Introduction,
    ProfileStatus,
)
from coop.talent.skills import vocabulary_for

#: The demo partner contacts: (email, partner name, job title).
CONTACTS = [
    ("partner@coop.example", "Brightline Media", "Campus recruiter"),
    ("partner2@coop.example", "Northwind Analytics", "Talent acquisition lead"),
]
#: The opening the Brightline contact posted (the browser test asks for it).
DEMO_OPENING = "Marketing Data Analyst"
#: The demo participant's own profile.
PAT_PROFILE = {
    "headline": "Marketing analyst who turns messy spreadsheets into campaign dashboards",
    "summary": "Ten years in retail operations; at coop I built our cohort's campaign "
    "dashboard from Google Analytics exports and ran A/B tests on our newsletter.",
    "skills": ["Google Analytics", "A/B testing", "Email marketing", "Excel", "Spanish"],
    "target_roles": "Marketing analyst, Marketing coordinator",
    "linkedin_url": "https://www.linkedin.com/in/pat-participant-demo",
}
APPROVED = 60
SUBMITTED = 5
DRAFTS = 3

ROLES = {
    "data-analytics": ["Data analyst", "BI analyst", "Reporting analyst", "Operations analyst"],
    "digital-marketing": [
        "Marketing coordinator",
        "SEO specialist",
        "Social media associate",
        "Content marketer",
    ],
}
PASTS = [
    "retail operations",
    "customer service",
    "hospitality",
    "administration",
    "nonprofit outreach",
    "logistics",
    "teaching",
]
EXTRA_TAGS = ["Spanish", "Canva", "Looker", "HubSpot", "Salesforce", "Notion", "R"]


def profile_values(rng, *, user_id, cohort_id, city_id, slug, today, status):
    """One profile's column values (also the benchmark's)."""
    vocabulary = vocabulary_for(slug)
    skills = rng.sample(vocabulary, rng.randint(3, 6))
    if rng.random() < 0.4:
        skills.append(rng.choice(EXTRA_TAGS))
    roles = rng.sample(ROLES.get(slug, ["Analyst"]), 2)
    past = rng.choice(PASTS)
    headline = f"{roles[0]} with a background in {past}"
    summary = (
        f"Came to coop from {past}. Strong in {skills[0]} and {skills[1]}; "
        f"looking for a first {roles[0].lower()} role."
    )
    days = rng.choice([0, 0, 14, 30, 60, 90])
    available = today + timedelta(days=days) if days else None  # None: available now
    values = {
        "user_id": user_id,
        "cohort_id": cohort_id,
        "headline": headline,
        "summary": summary,
        "skills": skills,
        "target_roles": ", ".join(roles),
        "city_id": city_id,
        "remote": rng.random() < 0.5,
        "relocate": rng.random() < 0.25,
        "available_from": available,
        "linkedin_url": None,
        "portfolio_url": None,
        "status": status,
        "return_reason": None,
        "visible": True,
    }
    values["search_text"] = " \n".join(
        [headline, summary, " ".join(skills), values["target_roles"]]
    )
    return values


def seed_profiles(rows: list[dict]) -> list[int]:
    """Bulk-insert profiles (dicts from ``profile_values``) and their search rows."""
    if not rows:
        return []
    stmt = sa.insert(CareerProfile).returning(CareerProfile.id, sort_by_parameter_order=True)
    ids = list(db.session.scalars(stmt, rows))
    search.index_rows([(i, r["search_text"]) for i, r in zip(ids, rows, strict=True)])
    return ids


def _candidates(limit: int, rng):
    """(user id, cohort id, city id, track slug) of enrolled or graduated people, the
    demo participant first, one row per person (their latest cohort)."""
    stmt = (
        sa.select(Enrollment.user_id, Cohort.id, Cohort.city_id, Track.slug, User.email)
        .join(Cohort, Cohort.id == Enrollment.cohort_id)
        .join(Track, Track.id == Cohort.track_id)
        .join(User, User.id == Enrollment.user_id)
        .where(Enrollment.stage.in_((Stage.ENROLLED, Stage.GRADUATED)), User.active.is_(True))
        .order_by(
            (User.email == "participant@coop.example").desc(),
            Enrollment.user_id,
            Cohort.start_date.desc(),
        )
    )
    seen, rows = set(), []
    for user_id, cohort_id, city_id, slug, _email in db.session.execute(stmt):
        if user_id in seen:
            continue
        seen.add(user_id)
        rows.append((user_id, cohort_id, city_id, slug))
    # The demo participant first, then a sample from every city and track.
    return rows[:1] + rng.sample(rows[1:], min(limit - 1, len(rows) - 1))


def seed(ctx) -> None:
    partners = {p.name: p for p in db.session.scalars(sa.select(Partner))}
    contacts = {}
    for email, partner_name, title in CONTACTS:
        user = ctx.accounts.get(email)
        partner = partners.get(partner_name)
        if user is None or partner is None:
            continue
        contact = PartnerContact(
            partner_id=partner.id, name=user.name, title=title, email=email, user_id=user.id
        )
        db.session.add(contact)
        contacts[email] = contact
    if "Northwind Analytics" in partners:
        partners["Northwind Analytics"].openings_need_approval = True
    db.session.flush()
    brightline = contacts.get("partner@coop.example")
    if brightline is not None:
        # An opening the partner contact posted themself, open until filled.
        db.session.add(
            Opening(
                partner_id=brightline.partner_id,
                title=DEMO_OPENING,
                city_id=partners["Brightline Media"].city_id,
                url="https://jobs.example.org/brightline/marketing-data-analyst",
                description="Own the reporting of our campaigns: SQL, dashboards, and clear stories.",
                posted_by_id=brightline.user_id,
            )
        )
        db.session.flush()

    people = _candidates(APPROVED + SUBMITTED + DRAFTS, ctx.rng)
    statuses = (
        [ProfileStatus.APPROVED] * APPROVED
        + [ProfileStatus.SUBMITTED] * SUBMITTED
        + [ProfileStatus.DRAFT] * DRAFTS
    )
    rows = [
        profile_values(
            ctx.rng,
            user_id=user_id,
            cohort_id=cohort_id,
            city_id=city_id,
            slug=slug,
            today=ctx.today,
            status=status,
        )
        for (user_id, cohort_id, city_id, slug), status in zip(people, statuses, strict=False)
    ]
    if rows and people[0][0] == getattr(ctx.accounts.get("participant@coop.example"), "id", None):
        rows[0].update(PAT_PROFILE)
        rows[0]["search_text"] = " \n".join(
            [
                PAT_PROFILE["headline"],
                PAT_PROFILE["summary"],
                " ".join(PAT_PROFILE["skills"]),
                PAT_PROFILE["target_roles"],
            ]
        )
    ids = seed_profiles(rows)

    # Northwind asked someone (not the demo participant) for an introduction.
    northwind = contacts.get("partner2@coop.example")
    if northwind is not None and len(ids) > 3:
        db.session.add(
            Introduction(
                partner_id=northwind.partner_id,
                contact_id=northwind.id,
                participant_id=rows[3]["user_id"],
                message="We are hiring analysts this spring; could we talk?",
            )
        )
    # Someone said "I'm interested" in an open opening.
    opening = db.session.scalar(
        sa.select(Opening).where(Opening.open_clause()).order_by(Opening.id).limit(1)
    )
    if opening is not None and len(rows) > 5:
        db.session.execute(
            bulk_insert(InterestRequest),
            [
                {
                    "participant_id": rows[5]["user_id"],
                    "opening_id": opening.id,
                    "cohort_id": rows[5]["cohort_id"],
                }
            ],
        )
