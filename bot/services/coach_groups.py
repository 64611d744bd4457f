"""Coach groups: the Telegram group a coach runs, its invite code, and members leaving it.

The invite code is the only secret between a coach's link and a member's data, so it is random
(`secrets`), replaced on request, and looked up exactly: an old code stops working the moment a
new one is made.
"""

from __future__ import annotations

import secrets

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Alert, CoachGroup, Member

# 16 random bytes: 22 characters of A-Z a-z 0-9 _ -, all valid in a Telegram deep link (max 64).
INVITE_CODE_BYTES = 16


def new_invite_code() -> str:
    return secrets.token_urlsafe(INVITE_CODE_BYTES)


async def group_for_chat(session: AsyncSession, chat_id: int) -> CoachGroup | None:
    """The coach group held in this Telegram chat, if `/coach` was ever run there."""
    return await session.scalar(select(CoachGroup).where(CoachGroup.chat_id == chat_id))


async def open_group(
    session: AsyncSession, *, chat_id: int, title: str, coach_user_id: int
) -> CoachGroup:
    """The chat's coach group, created on first use and reactivated if the bot had been removed."""
    group = await group_for_chat(session, chat_id)
    if group is None:
        group = CoachGroup(
            chat_id=chat_id,
            title=title,
            invite_code=new_invite_code(),
            created_by_user_id=coach_user_id,
            is_active=True,
        )
        session.add(group)
        await session.flush()
        return group
    group.title = title
    group.is_active = True
    return group


async def replace_invite_code(session: AsyncSession, group: CoachGroup) -> str:
    """A fresh code for the group; the old one no longer finds it."""
    group.invite_code = new_invite_code()
    await session.flush()
    return group.invite_code


async def move_group_chat(session: AsyncSession, old_chat_id: int, new_chat_id: int) -> bool:
    """Follow a group that Telegram upgraded to a supergroup (which gives it a new chat id)."""
    group = await group_for_chat(session, old_chat_id)
    if group is None:
        return False
    group.chat_id = new_chat_id
    return True


async def deactivate_group(session: AsyncSession, chat_id: int) -> None:
    """The bot was removed from the group: stop sending there until `/coach` is run again."""
    group = await group_for_chat(session, chat_id)
    if group is not None:
        group.is_active = False


async def leave_group(session: AsyncSession, telegram_user_id: int) -> str | None:
    """Take the member out of their coach group at once; the group's title, or None if none.

    Consent to share goes with it, and alerts not yet sent about the member are dropped, so
    nothing more about them reaches that group.
    """
    member = await session.scalar(select(Member).where(Member.telegram_user_id == telegram_user_id))
    if member is None or member.coach_group_id is None:
        return None
    group = await session.get(CoachGroup, member.coach_group_id)
    await session.execute(
        delete(Alert).where(Alert.member_id == member.id, Alert.sent_at.is_(None))
    )
    member.coach_group_id = None
    member.coach_consent_at = None
    return group.title if group is not None else None
