"""Every change in the talent pool. Services check their rules, flush, audit and never
commit; the request commits once. Mail goes out after that commit (``coop.core.mail``)."""

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.exc import IntegrityError

from coop.auth import services as auth_services
from coop.auth.models import Role, User
from coop.core.audit import changed_fields, record
from coop.core.errors import DomainError
from coop.core.links import https_url
from coop.db import utcnow
from coop.extensions import db, mail
from coop.programs.models import Partner
from coop.referrals import queries as referral_queries
from coop.referrals import services as referral_services
from coop.referrals.models import Opening, PartnerContact
from coop.referrals.services import ReferralError
from coop.talent import queries, search
from coop.talent.models import (
    RESUME_MAX_BYTES,
    CareerProfile,
    InterestRequest,
    InterestStatus,
    Introduction,
    IntroductionStatus,
    ProfileStatus,
    Resume,
    ShortlistEntry,
)
from coop.talent.skills import MAX_SKILLS, MAX_TAG


class TalentError(DomainError):
    """A change the talent pool's rules refuse; the message says why."""


# -- career profiles -------------------------------------------------------------------------

PROFILE_FIELDS = [
    "headline",
    "summary",
    "skills",
    "target_roles",
    "city_id",
    "remote",
    "relocate",
    "available_from",
    "linkedin_url",
    "portfolio_url",
]


def start_profile(user) -> CareerProfile:
    """The person's draft profile, tied to their latest cohort (enrolled or graduated)."""
    if not user.is_participant:
        raise TalentError("Career profiles are for participants and alumni.")
    enrollment = referral_queries.latest_enrollment(user.id)
    if enrollment is None:
        raise TalentError("A career profile needs an enrollment in a cohort.")
    profile = CareerProfile(
        user_id=user.id,
        cohort_id=enrollment.cohort_id,
        city_id=enrollment.cohort.city_id,
        headline="",
        skills=[],
        status=ProfileStatus.DRAFT,
    )
    db.session.add(profile)
    db.session.flush()
    search.index(profile)
    record(user, "career_profile.create", profile, subject_id=user.id)
    return profile


def save_profile(profile: CareerProfile, actor, **values) -> list[str]:
    """Change the profile's content. An approved profile goes back to review (partners
    see only what staff approved); a returned one stays returned until submitted."""
    if actor.id != profile.user_id:
        raise TalentError("Only the person edits their career profile.")
    for key in ("linkedin_url", "portfolio_url"):
        if key in values:
            try:
                values[key] = https_url(values[key])
            except ValueError as exc:
                raise TalentError(str(exc), key) from None
    skills = values.get("skills") or []
    if len(skills) > MAX_SKILLS:
        raise TalentError(f"At most {MAX_SKILLS} skills, please.", "tags")
    if any(len(s) > MAX_TAG for s in skills):
        raise TalentError(f"Keep each skill under {MAX_TAG} characters.", "tags")
    if not (values.get("headline") or "").strip():
        raise TalentError("A headline is required.", "headline")
    for key, value in values.items():
        setattr(profile, key, value)
    changed = changed_fields(profile, values.keys())
    if not changed:
        return []
    if profile.status == ProfileStatus.APPROVED:
        profile.status = ProfileStatus.SUBMITTED
        changed.append("status")
    search.index(profile)
    record(actor, "career_profile.update", profile, changed, subject_id=profile.user_id)
    return changed


def submit_profile(profile: CareerProfile, actor) -> None:
    if actor.id != profile.user_id:
        raise TalentError("Only the person submits their career profile.")
    if not profile.can_submit:
        if profile.status == ProfileStatus.SUBMITTED:
            raise TalentError("Your profile is waiting for review already.")
        if profile.status == ProfileStatus.APPROVED:
            raise TalentError("Your profile is approved already.")
        raise TalentError("Give your profile a headline before you submit it.")
    profile.status = ProfileStatus.SUBMITTED
    db.session.flush()
    record(actor, "career_profile.submit", profile, ["status"], subject_id=profile.user_id)


def approve_profile(profile: CareerProfile, actor) -> None:
    if profile.status != ProfileStatus.SUBMITTED:
        raise TalentError("Only a submitted profile can be approved.")
    profile.status = ProfileStatus.APPROVED
    profile.return_reason = None
    profile.reviewed_by_id, profile.reviewed_at = actor.id, utcnow()
    db.session.flush()
    record(actor, "career_profile.approve", profile, ["status"], subject_id=profile.user_id)


def return_profile(profile: CareerProfile, actor, reason: str) -> None:
    """Send the profile back to its author with ``reason``; it leaves the search."""
    reason = (reason or "").strip()
    if not reason:
        raise TalentError("Say what should change.", "reason")
    if profile.status not in (ProfileStatus.SUBMITTED, ProfileStatus.APPROVED):
        raise TalentError("Only a submitted or approved profile can be returned.")
    profile.status = ProfileStatus.RETURNED
    profile.return_reason = reason
    profile.reviewed_by_id, profile.reviewed_at = actor.id, utcnow()
    db.session.flush()
    record(
        actor,
        "career_profile.return",
        profile,
        ["status", "return_reason"],
        subject_id=profile.user_id,
    )


def set_visible(profile: CareerProfile, actor, visible: bool) -> None:
    """The person's switch: hidden, the profile (and their introductions' details) leave
    every partner's view at once."""
    if actor.id != profile.user_id:
        raise TalentError("Only the person hides or shows their career profile.")
    if profile.visible == visible:
        return
    profile.visible = visible
    db.session.flush()
    record(actor, "career_profile.visibility", profile, ["visible"], subject_id=profile.user_id)


def looks_like_pdf(data: bytes) -> bool:
    """A PDF starts with ``%PDF-`` (within its first KiB) and ends with ``%%EOF``."""
    head = data[:1024]
    return b"%PDF-" in head and b"%%EOF" in data[-2048:]


def upload_resume(profile: CareerProfile, actor, filename: str, data: bytes) -> Resume:
    if actor.id != profile.user_id:
        raise TalentError("Only the person uploads their résumé.")
    if not data:
        raise TalentError("The file is empty.", "resume")
    if len(data) > RESUME_MAX_BYTES:
        raise TalentError("The résumé must be 2 MB or smaller.", "resume")
    if not looks_like_pdf(data):
        raise TalentError("That file is not a PDF: export your résumé as PDF.", "resume")
    name = "".join(c for c in (filename or "") if c.isalnum() or c in "._- ")[:100].strip()
    name = name if name.lower().endswith(".pdf") else "resume.pdf"
    resume = db.session.get(Resume, profile.id)
    if resume is None:
        resume = Resume(profile_id=profile.id, filename=name, size=len(data), data=data)
        db.session.add(resume)
    else:
        resume.filename, resume.size, resume.data = name, len(data), data
        resume.uploaded_at = utcnow()
    db.session.flush()
    record(actor, "career_resume.upload", ("career_resumes", profile.id), subject_id=actor.id)
    return resume


# -- partner contacts ------------------------------------------------------------------------


def invite_contact(contact: PartnerContact, actor):
    """Give the contact an account (role partner) and email the invitation link."""
    if contact.user_id is not None:
        raise TalentError(f"{contact.name} has an account already.")
    if contact.archived:
        raise TalentError("This contact is archived.")
    if not contact.email:
        raise TalentError(f"Add an email address for {contact.name} first.")
    try:
        user = auth_services.invite_user(
            actor, email=contact.email, name=contact.name, role=Role.PARTNER
        )
    except auth_services.AccountError as exc:
        raise TalentError(exc.message) from None
    contact.user_id = user.id
    db.session.flush()
    record(actor, "partner_contact.invite", contact, ["user_id"])
    return user


def toggle_shortlist(contact: PartnerContact, profile: CareerProfile, actor) -> bool:
    """Add the profile to the contact's shortlist, or take it off; True when added."""
    entry = db.session.scalar(
        sa.select(ShortlistEntry).where(
            ShortlistEntry.contact_id == contact.id, ShortlistEntry.profile_id == profile.id
        )
    )
    if entry is not None:
        db.session.delete(entry)  # a favourite, not a record: it goes
        db.session.flush()
        record(actor, "shortlist.remove", ("career_profiles", profile.id))
        return False
    try:
        with db.session.begin_nested():
            db.session.add(ShortlistEntry(contact_id=contact.id, profile_id=profile.id))
            db.session.flush()
    except IntegrityError:
        return True  # a double click: it is on the list
    record(actor, "shortlist.add", ("career_profiles", profile.id), subject_id=profile.user_id)
    return True


def request_introduction(
    contact: PartnerContact,
    actor,
    profile: CareerProfile,
    *,
    opening: Opening | None = None,
    message: str | None = None,
) -> Introduction:
    """Ask the person for an introduction (for ``opening``, one of the contact's
    organisation's open openings, if given); they are emailed and see it on their cohort
    page."""
    if not profile.reaches_partners:
        raise TalentError("This profile is not available.")
    if opening is not None and (opening.partner_id != contact.partner_id or not opening.is_open()):
        raise TalentError("Choose one of your organisation's open openings.", "opening_id")
    same = sa.select(Introduction.id).where(
        Introduction.partner_id == contact.partner_id,
        Introduction.participant_id == profile.user_id,
        Introduction.opening_id.is_(None)
        if opening is None
        else Introduction.opening_id == opening.id,
    )
    if db.session.scalar(same.limit(1)) is not None:
        raise TalentError("Your organisation has asked this person already.", "opening_id")
    intro = Introduction(
        partner_id=contact.partner_id,
        contact_id=contact.id,
        participant_id=profile.user_id,
        opening_id=opening.id if opening else None,
        message=(message or "").strip() or None,
    )
    try:
        with db.session.begin_nested():
            db.session.add(intro)
            db.session.flush()
    except IntegrityError:
        raise TalentError("Your organisation has asked this person already.") from None
    _mail_introduction(intro, contact, profile, opening)
    record(actor, "introduction.request", intro, ["opening_id"], subject_id=profile.user_id)
    return intro


def _mail_introduction(intro, contact, profile, opening) -> None:
    person = db.session.get(User, profile.user_id)
    partner = db.session.get(Partner, contact.partner_id)
    what = f" about “{opening.title}”" if opening else ""
    link = url_for("portal.my_cohort", _external=True)
    mail.send(
        person.email,
        f"{partner.name} would like to meet you",
        f"Hello {person.name},\n\n{contact.name} of {partner.name} saw your career "
        f"profile on coop and asks for an introduction{what}.\n\n"
        "If you accept, they see your email address and your résumé, and coop records a "
        "referral. If you decline, they only read that you are not available.\n\n"
        f"Answer on your cohort page: {link}\n",
    )


def answer_introduction(intro: Introduction, actor, accept: bool) -> None:
    """The person accepts (a referral, stage referred, is created: to the opening if one
    was named and is still open, else to the organisation) or declines."""
    if actor.id != intro.participant_id:
        raise TalentError("Only the person asked answers this request.")
    if not intro.is_pending:
        raise TalentError("You have answered this request already.")
    result = db.session.execute(
        sa.update(Introduction)
        .where(Introduction.id == intro.id, Introduction.status == IntroductionStatus.PENDING)
        .values(
            status=IntroductionStatus.ACCEPTED if accept else IntroductionStatus.DECLINED,
            answered_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise TalentError("You have answered this request already.")
    db.session.expire(intro, ["status", "answered_at"])
    if accept:
        referral = _refer_from_introduction(intro)
        intro.referral_id = referral.id
        db.session.flush()
    record(
        actor,
        "introduction.accept" if accept else "introduction.decline",
        intro,
        ["status"],
        subject_id=intro.participant_id,
    )


def _refer_from_introduction(intro: Introduction):
    enrollment = referral_queries.latest_enrollment(intro.participant_id)
    if enrollment is None:
        raise TalentError("You have no cohort to be referred from.")
    contact = db.session.get(PartnerContact, intro.contact_id)
    referrer = db.session.get(User, contact.user_id) if contact.user_id else None
    if referrer is None:
        raise TalentError("The person who asked no longer has an account.")
    opening = db.session.get(Opening, intro.opening_id) if intro.opening_id else None
    partner = db.session.get(Partner, intro.partner_id)
    try:
        referral, _ = referral_services.refer(
            referrer,
            enrollment,
            opening=opening if opening is not None and opening.is_open() else None,
            partner=partner,
            note="From an introduction request in the talent pool.",
        )
    except ReferralError as exc:
        raise TalentError(exc.message) from None
    return referral


# -- "I'm interested" ------------------------------------------------------------------------


def express_interest(actor, opening: Opening) -> InterestRequest:
    """The participant asks their captain and staff to refer them to ``opening``."""
    if not actor.is_participant:
        raise TalentError("Only participants and alumni say they are interested.")
    if not opening.is_open():
        raise TalentError("This opening is closed.")
    enrollment = referral_queries.latest_enrollment(actor.id)
    if enrollment is None:
        raise TalentError("You need a cohort to be referred from.")
    existing = db.session.scalar(
        sa.select(InterestRequest).where(
            InterestRequest.participant_id == actor.id, InterestRequest.opening_id == opening.id
        )
    )
    if existing is not None:
        raise TalentError("You told us already; your captain and staff have your request.")
    request = InterestRequest(
        participant_id=actor.id, opening_id=opening.id, cohort_id=enrollment.cohort_id
    )
    try:
        with db.session.begin_nested():
            db.session.add(request)
            db.session.flush()
    except IntegrityError:
        raise TalentError(
            "You told us already; your captain and staff have your request."
        ) from None
    captains = queries.pod_captain_emails(actor.id, enrollment.cohort_id)
    if captains:
        mail.send(
            captains,
            f"{actor.name} is interested in {opening.title}",
            f"{actor.name} would like a referral to “{opening.title}”. Refer them in one "
            f"click, or decline with a reason, from your home page: "
            f"{url_for('coaching.captain_home', _external=True)}\n",
        )
    record(actor, "interest.create", request, ["opening_id"])
    return request


def refer_from_interest(request: InterestRequest, actor):
    """Turn the request into a referral (stage referred) to its opening."""
    if request.status != InterestStatus.PENDING:
        raise TalentError("This request has been answered.")
    enrollment = referral_queries.latest_enrollment(request.participant_id)
    if enrollment is None:
        raise TalentError("They are no longer in a cohort.")
    opening = db.session.get(Opening, request.opening_id)
    try:
        referral, _ = referral_services.refer(actor, enrollment, opening=opening)
    except ReferralError as exc:
        raise TalentError(exc.message) from None
    _decide(request, actor, InterestStatus.REFERRED, referral_id=referral.id)
    return referral


def decline_interest(request: InterestRequest, actor, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise TalentError("Give the reason; the participant reads it.", "reason")
    if request.status != InterestStatus.PENDING:
        raise TalentError("This request has been answered.")
    _decide(request, actor, InterestStatus.DECLINED, reason=reason)


def _decide(request, actor, status, **values) -> None:
    result = db.session.execute(
        sa.update(InterestRequest)
        .where(InterestRequest.id == request.id, InterestRequest.status == InterestStatus.PENDING)
        .values(status=status, decided_by_id=actor.id, decided_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise TalentError("Someone answered this request meanwhile.")
    db.session.expire(request, ["status", "decided_by_id", "decided_at", *values])
    record(actor, f"interest.{status}", ("interest_requests", request.id), ["status"])


# -- openings from partners ------------------------------------------------------------------


def post_partner_opening(contact: PartnerContact, actor, **values) -> Opening:
    """An opening of the contact's organisation; it waits for staff when the organisation's
    setting says so."""
    values["partner_id"] = contact.partner_id
    partner = db.session.get(Partner, contact.partner_id)
    values["awaiting_approval"] = bool(partner.openings_need_approval)
    try:
        return referral_services.post_opening(actor, **values)
    except ReferralError as exc:
        raise TalentError(exc.message) from None


def close_partner_opening(contact: PartnerContact, opening: Opening, actor) -> None:
    if opening.partner_id != contact.partner_id:
        raise TalentError("This is not your organisation's opening.")
    try:
        referral_services.close_opening(opening, actor)
    except ReferralError as exc:
        raise TalentError(exc.message) from None


def approve_opening(opening: Opening, actor) -> None:
    if not opening.awaiting_approval:
        raise TalentError("This opening is on the board already.")
    opening.awaiting_approval = False
    db.session.flush()
    record(actor, "opening.approve", opening, ["awaiting_approval"])


def set_openings_need_approval(partner, actor, value: bool) -> None:
    if partner.openings_need_approval == value:
        return
    partner.openings_need_approval = value
    db.session.flush()
    record(actor, "partner.update", partner, ["openings_need_approval"])
