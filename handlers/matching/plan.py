"""Planning a round: who is eligible now, the groups or pairs the algorithm proposes, and the
check made again before the plan is carried out.

A plan is plain data (it rides in the coordinator's dialog between the preview and «Сформировать»),
so confirming creates exactly what was shown — minus anyone who is no longer eligible.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.config import Settings
from bot.i18n import Translator
from handlers.matching.algorithm import (
    Candidate,
    Mentor,
    form_peer_groups,
    pair_mentors,
)
from storage.match_rounds import Round
from storage.matching import Eligible
from storage.repositories import Repositories

PEER, MENTORING = "peer", "mentoring"
KINDS = (PEER, MENTORING)
SIZES = (3, 4, 5, 6)
MIN_GROUP = 2


@dataclass(frozen=True, slots=True)
class Env:
    """What planning and forming a round need, from a handler or from a scheduler job."""

    repos: Repositories
    settings: Settings
    t: Translator
    """The network's default language: generated group names are stored in it."""
    now: datetime


@dataclass(frozen=True, slots=True)
class Plan:
    kind: str
    size: int | None
    groups: tuple[tuple[int, ...], ...]
    """Members of each group; for mentoring (mentor, mentee)."""
    topics: tuple[tuple[int, ...], ...]
    """Shared topic ids of each group."""
    candidates: int
    """Teachers who could be matched (mentoring: those who asked for a mentor)."""
    mentors: int = 0
    """Mentoring: mentors with a free place."""
    unmatched: int = 0
    without_topics: int = 0
    """Of the unmatched, those with no growth topic in their profile."""
    pausing: tuple[int, ...] = ()
    """Silent too long in the previous round: paused when this round is formed."""
    after_round: int | None = None
    """The latest round of this kind when planned; another one since makes the plan stale."""

    def to_data(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "size": self.size, "groups": [list(g) for g in self.groups],
            "topics": [list(t) for t in self.topics], "candidates": self.candidates,
            "mentors": self.mentors, "unmatched": self.unmatched,
            "without_topics": self.without_topics, "pausing": list(self.pausing),
            "after_round": self.after_round,
        }

    @classmethod
    def from_data(cls, data: Any) -> Plan | None:
        try:
            return cls(
                kind=str(data["kind"]), size=_opt_int(data["size"]),
                groups=tuple(tuple(int(t) for t in g) for g in data["groups"]),
                topics=tuple(tuple(int(t) for t in g) for g in data["topics"]),
                candidates=int(data["candidates"]), mentors=int(data["mentors"]),
                unmatched=int(data["unmatched"]), without_topics=int(data["without_topics"]),
                pausing=tuple(int(t) for t in data["pausing"]),
                after_round=_opt_int(data["after_round"]),
            )
        except (KeyError, TypeError, ValueError):
            return None

    def sizes(self) -> list[tuple[int, int]]:
        """(group size, how many groups of it), smallest first."""
        return sorted(Counter(len(g) for g in self.groups).items())

    @property
    def people(self) -> int:
        return sum(len(g) for g in self.groups)


def _opt_int(value: Any) -> int | None:
    return None if value is None else int(value)


async def plan_round(env: Env, kind: str, size: int | None) -> Plan:
    matching = env.repos.matching
    latest = await matching.latest_round(kind)
    pausing = await going_to_pause(env, latest)
    past = await matching.past_pairs()
    seed = latest.id if latest else 0
    if kind == PEER:
        assert size is not None
        people = [e for e in await matching.peer_candidates(env.now) if e.teacher_id not in pausing]
        result = form_peer_groups([_candidate(e) for e in people], size, past, seed=seed)
        without = {e.teacher_id for e in people if not e.topic_ids}
        return Plan(
            PEER, size, tuple(g.members for g in result.groups),
            tuple(tuple(sorted(g.shared_topic_ids)) for g in result.groups),
            candidates=len(people), unmatched=len(result.unmatched),
            without_topics=len(without & set(result.unmatched)),
            pausing=tuple(sorted(pausing)), after_round=latest.id if latest else None,
        )
    mentees = [e for e in await matching.mentees(env.now) if e.teacher_id not in pausing]
    offers = [o for o in await matching.mentors(env.now)
              if o.capacity_left > 0 and o.teacher.teacher_id not in pausing]
    pairs = pair_mentors(
        [_candidate(e) for e in mentees],
        [Mentor(_candidate(o.teacher), o.capacity_left) for o in offers], past,
    )
    return Plan(
        MENTORING, None, tuple((p.mentor_id, p.mentee_id) for p in pairs.pairs),
        tuple(tuple(sorted(p.shared_topic_ids)) for p in pairs.pairs),
        candidates=len(mentees), mentors=len(offers), unmatched=len(pairs.unmatched),
        without_topics=sum(1 for e in mentees if not e.topic_ids),
        pausing=tuple(sorted(pausing)), after_round=latest.id if latest else None,
    )


def _candidate(eligible: Eligible) -> Candidate:
    return Candidate(eligible.teacher_id, eligible.organization_id, eligible.topic_ids)


async def going_to_pause(env: Env, latest: Round | None) -> set[int]:
    """Members of the latest round who did not answer and reach the silence limit with it."""
    if latest is None or latest.checked_at is None:
        return set()  # a round whose question never went out counts against nobody
    silent = await env.repos.matching.silent_members(latest.id)
    limit = env.settings.matching.ignored_rounds_to_pause
    return {teacher for teacher, ignored in silent.items() if ignored + 1 >= limit}


@dataclass(slots=True)
class Checked:
    """A plan after checking again who is still eligible."""

    groups: list[tuple[int, ...]] = field(default_factory=list)
    topics: list[tuple[int, ...]] = field(default_factory=list)
    dropped_people: int = 0
    dropped_groups: int = 0


async def recheck(env: Env, plan: Plan, pausing: set[int]) -> Checked:
    """Keep whoever is still eligible; a peer group that falls below its minimum, or a pair
    that lost either side or its mentor's free place, is not created."""
    if plan.kind == PEER:
        return await _recheck_peer(env, plan, pausing)
    return await _recheck_pairs(env, plan, pausing)


def minimum_size(size: int | None) -> int:
    """The smallest group still worth creating: one less than asked for, but at least two."""
    return max(MIN_GROUP, (size or MIN_GROUP) - 1)


async def _recheck_peer(env: Env, plan: Plan, pausing: set[int]) -> Checked:
    eligible = {e.teacher_id for e in await env.repos.matching.peer_candidates(env.now)} - pausing
    checked = Checked()
    checked.dropped_people = len({m for g in plan.groups for m in g} - eligible)
    for members, topics in zip(plan.groups, plan.topics, strict=True):
        kept = tuple(m for m in members if m in eligible)
        if len(kept) >= minimum_size(plan.size):
            checked.groups.append(kept)
            checked.topics.append(topics)
        else:
            checked.dropped_groups += 1
    return checked


async def _recheck_pairs(env: Env, plan: Plan, pausing: set[int]) -> Checked:
    matching = env.repos.matching
    mentees = {e.teacher_id for e in await matching.mentees(env.now)} - pausing
    places = {o.teacher.teacher_id: o.capacity_left for o in await matching.mentors(env.now)
              if o.teacher.teacher_id not in pausing}
    checked = Checked()
    checked.dropped_people = len({m for m, _ in plan.groups} - places.keys()) + len(
        {m for _, m in plan.groups} - mentees
    )
    for pair, topics in zip(plan.groups, plan.topics, strict=True):
        mentor, mentee = pair
        if mentor not in places or mentee not in mentees or places[mentor] <= 0:
            checked.dropped_groups += 1
            continue
        places[mentor] -= 1
        checked.groups.append(pair)
        checked.topics.append(topics)
    return checked
