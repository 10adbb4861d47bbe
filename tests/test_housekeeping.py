"""Housekeeping removes what is no longer needed and nothing else."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.app import App
from bot.core.clock import ManualClock
from bot.housekeeping import tidy
from storage.broadcasts import NewBroadcast
from storage.tables import files, processed_updates


async def test_old_update_ids_and_abandoned_draft_files_go_the_rest_stays(
    app: App, clock: ManualClock
) -> None:
    old = clock.now()
    async with app.db.transaction() as repos:
        await repos.updates.mark_processed("telegram", "old", old)
        abandoned = await repos.files.add("черновик.pdf", "application/pdf", b"%PDF", old)
        sent = await repos.files.add("афиша.png", "image/png", b"\x89PNG", old)
        account = await repos.accounts.ensure("telegram", "5", "5", old)
        await repos.broadcasts.create(
            NewBroadcast(account.id, "all", None, "Всем", "Афиша", 1, sent), old
        )
    clock.advance(timedelta(days=8))
    async with app.db.transaction() as repos:
        await repos.updates.mark_processed("telegram", "new", clock.now())
        fresh = await repos.files.add("новый.pdf", "application/pdf", b"%PDF", clock.now())

    await tidy(app.db, clock)

    async with app.db.engine.connect() as conn:
        kept_updates = {r[0] for r in await conn.execute(select(processed_updates.c.update_id))}
        kept_files = {r[0] for r in await conn.execute(select(files.c.id))}
    assert kept_updates == {"new"}
    assert kept_files == {sent, fresh}
    assert abandoned not in kept_files
