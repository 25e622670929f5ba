"""Demo hiring events and a partner volunteer captain: one upcoming job fair in New York
with two partners attending and a few people opted in, and one of Brightline Media's
contacts lent as a volunteer captain."""

from datetime import time, timedelta

import sqlalchemy as sa

from coop.auth.models import ParticipantProfile, Role, User
from coop.coaching import services as coaching_services
from coop.demo.base import SeedContext
from coop.enrollment.models import Enrollment, Stage
from coop.extensions import db
from coop.hiring import services
from coop.hiring.models import EventKind, HiringEvent, HiringRegistration, RegistrationStatus
from coop.programs.models import Cohort
from coop.referrals.models import PartnerContact

#: People who opt in to the demo fair, besides the demo participant.
OPT_INS = 5


def seed(ctx: SeedContext) -> None:
    staff = ctx.accounts["staff@coop.example"]
    new_york = ctx.cities["New York"]
    # Rows of their own (not the services, which refuse a start before the real clock's
    # now): the demo may be seeded for another day.
    day, at = ctx.today + timedelta(days=16), time(18, 0)
    event = HiringEvent(
        title="Winter hiring fair",
        kind=EventKind.JOB_FAIR,
        city_id=new_york.id,
        timezone=new_york.timezone,
        local_date=day,
        local_time=at,
        starts_at=services.local_to_utc(day, at, new_york.timezone),
        duration_minutes=150,
        online_link="https://meet.example.org/winter-fair",
        place="Brightline Media, 200 Hudson St, New York",
        capacity=40,
        description="Meet recruiters from Brightline Media and Google; bring your résumé.",
        created_by_id=staff.id,
        partners=[ctx.partners["Brightline Media"], ctx.partners["Google"]],
    )
    db.session.add(event)
    db.session.flush()
    people = db.session.scalars(
        sa.select(User)
        .join(Enrollment, Enrollment.user_id == User.id)
        .join(Cohort, Cohort.id == Enrollment.cohort_id)
        .where(
            Cohort.city_id == new_york.id,
            Enrollment.stage.in_((Stage.ENROLLED, Stage.GRADUATED)),
            User.role == Role.PARTICIPANT,
            User.active,
        )
        .order_by(User.id)
        .distinct()
        .limit(OPT_INS + 1)
    ).all()
    pat = ctx.accounts["participant@coop.example"]
    chosen = [p for p in people if p.id != pat.id][:OPT_INS]
    for person in chosen:
        db.session.add(
            HiringRegistration(
                event_id=event.id, user_id=person.id, status=RegistrationStatus.REGISTERED
            )
        )
    event.seats_taken = len(chosen)

    # A partner volunteer: one of Brightline Media's current contacts, with an account
    # (the demo password) so no invitation is needed.
    partner = ctx.partners["Brightline Media"]
    contact = db.session.scalar(
        sa.select(PartnerContact)
        .where(
            PartnerContact.partner_id == partner.id,
            PartnerContact.archived.is_(False),
            PartnerContact.email.is_not(None),
        )
        .order_by(PartnerContact.id)
    )
    if contact is None:
        contact = PartnerContact(
            partner_id=partner.id,
            name="Morgan Lee",
            title="Engineering manager",
            email="morgan@brightlinemedia.example",
        )
        db.session.add(contact)
        db.session.flush()
    if db.session.scalar(sa.select(User.id).where(User.email == contact.email)) is None:
        db.session.add(
            User(
                email=contact.email,
                name=contact.name,
                role=Role.CAPTAIN,
                password_hash=ctx.password_hash,
                profile=ParticipantProfile(),
            )
        )
        db.session.flush()
    coaching_services.appoint_partner_volunteer(
        name=contact.name, email=contact.email, partner=partner, contact_id=contact.id, actor=staff
    )
