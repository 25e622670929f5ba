"""Which data the dashboard can read.

Other domains hold the data (enrollment, coaching, sessions, referrals). A figure
whose data is not in coop is shown as "not available", never as zero: a missing
source must not read as "nobody".
"""

import importlib

#: Source name -> (module, attribute path) that must exist for it.
REQUIREMENTS: dict[str, tuple[str, str]] = {
    "enrollments": ("coop.enrollment.models", "Enrollment"),
    "enrollment_history": ("coop.enrollment.models", "EnrollmentEvent"),
    "alumni_referred": ("coop.enrollment.models", "Enrollment.referred_by_id"),
    "salary_bands": ("coop.enrollment.models", "Enrollment.salary_band"),
    "attendance": ("coop.sessions.models", "Attendance"),
    "checkins": ("coop.coaching.models", "CheckIn"),
    "alumni_captains": ("coop.coaching.models", "AlumniCaptain"),
    "placements": ("coop.referrals.models", "Placement"),
    "follow_ups": ("coop.referrals.models", "FollowUp"),
    "referrals": ("coop.referrals.models", "Referral"),
    "referral_history": ("coop.referrals.models", "ReferralEvent"),
}

#: Sources treated as missing whatever exists (tests use it to check the fallbacks).
FORCED_MISSING: set[str] = set()


def _lookup(module_name: str, path: str):
    try:
        obj = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            return None
        raise
    for part in path.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def available(name: str) -> bool:
    if name in FORCED_MISSING:
        return False
    module_name, path = REQUIREMENTS[name]
    return _lookup(module_name, path) is not None


def model(name: str):
    """The class (or column) behind an available source."""
    module_name, path = REQUIREMENTS[name]
    return _lookup(module_name, path)
