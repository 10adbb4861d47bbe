"""Multi-select questions: school subjects and topics to grow in (профессиональные дефициты)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.context import Context
from bot.core.model import AnyButton, Button, Inbound, Reply, columns
from bot.core.router import Replies, Router
from handlers.common import int_arg
from handlers.questions import flow
from storage.network import Named


@dataclass(frozen=True, slots=True)
class ListQuestion:
    step: str
    code: str
    """One letter in button data, to stay well under 64 bytes."""
    answer_key: str
    width: int
    """Buttons a row: subject names are short, topic names are phrases."""


QUESTIONS = {
    "s": ListQuestion("subjects", "s", "subject_ids", width=2),
    "t": ListQuestion("topics", "t", "topic_ids", width=1),
}
STATES = {flow.state_of(q.step) for q in QUESTIONS.values()}

router = Router("questions.lists")


async def _items(ctx: Context, question: ListQuestion) -> list[Named]:
    if question.step == "subjects":
        return await ctx.repos.network.subjects()
    return await ctx.repos.network.topics()


async def _ask(ctx: Context, question: ListQuestion, edit: bool = False) -> Reply | None:
    items = await _items(ctx, question)
    if not items:
        return None
    chosen = set(flow.answers(ctx).get(question.answer_key) or ())
    buttons: list[AnyButton] = [
        Button(("✅ " if item.id in chosen else "") + item.name, "q.tog",
               (question.code, str(item.id)))
        for item in items
    ]
    rows = list(columns(buttons, question.width))
    rows.append((Button(ctx._("q.list.done", count=len(chosen)), "q.done", (question.code,)),))
    text = ctx._(f"q.{question.step}.ask")
    return Reply(text, tuple(rows), edit=edit)


@flow.asks("subjects")
async def ask_subjects(ctx: Context) -> Reply | None:
    return await _ask(ctx, QUESTIONS["s"])


@flow.asks("topics")
async def ask_topics(ctx: Context) -> Reply | None:
    return await _ask(ctx, QUESTIONS["t"])


def _question(ctx: Context, msg: Inbound) -> ListQuestion | None:
    """The question the button belongs to, if it is the one being asked now."""
    question = QUESTIONS.get(msg.action_args[0] if msg.action_args else "")
    if question is None or ctx.dialog.state != flow.state_of(question.step):
        return None
    return question


@router.action("q.tog", states=STATES)
async def on_toggle(ctx: Context, msg: Inbound) -> Replies:
    question = _question(ctx, msg)
    item_id = int_arg(msg.action_args, 1)
    if question is None:
        ctx.notice = ctx._("button.outdated")
        return Reply(ctx._("button.outdated"))
    if item_id not in {item.id for item in await _items(ctx, question)}:
        again = await _ask(ctx, question)
        return [Reply(ctx._("q.gone_from_list")), *([again] if again else [])]
    chosen = set(flow.answers(ctx).get(question.answer_key) or ())
    chosen ^= {item_id}
    ctx.dialog.update(answers={**flow.answers(ctx), question.answer_key: sorted(chosen)})
    return await _ask(ctx, question, edit=True)


@router.action("q.done", states=STATES)
async def on_done(ctx: Context, msg: Inbound) -> Replies:
    question = _question(ctx, msg)
    if question is None:
        ctx.notice = ctx._("button.outdated")
        return Reply(ctx._("button.outdated"))
    chosen = sorted(flow.answers(ctx).get(question.answer_key) or ())
    return await flow.answered(ctx, question.step, **{question.answer_key: chosen})


@router.answer(*STATES)
async def on_typed(ctx: Context, msg: Inbound) -> Replies:
    return Reply(ctx._("q.list.use_buttons"))
