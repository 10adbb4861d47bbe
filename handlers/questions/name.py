"""Question: the teacher's full name (ФИО)."""

from __future__ import annotations

import re

from bot.core.context import Context
from bot.core.model import Inbound, Reply
from bot.core.router import Replies, Router
from handlers.common import clean_text
from handlers.questions import flow

MAX_NAME = 120
_NAME = re.compile(r"^[^\W\d_]+(?:[-'’. ][^\W\d_]*)*\.?$")

router = Router("questions.name")


@flow.asks("name")
async def ask_name(ctx: Context) -> Reply:
    return Reply(ctx._("q.name.ask"))


@router.answer(flow.state_of("name"))
async def on_name(ctx: Context, msg: Inbound) -> Replies:
    name = clean_text(msg.text)
    if not name:
        return Reply(ctx._("q.name.empty"))
    if len(name) > MAX_NAME:
        return Reply(ctx._("q.name.too_long", max=ctx._n("count.characters", MAX_NAME),
                           length=ctx._n("count.characters", len(name))))
    words = name.split(" ")
    if len(words) < 2 or not all(_NAME.match(word) for word in words):
        return Reply(ctx._("q.name.invalid"))
    return await flow.answered(ctx, "name", full_name=name)
