"""Referral tracking pages: partners and outreach, the openings board, referrals,
placements and follow-ups after exit.

One blueprint, ``bp`` (endpoints ``referrals.<function>``), its routes in one module per
section:

- ``common``: helpers the sections share;
- ``partners``: partners and their contacts (staff);
- ``outreach``: outreach to partners (staff, captains);
- ``openings``: the openings board;
- ``referrals``: referrals and their stages;
- ``placements``: jobs people got, and verifying them;
- ``mine``: the participant's own page and reporting a job;
- ``follow_ups``: follow-ups after exit (staff).
"""

from flask import Blueprint

from coop.auth.models import Role
from coop.core import nav

bp = Blueprint("referrals", __name__)

STAFF, CAPTAIN, PARTICIPANT = Role.STAFF, Role.CAPTAIN, Role.PARTICIPANT

nav.nav_item("Partners", "referrals.partners", {STAFF}, order=50)
nav.nav_item("Openings", "referrals.openings", {STAFF, CAPTAIN}, order=51)
nav.nav_item("Opportunities", "referrals.openings", {PARTICIPANT}, order=51)
nav.nav_item("Referrals", "referrals.referrals", {STAFF, CAPTAIN}, order=52)
nav.nav_item("My referrals & jobs", "referrals.mine", {PARTICIPANT}, order=52)
nav.nav_item("Follow-ups", "referrals.follow_ups", {STAFF}, order=53)
nav.nav_item("Outreach", "referrals.outreach_list", {CAPTAIN}, order=54)

# The sections register their routes on ``bp`` when imported.
from coop.referrals.views import (  # noqa: E402, F401
    common,
    follow_ups,
    mine,
    openings,
    outreach,
    partners,
    placements,
    referrals,
    volunteers,
)
