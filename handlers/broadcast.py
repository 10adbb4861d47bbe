"""/broadcast: a message to the network or a part of it, with a preview first.

Coordinators write to everyone or to one municipality, organization, subject, topic or group; a
group's admin writes to the groups they administer (and their group chats), and to nobody else —
checked at every step, and again when the message is sent.

Dialog: audience → (which one) → text, or a photo or document with or without a caption →
preview with the exact message and the number of recipients → send or change or cancel. Sending
enqueues one outbox row per recipient; the delivery worker sends them and keeps the sender's
progress message up to date.

A file is stored when it arrives (the dialog outlives a restart, so its bytes cannot wait in
memory) and referenced by the broadcast and by every outbox row; a draft's file that is replaced
or cancelled is deleted again.
"""

from __future__ import annotations

from bot.core.context import Context
from bot.core.model import MAX_FILE_SIZE, Attachment, AttachmentIssue, Button, Inbound, Reply
from bot.core.roles import GROUP_ADMINS, Role
from bot.core.router import Replies, Router
from bot.core.sizefmt import file_size
from handlers.common import int_arg, page_of, paged_choice
from storage.audience import Audience, AudienceKind
from storage.broadcasts import NewBroadcast
from storage.groups import Group
from storage.network import Named
from storage.outbox import NewMessage

MAX_TEXT = 4000
AUDIENCE, PICK, TEXT, PREVIEW = "bc.audience", "bc.pick", "bc.text", "bc.preview"
KINDS = tuple(AudienceKind)

router = Router("broadcast")


@router.command("broadcast", roles=GROUP_ADMINS, help="help.broadcast")
async def start(ctx: Context, msg: Inbound) -> Replies:
    await _drop_draft_file(ctx)
    if not _is_coordinator(ctx):  # a group admin: straight to their groups
        ctx.dialog.start(PICK, kind=AudienceKind.GROUP.value, municipality_id=None)
        groups = await _choices(ctx)
        if len(groups) == 1:
            return _ask_text(ctx, AudienceKind.GROUP, groups[0].id, groups[0].name)
        return await _ask_pick(ctx)
    ctx.dialog.start(AUDIENCE)
    buttons = [(Button(ctx._(f"bc.kind.{kind}"), "bc.kind", (kind.value,)),) for kind in KINDS]
    return Reply(ctx._("bc.ask_audience"), (*buttons, (Button(ctx._("bc.cancel"), "bc.cancel"),)))


@router.action("bc.kind", roles=GROUP_ADMINS, states={AUDIENCE})
async def on_kind(ctx: Context, msg: Inbound) -> Replies:
    kind = next((k for k in KINDS if (k.value,) == msg.action_args), None)
    if kind is None:
        return Reply(ctx._("button.unknown"))
    if not _is_coordinator(ctx):
        return Reply(ctx._("access.denied"))
    if kind is AudienceKind.EVERYONE:
        return _ask_text(ctx, kind, None, ctx._("bc.kind.all"))
    # an organization is picked within its municipality, so the list stays short
    ctx.dialog.go(PICK, kind=kind.value, municipality_id=None)
    return await _ask_pick(ctx)


@router.action("bc.page", roles=GROUP_ADMINS, states={PICK})
async def on_page(ctx: Context, msg: Inbound) -> Replies:
    return await _ask_pick(ctx, int_arg(msg.action_args) or 0, edit=True)


@router.action("bc.ref", roles=GROUP_ADMINS, states={PICK})
async def on_pick(ctx: Context, msg: Inbound) -> Replies:
    ref = int_arg(msg.action_args)
    choice = next((item for item in await _choices(ctx) if item.id == ref), None)
    if choice is None:
        return [Reply(ctx._("q.gone_from_list")), await _ask_pick(ctx)]
    kind = AudienceKind(ctx.dialog.get("kind"))
    if kind is AudienceKind.ORGANIZATION and ctx.dialog.get("municipality_id") is None:
        ctx.dialog.update(municipality_id=choice.id)
        return await _ask_pick(ctx)
    return _ask_text(ctx, kind, choice.id, choice.name)


@router.answer(AUDIENCE, PICK, PREVIEW)
async def on_text_instead_of_button(ctx: Context, msg: Inbound) -> Replies:
    return Reply(ctx._("q.use_buttons"))


@router.answer(TEXT)
async def on_text(ctx: Context, msg: Inbound) -> Replies:
    text = msg.text.strip()
    attachment = msg.attachments[0] if msg.attachments else None
    if attachment is not None and attachment.issue is not None:
        return Reply(_file_problem(ctx, attachment.issue))
    if not text and attachment is None:
        return Reply(ctx._("bc.text_empty"))
    if len(text) > MAX_TEXT:
        return Reply(ctx._("bc.text_too_long", max=ctx._n("count.characters", MAX_TEXT),
                           length=ctx._n("count.characters", len(text))))
    await _drop_draft_file(ctx)  # the file of the message this one replaces
    file_id = None
    if attachment is not None:
        file_id = await ctx.repos.files.add(
            attachment.file_name, attachment.mime, attachment.content, ctx.now()
        )
    ctx.dialog.go(PREVIEW, text=text, file_id=file_id)
    return await _preview(ctx, attachment)


@router.action("bc.edit", roles=GROUP_ADMINS, states={PREVIEW})
async def on_edit(ctx: Context, msg: Inbound) -> Replies:
    ctx.dialog.go(TEXT)
    return Reply(ctx._("bc.ask_text", audience=ctx.dialog.get("label")))


@router.action("bc.cancel", roles=GROUP_ADMINS, states={AUDIENCE, PICK, TEXT, PREVIEW})
async def on_cancel(ctx: Context, msg: Inbound) -> Replies:
    await _drop_draft_file(ctx)
    ctx.dialog.clear()
    return Reply(ctx._("bc.cancelled"), edit=True)


@router.action("bc.send", roles=GROUP_ADMINS, states={PREVIEW})
async def on_send(ctx: Context, msg: Inbound) -> Replies:
    audience = _audience(ctx)
    if not await _may_reach(ctx, audience):  # admin rights may have gone since the preview
        await _drop_draft_file(ctx)
        ctx.dialog.clear()
        return Reply(ctx._("access.denied"), edit=True)
    account_ids = await ctx.repos.audience.account_ids(audience)
    if not account_ids:
        ctx.dialog.clear()
        return Reply(ctx._("bc.nobody"), edit=True)
    now = ctx.now()
    sender = await ctx.repos.accounts.ensure(
        ctx.actor.platform, ctx.actor.user_id, ctx.actor.chat_id, now
    )
    text: str = ctx.dialog.get("text")
    file_id: int | None = ctx.dialog.get("file_id")
    broadcast_id = await ctx.repos.broadcasts.create(
        NewBroadcast(sender.id, audience.kind.value, audience.ref_id, ctx.dialog.get("label"),
                     text, len(account_ids), file_id),
        now,
    )
    await ctx.repos.outbox.enqueue_many(
        [NewMessage(key=f"broadcast:{broadcast_id}:account:{account_id}", account_id=account_id,
                    not_before=now, text=text, batch_id=broadcast_id, file_id=file_id)
         for account_id in account_ids],
        now,
    )
    ctx.outbox_changed = True
    ctx.dialog.clear()
    recipients = ctx._n("count.recipients", len(account_ids))
    return Reply(ctx._("bc.started", number=broadcast_id, recipients=recipients), edit=True)


@router.command("broadcasts", roles=GROUP_ADMINS, help="help.broadcasts")
async def recent(ctx: Context, msg: Inbound) -> Replies:
    mine = ctx.actor.account.id if ctx.actor.account else 0
    found = await ctx.repos.broadcasts.recent(None if _is_coordinator(ctx) else mine)
    if not found:
        return Reply(ctx._("bc.none_yet"))
    lines = [ctx._("bc.recent_title")]
    for broadcast in found:
        counts = await ctx.repos.outbox.batch_counts(broadcast.id)
        local = broadcast.created_at.astimezone(ctx.actor.timezone)
        mark = ctx._("bc.file_mark") + " " if broadcast.file_id is not None else ""
        lines.append(mark + ctx._(
            "bc.recent_line", number=broadcast.id, when=f"{local:%d.%m %H:%M}",
            audience=broadcast.audience_label, sent=counts.get("sent", 0),
            total=broadcast.recipients, unreachable=counts.get("unreachable", 0),
            failed=counts.get("failed", 0) + counts.get("dropped", 0),
        ))
    return Reply("\n".join(lines))


# -- steps --------------------------------------------------------------------------------------

def _ask_text(ctx: Context, kind: AudienceKind, ref: int | None, label: str) -> Reply:
    if kind is AudienceKind.GROUP:
        label = ctx._("bc.group_label", group=label)
    ctx.dialog.go(TEXT, kind=kind.value, ref=ref, label=label)
    return Reply(ctx._("bc.ask_text", audience=label))


async def _choices(ctx: Context) -> list[Named]:
    network = ctx.repos.network
    match AudienceKind(ctx.dialog.get("kind")):
        case AudienceKind.SUBJECT:
            return await network.subjects()
        case AudienceKind.TOPIC:
            return await network.topics()
        case AudienceKind.GROUP:
            return [Named(g.id, g.name) for g in await _reachable_groups(ctx)]
        case AudienceKind.ORGANIZATION if ctx.dialog.get("municipality_id") is not None:
            organizations = await network.organizations_in(ctx.dialog.get("municipality_id"))
            return [Named(o.id, o.name) for o in organizations]
        case _:
            return await network.municipalities()


async def _ask_pick(ctx: Context, page: int = 0, edit: bool = False) -> Reply:
    items = await _choices(ctx)
    if not items:
        ctx.dialog.clear()
        return Reply(ctx._("bc.empty_list"))
    cancel = Button(ctx._("bc.cancel"), "bc.cancel")
    keyboard = paged_choice(ctx, page_of(items, page), "bc.ref", "bc.page", (cancel,))
    kind = AudienceKind(ctx.dialog.get("kind"))
    if kind is AudienceKind.ORGANIZATION and ctx.dialog.get("municipality_id") is None:
        kind = AudienceKind.MUNICIPALITY  # first the municipality, then the organization in it
    return Reply(ctx._(f"bc.ask_{kind.value}"), keyboard, edit=edit)


def _is_coordinator(ctx: Context) -> bool:
    return Role.COORDINATOR in ctx.actor.roles


async def _reachable_groups(ctx: Context) -> list[Group]:
    """The groups this person may write to: every active one for a coordinator, else their own."""
    if _is_coordinator(ctx):
        return await ctx.repos.groups.active()
    teacher = ctx.actor.teacher
    return await ctx.repos.groups.administered_by(teacher.id) if teacher else []


async def _may_reach(ctx: Context, audience: Audience) -> bool:
    if _is_coordinator(ctx):
        return True
    return audience.kind is AudienceKind.GROUP and audience.ref_id in {
        g.id for g in await _reachable_groups(ctx)
    }


def _audience(ctx: Context) -> Audience:
    return Audience(AudienceKind(ctx.dialog.get("kind")), ctx.dialog.get("ref"))


def _file_problem(ctx: Context, issue: AttachmentIssue) -> str:
    if issue is AttachmentIssue.TOO_BIG:
        return ctx._("bc.file_too_big", max=file_size(ctx.t, MAX_FILE_SIZE))
    return ctx._("bc.file_unavailable")


async def _drop_draft_file(ctx: Context) -> None:
    """Delete the file of a broadcast being written that will not be sent with it."""
    file_id = ctx.dialog.get("file_id") if ctx.dialog.state in (TEXT, PREVIEW) else None
    if file_id is not None:
        await ctx.repos.files.delete_unused(file_id)
        ctx.dialog.update(file_id=None)


async def _preview(ctx: Context, attachment: Attachment | None) -> Replies:
    size = await ctx.repos.audience.size(_audience(ctx))
    summary = ctx._("bc.preview_count", audience=ctx.dialog.get("label"),
                    recipients=ctx._n("count.recipients", size.reachable))
    if size.chats:
        summary += "\n" + ctx._("bc.preview_chat")
    if size.unreachable:
        summary += "\n" + ctx._n("bc.preview_unreachable", size.unreachable)
    buttons = (
        (Button(ctx._("bc.send"), "bc.send"),),
        (Button(ctx._("bc.edit"), "bc.edit"), Button(ctx._("bc.cancel"), "bc.cancel")),
    )
    return [Reply(ctx._("bc.preview_title")),
            Reply(ctx.dialog.get("text"), attachment=attachment),
            Reply(summary, buttons)]
