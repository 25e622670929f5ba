"""Hooks between layers. A lower layer announces what happened or asks a question; the
higher layers that care answer, and the lower one never imports them
(``tests/test_layers.py`` keeps every import pointing down).

Receivers connect when their module is imported, and ``create_app`` imports every
domain's views and with them their queries and services. They run synchronously inside
the sender's call: what they write joins the same transaction, which the view commits
once, and an exception in a receiver undoes the whole change.
"""

from blinker import Namespace, Signal

_hooks = Namespace()

# -- announcements: what receivers return is ignored -----------------------------------

#: Enrollment graduated ``enrollments`` of the cohort (the sender), with ``actor``, while
#: completing it. Referrals schedules their follow-ups after exit.
cohort_graduated = _hooks.signal("cohort-graduated")

#: Coaching saved a new check-in (the sender) by ``actor``, with ``data`` the submitted
#: form (a MultiDict). Plans reads the ticks and comments on plan steps the check-in
#: form showed (its ``coaching.checkin`` panel).
checkin_saved = _hooks.signal("checkin-saved")
#: Staff created the cohort (the sender) and asked for its schedule at once, with
#: ``actor``. Sessions generates it from the meeting days and time and answers how many
#: sessions it made.
cohort_schedule_wanted = _hooks.signal("cohort-schedule-wanted")

#: Who is a member of a cohort (enrolled or graduated) changed: the sender is the cohort's
#: id. Enrollment sends it when a stage change crosses that line or member enrollments are
#: created; coaching when appointing a captain makes one. Sessions recounts the cohort's
#: attendance tallies (``coop.sessions.tallies``), which count members only.
cohort_members_changed = _hooks.signal("cohort-members-changed")

# -- questions: receivers return answers -----------------------------------------------

#: ``{stage: count}`` of the cohort's (the sender's) enrollments. Enrollment answers, for
#: programs' cohort page and its rules about seats and completing.
cohort_stage_counts = _hooks.signal("cohort-stage-counts")

#: The set of those of ``user_ids`` who serve as captains of the cohort (the sender).
#: Coaching answers, so enrollment never enrolls one of a cohort's own captains.
cohort_captains = _hooks.signal("cohort-captains")

#: A select of ``(user id, city id)`` pairs: the people each domain ties to a city.
#: Enrollment (enrolled or applied there) and coaching (captains there) answer, so auth
#: shows city-limited staff the people of their cities (``User.scope_to_cities``).
people_in_cities = _hooks.signal("people-in-cities")

#: ``{cohort_id: {participant_id: summary}}`` for ``people`` (``{cohort_id: [ids]}``).
#: Sessions answers, for the captain's home page; with no answer it shows no attendance.
attendance_summaries = _hooks.signal("attendance-summaries")

#: Why participants are at risk now: each domain that knows a reason answers with ONE
#: select of ``(participant user id, cohort id, reason code, detail text)`` rows for the
#: cohorts in ``cohort_ids`` (a select of cohort ids, already scoped to the viewer), with
#: ``today`` and the program's ``thresholds`` (a dict). The at-risk list runs each answer
#: once, so its query count stays fixed whatever the size of the program.
at_risk_reasons = _hooks.signal("at-risk-reasons")

#: Measurable skill gains (WIOA): each domain that knows one answers with ONE select of
#: ``(participant user id, cohort id, gained_on date, kind text)`` rows for the cohorts in
#: ``cohort_ids`` (a select of cohort ids). Credentials answer with verified credentials,
#: assessments with an intake-to-exit gain above ``threshold``; the report unions them.
skill_gains = _hooks.signal("skill-gains")

#: ``{user_id: "job title"}``: the current job of those of ``user_ids`` who have one.
#: Referrals answers from their latest placement; coaching's pod fit score compares it
#: with participants' goals (no answer: no roles known).
current_roles = _hooks.signal("current-roles")


def answers(question: Signal, sender=None, **kwargs) -> list:
    """Every receiver's answer to ``question``, in the order they connected."""
    return [answer for _, answer in question.send(sender, **kwargs)]


def answer(question: Signal, sender=None, **kwargs):
    """The one answer to ``question``: nobody answering is a bug, not a "none"."""
    found = answers(question, sender, **kwargs)
    if len(found) != 1:
        raise LookupError(f"{question.name!r} got {len(found)} answers; expected one")
    return found[0]
