"""Changes a participant or captain makes to their own portal settings."""

from coop.auth.models import ParticipantProfile, User
from coop.core.audit import changed_fields, record
from coop.extensions import db


def update_sharing(user: User, *, share_email: bool, share_phone: bool) -> list[str]:
    """Set what the user shows their cohort: only these two fields of their own profile.
    Returns the names of the fields that changed."""
    profile = user.profile
    if profile is None:
        profile = ParticipantProfile(user_id=user.id)
        db.session.add(profile)
    profile.share_email = bool(share_email)
    profile.share_phone = bool(share_phone)
    changed = changed_fields(profile, ["share_email", "share_phone"])
    if changed:
        db.session.flush()
        record(user, "profile.sharing", ("participant_profiles", user.id), changed)
    return changed
