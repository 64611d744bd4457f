"""A typed message (or a sticker, photo, or anything else) goes to whichever question is open.

A symptom mentioned in the text comes first, whatever is open: the bot asks about it and the
text is read as no answer at all (so "3, and my leg is numb" records no pain). Otherwise the
open question is read from the database in the order `current_question` uses: a symptom,
settings or resume question, then onboarding, then today's session, then this week's PEG; with
none open, the member gets a pointer to what they can do.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import onboarding, outcomes, preferences, sessions, symptoms
from bot.services.members import Flow, Reply, TypedAnswer, find_member
from bot.services.questions import SYMPTOM, NothingOpen, NotStarted, item_of


async def answer_typed(
    session: AsyncSession, flow: Flow, user_id: int, answer: TypedAnswer, now: datetime
) -> list[Reply]:
    """Apply the answer to the open question, or re-ask it when the answer does not fit."""
    member = await find_member(session, user_id)
    if member is None:
        return [NotStarted()]
    asking_symptom = item_of(member.awaiting, SYMPTOM) is not None
    consented = symptoms.can_check(member.consent_at is not None, member.onboarding_step)
    if answer.symptoms and consented and not asking_symptom:
        return symptoms.noticed(member, flow, answer.symptoms)
    if asking_symptom:
        return await symptoms.answer(session, flow, member, answer, now)
    if member.awaiting is not None:
        return await preferences.answer_typed(session, flow, member, answer, now)
    if member.onboarding_step is not None:
        return await onboarding.answer_typed(session, flow, member, answer, now)
    replies = await sessions.answer_typed(session, flow, member, answer, now)
    if replies is not None:
        return replies
    replies = await outcomes.answer_typed(session, flow, member, answer, now)  # the weekly PEG
    if replies is not None:
        return replies
    return [NothingOpen(enrolled=member.onboarded_at is not None)]
