"""The placement proposal (a pure function) under Hypothesis: capacity is never
exceeded, nobody is placed where they said they cannot attend, everyone who could be
placed is, and the same input gives the same proposals."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from coop.enrollment.placement import Applicant, Option, _tier, can_attend, propose

ZONES = {
    1: "America/New_York",
    2: "America/New_York",
    3: "America/Chicago",
    4: "America/Los_Angeles",
}
TERMS = ["Spring 2027", "Fall 2027", "Spring 2028"]
EVENINGS = ["mon", "tue", "wed", "thu"]
DAYS = EVENINGS + ["fri"]

evening_sets = st.frozensets(st.sampled_from(EVENINGS), min_size=1)


@st.composite
def options(draw):
    n = draw(st.integers(0, 8))
    out = []
    for i in range(n):
        city = draw(st.sampled_from(sorted(ZONES)))
        term = draw(st.sampled_from(TERMS))
        out.append(
            Option(
                cohort_id=i + 1,
                name=f"Cohort {i + 1}",
                city_id=city,
                city_name=f"City {city}",
                zone=ZONES[city],
                track_id=draw(st.integers(1, 2)),
                days=draw(st.frozensets(st.sampled_from(DAYS), max_size=2)),
                term=term,
                start=date(2027, 1, 4) + timedelta(days=7 * draw(st.integers(0, 60))),
                free=draw(st.integers(0, 4)),
            )
        )
    return out


@st.composite
def applicants(draw):
    n = draw(st.integers(0, 25))
    return [
        Applicant(
            id=i + 1,
            city_id=draw(st.sampled_from(sorted(ZONES))),
            track_id=draw(st.integers(1, 2)),
            evenings=draw(evening_sets),
            timezone=draw(st.sampled_from(sorted(set(ZONES.values())))),
            start_term=draw(st.sampled_from(TERMS)),
            excluded=draw(st.frozensets(st.integers(1, 8), max_size=2)),
        )
        for i in range(n)
    ]


@settings(max_examples=200, deadline=None)
@given(applicants(), options())
def test_capacity_is_never_exceeded(people, cohorts):
    proposals = propose(people, cohorts, ZONES)
    free = {o.cohort_id: o.free for o in cohorts}
    for p in proposals:
        if p.cohort_id is not None:
            free[p.cohort_id] -= 1
    assert all(left >= 0 for left in free.values())


@settings(max_examples=200, deadline=None)
@given(applicants(), options())
def test_nobody_is_placed_where_they_cannot_attend(people, cohorts):
    by_id = {o.cohort_id: o for o in cohorts}
    who = {a.id: a for a in people}
    for p in propose(people, cohorts, ZONES):
        if p.cohort_id is None:
            continue
        a, o = who[p.applicant_id], by_id[p.cohort_id]
        assert can_attend(a, o)
        assert o.days <= a.evenings
        assert o.track_id == a.track_id
        assert o.cohort_id not in a.excluded


@settings(max_examples=200, deadline=None)
@given(applicants(), options())
def test_everyone_who_could_be_placed_is(people, cohorts):
    """Maximal: an applicant without a proposal has no eligible cohort with a seat left."""
    proposals = propose(people, cohorts, ZONES)
    free = {o.cohort_id: o.free for o in cohorts}
    for p in proposals:
        if p.cohort_id is not None:
            free[p.cohort_id] -= 1
    who = {a.id: a for a in people}
    for p in proposals:
        if p.cohort_id is None:
            a = who[p.applicant_id]
            assert all(free[o.cohort_id] == 0 for o in cohorts if _tier(a, o, ZONES) is not None)
            assert p.reason.startswith("No cohort")
        else:
            assert p.reason


@settings(max_examples=100, deadline=None)
@given(applicants(), options())
def test_same_input_same_proposals(people, cohorts):
    assert propose(people, cohorts, ZONES) == propose(list(people), list(reversed(cohorts)), ZONES)


def _option(cid, city, term="Spring 2027", free=1, days=("tue", "thu"), track=1):
    return Option(
        cid,
        f"C{cid}",
        city,
        f"City {city}",
        ZONES[city],
        track,
        frozenset(days),
        term,
        date(2027, 1, 5),
        free,
    )


def _applicant(aid, city=1, term="Spring 2027", evenings=("tue", "thu"), zone="America/New_York"):
    return Applicant(aid, city, 1, frozenset(evenings), zone, term)


def test_first_choice_then_nearby_then_later_term_with_reasons():
    cohorts = [
        _option(1, 1),  # their city
        _option(2, 2),  # same zone as city 1: nearby
        _option(3, 1, term="Fall 2027"),  # later term, their city
        _option(4, 4),  # another zone: never
    ]
    people = [_applicant(i) for i in range(1, 6)]
    got = propose(people, cohorts, ZONES)
    assert [p.cohort_id for p in got] == [1, 2, 3, None, None]
    assert got[0].reason.startswith("Their city and track in Spring 2027")
    assert got[1].reason.startswith("Nearby")
    assert "same time zone (America/New_York)" in got[1].reason
    assert got[2].reason.startswith("Later term")
    assert got[3].reason.startswith("No cohort") and "are full" in got[3].reason


def test_a_cohort_meeting_on_an_evening_they_cannot_make_is_skipped():
    cohorts = [_option(1, 1, days=("mon", "wed")), _option(2, 1, days=("tue",))]
    got = propose([_applicant(1, evenings=("tue", "thu"))], cohorts, ZONES)
    assert got[0].cohort_id == 2
    got = propose([_applicant(1, evenings=("tue", "thu"))], cohorts[:1], ZONES)
    assert got[0].cohort_id is None and "meets only on evenings they can make" in got[0].reason


def test_their_own_time_zone_counts_as_nearby():
    cohorts = [_option(1, 4)]
    got = propose([_applicant(1, city=1, zone="America/Los_Angeles")], cohorts, ZONES)
    assert got[0].cohort_id == 1 and got[0].tier == 1
