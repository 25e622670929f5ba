"""Pod balancing as pure functions: no database, so its rules are easy to test.

The rules:

- no pod goes over its captain's maximum;
- sizes differ by at most one, except that a pod at its maximum may be smaller than the
  others (it cannot take more);
- incremental balancing (the default) never moves anyone already in a pod: newcomers go,
  one by one, to the smallest pod that has room, so an already uneven team gets as even as
  it can without moves; a full rebalance moves as few people as it can to reach even sizes;
- the result depends only on the input: ties go to the pod with the lowest key (the
  assignment id), participants are placed in id order.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Pod:
    #: The captain assignment id.
    key: int
    capacity: int
    #: Participant ids currently in the pod.
    members: tuple[int, ...] = ()


@dataclass
class Plan:
    """What balancing decided: participant id -> pod key for everyone who is placed or moved,
    the final members of each pod, and who could not be placed (no room left)."""

    placements: dict[int, int] = field(default_factory=dict)
    pods: dict[int, list[int]] = field(default_factory=dict)
    unplaced: list[int] = field(default_factory=list)

    @property
    def sizes(self) -> dict[int, int]:
        return {key: len(members) for key, members in self.pods.items()}


def balance(pods: Sequence[Pod], unassigned: Iterable[int], full: bool = False) -> Plan:
    """Place ``unassigned`` participants in ``pods`` (see the module's rules).

    With ``full``, everyone is redistributed to even sizes, moving as few people as
    possible (the members with the lowest ids stay where they are).
    """
    pods = sorted(pods, key=lambda p: p.key)
    if len({p.key for p in pods}) != len(pods):
        raise ValueError("pod keys must be unique")
    newcomers = sorted(set(unassigned) - {m for p in pods for m in p.members})
    if full:
        return _full(pods, newcomers)
    return _incremental(pods, newcomers)


def _incremental(pods: list[Pod], newcomers: list[int]) -> Plan:
    plan = Plan(pods={p.key: sorted(p.members) for p in pods})
    capacity = {p.key: p.capacity for p in pods}
    for person in newcomers:
        open_pods = [k for k in plan.pods if len(plan.pods[k]) < capacity[k]]
        if not open_pods:
            plan.unplaced.append(person)
            continue
        key = min(open_pods, key=lambda k: (len(plan.pods[k]), k))
        plan.pods[key].append(person)
        plan.placements[person] = key
    for members in plan.pods.values():
        members.sort()
    return plan


def targets(pods: Sequence[Pod], total: int) -> dict[int, int]:
    """Even sizes for ``total`` people within each pod's capacity (water-filling).

    When the sizes cannot all be equal, the extra places go to the pods that hold the
    most people already (fewest moves), then to the lowest keys.
    """
    sizes = {p.key: 0 for p in pods}
    order = sorted(pods, key=lambda p: (-len(p.members), p.key))
    remaining = min(total, sum(max(p.capacity, 0) for p in pods))
    while remaining:
        level = min(sizes[p.key] for p in order if sizes[p.key] < p.capacity)
        for p in order:
            if remaining and sizes[p.key] == level and sizes[p.key] < p.capacity:
                sizes[p.key] += 1
                remaining -= 1
    return sizes


def _full(pods: list[Pod], newcomers: list[int]) -> Plan:
    current = {p.key: sorted(p.members) for p in pods}
    total = sum(len(m) for m in current.values()) + len(newcomers)
    goal = targets(pods, total)
    plan = Plan(pods={})
    pool: list[int] = []
    for p in pods:
        keep = current[p.key][: goal[p.key]]
        pool.extend(current[p.key][goal[p.key] :])
        plan.pods[p.key] = keep
    # Members who must move are placed before newcomers: nobody loses a pod while a
    # newcomer gets one.
    queue = sorted(pool) + newcomers
    for p in pods:
        while len(plan.pods[p.key]) < goal[p.key] and queue:
            person = queue.pop(0)
            plan.pods[p.key].append(person)
            plan.placements[person] = p.key
    plan.unplaced = queue
    for members in plan.pods.values():
        members.sort()
    return plan


def redistribute(leaving: Pod, others: Sequence[Pod]) -> Plan:
    """Where the members of ``leaving`` go when its captain steps down: incremental
    balancing of them into the other pods, which keep their own members."""
    return balance([p for p in others if p.key != leaving.key], leaving.members)
