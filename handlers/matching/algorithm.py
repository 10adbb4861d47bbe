"""Pure matching (no I/O): teachers into peer groups by shared topic, mentees to mentors.

Priorities, strongest first: match as many people as possible, never repeat a past pair, mix
organizations. A repeat costs more than all same-organization pairs of a run together.
"""

from __future__ import annotations

import random
from collections import Counter, deque
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

IMPROVEMENT_ROUNDS = 30
ATTEMPTS = 3
_UNREACHED = 1 << 62


@dataclass(frozen=True, slots=True)
class Candidate:
    teacher_id: int
    organization_id: int | None
    topic_ids: frozenset[int]


@dataclass(frozen=True, slots=True)
class PeerGroup:
    members: tuple[int, ...]
    shared_topic_ids: frozenset[int]


@dataclass(frozen=True, slots=True)
class PeerMatching:
    groups: tuple[PeerGroup, ...]
    unmatched: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Mentor:
    candidate: Candidate
    capacity: int


@dataclass(frozen=True, slots=True)
class MentorPair:
    mentor_id: int
    mentee_id: int
    shared_topic_ids: frozenset[int]


@dataclass(frozen=True, slots=True)
class MentorMatching:
    pairs: tuple[MentorPair, ...]
    unmatched: tuple[int, ...]


def pairs_of(members: Sequence[int]) -> set[frozenset[int]]:
    """All unordered pairs inside one group, as stored in the pairing history."""
    return {frozenset(pair) for pair in combinations(members, 2)}


def _check_unique(ids: Iterable[int], role: str) -> None:
    duplicates = sorted(teacher_id for teacher_id, n in Counter(ids).items() if n > 1)
    if duplicates:
        raise ValueError(f"duplicate {role} ids: {duplicates}")


def _shared(group: Iterable[Candidate]) -> frozenset[int]:
    topics = [member.topic_ids for member in group]
    return frozenset.intersection(*topics) if topics else frozenset()


class _Pricer:
    """The cost of putting two teachers together: a past pair, one organization."""

    def __init__(self, past_pairs: Collection[frozenset[int]], repeat_cost: int) -> None:
        self._met: dict[int, set[int]] = {}
        for pair in past_pairs:
            for teacher_id in pair:
                self._met.setdefault(teacher_id, set()).update(pair - {teacher_id})
        self._repeat_cost = repeat_cost

    def pair(self, a: Candidate, b: Candidate) -> int:
        cost = self._repeat_cost if b.teacher_id in self._met.get(a.teacher_id, ()) else 0
        if a.organization_id is not None and a.organization_id == b.organization_id:
            cost += 1
        return cost

    def joining(self, member: Candidate, group: Iterable[Candidate]) -> int:
        return sum(self.pair(member, other) for other in group if other is not member)

    def total(self, groups: Iterable[list[Candidate]]) -> int:
        return sum(self.joining(member, group) for group in groups for member in group)


class _GroupBuilder:
    """Greedy groups by topic, rarest first, then member moves and swaps that lower the cost."""

    def __init__(self, size: int, pricer: _Pricer, seed: int, first: frozenset[int]) -> None:
        self.size, self.pricer, self.rng = size, pricer, random.Random(seed)
        self.first = first  # topics to take before the rarest-first order
        self.groups: list[list[Candidate]] = []

    def build(self, candidates: list[Candidate]) -> list[Candidate]:
        """Form the groups; return the candidates no group could take."""
        free, formed = candidates, True
        while formed:
            free, formed = self._form_by_topic(free)
        leftovers = [candidate for candidate in free if not self._place(candidate)]
        for _ in range(IMPROVEMENT_ROUNDS):
            if not self._improve():
                break
        return leftovers

    def _form_by_topic(self, free: list[Candidate]) -> tuple[list[Candidate], bool]:
        popularity = Counter(topic for candidate in free for topic in candidate.topic_ids)
        order = sorted(popularity, key=lambda t: (t not in self.first, popularity[t], t))
        formed = False
        for position, topic in enumerate(order):
            later = frozenset(order[position + 1 :])
            pool = [candidate for candidate in free if topic in candidate.topic_ids]
            self.rng.shuffle(pool)
            # Who has no later topic must be grouped here; the others only fill the gaps, so
            # the people of a rare topic are not locked into the same few groups every round.
            must = [candidate for candidate in pool if not candidate.topic_ids & later]
            optional = [candidate for candidate in pool if candidate.topic_ids & later]
            groups = self._spread(must, optional, len(pool) // self.size, later)
            taken = {member.teacher_id for group in groups for member in group}
            free = [candidate for candidate in free if candidate.teacher_id not in taken]
            self.groups.extend(groups)
            formed = formed or bool(groups)
        return free, formed

    def _spread(
        self, must: list[Candidate], optional: list[Candidate], most: int, later: frozenset[int]
    ) -> list[list[Candidate]]:
        """The fewest groups (at most `most`) that hold `must` at the lowest cost."""
        best: tuple[int, list[list[Candidate]]] = (_UNREACHED, [])
        for count in range(min(-(-len(must) // self.size), most), most + 1):
            groups = self._fill(must, optional, count, later)
            best = min(best, (self.pricer.total(groups), groups), key=lambda option: option[0])
            if best[0] == 0:
                break
        return best[1]

    def _fill(
        self, must: list[Candidate], optional: list[Candidate], count: int, later: frozenset[int]
    ) -> list[list[Candidate]]:
        groups: list[list[Candidate]] = [[] for _ in range(count)]
        for candidate in must[: count * self.size]:
            open_groups = [group for group in groups if len(group) < self.size]
            best = min(open_groups, key=lambda g: (self.pricer.joining(candidate, g), len(g)))
            best.append(candidate)
        spare = list(optional)
        for group in groups:
            while len(group) < self.size:
                filler = min(
                    spare, key=lambda c: (self.pricer.joining(c, group), len(c.topic_ids & later))
                )
                spare.remove(filler)
                group.append(filler)
        return groups

    def _place(self, candidate: Candidate) -> bool:
        """Add a leftover to a group with room, first making room by moving a member if needed."""
        homes = [g for g in self.groups if len(g) == self.size and _shared(g) & candidate.topic_ids]
        if homes:
            min(homes, key=lambda g: self.pricer.joining(candidate, g)).append(candidate)
            return True
        options: list[tuple[int, list[Candidate], Candidate, list[Candidate]]] = []
        for full in self.groups:
            if len(full) > self.size and _shared(full) & candidate.topic_ids:
                for moved in full:
                    rest = [member for member in full if member is not moved]
                    cost = self.pricer.joining(candidate, rest)
                    options.extend(
                        (cost + self.pricer.joining(moved, target), full, moved, target)
                        for target in self.groups
                        if len(target) == self.size and _shared(target) & moved.topic_ids
                    )
        if not options:
            return False
        _, full, moved, target = min(options, key=lambda option: option[0])
        full.remove(moved)
        target.append(moved)
        full.append(candidate)
        return True

    def _improve(self) -> bool:
        improved = False
        for group in self.groups:
            for member in list(group):
                if member in group and self.pricer.joining(member, group) > 0:
                    improved |= self._relocate(member, group)
        return improved

    def _relocate(self, member: Candidate, group: list[Candidate]) -> bool:
        """Apply the best cost-lowering move or swap of `member` into another group."""
        rest = [other for other in group if other is not member]
        rest_topics = _shared(rest)
        current = self.pricer.joining(member, rest)
        options: list[tuple[int, list[Candidate], Candidate | None]] = []
        for target in self.groups:
            if target is group:
                continue
            if len(group) > self.size == len(target) and _shared(target) & member.topic_ids:
                options.append((self.pricer.joining(member, target) - current, target, None))
            for other in target:
                remaining = [m for m in target if m is not other]
                if _shared(remaining) & member.topic_ids and rest_topics & other.topic_ids:
                    delta = self.pricer.joining(member, remaining) - current
                    delta += self.pricer.joining(other, rest) - self.pricer.joining(other, target)
                    options.append((delta, target, other))
        delta, target, swapped = min(options, key=lambda o: o[0], default=(0, group, None))
        if delta >= 0:
            return False
        group.remove(member)
        target.append(member)
        if swapped is not None:
            target.remove(swapped)
            group.append(swapped)
        return True


def _best_attempt(
    candidates: list[Candidate], size: int, pricer: _Pricer, seed: int
) -> tuple[list[list[Candidate]], list[Candidate]]:
    """Groups and leftovers of the best of a few builds: fewest leftovers, then lowest cost."""
    attempts: list[tuple[int, int, list[list[Candidate]], list[Candidate]]] = []
    first: frozenset[int] = frozenset()
    for _ in range(ATTEMPTS):
        builder = _GroupBuilder(size, pricer, seed, first)
        leftovers = builder.build(candidates)
        attempts.append((len(leftovers), pricer.total(builder.groups), builder.groups, leftovers))
        if not leftovers:
            break
        # Rarest-first can use up the people a stranded teacher needed: retry with their topics
        # taken first.
        first = frozenset(topic for candidate in leftovers for topic in candidate.topic_ids)
    _, _, groups, leftovers = min(attempts, key=lambda attempt: (attempt[0], attempt[1]))
    return groups, leftovers


def form_peer_groups(
    candidates: Sequence[Candidate],
    size: int,
    past_pairs: Collection[frozenset[int]] = (),
    seed: int = 0,
) -> PeerMatching:
    """Split candidates into groups of `size` or `size + 1` teachers sharing a topic."""
    if size < 2:
        raise ValueError(f"group size must be at least 2, got {size}")
    _check_unique((candidate.teacher_id for candidate in candidates), "teacher")
    ordered = sorted(candidates, key=lambda candidate: candidate.teacher_id)
    # Each teacher is in at most `size` same-organization pairs, so one repeat outweighs them all.
    pricer = _Pricer(past_pairs, repeat_cost=len(ordered) * size + 1)
    groups, leftovers = _best_attempt([c for c in ordered if c.topic_ids], size, pricer, seed)
    unmatched = [c.teacher_id for c in ordered if not c.topic_ids]
    unmatched += [candidate.teacher_id for candidate in leftovers]
    peer_groups = [
        PeerGroup(tuple(sorted(member.teacher_id for member in group)), _shared(group))
        for group in groups
    ]
    return PeerMatching(
        groups=tuple(sorted(peer_groups, key=lambda group: group.members)),
        unmatched=tuple(sorted(unmatched)),
    )


class _MinCostFlow:
    """Unit augmentations along cheapest residual paths (queue-based Bellman-Ford)."""

    def __init__(self, nodes: int) -> None:
        self.adjacent: list[list[int]] = [[] for _ in range(nodes)]
        self.edges: list[list[int]] = []  # [head, capacity, cost]; edge ^ 1 is the reverse

    def add(self, tail: int, head: int, capacity: int, cost: int) -> int:
        for a, b, cap, price in ((tail, head, capacity, cost), (head, tail, 0, -cost)):
            self.adjacent[a].append(len(self.edges))
            self.edges.append([b, cap, price])
        return len(self.edges) - 2

    def push(self, path: Iterable[int]) -> None:
        for edge in path:
            self.edges[edge][1] -= 1
            self.edges[edge ^ 1][1] += 1

    def run(self, source: int, sink: int) -> None:
        # Successive cheapest paths end in a maximum flow that is cheapest among maximum flows.
        while path := self._cheapest_path(source, sink):
            self.push(path)

    def _cheapest_path(self, source: int, sink: int) -> list[int]:
        distance = [_UNREACHED] * len(self.adjacent)
        via = [-1] * len(self.adjacent)
        distance[source] = 0
        queue, queued = deque([source]), {source}
        while queue:
            node = queue.popleft()
            queued.discard(node)
            for edge in self.adjacent[node]:
                head, capacity, cost = self.edges[edge]
                if capacity > 0 and distance[node] + cost < distance[head]:
                    distance[head], via[head] = distance[node] + cost, edge
                    if head not in queued:
                        queue.append(head)
                        queued.add(head)
        path, node = [], sink
        while via[node] >= 0:
            path.append(via[node])
            node = self.edges[via[node] ^ 1][0]
        return path


def pair_mentors(
    mentees: Sequence[Candidate],
    mentors: Sequence[Mentor],
    past_pairs: Collection[frozenset[int]] = (),
) -> MentorMatching:
    """A maximum matching of mentees to mentor slots with the fewest repeated pairs, then the
    fewest same-organization pairs."""
    _check_unique((mentee.teacher_id for mentee in mentees), "mentee")
    _check_unique((mentor.candidate.teacher_id for mentor in mentors), "mentor")
    if any(mentor.capacity < 0 for mentor in mentors):
        raise ValueError("mentor capacity must not be negative")
    learners = sorted(mentees, key=lambda mentee: mentee.teacher_id)
    guides = sorted(mentors, key=lambda mentor: mentor.candidate.teacher_id)
    pricer = _Pricer(past_pairs, repeat_cost=len(learners) + 1)
    source, sink, first_guide = 0, 1, 2 + len(learners)
    flow = _MinCostFlow(first_guide + len(guides))
    outlets = [flow.add(first_guide + i, sink, m.capacity, 0) for i, m in enumerate(guides)]
    edges: dict[int, tuple[Candidate, Candidate]] = {}
    for row, mentee in enumerate(learners):
        inlet, placed = flow.add(source, 2 + row, 1, 0), False
        for index, mentor in enumerate(guides):
            guide = mentor.candidate
            if guide.teacher_id != mentee.teacher_id and guide.topic_ids & mentee.topic_ids:
                cost = pricer.pair(mentee, guide)
                edge = flow.add(2 + row, first_guide + index, 1, cost)
                edges[edge] = (mentee, guide)
                # A head start of free pairs: a flow that costs nothing is cheapest for its size.
                if not placed and cost == 0 and flow.edges[outlets[index]][1] > 0:
                    flow.push((inlet, edge, outlets[index]))
                    placed = True
    flow.run(source, sink)
    pairs = [
        MentorPair(guide.teacher_id, mentee.teacher_id, guide.topic_ids & mentee.topic_ids)
        for edge, (mentee, guide) in edges.items()
        if flow.edges[edge][1] == 0
    ]
    matched = {pair.mentee_id for pair in pairs}
    return MentorMatching(
        pairs=tuple(sorted(pairs, key=lambda pair: (pair.mentor_id, pair.mentee_id))),
        unmatched=tuple(m.teacher_id for m in learners if m.teacher_id not in matched),
    )
