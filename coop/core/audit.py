"""Writing audit events. Services call ``record`` for every change they make."""

from collections.abc import Iterable

from coop.core.models import AuditEvent
from coop.extensions import db


def record(
    actor,
    action: str,
    target,
    changed: Iterable[str] = (),
    reason: str | None = None,
) -> AuditEvent:
    """Add an audit event for ``action`` by ``actor`` on ``target`` and flush it.

    ``target`` is a model instance (its table name and id are stored) or a
    ``(type, id)`` pair. ``changed`` names the fields, never their values.
    """
    if isinstance(target, tuple):
        target_type, target_id = target
    else:
        db.session.flush()
        target_type, target_id = target.__tablename__, target.id
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        action=action,
        target_type=target_type,
        target_id=target_id,
        changed=sorted(set(changed)),
        reason=reason,
    )
    db.session.add(event)
    db.session.flush()
    return event


def changed_fields(obj, fields: Iterable[str]) -> list[str]:
    """The names among ``fields`` whose value on ``obj`` differs from the loaded one."""
    state = db.inspect(obj)
    out = []
    for name in fields:
        history = state.attrs[name].history
        if history.has_changes():
            out.append(name)
    return out
