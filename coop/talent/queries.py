"""Reads for the talent pool: who is whose partner contact, which profiles each viewer
may see, the search, and the lists on the partner's, staff's and captain's pages (each
with its eager loading, so templates never query)."""

from datetime import date

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import aliased, joinedload

from coop.auth.models import User
from coop.coaching.models import CaptainAssignment, PodMembership
from coop.extensions import db
from coop.plans import queries as plan_queries
from coop.programs.models import City, Cohort, Partner
from coop.referrals.models import Opening, PartnerContact, Placement, Referral
from coop.talent import search
from coop.talent.models import (
    CareerProfile,
    InterestRequest,
    InterestStatus,
    Introduction,
    ProfileStatus,
    ShortlistEntry,
)

# -- who is who ------------------------------------------------------------------------------


def contact_of(user) -> PartnerContact | None:
    """The partner contact ``user`` signs in as (with its partner), if any and current."""
    if not getattr(user, "is_partner", False):
        return None
    return db.session.scalar(
        sa.select(PartnerContact)
        .options(joinedload(PartnerContact.partner))
        .join(Partner, Partner.id == PartnerContact.partner_id)
        .where(
            PartnerContact.user_id == user.id,
            PartnerContact.archived.is_(False),
            Partner.archived.is_(False),
        )
    )


def profile_of(user_id: int) -> CareerProfile | None:
    return db.session.scalar(
        sa.select(CareerProfile)
        .options(
            joinedload(CareerProfile.resume),
            joinedload(CareerProfile.city),
            joinedload(CareerProfile.cohort).joinedload(Cohort.track),
        )
        .where(CareerProfile.user_id == user_id)
    )


def _with_everything(stmt):
    return stmt.options(
        joinedload(CareerProfile.user).raiseload(User.cities),
        joinedload(CareerProfile.city),
        joinedload(CareerProfile.resume),
        joinedload(CareerProfile.cohort).options(joinedload(Cohort.track), joinedload(Cohort.city)),
    )


def visible_profiles(user, stmt=None) -> sa.Select:
    """Partner contacts: approved and visible profiles of active people who have not
    withdrawn their consent. Staff: every profile of their cities' cohorts (a profile not
    yet tied to a cohort: organisation-wide staff only). Anyone else: their own."""
    stmt = stmt if stmt is not None else sa.select(CareerProfile)
    if user.is_partner:
        person = aliased(User, name="person")
        return stmt.join(person, person.id == CareerProfile.user_id).where(
            CareerProfile.reaches_partners_clause(),
            person.active.is_(True),
            person.consent_withdrawn_at.is_(None),
        )
    if user.is_staff:
        return user.scope_to_cities(
            stmt, Cohort.city_id, through=(CareerProfile.cohort_id, Cohort.id)
        )
    return stmt.where(CareerProfile.user_id == user.id)


def visible_profiles_of(user, user_ids) -> sa.Select:
    """The profiles ``user`` may see of the people in ``user_ids`` (a select of user ids),
    with what a profile card shows; for lists other domains build (a hiring event's
    people)."""
    stmt = visible_profiles(user).where(CareerProfile.user_id.in_(user_ids))
    return _with_everything(stmt).order_by(CareerProfile.id)


def load_profile(user, profile_id: int) -> CareerProfile | None:
    stmt = _with_everything(visible_profiles(user)).where(CareerProfile.id == profile_id)
    return db.session.scalar(stmt)


# -- the search ------------------------------------------------------------------------------


def terms() -> list[str]:
    """Cohort terms (start months, ``YYYY-MM``) that have profiles, newest first."""
    month = sa.func.substr(sa.cast(Cohort.start_date, sa.String), 1, 7)
    stmt = (
        sa.select(month)
        .join(CareerProfile, CareerProfile.cohort_id == Cohort.id)
        .group_by(month)
        .order_by(month.desc())
    )
    return [t for t in db.session.scalars(stmt) if t]


def _term_range(term: str | None) -> tuple[date, date] | None:
    try:
        year, month = (int(p) for p in (term or "").split("-"))
        first = date(year, month, 1)
    except (ValueError, TypeError):
        return None
    following = date(year + month // 12, month % 12 + 1, 1)
    return first, following


def search_stmt(
    user,
    q: str | None = None,
    *,
    lean: bool = False,
    ranked: bool = True,
    track_id: int | None = None,
    city_id: int | None = None,
    remote: bool | None = None,
    term: str | None = None,
    available_by: date | None = None,
    credential_id: int | None = None,
    status: ProfileStatus | None = None,
    as_partners_see: bool = False,
) -> sa.Select:
    """The profiles ``user`` may see matching ``q`` and the filters, most relevant first
    (newest first without words). Partners only ever get approved, visible profiles;
    staff see every status unless ``status`` narrows it, or ``as_partners_see`` keeps
    only what partners would find (the staff's search page); ``credential_id`` keeps
    people holding that credential, verified. ``lean`` selects only the
    ids (no eager loading); ``ranked=False`` leaves the order out (for counting)."""
    stmt = visible_profiles(user, sa.select(CareerProfile.id) if lean else None)
    if not lean:
        stmt = _with_everything(stmt)
    if status is not None:
        stmt = stmt.where(CareerProfile.status == status)
    if as_partners_see:
        stmt = stmt.where(CareerProfile.reaches_partners_clause())
    if track_id or term:
        stmt = stmt.join(Cohort, Cohort.id == CareerProfile.cohort_id)
        if track_id:
            stmt = stmt.where(Cohort.track_id == track_id)
        if (bounds := _term_range(term)) is not None:
            stmt = stmt.where(Cohort.start_date >= bounds[0], Cohort.start_date < bounds[1])
    if city_id:
        stmt = stmt.where(CareerProfile.city_id == city_id)
    if remote is not None:
        stmt = stmt.where(CareerProfile.remote.is_(remote))
    if available_by is not None:
        stmt = stmt.where(
            sa.or_(
                CareerProfile.available_from.is_(None),
                CareerProfile.available_from <= available_by,
            )
        )
    if credential_id:
        stmt = stmt.where(CareerProfile.user_id.in_(plan_queries.verified_holders(credential_id)))
    stmt, matched = search.matching(stmt, q, ranked=ranked)
    if not matched and ranked:
        stmt = stmt.order_by(CareerProfile.updated_at.desc(), CareerProfile.id.desc())
    return stmt


class SearchPage(Pagination):
    """A page of search results in three queries whatever the size of the pool: the
    count (matching only, no ranking), the page's ids in relevance order, then those
    profiles with everything the page shows."""

    def _query_items(self) -> list:
        ids = list(
            db.session.scalars(
                self._query_args["ids"].limit(self.per_page).offset(self._query_offset)
            )
        )
        if not ids:
            return []
        stmt = _with_everything(sa.select(CareerProfile)).where(CareerProfile.id.in_(ids))
        rows = {p.id: p for p in db.session.scalars(stmt).unique()}
        return [rows[i] for i in ids if i in rows]

    def _query_count(self) -> int:
        counted = self._query_args["counted"]
        return db.session.scalar(sa.select(sa.func.count()).select_from(counted.subquery()))


def search_page(user, q: str | None, *, page: int, per_page: int, **filters) -> SearchPage:
    return SearchPage(
        page=max(page, 1),
        per_page=per_page,
        max_per_page=200,
        error_out=False,
        ids=search_stmt(user, q, lean=True, **filters),
        counted=search_stmt(user, q, lean=True, ranked=False, **filters),
    )


def shortlisted_ids(contact: PartnerContact | None, profile_ids) -> set[int]:
    if contact is None or not profile_ids:
        return set()
    stmt = sa.select(ShortlistEntry.profile_id).where(
        ShortlistEntry.contact_id == contact.id, ShortlistEntry.profile_id.in_(profile_ids)
    )
    return set(db.session.scalars(stmt))


def shortlist_stmt(contact: PartnerContact, user) -> sa.Select:
    """The contact's shortlist: only profiles that still reach partners."""
    return (
        _with_everything(visible_profiles(user))
        .join(ShortlistEntry, ShortlistEntry.profile_id == CareerProfile.id)
        .where(ShortlistEntry.contact_id == contact.id)
        .order_by(ShortlistEntry.created_at.desc(), ShortlistEntry.id.desc())
    )


# -- introductions ---------------------------------------------------------------------------


def _introduction_options(stmt):
    return stmt.options(
        joinedload(Introduction.participant),
        joinedload(Introduction.contact),
        joinedload(Introduction.partner),
        joinedload(Introduction.opening),
    )


def partner_introductions(partner_id: int) -> sa.Select:
    return _introduction_options(
        sa.select(Introduction).where(Introduction.partner_id == partner_id)
    ).order_by(Introduction.created_at.desc(), Introduction.id.desc())


def introductions_between(partner_id: int, participant_id: int) -> list[Introduction]:
    stmt = _introduction_options(
        sa.select(Introduction).where(
            Introduction.partner_id == partner_id, Introduction.participant_id == participant_id
        )
    ).order_by(Introduction.id.desc())
    return list(db.session.scalars(stmt))


def accepted_introduction(partner_id: int, participant_id: int) -> bool:
    stmt = sa.select(Introduction.id).where(
        Introduction.partner_id == partner_id,
        Introduction.participant_id == participant_id,
        Introduction.status == "accepted",
    )
    return db.session.scalar(stmt.limit(1)) is not None


def staff_introductions(user) -> sa.Select:
    """Every request, for staff: of their cities' people (through the person's profile)."""
    stmt = _introduction_options(sa.select(Introduction)).order_by(
        Introduction.created_at.desc(), Introduction.id.desc()
    )
    if user.city_ids is None:
        return stmt
    in_scope = user.scope_to_cities(
        sa.select(CareerProfile.user_id),
        Cohort.city_id,
        through=(CareerProfile.cohort_id, Cohort.id),
    )
    return stmt.where(Introduction.participant_id.in_(in_scope))


def own_introductions(user_id: int) -> list[Introduction]:
    """The person's requests, pending first (the cohort page's panel)."""
    stmt = (
        _introduction_options(sa.select(Introduction))
        .where(Introduction.participant_id == user_id)
        .order_by((Introduction.status == "pending").desc(), Introduction.created_at.desc())
        .limit(20)
    )
    return list(db.session.scalars(stmt))


def load_introduction_for_participant(user, introduction_id: int) -> Introduction | None:
    return db.session.scalar(
        _introduction_options(sa.select(Introduction)).where(
            Introduction.id == introduction_id, Introduction.participant_id == user.id
        )
    )


# -- the partner's own page ------------------------------------------------------------------


def partner_openings(partner_id: int) -> sa.Select:
    return (
        sa.select(Opening)
        .options(joinedload(Opening.city), joinedload(Opening.track))
        .where(Opening.partner_id == partner_id)
        .order_by(Opening.created_at.desc(), Opening.id.desc())
    )


def open_opening_choices(partner_id: int) -> list[tuple[int, str]]:
    stmt = (
        sa.select(Opening.id, Opening.title)
        .where(Opening.partner_id == partner_id, Opening.open_clause())
        .order_by(Opening.title, Opening.id)
    )
    return [(i, t) for i, t in db.session.execute(stmt)]


def _reaching_partners_ids() -> sa.Select:
    return sa.select(CareerProfile.user_id).where(CareerProfile.reaches_partners_clause())


def partner_referrals(partner_id: int) -> sa.Select:
    """Referrals to the organisation of people whose profiles reach partners (of anyone
    else the partner sees nothing)."""
    return (
        sa.select(Referral)
        .options(joinedload(Referral.participant), joinedload(Referral.opening))
        .where(
            Referral.partner_id == partner_id,
            Referral.participant_id.in_(_reaching_partners_ids()),
        )
        .order_by(Referral.stage_changed_at.desc(), Referral.id.desc())
    )


def partner_hires(partner_id: int) -> sa.Select:
    """Hires at the organisation (title and start, never the salary), as for referrals."""
    return (
        sa.select(Placement.id, User.name, Placement.title, Placement.start_date)
        .join(User, User.id == Placement.participant_id)
        .where(
            Placement.partner_id == partner_id,
            Placement.participant_id.in_(_reaching_partners_ids()),
        )
        .order_by(Placement.start_date.desc(), Placement.id.desc())
    )


# -- review queues ---------------------------------------------------------------------------


def review_queue(user) -> sa.Select:
    return (
        search_stmt(user, status=ProfileStatus.SUBMITTED)
        .order_by(None)
        .order_by(CareerProfile.updated_at, CareerProfile.id)
    )


def openings_awaiting(user) -> sa.Select:
    stmt = (
        sa.select(Opening)
        .options(joinedload(Opening.partner), joinedload(Opening.city))
        .where(Opening.awaiting_approval.is_(True), Opening.closed_at.is_(None))
        .order_by(Opening.created_at, Opening.id)
    )
    return user.scope_to_cities(stmt, Opening.city_id, national=True)


def _interest_options(stmt):
    return stmt.options(
        joinedload(InterestRequest.participant),
        joinedload(InterestRequest.opening).joinedload(Opening.partner),
        joinedload(InterestRequest.cohort).joinedload(Cohort.city),
    )


def visible_interest(user, stmt=None) -> sa.Select:
    """Staff: requests of their cities' cohorts. Captains: those of their pods now."""
    stmt = stmt if stmt is not None else sa.select(InterestRequest)
    if user.is_staff:
        return user.scope_to_cities(
            stmt, Cohort.city_id, through=(InterestRequest.cohort_id, Cohort.id)
        )
    if user.is_captain:
        pod = (
            sa.select(PodMembership.participant_id)
            .join(CaptainAssignment, CaptainAssignment.id == PodMembership.assignment_id)
            .where(CaptainAssignment.captain_id == user.id, CaptainAssignment.ended_at.is_(None))
        )
        return stmt.where(InterestRequest.participant_id.in_(pod))
    return stmt.where(sa.false())


def pending_interest(user) -> sa.Select:
    return _interest_options(
        visible_interest(user).where(InterestRequest.status == InterestStatus.PENDING)
    ).order_by(InterestRequest.created_at, InterestRequest.id)


def load_interest(user, request_id: int) -> InterestRequest | None:
    return db.session.scalar(
        _interest_options(visible_interest(user)).where(InterestRequest.id == request_id)
    )


def pod_captain_emails(participant_id: int, cohort_id: int) -> list[str]:
    stmt = (
        sa.select(User.email)
        .join(CaptainAssignment, CaptainAssignment.captain_id == User.id)
        .join(PodMembership, PodMembership.assignment_id == CaptainAssignment.id)
        .where(
            PodMembership.participant_id == participant_id,
            PodMembership.cohort_id == cohort_id,
            CaptainAssignment.ended_at.is_(None),
            User.active.is_(True),
        )
    )
    return list(db.session.scalars(stmt))


def city_choices() -> list[tuple[int, str]]:
    stmt = sa.select(City.id, City.name).where(City.archived.is_(False)).order_by(City.name)
    return [(i, n) for i, n in db.session.execute(stmt)]
