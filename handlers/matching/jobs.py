"""Scheduler jobs for matching: rounds on the coordinators' schedule, and «Удалось встретиться?».

Both are safe to run at any moment and any number of times: a schedule is run under the
round-forming lock and only while it is due, and every message has an idempotency key.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.core.dispatcher import Core
from handlers.matching.formation import Formed, form_round
from handlers.matching.periods import next_run
from handlers.matching.plan import PEER, SIZES, Env, Plan, plan_round
from storage.match_rounds import Schedule
from storage.outbox import NewMessage, action_button
from storage.repositories import Repositories

DEFAULT_SIZE = 4
"""For a peer schedule whose stored size is missing or no longer offered."""

OUTBOX_MESSAGES = ("mt.ask_met", "mt.met_yes", "mt.met_no", "count.groups", "count.pairs",
                   "count.teachers")
"""Message ids rendered at send time, besides the composed `mt.scheduled_*`."""

log = logging.getLogger(__name__)


async def run_due_schedules(core: Core) -> int:
    """Form a round for each due schedule, without a preview; returns how many were formed."""
    now = core.clock.now()
    async with core.db.transaction() as repos:
        due = [s.kind for s in await repos.matching.due_schedules(now)]
    formed = 0
    for kind in due:
        try:
            formed += await _run_schedule(core, kind, now)
        except Exception:
            log.exception("scheduled matching failed kind=%s", kind)
    if formed and core.on_outbox_changed is not None:
        core.on_outbox_changed()
    return formed


async def _run_schedule(core: Core, kind: str, now: datetime) -> int:
    async with core.db.transaction() as repos:
        await repos.matching.lock_rounds()
        schedule = await repos.matching.schedule(kind)
        if schedule is None or schedule.next_run_at > now:
            return 0  # changed or run meanwhile
        env = Env(repos, core.settings, core.catalogs.translator(core.settings.default_locale), now)
        size = schedule.group_size if schedule.group_size in SIZES else DEFAULT_SIZE
        plan = await plan_round(env, kind, size if kind == PEER else None)
        formed = await form_round(env, plan) if plan.groups else Formed(None)
        following = next_run(schedule.every, schedule.next_run_at, now)
        await repos.matching.set_next_run(kind, following)
        await _tell_coordinators(core, repos, schedule, plan, formed, following, now)
        log.info("scheduled matching kind=%s round=%s", kind, formed.round_id)
        return 1 if formed.round_id is not None else 0


async def _tell_coordinators(
    core: Core,
    repos: Repositories,
    schedule: Schedule,
    plan: Plan,
    formed: Formed,
    following: datetime,
    now: datetime,
) -> None:
    """One line to each configured coordinator who has talked to the bot."""
    unit = "count.groups" if plan.kind == PEER else "count.pairs"
    if formed.round_id is None:
        key, params = f"mt.scheduled_nothing_{plan.kind}", {}
    else:
        key, params = f"mt.scheduled_{plan.kind}", {
            "number": formed.round_id,
            "groups": {"plural": unit, "n": formed.groups},
            "teachers": {"plural": "count.teachers", "n": formed.people},
            "left": {"plural": "count.teachers", "n": plan.unmatched + formed.dropped_people},
        }
    planned = f"{schedule.next_run_at:%Y%m%d%H%M}"
    messages = []
    for entry in core.settings.coordinators:
        platform, _, user_id = entry.partition(":")
        account = await repos.accounts.get(platform, user_id)
        if account is None or not account.reachable:
            continue
        messages.append(NewMessage(
            key=f"match:schedule:{plan.kind}:{planned}:{account.id}", account_id=account.id,
            not_before=now, message_key=key,
            params={**params, "next": {"at": following.isoformat()}},
        ))
    await repos.outbox.enqueue_many(messages, now)


async def ask_whether_met(core: Core) -> int:
    """Ask the members of each round whose time has come; returns how many were asked."""
    now = core.clock.now()
    asked = 0
    async with core.db.transaction() as repos:
        for due in await repos.matching.rounds_to_ask(now):
            members = await repos.matching.to_ask(due.id)
            round_id = str(due.id)
            asked += await repos.outbox.enqueue_many([
                NewMessage(
                    key=f"match:{due.id}:met:{member.teacher_id}", account_id=member.account_id,
                    not_before=now, message_key="mt.ask_met", params={"group": member.group_name},
                    buttons=[[action_button("mt.met_yes", "mt.met", round_id, "1"),
                              action_button("mt.met_no", "mt.met", round_id, "0")]],
                )
                for member in members
            ], now)
            await repos.matching.mark_asked(due.id, now)
    if asked and core.on_outbox_changed is not None:
        core.on_outbox_changed()
    return asked


class MatchingJobs:
    """The two jobs for the scheduler, one at a time; `stop` waits for a running one and lets
    no other start, so the database is never closed under a job."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self._lock = asyncio.Lock()
        self._stopped = False

    async def scheduled_rounds(self) -> None:
        await self._run(run_due_schedules)

    async def meeting_questions(self) -> None:
        await self._run(ask_whether_met)

    async def stop(self) -> None:
        async with self._lock:
            self._stopped = True

    async def _run(self, job: Callable[[Core], Awaitable[int]]) -> None:
        async with self._lock:
            if not self._stopped:
                await job(self.core)
