"""Links that lead people to the bot or to each other, per platform."""

from __future__ import annotations

from urllib.parse import quote

from bot.config import Settings
from bot.core.model import Inbound
from storage.accounts import Account


def invite_link(settings: Settings, platform: str, code: str) -> str | None:
    """A link that opens the bot with `code` as its start parameter, where the platform has one."""
    if platform == "telegram" and settings.telegram.username:
        return f"https://t.me/{settings.telegram.username}?start={quote(code)}"
    if platform == "vk" and settings.vk.group_id:
        return f"https://vk.me/club{settings.vk.group_id}?ref={quote(code)}"
    return None


def bot_link(settings: Settings, platform: str) -> str | None:
    """A link to a private chat with the bot."""
    if platform == "telegram" and settings.telegram.username:
        return f"https://t.me/{settings.telegram.username}"
    if platform == "vk" and settings.vk.group_id:
        return f"https://vk.me/club{settings.vk.group_id}"
    return None


def contact_link(account: Account) -> str | None:
    """A link that opens a private chat with this person, when their platform allows it.

    Telegram lets a bot link to a person only through their public @username; VK profiles are
    always addressable by id."""
    if account.platform == "telegram" and account.username:
        return f"https://t.me/{account.username}"
    if account.platform == "vk" and account.external_id.isdigit():
        return f"https://vk.com/id{account.external_id}"
    return None


def chat_account_id(inbound: Inbound) -> str:
    """The account id under which a group chat (not a person) is stored."""
    return f"chat:{inbound.chat_id}"
