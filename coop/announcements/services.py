"""Writing an announcement: checked, one row per recipient, mailed through the outbox."""

from datetime import timedelta

from flask import url_for

from coop.announcements import queries
from coop.announcements.models import Announcement, AnnouncementRecipient
from coop.auth.models import User
from coop.core import audit, clock
from coop.core.errors import DomainError
from coop.extensions import db, mail


class AnnouncementError(DomainError):
    pass


def post_announcement(author, target_key: str, *, title: str, body: str, days: int):
    """Write an announcement to the audience ``target_key`` (one of
    ``queries.targets_for(author)``: anything else is refused, so a captain reaches only
    their pod and city staff only their cities), record each recipient and email them."""
    target = next((t for t in queries.targets_for(author) if t.key == target_key), None)
    if target is None:
        raise AnnouncementError("Choose whom to write to.", field="audience")
    title, body = title.strip(), body.strip()
    if not title or not body:
        raise AnnouncementError("Write a title and a message.", field="body")
    ids = queries.recipient_ids(target)
    if not ids:
        raise AnnouncementError("Nobody is enrolled there yet.", field="audience")
    now = clock.now()
    announcement = Announcement(
        author_id=author.id,
        audience=target.audience,
        city_id=target.city_id,
        cohort_id=target.cohort_id,
        assignment_id=target.assignment_id,
        title=title,
        body=body,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    db.session.add(announcement)
    db.session.flush()
    people = db.session.execute(db.select(User.id, User.email).where(User.id.in_(ids))).all()
    link = url_for("portal.my_cohort", _external=True)
    text = f"{body}\n\n{author.name}\n\nAlso on your cohort page: {link}\n"
    rows = []
    for user_id, email in people:
        message = mail.send(email, title, text)
        rows.append(
            AnnouncementRecipient(
                announcement_id=announcement.id, user_id=user_id, outbox_id=message.id
            )
        )
    db.session.add_all(rows)
    db.session.flush()
    audit.record(
        author,
        "announcement.create",
        announcement,
        changed=["title", "body", "audience"],
        city_id=target.city_id,
    )
    return announcement
