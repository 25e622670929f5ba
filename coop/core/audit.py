"""Writing audit events. Services call ``record`` for every change they make; views that
show or export personal data call ``record_view``.

Every event names the fields, never their values, and carries the request's id
(``X-Request-ID``), so a row can be matched with the log lines of the request that wrote
it. On PostgreSQL the table is append-only (see ``coop.core.models``).
"""

from collections.abc import Iterable

import sqlalchemy as sa

from coop.core.models import ERASE_SETTING, PURGE_SETTING, AuditEvent
from coop.core.requestlog import NO_REQUEST, request_id
from coop.db import utcnow
from coop.extensions import db

#: A page showed personal data of the subject.
VIEWED = "personal_data.viewed"
#: A download (a CSV) held personal data of the subject.
EXPORTED = "personal_data.exported"
DISCLOSURES = (VIEWED, EXPORTED)

#: The personal data whose every view, export and change is audited: salary (intake and
#: placement), phone, confidential check-in notes and the demographic fields.
PERSONAL_FIELDS = frozenset(
    {
        "phone",
        "first_generation",
        "low_income",
        "salary_band",
        "intake_salary",
        "salary",
        "notes",
        "next_steps",
    }
)


def _request_id() -> str | None:
    rid = request_id()
    return None if rid == NO_REQUEST else rid


def _subject_of(target) -> int | None:
    """The person a changed row is about: a user row itself, else its person column."""
    if target.__tablename__ == "users":
        return target.id
    for name in ("user_id", "participant_id"):
        if (value := getattr(target, name, None)) is not None:
            return value
    return None


def _city_of(target):
    """The city a changed row belongs to (so staff of that city see the event): its own
    ``city_id``, else its cohort's, read inside the INSERT (no extra query). The cohorts
    table is looked up by name: core imports no domain."""
    if (city_id := getattr(target, "city_id", None)) is not None:
        return city_id
    if (cohort_id := getattr(target, "cohort_id", None)) is not None:
        cohorts = db.metadata.tables["cohorts"]
        return sa.select(cohorts.c.city_id).where(cohorts.c.id == cohort_id).scalar_subquery()
    return None


def record(
    actor,
    action: str,
    target,
    changed: Iterable[str] = (),
    reason: str | None = None,
    *,
    subject_id: int | None = None,
    city_id: int | None = None,
) -> AuditEvent:
    """Add an audit event for ``action`` by ``actor`` on ``target`` and flush it.

    ``target`` is a model instance (its table name and id are stored) or a
    ``(type, id)`` pair. ``changed`` names the fields, never their values.
    ``subject_id``: the person whose data it is; ``city_id``: the city it belongs to
    (both found from ``target`` when not given: see ``_subject_of`` and ``_city_of``).
    """
    if isinstance(target, tuple):
        target_type, target_id = target
    else:
        db.session.flush()
        target_type, target_id = target.__tablename__, target.id
        if subject_id is None:
            subject_id = _subject_of(target)
        if city_id is None:
            city_id = _city_of(target)
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        action=action,
        target_type=target_type,
        target_id=target_id,
        changed=sorted(set(changed)),
        reason=reason,
        subject_user_id=subject_id,
        city_id=city_id,
        request_id=_request_id(),
    )
    db.session.add(event)
    db.session.flush()
    return event


def record_view(
    actor,
    subjects: Iterable,
    fields: Iterable[str],
    action: str = VIEWED,
    *,
    target: tuple[str, int | None],
    city_id: int | None = None,
) -> int:
    """Record that ``actor`` saw (or exported) ``fields`` of each of ``subjects``: one row
    per person, written by a single INSERT. Returns how many rows.

    ``subjects``: user ids, or ``(user_id, city_id)`` pairs when the people belong to
    different cities (else ``city_id`` applies to all). ``target``: what was shown, a
    ``(type, id)`` pair such as ``("enrollments", 12)`` or ``("cohorts", 3)``. A person
    looking at their own data is not recorded; nor is anything when ``fields`` is empty.
    The view must run in ``coop.core.retry.transaction`` so the rows are committed.
    """
    names = sorted(set(fields))
    actor_id = getattr(actor, "id", None)
    seen: dict[int, int | None] = {}
    for subject in subjects:
        user_id, city = subject if isinstance(subject, tuple) else (subject, city_id)
        if user_id is not None and user_id != actor_id:
            seen.setdefault(user_id, city)
    if not names or not seen:
        return 0
    target_type, target_id = target
    now, rid = utcnow(), _request_id()
    db.session.execute(
        sa.insert(AuditEvent),
        [
            {
                "actor_id": actor_id,
                "action": action,
                "target_type": target_type,
                "target_id": target_id,
                "changed": names,
                "subject_user_id": user_id,
                "city_id": city,
                "request_id": rid,
                "created_at": now,
            }
            for user_id, city in seen.items()
        ],
    )
    return len(seen)


def changed_fields(obj, fields: Iterable[str]) -> list[str]:
    """The names among ``fields`` whose value on ``obj`` differs from the loaded one."""
    state = db.inspect(obj)
    out = []
    for name in fields:
        history = state.attrs[name].history
        if history.has_changes():
            out.append(name)
    return out


def purge_counts(before) -> list[tuple[str, int]]:
    """``(action, rows)`` of the events created before the UTC instant ``before``."""
    stmt = (
        sa.select(AuditEvent.action, sa.func.count())
        .where(AuditEvent.created_at < before)
        .group_by(AuditEvent.action)
        .order_by(AuditEvent.action)
    )
    return [(action, count) for action, count in db.session.execute(stmt)]


def allow_erasing_reasons() -> None:
    """Let this transaction clear the free-text ``reason`` of events (erasing a person
    whose name a reason may hold). On PostgreSQL the append-only trigger allows such an
    UPDATE, touching no other column, only after this transaction-local setting."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT set_config(:name, 'on', true)"), {"name": ERASE_SETTING})


def purge(before) -> int:
    """Delete the events created before the UTC instant ``before``; returns how many.

    On PostgreSQL the append-only trigger lets these deletes through only because of the
    transaction-local setting made here (``SET LOCAL``): it ends with the caller's
    transaction, so no other statement, before or after, may delete a row.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT set_config(:name, 'on', true)"), {"name": PURGE_SETTING})
    result = db.session.execute(
        sa.delete(AuditEvent).where(AuditEvent.created_at < before),
        execution_options={"synchronize_session": False},
    )
    return result.rowcount
