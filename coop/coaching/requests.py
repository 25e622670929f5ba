"""Asking graduates (or partner volunteer captains) to captain a cohort; they accept or
decline with a reason.

A request is open until answered or until ``expires_at`` (``CAPTAIN_REQUEST_DAYS`` after
it was sent, 14 by default); an open row past its expiry already counts as expired
everywhere, and is marked so when a new request for the same person and cohort is made.
Accepting puts the person on the team through ``services.add_to_team`` (appointing them as
an alumni captain first if they are not one yet), so its rules still hold: never a cohort
they are enrolled in, the per-captain maximum. One open request per person and cohort (a
partial unique index).
"""

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from sqlalchemy.orm import aliased, joinedload

from coop.auth.models import User
from coop.coaching.models import DEFAULT_MAX_PARTICIPANTS, AlumniCaptain, CaptainAssignment
from coop.coaching.queries import OPEN_STATUSES
from coop.coaching.request_models import CaptainRequest, DeclineReason, RequestStatus
from coop.coaching.services import CoachingError, add_to_team, appoint_captain
from coop.core.audit import record
from coop.db import utcnow
from coop.enrollment.models import Enrollment, Stage
from coop.extensions import db, mail
from coop.programs.models import Cohort, Partner

DEFAULT_DAYS = 14


class RequestConflict(Exception):  # noqa: N818 - a condition
    """Another request answered the same captain request first; retried."""


def expiry_days() -> int:
    return int(current_app.config.get("CAPTAIN_REQUEST_DAYS", DEFAULT_DAYS))


def _graduated_from(user: User) -> int | None:
    """The cohort that makes ``user`` a possible captain: their current appointment's,
    else the latest cohort they graduated from."""
    appointed = db.session.scalar(
        sa.select(AlumniCaptain.graduated_from_id).where(
            AlumniCaptain.user_id == user.id, AlumniCaptain.stepped_down_at.is_(None)
        )
    )
    if appointed is not None:
        return appointed
    return db.session.scalar(
        sa.select(Enrollment.cohort_id)
        .join(Cohort, Cohort.id == Enrollment.cohort_id)
        .where(Enrollment.user_id == user.id, Enrollment.stage == Stage.GRADUATED)
        .order_by(Cohort.end_date.desc(), Cohort.id.desc())
        .limit(1)
    )


def _is_volunteer(user: User) -> bool:
    """Whether ``user`` is a current partner volunteer captain."""
    return bool(
        db.session.scalar(
            sa.select(AlumniCaptain.id).where(
                AlumniCaptain.user_id == user.id,
                AlumniCaptain.stepped_down_at.is_(None),
                AlumniCaptain.is_partner_volunteer.is_(True),
            )
        )
    )


def volunteer_choices() -> list[tuple[int, str]]:
    """``(user id, "Name — Volunteer · Partner")`` of the current, active partner
    volunteer captains, by name (one query)."""
    rows = db.session.execute(
        sa.select(User.id, User.name, Partner.name)
        .join(AlumniCaptain, AlumniCaptain.user_id == User.id)
        .join(Partner, Partner.id == AlumniCaptain.partner_id)
        .where(
            AlumniCaptain.is_partner_volunteer.is_(True),
            AlumniCaptain.stepped_down_at.is_(None),
            User.active.is_(True),
        )
        .order_by(User.name, User.id)
    )
    return [(i, f"{name} — Volunteer · {partner}") for i, name, partner in rows]


def ask(cohort: Cohort, user: User, actor, message: str | None = None) -> CaptainRequest:
    """Ask ``user`` (a graduate, a current captain or a partner volunteer captain) to join
    ``cohort``'s team; emailed."""
    if cohort.status not in OPEN_STATUSES or cohort.archived:
        raise CoachingError(f"{cohort.name} is {cohort.status}: its team is closed.")
    if user.is_staff or not user.active:
        raise CoachingError(f"{user.name} cannot be asked to captain.", "email")
    graduated_from = _graduated_from(user)
    if graduated_from is None and not _is_volunteer(user):
        raise CoachingError(f"{user.name} has not graduated from a cohort yet.", "email")
    enrolled = db.session.scalar(
        sa.select(Enrollment.stage).where(
            Enrollment.cohort_id == cohort.id, Enrollment.user_id == user.id
        )
    )
    if enrolled is not None:
        raise CoachingError(
            f"{user.name} has an enrollment in this cohort ({enrolled}) and cannot captain it.",
            "email",
        )
    on_team = db.session.scalar(
        sa.select(CaptainAssignment.id).where(
            CaptainAssignment.cohort_id == cohort.id,
            CaptainAssignment.captain_id == user.id,
            CaptainAssignment.ended_at.is_(None),
        )
    )
    if on_team is not None:
        raise CoachingError(f"{user.name} is on this team already.", "email")
    now = utcnow()
    existing = db.session.scalar(
        sa.select(CaptainRequest).where(
            CaptainRequest.cohort_id == cohort.id,
            CaptainRequest.user_id == user.id,
            CaptainRequest.status == RequestStatus.OPEN,
        )
    )
    if existing is not None:
        if existing.is_open(now):
            raise CoachingError(f"{user.name} has an open request for this cohort.", "email")
        existing.status = RequestStatus.EXPIRED
        db.session.flush()
    req = CaptainRequest(
        cohort_id=cohort.id,
        user_id=user.id,
        graduated_from_id=graduated_from,
        status=RequestStatus.OPEN,
        message=(message or "").strip()[:1000] or None,
        expires_at=now + timedelta(days=expiry_days()),
        requested_by_id=getattr(actor, "id", None),
        created_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(req)
            db.session.flush()
    except sa.exc.IntegrityError:
        raise CoachingError(f"{user.name} has an open request for this cohort.", "email") from None
    record(actor, "captain_request.create", req, ["cohort_id", "user_id", "expires_at"])
    mail.send(
        user.email,
        f"Would you captain {cohort.name}?",
        f"Hello {user.name},\n\nWould you come back as an alumni captain for {cohort.name}, "
        f"starting {cohort.start_date:%-d %B %Y}?"
        + (f"\n\n{req.message}" if req.message else "")
        + "\n\nAccept or decline (with a reason) here, within "
        f"{expiry_days()} days:\n\n{url_for('captain_requests.mine', _external=True)}\n",
    )
    return req


@dataclass
class Asked:
    asked: list[str]
    skipped: list[str]


def ask_team_of(cohort: Cohort, source: Cohort, actor) -> Asked:
    """Ask every captain of ``source``'s team (e.g. the cohort this one was cloned from)
    to captain ``cohort``; those who cannot be asked are named, the others asked."""
    people = db.session.scalars(
        sa.select(User)
        .join(CaptainAssignment, CaptainAssignment.captain_id == User.id)
        .where(CaptainAssignment.cohort_id == source.id)
        .order_by(User.name, User.id)
    ).all()
    out = Asked([], [])
    for user in people:
        try:
            with db.session.begin_nested():
                ask(cohort, user, actor)
        except CoachingError as exc:
            out.skipped.append(str(exc))
        else:
            out.asked.append(user.name)
    return out


def _answer(req: CaptainRequest, status: RequestStatus, **values) -> None:
    now = utcnow()
    result = db.session.execute(
        sa.update(CaptainRequest)
        .where(CaptainRequest.id == req.id, CaptainRequest.status == RequestStatus.OPEN)
        .values(status=status, answered_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise RequestConflict(f"captain request {req.id} changed meanwhile")
    db.session.expire(req, ["status", "answered_at", *values])


def accept(req: CaptainRequest, user: User) -> CaptainAssignment:
    """``user`` accepts: they join the team (appointed as a captain first if need be)."""
    if not req.can_answer(user):
        raise CoachingError("This request is no longer open.")
    cohort = db.session.get(Cohort, req.cohort_id)
    current = db.session.scalar(
        sa.select(AlumniCaptain.id).where(
            AlumniCaptain.user_id == user.id, AlumniCaptain.stepped_down_at.is_(None)
        )
    )
    if current is None and req.graduated_from_id is None:
        raise CoachingError("You are no longer a volunteer captain; ask coop staff.")
    _answer(req, RequestStatus.ACCEPTED)
    if current is None:
        appoint_captain(user, db.session.get(Cohort, req.graduated_from_id), actor=user)
    assignment = add_to_team(cohort, user, user, max_participants=DEFAULT_MAX_PARTICIPANTS)
    record(user, "captain_request.accept", req, ["status"])
    return assignment


def decline(req: CaptainRequest, user: User, reason: str, note: str | None = None) -> None:
    """``user`` declines with a reason from the list (and, for "another reason", a note)."""
    if not req.can_answer(user):
        raise CoachingError("This request is no longer open.")
    try:
        code = DeclineReason(reason)
    except ValueError:
        raise CoachingError("Choose a reason.", "reason") from None
    note = (note or "").strip()[:500] or None
    if code == DeclineReason.OTHER and not note:
        raise CoachingError("Tell us the reason in a few words.", "note")
    _answer(req, RequestStatus.DECLINED, decline_reason=code, decline_note=note)
    record(user, "captain_request.decline", req, ["status", "decline_reason", "decline_note"])


def withdraw(req: CaptainRequest, actor) -> None:
    """Staff take back an open request."""
    if not req.is_open():
        raise CoachingError("Only an open request can be withdrawn.")
    _answer(req, RequestStatus.WITHDRAWN)
    record(actor, "captain_request.withdraw", req, ["status"])


# -- reads -------------------------------------------------------------------------------


def open_for(user) -> list[CaptainRequest]:
    """The person's open requests (not expired), soonest cohort first (one query)."""
    return list(
        db.session.scalars(
            sa.select(CaptainRequest)
            .options(joinedload(CaptainRequest.cohort).joinedload(Cohort.city))
            .where(
                CaptainRequest.user_id == user.id,
                CaptainRequest.status == RequestStatus.OPEN,
                CaptainRequest.expires_at > utcnow(),
            )
            .order_by(CaptainRequest.expires_at, CaptainRequest.id)
        )
    )


def mine(user) -> list[CaptainRequest]:
    """Every request the person had, newest first (one query)."""
    return list(
        db.session.scalars(
            sa.select(CaptainRequest)
            .options(joinedload(CaptainRequest.cohort).joinedload(Cohort.city))
            .where(CaptainRequest.user_id == user.id)
            .order_by(CaptainRequest.created_at.desc(), CaptainRequest.id.desc())
            .limit(50)
        )
    )


def request_of(user, request_id: int) -> CaptainRequest | None:
    return db.session.scalar(
        sa.select(CaptainRequest)
        .options(joinedload(CaptainRequest.cohort))
        .where(CaptainRequest.id == request_id, CaptainRequest.user_id == user.id)
    )


def for_cohort(cohort: Cohort) -> list[CaptainRequest]:
    return list(
        db.session.scalars(
            sa.select(CaptainRequest)
            .options(joinedload(CaptainRequest.user).lazyload(User.cities))
            .where(CaptainRequest.cohort_id == cohort.id)
            .order_by(CaptainRequest.created_at.desc(), CaptainRequest.id.desc())
            .limit(200)
        )
    )


def overview_stmt(viewer):
    """Every open (unexpired) request in the viewer's cities, soonest expiry first."""
    cohort = aliased(Cohort)
    stmt = (
        sa.select(CaptainRequest)
        .join(cohort, cohort.id == CaptainRequest.cohort_id)
        .options(
            joinedload(CaptainRequest.user).lazyload(User.cities),
            joinedload(CaptainRequest.cohort).joinedload(Cohort.city),
        )
        .where(CaptainRequest.status == RequestStatus.OPEN, CaptainRequest.expires_at > utcnow())
        .order_by(CaptainRequest.expires_at, CaptainRequest.id)
    )
    return viewer.scope_to_cities(stmt, cohort.city_id)


def team_sizes(cohort_ids) -> dict[int, int]:
    """Current captains per cohort (one grouped query)."""
    if not cohort_ids:
        return {}
    rows = db.session.execute(
        sa.select(CaptainAssignment.cohort_id, sa.func.count(CaptainAssignment.id))
        .where(
            CaptainAssignment.cohort_id.in_(set(cohort_ids)),
            CaptainAssignment.ended_at.is_(None),
        )
        .group_by(CaptainAssignment.cohort_id)
    ).all()
    return dict(rows)


def earlier_cohorts(cohort: Cohort) -> list[Cohort]:
    """Cohorts of the same city and track that started before ``cohort``, with a team:
    whose captains staff may ask back."""
    with_team = sa.select(CaptainAssignment.cohort_id)
    return list(
        db.session.scalars(
            sa.select(Cohort)
            .where(
                Cohort.city_id == cohort.city_id,
                Cohort.track_id == cohort.track_id,
                Cohort.start_date < cohort.start_date,
                Cohort.id.in_(with_team),
            )
            .order_by(Cohort.start_date.desc(), Cohort.id.desc())
            .limit(20)
        )
    )
