"""Fit-based pod suggestions: a score between a captain and a participant, and pods
suggested from it that respect every captain's maximum.

The score (higher fits better), each point with the reason shown to staff:

- **track**: the captain graduated from the participant's track (+3);
- **place**: the same city (+2), else the same time zone (+1);
- **background**: the same college (+2); both first-generation graduates (+1);
- **goals**: words of the participant's stated goals in the captain's current role
  (+1 a word, at most +2).

``suggest`` is pure and deterministic: pod sizes are the even targets of
``balancing.targets`` (within one of each other, each within its captain's maximum)
unless staff choose "fill by fit" (then only the maxima bound them); pairs are taken
best score first (ties by participant id, then pod key), a pair only while its pod is
below its target. Everyone gets a pod while the targets have room.
"""

import hashlib
import re
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from coop.auth.models import ParticipantProfile, User
from coop.coaching import balancing
from coop.coaching.models import AlumniCaptain, CaptainAssignment
from coop.coaching.services import CoachingError, _apply, _check_open, pod_state
from coop.core import events
from coop.core.audit import record
from coop.enrollment.models import Enrollment
from coop.enrollment.program_models import ProgramApplication
from coop.extensions import db
from coop.programs.models import City, Cohort

STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "or",
        "the",
        "of",
        "in",
        "to",
        "for",
        "at",
        "on",
        "with",
        "my",
        "i",
        "want",
        "be",
        "as",
        "into",
        "get",
        "more",
        "work",
        "job",
        "role",
        "career",
        "new",
        "good",
    ]
)


def words(text: str | None) -> frozenset[str]:
    return frozenset(w for w in re.findall(r"[a-z]{3,}", (text or "").lower()) if w not in STOP)


@dataclass(frozen=True)
class Person:
    id: int
    track_id: int | None = None
    city_id: int | None = None
    zone: str | None = None
    college: str | None = None
    first_generation: bool | None = None
    #: The participant's goals, or the captain's current role, as words.
    words: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Captain:
    key: int
    capacity: int
    person: Person


@dataclass(frozen=True)
class Suggestion:
    participant_id: int
    key: int | None
    score: int
    reasons: tuple[str, ...]


def score(captain: Person, participant: Person) -> tuple[int, tuple[str, ...]]:
    points, reasons = 0, []
    if captain.track_id is not None and captain.track_id == participant.track_id:
        points += 3
        reasons.append("same track")
    if captain.city_id is not None and captain.city_id == participant.city_id:
        points += 2
        reasons.append("same city")
    elif captain.zone and captain.zone == participant.zone:
        points += 1
        reasons.append("same time zone")
    if (
        captain.college
        and (captain.college or "").strip().lower() == (participant.college or "").strip().lower()
    ):
        points += 2
        reasons.append("same college")
    if captain.first_generation and participant.first_generation:
        points += 1
        reasons.append("both first-generation")
    shared = sorted(captain.words & participant.words)[:2]
    if shared:
        points += len(shared)
        reasons.append("goals match their role: " + ", ".join(shared))
    return points, tuple(reasons)


def suggest(
    captains: list[Captain], participants: list[Person], even: bool = True
) -> list[Suggestion]:
    """One suggestion per participant (``key`` None when every pod is at its target)."""
    captains = sorted(captains, key=lambda c: c.key)
    pods = [balancing.Pod(c.key, c.capacity) for c in captains]
    if even:
        target = balancing.targets(pods, len(participants))
    else:
        target = {c.key: c.capacity for c in captains}
    scored = []
    for p in participants:
        for c in captains:
            points, reasons = score(c.person, p)
            scored.append((-points, p.id, c.key, reasons))
    scored.sort(key=lambda row: row[:3])
    load = dict.fromkeys(target, 0)
    chosen: dict[int, Suggestion] = {}
    for neg, pid, key, reasons in scored:
        if pid in chosen or load[key] >= target[key]:
            continue
        load[key] += 1
        chosen[pid] = Suggestion(pid, key, -neg, reasons)
    return [
        chosen.get(p.id)
        or Suggestion(p.id, None, 0, ("every pod is full",) if captains else ("no captains yet",))
        for p in sorted(participants, key=lambda p: p.id)
    ]


def fingerprint(suggestions: list[Suggestion], current: dict[int, int] | None = None) -> str:
    """What staff saw (the suggestions and the pods as they were), so accepting refuses
    if the pods changed meanwhile."""
    now = current or {}
    text = ";".join(f"{s.participant_id}:{s.key}:{now.get(s.participant_id)}" for s in suggestions)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


# -- reading a cohort's inputs and accepting ------------------------------------------


@dataclass
class FitPlan:
    suggestions: list[Suggestion]
    current: dict[int, int]
    names: dict[int, str]
    captains: dict[int, str]
    fingerprint: str

    def action(self, s: Suggestion) -> str:
        now = self.current.get(s.participant_id)
        if s.key is None:
            return "none"
        if now is None:
            return "joins"
        return "stays" if now == s.key else "moves"

    def count(self, action: str) -> int:
        return sum(1 for s in self.suggestions if self.action(s) == action)


def plan_for(cohort, even: bool = True) -> FitPlan:
    """The fit suggestions for everyone in ``cohort`` (a fixed number of queries)."""
    state = pod_state(cohort.id)
    current = {m: p.key for p in state.pods for m in p.members}
    people = sorted(set(state.unassigned) | set(current))
    zones = dict(db.session.execute(sa.select(City.id, City.timezone)).all())
    grad = aliased(Cohort)
    rows = db.session.execute(
        sa.select(
            CaptainAssignment.id,
            CaptainAssignment.max_participants,
            User.id,
            User.name,
            User.timezone,
            ParticipantProfile.college,
            ParticipantProfile.first_generation,
            grad.track_id,
            grad.city_id,
        )
        .join(User, User.id == CaptainAssignment.captain_id)
        .outerjoin(ParticipantProfile, ParticipantProfile.user_id == User.id)
        .outerjoin(
            AlumniCaptain,
            sa.and_(AlumniCaptain.user_id == User.id, AlumniCaptain.stepped_down_at.is_(None)),
        )
        .outerjoin(grad, grad.id == AlumniCaptain.graduated_from_id)
        .where(CaptainAssignment.cohort_id == cohort.id, CaptainAssignment.ended_at.is_(None))
        .order_by(CaptainAssignment.id)
    ).all()
    roles: dict[int, str] = {}
    for found in events.answers(events.current_roles, user_ids=[r[2] for r in rows]):
        roles.update(found)
    captains = [
        Captain(
            key,
            cap,
            Person(
                uid,
                track,
                city,
                tz or zones.get(city),
                college,
                first_gen,
                words(roles.get(uid)),
            ),
        )
        for key, cap, uid, _name, tz, college, first_gen, track, city in rows
    ]
    goals: dict[int, tuple] = {}
    if people:
        for uid, goal, city in db.session.execute(
            sa.select(
                ProgramApplication.user_id, ProgramApplication.goals, ProgramApplication.city_id
            )
            .where(ProgramApplication.user_id.in_(people))
            .order_by(ProgramApplication.created_at, ProgramApplication.id)
        ):
            goals[uid] = (goal, city)  # the latest application wins
    names = {}
    participants = []
    if people:
        for uid, name, tz, college, first_gen, pref_city in db.session.execute(
            sa.select(
                User.id,
                User.name,
                User.timezone,
                ParticipantProfile.college,
                ParticipantProfile.first_generation,
                Enrollment.preferred_city_id,
            )
            .join(Enrollment, Enrollment.user_id == User.id)
            .outerjoin(ParticipantProfile, ParticipantProfile.user_id == User.id)
            .where(Enrollment.cohort_id == cohort.id, User.id.in_(people))
        ):
            goal, app_city = goals.get(uid, (None, None))
            city = app_city or pref_city or cohort.city_id
            names[uid] = name
            participants.append(
                Person(
                    uid,
                    cohort.track_id,
                    city,
                    tz or zones.get(city),
                    college,
                    first_gen,
                    words(goal),
                )
            )
    suggestions = suggest(captains, participants, even)
    return FitPlan(
        suggestions,
        current,
        names,
        {key: name for key, _c, _u, name, *_ in rows},
        fingerprint(suggestions, current),
    )


def accept(cohort, plan: FitPlan, seen: str, actor) -> int:
    """Apply the suggestions staff saw (``seen``: their fingerprint); returns how many
    people joined or moved. Refused if the pods changed since."""

    _check_open(cohort)
    if seen != plan.fingerprint:
        raise CoachingError("The pods changed since you looked; review the new suggestions.")
    placements = {
        s.participant_id: s.key
        for s in plan.suggestions
        if s.key is not None and plan.current.get(s.participant_id) != s.key
    }
    if placements:
        try:
            with db.session.begin_nested():
                _apply(cohort.id, balancing.Plan(placements=placements), pod_state(cohort.id), [])
        except sa.exc.IntegrityError:
            raise CoachingError(
                "The pods changed since you looked; review the new suggestions."
            ) from None
        record(actor, "pods.fit", cohort, ["pod_memberships"], f"{len(placements)} by fit")
    return len(placements)
