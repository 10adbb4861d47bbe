"""Forming a round from a plan: groups, the round and its members, the pairing history, one
introduction per member and a note to whoever the silence rule pauses — all in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.links import contact_link
from handlers.groups.invites import new_code
from handlers.matching.algorithm import pairs_of
from handlers.matching.plan import PEER, Env, Plan, going_to_pause, recheck
from storage.accounts import Account
from storage.groups import GroupKind, MemberRole, NewGroup
from storage.match_rounds import Round
from storage.matching import Person
from storage.outbox import NewMessage, action_button, link_button

NAME_LIMIT = 120
OUTBOX_MESSAGES = ("mt.intro_peer", "mt.intro_mentor", "mt.intro_mentee", "mt.paused_silent",
                   "mt.stay_button", "count.rounds")
"""Message ids rendered at send time (the locale test checks they exist)."""


@dataclass(frozen=True, slots=True)
class Formed:
    round_id: int | None
    """None: nothing was created (see `stale_round` and the dropped counts)."""
    stale_round: int | None = None
    """Another round of this kind was formed after the plan was made: its number."""
    groups: int = 0
    people: int = 0
    dropped_people: int = 0
    dropped_groups: int = 0
    paused: int = 0
    check_at: datetime | None = None

    @property
    def stale(self) -> bool:
        return self.stale_round is not None


async def form_round(env: Env, plan: Plan) -> Formed:
    matching = env.repos.matching
    await matching.lock_rounds()
    latest = await matching.latest_round(plan.kind)
    if (latest.id if latest else None) != plan.after_round:
        return Formed(None, stale_round=latest.id if latest else plan.after_round)
    pausing = await going_to_pause(env, latest)
    checked = await recheck(env, plan, pausing)
    if not checked.groups:
        return Formed(None, dropped_people=checked.dropped_people,
                      dropped_groups=checked.dropped_groups)
    paused = await _count_silence(env, latest)
    check_at = env.now + timedelta(days=env.settings.matching.check_after_days)
    round_id = await matching.create_round(plan.kind, plan.size, env.now, check_at)
    topics = {n.id: n.name for n in await env.repos.network.topics()}
    people = await matching.people({m for members in checked.groups for m in members})
    made: list[tuple[int, str]] = []
    placed: dict[int, int] = {}
    for members, shared in zip(checked.groups, checked.topics, strict=True):
        named = sorted((topics[t], t) for t in shared if t in topics)
        group_id, name = await _create_group(env, plan.kind, round_id, members, named, people)
        made.append((group_id, name))
        for member in members:  # a mentor with two mentees is one member of the round
            placed.setdefault(member, group_id)
    await matching.add_round_members(round_id, sorted(placed.items()))
    await matching.add_past_pairs(
        (pair for members in checked.groups for pair in pairs_of(members)), round_id
    )
    texts = [", ".join(sorted(topics[t] for t in shared if t in topics))
             for shared in checked.topics]
    await _introduce(env, plan.kind, round_id, checked.groups, texts, made, people)
    return Formed(
        round_id, groups=len(checked.groups), people=len(placed),
        dropped_people=checked.dropped_people, dropped_groups=checked.dropped_groups,
        paused=len(paused), check_at=check_at,
    )


async def _count_silence(env: Env, previous: Round | None) -> list[int]:
    """Count the previous round against who never answered it; pause and tell who reached the
    limit (the plan has left them out already: see `going_to_pause`)."""
    if previous is None or previous.checked_at is None:
        return []
    matching, rules = env.repos.matching, env.settings.matching
    until = env.now + timedelta(days=rules.ignored_pause_days)
    silent = await matching.silent_members(previous.id)
    paused = await matching.count_ignored(silent, rules.ignored_rounds_to_pause, until)
    inboxes = await _inboxes(env, paused)
    await env.repos.outbox.enqueue_many([
        NewMessage(
            key=f"match:{previous.id}:paused:{teacher}", account_id=account.id,
            not_before=env.now, message_key="mt.paused_silent",
            params={"rounds": {"plural": "count.rounds", "n": rules.ignored_rounds_to_pause},
                    "until": {"at": until.isoformat()}},
            buttons=[[action_button("mt.stay_button", "mt.stay")]],
        )
        for teacher, account in inboxes.items()
    ], env.now)
    return paused


async def _create_group(
    env: Env,
    kind: str,
    round_id: int,
    members: tuple[int, ...],
    named: list[tuple[str, int]],
    people: dict[int, Person],
) -> tuple[int, str]:
    """A closed group of the round; `named` are its shared topics as (name, id), by name."""
    groups = env.repos.groups
    if kind == PEER:
        name = _peer_name(env, "…", named)
    else:
        mentor, mentee = (people[m].full_name for m in members)
        name = _clip(env.t("mt.group_name_mentoring", mentor=short_name(mentor),
                           mentee=short_name(mentee)))
    group_id = await groups.create(NewGroup(
        name=name, kind=GroupKind(kind), topic_id=named[0][1] if named else None,
        description=None, size_limit=None, invite_code=await new_code(env.repos), open=False,
        round_id=round_id,
    ), env.now)
    if kind == PEER:  # the number is the group's own, known once it exists
        name = _peer_name(env, str(group_id), named)
        await groups.update_fields(group_id, name=name)
    for position, member in enumerate(members):
        leads = kind != PEER and position == 0
        role = MemberRole.MENTOR if leads else MemberRole.MEMBER
        await groups.add_member(group_id, member, role, env.now)
    return group_id, name


async def _introduce(
    env: Env,
    kind: str,
    round_id: int,
    groups: Sequence[tuple[int, ...]],
    topic_texts: Sequence[str],
    made: Sequence[tuple[int, str]],
    people: dict[int, Person],
) -> None:
    """One message per member and group (a mentor hears about each mentee)."""
    accounts = await env.repos.matching.accounts_of(people.keys())
    messages: list[NewMessage] = []
    for members, topic_text, (group_id, name) in zip(groups, topic_texts, made, strict=True):
        for position, member in enumerate(members):
            inbox = _inbox(accounts.get(member, []))
            if inbox is None:
                continue
            others = [m for m in members if m != member]
            key, params = _intro_text(kind, position, [people[o] for o in others])
            buttons = [
                [link_button(url, text=people[o].full_name)]
                for o in others if (url := _contact(accounts.get(o, []), inbox.platform))
            ]
            messages.append(NewMessage(
                key=f"match:{round_id}:intro:{group_id}:{inbox.id}", account_id=inbox.id,
                not_before=env.now, message_key=key,
                params={"group": name, "topics": topic_text, **params}, buttons=buttons,
            ))
    await env.repos.outbox.enqueue_many(messages, env.now)


def _intro_text(kind: str, position: int, others: list[Person]) -> tuple[str, dict[str, str]]:
    if kind == PEER:
        return "mt.intro_peer", {"members": "\n".join(f"• {person_line(p)}" for p in others)}
    if position == 0:  # the mentor hears about the mentee, and the other way round
        return "mt.intro_mentor", {"mentee": _inline(others[0])}
    return "mt.intro_mentee", {"mentor": _inline(others[0])}


def person_line(person: Person) -> str:
    """«Иванова Мария Петровна — МАОУ «Лицей № 3»»."""
    return f"{person.full_name} — {person.organization}" if person.organization else (
        person.full_name
    )


def _inline(person: Person) -> str:
    return f"{person.full_name} ({person.organization})" if person.organization else (
        person.full_name
    )


async def _inboxes(env: Env, teacher_ids: Sequence[int]) -> dict[int, Account]:
    accounts = await env.repos.matching.accounts_of(teacher_ids)
    found = {t: _inbox(accounts.get(t, [])) for t in teacher_ids}
    return {t: a for t, a in found.items() if a is not None}


def _inbox(accounts: Sequence[Account]) -> Account | None:
    """Where to write to a teacher: their oldest account that still receives messages."""
    return next((a for a in accounts if a.reachable), None)


def _contact(accounts: Sequence[Account], platform: str) -> str | None:
    """A link to write to this teacher, preferably on the reader's own messenger."""
    ordered = sorted(accounts, key=lambda a: a.platform != platform)
    return next((url for a in ordered if (url := contact_link(a))), None)


def short_name(full_name: str) -> str:
    """«Иванова Мария Петровна» → «Иванова М. П.»."""
    surname, *rest = full_name.split() or [""]
    initials = " ".join(f"{part[0]}." for part in rest[:2])
    return f"{surname} {initials}".strip()


def _peer_name(env: Env, number: str, named: list[tuple[str, int]]) -> str:
    """«Группа 12 · Функциональная грамотность», after the first shared topic by name."""
    if not named:
        return env.t("mt.group_name_plain", number=number)
    return _clip(env.t("mt.group_name_peer", number=number, topic=named[0][0]))


def _clip(name: str) -> str:
    return name if len(name) <= NAME_LIMIT else name[: NAME_LIMIT - 1] + "…"
