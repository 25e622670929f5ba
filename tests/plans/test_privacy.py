"""A person's data export holds their career plan, credentials and support referrals;
erasing someone cuts their name out of plan texts written about others."""

from datetime import timedelta

from coop.core import clock
from coop.extensions import db
from coop.plans.models import PlanStep
from coop.privacy.export import collect
from coop.privacy.services import erase
from coop.programs.models import PartnerKind
from coop.support.models import SupportReferral
from tests.plans.world import credential, credential_type, plan, steps


def test_export_holds_plan_credentials_and_support(world, factory):
    today = clock.today_in()
    plan(world.pat, world.cohort, [("Mock interview", "captain", today, "open")])
    credential(world.pat, world.cohort, credential_type(world.cohort.track_id), today)
    partner = factory.partner(kind=PartnerKind.COMMUNITY, name="Ride Share Fund")
    db.session.add(
        SupportReferral(
            participant_id=world.pat.id,
            cohort_id=world.cohort.id,
            need="transport",
            partner_id=partner.id,
            requested_on=today,
        )
    )
    db.session.flush()
    data = collect(world.pat)
    assert [(r["goal"], r["step"], r["status"]) for r in data["career_plan"]] == [
        ("A career-track job", "Mock interview", "open")
    ]
    assert [(c["credential"], c["issuer"]) for c in data["credentials"]] == [
        ("Google Analytics", "Google")
    ]
    assert [(s["need"], s["partner"]) for s in data["support"]] == [
        ("transport", "Ride Share Fund")
    ]
    assert collect(world.pia)["career_plan"] == []


def test_erasure_cuts_the_name_out_of_plan_texts(world):
    world.pia.name = "Pia Quintanilla"
    row = plan(
        world.pat,
        world.cohort,
        [
            (
                "Study with Pia Quintanilla",
                "participant",
                clock.today_in() + timedelta(days=3),
                "open",
            )
        ],
    )
    (step,) = steps(row)
    step.comment = "Pia Quintanilla will help"
    db.session.flush()
    assert erase(world.pia.id)
    db.session.expire_all()
    step = db.session.get(PlanStep, step.id)
    assert "Quintanilla" not in step.title and "Quintanilla" not in step.comment
