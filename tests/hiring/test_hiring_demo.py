"""The demo: one upcoming hiring event with two partners and a few opt-ins, and one
partner volunteer captain."""

import sqlalchemy as sa

from coop.coaching.models import AlumniCaptain
from coop.db import utcnow
from coop.demo import seed
from coop.extensions import db
from coop.hiring.models import HiringEvent, HiringRegistration, RegistrationStatus


def test_demo_has_an_upcoming_fair_and_a_partner_volunteer(client, login_as):
    seed(participants=40)
    db.session.commit()
    event = db.session.scalar(
        sa.select(HiringEvent).options(sa.orm.selectinload(HiringEvent.partners))
    )
    assert event.starts_at > utcnow()
    assert len(event.partners) == 2
    registered = db.session.scalar(
        sa.select(sa.func.count()).where(
            HiringRegistration.event_id == event.id,
            HiringRegistration.status == RegistrationStatus.REGISTERED,
        )
    )
    assert 3 <= registered == event.seats_taken <= event.capacity
    volunteers = db.session.scalars(
        sa.select(AlumniCaptain).where(AlumniCaptain.is_partner_volunteer)
    ).all()
    assert len(volunteers) == 1 and volunteers[0].partner_id is not None
    # The demo participant sees the fair on their cohort page and may opt in.
    from coop.auth.models import User

    pat = db.session.scalar(sa.select(User).where(User.email == "participant@coop.example"))
    login_as(pat)
    page = client.get("/my-cohort").get_data(as_text=True)
    assert event.title in page and "Opt in" in page
