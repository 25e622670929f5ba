"""The rules of pod balancing, on the pure function (no database)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coop.coaching.balancing import Plan, Pod, balance, redistribute, targets


def sizes(plan: Plan) -> list[int]:
    return [len(m) for _, m in sorted(plan.pods.items())]


def test_newcomers_fill_the_smallest_pods_first():
    pods = [Pod(1, 6, (10, 11, 12)), Pod(2, 6, (20,)), Pod(3, 6, ())]
    plan = balance(pods, [30, 31, 32, 33])
    assert plan.placements == {30: 3, 31: 2, 32: 3, 33: 2}
    assert sizes(plan) == [3, 3, 2]
    assert plan.unplaced == []


def test_sizes_differ_by_at_most_one_from_empty_pods():
    plan = balance([Pod(k, 6) for k in (1, 2, 3, 4)], range(100, 114))
    assert sorted(sizes(plan)) == [3, 3, 4, 4]


def test_existing_members_stay_even_when_pods_are_uneven():
    pods = [Pod(1, 6, (1, 2, 3, 4, 5)), Pod(2, 6, ())]
    plan = balance(pods, [9])
    assert plan.pods[1] == [1, 2, 3, 4, 5]
    assert plan.placements == {9: 2}


def test_no_pod_goes_over_its_maximum_and_the_rest_wait():
    pods = [Pod(1, 2), Pod(2, 3)]
    plan = balance(pods, range(1, 9))
    assert sizes(plan) == [2, 3]
    assert plan.unplaced == [6, 7, 8]


def test_a_full_pod_may_be_smaller_than_the_others():
    plan = balance([Pod(1, 1), Pod(2, 6), Pod(3, 6)], range(1, 10))
    assert sizes(plan) == [1, 4, 4]


def test_ties_go_to_the_lowest_key_and_people_are_placed_in_id_order():
    plan = balance([Pod(7, 6), Pod(3, 6)], [42, 5, 17])
    assert plan.placements == {5: 3, 17: 7, 42: 3}


def test_the_result_does_not_depend_on_input_order():
    a = balance([Pod(1, 4, (3, 1)), Pod(2, 4)], [9, 8, 7])
    b = balance([Pod(2, 4), Pod(1, 4, (1, 3))], [7, 9, 8])
    assert a == b


def test_people_already_in_a_pod_are_not_placed_twice():
    plan = balance([Pod(1, 6, (5,)), Pod(2, 6)], [5, 6])
    assert plan.placements == {6: 2}


def test_full_rebalance_evens_out_with_fewest_moves():
    pods = [Pod(1, 6, (1, 2, 3, 4, 5, 6)), Pod(2, 6, (7,)), Pod(3, 6, ())]
    plan = balance(pods, [8], full=True)
    # 8 people in 3 pods: the extra places go to the pods that were biggest.
    assert sizes(plan) == [3, 3, 2]
    # The biggest pod keeps its lowest ids; only the rest move.
    assert plan.pods[1] == [1, 2, 3]
    assert plan.pods[2] == [4, 5, 7]
    assert plan.pods[3] == [6, 8]
    assert set(plan.placements) == {4, 5, 6, 8}


def test_full_rebalance_of_balanced_pods_moves_nobody():
    pods = [Pod(1, 6, (1, 2, 3)), Pod(2, 6, (4, 5)), Pod(3, 6, (6, 7, 8))]
    plan = balance(pods, [], full=True)
    assert plan.placements == {}


def test_full_rebalance_takes_people_out_of_a_pod_over_its_maximum():
    # A maximum lowered below the pod's size: everyone still fits elsewhere.
    plan = balance([Pod(1, 2, (1, 2, 3, 4)), Pod(2, 6)], [], full=True)
    assert sizes(plan) == [2, 2]
    assert plan.unplaced == []


def test_full_rebalance_without_room_leaves_newcomers_out_first():
    plan = balance([Pod(1, 2, (1, 2)), Pod(2, 1, (3,))], [4, 5], full=True)
    assert plan.unplaced == [4, 5]
    assert plan.placements == {}


def test_targets_are_even_within_capacities():
    pods = [Pod(1, 2), Pod(2, 10), Pod(3, 10)]
    assert targets(pods, 13) == {1: 2, 2: 6, 3: 5}


def test_redistribute_shares_a_leaving_pod_among_the_others():
    leaving = Pod(1, 6, (1, 2, 3))
    others = [leaving, Pod(2, 6, (4, 5)), Pod(3, 4, (6, 7, 8))]
    plan = redistribute(leaving, others)
    assert set(plan.pods) == {2, 3}
    assert plan.placements == {1: 2, 2: 2, 3: 3}
    assert plan.pods[3] == [3, 6, 7, 8]


def test_redistribute_without_room_says_who_stays_out():
    plan = redistribute(Pod(1, 6, (1, 2)), [Pod(2, 1, (3,))])
    assert plan.unplaced == [1, 2]


def test_duplicate_keys_are_refused():
    with pytest.raises(ValueError):
        balance([Pod(1, 2), Pod(1, 3)], [])


# -- properties over random cohorts -----------------------------------------------------


@st.composite
def cohorts(draw):
    """Random pods (capacities 1..8, some members, some over a lowered maximum) and
    unassigned people, with unique ids."""
    n_pods = draw(st.integers(1, 6))
    ids = iter(draw(st.permutations(range(1, 121))))
    keys = draw(st.lists(st.integers(1, 500), min_size=n_pods, max_size=n_pods, unique=True))
    pods = []
    for key in keys:
        capacity = draw(st.integers(1, 8))
        size = draw(st.integers(0, capacity + 1))
        pods.append(Pod(key, capacity, tuple(next(ids) for _ in range(size))))
    unassigned = [next(ids) for _ in range(draw(st.integers(0, 40)))]
    return pods, unassigned


def check_common(pods, unassigned, plan):
    everyone = {m for p in pods for m in p.members} | set(unassigned)
    placed = [m for members in plan.pods.values() for m in members]
    # Everyone ends up exactly once: in one pod or unplaced.
    assert len(placed) == len(set(placed))
    assert set(placed) | set(plan.unplaced) == everyone
    assert not set(placed) & set(plan.unplaced)
    # Placements describe the final pods.
    for person, key in plan.placements.items():
        assert person in plan.pods[key]
    # Determinism: the same input in another order gives the same plan.
    return placed


@settings(max_examples=300, deadline=None)
@given(cohorts())
def test_property_incremental_balancing(data):
    pods, unassigned = data
    plan = balance(pods, unassigned)
    check_common(pods, unassigned, plan)
    capacity = {p.key: p.capacity for p in pods}
    before = {p.key: len(p.members) for p in pods}
    # Existing members stay where they were.
    for p in pods:
        assert set(p.members) <= set(plan.pods[p.key])
    # Nobody is added to a pod beyond its maximum.
    for key, members in plan.pods.items():
        if len(members) > before[key]:
            assert len(members) <= capacity[key]
    # Someone waits only when every pod is full.
    if plan.unplaced:
        assert all(len(m) >= capacity[k] for k, m in plan.pods.items())
    # A pod that received newcomers is at most one bigger than any pod with room left.
    grown = [k for k in plan.pods if len(plan.pods[k]) > before[k]]
    for k in grown:
        for j, members in plan.pods.items():
            if len(members) < capacity[j]:
                assert len(plan.pods[k]) <= len(members) + 1
    # When the pods started within capacity and even, they end even (differ by <= 1)
    # among the pods that are not full.
    if max(before.values()) - min(before.values()) <= 1 and all(
        before[k] <= capacity[k] for k in before
    ):
        open_sizes = [len(m) for k, m in plan.pods.items() if len(m) < capacity[k]]
        all_sizes = [len(m) for m in plan.pods.values()]
        if open_sizes:
            assert max(all_sizes) - min(open_sizes) <= 1
    # Deterministic, whatever the order of the input.
    again = balance(list(reversed(pods)), list(reversed(unassigned)))
    assert again == plan


@settings(max_examples=300, deadline=None)
@given(cohorts())
def test_property_full_rebalance(data):
    pods, unassigned = data
    plan = balance(pods, unassigned, full=True)
    check_common(pods, unassigned, plan)
    capacity = {p.key: p.capacity for p in pods}
    total = sum(len(p.members) for p in pods) + len(unassigned)
    # No pod over its maximum, and as many placed as there is room for.
    for key, members in plan.pods.items():
        assert len(members) <= capacity[key]
    assert sum(len(m) for m in plan.pods.values()) == min(total, sum(capacity.values()))
    # Sizes differ by at most one, except pods that are full may be smaller.
    for a in plan.pods.values():
        for j, b in plan.pods.items():
            assert len(a) <= len(b) + 1 or len(b) == capacity[j]
    # Existing members are placed before newcomers.
    existing = {m for p in pods for m in p.members}
    if set(plan.unplaced) & existing:
        assert not (set(unassigned) - set(plan.unplaced))
    # Fewest moves: a pod keeps min(size, target) of its own members.
    goal = targets(pods, total)
    for p in pods:
        kept = set(p.members) & set(plan.pods[p.key])
        assert len(kept) == min(len(p.members), goal[p.key])
    assert balance(list(reversed(pods)), list(reversed(unassigned)), full=True) == plan


@settings(max_examples=200, deadline=None)
@given(cohorts())
def test_property_full_rebalance_is_stable(data):
    """Rebalancing an already rebalanced cohort moves nobody."""
    pods, unassigned = data
    first = balance(pods, unassigned, full=True)
    again = balance([Pod(p.key, p.capacity, tuple(first.pods[p.key])) for p in pods], [], full=True)
    assert again.placements == {}
