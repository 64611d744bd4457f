"""Tips after a completed session, and /flare: the flare-up plan and easing the next sessions.

The core chooses (`bot.coaching.education.pick_tip`, `bot.coaching.ease_for_days`); this module
keeps what each member was shown (`TipShown`) and records the easing with its reasons, as `/why`
shows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.coaching import Status, ease_for_days
from bot.coaching.education import FlarePlan, pick_tip
from bot.db.models import Member, TipShown
from bot.services.members import (
    Flow,
    Reply,
    find_member,
    programme_state,
    record_decisions,
    store_state,
    today_for,
)

# The offer in content/education.yaml says "for 3 days"; the easing lasts as long.
FLARE_EASE_DAYS = 3


# ---- a tip after each completed session --------------------------------------------------------


async def record_tip(session: AsyncSession, flow: Flow, member: Member, day: date) -> None:
    """Choose today's tip from what the member was shown before, and keep it; at most one a day."""
    if flow.education is None:
        return
    # The last day each tip was shown, all of them: the least recent one is picked, so a
    # window of only the last two weeks would put a tip from 15 days ago before the oldest.
    statement = (
        select(func.max(TipShown.local_date), TipShown.tip_id)
        .where(TipShown.member_id == member.id)
        .group_by(TipShown.tip_id)
    )
    history = [(shown_on, tip_id) for shown_on, tip_id in await session.execute(statement)]
    tip = pick_tip(history, day, flow.education)
    if tip is not None:
        session.add(TipShown(member_id=member.id, local_date=day, tip_id=tip.id))
        await session.flush()


async def tip_on(session: AsyncSession, flow: Flow, member: Member, day: date) -> str | None:
    """The words of the tip shown on `day`, so the summary seen again shows the same one."""
    if flow.education is None:
        return None
    statement = select(TipShown.tip_id).where(
        TipShown.member_id == member.id, TipShown.local_date == day
    )
    tip_id = (await session.execute(statement)).scalar_one_or_none()
    texts = {tip.id: tip.text for tip in flow.education.tips}
    return None if tip_id is None else texts.get(tip_id)


# ---- /flare --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlarePlanShown:
    """The plan, with the offer to ease when the member has an active programme."""

    plan: FlarePlan
    offer_ease: bool
    easing_until: date | None  # already easing for a flare-up, up to and including this day


@dataclass(frozen=True)
class FlareEased:
    until: date
    reasons: tuple[str, ...]  # one per exercise made easier; empty when all were at their easiest


@dataclass(frozen=True)
class FlareAlreadyEased:
    """Asked again while easing: the doses are not eased twice; the days may be extended."""

    until: date


@dataclass(frozen=True)
class FlareNotActive:
    """No active programme (not enrolled, paused or stopped): nothing to ease."""


async def show_flare(session: AsyncSession, flow: Flow, user_id: int, now: datetime) -> list[Reply]:
    assert flow.education is not None, "the bot always loads content/education.yaml"
    plan = flow.education.flare_plan
    # What happens to an open question (a symptom question first, today's session waiting) is
    # said by the hook ahead of every command (`questions.on_command`).
    member = await find_member(session, user_id)
    state = None if member is None else programme_state(member)
    if member is None or state is None or state.status is not Status.ACTIVE:
        return [FlarePlanShown(plan, offer_ease=False, easing_until=None)]
    today = today_for(member, now, flow.default_zone)
    easing = state.flare_until if state.flare_until and state.flare_until >= today else None
    shown = FlarePlanShown(plan, offer_ease=easing is None, easing_until=easing)
    return [shown]


async def ease_flare(session: AsyncSession, flow: Flow, user_id: int, now: datetime) -> list[Reply]:
    """ "Ease my next sessions": every exercise one step easier and nothing steps up for
    FLARE_EASE_DAYS days, once; a second press while easing eases nothing more."""
    member = await find_member(session, user_id)
    state = None if member is None else programme_state(member)
    if member is None or state is None or state.status is not Status.ACTIVE:
        return [FlareNotActive()]
    today = today_for(member, now, flow.default_zone)
    was_easing = state.flare_until is not None and state.flare_until >= today
    outcome = ease_for_days(state, flow.library, today=today, days=FLARE_EASE_DAYS)
    store_state(member, outcome.state)
    await record_decisions(session, member, outcome.decisions, today)
    assert outcome.state.flare_until is not None
    if was_easing:
        return [FlareAlreadyEased(outcome.state.flare_until)]
    reasons = tuple(decision.reason for decision in outcome.decisions)
    return [FlareEased(outcome.state.flare_until, reasons)]
