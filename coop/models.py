"""Imports every domain's models, so Alembic and the shell see the whole schema.

``reports`` and ``portal`` have no tables of their own.
"""

import coop.announcements.models  # noqa: F401
import coop.assessments.models  # noqa: F401
import coop.auth.models  # noqa: F401 - imported for the tables it declares
import coop.coaching.models  # noqa: F401
import coop.coaching.request_models  # noqa: F401
import coop.core.models  # noqa: F401
import coop.core.outbox  # noqa: F401
import coop.enrollment.models  # noqa: F401
import coop.enrollment.program_models  # noqa: F401
import coop.hiring.models  # noqa: F401
import coop.plans.models  # noqa: F401
import coop.programs.models  # noqa: F401
import coop.referrals.models  # noqa: F401
import coop.sessions.models  # noqa: F401
import coop.support.models  # noqa: F401
import coop.talent.models  # noqa: F401
