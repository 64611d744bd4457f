"""A typed message (or a sticker, photo, or anything else) goes to whichever question is open.

The open question is read from the database in this order: onboarding, then a settings or resume
question, then today's session; with none open, the member gets a pointer to what they can do.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import onboarding, preferences, sessions
from bot.services.members import Flow, Reply, TypedAnswer, find_member
from bot.services.questions import NothingOpen, NotStarted


async def answer_typed(
    session: AsyncSession, flow: Flow, user_id: int, answer: TypedAnswer, now: datetime
) -> list[Reply]:
    """Apply the answer to the open question, or re-ask it when the answer does not fit."""
    member = await find_member(session, user_id)
    if member is None:
        return [NotStarted()]
    if member.onboarding_step is not None:
        return await onboarding.answer_typed(session, flow, member, answer, now)
    if member.awaiting is not None:
        return await preferences.answer_typed(session, flow, member, answer, now)
    replies = await sessions.answer_typed(session, flow, member, answer, now)
    if replies is not None:
        return replies
    return [NothingOpen(enrolled=member.onboarded_at is not None)]
