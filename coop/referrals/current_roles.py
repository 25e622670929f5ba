"""Referrals answers ``events.current_roles``: a person's current job is the title of
their latest placement that has not ended (for coaching's pod fit score)."""

import sqlalchemy as sa

from coop.core import events
from coop.extensions import db
from coop.referrals.models import Placement


@events.current_roles.connect
def _current_roles(_sender, *, user_ids, **_) -> dict[int, str]:
    if not user_ids:
        return {}
    rows = db.session.execute(
        sa.select(Placement.participant_id, Placement.title)
        .where(Placement.participant_id.in_(list(user_ids)), Placement.end_date.is_(None))
        .order_by(Placement.start_date, Placement.id)
    ).all()
    return dict(rows)  # the latest placement wins
