"""Who may read a coach group's member data, asked of Telegram: the group's administrators.

A coach group usually holds members too, so dashboards and alerts go to each administrator in a
private chat; only a staff-only group (every participant an administrator) may see them posted
in the group itself. The answer is cached for a few minutes for commands, and dropped as soon as
Telegram reports someone joining or a participant's status changing. Alerts never use the cache:
the administrators are asked again before every delivery, so an admin removed a moment ago gets
nothing (this works whether or not the bot is an admin, which `chat_member` updates need).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from telegram import Bot, Update
from telegram.ext import BaseHandler, ChatMemberHandler, MessageHandler, filters

from bot.context import HipContext

AUDIENCE_SECONDS = 180.0


@dataclass(frozen=True)
class Audience:
    admin_ids: frozenset[int]  # people, not bots
    staff_only: bool  # nobody but administrators (and this bot) in the group


_cached: dict[int, tuple[float, Audience]] = {}


async def audience(bot: Bot, chat_id: int, *, fresh: bool = False) -> Audience:
    """The group's administrators, and whether anyone else is in it."""
    now = time.monotonic()
    cached = _cached.get(chat_id)
    if not fresh and cached is not None and now - cached[0] < AUDIENCE_SECONDS:
        return cached[1]
    admins = await bot.get_chat_administrators(chat_id)
    count = await bot.get_chat_member_count(chat_id)
    admin_ids = {admin.user.id for admin in admins}
    # The count includes this bot; anyone else not an admin (another bot too) is an outsider.
    others = count - len(admin_ids) - (0 if bot.id in admin_ids else 1)
    found = Audience(
        frozenset(admin.user.id for admin in admins if not admin.user.is_bot), others <= 0
    )
    _cached[chat_id] = (now, found)
    return found


async def _forget(update: Update, context: HipContext) -> None:
    """Someone joined, left, or changed status: the next command asks Telegram again."""
    if update.effective_chat is not None:
        _cached.pop(update.effective_chat.id, None)


def handlers() -> list[BaseHandler]:
    """Registered in a group of their own, so they see these updates besides other handlers."""
    return [
        ChatMemberHandler(_forget, ChatMemberHandler.ANY_CHAT_MEMBER),
        MessageHandler(
            filters.StatusUpdate.NEW_CHAT_MEMBERS | filters.StatusUpdate.LEFT_CHAT_MEMBER, _forget
        ),
    ]
