"""The talent pool's test world: two partner organisations, each with a contact who signs
in, an opening each; participants with career profiles in every state."""

from dataclasses import dataclass
from datetime import timedelta

import pytest

from coop.auth.models import Role
from coop.core import clock
from coop.extensions import db
from coop.programs.models import CohortStatus, PartnerKind
from coop.talent import services
from coop.talent.models import CareerProfile
from tests.referrals.conftest import ReferralFactory

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


class TalentFactory:
    def __init__(self, factory):
        self.f = factory
        self.rf = ReferralFactory(factory)

    def partner_contact(self, partner, name="Pia Partner", **kw):
        """A contact of ``partner`` with an account of the partner role."""
        user = self.f.user(Role.PARTNER, name=name, **kw)
        contact = self.rf.contact(partner, name=name, email=user.email)
        contact.user_id = user.id
        db.session.flush()
        return contact, user

    def profile(self, user, *, state="approved", **values) -> CareerProfile:
        """A profile for ``user`` (enrolled already), moved to ``state``: draft,
        submitted, approved, returned or hidden (approved, then hidden)."""
        profile = services.start_profile(user)
        content = {"headline": f"{user.name}, analyst", "skills": ["SQL"]}
        content.update(values)
        services.save_profile(profile, user, **content)
        if state != "draft":
            services.submit_profile(profile, user)
        if state in ("approved", "hidden", "returned"):
            services.approve_profile(profile, self.rf.staff())
        if state == "returned":
            services.return_profile(profile, self.rf.staff(), "Add your target roles.")
        if state == "hidden":
            services.set_visible(profile, user, False)
        db.session.flush()
        return profile


@dataclass
class TalentWorld:
    city: object
    other_city: object
    cohort: object
    other_cohort: object
    captain: object
    initech: object
    globex: object
    contact: object  # Initech's contact
    partner_user: object
    other_contact: object  # Globex's contact
    other_partner_user: object
    opening: object  # Initech's
    other_opening: object  # Globex's
    pat: object  # approved
    sam: object  # approved
    alex: object  # graduate, approved, remote, in the other city
    dana: object  # draft
    hide: object  # approved then hidden
    pat_profile: object
    sam_profile: object
    alex_profile: object
    dana_profile: object
    hide_profile: object


@pytest.fixture
def tf(factory):
    return TalentFactory(factory)


@pytest.fixture
def tw(factory, tf) -> TalentWorld:
    rf = tf.rf
    city = factory.city(name="Metropolis")
    other_city = factory.city(name="Gotham")
    track = factory.track(name="Data Analytics", slug="data-analytics")
    cohort = factory.cohort(city=city, track=track)
    other_cohort = factory.cohort(
        city=other_city,
        track=track,
        status=CohortStatus.COMPLETED,
        start_date=clock.today_in() - timedelta(weeks=40),
    )
    captain = factory.user(Role.CAPTAIN, name="Cap Tain")
    assignment = rf.captain_for(cohort, captain)
    people = {}
    for name in ("Pat Doe", "Sam Roe", "Dana Draft", "Hana Hidden"):
        people[name] = rf.enrolled(cohort, factory.user(name=name)).user
    rf.pod(assignment, people["Pat Doe"])
    alex = rf.graduate(other_cohort, factory.user(name="Alex Alum")).user
    initech = factory.partner(name="Initech", kind=PartnerKind.EMPLOYER, city=city)
    globex = factory.partner(name="Globex", kind=PartnerKind.EMPLOYER, city=other_city)
    contact, partner_user = tf.partner_contact(initech, name="Ina Tech")
    other_contact, other_partner_user = tf.partner_contact(globex, name="Gio Bex")
    opening = rf.opening(partner=initech, city=city, title="Data Analyst")
    other_opening = rf.opening(partner=globex, city=other_city, title="BI Developer")
    pat, sam = people["Pat Doe"], people["Sam Roe"]
    return TalentWorld(
        city=city,
        other_city=other_city,
        cohort=cohort,
        other_cohort=other_cohort,
        captain=captain,
        initech=initech,
        globex=globex,
        contact=contact,
        partner_user=partner_user,
        other_contact=other_contact,
        other_partner_user=other_partner_user,
        opening=opening,
        other_opening=other_opening,
        pat=pat,
        sam=sam,
        alex=alex,
        dana=people["Dana Draft"],
        hide=people["Hana Hidden"],
        pat_profile=tf.profile(
            pat,
            headline="Data analyst who loves SQL dashboards",
            summary="Built a cohort dashboard in Tableau.",
            skills=["SQL", "Tableau"],
            target_roles="Data analyst, BI analyst",
        ),
        sam_profile=tf.profile(
            sam,
            headline="Marketing analyst",
            summary="Campaign reporting and SQL.",
            skills=["SQL", "Excel"],
            target_roles="Marketing analyst",
        ),
        alex_profile=tf.profile(
            alex,
            headline="Python developer and analyst",
            summary="Automation with Python and pandas.",
            skills=["Python"],
            remote=True,
            city_id=other_city.id,
        ),
        dana_profile=tf.profile(people["Dana Draft"], state="draft", headline="SQL wizard"),
        hide_profile=tf.profile(people["Hana Hidden"], state="hidden", headline="SQL analyst"),
    )
